package io.sedm.guidance;

/**
 * The VP-SDE clock the discriminator runs on (Song et al. 2021, VP SDE with β(τ) = β_0 +
 * τ(β_1 − β_0); ALGORITHMS.md §7.2): {@code B(τ) = ½τ²(β_1 − β_0) + β_0τ},
 * {@code σ(τ) = √(e^{B(τ)} − 1)}, signal scale {@code a = e^{−B/2} = 1/√(1 + σ²)}.
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
        double l = Math.log1p(sigma * sigma);
        double betaD = BETA_MAX - BETA_MIN;
        return 2.0 * l / (BETA_MIN + Math.sqrt(BETA_MIN * BETA_MIN + 2.0 * betaD * l));
    }

    /** σ(τ) = √(exp(½τ²(β_1 − β_0) + β_0τ) − 1). */
    public static double sigma(double tau) {
        return Math.sqrt(Math.expm1(0.5 * tau * tau * (BETA_MAX - BETA_MIN) + BETA_MIN * tau));
    }

    /** The VP signal coefficient a = 1/√(1 + σ²). */
    public static double scale(double sigma) {
        return 1.0 / Math.sqrt(1.0 + sigma * sigma);
    }
}
