package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sedm.data.Npy;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sedm's networks against NVlabs/edm's own training/networks.py. scripts/fixtures/edm_nets.py
 * builds small SongUNet (DDPM++ conditional, NCSN++ residual, NCSN++ skip/skip conditional) and
 * DhariwalUNet (conditional, two heads) networks with EDM's classes, sets every tensor by a closed
 * formula of its name and index ({@link #formulaTensor}; EDM zero-initialises some layers, which
 * would hide them), and records F(x; c_noise, labels) at σ = 0.002, 1, 80 (c_in and c_noise of
 * the VP, VE and EDM preconditioners) in eval mode. Those inputs and outputs are committed
 * (tests-resources/io/sedm/train/edm-nets, made by {@code edm_nets.py --edm-src DIR --out
 * tests-resources/io/sedm/train/edm-nets --no-weights}), so the comparison runs without EDM or
 * Python: sedm sets the same formula weights by EDM's tensor names and must agree to ≤ 1e−5 max
 * abs in float32. The bound: both sides run the same float32 operations in the same order up to
 * the summation order inside convolutions and matrix products (≈ 1e−7 relative per operation over
 * ~40 layers with |F| ≈ 1–2). Measured: 0 (bit for bit) on the machine that made the fixtures,
 * whose python3-torch and libtorch are the same Debian 1.13 build, since sedm runs EDM's operations in
 * EDM's order; the tolerance is for other CPUs, whose kernels may sum in another order.
 *
 * <p>With a checkout of NVlabs/edm ({@code -Dsedm.edm.src=DIR} or {@code SEDM_EDM_SRC}) and a
 * python3 with torch ({@code -Dsedm.python=...}, default {@code /usr/bin/python3} then
 * {@code python3}) the fixtures are also made afresh and EDM's state dict itself is loaded (strict:
 * every name and shape must map 1:1, EDM's resample_filter buffers excepted).
 */
class EdmNetworkParityTest {

    private static final double TOLERANCE = 1e-5;

    @TempDir
    static Path fixtures;

    private static String skipReason;

    @BeforeAll
    static void makeFixtures() throws IOException, InterruptedException {
        String src = System.getProperty("sedm.edm.src", System.getenv("SEDM_EDM_SRC"));
        if (src == null || src.isBlank()) {
            skipReason = "no NVlabs/edm checkout: pass -Dsedm.edm.src=DIR or set SEDM_EDM_SRC";
            return;
        }
        if (!Files.isRegularFile(Path.of(src, "training", "networks.py"))) {
            skipReason = "sedm.edm.src " + src + " holds no training/networks.py";
            return;
        }
        String python = python();
        if (python == null) {
            skipReason = "no python3 with torch (Debian: python3-torch), or pass -Dsedm.python=...";
            return;
        }
        Path script = Path.of("scripts", "fixtures", "edm_nets.py").toAbsolutePath();
        Process p = new ProcessBuilder(python, script.toString(), "--edm-src", src, "--out", fixtures.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("edm_nets.py failed:\n" + log).isZero();
    }

    /** A python that imports torch: -Dsedm.python, else sedm's own lookup (PythonScript.torchPython). */
    private static String python() {
        return io.sedm.imports.PythonScript.torchPythonOrNull(System.getProperty("sedm.python"));
    }

    /** The sedm config of each case of edm_nets.py (the same architecture, EDM's keyword arguments). */
    static NetworkConfig config(String name) {
        SongUNetConfig song =
                new SongUNetConfig(16, 3, 3, 32, new int[] {1, 2}, 2, 1, new int[] {8}, 0.1, 10, 9, "positional", 0);
        return switch (name) {
            case "ddpmpp-cond" -> song;
            case "ncsnpp" -> song.withChannelMult(1, 2, 2).withLabelDim(0).asNcsnpp();
            case "ncsnpp-skip" ->
                song.withChannelMult(1, 2, 2)
                        .withAugmentDim(0)
                        .asNcsnpp()
                        .withEncoderType("skip")
                        .withDecoderType("skip");
            case "adm-cond" ->
                DhariwalUNetConfig.tiny(16, 3, 10).withAugmentDim(9).withDropout(0.1);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddpmpp-cond", "ncsnpp", "ncsnpp-skip", "adm-cond"})
    void sedmAgreesWithTheCommittedOfficialOutputs(String name) throws java.net.URISyntaxException {
        var url = EdmNetworkParityTest.class.getResource("/io/sedm/train/edm-nets/" + name + "/out.npy");
        assertThat(url).as("committed fixture for " + name).isNotNull();
        Path dir = Path.of(url.toURI()).getParent();
        try (Network net = config(name).build(Device.CPU)) {
            for (Network.TensorInfo t : net.tensors()) {
                try (Tensor v = Tensor.of(formulaTensor(t.name(), t.shape()), t.shape(), Device.CPU)) {
                    net.set(t.name(), v);
                }
            }
            compare(name + " (committed)", net, dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddpmpp-cond", "ncsnpp", "ncsnpp-skip", "adm-cond"})
    void sedmLoadsAndAgreesWithTheOfficialNetwork(String name) {
        assumeTrue(skipReason == null, skipReason);
        Path dir = fixtures.resolve(name);
        try (Network net = config(name).build(Device.CPU)) {
            net.load(dir.resolve("weights.safetensors"), true);
            compare(name + " (EDM)", net, dir);
        }
    }

    /**
     * edm_nets.py's formula_tensor: z_i = sin(0.7·i + φ), φ = 0.01·Σ code points of the name, in
     * double, then float: map_noise.freqs 16·z; output convolutions (out_conv, *aux_conv) 0.2·z/√fan_in
     * (|F| of order 1); other matrices and kernels z/√fan_in; norm weights 1 + 0.1·z; other
     * vectors 0.1·z.
     */
    static float[] formulaTensor(String name, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double phi = name.chars().sum() * 0.01;
        double r = shape.length >= 2 ? Math.sqrt((double) (n / shape[0])) : 1;
        boolean output = name.endsWith("out_conv.weight") || name.endsWith("aux_conv.weight");
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            double z = StrictMath.sin(0.7 * i + phi);
            double w;
            if (name.endsWith("map_noise.freqs")) {
                w = 16 * z;
            } else if (output) {
                w = 0.2 * z / r;
            } else if (shape.length >= 2) {
                w = z / r;
            } else if (name.contains("norm") && name.endsWith(".weight")) {
                w = 1 + 0.1 * z;
            } else {
                w = 0.1 * z;
            }
            v[i] = (float) w;
        }
        return v;
    }

    private static void compare(String what, Network net, Path dir) {
        net.setTraining(false);
        Npy.Array expected = Npy.read(dir.resolve("out.npy"));
        try (Tensor x = tensor(dir.resolve("x.npy"));
                Tensor noise = tensor(dir.resolve("noise_labels.npy"));
                Tensor labels = tensorIfPresent(dir.resolve("class_labels.npy"));
                Tensor augment = tensorIfPresent(dir.resolve("augment_labels.npy"));
                Tensor out = net.forward(x, noise, labels, augment, false)) {
            assertThat(out.shape()).containsExactly(expected.shape());
            double[] got = out.toDoubleArray();
            double[] want = expected.toDoubles();
            double maxAbs = 0, maxOut = 0;
            for (int i = 0; i < got.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
                maxOut = Math.max(maxOut, Math.abs(want[i]));
            }
            System.out.printf(
                    "%s: max |sedm - edm| = %.3g over %d values (max |F| %.3g)%n", what, maxAbs, got.length, maxOut);
            assertThat(maxOut).as(what + ": a non-trivial output").isGreaterThan(0.1);
            assertThat(maxAbs).as(what).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    private static Tensor tensor(Path npy) {
        Npy.Array a = Npy.read(npy);
        double[] v = a.toDoubles();
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensor.of(f, a.shape(), Device.CPU);
    }

    private static Tensor tensorIfPresent(Path npy) {
        return Files.exists(npy) ? tensor(npy) : null;
    }
}
