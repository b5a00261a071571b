package io.sedm.sampler;

import io.sedm.runtime.Tensor;

/**
 * The one model contract every sampler talks to (k-diffusion's "denoiser" view, EDM eq. 7):
 * given a noisy batch {@code x = y + σ n} and one noise level per sample, estimate the clean
 * data {@code D(x; σ) ≈ E[y | x]}. The implied noise is {@code ε̂ = (x − D)/σ} and the implied
 * score {@code ∇ log p_σ(x) ≈ (D − x)/σ²} (docs/ALGORITHMS.md §0), so score- and ε-parameterised
 * samplers (score SDE, DDPM, DDIM, NCSN) are all driven through this interface.
 *
 * <p>A conditional model binds its labels before it is handed to a sampler.
 */
public interface Denoiser extends SigmaRange {

    /**
     * Writes {@code D(x_b; σ_b)} into {@code out} for every sample b.
     *
     * @param x     the noisy batch {@code [B, ...]} (samplers pass float64 state)
     * @param sigma one noise level per sample, all {@code > 0}
     * @param out   same shape and device as {@code x}; may have another floating dtype
     */
    void denoise(Tensor x, double[] sigma, Tensor out);

    /** A new tensor shaped like {@code x} holding {@code D(x; σ)}. */
    default Tensor denoise(Tensor x, double[] sigma) {
        Tensor out = x.emptyLike();
        try {
            denoise(x, sigma, out);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }
}
