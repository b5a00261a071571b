package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("cuda")
class NetworkCudaTest {
    @TempDir
    Path dir;

    /** DDPM++, NCSN++ (FIR resampling, residual encoder) and ADM (the EDM ImageNet architecture). */
    static java.util.stream.Stream<NetworkConfig> configs() {
        return java.util.stream.Stream.of(
                SongUNetConfig.tiny(16, 1).withAttnResolutions(8).withInitSeed(4),
                SongUNetConfig.tiny(16, 1).withAttnResolutions(8).asNcsnpp().withInitSeed(4),
                DhariwalUNetConfig.tiny(16, 1, 0).withInitSeed(4));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void cudaForwardMatchesTheCpuWithTheSameWeights(NetworkConfig cfg) {
        Assumptions.assumeTrue(Device.cudaDeviceCount() > 0, "no CUDA device");
        try (Network cpu = cfg.build(Device.CPU);
                Network gpu = cfg.build(Device.cuda(0))) {
            NetworkArchitectureTest.randomizeZeroInitLayers(cpu);
            cpu.save(dir.resolve("w.safetensors"), null);
            gpu.load(dir.resolve("w.safetensors"), true);
            cpu.setTraining(false);
            gpu.setTraining(false);
            try (Tensor x = Tensor.zeros(new long[] {4, 1, 16, 16}, DType.FLOAT32, Device.CPU);
                    Generator g = Generator.ofSeedRange(0, 4)) {
                g.normal(x);
                double[] noise = {-1, 0, 0.5, 1};
                try (Tensor a = cpu.forward(x, noise, null, false);
                        Tensor xg = x.to(Device.cuda(0), DType.FLOAT32);
                        Tensor b = gpu.forward(xg, noise, null, false)) {
                    float[] fa = a.toFloatArray(), fb = b.toFloatArray();
                    for (int i = 0; i < fa.length; i++) {
                        // cuDNN vs CPU convolution order: float32 rounding differences only (TF32 off by default in
                        // libtorch conv? allow 1e-3)
                        assertThat((double) fb[i])
                                .isCloseTo(fa[i], org.assertj.core.data.Offset.offset(1e-3 + 1e-3 * Math.abs(fa[i])));
                    }
                }
            }
        }
    }
}
