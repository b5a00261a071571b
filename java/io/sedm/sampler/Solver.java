package io.sedm.sampler;

/** The ODE solver of an EDM-family sampler (Karras et al. 2022, Algorithm 1/2). */
public enum Solver {
    /** First order: one denoiser evaluation per step (NFE = N). */
    EULER,
    /** Second order: Euler predictor plus trapezoidal corrector except on the last step (NFE = 2N − 1). */
    HEUN
}
