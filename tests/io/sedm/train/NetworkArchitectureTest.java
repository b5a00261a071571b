package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.NativeInvalidArgumentException;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter counts against docs/ALGORITHMS.md §2.1/§7.4/§15.4 (exact: they follow from the constructors). */
class NetworkArchitectureTest {

    private static long count(NetworkConfig config) {
        try (Network net = config.build(Device.CPU)) {
            return net.parameterCount();
        }
    }

    @Test
    void ddpmppCifar10HasTheEdmParameterCount() {
        assertThat(count(SongUNetConfig.ddpmppCifar10())).isEqualTo(55_733_891L);
        assertThat(count(SongUNetConfig.ddpmppCifar10().withAugmentDim(0))).isEqualTo(55_732_739L);
        assertThat(count(SongUNetConfig.ddpmppCifar10().withLabelDim(10))).isEqualTo(55_735_299L);
    }

    /**
     * The official EDM networks (EdmNetworkConfigs): parameter count and the SHA-256 of the sorted
     * "name d0,d1,..." lines of every tensor, both from running NVlabs/edm's training/networks.py
     * (Debian python3-torch 1.13): {@code scripts/fixtures/edm_nets.py --edm-src DIR --official}.
     * Equal digests = the state dicts map 1:1 by name and shape (EDM's resample_filter buffers,
     * which sedm derives from the config, excepted).
     */
    @ParameterizedTest
    @CsvSource({
        "edm-cifar10-32x32-cond-vp, 55735299, 1ba56a9cb698f82615bd2b467953f2fe5e277a138f64f8747b55d1c7198e7de7",
        "edm-cifar10-32x32-cond-ve, 56400643, e8000d936235dfee7b26ac4519fb3add1fb48ffe1e09cb2838b3ebdddc87b55a",
        "edm-cifar10-32x32-uncond-vp, 55733891, 9a532cb86ce05213b035578e57e27dbc6bdad1b345d1b1190eaef3c665bbe7ad",
        "edm-cifar10-32x32-uncond-ve, 56397827, ac92b28f48db61220e91a87c36649b4e58bdfebbd3de3ea3d9dec6c85b946ec6",
        "edm-ffhq-64x64-uncond-vp, 61805571, 25b3a38317e96e7df23aeb9728e14b605319559ac0a22b594a0f4316701404dd",
        "edm-ffhq-64x64-uncond-ve, 62761091, 8c019b22da8a4afeb7d62c6e042e77cc18855379f75c83a64bf0ac485f368a76",
        "edm-afhqv2-64x64-uncond-vp, 61805571, 25b3a38317e96e7df23aeb9728e14b605319559ac0a22b594a0f4316701404dd",
        "edm-afhqv2-64x64-uncond-ve, 62761091, 8c019b22da8a4afeb7d62c6e042e77cc18855379f75c83a64bf0ac485f368a76",
        "edm-imagenet-64x64-cond-adm, 295899267, 3ac3d861309249b28bdd82e9426f6d4a2fdad81e484ad429e9556b1762aa8d4e"
    })
    void officialEdmNetworksHaveTheOfficialParameterCountsAndTensorNames(String name, long count, String digest) {
        EdmNetworkConfigs.EdmNetwork official = EdmNetworkConfigs.byName(name);
        assertThat(official.parameters()).isEqualTo(count);
        try (Network net = official.network().build(Device.CPU)) {
            assertThat(net.parameterCount()).isEqualTo(count);
            assertThat(tensorDigest(net)).isEqualTo(digest);
        }
    }

    @Test
    void everyOfficialNetworkIsAModelInfoPreset() {
        assertThat(EdmNetworkConfigs.all()).hasSize(9);
        for (EdmNetworkConfigs.EdmNetwork n : EdmNetworkConfigs.all()) {
            assertThat(EdmNetworkConfigs.byName(n.name() + ".pkl")).isEqualTo(n);
            assertThat(n.precond())
                    .isEqualTo(n.name().endsWith("-vp") ? "vp" : n.name().endsWith("-ve") ? "ve" : "edm");
        }
        assertThatThrownBy(() -> EdmNetworkConfigs.byName("edm-cifar10-32x32-cond-adm"))
                .hasMessageContaining("no official EDM network")
                .hasMessageContaining("edm-imagenet-64x64-cond-adm");
    }

