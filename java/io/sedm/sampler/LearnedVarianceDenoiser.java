package io.sedm.sampler;

import io.sedm.runtime.Tensor;

/**
 * A denoiser that also predicts the reverse-step variance, as iDDPM's learned-range output
 * {@code v} (Nichol &amp; Dhariwal 2021, eq. 15; docs/ALGORITHMS.md §12.2): the log variance of the
 * step is {@code frac·log β_t + (1 − frac)·log β̃_t} with {@code frac = (v + 1)/2}.
 */
public interface LearnedVarianceDenoiser extends Denoiser {

    /** Writes {@code D(x; σ)} into {@code out} and the raw variance output {@code v} into {@code v}. */
    void denoise(Tensor x, double[] sigma, Tensor out, Tensor v);

    @Override
    default void denoise(Tensor x, double[] sigma, Tensor out) {
        try (Tensor v = x.emptyLike()) {
            denoise(x, sigma, out, v);
        }
    }
}
