package io.sedm.sampler;

import io.sedm.runtime.DType;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;

/**
 * DDIM with stochasticity η (Song, Meng &amp; Ermon, "Denoising Diffusion Implicit Models", ICLR 2021,
 * eq. 12 with σ_t(η) of eq. 16), written in EDM coordinates. With {@code ᾱ = 1/(1 + σ²)},
 * {@code x_vp = √ᾱ·x} and {@code ε̂ = (x − D(x; σ_t))/σ_t}, the DDIM update from σ_t to σ_s divided
 * by √ᾱ_s becomes
 * <pre>
 *   σ_up   = η · σ_s · √(σ_t² − σ_s²) / σ_t          (= σ_t(η)·√(1 + σ_s²))
 *   σ_down = √(σ_s² − σ_up²)
 *   x_s    = D + σ_down · ε̂ + σ_up · z
 * </pre>
 * η = 0 is deterministic DDIM (identical to an Euler step of the probability-flow ODE in σ);
 * η = 1 is DDPM ancestral sampling with the fixed small variance β̃ (Ho et al. 2020, eq. 7).
 * The last step (σ_s = 0) returns D.
 *
 * @param eta η ∈ [0, 1]
 */
public record DdimSampler(double eta) implements Sampler {
    public DdimSampler {
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
        }
    }

    @Override
    public Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener) {
        Sampler.requireSchedule(sigmas);
        if (eta > 0) {
            Sampler.requireNoise(noise, x, "eta > 0");
        }
        int batch = Math.toIntExact(x.batchSize());
        int n = sigmas.length - 1;
        try (Buffers buffers = new Buffers()) {
            Tensor state = buffers.own(x.to(x.device(), DType.FLOAT64));
            Tensor denoised = buffers.like(state);
            Tensor z = eta > 0 ? buffers.like(state) : null;
            for (int i = 0; i < n; i++) {
                double sigmaT = sigmas[i];
                double sigmaS = sigmas[i + 1];
                double[] sigmaHat = PerSample.filled(batch, sigmaT);
                denoiser.denoise(state, sigmaHat, denoised);
                listener.onStep(new SamplerStep(i, n, sigmaT, sigmaHat, state, denoised));
                double sigmaUp = eta * sigmaS * Math.sqrt(sigmaT * sigmaT - sigmaS * sigmaS) / sigmaT;
                double sigmaDown = Math.sqrt(Math.max(sigmaS * sigmaS - sigmaUp * sigmaUp, 0.0));
                double cx = sigmaDown / sigmaT; // x_s = D + σ_down (x − D)/σ_t + σ_up z
                if (sigmaUp > 0) {
                    noise.normal(z);
                    Ops.combine(state, cx, state, 1.0 - cx, denoised, sigmaUp, z);
                } else {
                    Ops.combine(state, cx, state, 1.0 - cx, denoised);
                }
            }
            return buffers.take(state);
        }
    }
}