    /** SHA-256 (hex) of the sorted lines "name d0,d1,..." of every named tensor. */
    static String tensorDigest(Network net) {
        List<String> lines = new java.util.ArrayList<>();
        for (Network.TensorInfo t : net.tensors()) {
            lines.add(t.name() + " "
                    + java.util.Arrays.stream(t.shape())
                            .mapToObj(Long::toString)
                            .collect(java.util.stream.Collectors.joining(",")));
        }
        java.util.Collections.sort(lines);
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", lines).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void ncsnppAndAdmTensorsCarryEdmNamesAndShapes() {
        // NCSN++: Fourier buffer, residual input pyramid (3×3 FIR-downsampling convolutions), no
        // resample_filter buffers.
        SongUNetConfig ncsnpp =
                SongUNetConfig.tiny(16, 3).withChannelMult(1, 2, 2).asNcsnpp();
        try (Network net = ncsnpp.build(Device.CPU)) {
            var shapes = shapes(net);
            assertThat(shapes.get("map_noise.freqs")).containsExactly(8); // 8 · 2 / 2
            assertThat(shapes.get("map_layer0.weight")).containsExactly(16, 16);
            assertThat(shapes.get("enc.8x8_aux_residual.weight")).containsExactly(8, 3, 3, 3);
            assertThat(shapes.get("enc.4x4_aux_residual.weight")).containsExactly(16, 8, 3, 3);
            assertThat(shapes.get("enc.8x8_down.skip.weight")).containsExactly(8, 8, 1, 1);
            assertThat(shapes.get("dec.16x16_aux_conv.weight")).containsExactly(3, 8, 3, 3);
            assertThat(shapes.keySet()).noneMatch(k -> k.contains("resample_filter"));
            assertThat(net.tensors().stream().filter(t -> !t.isParameter()).map(Network.TensorInfo::name))
                    .containsExactly("map_noise.freqs");
        }
        // ADM: scale/shift affine (2×out), multi-head attention, kernel-0 resample-only skips,
        // label embedding without bias onto the embedding width 2·64 (added after map_layer1).
        try (Network net = DhariwalUNetConfig.tiny(16, 3, 10).build(Device.CPU)) {
            var shapes = shapes(net);
            assertThat(shapes.get("map_layer0.weight")).containsExactly(128, 64);
            assertThat(shapes.get("map_layer1.weight")).containsExactly(128, 128);
            assertThat(shapes.get("map_label.weight")).containsExactly(128, 10);
            assertThat(shapes).doesNotContainKeys("map_label.bias", "map_augment.weight", "enc.8x8_down.skip.weight");
            assertThat(shapes.get("enc.16x16_conv.weight")).containsExactly(64, 3, 3, 3);
            assertThat(shapes.get("enc.8x8_down.affine.weight")).containsExactly(128, 128);
            assertThat(shapes.get("enc.8x8_block0.qkv.weight")).containsExactly(384, 128, 1, 1);
            assertThat(shapes.get("dec.8x8_in0.proj.weight")).containsExactly(128, 128, 1, 1);
            assertThat(shapes.get("dec.16x16_block0.skip.weight")).containsExactly(64, 192, 1, 1);
            assertThat(shapes.get("out_norm.weight")).containsExactly(64);
            assertThat(shapes.get("out_conv.weight")).containsExactly(3, 64, 3, 3);
            assertThat(net.tensors()).allMatch(Network.TensorInfo::isParameter);
        }
    }

    private static java.util.Map<String, long[]> shapes(Network net) {
        var m = new java.util.TreeMap<String, long[]>();
        for (Network.TensorInfo t : net.tensors()) {
            m.put(t.name(), t.shape());
        }
        return m;
    }

