package io.sedm.sampler;

/**
 * Observes a sampler run, once per step, right after the step's first denoiser evaluation
 * (k-diffusion's {@code callback}). The record's tensors are the run's own buffers: read them
 * during the call, never keep or close them.
 */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = step -> {};

    void onStep(SamplerStep step);

    /** Calls {@code this}, then {@code next}. */
    default StepListener andThen(StepListener next) {
        return step -> {
            onStep(step);
            next.onStep(step);
        };
    }
}
