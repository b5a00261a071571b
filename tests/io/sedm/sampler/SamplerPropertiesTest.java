package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-seed determinism, convergence order, the step record and the exposure-bias probe. */
class SamplerPropertiesTest {
    private static final GaussianMixture A = Fixtures.mixtureA();

    /** Churned SEDM-G++ with boosting: every random draw in play. Samples seeds [first, first + n). */
    private static double[] sampleSeeds(Device device, long first, int n) {
        double[] sigmas = Fixtures.edmSigmas(18);
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.mixtureB(), device);
                io.sedm.runtime.GaussianMixtureDensity pa = Fixtures.toNative(A, device)) {
            EdmSampler sampler = new EdmSampler(
                    EdmSampler.Options.sedmGpp().withChurn(10, 0.05, 50, 1.003).withBoosting(true),
                    new GaussianMixtureOracle(pa, d.density()));
            try (Generator latents = Generator.ofSeedRange(first, n);
                    Generator noise = Generator.ofSeedRange(first + 1_000_000, n);
                    Tensor z = Latents.draw(latents, new long[] {n, 2}, device);
                    Tensor x0 = Latents.scaled(z, sigmas[0]);
                    Tensor xN = sampler.sample(d, x0, sigmas, noise)) {
                return xN.toDoubleArray();
            }
        }
    }

    @Test
    void sampleIDependsOnlyOnItsSeed() {
        double[] batch64 = sampleSeeds(Device.CPU, 0, 64);
        double[] batch7 = sampleSeeds(Device.CPU, 3, 7);
        double[] batch1 = sampleSeeds(Device.CPU, 5, 1);
        // bit-identical: every op is per sample, the noise is counter-based per seed
        assertThat(Arrays.copyOfRange(batch64, 6, 20)).containsExactly(batch7);
        assertThat(Arrays.copyOfRange(batch64, 10, 12)).containsExactly(batch1);
    }

    @Test
    @Tag("cuda")
    void cudaSamplesMatchCpuSamples() {
        Assumptions.assumeTrue(Device.cudaDeviceCount() > 0, "no CUDA device");
        double[] cpu = sampleSeeds(Device.CPU, 0, 16);
        double[] gpu = sampleSeeds(Device.cuda(0), 0, 16);
        // same float64 formulas; CUDA reductions/exp may differ in the last ulps, amplified mildly over 35 steps
        assertThat(Fixtures.maxAbsDiff(cpu, gpu)).isLessThan(1e-9);
    }

    /** |x_N/x_0 − continuous factor| for the deterministic ODE on Gaussian data. */
    private static double odeError(Solver solver, int n) {
        double c = 0.5;
        double sigmaMax = 80;
        double[] sigmas = Fixtures.edmSigmas(n, 0.002, sigmaMax, 7);
        // the exact ODE solution from σ_max to σ_{N−1} (the last, Euler, step is D itself), then D at σ_{N−1}
        double sLast = sigmas[n - 1];
        double exact =
                Math.sqrt((c * c + sLast * sLast) / (c * c + sigmaMax * sigmaMax)) * c * c / (c * c + sLast * sLast);
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.gaussian(c, 1), Device.CPU);
                Tensor x0 = Tensor.of(new double[] {1.0}, new long[] {1, 1}, Device.CPU);
                Tensor xN = new EdmSampler(EdmSampler.Options.edm().withSolver(solver)).sample(d, x0, sigmas, null)) {
            return Math.abs(xN.toDoubleArray()[0] - exact) / exact;
        }
    }

    @Test
    void eulerIsFirstOrderAndHeunSecondOrder() {
        for (int n : new int[] {64, 128, 256}) {
            double eulerRatio = odeError(Solver.EULER, n) / odeError(Solver.EULER, 2 * n);
            double heunRatio = odeError(Solver.HEUN, n) / odeError(Solver.HEUN, 2 * n);
            // asymptotic ratios 2 and 4; at these N the higher-order terms move them by a few per cent
            assertThat(eulerRatio).as("Euler error ratio at N = %d", n).isBetween(1.8, 2.2);
            assertThat(heunRatio).as("Heun error ratio at N = %d", n).isBetween(3.6, 4.4);
        }
    }

    @Test
    void listenerSeesEveryStepAndTheProbeWritesTheEpsilonNorms(@TempDir Path dir) throws Exception {
        double[] sigmas = Fixtures.edmSigmas(18);
        List<Double> seen = new ArrayList<>();
        ExposureBiasProbe probe = new ExposureBiasProbe();
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(A, Device.CPU);
                Generator g = Generator.ofSeedRange(0, 32);
                Tensor z = Latents.draw(g, new long[] {32, 2}, Device.CPU);
                Tensor x0 = Latents.scaled(z, sigmas[0])) {
            StepListener record = step -> {
                assertThat(step.i()).isEqualTo(seen.size());
                assertThat(step.steps()).isEqualTo(18);
                assertThat(step.sigmaHat()).containsOnly(step.sigma());
                seen.add(step.sigma());
            };
            new EdmSampler().sample(d, x0, sigmas, null, record.andThen(probe)).close();
        }
        assertThat(seen).hasSize(18);
        assertThat(seen.get(0)).isEqualTo(80.0);
        List<ExposureBiasProbe.Row> rows = probe.rows();
        assertThat(rows).hasSize(18);
        // at σ = 80 the data are negligible: ε̂ ≈ z, so ‖ε̂‖ ≈ √2·(mean of a χ_2) ≈ 1.25 ± 0.12 for 32 samples
        assertThat(rows.get(0).mean()).isBetween(1.0, 1.5);
        assertThat(rows.get(0).count()).isEqualTo(32);
        Path csv = dir.resolve("eps.csv");
        probe.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(19);
        assertThat(lines.get(0)).isEqualTo("step,sigma,count,eps_l2_mean,eps_l2_std");
        assertThat(lines.get(1)).startsWith("0,80.");
    }

    @Test
    void deterministicDdimIsTheEulerStepOfTheProbabilityFlowOde() {
        double[] sigmas = Fixtures.edmSigmas(18);
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(A, Device.CPU);
                Generator g = Generator.ofSeedRange(0, 16);
                Tensor z = Latents.draw(g, new long[] {16, 2}, Device.CPU);
                Tensor x0 = Latents.scaled(z, sigmas[0]);
                Tensor ddim = new DdimSampler(0).sample(d, x0, sigmas, null);
                Tensor euler =
                        new EdmSampler(EdmSampler.Options.edm().withSolver(Solver.EULER)).sample(d, x0, sigmas, null)) {
            // same update written two ways (D + σ_s ε̂ vs x + (σ_s − σ_t) ε̂): float64 rounding only
            assertThat(Fixtures.maxAbsDiff(ddim.toDoubleArray(), euler.toDoubleArray()))
                    .isLessThan(1e-12);
        }
    }
}
