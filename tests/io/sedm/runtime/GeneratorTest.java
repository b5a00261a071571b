package io.sedm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GeneratorTest {
    private static final long[] SAMPLE_SHAPE = {1, 5, 7}; // odd size: the last Philox block is half used

    private static float[][] drawRows(long[] seeds, DType dtype, int draws) {
        long[] shape = {seeds.length, SAMPLE_SHAPE[0], SAMPLE_SHAPE[1], SAMPLE_SHAPE[2]};
        int per = (int) (Shapes.numel(shape) / seeds.length);
        float[][] rows = new float[seeds.length][per * draws];
        try (Generator g = Generator.ofSeeds(seeds);
                Tensor t = Tensor.empty(shape, dtype, Device.CPU)) {
            for (int d = 0; d < draws; d++) {
                g.normal(t);
                float[] all = t.toFloatArray();
                for (int b = 0; b < seeds.length; b++) {
                    System.arraycopy(all, b * per, rows[b], d * per, per);
                }
            }
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(
            value = DType.class,
            names = {"FLOAT32", "FLOAT64"})
    void sampleDependsOnlyOnItsSeedWhateverTheBatchSize(DType dtype) {
        long[] seeds64 = new long[64];
        for (int i = 0; i < 64; i++) {
            seeds64[i] = 1000 + 37L * i;
        }
        float[][] batch64 = drawRows(seeds64, dtype, 3);
        float[][] batch7 = drawRows(Arrays.copyOfRange(seeds64, 20, 27), dtype, 3);
        for (int i = 0; i < 7; i++) {
            assertThat(batch7[i]).as("sample %d of 7", i).containsExactly(batch64[20 + i]);
        }
        for (int i : new int[] {0, 13, 63}) {
            float[][] alone = drawRows(new long[] {seeds64[i]}, dtype, 3);
            assertThat(alone[0]).as("sample %d alone", i).containsExactly(batch64[i]);
        }
    }

    @Test
    void drawsEqualTheIndependentJavaPhilox() {
        long[] seeds = {0, 1, 0xDEADBEEFCAFEL, -5};
        long offset = 12345;
        try (Generator g = Generator.ofSeeds(seeds, offset);
                Tensor n = Tensor.empty(new long[] {4, 9}, DType.FLOAT64, Device.CPU);
                Tensor u = Tensor.empty(new long[] {4, 9}, DType.FLOAT64, Device.CPU)) {
            g.normal(n);
            assertThat(g.offset()).isEqualTo(offset + 5); // 9 draws = 5 two-draw Philox blocks
            g.uniform(u);
            double[] nv = n.toDoubleArray();
            double[] uv = u.toDoubleArray();
            for (int b = 0; b < 4; b++) {
                for (int k = 0; k < 9; k++) {
                    // uniform: integer arithmetic then exact scaling, so bitwise equal
                    assertThat(uv[b * 9 + k]).isEqualTo(PhiloxReference.uniform(seeds[b], offset + 5, k));
                    // normal: glibc and Java log/sin/cos each err by <= 1 ulp; radius <= 7, so 1e-13 absolute is ample
                    double expect = PhiloxReference.normal(seeds[b], offset, k);
                    assertThat(nv[b * 9 + k]).isCloseTo(expect, within(1e-13));
                }
            }
        }
    }

    @Test
    void normalDrawsHaveUnitMomentsAndUniformDrawsStayInRange() {
        int n = 200_000;
        try (Generator g = Generator.ofSeeds(7, 8);
                Tensor t = Tensor.empty(new long[] {2, n / 2}, DType.FLOAT64, Device.CPU)) {
            g.normal(t);
            double[] v = t.toDoubleArray();
            double mean = Arrays.stream(v).average().orElseThrow();
            double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
            // s.e. of the mean is 1/sqrt(n) = 2.2e-3, of the variance sqrt(2/n) = 3.2e-3: allow 5 s.e.
            assertThat(mean).isCloseTo(0, within(5 / Math.sqrt(n)));
            assertThat(var).isCloseTo(1, within(5 * Math.sqrt(2.0 / n)));
            // Kolmogorov-Smirnov against Φ: the 0.1 % critical value is 1.95/sqrt(n)
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            double ks = 0;
            for (int i = 0; i < n; i++) {
                double cdf = Phi(sorted[i]);
                ks = Math.max(ks, Math.max(Math.abs(cdf - (double) i / n), Math.abs(cdf - (double) (i + 1) / n)));
            }
            assertThat(ks).isLessThan(1.95 / Math.sqrt(n));
            g.uniform(t);
            double[] u = t.toDoubleArray();
            assertThat(Arrays.stream(u).min().orElseThrow()).isGreaterThanOrEqualTo(0);
            assertThat(Arrays.stream(u).max().orElseThrow()).isLessThan(1);
        }
    }

    @Test
    void successiveDrawsDifferAndOffsetReplays() {
        try (Generator g = Generator.ofSeeds(42);
                Tensor a = Tensor.empty(new long[] {1, 16}, DType.FLOAT32, Device.CPU);
                Tensor b = a.emptyLike()) {
            g.normal(a);
            g.normal(b);
            assertThat(a.toFloatArray()).isNotEqualTo(b.toFloatArray());
            g.setOffset(0);
            g.normal(b);
            assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
        }
    }

    /** Standard normal CDF via erfc (Abramowitz-Stegun 7.1.26 is too coarse; use a series). */
    private static double Phi(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    /** Numerical Recipes' erfc coefficients c0 … c9: erfc(z) ≈ t·exp(−z² + c0 + t·(c1 + t·(c2 + …))). */
    private static final double[] ERFC_C = {
        -1.26551223,
        1.00002368,
        0.37409196,
        0.09678418,
        -0.18628806,
        0.27886807,
        -1.13520398,
        1.48851587,
        -0.82215223,
        0.17087277
    };

    /** erfc with relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
    private static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        // Horner, innermost coefficient first: t·(c1 + t·(c2 + … + t·c9))
        double poly = ERFC_C[ERFC_C.length - 1];
        for (int k = ERFC_C.length - 2; k >= 1; k--) {
            poly = ERFC_C[k] + t * poly;
        }
        double r = t * Math.exp(-z * z + ERFC_C[0] + t * poly);
        return x >= 0 ? r : 2 - r;
    }
}
