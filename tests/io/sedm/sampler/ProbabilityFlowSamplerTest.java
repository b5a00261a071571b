package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.schedule.NcsnSchedule;
import io.sedm.sde.ScoreSde;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The probability-flow ODE (§11.2): RK45 against the closed-form Gaussian solution, NFE, per-sample steps. */
class ProbabilityFlowSamplerTest {

    /** Max relative error of y(t_end) against the EDM closed form on N(0, c² I), and the max per-sample NFE. */
    private static double[] rk45Error(ScoreSde sde, double tol) {
        double c = 0.5;
        double[] sigmas = sde.sigmas(2, sde.defaultEps());
        ProbabilityFlowSampler sampler = new ProbabilityFlowSampler(ProbabilityFlowSampler.Options.defaults()
                .withSde(sde)
                .withTolerances(tol, tol)
                .withDenoise(false));
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.gaussian(c, 2), Device.CPU);
                Generator g = Generator.ofSeedRange(0, 8);
                Tensor z = Latents.draw(g, new long[] {8, 2}, Device.CPU);
                Tensor x0 = Latents.scaled(z, sigmas[0]);
                ProbabilityFlowSampler.Result r = sampler.integrate(d, x0, sigmas, StepListener.NONE)) {
            // EDM form of the same ODE: x(σ) = x(σ_0)·√((c² + σ²)/(c² + σ_0²)), and y = s(t)·x
            double tEnd = sde.time(sigmas[1]);
            double sigmaEnd = sde.sigma(tEnd);
            double factor =
                    sde.scale(tEnd) * Math.sqrt((c * c + sigmaEnd * sigmaEnd) / (c * c + sigmas[0] * sigmas[0]));
            double[] start = x0.toDoubleArray();
            double[] end = r.x().toDoubleArray();
            double err = 0;
            for (int i = 0; i < start.length; i++) {
                double expected = factor * start[i];
                err = Math.max(err, Math.abs(end[i] - expected) / Math.abs(expected));
            }
            return new double[] {err, Arrays.stream(r.nfe()).max().orElseThrow()};
        }
    }

    @Test
    void rk45ReachesTheClosedFormToItsTolerance() {
        for (ScoreSde sde : new ScoreSde[] {ScoreSde.ve(), ScoreSde.vp(), ScoreSde.subVp()}) {
            double[] loose = rk45Error(sde, 1e-5);
            double[] tight = rk45Error(sde, 1e-8);
            System.out.printf(
                    "RK45 %-6s rtol=atol=1e-5: rel err %.2e, NFE %d; 1e-8: rel err %.2e, NFE %d%n",
                    sde.type(), loose[0], (int) loose[1], tight[0], (int) tight[1]);
            // the global error of an adaptive run is a small multiple of the local tolerance
            // (measured 1.0e-5 VE, 2.6e-5 VP, 1.4e-4 sub-VP at 1e-5; all below 1.5e-8 at 1e-8)
            assertThat(loose[0]).as("%s at 1e-5", sde.type()).isLessThan(3e-4);
            assertThat(tight[0]).as("%s at 1e-8", sde.type()).isLessThan(1e-7);
            assertThat(tight[1]).isGreaterThan(loose[1]);
        }
    }

    @Test
    void rk45StopsAtTheEvaluationCapWithAClearMessage() {
        ScoreSde sde = ScoreSde.vp();
        double[] sigmas = sde.sigmas(2, sde.defaultEps());
        // rtol = atol = 1e-300 cannot be met: without a cap the step size shrinks forever
        ProbabilityFlowSampler sampler = new ProbabilityFlowSampler(ProbabilityFlowSampler.Options.defaults()
                .withTolerances(1e-300, 1e-300)
                .withMaxEvaluations(500));
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.mixtureA(), Device.CPU)) {
            assertThatThrownBy(() -> run(sampler, d, sigmas, 0, 3))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("maxEvaluations = 500")
                    .hasMessageContaining("rtol = 1.0E-300")
                    .hasMessageContaining("atol = 1.0E-300")
                    .hasMessageContaining("accepted")
                    .hasMessageContaining("rejected steps");
        }
    }

    @Test
    void rk45CapDefaultsToTenThousandAndLeavesOrdinaryRunsAlone() {
        assertThat(ProbabilityFlowSampler.Options.defaults().maxEvaluations()).isEqualTo(10_000);
        assertThat(new ProbabilityFlowSampler.Options(
                                ScoreSde.vp(), ProbabilityFlowSampler.Method.RK45, 1e-5, 1e-5, true)
                        .maxEvaluations())
                .isEqualTo(ProbabilityFlowSampler.Options.DEFAULT_MAX_EVALUATIONS);
        assertThatThrownBy(() -> ProbabilityFlowSampler.Options.defaults().withMaxEvaluations(0))
                .hasMessageContaining("maxEvaluations must be >= 1");
        // a cap just above what a 1e-5 run spends changes nothing: the run is bit for bit the uncapped one
        ScoreSde sde = ScoreSde.vp();
        double[] sigmas = sde.sigmas(2, sde.defaultEps());
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.mixtureA(), Device.CPU)) {
            ProbabilityFlowSampler free = new ProbabilityFlowSampler(ProbabilityFlowSampler.Options.defaults());
            int used;
            try (Generator g = Generator.ofSeedRange(0, 4);
                    Tensor z = Latents.draw(g, new long[] {4, 2}, Device.CPU);
                    Tensor x0 = Latents.scaled(z, sigmas[0]);
                    ProbabilityFlowSampler.Result r = free.integrate(d, x0, sigmas, StepListener.NONE)) {
                used = Arrays.stream(r.nfe()).max().orElseThrow();
            }
            ProbabilityFlowSampler capped = new ProbabilityFlowSampler(
                    ProbabilityFlowSampler.Options.defaults().withMaxEvaluations(used));
            assertThat(run(capped, d, sigmas, 0, 4)).containsExactly(run(free, d, sigmas, 0, 4));
        }
    }

    @Test
    void rk45StepsArePerSample() {
        ScoreSde sde = ScoreSde.vp();
        double[] sigmas = sde.sigmas(2, sde.defaultEps());
        ProbabilityFlowSampler sampler = new ProbabilityFlowSampler(ProbabilityFlowSampler.Options.defaults());
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.mixtureA(), Device.CPU)) {
            double[] batch = run(sampler, d, sigmas, 0, 6);
            double[] single = run(sampler, d, sigmas, 4, 1);
            assertThat(Arrays.copyOfRange(batch, 8, 10)).containsExactly(single);
        }
    }

    private static double[] run(Sampler sampler, Denoiser d, double[] sigmas, long first, int n) {
        try (Generator g = Generator.ofSeedRange(first, n);
                Tensor z = Latents.draw(g, new long[] {n, 2}, Device.CPU);
                Tensor x0 = Latents.scaled(z, sigmas[0]);
                Tensor xN = sampler.sample(d, x0, sigmas, null)) {
            return xN.toDoubleArray();
        }
    }

    @Test
    void annealedLangevinEndsWithTheTweedieStep() {
        // with ε = 0 the Langevin steps are identities, so the output is exactly D(x_0; σ_L) (§13)
        double[] sigmas = NcsnSchedule.sigmas(1.0, 0.01, 4);
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.mixtureA(), Device.CPU);
                Generator g = Generator.ofSeedRange(0, 5);
                Tensor z = Latents.draw(g, new long[] {5, 2}, Device.CPU);
                Tensor out = new AnnealedLangevinSampler(0, 3, true).sample(d, z, sigmas, null);
                Tensor direct = d.denoise(z, PerSample.filled(5, 0.01))) {
            assertThat(out.toDoubleArray()).containsExactly(direct.toDoubleArray());
        }
    }
}
