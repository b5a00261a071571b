package io.sedm.guidance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.DdpmSampler;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.sampler.ImputingDenoiser;
import io.sedm.sampler.Sampler;
import io.sedm.sampler.ScoreSdeSampler;
import io.sedm.schedule.EdmSchedule;
import io.sedm.sde.ScoreSde;
import org.junit.jupiter.api.Test;

/**
 * Inpainting and colorization by imputation (score SDE §5, App. I) on Gaussian mixtures, where the
 * conditional of the unknown coordinates given the known ones is closed-form: for isotropic
 * components {@code p(x_u | x_k = y) = Σ_k w_k N(μ_k,u, c_k² I)} with {@code w_k ∝ π_k N(y; μ_k,k, c_k² I)}.
 */
class ImputationTest {
    /** Two classes in 6-D; coordinates 0–3 are known, 4–5 are filled in. */
    static final GaussianMixture SIX = new GaussianMixture(
            new double[] {0.6, 0.4},
            new double[][] {{0.5, 0.5, 0.5, 0.5, 1.0, -0.5}, {-0.5, -0.5, -0.5, -0.5, -1.0, 0.5}},
            new double[] {0.36, 0.25});

    static final boolean[] MASK = {true, true, true, true, false, false};
    /** Known values between the two components: the exact conditional is a genuine two-part mixture. */
    static final double[] AMBIGUOUS = {0.1, -0.3, 0.2, -0.1, 0, 0};
    /** Known values near component 0: the exact conditional is (almost all) component 0. */
    static final double[] INFORMATIVE = {0.5, 0.3, 0.6, 0.4, 0, 0};

    /** The exact weights w_k of the conditional. */
    static double[] posterior(double[] known) {
        double[] logW = new double[2];
        for (int k = 0; k < 2; k++) {
            double v = SIX.variances()[k], q = 0;
            for (int j = 0; j < 4; j++) q += (known[j] - SIX.means()[k][j]) * (known[j] - SIX.means()[k][j]);
            logW[k] = Math.log(SIX.weights()[k]) - 2 * Math.log(2 * Math.PI * v) - q / (2 * v);
        }
        double m = Math.max(logW[0], logW[1]);
        double z = Math.exp(logW[0] - m) + Math.exp(logW[1] - m);
        return new double[] {Math.exp(logW[0] - m) / z, Math.exp(logW[1] - m) / z};
    }

