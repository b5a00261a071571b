package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every EDM-family sampler at its customary step count lands on the §14.1 mixture: sliced
 * Wasserstein-1 to exact samples below a bound, while a deliberately broken variant exceeds it.
 */
class DistributionTest extends MixtureDistributionBase {

    @Test
    void exactSampleSetsAreWithinTheBoundOfEachOther() {
        assertThat(Fixtures.slicedWasserstein(A.sample(N, 99), exact, 2, 64)).isLessThan(BOUND);
    }

    @Test
    void edmHeunAndEulerAndChurn() {
        check("EDM Heun N=18", distance(new EdmSampler(), right, 18), distance(new EdmSampler(), wrong, 18));
        EdmSampler euler = new EdmSampler(EdmSampler.Options.edm().withSolver(Solver.EULER));
        check("EDM Euler N=35", distance(euler, right, 35), distance(euler, wrong, 35));
        EdmSampler churn = new EdmSampler(EdmSampler.Options.edm().withChurn(40, 0.05, 50, 1.003));
        // broken: churn noise of the wrong size (S_noise = 3) over-disperses the samples
        EdmSampler broken = new EdmSampler(EdmSampler.Options.edm().withChurn(40, 0.05, 50, 3));
        check("EDM Heun churn N=40", distance(churn, right, 40), distance(broken, right, 40));
    }

    @Test
    void epsilonScalingAndSedmGppWithTheOracle() {
        EdmSampler es =
                new EdmSampler(EdmSampler.Options.edm().withEpsilonScaling(EpsilonScaling.constant(1.0005)), null);
        // broken: λ = 1.5 shrinks the predicted noise far too much
        EdmSampler esBroken =
                new EdmSampler(EdmSampler.Options.edm().withEpsilonScaling(EpsilonScaling.constant(1.5)), null);
        check("EDM-ES Heun N=18", distance(es, right, 18), distance(esBroken, right, 18));
        try (GaussianMixtureDensity pa = Fixtures.toNative(A, Device.CPU)) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(pa, wrong.density());
            // SEDM-G++ guiding the wrong model with the exact oracle, weight 1 on both stages
            Function<Double, EdmSampler> guided = w -> new EdmSampler(
                    EdmSampler.Options.sedmGpp()
                            .withEpsilonScaling(EpsilonScaling.constant(1.0004))
                            .withGuidance(w, w)
                            .withWindow(0, 1),
                    oracle);
            // broken: the guidance sign flipped pushes further toward the wrong model
            check(
                    "SEDM-G++ oracle N=18",
                    distance(guided.apply(1.0), wrong, 18),
                    distance(guided.apply(-1.0), wrong, 18));
            // the headline settings (w1 = 1.67, w2 = 0, window [0.01, 1]; effective weight w1/2, §16.2) move
            // most of the way from B toward A (§14.3): measured 0.127 vs 0.296 unguided
            double unguided = distance(new EdmSampler(), wrong, 18);
            double headline = distance(new EdmSampler(EdmSampler.Options.sedmGpp(), oracle), wrong, 18);
            double boosted =
                    distance(new EdmSampler(EdmSampler.Options.sedmGpp().withBoosting(true), oracle), wrong, 18);
            System.out.printf(
                    "distribution unguided %.4f, SEDM-G++ headline %.4f, with boosting %.4f%n",
                    unguided, headline, boosted);
            assertThat(headline).isLessThan(0.5 * unguided);
            assertThat(boosted).isLessThan(0.5 * unguided);
        }
    }

    @Test
    void ddimDeterministicAndAncestral() {
        // DDIM η = 0 at 50 steps, η = 1 (DDPM ancestral, fixed small variance) at 200 steps; broken: the wrong model
        check("DDIM eta=0 N=50", distance(new DdimSampler(0), right, 50), distance(new DdimSampler(0), wrong, 50));
        check("DDIM eta=1 N=200", distance(new DdimSampler(1), right, 200), distance(new DdimSampler(1), wrong, 200));
    }
}
