package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.schedule.BetaSchedule;
import org.junit.jupiter.api.Test;

/** DDPM/iDDPM ancestral sampling (§12): variances, learned range, respacing, Gaussian recovery. */
class DdpmSamplerTest {

    /** A learned-variance model: the exact mixture denoiser with a constant raw output v. */
    static final class ConstantV implements LearnedVarianceDenoiser {
        private final Denoiser inner;
        private final double v;

        ConstantV(Denoiser inner, double v) {
            this.inner = inner;
            this.v = v;
        }

        @Override
        public void denoise(Tensor x, double[] sigma, Tensor out, Tensor vOut) {
            inner.denoise(x, sigma, out);
            vOut.fill(v);
        }
    }

    static double[] run(Sampler sampler, Denoiser d, double[] sigmas, int n, int dim, long seed) {
        try (Generator g = Generator.ofSeedRange(seed, n);
                Generator noise = Generator.ofSeedRange(seed + 777_777, n);
                Tensor z = Latents.draw(g, new long[] {n, dim}, Device.CPU);
                Tensor x0 = Latents.scaled(z, sigmas[0]);
                Tensor xN = sampler.sample(d, x0, sigmas, noise)) {
            return xN.toDoubleArray();
        }
    }

    private static DdpmSampler ddpm(DdpmSampler.Variance v) {
        return new DdpmSampler(DdpmSampler.Options.defaults().withVariance(v));
    }

    @Test
    void fixedSmallIsDdimWithEtaOneAndLearnedEndsAreFixed() {
        double[] sigmas = BetaSchedule.cosine(1000).sigmas("50");
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.mixtureA(), Device.CPU)) {
            double[] small = run(ddpm(DdpmSampler.Variance.FIXED_SMALL), d, sigmas, 32, 2, 1);
            double[] large = run(ddpm(DdpmSampler.Variance.FIXED_LARGE), d, sigmas, 32, 2, 1);
            double ddim = Fixtures.maxAbsDiff(small, run(new DdimSampler(1), d, sigmas, 32, 2, 1));
            DdpmSampler learned = ddpm(DdpmSampler.Variance.LEARNED_RANGE);
            double lo = Fixtures.maxAbsDiff(small, run(learned, new ConstantV(d, -1), sigmas, 32, 2, 1));
            double hi = Fixtures.maxAbsDiff(large, run(learned, new ConstantV(d, 1), sigmas, 32, 2, 1));
            System.out.printf(
                    "DDPM small vs DDIM(1) %.2e, learned v=-1 vs small %.2e, v=+1 vs large %.2e%n", ddim, lo, hi);
            // the same update written two ways (rounding only); exp(ln Σ) round-trips to a few ulp
            assertThat(ddim).isLessThan(1e-12);
            assertThat(lo).isLessThan(1e-12);
            assertThat(hi).isLessThan(1e-12);
            assertThat(Fixtures.maxAbsDiff(small, large)).isGreaterThan(1e-3);
        }
    }

    @Test
    void respacingKeepsTheChosenTimesteps() {
        // all steps kept is the identity
        assertThat(BetaSchedule.cosine(1000).sigmas("1000"))
                .containsExactly(BetaSchedule.cosine(1000).sigmas(null));
        assertThat(io.sedm.schedule.Respacing.spaceTimesteps(1000, "ddim50"))
                .hasSize(50)
                .startsWith(0, 20, 40)
                .endsWith(980);
        // improved-diffusion's docstring example: 300 timesteps, "10,15,20"
        int[] kept = io.sedm.schedule.Respacing.spaceTimesteps(300, "10,15,20");
        assertThat(kept).hasSize(45).startsWith(0, 11, 22).contains(99, 100, 199, 200, 299);
        double[] betas = io.sedm.schedule.BetaSchedule.cosine(4000).betas();
        double[] alphaBar = io.sedm.schedule.BetaSchedule.alphasCumprod(betas);
        for (int i = 0; i < betas.length; i++) {
            assertThat(betas[i]).isLessThanOrEqualTo(0.999);
            if (i > 0) {
                assertThat(alphaBar[i]).isLessThan(alphaBar[i - 1]);
            }
        }
        assertThat(alphaBar[3999]).isLessThan(1e-8);
        // the respaced levels are the full chain's levels at the kept indices
        double[] full = BetaSchedule.linear(1000).sigmas(null);
        double[] spaced = BetaSchedule.linear(1000).sigmas("ddim50");
        assertThat(spaced[0]).isEqualTo(full[1000 - 1 - 980]);
        assertThat(spaced[49]).isEqualTo(full[999]);
    }

    @Test
    void ancestralSamplingReproducesGaussianData() {
        double c = 0.5;
        int n = 20_000;
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.gaussian(c, 1), Device.CPU)) {
            double[][] cases = new double[4][];
            String[] names = {
                "small linear T=1000", "large linear T=1000", "learned v=0 cosine 4000->100", "large cosine 4000->100"
            };
            double[] full = BetaSchedule.linear(1000).sigmas(null);
            double[] spaced = BetaSchedule.cosine(4000).sigmas("100");
            cases[0] = run(ddpm(DdpmSampler.Variance.FIXED_SMALL), d, full, n, 1, 0);
            cases[1] = run(ddpm(DdpmSampler.Variance.FIXED_LARGE), d, full, n, 1, 0);
            cases[2] = run(ddpm(DdpmSampler.Variance.LEARNED_RANGE), new ConstantV(d, 0), spaced, n, 1, 0);
            cases[3] = run(ddpm(DdpmSampler.Variance.FIXED_LARGE), d, spaced, n, 1, 0);
            for (int k = 0; k < cases.length; k++) {
                double mean = 0;
                double sq = 0;
                for (double v : cases[k]) {
                    mean += v;
                    sq += v * v;
                }
                mean /= n;
                double std = Math.sqrt(sq / n - mean * mean);
                System.out.printf("DDPM %-30s mean %+.4f std %.4f (c = %.1f)%n", names[k], mean, std, c);
                // sampling error: s.e. of the std 1/√(2n) = 0.5 %, of the mean c/√n = 0.0035
                assertThat(Math.abs(std / c - 1)).as(names[k]).isLessThan(0.02);
                assertThat(Math.abs(mean)).as(names[k]).isLessThan(0.015);
            }
        }
    }
}