    static double[] run(Sampler sampler, double[] sigmas, int n, boolean project, double[] known) {
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) seeds[i] = i;
        Imputation inpaint = Imputation.inpainting(MASK);
        try (GaussianMixtureDenoiser model = GaussianMixtureDenoiser.of(SIX, Device.CPU);
                Generator g = Generator.ofSeeds(seeds);
                Generator replace = Generator.ofSeeds(seeds, 1L << 40);
                Tensor z = g.normal(new long[] {n, 6}, DType.FLOAT64, Device.CPU);
                Tensor x0 = z.emptyLike()) {
            Ops.combine(x0, sigmas[0], z);
            ImputingDenoiser imputing = new ImputingDenoiser(model, inpaint, () -> known, () -> replace);
            try (Tensor out = sampler.sample(imputing, x0, sigmas, g);
                    Tensor projected = imputing.project(out)) {
                return (project ? projected : out).toDoubleArray();
            }
        }
    }

    /** Mean and covariance of coordinates 4–5 against the exact conditional; returns the worst z-score. */
    static double check(String name, double[] x, double[] known) {
        int n = x.length / 6;
        double[] w = posterior(known);
        double[] m = new double[2];
        double[][] cov = new double[2][2];
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < 2; i++) {
                m[i] += w[k] * SIX.means()[k][4 + i];
                for (int j = 0; j < 2; j++) {
                    cov[i][j] +=
                            w[k] * ((i == j ? SIX.variances()[k] : 0) + SIX.means()[k][4 + i] * SIX.means()[k][4 + j]);
                }
            }
        }
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) cov[i][j] -= m[i] * m[j];
        double[] sm = new double[2];
        for (int s = 0; s < n; s++) for (int i = 0; i < 2; i++) sm[i] += x[6 * s + 4 + i] / n;
        double[][] sc = new double[2][2];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++)
                    sc[i][j] += (x[6 * s + 4 + i] - sm[i]) * (x[6 * s + 4 + j] - sm[j]) / (n - 1);
            }
        }
        // standard errors: mean √(Σ_ii/n); covariance √((Σ_ii Σ_jj + Σ_ij²)/n) (Gaussian fourth moments; the
        // mixture's are close at these separations)
        double worst = 0;
        for (int i = 0; i < 2; i++) {
            worst = Math.max(worst, Math.abs(sm[i] - m[i]) / Math.sqrt(cov[i][i] / n));
            for (int j = 0; j < 2; j++) {
                double se = Math.sqrt((cov[i][i] * cov[j][j] + cov[i][j] * cov[i][j]) / n);
                worst = Math.max(worst, Math.abs(sc[i][j] - cov[i][j]) / se);
            }
        }
        System.out.printf(
                "%s: mean %.4f %.4f (exact %.4f %.4f), cov %.4f %.4f %.4f (exact %.4f %.4f %.4f), worst z %.2f%n",
                name, sm[0], sm[1], m[0], m[1], sc[0][0], sc[0][1], sc[1][1], cov[0][0], cov[0][1], cov[1][1], worst);
        return worst;
    }

    static double maxKnownError(double[] x, double[] known) {
        double worst = 0;
        for (int s = 0; s < x.length / 6; s++) {
            for (int j = 0; j < 4; j++) worst = Math.max(worst, Math.abs(x[6 * s + j] - known[j]));
        }
        return worst;
    }

    @Test
    void inpaintingKeepsTheKnownValuesExactlyWithEverySampler() {
        int n = 500;
        double[] edm = run(new EdmSampler(), EdmSchedule.sigmas(32), n, true, AMBIGUOUS);
        double[] edmRaw = run(new EdmSampler(), EdmSchedule.sigmas(32), n, false, AMBIGUOUS);
        double[] churn = run(
                new EdmSampler(EdmSampler.Options.edm().withChurn(40, 0.05, 50, 1.0)),
                EdmSchedule.sigmas(32),
                n,
                true,
                AMBIGUOUS);
        double[] pc = run(
                new ScoreSdeSampler(ScoreSdeSampler.Options.ve()), ScoreSde.ve().sigmas(100, 1e-5), n, true, AMBIGUOUS);
        double[] ddpm =
                run(new DdpmSampler(DdpmSampler.Options.defaults()), EdmSchedule.sigmas(100), n, true, AMBIGUOUS);
        System.out.printf(
                "max |Δ| known: EDM %.3g (sampler state before projection %.3g), churn %.3g, PC %.3g, DDPM %.3g%n",
                maxKnownError(edm, AMBIGUOUS),
                maxKnownError(edmRaw, AMBIGUOUS),
                maxKnownError(churn, AMBIGUOUS),
                maxKnownError(pc, AMBIGUOUS),
                maxKnownError(ddpm, AMBIGUOUS));
        assertThat(maxKnownError(edm, AMBIGUOUS)).isZero();
        assertThat(maxKnownError(churn, AMBIGUOUS)).isZero();
        assertThat(maxKnownError(pc, AMBIGUOUS)).isZero();
        assertThat(maxKnownError(ddpm, AMBIGUOUS)).isZero();
        // the samplers never see their own known coordinates: without the projection they drift off
        assertThat(maxKnownError(edmRaw, AMBIGUOUS)).isGreaterThan(1e-4);
    }

    /**
     * Imputation is an approximation (score SDE App. I.2 replaces p_t(x_u | y) by p_t(x_u | ŷ_t)): when
     * the known part is ambiguous the filled-in part leans toward the prior. Measured, and bounded:
     * component 0's share of the fill lies between its exact posterior weight and its prior weight.
     */
    @Test
    void inpaintingWithAnAmbiguousKnownPartLeansTowardThePrior() {
        double[] x = run(new EdmSampler(), EdmSchedule.sigmas(32), 4000, true, AMBIGUOUS);
        check("EDM Heun 32, ambiguous", x, AMBIGUOUS);
        double m4 = 0;
        for (int s = 0; s < 4000; s++) m4 += x[6 * s + 4] / 4000;
        double share = (m4 + 1) / 2; // E[x_4] = w_0·1 + w_1·(−1)
        double exact = posterior(AMBIGUOUS)[0];
        System.out.printf(
                "ambiguous fill: component-0 share %.4f, exact posterior %.4f, prior %.4f%n", share, exact, 0.6);
        // s.e. of the share ≈ √(Var x_4/n)/2 = 0.009
        assertThat(share).isBetween(exact - 0.03, 0.6 + 0.03);
    }

    /** A correlated 2-D Gaussian N(0, [[1, ρ], [ρ, 1]]): D(x; σ) = Σ_i λ_i/(λ_i + σ²) v_i v_iᵀ x (eigenpairs (1 ± ρ, (1, ±1)/√2)). */
    static io.sedm.sampler.Denoiser correlated(double rho) {
        return new io.sedm.sampler.FunctionDenoiser((x, dim, sigma) -> {
            double[] out = new double[x.length];
            for (int b = 0; b < sigma.length; b++) {
                double s2 = sigma[b] * sigma[b];
                double p = (x[2 * b] + x[2 * b + 1]) / 2, q = (x[2 * b] - x[2 * b + 1]) / 2;
                double fp = (1 + rho) / (1 + rho + s2) * p, fq = (1 - rho) / (1 - rho + s2) * q;
                out[2 * b] = fp + fq;
                out[2 * b + 1] = fp - fq;
            }
            return out;
        });
    }

    /** Mean and variance of coordinate 1 after inpainting coordinate 0 = y of {@link #correlated}. */
    static double[] fill(Sampler sampler, double[] sigmas, double rho, double y, int n) {
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) seeds[i] = i;
        try (Generator g = Generator.ofSeeds(seeds);
                Generator replace = Generator.ofSeeds(seeds, 1L << 40);
                Tensor z = g.normal(new long[] {n, 2}, DType.FLOAT64, Device.CPU);
                Tensor x0 = z.emptyLike()) {
            Ops.combine(x0, sigmas[0], z);
            ImputingDenoiser imputing = new ImputingDenoiser(
                    correlated(rho),
                    Imputation.inpainting(new boolean[] {true, false}),
                    () -> new double[] {y, 0},
                    () -> replace);
            try (Tensor out = sampler.sample(imputing, x0, sigmas, g);
                    Tensor projected = imputing.project(out)) {
                double[] v = projected.toDoubleArray();
                double m = 0, q = 0;
                for (int i = 0; i < n; i++) {
                    assertThat(v[2 * i]).isEqualTo(y);
                    m += v[2 * i + 1] / n;
                }
                for (int i = 0; i < n; i++) q += (v[2 * i + 1] - m) * (v[2 * i + 1] - m) / (n - 1);
                return new double[] {m, q};
            }
        }
    }

    /**
     * score SDE's predictor–corrector inpainting: with enough Langevin corrector steps per level the
     * replaced chain mixes to p(x_u | x_k = y) at the small levels, and the fill matches the exact
     * Gaussian conditional N(ρy, 1 − ρ²). The plain replaced ODE (EDM Heun) does not: measured and
     * asserted so the difference stays visible.
     */
    @Test
    void predictorCorrectorInpaintingMatchesTheExactGaussianConditional() {
        double rho = 0.8, y = 1.0, mean = rho * y, var = 1 - rho * rho;
        int n = 3000;
        double[] pc = fill(
                new ScoreSdeSampler(
                        ScoreSdeSampler.Options.ve().withCorrector(ScoreSdeSampler.Corrector.LANGEVIN, 0.3, 20)),
                ScoreSde.ve().sigmas(200, 1e-5),
                rho,
                y,
                n);
        double[] ode = fill(new EdmSampler(), EdmSchedule.sigmas(64), rho, y, n);
        System.out.printf(
                "Gaussian fill (exact mean %.4f, var %.4f): PC 200 levels × (1 + 20 Langevin, snr 0.3) mean %.4f var %.4f;"
                        + " EDM Heun 64 mean %.4f var %.4f%n",
                mean, var, pc[0], pc[1], ode[0], ode[1]);
        // 4.5 standard errors (mean: √(var/n) = 0.011; variance: var·√(2/n) = 0.0093) plus the 0.01 residual
        // bias of a finite corrector measured at n = 4000 (mean 0.790, var 0.375)
        assertThat(pc[0]).isCloseTo(mean, within(4.5 * Math.sqrt(var / n) + 0.01));
        assertThat(pc[1]).isCloseTo(var, within(4.5 * var * Math.sqrt(2.0 / n) + 0.015));
        // the plain replaced ODE leans far toward the prior mean 0 (measured 0.34)
        assertThat(ode[0]).isLessThan(0.6);
    }

    @Test
    void colourDecouplingIsOrthogonalAndColorizationKeepsTheGrayExactly() {
        double[][] m = Imputation.colourDecoupling();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double dot = 0;
                for (int k = 0; k < 3; k++) dot += m[k][i] * m[k][j];
                assertThat(dot).isCloseTo(i == j ? 1 : 0, within(1e-15)); // MᵀM = I to float64 round-off
                assertThat(m[i][0]).isCloseTo(1 / Math.sqrt(3), within(1e-16)); // first column spans gray
            }
        }
        // a 3-D mixture of colours; gray images = channel means of two of its colours
        GaussianMixture colours = new GaussianMixture(
                new double[] {0.5, 0.5}, new double[][] {{0.8, -0.2, -0.6}, {-0.5, 0.4, 0.7}}, new double[] {0.04, 0.09
                });
        int n = 400;
        double[] gray = new double[n];
        for (int i = 0; i < n; i++) gray[i] = i % 2 == 0 ? 0.0 : 0.2;
        Imputation colorize = Imputation.colorization(1);
        double[] known = colorize.knownFromGray(gray);
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) seeds[i] = i;
        double[] sigmas = EdmSchedule.sigmas(32);
        try (GaussianMixtureDenoiser model = GaussianMixtureDenoiser.of(colours, Device.CPU);
                Generator g = Generator.ofSeeds(seeds);
                Generator replace = Generator.ofSeeds(seeds, 1L << 40);
                Tensor z = g.normal(new long[] {n, 3}, DType.FLOAT64, Device.CPU);
                Tensor x0 = z.emptyLike()) {
            Ops.combine(x0, sigmas[0], z);
            ImputingDenoiser imputing = new ImputingDenoiser(model, colorize, () -> known, () -> replace);
            try (Tensor out = new EdmSampler().sample(imputing, x0, sigmas, g);
                    Tensor projected = imputing.project(out)) {
                double[] v = projected.toDoubleArray();
                double worst = 0;
                for (int i = 0; i < n; i++) {
                    double mean = (v[3 * i] + v[3 * i + 1] + v[3 * i + 2]) / 3;
                    worst = Math.max(worst, Math.abs(mean - gray[i]));
                }
                System.out.printf("colorization: max |channel mean − gray| = %.3g%n", worst);
                // Mᵀ then M in float64: a few ulps of the O(1) values
                assertThat(worst).isLessThan(1e-15);
            }
        }
    }

    @Test
    void badMasksAndKnownValuesAreRefused() {
        assertThatThrownBy(() -> Imputation.inpainting(new boolean[0])).hasMessageContaining("at least one");
        Imputation inpaint = Imputation.inpainting(MASK);
        assertThatThrownBy(() -> inpaint.impute(new double[12], new double[5], new double[] {1, 1}, null))
                .hasMessageContaining("known values hold 5 values; need 6");
        assertThatThrownBy(() -> inpaint.impute(new double[7], new double[6], new double[] {1}, null))
                .hasMessageContaining("not rows of 6");
        assertThatThrownBy(() -> inpaint.knownFromGray(new double[6])).hasMessageContaining("colorization");
        try (GaussianMixtureDenoiser model = GaussianMixtureDenoiser.of(GaussianMixture.gaussian(1, 4), Device.CPU);
                Generator g = Generator.ofSeeds(0, 1);
                Tensor x = Tensor.zeros(new long[] {2, 4}, DType.FLOAT64, Device.CPU)) {
            ImputingDenoiser wrong = new ImputingDenoiser(model, inpaint, () -> KNOWN_6, () -> g);
            assertThatThrownBy(() -> wrong.denoise(x, new double[] {1, 1})).hasMessageContaining("the mask covers 6");
        }
    }

    static final double[] KNOWN_6 = new double[6];
}
