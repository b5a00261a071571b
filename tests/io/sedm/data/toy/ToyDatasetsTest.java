package io.sedm.data.toy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ToyDatasetsTest {
    private static final int N = 20_000;

    private static double mean(double[][] x, int d) {
        double s = 0;
        for (double[] row : x) {
            s += row[d];
        }
        return s / x.length;
    }

    private static double std(double[][] x, int d) {
        double m = mean(x, d);
        double s = 0;
        for (double[] row : x) {
            s += (row[d] - m) * (row[d] - m);
        }
        return Math.sqrt(s / (x.length - 1));
    }

    /** |sample mean − μ| ≤ 4σ/√n. */
    private static void assertMean(double[][] x, int d, double mu, double sigma) {
        assertThat(mean(x, d)).isCloseTo(mu, within(4 * sigma / Math.sqrt(x.length)));
    }

    @Test
    void sameSeedSameSamplesDifferentSeedDifferent() {
        assertThat(ToyDatasets.swissRoll(50, 0.5, new SplittableRandom(7)))
                .isDeepEqualTo(ToyDatasets.swissRoll(50, 0.5, new SplittableRandom(7)));
        assertThat(ToyDatasets.twoMoons(50, 0.1, new SplittableRandom(7)))
                .isDeepEqualTo(ToyDatasets.twoMoons(50, 0.1, new SplittableRandom(7)));
        assertThat(ToyDatasets.checkerboard(50, new SplittableRandom(7)))
                .isDeepEqualTo(ToyDatasets.checkerboard(50, new SplittableRandom(7)));
        assertThat(ToyDatasets.eightGaussians(50, 2, 0.1, new SplittableRandom(7)))
                .isDeepEqualTo(ToyDatasets.eightGaussians(50, 2, 0.1, new SplittableRandom(7)));
        double[] w = {1, 2};
        double[][] mu = {{0, 0}, {1, 1}};
        double[] v = {1, 0.5};
        assertThat(ToyDatasets.gaussianMixture(50, w, mu, v, new SplittableRandom(7)))
                .isDeepEqualTo(ToyDatasets.gaussianMixture(50, w, mu, v, new SplittableRandom(7)));
        assertThat(java.util.Arrays.deepEquals(
                        ToyDatasets.checkerboard(50, new SplittableRandom(8)),
                        ToyDatasets.checkerboard(50, new SplittableRandom(7))))
                .isFalse();
    }

    @Test
    void swissRollMomentsMatchClosedForm() {
        // t ~ U[1.5π, 4.5π]: E[t cos t] = [t sin t + cos t]/(3π) = 2, E[t sin t] = 2/(3π);
        // numerical standard deviations 6.623 and 6.951, all divided by 6.8.
        double[][] x = ToyDatasets.swissRoll(N, 0, new SplittableRandom(1));
        double s = ToyDatasets.SWISS_ROLL_SCALE;
        assertMean(x, 0, 2 / s, 6.623 / s);
        assertMean(x, 1, 2 / (3 * Math.PI) / s, 6.951 / s);
        assertThat(std(x, 0)).isCloseTo(6.623 / s, within(0.03));
        assertThat(std(x, 1)).isCloseTo(6.951 / s, within(0.03));
        for (double[] p : x) {
            double r = Math.hypot(p[0], p[1]) * s; // r = t
            assertThat(r).isBetween(1.5 * Math.PI - 1e-9, 4.5 * Math.PI + 1e-9);
        }
    }

    @Test
    void moonsLieOnTheirArcs() {
        double[][] x = ToyDatasets.twoMoons(2000, 0, new SplittableRandom(2));
        int upper = 0;
        for (double[] p : x) {
            boolean onUpper = Math.abs(Math.hypot(p[0], p[1]) - 1) < 1e-12 && p[1] >= 0;
            boolean onLower = Math.abs(Math.hypot(p[0] - 1, p[1] - 0.5) - 1) < 1e-12 && p[1] <= 0.5;
            assertThat(onUpper || onLower)
                    .as("point %s on an arc", java.util.Arrays.toString(p))
                    .isTrue();
            upper += onUpper ? 1 : 0;
        }
        // Fair coin: 1000 ± 4·√(2000/4).
        assertThat(upper).isBetween(1000 - 90, 1000 + 90);
        // With noise: mean (0.5, 0.25), since E[cos θ] = 0, E[sin θ] = 2/π.
        double[][] noisy = ToyDatasets.twoMoons(N, 0.1, new SplittableRandom(3));
        assertMean(noisy, 0, 0.5, 1);
        assertMean(noisy, 1, 0.25, 1);
    }

    @Test
    void checkerboardPointsLieInDarkSquaresWithUniformMarginals() {
        double[][] x = ToyDatasets.checkerboard(N, new SplittableRandom(4));
        int[] perSquare = new int[16];
        for (double[] p : x) {
            assertThat(ToyDatasets.inDarkSquare(p[0], p[1])).isTrue();
            perSquare[(int) Math.floor(p[0] + 2) * 4 + (int) Math.floor(p[1] + 2)]++;
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                int c = perSquare[i * 4 + j];
                if ((i + j) % 2 == 0) {
                    // Binomial(N, 1/8): 2500 ± 4·√(N·(1/8)(7/8)) ≈ 2500 ± 187.
                    assertThat(c).isBetween(2313, 2687);
                } else {
                    assertThat(c).isZero();
                }
            }
        }
        // Marginal U[−2, 2]: mean 0, variance 16/12.
        assertMean(x, 0, 0, Math.sqrt(4.0 / 3));
        assertThat(std(x, 1)).isCloseTo(Math.sqrt(4.0 / 3), within(0.02));
        assertThat(ToyDatasets.inDarkSquare(-1.5, -1.5)).isTrue();
        assertThat(ToyDatasets.inDarkSquare(-0.5, -1.5)).isFalse();
        assertThat(ToyDatasets.inDarkSquare(2.5, 0)).isFalse();
    }

    @Test
    void eightGaussiansSitOnTheRing() {
        double radius = 2;
        double sd = 0.05;
        double[][] x = ToyDatasets.eightGaussians(N, radius, sd, new SplittableRandom(5));
        assertMean(x, 0, 0, Math.sqrt(radius * radius / 2 + sd * sd));
        assertMean(x, 1, 0, Math.sqrt(radius * radius / 2 + sd * sd));
        // Var x = r²·E[cos²] + sd² = r²/2 + sd².
        assertThat(std(x, 0)).isCloseTo(Math.sqrt(radius * radius / 2 + sd * sd), within(0.03));
        for (double[] p : x) {
            // Within 6 sd (per coordinate, ~ 8.5 sd radially is never reached) of the radius.
            assertThat(Math.abs(Math.hypot(p[0], p[1]) - radius)).isLessThan(6 * sd);
        }
    }

    @Test
    void gaussianMixtureMomentsAndComponentFractions() {
        double[] w = {1, 4}; // unnormalised: 0.2, 0.8
        double[][] mu = {{-2, 0}, {3, 1}};
        double[] v = {0.25, 1};
        double[][] x = ToyDatasets.gaussianMixture(N, w, mu, v, new SplittableRandom(6));
        // E[x] = 0.2·(−2) + 0.8·3 = 2; Var x = Σ w (σ² + μ²) − E[x]² = 0.85 + 8 − 4 = 4.85.
        assertMean(x, 0, 2, Math.sqrt(4.85));
        assertThat(std(x, 0)).isCloseTo(Math.sqrt(4.85), within(0.05));
        // E[y] = 0.8; Var y = 0.2·0.25 + 0.8·(1 + 1) − 0.64 = 1.01.
        assertMean(x, 1, 0.8, Math.sqrt(1.01));
        int left = 0;
        for (double[] p : x) {
            left += p[0] < 0.5 ? 1 : 0; // the components barely overlap at x = 0.5
        }
        // Binomial(N, 0.2): 4000 ± 4·√(N·0.16) = ± 226.
        assertThat(left).isBetween(4000 - 226, 4000 + 226);
    }

    @Test
    void inverseCdfOnWeightsSkipsZeroWeightsAndRejectsBadOnes() {
        double[] c = ToyDatasets.cumulativeWeights(new double[] {0, 1, 0, 3});
        assertThat(c).containsExactly(0, 0.25, 0.25, 1);
        assertThat(ToyDatasets.component(c, 0.0)).isEqualTo(1);
        assertThat(ToyDatasets.component(c, 0.2499)).isEqualTo(1);
        assertThat(ToyDatasets.component(c, 0.25)).isEqualTo(3);
        assertThat(ToyDatasets.component(c, 0.9999)).isEqualTo(3);
        assertThatThrownBy(() -> ToyDatasets.cumulativeWeights(new double[] {1, -1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ToyDatasets.cumulativeWeights(new double[] {0, 0}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
