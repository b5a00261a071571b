package io.sedm.precond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sedm.schedule.IddpmSchedule;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PreconditioningTest {
    private static final double SD = 0.5;
    private static final Preconditioning.Edm EDM = new Preconditioning.Edm(SD);

    @ParameterizedTest
    @ValueSource(doubles = {0.002, 0.05, 0.3, 1, 7.5, 80, 500})
    void edmIdentities(double sigma) {
        // products of a few float64 operations: 1e-14 relative
        assertThat(EDM.cIn(sigma) * EDM.cIn(sigma) * (sigma * sigma + SD * SD)).isCloseTo(1, within(1e-14));
        assertThat(TrainingNoise.edmWeight(sigma, SD) * EDM.cOut(sigma) * EDM.cOut(sigma))
                .isCloseTo(1, within(1e-14));
        // effective target F* = (y − c_skip x)/c_out for y ~ N(0, σ_d²), x = y + σ n has unit variance:
        // Var = ((1 − c_skip)² σ_d² + c_skip² σ²)/c_out²
        double cs = EDM.cSkip(sigma);
        double co = EDM.cOut(sigma);
        assertThat(((1 - cs) * (1 - cs) * SD * SD + cs * cs * sigma * sigma) / (co * co))
                .isCloseTo(1, within(1e-12));
        // §2 (d): for Gaussian data N(0, σ_d² I) the optimal D is c_skip·x, so the ideal F is 0
        assertThat(SD * SD / (SD * SD + sigma * sigma)).isCloseTo(cs, within(1e-16));
        assertThat(EDM.cNoise(sigma)).isCloseTo(Math.log(sigma) / 4, within(1e-16));
    }

    @Test
    void effectiveTargetHasUnitVarianceByMonteCarlo() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 200_000;
        for (double sigma : new double[] {0.01, 0.3, 5}) {
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                double y = SD * rng.nextGaussian();
                double x = y + sigma * rng.nextGaussian();
                double f = (y - EDM.cSkip(sigma) * x) / EDM.cOut(sigma);
                sum += f;
                sumSq += f * f;
            }
            double var = sumSq / n - (sum / n) * (sum / n);
            // s.e. of a sample variance of a unit Gaussian is √(2/n) = 3.2e-3: 5 s.e.
            assertThat(var).isCloseTo(1, within(5 * Math.sqrt(2.0 / n)));
        }
    }

    @Test
    void theDenoiserFormIsExactForEveryVariant() {
        // §2 (a) F ≡ 0 gives D = c_skip·x; (b) F = (y − c_skip x)/c_out gives D = y exactly (to rounding)
        Preconditioning[] all = {
            EDM, Preconditioning.Vp.defaults(), new Preconditioning.Ve(), Preconditioning.Iddpm.defaults()
        };
        double x = 1.7;
        double y = -0.4;
        for (Preconditioning p : all) {
            for (double sigma : new double[] {0.01, 0.9, 40}) {
                double d0 = p.cSkip(sigma) * x + p.cOut(sigma) * 0;
                assertThat(d0).isEqualTo(p.cSkip(sigma) * x);
                double f = (y - p.cSkip(sigma) * x) / p.cOut(sigma);
                assertThat(p.cSkip(sigma) * x + p.cOut(sigma) * f)
                        .as(p + " σ=" + sigma)
                        .isCloseTo(y, within(1e-13));
            }
        }
    }

    @Test
    void rangesAndRounding() {
        Preconditioning.Vp vp = Preconditioning.Vp.defaults();
        assertThat(vp.sigmaMin()).isCloseTo(0.0010005, within(5e-8));
        assertThat(vp.sigmaMax()).isCloseTo(152.167, within(5e-4));
        assertThat(vp.sigmaToT(vp.sigma(0.37))).isCloseTo(0.37, within(1e-14));
        assertThat(vp.cNoise(vp.sigma(1.0))).isCloseTo(999, within(1e-9));
        Preconditioning.Ve ve = new Preconditioning.Ve();
        assertThat(ve.sigmaMin()).isEqualTo(0.02);
        assertThat(ve.sigmaMax()).isEqualTo(100);
        Preconditioning.Iddpm id = Preconditioning.Iddpm.defaults();
        double[] u = IddpmSchedule.uTable();
        assertThat(id.sigmaMax()).isEqualTo(u[0]);
        assertThat(id.sigmaMin()).isEqualTo(u[IddpmSchedule.M - 1]);
        // round_sigma lands on a table entry, and c_noise is that entry's timestep M − 1 − j
        double r = id.roundSigma(1.234);
        int j = IddpmSchedule.nearestIndex(u, 1.234);
        assertThat(r).isEqualTo(u[j]);
        assertThat(id.cNoise(r)).isEqualTo(IddpmSchedule.M - 1 - j);
        assertThat(id.cNoise(u[0])).isEqualTo(999);
    }

    @Test
    void batchFillsMatchTheScalarForms() {
        double[] sigma = {0.002, 0.1, 2.5, 80};
        double[][] out = new double[4][4];
        EDM.fill(sigma, out[0], out[1], out[2], out[3]);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] seg = new MemorySegment[4];
            for (int k = 0; k < 4; k++) {
                seg[k] = arena.allocate(ValueLayout.JAVA_DOUBLE, 4);
            }
            EDM.fill(sigma, seg[0], seg[1], seg[2], seg[3]);
            for (int b = 0; b < 4; b++) {
                assertThat(out[0][b]).isEqualTo(EDM.cSkip(sigma[b]));
                assertThat(out[1][b]).isEqualTo(EDM.cOut(sigma[b]));
                assertThat(out[2][b]).isEqualTo(EDM.cIn(sigma[b]));
                assertThat(out[3][b]).isEqualTo(EDM.cNoise(sigma[b]));
                for (int k = 0; k < 4; k++) {
                    assertThat(seg[k].getAtIndex(ValueLayout.JAVA_DOUBLE, b)).isEqualTo(out[k][b]);
                }
            }
        }
    }

    @Test
    void trainingSigmaDistributions() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 100_000;
        double[] edm =
                TrainingNoise.draw(rng, n, r -> TrainingNoise.edmSigma(r, TrainingNoise.P_MEAN, TrainingNoise.P_STD));
        double[] logs = Arrays.stream(edm).map(Math::log).sorted().toArray();
        double mean = Arrays.stream(logs).average().orElseThrow();
        // ln σ ~ N(−1.2, 1.2²): s.e. of the mean 1.2/√n = 3.8e-3, 5 s.e.
        assertThat(mean).isCloseTo(-1.2, within(5 * 1.2 / Math.sqrt(n)));
        // median σ = e^−1.2 ≈ 0.301; 95 % of draws in [0.0287, 3.16] (§3)
        assertThat(Math.exp(logs[n / 2])).isCloseTo(Math.exp(-1.2), within(0.01));
        assertThat(Math.exp(logs[(int) (0.025 * n)])).isCloseTo(0.0287, within(0.002));
        assertThat(Math.exp(logs[(int) (0.975 * n)])).isCloseTo(3.16, within(0.1));
        double[] ve = TrainingNoise.draw(rng, n, r -> TrainingNoise.veSigma(r, 0.02, 100));
        assertThat(Arrays.stream(ve).min().orElseThrow()).isGreaterThanOrEqualTo(0.02);
        assertThat(Arrays.stream(ve).max().orElseThrow()).isLessThanOrEqualTo(100);
        // log-uniform: ln σ has mean (ln 0.02 + ln 100)/2
        assertThat(Arrays.stream(ve).map(Math::log).average().orElseThrow())
                .isCloseTo(0.5 * (Math.log(0.02) + Math.log(100)), within(0.03));
        double[] vp = TrainingNoise.draw(rng, n, r -> TrainingNoise.vpSigma(r, 19.9, 0.1, 1e-5));
        assertThat(Arrays.stream(vp).min().orElseThrow()).isGreaterThanOrEqualTo(0.0010005 - 1e-7);
        assertThat(Arrays.stream(vp).max().orElseThrow()).isLessThanOrEqualTo(152.17);
        assertThat(TrainingNoise.inverseSquareWeight(0.5)).isEqualTo(4);
    }
}
