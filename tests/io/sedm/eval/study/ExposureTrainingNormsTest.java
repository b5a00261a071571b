package io.sedm.eval.study;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.ExposureBiasProbe;
import io.sedm.sampler.GaussianMixtureDenoiser;
import org.junit.jupiter.api.Test;

/**
 * The training-time reference of the exposure-bias curves against its closed form. For data
 * N(0, c² I_d) the exact denoiser is D(x) = c²/(c² + σ²)·x, so at x = x₀ + σn the predicted noise
 * ε̂ = (x − D)/σ = σx/(c² + σ²) is N(0, s² I_d) with s² = σ²/(c² + σ²), and
 * E‖ε̂‖ = s·√2·Γ((d+1)/2)/Γ(d/2) (the chi distribution's mean).
 */
class ExposureTrainingNormsTest {
    @Test
    void matchesTheChiMeanForGaussianData() {
        int d = 64;
        int n = 4000;
        double c = 0.5;
        double[] sigmas = {80, 5, 0.5, 0.05, 0.002, 0};
        try (GaussianMixtureDenoiser exact = GaussianMixtureDenoiser.of(GaussianMixture.gaussian(c, d), Device.CPU);
                Generator g0 = Generator.ofSeedRange(0, n);
                Tensor z = g0.normal(new long[] {n, d}, DType.FLOAT64, Device.CPU);
                Tensor x0 = z.emptyLike();
                Generator g = Generator.ofSeedRange(10_000, n)) {
            io.sedm.runtime.Ops.combine(x0, c, z);
            double[] got = ExposureBiasProbe.trainingNorms(exact, x0, sigmas, g);
            double chi = Math.sqrt(2) * Math.exp(lgamma((d + 1) / 2.0) - lgamma(d / 2.0));
            for (int i = 0; i < sigmas.length - 1; i++) {
                double s = sigmas[i] / Math.sqrt(c * c + sigmas[i] * sigmas[i]);
                double expected = s * chi;
                // ‖ε̂‖/s is chi_d: its std is ≈ 1/√2 = 0.71, so the mean of n = 4000 has s.e.
                // 0.71·s/√4000 ≈ 0.011·s; 5 s.e. = 0.056·s.
                assertThat(got[i])
                        .as("σ = " + sigmas[i])
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(0.056 * s));
            }
            assertThat(got[sigmas.length - 1]).isNaN();
        }
    }

    /** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error < 1e-13). */
    private static double lgamma(double x) {
        double[] p = {
            0.99999999999980993,
            676.5203681218851,
            -1259.1392167224028,
            771.32342877765313,
            -176.61502916214059,
            12.507343278686905,
            -0.13857109526572012,
            9.9843695780195716e-6,
            1.5056327351493116e-7
        };
        x -= 1;
        double a = p[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) a += p[i] / (x + i);
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }
}
