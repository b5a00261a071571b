package io.sedm.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CUDA kernels against their CPU twins. Skips without a GPU; scripts/gpu-check.sh runs it on a
 * CUDA machine and the printed "GPU-CHECK" lines go into its report.
 */
@Tag("cuda")
class CudaKernelTest {
    private static final Device GPU = Device.cuda(0);

    @BeforeAll
    static void requireGpu() {
        Assumptions.assumeTrue(Device.cudaDeviceCount() > 0, "no CUDA device");
    }

    @Test
    void stepCombineOnCudaEqualsTheCpuTwin() {
        SplittableRandom r = new SplittableRandom(5);
        long[] shape = {64, 3, 32, 32};
        int batch = 64;
        int n = (int) Shapes.numel(shape);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double maxDiff = 0;
            for (int nTerms = 1; nTerms <= 4; nTerms++) {
                double[] coefs = r.doubles(nTerms * batch, -2, 2).toArray();
                Tensor[] cpu = new Tensor[nTerms];
                Tensor[] gpu = new Tensor[nTerms];
                try (Tensor outCpu = Tensor.empty(shape, dtype, Device.CPU);
                        Tensor outGpu = Tensor.empty(shape, dtype, GPU)) {
                    for (int k = 0; k < nTerms; k++) {
                        try (Tensor src = Tensor.of(r.doubles(n, -3, 3).toArray(), shape, Device.CPU)) {
                            cpu[k] = src.to(Device.CPU, dtype);
                            gpu[k] = src.to(GPU, dtype);
                        }
                    }
                    Ops.combine(outCpu, coefs, cpu);
                    Ops.combine(outGpu, coefs, gpu);
                    double[] a = outCpu.toDoubleArray();
                    double[] b = outGpu.toDoubleArray();
                    for (int j = 0; j < n; j++) {
                        maxDiff = Math.max(maxDiff, Math.abs(a[j] - b[j]));
                    }
                } finally {
                    closeAll(cpu);
                    closeAll(gpu);
                }
            }
            System.out.printf("GPU-CHECK step_combine %s max|cuda - cpu| = %.3e%n", dtype, maxDiff);
            // both sides: IEEE double products and sums in the same order, FMA disabled: exact
            assertThat(maxDiff).isZero();
        }
    }

    @Test
    void generatorIsDeterministicAcrossCpuAndCuda() {
        long[] seeds = new long[37];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = 31L * i + 7;
        }
        long[] shape = {37, 3, 17, 5};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Generator gc = Generator.ofSeeds(seeds);
                    Generator gg = Generator.ofSeeds(seeds);
                    Tensor c = Tensor.empty(shape, dtype, Device.CPU);
                    Tensor g = Tensor.empty(shape, dtype, GPU)) {
                double normalDiff = 0;
                double uniformDiff = 0;
                for (int draw = 0; draw < 2; draw++) {
                    gc.normal(c);
                    gg.normal(g);
                    normalDiff = Math.max(normalDiff, maxAbsDiff(c.toDoubleArray(), g.toDoubleArray()));
                    gc.uniform(c);
                    gg.uniform(g);
                    uniformDiff = Math.max(uniformDiff, maxAbsDiff(c.toDoubleArray(), g.toDoubleArray()));
                }
                System.out.printf(
                        "GPU-CHECK generator %s max|cuda - cpu| normal = %.3e, uniform = %.3e%n",
                        dtype, normalDiff, uniformDiff);
                // uniform: integer Philox + exact scaling: bitwise. normal: CUDA's log/sin/cos are
                // within 2 ulp of glibc's; |z| <= 7, so 1e-13 in float64, one float ulp (<= 1e-6) in float32
                assertThat(uniformDiff).isZero();
                assertThat(normalDiff).isLessThanOrEqualTo(dtype == DType.FLOAT64 ? 1e-13 : 1e-6);
            }
        }
    }

    @Test
    void sumOfSquaresOnCudaMatchesTheCpuTwin() {
        double[] data = new SplittableRandom(9).doubles(16 * 3 * 32 * 32, -2, 2).toArray();
        long[] shape = {16, 3, 32, 32};
        try (Tensor c = Tensor.of(data, shape, Device.CPU);
                Tensor g = c.to(GPU, DType.FLOAT64)) {
            double[] a = Ops.sumSquaresPerSample(c);
            double[] b = Ops.sumSquaresPerSample(g);
            double rel = 0;
            for (int i = 0; i < a.length; i++) {
                rel = Math.max(rel, Math.abs(a[i] - b[i]) / a[i]);
            }
            System.out.printf("GPU-CHECK sum_squares max relative |cuda - cpu| = %.3e%n", rel);
            // 3072 positive terms summed in a different order: relative error <= 3072 × 2^-53
            assertThat(rel).isLessThan(1e-12);
        }
    }

    @Test
    void roundTripThroughDeviceMemoryAndDeviceQueries() {
        double[] data = new SplittableRandom(2).doubles(1000).toArray();
        try (Tensor c = Tensor.of(data, new long[] {10, 100}, Device.CPU);
                Tensor g = c.to(GPU, DType.FLOAT64)) {
            assertThat(g.device()).isEqualTo(GPU);
            assertThat(g.toDoubleArray()).containsExactly(data);
            GPU.synchronize();
            assertThat(GPU.memoryStats().allocated()).isGreaterThan(0);
            System.out.println("GPU-CHECK device " + GPU.name() + ", " + GPU.memoryStats());
        }
        assertThat(GPU.memoryStats().deviceTotal()).isGreaterThan(0);
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static void closeAll(Tensor[] ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }
}
