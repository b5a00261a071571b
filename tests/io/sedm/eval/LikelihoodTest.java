package io.sedm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.GaussianMixtureDenoiser;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The PF-ODE log-likelihood against the exact log p_σmin of Gaussian mixtures (docs/ALGORITHMS.md §14.1),
 * driven by their exact denoisers: the ODE discretisation error (exact trace, exact prior) shrinks
 * at the solver's order, and the Hutchinson estimate is unbiased within its standard error.
 */
class LikelihoodTest {
    private static final double SIGMA_MIN = 0.002;
    private static final double SIGMA_MAX = 80;

    /** A 16-D mixture of 4 components with means ~N(0, I) and variances 0.05 … 0.3. */
    static GaussianMixture mixture16() {
        var rng = new SplittableRandom(16);
        double[][] means = new double[4][16];
        for (double[] m : means) {
            for (int j = 0; j < m.length; j++) {
                m[j] = rng.nextGaussian();
            }
        }
        return new GaussianMixture(new double[] {0.4, 0.3, 0.2, 0.1}, means, new double[] {0.05, 0.1, 0.2, 0.3});
    }

    /** Exact log p_σmin(x₀) per point, and log p_σmax of the latents (the exact prior). */
    static double[] exactLogProb(GaussianMixture m, double[] flat, double sigma) {
        int d = m.dim();
        double[] out = new double[flat.length / d];
        for (int b = 0; b < out.length; b++) {
            out[b] = m.logProb(flat, b * d, sigma);
        }
        return out;
    }

    record Run(Likelihood.Result result, double[] exact, double[] exactPrior) {
        /** Per-point error of the estimate with the exact prior substituted (ODE + FD error only). */
        double[] odeError() {
            double[] e = new double[exact.length];
            for (int b = 0; b < e.length; b++) {
                e[b] = exactPrior[b] + result.divergenceIntegral()[b] - exact[b];
            }
            return e;
        }

        /** Per-point error of the full estimate with the Gaussian prior N(0, σ_max² I). */
        double[] error() {
            double[] e = new double[exact.length];
            for (int b = 0; b < e.length; b++) {
                e[b] = result.logLikelihood()[b] - exact[b];
            }
            return e;
        }
    }

    static Run run(GaussianMixture m, int n, long dataSeed, Likelihood.Options options) {
        double[] x0 = m.sample(n, dataSeed);
        try (GaussianMixtureDenoiser denoiser = GaussianMixtureDenoiser.of(m, Device.CPU);
                Tensor x = Tensor.of(x0, new long[] {n, m.dim()}, Device.CPU);
                Generator probes = Generator.ofSeedRange(1000, n)) {
            Likelihood.Result r = new Likelihood(options).evaluate(denoiser, x, probes);
            return new Run(r, exactLogProb(m, x0, SIGMA_MIN), exactLogProb(m, r.latent(), SIGMA_MAX));
        }
    }

