package io.sedm.eval.toy;

import static io.sedm.eval.toy.SlicedWassersteinTest.column;
import static io.sedm.eval.toy.SlicedWassersteinTest.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MmdTest {
    /**
     * Closed form for P = N(0, I_d), Q = N(δ, I_d) and the RBF kernel of bandwidth h:
     * E k(X, X') = (h²/(h² + 2))^{d/2}, E k(X, Y) = (h²/(h² + 2))^{d/2}·exp(−‖δ‖²/(2(h² + 2))),
     * so MMD² = 2 (h²/(h² + 2))^{d/2} (1 − exp(−‖δ‖²/(2(h² + 2)))).
     */
    static double gaussianShiftMmd2(double h, int d, double shift) {
        double c = Math.pow(h * h / (h * h + 2), d / 2.0);
        return 2 * c * (1 - Math.exp(-shift * shift / (2 * (h * h + 2))));
    }

    @Test
    void handComputedTinyCase() {
        // x = {0, 1}, y = {0, 2} in 1-D, h = 1/√2 so k(a, b) = exp(−(a − b)²).
        // XX: 2·k(0,1)/(2·1) = e⁻¹. YY: 2·k(0,2)/(2·1) = e⁻⁴.
        // XY: 2/(2·2)·[k(0,0) + k(0,2) + k(1,0) + k(1,2)] = (1 + e⁻⁴ + 2e⁻¹)/2.
        // MMD²_u = e⁻¹ + e⁻⁴ − (1 + e⁻⁴ + 2e⁻¹)/2 = (e⁻⁴ − 1)/2 ≈ −0.4908 (unbiased, so negative is possible).
        double v = Mmd.mmdSquared(column(0, 1), column(0, 2), 1 / Math.sqrt(2));
        assertThat(v).isCloseTo((Math.exp(-4) - 1) / 2, within(1e-12));
    }

    @Test
    void jackknifeLeaveOneOutMatchesRecomputation() {
        // The row-sum shortcut equals recomputing the statistic without each point.
        var rng = new SplittableRandom(3);
        double[][] x = gaussian(7, 0, rng);
        double[][] y = gaussian(5, 0.3, rng);
        double h = 0.9;
        double[] leave = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[][] xi = new double[x.length - 1][];
            for (int k = 0, at = 0; k < x.length; k++) {
                if (k != i) {
                    xi[at++] = x[k];
                }
            }
            leave[i] = Mmd.mmdSquared(xi, y, h);
        }
        double[] leaveY = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            double[][] yj = new double[y.length - 1][];
            for (int k = 0, at = 0; k < y.length; k++) {
                if (k != j) {
                    yj[at++] = y[k];
                }
            }
            leaveY[j] = Mmd.mmdSquared(x, yj, h);
        }
        double se = Math.sqrt(TwoSampleUStatistic.jackknifeSpread(leave) + TwoSampleUStatistic.jackknifeSpread(leaveY));
        Estimate e = Mmd.estimate(x, y, h);
        assertThat(e.value()).isCloseTo(Mmd.mmdSquared(x, y, h), within(1e-12));
        assertThat(e.standardError()).isCloseTo(se, within(1e-12));
    }

    @Test
    void medianHeuristicOfThreePoints() {
        // Pooled {0, 1} ∪ {3}: distances 1, 3, 2, median 2.
        assertThat(Mmd.medianHeuristic(column(0, 1), column(3))).isEqualTo(2.0);
    }

    @Test
    void sameDistributionIsZeroWithinFourStandardErrors() {
        var rng = new SplittableRandom(31);
        double[][] x = gaussian(1500, 0, rng);
        double[][] y = gaussian(1500, 0, rng);
        Estimate e = Mmd.estimate(x, y);
        System.out.printf(
                "MMD² same distribution (median h = %.3f): %.2e ± %.2e (z = %.2f)%n",
                Mmd.medianHeuristic(x, y), e.value(), e.standardError(), e.zScore(0));
        assertThat(Math.abs(e.zScore(0))).isLessThan(4);
    }

    @Test
    void shiftedMeanIsClearlyPositiveAndMatchesTheClosedForm() {
        var rng = new SplittableRandom(41);
        double[][] x = gaussian(2000, 0, rng);
        double[][] y = gaussian(2000, 0.5, rng);
        double h = Mmd.medianHeuristic(x, y);
        Estimate e = Mmd.estimate(x, y, h);
        double exact = gaussianShiftMmd2(h, 2, 0.5);
        System.out.printf(
                "MMD² shift 0.5 (median h = %.3f): %.5f ± %.5f (z = %.1f), closed form %.5f%n",
                h, e.value(), e.standardError(), e.zScore(0), exact);
        // The jackknife s.e. here is the non-degenerate O(n^−1/2) one; expected z ≈ 7–8 at n = 2000.
        assertThat(e.zScore(0)).isGreaterThan(5);
        assertThat(Math.abs(e.zScore(exact))).isLessThan(4);
        // Fixed h = 1: 2/3·(1 − e^{−1/24}) ≈ 0.02721.
        Estimate fixed = Mmd.estimate(x, y, 1.0);
        System.out.printf(
                "MMD² shift 0.5 (h = 1): %.5f ± %.5f (z = %.1f), closed form %.5f%n",
                fixed.value(), fixed.standardError(), fixed.zScore(0), gaussianShiftMmd2(1, 2, 0.5));
        assertThat(fixed.zScore(0)).isGreaterThan(5);
        assertThat(Math.abs(fixed.zScore(gaussianShiftMmd2(1, 2, 0.5)))).isLessThan(4);
    }
}
