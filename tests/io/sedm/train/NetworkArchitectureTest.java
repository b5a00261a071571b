package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.runtime.Device;
import io.sedm.runtime.NativeInvalidArgumentException;
import io.sedm.runtime.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parameter counts against ALGORITHMS.md §2.1/§7.4/§15.4 (exact: they follow from the constructors). */
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
            List<String> names = net.tensors().stream().map(Network.TensorInfo::name).toList();
            assertThat(names).contains("map_augment.weight", "map_layer0.weight", "map_layer1.bias",
                    "enc.32x32_conv.weight", "enc.32x32_block0.conv0.weight", "enc.16x16_down.skip.weight",
                    "enc.16x16_block0.qkv.weight", "dec.8x8_in0.proj.weight", "dec.16x16_block4.norm2.weight",
                    "dec.32x32_up.conv0.weight", "dec.32x32_aux_norm.weight", "dec.32x32_aux_conv.bias");
            assertThat(names).doesNotContain("map_augment.bias");
        }
        try (Network net = AdmEncoderConfig.dgDiscriminator().build(Device.CPU)) {
            List<String> names = net.tensors().stream().map(Network.TensorInfo::name).toList();
            assertThat(names).contains("time_embed.0.weight", "input_blocks.0.0.weight",
                    "input_blocks.1.0.in_layers.0.weight", "input_blocks.1.1.qkv.weight",
                    "middle_block.1.proj_out.weight", "out.2.positional_embedding", "out.2.c_proj.weight");
        }
    }

    @Test
    void configsRoundTripThroughJsonAndUnknownKeysAreRejected() {
        for (NetworkConfig c : List.of(SongUNetConfig.fashionMnist(), AdmEncoderConfig.dgTrunk32(),
                AdmEncoderConfig.dgDiscriminator(), MlpConfig.defaults())) {
            assertThat(NetworkConfig.fromJson(c.toJson())).isEqualTo(c);
        }
        assertThatThrownBy(() -> Network.create("{\"kind\":\"unet\",\"img_resolution\":8,\"chanel_mult\":[1]}", Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class).hasMessageContaining("chanel_mult");
    }
}
