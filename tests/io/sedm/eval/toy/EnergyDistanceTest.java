package io.sedm.eval.toy;

import static io.sedm.eval.toy.SlicedWassersteinTest.column;
import static io.sedm.eval.toy.SlicedWassersteinTest.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EnergyDistanceTest {
    @Test
    void handComputedTinyCase() {
        // x = {0, 1}, y = {0, 2} in 1-D.
        // XY: 2/(2·2)·(|0−0| + |0−2| + |1−0| + |1−2|) = 4/2 = 2.
        // XX: 2·|0−1|/(2·1) = 1.   YY: 2·|0−2|/(2·1) = 2.
        // E = 2 − 1 − 2 = −1 (the U-statistic, unlike the V-statistic, can go negative).
        assertThat(EnergyDistance.value(column(0, 1), column(0, 2))).isCloseTo(-1, within(1e-12));
        // x = {0, 1, 2}, y = {3, 4, 5}: XY mean distance over 9 pairs = (3+4+5 + 2+3+4 + 1+2+3)/9 = 3;
        // XX mean over ordered i≠j = (1 + 2 + 1)·2/6 = 4/3, YY the same: E = 6 − 8/3 = 10/3.
        assertThat(EnergyDistance.value(column(0, 1, 2), column(3, 4, 5))).isCloseTo(10.0 / 3, within(1e-12));
    }

    @Test
    void sameDistributionIsZeroWithinFourStandardErrors() {
        var rng = new SplittableRandom(51);
        Estimate e = EnergyDistance.estimate(gaussian(1500, 0, rng), gaussian(1500, 0, rng));
        System.out.printf(
                "energy same distribution: %.2e ± %.2e (z = %.2f)%n", e.value(), e.standardError(), e.zScore(0));
        assertThat(Math.abs(e.zScore(0))).isLessThan(4);
    }

    @Test
    void shiftedMeanIsClearlyPositive() {
        var rng = new SplittableRandom(61);
        Estimate e = EnergyDistance.estimate(gaussian(2000, 0, rng), gaussian(2000, 0.5, rng));
        // Small-shift expansion: X − Y ~ N(−δ, 2I), and E‖√2 Z + δ‖ − E‖√2 Z‖ ≈ √2·√(π/2)·‖δ‖²/8
        // in 2-D (Rice mean, ν = ‖δ‖/√2, L_{1/2}(−x) ≈ 1 + x/2), so E ≈ 2·√π·0.25/8 ≈ 0.111.
        System.out.printf("energy shift 0.5: %.4f ± %.4f (z = %.1f)%n", e.value(), e.standardError(), e.zScore(0));
        assertThat(e.zScore(0)).isGreaterThan(5); // expected z ≈ 0.111/0.013 ≈ 8 at n = 2000
        assertThat(e.value()).isCloseTo(0.111, within(4 * e.standardError()));
    }
}