    @Test
    void newArchitecturesMapShapesAndDependOnTheClassLabel() {
        for (NetworkConfig c : List.of(
                SongUNetConfig.tiny(16, 3).withLabelDim(4).asNcsnpp(),
                SongUNetConfig.tiny(16, 3)
                        .withLabelDim(4)
                        .withEncoderType("skip")
                        .withDecoderType("skip"),
                DhariwalUNetConfig.tiny(16, 3, 4))) {
            try (Network net = c.build(Device.CPU)) {
                net.setTraining(false);
                randomizeZeroInitLayers(net);
                try (Tensor x = Tensor.of(ramp(2 * 3 * 16 * 16), new long[] {2, 3, 16, 16}, Device.CPU);
                        Tensor a = oneHot(new int[] {0, 1}, 4);
                        Tensor b = oneHot(new int[] {2, 1}, 4);
                        Tensor ya = net.forward(x, new double[] {0.3, -1.2}, a, false);
                        Tensor yb = net.forward(x, new double[] {0.3, -1.2}, b, false)) {
                    assertThat(ya.shape()).as(c.toString()).containsExactly(2, 3, 16, 16);
                    float[] fa = ya.toFloatArray(), fb = yb.toFloatArray();
                    int half = fa.length / 2;
                    // sample 0 changed its class: its output changes; sample 1 kept class 1: bit-identical
                    double d0 = 0, d1 = 0;
                    for (int i = 0; i < half; i++) {
                        d0 = Math.max(d0, Math.abs(fa[i] - fb[i]));
                        d1 = Math.max(d1, Math.abs(fa[half + i] - fb[half + i]));
                    }
                    assertThat(d0).as(c.kind()).isGreaterThan(1e-3);
                    assertThat(d1).as(c.kind()).isZero();
                }
                assertThatThrownBy(() -> {
                            try (Tensor x = Tensor.zeros(new long[] {1, 3, 16, 16}, DType.FLOAT32, Device.CPU)) {
                                net.forward(x, new double[] {0}, null, false).close();
                            }
                        })
                        .hasMessageContaining("class_labels are required");
            }
        }
    }

    @Test
    void labelDropoutZeroesWholeLabelsInTrainingModeOnly() {
        // p = 0.999: in training mode (network dropout 0) each row's label is zeroed with
        // probability 0.999, so with this seed every row of 2 is (0.998 chance): F(x; 0-label).
        for (NetworkConfig c : List.of(
                SongUNetConfig.tiny(16, 3).withLabelDim(4).withLabelDropout(0.999),
                DhariwalUNetConfig.tiny(16, 3, 4).withLabelDropout(0.999))) {
            try (Network net = c.build(Device.CPU)) {
                randomizeZeroInitLayers(net);
                try (Tensor x = Tensor.of(ramp(2 * 3 * 16 * 16), new long[] {2, 3, 16, 16}, Device.CPU);
                        Tensor labels = oneHot(new int[] {1, 3}, 4);
                        Tensor none = Tensor.zeros(new long[] {2, 4}, DType.FLOAT32, Device.CPU)) {
                    net.setTraining(false);
                    float[] conditional = forward(net, x, labels);
                    float[] unconditional = forward(net, x, none);
                    net.setTraining(true);
                    Network.manualSeed(7);
                    float[] dropped = forward(net, x, labels);
                    assertThat(maxAbsDifference(dropped, unconditional))
                            .as(c.kind())
                            .isZero();
                    assertThat(maxAbsDifference(dropped, conditional))
                            .as(c.kind())
                            .isGreaterThan(1e-3);
                }
            }
        }
    }

    private static float[] forward(Network net, Tensor x, Tensor labels) {
        try (Tensor y = net.forward(x, new double[] {0.5, -0.5}, labels, false)) {
            return y.toFloatArray();
        }
    }

