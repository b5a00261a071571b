package io.sedm.guidance;

import io.sedm.runtime.Tensor;

/**
 * The guidance contract of Discriminator Guidance (Kim et al., "Refining Generative Process with
 * Discriminator Guidance in Score-based Diffusion Models", ICML 2023, eq. 8): a discriminator
 * {@code d_φ(x_vp, τ)} that tells real from generated noisy samples, seen through its logit
 * {@code ℓ = log(d/(1 − d))} and the gradient of that logit.
 *
 * <p>It lives in VP coordinates (docs/ALGORITHMS.md §7.2): input {@code x_vp = a·x} with
 * {@code a = 1/√(1 + σ²)} and VP time {@code τ ∈ [0, 1]} (β_0 = 0.1, β_1 = 20), never σ.
 */
public interface Discriminator {

    /**
     * Per sample the logit {@code ℓ_b} at {@code (x_vp_b, τ_b)} (unclamped); writes
     * {@code ∇_{x_vp} ℓ} into {@code gradOut} (x_vp's shape, float64 or float32).
     */
    double[] logitAndGradient(Tensor xVp, double[] tau, Tensor gradOut);
}
