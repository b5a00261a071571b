package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sde.VpTime;
import org.junit.jupiter.api.Test;

/** docs/ALGORITHMS.md §9 tests (a)–(c) and the §14.3 oracle recovery, on the 2-D mixture of §14.1. */
class SedmGppEquivalenceTest {
    private static final int BATCH = 16;
    private static final GaussianMixture A = Fixtures.mixtureA();
    private static final GaussianMixture B = Fixtures.mixtureB();

    private static Tensor start(double[] sigmas) {
        try (Generator g = Generator.ofSeedRange(100, BATCH);
                Tensor z = Latents.draw(g, new long[] {BATCH, 2}, Device.CPU)) {
            return Latents.scaled(z, sigmas[0]);
        }
    }

    private static double[] run(Sampler sampler, Denoiser d, double[] sigmas) {
        try (Tensor x0 = start(sigmas);
                Generator noise = Generator.ofSeedRange(500, BATCH);
                Tensor xN = sampler.sample(d, x0, sigmas, noise)) {
            return xN.toDoubleArray();
        }
    }

    @Test
    void everyPresetWithLambdaOneAndNoGuidanceIsEdmBitForBit() {
        double[] sigmas = Fixtures.edmSigmas(18);
        try (GaussianMixtureDensity pa = Fixtures.toNative(A, Device.CPU);
                GaussianMixtureDenoiser d = Fixtures.denoiser(B, Device.CPU)) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(pa, d.density());
            for (Solver solver : Solver.values()) {
                // deterministic, and with churn (same per-seed noise stream)
                for (double churn : new double[] {0, 30}) {
                    EdmSampler edm = new EdmSampler(
                            EdmSampler.Options.edm().withSolver(solver).withChurn(churn, 0.01, 50, 1.003));
                    double[] expected = run(edm, d, sigmas);
                    for (EdmSampler.Options preset : new EdmSampler.Options[] {
                        EdmSampler.Options.edmEs(), EdmSampler.Options.edmGpp(), EdmSampler.Options.sedmGpp()
                    }) {
                        // §9 (a): λ = 1, w1 = 0 → EDM; the discriminator is present but never evaluated
                        EdmSampler stripped = new EdmSampler(
                                preset.withSolver(solver)
                                        .withChurn(churn, 0.01, 50, 1.003)
                                        .withEpsilonScaling(EpsilonScaling.none())
                                        .withGuidance(0, 0),
                                oracle);
                        assertThat(run(stripped, d, sigmas)).containsExactly(expected);
                    }
                }
            }
        }
    }

    @Test
    void presetsAreThePublishedSettings() {
        EdmSampler.Options edm = EdmSampler.Options.edm();
        // EDM (Karras et al. 2022, §4): deterministic Heun
        assertThat(edm.solver()).isEqualTo(Solver.HEUN);
        assertThat(edm.churn()).isEqualTo(new Churn(0, 0, Double.POSITIVE_INFINITY, 1));
        assertThat(edm.epsilonScaling()).isEqualTo(EpsilonScaling.none());
        assertThat(edm.guidance().active()).isFalse();
        // EDM-ES (§6.1 table, uncond Heun 35 NFE): λ = 1.0005, no DG
        assertThat(EdmSampler.Options.edmEs()).isEqualTo(edm.withEpsilonScaling(EpsilonScaling.constant(1.0005)));
        // EDM-G++ (§7.5): w1 = 2, w2 = 0, window [0.01, 1], no boosting, no ES
        assertThat(EdmSampler.Options.edmGpp())
                .isEqualTo(edm.withGuidance(new EdmSampler.Guidance(2.0, 0, 0.01, 1.0, false)));
        // SEDM-G++ (§9): λ = 1.0004 and w1 = 1.67 on top of EDM-G++'s window
        assertThat(EdmSampler.Options.sedmGpp())
                .isEqualTo(EdmSampler.Options.edmGpp()
                        .withEpsilonScaling(EpsilonScaling.constant(1.0004))
                        .withGuidance(1.67, 0));
    }

    @Test
    void noGuidanceIsEdmEsAndLambdaOneIsEdmGpp() {
        double[] sigmas = Fixtures.edmSigmas(18);
        try (GaussianMixtureDensity pa = Fixtures.toNative(A, Device.CPU);
                GaussianMixtureDenoiser d = Fixtures.denoiser(B, Device.CPU)) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(pa, d.density());
            double[] x0;
            try (Tensor t = start(sigmas)) {
                x0 = t.toDoubleArray();
            }
            for (Solver solver : Solver.values()) {
                // (b) w = 0 → EDM-ES (ES on both Heun evaluations, §6.1)
                EdmSampler.Options es = EdmSampler.Options.sedmGpp()
                        .withSolver(solver)
                        .withGuidance(0, 0)
                        .withEpsilonScaling(EpsilonScaling.constant(1.0048));
                double[] ref = reference(x0, sigmas, solver, 1.0048, 0, 0.01, 1);
                // independent float64 implementation: 35 steps of rounding on O(1) values
                assertThat(Fixtures.maxAbsDiff(run(new EdmSampler(es, null), d, sigmas), ref))
                        .isLessThan(1e-12);
                // (c) λ = 1 → EDM-G++ (DG on the predictor only, window [0.01, 1])
                EdmSampler.Options gpp = EdmSampler.Options.sedmGpp()
                        .withSolver(solver)
                        .withEpsilonScaling(EpsilonScaling.none())
                        .withGuidance(2.0, 0);
                ref = reference(x0, sigmas, solver, 1, 2.0, 0.01, 1);
                assertThat(Fixtures.maxAbsDiff(run(new EdmSampler(gpp, oracle), d, sigmas), ref))
                        .isLessThan(1e-12);
            }
        }
    }

    @Test
    void oracleGuidedWrongModelRetracesTheRightModel() {
        double[] sigmas = Fixtures.edmSigmas(18);
        try (GaussianMixtureDenoiser right = Fixtures.denoiser(A, Device.CPU);
                GaussianMixtureDenoiser wrong = Fixtures.denoiser(B, Device.CPU)) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(right.density(), wrong.density());
            EdmSampler.Options exact = EdmSampler.Options.sedmGpp()
                    .withEpsilonScaling(EpsilonScaling.none())
                    .withGuidance(1, 1)
                    .withWindow(0, 1);
            double[] guided = run(new EdmSampler(exact, oracle), wrong, sigmas);
            double[] truth = run(new EdmSampler(), right, sigmas);
            double err = Fixtures.maxAbsDiff(guided, truth);
            // D_B + σ²·(D_A − D_B)/σ² = D_A up to rounding (plus σ→τ→σ round trips): ~1e-15 per step
            assertThat(err).isLessThan(1e-12);
            // and unguided, the wrong model really is different
            assertThat(Fixtures.maxAbsDiff(run(new EdmSampler(), wrong, sigmas), truth))
                    .isGreaterThan(1e-3);
        }
    }

    /** A plain-Java SEDM-G++ (deterministic) with the model B denoiser and the exact A/B oracle. */
    private static double[] reference(
            double[] x0, double[] s, Solver solver, double lambda, double w1, double tauMin, double tauMax) {
        int n = s.length - 1;
        double[] x = x0.clone();
        for (int i = 0; i < n; i++) {
            double[] d = slope(x, s[i], lambda);
            double tau = VpTime.tau(s[i]);
            if (w1 != 0 && tau >= tauMin && tau <= tauMax) {
                double[] gradA = A.denoiseBatch(x, fill(s[i]));
                double[] gradB = B.denoiseBatch(x, fill(s[i]));
                for (int j = 0; j < x.length; j++) {
                    d[j] -= w1 * s[i] * (gradA[j] - gradB[j]) / (s[i] * s[i]);
                }
            }
            double h = s[i + 1] - s[i];
            double[] xNext = new double[x.length];
            for (int j = 0; j < x.length; j++) {
                xNext[j] = x[j] + h * d[j];
            }
            if (solver == Solver.HEUN && i < n - 1) {
                double[] d2 = slope(xNext, s[i + 1], lambda);
                for (int j = 0; j < x.length; j++) {
                    xNext[j] = x[j] + h * (0.5 * d[j] + 0.5 * d2[j]);
                }
            }
            x = xNext;
        }
        return x;
    }

    private static double[] slope(double[] x, double sigma, double lambda) {
        double[] den = B.denoiseBatch(x, fill(sigma));
        double[] d = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            d[j] = (x[j] - den[j]) / sigma / lambda;
        }
        return d;
    }

    private static double[] fill(double v) {
        double[] a = new double[BATCH];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
