package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import io.sedm.runtime.NativeInvalidArgumentException;
import io.sedm.runtime.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GaussianMixtureDenoiserTest {
    private static final GaussianMixture A = Fixtures.mixtureA();

    private static double[] points(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[2 * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = 3 * (rng.nextDouble() - 0.5);
        }
        return x;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.002, 0.05, 0.3, 1.0, 7.5, 80.0})
    void nativeDenoiserMatchesTheClosedFormInFloat64(double sigma) {
        double[] x = points(64, 3);
        double[] s = new double[64];
        java.util.Arrays.fill(s, sigma);
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(A, Device.CPU);
                Tensor t = Tensor.of(x, new long[] {64, 2}, Device.CPU);
                Tensor out = d.denoise(t, s)) {
            // both sides are float64 log-sum-exp of the same terms: agreement to a few ulp of O(1) values
            assertThat(Fixtures.maxAbsDiff(out.toDoubleArray(), A.denoiseBatch(x, s)))
                    .isLessThan(1e-13);
            double[] lp = d.density().logProb(t, s);
            for (int b = 0; b < 64; b++) {
                assertThat(lp[b]).isCloseTo(A.logProb(x, 2 * b, sigma), within(1e-12));
            }
        }
    }

    @Test
    void perSampleSigmaAndImageShapedInputAreHonoured() {
        GaussianMixture g = new GaussianMixture(
                new double[] {1, 3}, new double[][] {new double[12], filled(12, 0.5)}, new double[] {0.25, 0.01});
        double[] x = points(18, 5); // 3 samples × [3, 2, 2] = 12 values each
        double[] s = {0.1, 1.0, 10.0};
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(g, Device.CPU);
                Tensor t = Tensor.of(x, new long[] {3, 3, 2, 2}, Device.CPU);
                Tensor f32 = t.to(Device.CPU, DType.FLOAT32);
                Tensor out = Tensor.empty(new long[] {3, 3, 2, 2}, DType.FLOAT32, Device.CPU)) {
            d.denoise(t, s, out);
            double[] expected = g.denoiseBatch(x, s);
            double[] got = out.toDoubleArray();
            // float32 output: rounding of O(1) values
            assertThat(Fixtures.maxAbsDiff(got, expected)).isLessThan(1e-6);
            try (Tensor fromF32 = d.denoise(f32, s)) {
                assertThat(fromF32.dtype()).isEqualTo(DType.FLOAT32);
            }
        }
    }

    @Test
    void oracleGradientIsTheDifferenceOfDenoisersOverSigmaSquaredAndMatchesFiniteDifferences() {
        double[] x = points(8, 7);
        double sigma = 0.4;
        double[] s = filled(8, sigma);
        GaussianMixture b = Fixtures.mixtureB();
        try (GaussianMixtureDensity pa = Fixtures.toNative(A, Device.CPU);
                GaussianMixtureDensity pb = Fixtures.toNative(b, Device.CPU);
                Tensor t = Tensor.of(x, new long[] {8, 2}, Device.CPU);
                Tensor g = t.emptyLike()) {
            double[] logit = pa.logRatio(pb, t, s, g);
            double[] grad = g.toDoubleArray();
            double eps = 1e-6;
            for (int i = 0; i < 8; i++) {
                assertThat(logit[i]).isCloseTo(A.logProb(x, 2 * i, sigma) - b.logProb(x, 2 * i, sigma), within(1e-12));
                for (int j = 0; j < 2; j++) {
                    double[] xp = x.clone();
                    double[] xm = x.clone();
                    xp[2 * i + j] += eps;
                    xm[2 * i + j] -= eps;
                    double fd = ((A.logProb(xp, 2 * i, sigma) - b.logProb(xp, 2 * i, sigma))
                                    - (A.logProb(xm, 2 * i, sigma) - b.logProb(xm, 2 * i, sigma)))
                            / (2 * eps);
                    // central difference: O(eps²) truncation + O(1e-16/eps) rounding
                    assertThat(grad[2 * i + j]).isCloseTo(fd, within(1e-8));
                }
            }
        }
    }

    @Test
    void readsTheJsonDescription(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gmm.json");
        Files.writeString(
                file,
                "{\"weights\": [0.5, 0.3, 0.2], \"means\": [[-1, 0.5], [1.2, -0.3], [0.2, 1.4]],"
                        + " \"variances\": [0.05, 0.1, 0.02]}");
        double[] x = points(4, 9);
        double[] s = filled(4, 0.7);
        try (GaussianMixtureDenoiser d = GaussianMixtureDenoiser.fromJson(file, Device.CPU);
                Tensor t = Tensor.of(x, new long[] {4, 2}, Device.CPU);
                Tensor out = d.denoise(t, s)) {
            assertThat(d.dim()).isEqualTo(2);
            assertThat(Fixtures.maxAbsDiff(out.toDoubleArray(), A.denoiseBatch(x, s)))
                    .isLessThan(1e-13);
        }
    }

    @Test
    void badArgumentsAreReportedWithTheirName() {
        assertThatThrownBy(() -> GaussianMixtureDensity.create(
                        new double[] {-1}, new double[][] {{0}}, new double[] {1}, Device.CPU))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessageContaining("weights[0]");
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(A, Device.CPU);
                Tensor t = Tensor.zeros(new long[] {2, 3}, DType.FLOAT64, Device.CPU)) {
            assertThatThrownBy(() -> d.denoise(t, new double[] {1, 1}))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("dim 2");
        }
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(A, Device.CPU);
                Tensor t = Tensor.zeros(new long[] {2, 2}, DType.FLOAT64, Device.CPU)) {
            assertThatThrownBy(() -> d.denoise(t, new double[] {1}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sigma");
            assertThatThrownBy(() -> d.denoise(t, new double[] {1, -1}))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("sigma[1]");
        }
    }

    @Test
    void thousandsOfCreateCloseCyclesLeakNoHandle() {
        long before = io.sedm.runtime.NativeRuntime.liveHandles();
        for (int i = 0; i < 2000; i++) {
            Fixtures.denoiser(A, Device.CPU).close();
        }
        assertThat(io.sedm.runtime.NativeRuntime.liveHandles()).isEqualTo(before);
    }

    static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
