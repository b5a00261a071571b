package io.sedm.eval.toy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MixtureNllTest {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    @Test
    void handComputedCases() {
        double[] w = {1};
        double[][] mu = {{0}};
        double[] v = {1};
        // N(0, 1) at x = 0 and x = 2: −log p = ½ln2π and ½ln2π + 2; mean ½ln2π + 1 ≈ 1.9189;
        // sample std of {0, 2} offsets = √2, so s.e. = √2/√2 = 1.
        Estimate e = MixtureNll.estimate(new double[][] {{0}, {2}}, w, mu, v);
        assertThat(e.value()).isCloseTo(HALF_LOG_2PI + 1, within(1e-12));
        assertThat(e.standardError()).isCloseTo(1, within(1e-12));
        // ½N(−1, 1) + ½N(1, 1) at 0: p = ½φ(1) + ½φ(1) = φ(1), so −log p = ½ln2π + ½.
        double lp = MixtureNll.logDensity(
                new double[] {0}, new double[] {2, 2}, new double[][] {{-1}, {1}}, new double[] {1, 1});
        assertThat(-lp).isCloseTo(HALF_LOG_2PI + 0.5, within(1e-12));
        // 2-D N(0, 4I) at (2, 0): −log p = ln(2π·4) + 4/8.
        double lp2 = MixtureNll.logDensity(new double[] {2, 0}, w, new double[][] {{0, 0}}, new double[] {4});
        assertThat(-lp2).isCloseTo(Math.log(8 * Math.PI) + 0.5, within(1e-12));
        // Log-sum-exp keeps a far point finite (naively both exp(−999²/2) and exp(−1001²/2) underflow to 0):
        // log p = ln ½ − ½ln2π − 999²/2 + ln(1 + e^{−2000}) = ln ½ − ½ln2π − 999²/2 in double precision.
        double far = MixtureNll.logDensity(
                new double[] {1000}, new double[] {1, 1}, new double[][] {{-1}, {1}}, new double[] {1, 1});
        assertThat(far).isCloseTo(Math.log(0.5) - HALF_LOG_2PI - 999.0 * 999 / 2, within(1e-9));
    }

    @Test
    void largeSampleMatchesGaussianEntropy() {
        double variance = 2.5;
        int n = 200_000;
        var rng = new SplittableRandom(71);
        double[][] x = new double[n][1];
        for (double[] row : x) {
            row[0] = 0.3 + Math.sqrt(variance) * rng.nextGaussian();
        }
        Estimate e = MixtureNll.estimate(x, new double[] {1}, new double[][] {{0.3}}, new double[] {variance});
        double entropy = 0.5 * Math.log(2 * Math.PI * Math.E * variance);
        System.out.printf(
                "NLL 1-D Gaussian: %.5f ± %.5f, entropy %.5f (z = %.2f)%n",
                e.value(), e.standardError(), entropy, e.zScore(entropy));
        assertThat(Math.abs(e.zScore(entropy))).isLessThan(4);
    }

    @Test
    void wellSeparatedMixtureEntropyAndShiftedCrossEntropy() {
        // Components 20 apart with σ ≤ 1 barely overlap, so
        // H ≈ H(w) + Σ w_k ln(2πe σ_k²) in 2-D, with H(w) = −Σ w ln w.
        double[] w = {0.25, 0.75};
        double[][] mu = {{-10, 0}, {10, 0}};
        double[] v = {0.5, 1};
        int n = 100_000;
        var rng = new SplittableRandom(81);
        double[][] x = new double[n][2];
        double[][] shifted = new double[n][2];
        for (int i = 0; i < n; i++) {
            int k = rng.nextDouble() < 0.25 ? 0 : 1;
            for (int d = 0; d < 2; d++) {
                x[i][d] = mu[k][d] + Math.sqrt(v[k]) * rng.nextGaussian();
            }
            shifted[i][0] = x[i][0] + 0.5;
            shifted[i][1] = x[i][1];
        }
        double hw = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
        double entropy = hw + 0.25 * Math.log(2 * Math.PI * Math.E * 0.5) + 0.75 * Math.log(2 * Math.PI * Math.E);
        Estimate e = MixtureNll.estimate(x, w, mu, v);
        System.out.printf(
                "NLL separated GMM: %.5f ± %.5f, entropy %.5f (z = %.2f)%n",
                e.value(), e.standardError(), entropy, e.zScore(entropy));
        assertThat(Math.abs(e.zScore(entropy))).isLessThan(4);
        // Shift 0.5 along x adds KL = Σ w_k ‖δ‖²/(2σ_k²) = 0.25·0.25 + 0.75·0.125 = 0.15625.
        Estimate s = MixtureNll.estimate(shifted, w, mu, v);
        System.out.printf(
                "NLL shifted by 0.5: %.5f ± %.5f, expected %.5f (excess z = %.1f)%n",
                s.value(), s.standardError(), entropy + 0.15625, s.zScore(entropy));
        assertThat(Math.abs(s.zScore(entropy + 0.15625))).isLessThan(4);
        assertThat(s.zScore(entropy)).isGreaterThan(10);
    }
}
