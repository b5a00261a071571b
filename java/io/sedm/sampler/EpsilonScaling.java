package io.sedm.sampler;

/**
 * Epsilon Scaling (Ning et al., "Elucidating the Exposure Bias in Diffusion Models", ICLR 2024,
 * eq. 10; docs/ALGORITHMS.md §6): the predicted noise is divided by {@code λ_i = b + κ·i} (i = sampler
 * step counted from σ_max, the SEDM-G++ convention of §16.3) before the solver uses it:
 * {@code d = ε̂/λ_i}. {@code b = 1, κ = 0} is no scaling and reproduces the baseline bit for bit.
 *
 * <p>The two forms a sampler uses, written only here: the slope form of EDM-ES ({@link #slopeScale},
 * §6.1: {@code d = (x − D)/(σ λ_i)}) and the scaled-denoiser form of the ablation sampler and ADM-ES
 * ({@link #denoisedTerm}, §6.1/§6.2: {@code D̃ = x − (x − D)/λ}, i.e. {@code x̂_0 = x − σ ε̂/λ}).
 *
 * @param b     the constant part (uniform schedule: λ = b; EDM-ES CIFAR-10 Heun-35: 1.0005)
 * @param kappa the per-step slope κ (0 = uniform, the recommended form)
 */
public record EpsilonScaling(double b, double kappa) {
    public EpsilonScaling {
        if (!(b > 0) || Double.isInfinite(b)) {
            throw new IllegalArgumentException("epsilon-scaling b must be finite and > 0, got " + b);
        }
        if (!Double.isFinite(kappa)) {
            throw new IllegalArgumentException("epsilon-scaling kappa must be finite, got " + kappa);
        }
    }

    /** λ = 1: no scaling. */
    public static EpsilonScaling none() {
        return new EpsilonScaling(1.0, 0.0);
    }

    /** Uniform λ = b. */
    public static EpsilonScaling constant(double b) {
        return new EpsilonScaling(b, 0.0);
    }

    /** λ_i = b + κ·i. */
    public static EpsilonScaling linear(double b, double kappa) {
        return new EpsilonScaling(b, kappa);
    }

    /** λ_i for step i; throws if the linear schedule has left (0, ∞). */
    public double lambda(int i) {
        double lambda = b + kappa * i;
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("epsilon-scaling lambda_" + i + " = " + b + " + " + kappa + "·" + i
                    + " = " + lambda + " must be > 0");
        }
        return lambda;
    }

    /**
     * The EDM-ES slope coefficient {@code 1/(σ λ_i)}: {@code d = (x − D(x; σ))/(σ λ_i) = ε̂/λ_i}
     * (Ning et al. 2024, eq. 10 in EDM's d-space; forever208/EDM-ES {@code generate.py}; §6.1).
     */
    public double slopeScale(double sigma, int i) {
        return 1.0 / (sigma * lambda(i));
    }

    /**
     * What a term {@code c·D̃} contributes to the coefficients of x and D when the network sees
     * {@code x/s} and {@code D̃ = x/s − (x/s − D)/λ = (1 − 1/λ)·x/s + D/λ} (§6.1 ablation path, §6.2
     * ADM form): {@code {c·(1 − 1/λ)/s, c/λ}}. λ = 1 gives {@code {0, c}}.
     */
    public static double[] denoisedTerm(double c, double s, double lambda) {
        return new double[] {c * (1.0 - 1.0 / lambda) / s, c / lambda};
    }
}
