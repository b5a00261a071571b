package io.sedm.sde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SdeTest {

    /**
     * Simulates dx = f(t) x dt + g(t) dw from x_0 = const with Euler–Maruyama and compares the
     * empirical mean and std at t = 1 with the closed-form marginal.
     */
    private static void marginalsMatchSimulation(ScoreSde sde, double x0) {
        int paths = 20_000;
        int steps = 1000;
        SplittableRandom rng = new SplittableRandom(7);
        double t1 = 1.0;
        double t0 = sde.type() == ScoreSde.Type.VE ? 0.0 : 0.0;
        double dt = (t1 - t0) / steps;
        double sum = 0;
        double sumSq = 0;
        for (int p = 0; p < paths; p++) {
            double x = x0;
            double t = t0;
            for (int k = 0; k < steps; k++) {
                x += sde.driftCoef(t) * x * dt + Math.sqrt(sde.diffusionSquared(t) * dt) * rng.nextGaussian();
                t += dt;
            }
            sum += x;
            sumSq += x * x;
        }
        double mean = sum / paths;
        double std = Math.sqrt(sumSq / paths - mean * mean);
        double expectMean = sde.scale(t1) * x0;
        double expectStd = sde.std(t1);
        if (sde.type() == ScoreSde.Type.VE) {
            // the VE marginal std ignores the σ(0)² offset (§11.1): Var = σ(1)² − σ(0)²
            expectStd = Math.sqrt(sde.std(t1) * sde.std(t1) - sde.std(0) * sde.std(0));
        }
        // Monte-Carlo s.e.: std/√n for the mean, std/√(2n) for the std; plus O(dt) Euler bias: 5 s.e. + 2e-3
        assertThat(mean)
                .as(sde.type() + " mean")
                .isCloseTo(expectMean, within(5 * expectStd / Math.sqrt(paths) + 2e-3));
        assertThat(std)
                .as(sde.type() + " std")
                .isCloseTo(expectStd, within(5 * expectStd / Math.sqrt(2.0 * paths) + 2e-3 * expectStd));
    }

    @Test
    void veMarginalMatchesSimulation() {
        marginalsMatchSimulation(ScoreSde.ve(), 0.7);
    }

    @Test
    void vpMarginalMatchesSimulation() {
        marginalsMatchSimulation(ScoreSde.vp(), 0.7);
    }

    @Test
    void subVpMarginalMatchesSimulation() {
        marginalsMatchSimulation(ScoreSde.subVp(), 0.7);
    }

    @Test
    void vpTimeRoundTripsAndMatchesTheDgWindow() {
        for (double tau : new double[] {1e-5, 0.01, 0.3, 0.999, 1.0}) {
            assertThat(VpTime.tau(VpTime.sigma(tau)) / tau - 1).isCloseTo(0, within(1e-12));
            assertThat(VpTime.scale(VpTime.sigma(tau))).isCloseTo(VpTime.signal(tau), within(1e-14));
        }
        // §7.3: DG is active for σ ∈ [0.044688, 152.17]; on the 18-level schedule at σ = 0.0599, off at 0.0229
        assertThat(VpTime.sigma(0.01)).isCloseTo(0.044688, within(1e-6));
        assertThat(VpTime.tau(0.05994731124)).isGreaterThan(0.01);
        assertThat(VpTime.tau(0.02293451837)).isLessThan(0.01);
        for (double tau : new double[] {0.0, 0.2, 0.7, 0.99}) {
            assertThat(VpTime.cosineTau(VpTime.cosineSigma(tau))).isCloseTo(tau, within(1e-9));
        }
        assertThat(VpTime.cosineSigma(0)).isCloseTo(0, within(1e-12));
    }

    @Test
    void dgImportanceSamplerHasThePublishedQuantiles() {
        assertThat(VpTime.importanceNormalizer(1e-5)).isCloseTo(23.8645, within(1e-4));
        // §8: quantiles at u = 0.25/0.5/0.75 are 0.0030/0.1144/0.6370 (4 decimals)
        assertThat(VpTime.importanceTau(0.25, 1e-5)).isCloseTo(0.0030, within(5e-5));
        assertThat(VpTime.importanceTau(0.5, 1e-5)).isCloseTo(0.1144, within(5e-5));
        assertThat(VpTime.importanceTau(0.75, 1e-5)).isCloseTo(0.6370, within(5e-5));
        assertThat(VpTime.importanceTau(0.0, 1e-5)).isCloseTo(1e-5, within(1e-9));
        assertThat(VpTime.importanceTau(1.0 - 1e-16, 1e-5)).isCloseTo(1.0, within(1e-9));
        // Kolmogorov–Smirnov against the analytic CDF F(τ) = (A(τ) − A(τ_min))/Z
        SplittableRandom rng = new SplittableRandom(5);
        int n = 20_000;
        double[] draws = new double[n];
        for (int i = 0; i < n; i++) {
            draws[i] = VpTime.importanceTau(rng.nextDouble(), 1e-5);
        }
        Arrays.sort(draws);
        double z = VpTime.importanceNormalizer(1e-5);
        double a0 = Math.log(Math.expm1(VpTime.integratedBeta(1e-5)));
        double ks = 0;
        for (int i = 0; i < n; i++) {
            double cdf = (Math.log(Math.expm1(VpTime.integratedBeta(draws[i]))) - a0) / z;
            ks = Math.max(ks, Math.max(Math.abs(cdf - (double) i / n), Math.abs(cdf - (i + 1.0) / n)));
        }
        assertThat(ks).isLessThan(1.95 / Math.sqrt(n)); // 0.1 % critical value
    }

    @Test
    void reverseAndProbabilityFlowDriftsUseTheScore() {
        ScoreSde vp = ScoreSde.vp();
        double t = 0.4;
        // For data N(0, c²) the VP marginal is N(0, s²c² + std²) and its score is −x/v; the
        // probability-flow drift f x − ½ g² score then equals d/dt of the marginal's quantile map
        double c = 0.5;
        double v = vp.scale(t) * vp.scale(t) * c * c + vp.std(t) * vp.std(t);
        double h = 1e-6;
        double vNext = vp.scale(t + h) * vp.scale(t + h) * c * c + vp.std(t + h) * vp.std(t + h);
        double vPrev = vp.scale(t - h) * vp.scale(t - h) * c * c + vp.std(t - h) * vp.std(t - h);
        double dLogStd = (Math.log(vNext) - Math.log(vPrev)) / (4 * h); // d/dt ln √v
        double x = 1.3;
        double odeDrift = vp.probabilityFlowDrift(x, -x / v, t);
        assertThat(vp.reverseDrift(x, -x / v, t))
                .isCloseTo(vp.driftCoef(t) * x + vp.diffusionSquared(t) * x / v, within(1e-15));
        assertThat(ScoreSde.ve().priorLogDensity(new double[] {0, 0}))
                .isCloseTo(-Math.log(2 * Math.PI * 2500), within(1e-12));
        // x(t) = x_T·√(v(t)/v(T)) along the ODE: drift = x·d ln √v/dt (central difference, 1e-8)
        assertThat(odeDrift).isCloseTo(x * dLogStd, within(1e-7));
    }
}
