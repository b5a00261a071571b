package io.sedm.guidance;

import io.sedm.runtime.Tensor;

/**
 * A noise-aware classifier {@code p_φ(y | x, σ)} (Dhariwal &amp; Nichol, "Diffusion Models Beat GANs
 * on Image Synthesis", NeurIPS 2021, §4.1: trained on noisy x_t), seen in EDM coordinates
 * ({@code x = y + σ n}, docs/ALGORITHMS.md §0) through the log probability of a chosen class and
 * its gradient in x — what classifier guidance adds to the score.
 */
public interface NoisyClassifier {

    /** K, the number of classes. */
    int classes();

    /**
     * Per row {@code log p_φ(y_b | x_b, σ_b)}; writes {@code ∇_x log p_φ(y_b | x_b, σ_b)} into
     * {@code gradOut} (x's shape and dtype).
     *
     * @param classes y_b ∈ [0, K) per row
     */
    double[] logProbability(Tensor x, double[] sigma, int[] classes, Tensor gradOut);
}
