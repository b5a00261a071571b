package io.sedm.eval.toy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlicedWassersteinTest {
    static double[][] gaussian(int n, double shiftX, SplittableRandom rng) {
        double[][] x = new double[n][2];
        for (double[] row : x) {
            row[0] = shiftX + rng.nextGaussian();
            row[1] = rng.nextGaussian();
        }
        return x;
    }

    static double[][] column(double... v) {
        double[][] x = new double[v.length][1];
        for (int i = 0; i < v.length; i++) {
            x[i][0] = v[i];
        }
        return x;
    }

    @Test
    void handComputedEqualSizes() {
        // x = {3, 0, 1}, y = {5, 1, 2}: sorted pairs (0,1), (1,2), (3,5), gaps 1, 1, 2.
        // W1 = (1 + 1 + 2)/3 = 4/3; W2 = √((1 + 1 + 4)/3) = √2.
        double[] a = {3, 0, 1};
        double[] b = {5, 1, 2};
        assertThat(SlicedWasserstein.wasserstein1d(a, b, 1)).isCloseTo(4.0 / 3, within(1e-12));
        assertThat(SlicedWasserstein.wasserstein1d(a, b, 2)).isCloseTo(Math.sqrt(2), within(1e-12));
        // In 1-D every direction is ±1, so the sliced distance is exact and its s.e. is 0.
        Estimate e = SlicedWasserstein.estimate(column(a), column(b), 2, 10, new SplittableRandom(1));
        assertThat(e.value()).isCloseTo(Math.sqrt(2), within(1e-12));
        assertThat(e.standardError()).isCloseTo(0, within(1e-12));
    }

    @Test
    void handComputedUnequalSizesOnTheMergedQuantileGrid() {
        // x = {0, 2} (mass 1/2 each), y = {1, 2, 4} (mass 1/3 each). Breakpoints 1/3, 1/2, 2/3, 1:
        //   u ∈ [0, 1/3):   F⁻¹ = 0, G⁻¹ = 1, |Δ| = 1, length 1/3
        //   u ∈ [1/3, 1/2): F⁻¹ = 0, G⁻¹ = 2, |Δ| = 2, length 1/6
        //   u ∈ [1/2, 2/3): F⁻¹ = 2, G⁻¹ = 2, |Δ| = 0, length 1/6
        //   u ∈ [2/3, 1):   F⁻¹ = 2, G⁻¹ = 4, |Δ| = 2, length 1/3
        // W1 = 1/3 + 2/6 + 0 + 2/3 = 4/3; W2² = 1/3 + 4/6 + 0 + 4/3 = 7/3.
        double[] a = {2, 0};
        double[] b = {4, 1, 2};
        assertThat(SlicedWasserstein.wasserstein1d(a, b, 1)).isCloseTo(4.0 / 3, within(1e-12));
        assertThat(SlicedWasserstein.wasserstein1d(b, a, 1)).isCloseTo(4.0 / 3, within(1e-12));
        assertThat(SlicedWasserstein.wasserstein1d(a, b, 2)).isCloseTo(Math.sqrt(7.0 / 3), within(1e-12));
    }

    @Test
    void fixedDirectionIn2d() {
        // Direction (0.6, 0.8): x projects to {0.6·1 + 0.8·2, 0} = {2.2, 0}, y to {0.8·1, 0.6·3} = {0.8, 1.8};
        // sorted pairs (0, 0.8), (2.2, 1.8): W1 = (0.8 + 0.4)/2 = 0.6.
        double[][] x = {{1, 2}, {0, 0}};
        double[][] y = {{0, 1}, {3, 0}};
        assertThat(SlicedWasserstein.projectedDistance(x, y, new double[] {0.6, 0.8}, 1))
                .isCloseTo(0.6, within(1e-12));
    }

    @Test
    void sameDistributionGivesOnlyTheFiniteSampleBias() {
        int n = 2000;
        var rng = new SplittableRandom(11);
        Estimate e =
                SlicedWasserstein.estimate(gaussian(n, 0, rng), gaussian(n, 0, rng), 1, 200, new SplittableRandom(12));
        // The s.e. covers projections only, so the O(n^−1/2) bias is not within it. For N(0, 1)
        // projections, E W1 between two n-samples ≈ √(2/n)·√(2/π)·∫√(Φ(1−Φ)) dx
        // = √(2/2000)·0.798·1.615 ≈ 0.041 (del Barrio, Giné & Matrán 1999).
        System.out.printf("SW1 same distribution: %.4f ± %.4f%n", e.value(), e.standardError());
        assertThat(e.value()).isBetween(0.0, 2 * 0.041);
        Estimate w2 =
                SlicedWasserstein.estimate(gaussian(n, 0, rng), gaussian(n, 0, rng), 2, 200, new SplittableRandom(13));
        System.out.printf("SW2 same distribution: %.4f ± %.4f%n", w2.value(), w2.standardError());
        assertThat(w2.value()).isBetween(0.0, 0.1);
    }

    @Test
    void shiftedMeanIsManyStandardErrorsAway() {
        int n = 2000;
        var rng = new SplittableRandom(21);
        Estimate e = SlicedWasserstein.estimate(
                gaussian(n, 0, rng), gaussian(n, 0.5, rng), 1, 200, new SplittableRandom(22));
        // Pure shift δ = (0.5, 0): W1 along θ = |θ·δ| = 0.5|cos φ|, average 0.5·2/π ≈ 0.318.
        System.out.printf("SW1 shift 0.5: %.4f ± %.4f (z = %.1f)%n", e.value(), e.standardError(), e.zScore(0));
        assertThat(e.zScore(0)).isGreaterThan(20);
        assertThat(e.value()).isCloseTo(1 / Math.PI, within(0.05));
    }
}
