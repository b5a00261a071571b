package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The samplers beyond EDM (ablation presets, DDPM/iDDPM, score SDE, probability-flow ODE, annealed
 * Langevin) at their customary step counts land on the §14.1 mixture within the sliced-W bound of
 * {@link DistributionTest}; each has a broken variant that exceeds it.
 */
class MoreSamplersDistributionTest {
    private static final int N = 2000;
    /** Same bound and reasoning as {@link DistributionTest}: ~0.035 sampling noise between exact sets. */
    private static final double BOUND = 0.06;
    private static final Fixtures.Mixture A = Fixtures.mixtureA();
    private static double[] exact;
    private static GaussianMixtureDenoiser right;
    private static GaussianMixtureDenoiser wrong;

    @BeforeAll
    static void setUp() {
        exact = A.sample(N, 7);
        right = A.denoiser(Device.CPU);
        wrong = Fixtures.mixtureB().denoiser(Device.CPU);
    }

    @AfterAll
    static void tearDown() {
        right.close();
        wrong.close();
    }

    static double distance(Sampler sampler, Denoiser d, double[] sigmas) {
        try (Generator g = Generator.ofSeedRange(0, N); Generator noise = Generator.ofSeedRange(10_000, N);
                Tensor z = Latents.draw(g, new long[] {N, 2}, Device.CPU); Tensor x0 = Latents.scaled(z, sigmas[0]);
                Tensor xN = sampler.sample(d, x0, sigmas, noise)) {
            return Fixtures.slicedWasserstein(xN.toDoubleArray(), exact, 2, 64);
        }
    }

    private static void check(String name, double good, double broken) {
        System.out.printf("distribution %-36s sliced-W %.4f, broken %.4f%n", name, good, broken);
        assertThat(good).as(name).isLessThan(BOUND);
        assertThat(broken).as(name + " (broken)").isGreaterThan(BOUND);
    }

    @Test
    void scoreSdePredictorCorrector() {
        ScoreSde ve = ScoreSde.ve();
        ScoreSdeSampler pcVe = new ScoreSdeSampler(ScoreSdeSampler.Options.ve());
        // broken: snr 10× too large over-disperses every level
        ScoreSdeSampler pcVeBroken = new ScoreSdeSampler(ScoreSdeSampler.Options.ve().withCorrector(ScoreSdeSampler.Corrector.LANGEVIN, 1.6, 1));
        double[] veSigmas = ve.sigmas(1000, ve.defaultEps());
        check("score-SDE VE RD+Langevin N=1000", distance(pcVe, right, veSigmas), distance(pcVeBroken, right, veSigmas));
        ScoreSde vp = ScoreSde.vp();
        double[] vpSigmas = vp.sigmas(1000, vp.defaultEps());
        ScoreSdeSampler em = new ScoreSdeSampler(ScoreSdeSampler.Options.vp());
        check("score-SDE VP Euler-Maruyama N=1000", distance(em, right, vpSigmas), distance(em, wrong, vpSigmas));
        ScoreSde sub = ScoreSde.subVp();
        double[] subSigmas = sub.sigmas(1000, sub.defaultEps());
        ScoreSdeSampler subEm = new ScoreSdeSampler(ScoreSdeSampler.Options.vp().withSde(sub));
        check("score-SDE sub-VP Euler-Maruyama N=1000", distance(subEm, right, subSigmas), distance(subEm, wrong, subSigmas));
    }
}
