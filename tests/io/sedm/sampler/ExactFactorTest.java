package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.data.toy.GaussianScalarRecursion;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import io.sedm.runtime.Tensor;
import org.junit.jupiter.api.Test;

/**
 * docs/ALGORITHMS.md §14.2: on Gaussian data every EDM-family sampler maps x ↦ (factor)·x; the factors
 * are reproduced by the real native path (native mixture denoiser, native oracle, fused steps).
 */
class ExactFactorTest {
    /** float64 throughout; the reference values have ~15 digits, 35 steps of rounding stay far below 1e-9. */
    private static final double REL_TOL = 1e-9;

    private static final double[] START = {80, -40, 8, 0.5};

    /** Runs the sampler on x0 = START ([2, 2]) and returns the per-element ratios x_N / x_0. */
    private static double[] factors(Sampler sampler, GaussianMixtureDenoiser denoiser, int n) {
        try (Tensor x0 = Tensor.of(START, new long[] {2, 2}, Device.CPU);
                Tensor xN = sampler.sample(denoiser, x0, Fixtures.edmSigmas(n), null)) {
            double[] out = xN.toDoubleArray();
            for (int i = 0; i < out.length; i++) {
                out[i] /= START[i];
            }
            return out;
        }
    }

    private static void assertFactor(double[] got, double expected) {
        for (double f : got) {
            assertThat(Math.abs(f / expected - 1))
                    .as("factor %s vs %s", f, expected)
                    .isLessThan(REL_TOL);
        }
    }

    /** The §14.2 scalar recursion ({@link GaussianScalarRecursion}), to cross-check the listed constants. */
    static double recursion(
            int n,
            boolean heun,
            double c,
            double cm,
            double lambda,
            double w1,
            double w2,
            double tauMin,
            double tauMax) {
        return new GaussianScalarRecursion(c, cm, lambda, w1, w2, tauMin, tauMax).factor(n, heun);
    }

    @Test
    void edmHeunEighteenLevels() {
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.gaussian(0.5, 2), Device.CPU)) {
            assertFactor(factors(new EdmSampler(), d, 18), 0.00659530796251309);
            assertThat(recursion(18, true, 0.5, 0.5, 1, 0, 0, 0, 1) / 0.00659530796251309 - 1)
                    .isLessThan(1e-13);
        }
    }

    @Test
    void edmEulerThirteenLevelsWithAndWithoutEpsilonScaling() {
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.gaussian(0.5, 2), Device.CPU)) {
            assertFactor(
                    factors(new EdmSampler(EdmSampler.Options.edm().withSolver(Solver.EULER)), d, 13),
                    0.00493287076005913);
            EdmSampler.Options es = EdmSampler.Options.edm()
                    .withSolver(Solver.EULER)
                    .withEpsilonScaling(EpsilonScaling.constant(1.0048));
            assertFactor(factors(new EdmSampler(es, null), d, 13), 0.00510721624622034);
        }
    }

    @Test
    void epsilonScaledHeun() {
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.gaussian(0.5, 2), Device.CPU)) {
            EdmSampler.Options es = EdmSampler.Options.edm().withEpsilonScaling(EpsilonScaling.constant(1.0004));
            assertFactor(factors(new EdmSampler(es, null), d, 18), 0.00660743942335601);
        }
    }

    @Test
    void sedmGppWithTheOracleDiscriminator() {
        GaussianMixture data = Fixtures.gaussian(0.5, 2);
        GaussianMixture model = Fixtures.gaussian(0.55, 2);
        try (GaussianMixtureDensity pa = Fixtures.toNative(data, Device.CPU);
                GaussianMixtureDenoiser d = Fixtures.denoiser(model, Device.CPU)) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(pa, d.density());
            // headline settings: λ = 1.0004, w1 = 1.67, w2 = 0, window [0.01, 1]
            assertFactor(factors(new EdmSampler(EdmSampler.Options.sedmGpp(), oracle), d, 18), 0.00686297449008465);
            assertThat(Math.abs(recursion(18, true, 0.5, 0.55, 1.0004, 1.67, 0, 0.01, 1) / 0.00686297449008465 - 1))
                    .isLessThan(1e-13);
            // weight 1 on both stages, window [0, 1], λ = 1: the oracle turns the 0.55 model into the 0.5 data exactly
            EdmSampler.Options exact = EdmSampler.Options.sedmGpp()
                    .withEpsilonScaling(EpsilonScaling.none())
                    .withGuidance(1, 1)
                    .withWindow(0, 1);
            assertFactor(factors(new EdmSampler(exact, oracle), d, 18), 0.00659530796251309);
        }
    }
}
