package io.sedm.sampler;

import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;

/**
 * Every sampler has the same shape (k-diffusion style): it integrates from {@code x} at the
 * first level of a σ schedule down the schedule, which is a plain array of decreasing noise
 * levels ending in 0. A sampler is an immutable value (its options); the loop state of one run
 * lives in a per-run object created and closed inside {@link #sample}, so one sampler can run
 * many batches, concurrently, with no state leaking between them.
 */
public interface Sampler {

    /**
     * Runs the sampler.
     *
     * @param denoiser the model
     * @param x        the start, {@code x_0 = σ_0 · z} (float64, any device); not modified
     * @param sigmas   σ_0 &gt; σ_1 &gt; … &gt; σ_{N−1} &gt; 0 followed by σ_N = 0
     * @param noise    per-seed draws for stochastic steps (one seed per sample); may be null for
     *                 a deterministic configuration
     * @param listener per-step observer; {@link StepListener#NONE} for none
     * @return a new float64 tensor holding x_N on the device of {@code x}
     */
    Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener);

    default Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise) {
        return sample(denoiser, x, sigmas, noise, StepListener.NONE);
    }

    /**
     * Checks the k-diffusion schedule contract: at least one positive level, strictly
     * decreasing, finite, ending in exactly 0.
     */
    static void requireSchedule(double[] sigmas) {
        if (sigmas == null || sigmas.length < 2) {
            throw new IllegalArgumentException("sigmas must hold at least one positive level followed by 0, got "
                    + (sigmas == null ? "null" : sigmas.length + " values"));
        }
        if (sigmas[sigmas.length - 1] != 0.0) {
            throw new IllegalArgumentException("sigmas must end in 0, got " + sigmas[sigmas.length - 1]);
        }
        for (int i = 0; i < sigmas.length - 1; i++) {
            if (!(sigmas[i] > sigmas[i + 1]) || !Double.isFinite(sigmas[i])) {
                throw new IllegalArgumentException("sigmas must be finite and strictly decreasing; sigmas[" + i + "] = "
                        + sigmas[i] + ", sigmas[" + (i + 1) + "] = " + sigmas[i + 1]);
            }
        }
    }

    /** Throws unless a generator with one seed per sample is present. */
    static void requireNoise(Generator noise, Tensor x, String why) {
        if (noise == null) {
            throw new IllegalArgumentException("a noise generator is required for " + why);
        }
        if (noise.count() != x.batchSize()) {
            throw new IllegalArgumentException("the noise generator holds " + noise.count()
                    + " seeds but the batch has " + x.batchSize() + " samples");
        }
    }
}
