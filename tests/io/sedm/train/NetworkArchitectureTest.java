package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.runtime.Device;
import io.sedm.runtime.NativeInvalidArgumentException;
import io.sedm.runtime.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

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
                AdmEncoderConfig.dgTrunk32(),
                AdmEncoderConfig.dgTrunk32().asClassifier(10),
                AdmEncoderConfig.dgDiscriminator().withDType("float64"),
                MlpConfig.defaults(),
                MlpConfig.defaults().withDType("float64"))) {
            assertThat(NetworkConfig.fromJson(c.toJson())).isEqualTo(c);
        }
    }

    @Test
    void everyKeyTheNativeSideAcceptsIsAKeyOfTheJavaRecord() {
        // The native layer resolves exactly the keys it read; the Java record must write the same set.
        for (NetworkConfig c : List.of(
                SongUNetConfig.tiny(8, 1),
                AdmEncoderConfig.dgDiscriminator(),
                AdmEncoderConfig.dgTrunk32(),
                MlpConfig.defaults())) {
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
