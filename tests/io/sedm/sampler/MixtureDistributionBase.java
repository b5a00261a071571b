package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared target of the distribution tests: 2000 exact draws of the §14.1 mixture A, its exact
 * denoiser ("right") and the wrong model B's ("wrong"), and the sliced-W1 check with its bound.
 */
abstract class MixtureDistributionBase {
    static final int N = 2000;
    /**
     * Two independent exact 2000-sample sets of this mixture are ~0.035 apart in sliced W (sampling
     * noise, measured 0.037 for the seeds below); 0.06 leaves room for that plus discretisation error.
     */
    static final double BOUND = 0.06;

    static final GaussianMixture A = Fixtures.mixtureA();
    static double[] exact;
    static GaussianMixtureDenoiser right;
    static GaussianMixtureDenoiser wrong;

    @BeforeAll
    static void setUpMixtures() {
        exact = A.sample(N, 7);
        right = Fixtures.denoiser(A, Device.CPU);
        wrong = Fixtures.denoiser(Fixtures.mixtureB(), Device.CPU);
    }

    @AfterAll
    static void closeMixtures() {
        right.close();
        wrong.close();
    }

    /** Sliced W1 (64 fixed directions) between N samples of {@code sampler} and the exact draws. */
    static double distance(Sampler sampler, Denoiser d, double[] sigmas) {
        try (Generator g = Generator.ofSeedRange(0, N);
                Generator noise = Generator.ofSeedRange(10_000, N);
                Tensor z = Latents.draw(g, new long[] {N, 2}, Device.CPU);
                Tensor x0 = Latents.scaled(z, sigmas[0]);
                Tensor xN = sampler.sample(d, x0, sigmas, noise)) {
            return Fixtures.slicedWasserstein(xN.toDoubleArray(), exact, 2, 64);
        }
    }

    /** The same on the EDM ρ schedule with {@code steps} levels. */
    static double distance(Sampler sampler, Denoiser d, int steps) {
        return distance(sampler, d, Fixtures.edmSigmas(steps));
    }

    /** The sampler lands within the bound; its broken variant does not. */
    static void check(String name, double good, double broken) {
        System.out.printf("distribution %-36s sliced-W %.4f, broken %.4f%n", name, good, broken);
        assertThat(good).as(name).isLessThan(BOUND);
        assertThat(broken).as(name + " (broken)").isGreaterThan(BOUND);
    }
}
