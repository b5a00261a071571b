package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** EDM's ablation sampler (§5): reduction to §4, the ES Euler path (§14.2) and its discretizations. */
class GeneralizedEdmSamplerTest {
    private static final GaussianMixture A = Fixtures.mixtureA();

    private static double[] run(Sampler sampler, Denoiser d, double[] sigmas, int n, long seed) {
        try (Generator g = Generator.ofSeedRange(seed, n);
                Generator noise = Generator.ofSeedRange(seed + 500, n);
                Tensor z = Latents.draw(g, new long[] {n, 2}, Device.CPU);
                Tensor x0 = Latents.scaled(z, sigmas[0]);
                Tensor xN = sampler.sample(d, x0, sigmas, noise)) {
            return xN.toDoubleArray();
        }
    }

    @Test
    void edmLinearNoneReducesToTheEdmSampler() {
        double[] sigmas = Fixtures.edmSigmas(18);
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(A, Device.CPU)) {
            GeneralizedEdmSampler.Options base = GeneralizedEdmSampler.Options.defaults();
            assertThat(base.discretization().sigmas(18, d.sigmaMin(), d.sigmaMax()))
                    .containsExactly(sigmas);
            double heun = Fixtures.maxAbsDiff(
                    run(new GeneralizedEdmSampler(base), d, sigmas, 64, 0), run(new EdmSampler(), d, sigmas, 64, 0));
            double euler = Fixtures.maxAbsDiff(
                    run(new GeneralizedEdmSampler(base.withSolver(Solver.EULER, 1)), d, sigmas, 64, 0),
                    run(new EdmSampler(EdmSampler.Options.edm().withSolver(Solver.EULER)), d, sigmas, 64, 0));
            double churn = Fixtures.maxAbsDiff(
                    run(new GeneralizedEdmSampler(base.withChurn(40, 0.05, 50, 1.003)), d, sigmas, 64, 0),
                    run(new EdmSampler(EdmSampler.Options.edm().withChurn(40, 0.05, 50, 1.003)), d, sigmas, 64, 0));
            System.out.printf("ablation vs EDM: Heun %.2e, Euler %.2e, churn %.2e%n", heun, euler, churn);
            // float64 rounding only: the corrector sits at σ̂ + h instead of σ_{i+1} (§5)
            assertThat(heun).isLessThan(1e-13);
            assertThat(euler).isLessThan(1e-13);
            assertThat(churn).isLessThan(1e-13);
        }
    }

    @Test
    void eulerEpsilonScalingMatchesTheScalarRecursion() {
        // §14.2: N = 13 Euler, c = 0.5; λ = 1 and λ = 1.0048
        double[] sigmas = Fixtures.edmSigmas(13);
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(Fixtures.gaussian(0.5, 1), Device.CPU);
                Tensor x0 = Tensor.of(new double[] {1.0}, new long[] {1, 1}, Device.CPU)) {
            GeneralizedEdmSampler.Options euler =
                    GeneralizedEdmSampler.Options.defaults().withSolver(Solver.EULER, 1);
            double[] lambdas = {1.0, 1.0048};
            double[] expected = {0.00493287076005913, 0.00510721624622034};
            for (int k = 0; k < 2; k++) {
                try (Tensor xN = new GeneralizedEdmSampler(
                                euler.withEpsilonScaling(EpsilonScaling.constant(lambdas[k])))
                        .sample(d, x0, sigmas, null)) {
                    double factor = xN.toDoubleArray()[0];
                    // the reference factors are given to 15 digits
                    assertThat(Math.abs(factor / expected[k] - 1))
                            .as("λ = %s", lambdas[k])
                            .isLessThan(1e-12);
                }
            }
        }
    }

    @Test
    void heunEpsilonScalingLeavesTheCorrectorUnscaled() {
        // §16.4: ES on the first evaluation only; differs from the EDM-ES Heun path that scales both
        double[] sigmas = Fixtures.edmSigmas(18);
        try (GaussianMixtureDenoiser d = Fixtures.denoiser(A, Device.CPU)) {
            EpsilonScaling es = EpsilonScaling.constant(1.01);
            double[] ablation = run(
                    new GeneralizedEdmSampler(
                            GeneralizedEdmSampler.Options.defaults().withEpsilonScaling(es)),
                    d,
                    sigmas,
                    8,
                    3);
            double[] both = run(new EdmSampler(EdmSampler.Options.edm().withEpsilonScaling(es), null), d, sigmas, 8, 3);
            double[] plain = run(new EdmSampler(), d, sigmas, 8, 3);
            assertThat(Fixtures.maxAbsDiff(ablation, both)).isGreaterThan(1e-6);
            assertThat(Fixtures.maxAbsDiff(ablation, plain)).isGreaterThan(1e-6);
        }
    }
}