    /**
     * EDM zero-initialises the last convolution of every residual branch, the attention projection
     * and the output convolution (ADM exactly, SongUNet ×1e−5), so that a fresh network ignores
     * its embedding: give them weights of scale 1/√fan_in.
     */
    static void randomizeZeroInitLayers(Network net) {
        for (Network.TensorInfo t : net.tensors()) {
            String name = t.name();
            if (name.endsWith("conv1.weight")
                    || name.endsWith("proj.weight")
                    || name.endsWith("out_conv.weight")
                    || name.endsWith("aux_conv.weight")) {
                int n = (int) java.util.Arrays.stream(t.shape()).reduce(1, (p, q) -> p * q);
                double scale = 1 / Math.sqrt((double) n / t.shape()[0]);
                float[] w = new float[n];
                for (int i = 0; i < n; i++) {
                    w[i] = (float) (Math.sin(1.7 * i) * scale);
                }
                try (Tensor v = Tensor.of(w, t.shape(), Device.CPU)) {
                    net.set(name, v);
                }
            }
        }
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.cos(0.37 * i);
        }
        return v;
    }

    private static Tensor oneHot(int[] classes, int dim) {
        float[] v = new float[classes.length * dim];
        for (int i = 0; i < classes.length; i++) {
            v[i * dim + classes[i]] = 1;
        }
        return Tensor.of(v, new long[] {classes.length, dim}, Device.CPU);
    }

    @Test
    void float64NetworksComputeTheSameFunctionAsFloat32() {
        // Same init_seed → the same float32 draws (cast to float64 after initialisation); the FIR
        // filter and attention then run in float64. |F| ≈ 1: float32 rounding ≈ 1e−6 over ~20 layers.
        for (NetworkConfig c : List.of(
                SongUNetConfig.tiny(16, 3)
                        .withLabelDim(4)
                        .withAttnResolutions(8)
                        .asNcsnpp(),
                DhariwalUNetConfig.tiny(16, 3, 4))) {
            try (Network single = c.build(Device.CPU);
                    Network dbl = c.withDType("float64").build(Device.CPU);
                    Tensor x = Tensor.of(ramp(2 * 3 * 16 * 16), new long[] {2, 3, 16, 16}, Device.CPU);
                    Tensor labels = oneHot(new int[] {0, 3}, 4)) {
                randomizeZeroInitLayers(single);
                randomizeZeroInitLayers(dbl);
                single.setTraining(false);
                dbl.setTraining(false);
                assertThat(c.labelDim()).isEqualTo(4);
                float[] a = forward(single, x, labels);
                float[] b = forward(dbl, x, labels);
                assertThat(maxAbsDifference(a, b)).as(c.kind()).isLessThan(1e-4).isGreaterThan(0);
            }
        }
    }

    @Test
    void inputGradientsOfTheNewArchitecturesMatchCentralDifferences() {
        // d Σ F / dx_i by back-propagation against (Σ F(x + h e_i) − Σ F(x − h e_i)) / 2h in
        // float64, h = 1e−4: truncation O(h²·|∂³F|) ≈ 1e−8, rounding ≈ 1e−16 · |Σ F| / h ≈ 1e−9.
        // Covers the FIR (transposed) convolutions, the residual input pyramid and multi-head attention.
        for (NetworkConfig c : List.of(
                SongUNetConfig.tiny(16, 3)
                        .withLabelDim(4)
                        .withAttnResolutions(8)
                        .asNcsnpp(),
                DhariwalUNetConfig.tiny(16, 3, 4))) {
            try (Network net = c.withDType("float64").build(Device.CPU);
                    Tensor labels = oneHot(new int[] {2}, 4)) {
                randomizeZeroInitLayers(net);
                net.setTraining(false);
                double[] x0 = new double[3 * 16 * 16];
                for (int i = 0; i < x0.length; i++) {
                    x0[i] = Math.cos(0.37 * i);
                }
                long[] shape = {1, 3, 16, 16};
                double[] gradient;
                try (Tensor x = Tensor.of(x0, shape, Device.CPU);
                        Tensor y = net.forward(x, new double[] {0.7}, labels, true);
                        Tensor ones = Tensor.of(filled(x0.length, 1.0), shape, Device.CPU);
                        Tensor g = net.backwardToInput(ones)) {
                    assertThat(y.shape()).containsExactly(shape);
                    gradient = g.toDoubleArray();
                }
                double h = 1e-4;
                for (int i : new int[] {0, 17, 300, 511, 767}) {
                    double[] plus = x0.clone(), minus = x0.clone();
                    plus[i] += h;
                    minus[i] -= h;
                    double difference = (sumOf(net, plus, shape, labels) - sumOf(net, minus, shape, labels)) / (2 * h);
                    assertThat(gradient[i]).as(c.kind() + " x[" + i + "]").isCloseTo(difference, within(1e-6));
                }
                assertThat(java.util.Arrays.stream(gradient)
                                .map(Math::abs)
                                .max()
                                .orElse(0))
                        .isGreaterThan(1e-3);
            }
        }
    }

    private static double sumOf(Network net, double[] x, long[] shape, Tensor labels) {
        try (Tensor t = Tensor.of(x, shape, Device.CPU);
                Tensor y = net.forward(t, new double[] {0.7}, labels, false)) {
            return java.util.Arrays.stream(y.toDoubleArray()).sum();
        }
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void newConfigKeysAreValidatedOnBothSides() {
        assertThatThrownBy(() -> SongUNetConfig.tiny(8, 1).withEncoderType("fancy"))
                .hasMessageContaining("encoderType must be standard, skip or residual");
        assertThatThrownBy(() -> SongUNetConfig.tiny(8, 1).withDecoderType("residual"))
                .hasMessageContaining("decoderType must be standard or skip");
        assertThatThrownBy(() -> SongUNetConfig.tiny(8, 1).withResampleFilter(1, 2, 1))
                .hasMessageContaining("resampleFilter must have an even number");
        assertThatThrownBy(() -> SongUNetConfig.tiny(8, 1).withLabelDropout(1.0))
                .hasMessageContaining("labelDropout must be in [0, 1)");
        assertThatThrownBy(() -> DhariwalUNetConfig.tiny(8, 1, 0).withLabelDropout(-0.1))
                .hasMessageContaining("labelDropout must be in [0, 1)");
        String unet = SongUNetConfig.tiny(8, 1).toJson();
        assertThatThrownBy(() -> Network.create(
                        unet.replace("\"encoder_type\":\"standard\"", "\"encoder_type\":\"fancy\""), Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("encoder_type must be standard, skip or residual");
        assertThatThrownBy(() -> Network.create(
                        unet.replace("\"decoder_type\":\"standard\"", "\"decoder_type\":\"residual\""), Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("decoder_type must be standard or skip");
        assertThatThrownBy(() -> Network.create(
                        unet.replace("\"resample_filter\":[1,1]", "\"resample_filter\":[1,3,1]"), Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("resample_filter must have an even number");
        assertThatThrownBy(() -> Network.create(unet.replace(",\"label_dropout\":0.0", ""), Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("missing the key \"label_dropout\"");
        String adm = DhariwalUNetConfig.tiny(8, 1, 0).toJson();
        assertThatThrownBy(() -> Network.create(adm.replace("}", ",\"encoder_type\":\"standard\"}"), Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("unknown network config key \"encoder_type\"");
        assertThatThrownBy(() -> NetworkConfig.fromJson(adm.replace(",\"label_dropout\":0.0", "")))
                .hasMessageContaining("missing the key \"label_dropout\"");
    }

    @Test
    void dgTrunkAndDiscriminatorHaveTheReferenceParameterCounts() {
        assertThat(count(AdmEncoderConfig.dgTrunk32())).isEqualTo(46_435_840L);
        // the full 1000-class classifier adds the (unused by DG) attention-pool head: 1,335,272
        assertThat(count(AdmEncoderConfig.dgTrunk32().asClassifier(1000))).isEqualTo(47_771_112L);
        assertThat(count(AdmEncoderConfig.dgDiscriminator())).isEqualTo(2_883_841L);
    }

    @Test
    void parameterNamesFollowTheReferenceModuleTree() {
        try (Network net = SongUNetConfig.ddpmppCifar10().build(Device.CPU)) {
            List<String> names =
                    net.tensors().stream().map(Network.TensorInfo::name).toList();
            assertThat(names)
                    .contains(
                            "map_augment.weight",
                            "map_layer0.weight",
                            "map_layer1.bias",
                            "enc.32x32_conv.weight",
                            "enc.32x32_block0.conv0.weight",
                            "enc.16x16_down.skip.weight",
                            "enc.16x16_block0.qkv.weight",
                            "dec.8x8_in0.proj.weight",
                            "dec.16x16_block4.norm2.weight",
                            "dec.32x32_up.conv0.weight",
                            "dec.32x32_aux_norm.weight",
                            "dec.32x32_aux_conv.bias");
            assertThat(names).doesNotContain("map_augment.bias");
        }
        try (Network net = AdmEncoderConfig.dgDiscriminator().build(Device.CPU)) {
            List<String> names =
                    net.tensors().stream().map(Network.TensorInfo::name).toList();
            assertThat(names)
                    .contains(
                            "time_embed.0.weight",
                            "input_blocks.0.0.weight",
                            "input_blocks.1.0.in_layers.0.weight",
                            "input_blocks.1.1.qkv.weight",
                            "middle_block.1.proj_out.weight",
                            "out.2.positional_embedding",
                            "out.2.c_proj.weight");
        }
    }

    @Test
    void fashionMnistPresetHasTheDocumentedParameterCount() {
        assertThat(count(SongUNetConfig.fashionMnist())).isEqualTo(1_752_993L);
    }

    @Test
    void configsRoundTripThroughJson() {
        for (NetworkConfig c : List.of(
                SongUNetConfig.fashionMnist(),
                SongUNetConfig.tiny(8, 1).withChannelMultNoise(2),
                SongUNetConfig.tiny(8, 1).withDType("float64"),
                SongUNetConfig.ncsnppCifar10().withLabelDim(10).withLabelDropout(0.1),
                DhariwalUNetConfig.imagenet64(),
                DhariwalUNetConfig.tiny(8, 1, 3).withDType("float64"),
                AdmEncoderConfig.dgTrunk32(),
                AdmEncoderConfig.dgTrunk32().asClassifier(10),
                AdmEncoderConfig.dgDiscriminator().withDType("float64"),
                MlpConfig.defaults(),
                MlpConfig.defaults().withDType("float64"),
                new LinearScoreConfig(3, 7, "float64"))) {
            assertThat(NetworkConfig.fromJson(c.toJson())).isEqualTo(c);
        }
    }

    @Test
    void everyKeyTheNativeSideAcceptsIsAKeyOfTheJavaRecord() {
        // The native layer resolves exactly the keys it read; the Java record must write the same set.
        for (NetworkConfig c : List.of(
                SongUNetConfig.tiny(8, 1),
                SongUNetConfig.tiny(8, 1).asNcsnpp().withLabelDim(3).withLabelDropout(0.2),
                DhariwalUNetConfig.tiny(8, 1, 3),
                AdmEncoderConfig.dgDiscriminator(),
                AdmEncoderConfig.dgTrunk32(),
                MlpConfig.defaults(),
                new LinearScoreConfig(4, 1, "float32"))) {
            try (Network net = c.build(Device.CPU)) {
                var nativeKeys = new java.util.TreeSet<String>();
                NetworkConfig.JSON.readTree(net.config()).fieldNames().forEachRemaining(nativeKeys::add);
                var javaKeys = new java.util.TreeSet<String>();
                NetworkConfig.JSON.readTree(c.toJson()).fieldNames().forEachRemaining(javaKeys::add);
                assertThat(javaKeys).as(c.kind()).isEqualTo(nativeKeys);
                assertThat(NetworkConfig.fromJson(net.config())).isEqualTo(c);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void float64NetworksAreReachableFromConfigJson() {
        String json = SongUNetConfig.tiny(8, 1).toJson().replace("\"float32\"", "\"float64\"");
        NetworkConfig c = NetworkConfig.fromJson(json);
        assertThat(((SongUNetConfig) c).dtype()).isEqualTo("float64");
        try (Network net = c.build(Device.CPU)) {
            assertThat(net.config()).contains("\"dtype\":\"float64\"");
        }
    }

    @Test
    void configsWrittenBeforeDtypeAndChannelMultNoiseGetTheirDefaults() {
        String old = "{\"kind\":\"unet\",\"img_resolution\":8,\"in_channels\":1,\"out_channels\":1,"
                + "\"model_channels\":8,\"channel_mult\":[1,2],\"channel_mult_emb\":2,\"num_blocks\":1,"
                + "\"attn_resolutions\":[],\"dropout\":0.0,\"label_dim\":0,\"augment_dim\":0,"
                + "\"embedding_type\":\"positional\",\"init_seed\":0}";
        assertThat(NetworkConfig.fromJson(old)).isEqualTo(SongUNetConfig.tiny(8, 1));
        String oldEncoder = AdmEncoderConfig.dgTrunk32()
                .toJson()
                .replace(",\"pool\":\"none\"", "")
                .replace(",\"dtype\":\"float32\"", "");
        assertThat(oldEncoder).doesNotContain("pool").doesNotContain("dtype");
        assertThat(NetworkConfig.fromJson(oldEncoder)).isEqualTo(AdmEncoderConfig.dgTrunk32());
    }

    @Test
    void javaConfigErrorsNameTheKeyAndListTheValidOnes() {
        String typo = SongUNetConfig.tiny(8, 1).toJson().replace("\"channel_mult\"", "\"chanel_mult\"");
        assertThatThrownBy(() -> NetworkConfig.fromJson(typo))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key \"chanel_mult\"")
                .hasMessageContaining("valid keys:")
                .hasMessageContaining("channel_mult_noise")
                .hasMessageContaining("dtype");
        String missing = MlpConfig.defaults().toJson().replace("\"hidden\":128,", "");
        assertThatThrownBy(() -> NetworkConfig.fromJson(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing the key \"hidden\"")
                .hasMessageContaining("valid keys:");
        String badDType = MlpConfig.defaults().toJson().replace("float32", "float16");
        assertThatThrownBy(() -> NetworkConfig.fromJson(badDType))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dtype must be float32 or float64");
    }

    @Test
    void mlpNoiseEmbeddingNarrowerThanFourOrOddIsRejectedOnBothSides() {
        // EDM's positional embedding divides by noise_channels/2 - 1: 2 channels gave NaN outputs
        for (int bad : new int[] {2, 3, 5}) {
            assertThatThrownBy(() -> new MlpConfig(2, 8, 1, bad, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("noise_channels must be even and >= 4, got " + bad);
            String json =
                    new MlpConfig(2, 8, 1, 4, 0).toJson().replace("\"noise_channels\":4", "\"noise_channels\":" + bad);
            assertThatThrownBy(() -> Network.create(json, Device.CPU))
                    .hasMessageContaining("noise_channels must be even and >= 4, got " + bad);
        }
    }

    @Test
    void nativeConfigRequiresEveryKeyAndRejectsUnknownOnes() {
        String full = MlpConfig.defaults().toJson();
        assertThatThrownBy(() -> Network.create(full.replace("\"hidden\":128,", ""), Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("missing the key \"hidden\"");
        assertThatThrownBy(() -> Network.create(full.replace("}", ",\"chanel_mult\":[1]}"), Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("chanel_mult")
                .hasMessageContaining("valid keys");
        assertThatThrownBy(() -> Network.create(full.replace("\"hidden\":128", "\"hidden\":128.5"), Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("\"hidden\" must be an integer");
        assertThatThrownBy(() -> Network.create("{\"kind\":", Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("not valid JSON");
    }
}