    static double meanAbs(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.abs(x);
        }
        return s / v.length;
    }

    @Test
    void gaussianDataClosedForm() {
        // data N(0, c² I): x(σ) = x₀ √((c² + σ²)/(c² + σ_min²)) and the divergence integral is
        // (d/2) ln((c² + σ_max²)/(c² + σ_min²)); with the exact trace only the discretisation error is left.
        GaussianMixture g = GaussianMixture.gaussian(0.5, 3);
        Run r = run(
                g,
                20,
                1,
                Likelihood.Options.defaults()
                        .withProbe(Likelihood.Probe.EXACT)
                        .withSolver(Likelihood.Solver.RK4)
                        .withSteps(64)
                        .withFdStep(1e-4));
        double vMin = 0.25 + SIGMA_MIN * SIGMA_MIN;
        double vMax = 0.25 + SIGMA_MAX * SIGMA_MAX;
        for (int b = 0; b < 20; b++) {
            // RK4 with 64 log-spaced steps: measured discretisation error 5.6e−5 (it falls 16× per doubling, see below)
            assertThat(r.result().divergenceIntegral()[b]).isCloseTo(1.5 * Math.log(vMax / vMin), within(1e-4));
        }
        // the prior N(0, σ_max² I) differs from the true N(0, (c² + σ_max²) I) by O(d c²/σ_max²) ≈ 1e−4 nats
        assertThat(meanAbs(r.error())).isLessThan(2e-4);
    }

    @Test
    void discretisationErrorShrinksAtTheSolversOrder() {
        // Exact trace (d basis probes) and the exact prior log p_σmax(x(σ_max)), so the error is the ODE
        // discretisation plus the finite-difference error (fdStep 1e−4: ≈ 2e−9 relative, float64 rounding
        // ≈ 1e−16/(1e−4·σ) — both far below the errors measured here).
        GaussianMixture m = GaussianMixture.fixture2d();
        Likelihood.Options base =
                Likelihood.Options.defaults().withProbe(Likelihood.Probe.EXACT).withFdStep(1e-4);
        int[] steps = {16, 32, 64};
        for (Likelihood.Solver solver : Likelihood.Solver.values()) {
            double[] err = new double[steps.length];
            for (int i = 0; i < steps.length; i++) {
                err[i] = meanAbs(run(m, 40, 2, base.withSolver(solver).withSteps(steps[i]))
                        .odeError());
            }
            System.out.printf(
                    "2-D %s mean |ODE error| at N = 16, 32, 64: %.3e %.3e %.3e (ratios %.2f, %.2f)%n",
                    solver, err[0], err[1], err[2], err[0] / err[1], err[1] / err[2]);
            double order = solver == Likelihood.Solver.HEUN ? 2 : 4;
            // the last doubling must reduce the error by at least 2^(order − 0.5)
            assertThat(err[1] / err[2]).isGreaterThan(Math.pow(2, order - 0.5));
            assertThat(err[0]).isGreaterThan(err[1]);
        }
    }

    @Test
    void hutchinsonEstimateIsUnbiasedIn2dAnd16d() {
        for (GaussianMixture m : new GaussianMixture[] {GaussianMixture.fixture2d(), mixture16()}) {
            int n = 200;
            Likelihood.Options options =
                    Likelihood.Options.defaults().withSteps(48).withSolver(Likelihood.Solver.RK4);
            Run hutch = run(m, n, 3, options);
            // the deterministic part of the error (ODE, FD, Gaussian prior), from the exact trace on the same points
            Run exact = run(m, n, 3, options.withProbe(Likelihood.Probe.EXACT));
            double[] err = hutch.error();
            double[] diff = new double[n];
            for (int b = 0; b < n; b++) {
                diff[b] = hutch.result().logLikelihood()[b] - exact.result().logLikelihood()[b];
            }
            Runs e = Runs.of(err);
            Runs noise = Runs.of(diff);
            double bias = Runs.of(exact.error()).mean();
            double nll = -Runs.of(hutch.exact()).mean();
            System.out.printf(
                    "%d-D: exact NLL %.5f; Hutchinson error %.5f ± %.5f (z = %.2f), exact-trace error %.2e, "
                            + "Hutchinson noise %.5f ± %.5f, %d evaluations/sample%n",
                    m.dim(),
                    nll,
                    e.mean(),
                    e.standardError(),
                    e.mean() / e.standardError(),
                    bias,
                    noise.mean(),
                    noise.standardError(),
                    hutch.result().evaluations());
            // Hutchinson is unbiased given the path: the mean error is the deterministic bias within 3 s.e.
            assertThat(Math.abs(e.mean() - bias)).isLessThan(3 * e.standardError());
            assertThat(Math.abs(noise.mean())).isLessThan(3 * noise.standardError());
            // ODE error ≈ 3e−4 at RK4-48 plus the Gaussian-prior error ≈ ‖μ‖²/(2σ_max²) ≈ 1.3e−3 in 16-D
            assertThat(Math.abs(bias)).isLessThan(3e-3);
        }
    }

    @Test
    void probeOfSampleDependsOnlyOnItsSeed() {
        GaussianMixture m = GaussianMixture.fixture2d();
        double[] x0 = m.sample(6, 9);
        Likelihood lik = new Likelihood(Likelihood.Options.defaults().withSteps(8));
        try (GaussianMixtureDenoiser denoiser = GaussianMixtureDenoiser.of(m, Device.CPU);
                Tensor all = Tensor.of(x0, new long[] {6, 2}, Device.CPU);
                Tensor last = Tensor.of(java.util.Arrays.copyOfRange(x0, 10, 12), new long[] {1, 2}, Device.CPU);
                Generator g6 = Generator.ofSeedRange(50, 6);
                Generator g1 = Generator.ofSeeds(55)) {
            double a = lik.evaluate(denoiser, all, g6).logLikelihood()[5];
            double b = lik.evaluate(denoiser, last, g1).logLikelihood()[0];
            assertThat(b).isEqualTo(a);
        }
    }

    @Test
    void bitsPerDimAndDequantisation() {
        // log p = 0 over d dims with Δ = 2/256: bpd = 7; a density uniform on [−1, 1]^d (log p = −d ln 2): bpd = 8
        assertThat(Likelihood.bitsPerDim(0, 3072, Likelihood.BIN_WIDTH_8BIT)).isCloseTo(7, within(1e-12));
        assertThat(Likelihood.bitsPerDim(-3072 * Math.log(2), 3072, Likelihood.BIN_WIDTH_8BIT))
                .isCloseTo(8, within(1e-12));
        assertThat(Likelihood.dequantize(0, 0)).isEqualTo(-1.0);
        assertThat(Likelihood.dequantize(255, 1)).isEqualTo(1.0);
        assertThat(Likelihood.dequantize(128, 0)).isEqualTo(0.0);
        try (Tensor levels = Tensor.of(new double[] {0, 255, 128, 7}, new long[] {2, 2}, Device.CPU);
                Generator g = Generator.ofSeeds(1, 2);
                Tensor x = Likelihood.dequantize(levels, g)) {
            double[] v = x.toDoubleArray();
            double[] k = {0, 255, 128, 7};
            for (int i = 0; i < 4; i++) {
                assertThat(v[i]).isBetween(Likelihood.dequantize((int) k[i], 0), Likelihood.dequantize((int) k[i], 1));
            }
        }
    }
}
