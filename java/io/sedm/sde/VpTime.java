package io.sedm.sde;

import io.sedm.schedule.VpSchedule;

/**
 * The VP-SDE clock the discriminator runs on (Song et al. 2021, VP SDE with β(τ) = β_0 +
 * τ(β_1 − β_0); docs/ALGORITHMS.md §7.2): {@code B(τ) = ½τ²(β_1 − β_0) + β_0τ},
 * {@code σ(τ) = √(e^{B(τ)} − 1)}, signal scale {@code a = e^{−B/2} = 1/√(1 + σ²)}; the
 * discriminator-training importance sampler of τ (§8); and the cosine-VP clock of improved DDPM
 * (Nichol &amp; Dhariwal 2021, eq. 17 in continuous time) used for 64×64 discriminators.
 */
public final class VpTime {
    /** β_0 of alsdudrla10/DG {@code classifier_lib.py}. */
    public static final double BETA_MIN = 0.1;
    /** β_1 of the same. */
    public static final double BETA_MAX = 20.0;

    private VpTime() {}

    /**
     * {@code τ(σ) = (−β_0 + √(β_0² + 2(β_1 − β_0) ln(1 + σ²)))/(β_1 − β_0)}, evaluated without the
     * cancellation at small σ as {@code 2 ln(1 + σ²)/(β_0 + √(β_0² + 2(β_1 − β_0) ln(1 + σ²)))}.
     */
    public static double tau(double sigma) {
        return VpSchedule.sigmaInv(BETA_MAX - BETA_MIN, BETA_MIN, sigma);
    }

    /** σ(τ) = √(exp(½τ²(β_1 − β_0) + β_0τ) − 1): EDM's VP schedule with β_d = β_1 − β_0. */
    public static double sigma(double tau) {
        return VpSchedule.sigma(BETA_MAX - BETA_MIN, BETA_MIN, tau);
    }

    /** The VP signal coefficient a = 1/√(1 + σ²). */
    public static double scale(double sigma) {
        return 1.0 / Math.sqrt(1.0 + sigma * sigma);
    }

    /** B(τ) = ½τ²(β_1 − β_0) + β_0τ, the integrated β. */
    public static double integratedBeta(double tau) {
        return 0.5 * tau * tau * (BETA_MAX - BETA_MIN) + BETA_MIN * tau;
    }

    /** a(τ) = exp(−B(τ)/2), the VP signal coefficient as a function of time. */
    public static double signal(double tau) {
        return Math.exp(-0.5 * integratedBeta(tau));
    }

    /** A(τ) = ln(e^{B(τ)} − 1), the antiderivative of the §8 importance density β/(1 − e^{−B}). */
    static double logExpm1B(double tau) {
        return Math.log(Math.expm1(integratedBeta(tau)));
    }

    /** Z = A(1) − A(τ_min), the normaliser of the importance density (≈ 23.8645 for τ_min = 1e−5). */
    public static double importanceNormalizer(double tauMin) {
        return logExpm1B(1.0) - logExpm1B(tauMin);
    }

    /**
     * Inverse CDF of the DG training-time density ∝ β(τ)/(1 − e^{−B(τ)}) on [τ_min, 1]
     * (alsdudrla10/DG; docs/ALGORITHMS.md §8): {@code τ = (−β_0 + √(β_0² + 2(β_1−β_0) ln(1 + e^{Z u + A(τ_min)})))/(β_1−β_0)}.
     *
     * @param u a uniform draw in [0, 1)
     */
    public static double importanceTau(double u, double tauMin) {
        double inner = Math.log1p(Math.exp(importanceNormalizer(tauMin) * u + logExpm1B(tauMin)));
        return (-BETA_MIN + Math.sqrt(BETA_MIN * BETA_MIN + 2 * (BETA_MAX - BETA_MIN) * inner)) / (BETA_MAX - BETA_MIN);
    }

    /** Cosine-VP σ(τ) = √(1/ᾱ(τ) − 1) with ᾱ(τ) = cos²((τ + s)/(1 + s)·π/2)/cos²(s/(1 + s)·π/2), s = 0.008. */
    public static double cosineSigma(double tau) {
        double f0 = cos2(0.0);
        double alphaBar = cos2(tau) / f0;
        return Math.sqrt(1.0 / alphaBar - 1.0);
    }

    /** The inverse of {@link #cosineSigma}: τ = (1 + s)·(2/π)·acos(√(f(0)/(1 + σ²))) − s, for τ ∈ [0, 1). */
    public static double cosineTau(double sigma) {
        double s = 0.008;
        double alphaBar = 1.0 / (1.0 + sigma * sigma);
        return (1.0 + s) * 2.0 / Math.PI * Math.acos(Math.sqrt(alphaBar * cos2(0.0))) - s;
    }

    private static double cos2(double tau) {
        double s = 0.008;
        double c = Math.cos((tau + s) / (1.0 + s) * Math.PI / 2.0);
        return c * c;
    }
}
