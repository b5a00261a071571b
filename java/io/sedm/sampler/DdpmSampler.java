package io.sedm.sampler;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.util.Objects;

/**
 * DDPM ancestral sampling (Ho et al., "Denoising Diffusion Probabilistic Models", NeurIPS 2020,
 * Algorithm 2 with the posterior mean of eq. 7) with the variance choices of Nichol &amp; Dhariwal,
 * "Improved Denoising Diffusion Probabilistic Models", ICML 2021 (fixed small β̃_t, fixed large β_t,
 * learned range eq. 15; docs/ALGORITHMS.md §12.2), written in EDM coordinates.
 *
 * <p>A (respaced) discrete chain is a σ schedule: {@code σ_j = √(1/ᾱ_{S_j} − 1)} for the kept
 * timesteps S_j, largest first ({@link io.sedm.schedule.BetaSchedule#sigmas(String)}). With
 * {@code ᾱ = 1/(1 + σ²)} one step from
 * σ_t to σ_s uses the rebuilt {@code β = 1 − ᾱ_t/ᾱ_s} (§12.5) and the posterior
 * {@code μ = coef1·x̂_0 + coef2·x_t}; divided by √ᾱ_s (x = x_vp/√ᾱ) it becomes
 * <pre>
 *   r   = σ_s²/σ_t²
 *   x̂_0 = x − σ_t ε̂/λ = (1 − 1/λ)x + D/λ           (D = D(x; σ_t), ES §6.2 with λ = 1 by default)
 *   x_s = (1 − r)·x̂_0 + r·x_t + √(Σ_t (1 + σ_s²))·z
 *   Σ_t = β̃_t = (σ_t² − σ_s²)σ_s²/(σ_t²(1 + σ_s²))     fixed small
 *       = β_t = (σ_t² − σ_s²)/(1 + σ_t²)                  fixed large
 *       = exp(frac·ln β_t + (1 − frac)·ln β̃_t), frac = (v + 1)/2   learned range
 * </pre>
 * No noise is added on the last step (σ_s = 0), which returns x̂_0. Fixed small is
 * {@link DdimSampler} with η = 1. x̂_0 is not clipped to [−1, 1] (no native clamp yet).
 *
 * <p>The learned-range noise {@code exp(½ ln Σ)·z} is elementwise nonlinear in the model's
 * {@code v}; until a native op exists it is formed on the Java heap, the one exception to the
 * rule that sampler loops never copy a batch through the heap.
 */
public record DdpmSampler(Options options) implements Sampler {

    /** The reverse-step variance Σ_t. */
    public enum Variance {
        /** β̃_t, the posterior variance (DDPM "fixedsmall"). */
        FIXED_SMALL,
        /** β_t (DDPM "fixedlarge"). */
        FIXED_LARGE,
        /** iDDPM's learned interpolation; the model must be a {@link LearnedVarianceDenoiser}. */
        LEARNED_RANGE
    }

    /**
     * @param variance       Σ_t choice
     * @param epsilonScaling λ_t dividing the predicted noise (ADM-ES, §6.2); {@link EpsilonScaling#none()} = DDPM
     */
    public record Options(Variance variance, EpsilonScaling epsilonScaling) {
        public Options {
            if (variance == null || epsilonScaling == null) {
                throw new IllegalArgumentException("variance and epsilonScaling must not be null");
            }
        }

        /** Fixed large variance (the DDPM CIFAR-10 choice), no ES. */
        public static Options defaults() {
            return new Options(Variance.FIXED_LARGE, EpsilonScaling.none());
        }

        public Options withVariance(Variance v) {
            return new Options(v, epsilonScaling);
        }

        public Options withEpsilonScaling(EpsilonScaling es) {
            return new Options(variance, es);
        }
    }

    public DdpmSampler {
        Objects.requireNonNull(options, "options");
    }

    @Override
    public Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener) {
        Sampler.requireSchedule(sigmas);
        if (sigmas.length > 2) {
            Sampler.requireNoise(noise, x, "DDPM ancestral sampling");
        }
        LearnedVarianceDenoiser learned = null;
        if (options.variance() == Variance.LEARNED_RANGE) {
            if (!(denoiser instanceof LearnedVarianceDenoiser l)) {
                throw new IllegalArgumentException("variance LEARNED_RANGE needs a LearnedVarianceDenoiser, got "
                        + denoiser.getClass().getSimpleName());
            }
            learned = l;
        }
        int batch = Math.toIntExact(x.batchSize());
        int n = sigmas.length - 1;
        try (Buffers buffers = new Buffers()) {
            Tensor state = buffers.own(x.to(x.device(), DType.FLOAT64));
            Tensor denoised = buffers.like(state);
            Tensor z = buffers.like(state);
            Tensor v = learned != null ? buffers.like(state) : null;
            for (int i = 0; i < n; i++) {
                double sigmaT = sigmas[i];
                double sigmaS = sigmas[i + 1];
                double[] sigmaHat = PerSample.filled(batch, sigmaT);
                if (learned != null) {
                    learned.denoise(state, sigmaHat, denoised, v);
                } else {
                    denoiser.denoise(state, sigmaHat, denoised);
                }
                listener.onStep(new SamplerStep(i, n, sigmaT, sigmaHat, state, denoised));
                double lambda = options.epsilonScaling().lambda(i);
                double r = sigmaS * sigmaS / (sigmaT * sigmaT);
                // x_s = (1 − r)·x̂_0 + r·x with x̂_0 = D̃ = (1 − 1/λ)x + D/λ (ES, §6.2)
                double[] term = EpsilonScaling.denoisedTerm(1.0 - r, 1.0, lambda);
                double cx = term[0] + r;
                double cd = term[1];
                if (sigmaS == 0.0) {
                    Ops.combine(state, cx, state, cd, denoised);
                    continue;
                }
                double diff = sigmaT * sigmaT - sigmaS * sigmaS;
                double beta = diff / (1.0 + sigmaT * sigmaT);
                double betaTilde = diff * sigmaS * sigmaS / (sigmaT * sigmaT * (1.0 + sigmaS * sigmaS));
                noise.normal(z);
                if (learned == null) {
                    double var = options.variance() == Variance.FIXED_SMALL ? betaTilde : beta;
                    double cz = Math.sqrt(var * (1.0 + sigmaS * sigmaS));
                    Ops.combine(state, cx, state, cd, denoised, cz, z);
                } else {
                    learnedNoise(z, v, Math.log(beta), Math.log(betaTilde), Math.sqrt(1.0 + sigmaS * sigmaS));
                    Ops.combine(state, cx, state, cd, denoised, 1.0, z);
                }
            }
            return buffers.take(state);
        }
    }

    /** z ← exp(½(frac·ln β + (1 − frac)·ln β̃))·scale·z with frac = (v + 1)/2 (on the heap; see the class notes). */
    private static void learnedNoise(Tensor z, Tensor v, double logBeta, double logBetaTilde, double scale) {
        double[] zs = z.toDoubleArray();
        double[] vs = v.toDoubleArray();
        for (int k = 0; k < zs.length; k++) {
            double frac = (vs[k] + 1.0) / 2.0;
            zs[k] *= Math.exp(0.5 * (frac * logBeta + (1.0 - frac) * logBetaTilde)) * scale;
        }
        try (Tensor host = Tensor.of(zs, z.shape(), Device.CPU)) {
            z.copyFrom(host);
        }
    }
}
