package io.sedm.precond;

import io.sedm.schedule.VpSchedule;
import java.util.random.RandomGenerator;

/**
 * Training-time noise-level distributions p(σ) and loss weights λ(σ) of the EDM, VP and VE
 * losses (Karras et al. 2022, Table 1 "Training" rows and eq. 8; NVlabs/edm
 * {@code training/loss.py}; docs/ALGORITHMS.md §3).
 */
public final class TrainingNoise {
    /** EDM's P_mean, P_std and σ_data. */
    public static final double P_MEAN = -1.2;

    public static final double P_STD = 1.2;
    public static final double SIGMA_DATA = 0.5;

    private TrainingNoise() {}

    /** EDM: ln σ ~ N(P_mean, P_std²). */
    public static double edmSigma(RandomGenerator rng, double pMean, double pStd) {
        return Math.exp(pMean + pStd * rng.nextGaussian());
    }

    /** VP: t ~ U(ε_t, 1), σ = σ_vp(t) (β_d = 19.9, β_min = 0.1, ε_t = 1e−5 in EDM's VPLoss). */
    public static double vpSigma(RandomGenerator rng, double betaD, double betaMin, double epsilonT) {
        return VpSchedule.sigma(betaD, betaMin, 1.0 + rng.nextDouble() * (epsilonT - 1.0));
    }

    /** VE: σ = σ_min(σ_max/σ_min)^u, u ~ U(0, 1) (log-uniform; [0.02, 100] in EDM's VELoss). */
    public static double veSigma(RandomGenerator rng, double sigmaMin, double sigmaMax) {
        return sigmaMin * Math.pow(sigmaMax / sigmaMin, rng.nextDouble());
    }

    /** EDM's λ(σ) = (σ² + σ_d²)/(σ·σ_d)² = 1/c_out(σ)² (effective target has unit weight). */
    public static double edmWeight(double sigma, double sigmaData) {
        return (sigma * sigma + sigmaData * sigmaData) / (sigma * sigmaData * sigma * sigmaData);
    }

    /** The VP/VE (and DDPM ε-MSE) weight λ(σ) = 1/σ². */
    public static double inverseSquareWeight(double sigma) {
        return 1.0 / (sigma * sigma);
    }

    /** One σ per sample from a distribution, e.g. {@code rng -> edmSigma(rng, P_MEAN, P_STD)}. */
    public static double[] draw(
            RandomGenerator rng, int batch, java.util.function.ToDoubleFunction<RandomGenerator> distribution) {
        double[] s = new double[batch];
        for (int b = 0; b < batch; b++) {
            s[b] = distribution.applyAsDouble(rng);
        }
        return s;
    }
}
