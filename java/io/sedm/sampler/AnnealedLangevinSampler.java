package io.sedm.sampler;

import io.sedm.runtime.DType;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;

/**
 * Annealed Langevin dynamics of NCSN/NCSNv2 (Song &amp; Ermon, "Generative Modeling by Estimating
 * Gradients of the Data Distribution", NeurIPS 2019, Algorithm 1; Song &amp; Ermon, "Improved
 * Techniques for Training Score-Based Generative Models", NeurIPS 2020, with the final denoising
 * step; ermongroup/ncsnv2 {@code models/__init__.py}; docs/ALGORITHMS.md §13), following the code's
 * step convention (§16.7): for each level σ_i of the schedule (largest first, geometric in
 * NCSN), {@code γ_i = ε·σ_i²/σ_L²} and T times
 * <pre>
 *   x ← x + γ_i ∇log p_{σ_i}(x) + √(2γ_i) z = (1 − γ_i/σ_i²)x + (γ_i/σ_i²) D(x; σ_i) + √(2γ_i) z
 * </pre>
 * then the denoising step {@code x ← x + σ_L² ∇log p_{σ_L}(x) = D(x; σ_L)} (Tweedie). NFE = L·T + 1.
 * The start {@code x} is taken as given (NCSN draws U(0, 1)^D; any start works). NCSN's levels are
 * {@link io.sedm.schedule.NcsnSchedule#sigmas}.
 *
 * @param epsilon        ε ≥ 0, the step at the smallest level (NCSNv2 CIFAR-10: 6.2e−6; NCSN: 2e−5)
 * @param stepsPerLevel  T ≥ 1 (NCSNv2: 5; NCSN: 100)
 * @param denoiseLast    apply the final denoising step (NCSNv2: yes)
 */
public record AnnealedLangevinSampler(double epsilon, int stepsPerLevel, boolean denoiseLast) implements Sampler {
    public AnnealedLangevinSampler {
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
        }
        if (stepsPerLevel < 1) {
            throw new IllegalArgumentException("stepsPerLevel must be >= 1, got " + stepsPerLevel);
        }
    }

    /** NCSN (v1) CIFAR-10: ε = 2e−5, T = 100, with the denoising step. */
    public static AnnealedLangevinSampler defaults() {
        return new AnnealedLangevinSampler(2e-5, 100, true);
    }

    @Override
    public Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener) {
        Sampler.requireSchedule(sigmas);
        if (epsilon > 0) {
            Sampler.requireNoise(noise, x, "Langevin dynamics");
        }
        int batch = Math.toIntExact(x.batchSize());
        int levels = sigmas.length - 1;
        double sigmaLast = sigmas[levels - 1];
        try (Buffers buffers = new Buffers()) {
            Tensor state = buffers.own(x.to(x.device(), DType.FLOAT64));
            Tensor denoised = buffers.like(state);
            Tensor z = buffers.like(state);
            for (int i = 0; i < levels; i++) {
                double sigma = sigmas[i];
                double gamma = epsilon * sigma * sigma / (sigmaLast * sigmaLast);
                double[] sigmaPerSample = PerSample.filled(batch, sigma);
                double r = gamma / (sigma * sigma);
                for (int s = 0; s < stepsPerLevel; s++) {
                    denoiser.denoise(state, sigmaPerSample, denoised);
                    if (s == 0) {
                        listener.onStep(new SamplerStep(i, levels, sigma, sigmaPerSample, state, denoised));
                    }
                    if (gamma > 0) {
                        noise.normal(z);
                        Ops.combine(state, 1.0 - r, state, r, denoised, Math.sqrt(2.0 * gamma), z);
                    }
                }
            }
            if (denoiseLast) {
                // x + σ_L² ∇log p = D(x; σ_L)
                denoiser.denoise(state, PerSample.filled(batch, sigmaLast), denoised);
                state.copyFrom(denoised);
            }
            return buffers.take(state);
        }
    }
}
