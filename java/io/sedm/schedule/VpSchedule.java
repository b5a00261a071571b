package io.sedm.schedule;

/**
 * The VP noise schedule in EDM's form (Karras et al. 2022, Table 1; docs/ALGORITHMS.md §2, §5):
 * {@code σ(t) = √(exp(½β_d t² + β_min t) − 1)}. EDM's VPPrecond uses β_d = 19.9, β_min = 0.1.
 */
public final class VpSchedule {
    public static final double BETA_D = 19.9;
    public static final double BETA_MIN = 0.1;

    private VpSchedule() {}

    /** σ(t) = √(exp(½β_d t² + β_min t) − 1). */
    public static double sigma(double betaD, double betaMin, double t) {
        return Math.sqrt(Math.expm1(0.5 * betaD * t * t + betaMin * t));
    }

    /** σ'(t) = ½(β_min + β_d t)(σ + 1/σ). */
    public static double sigmaDeriv(double betaD, double betaMin, double t) {
        double sigma = sigma(betaD, betaMin, t);
        return 0.5 * (betaMin + betaD * t) * (sigma + 1.0 / sigma);
    }

    /**
     * σ⁻¹(σ) = (√(β_min² + 2β_d ln(σ² + 1)) − β_min)/β_d, evaluated as
     * {@code 2 ln(1 + σ²)/(β_min + √(β_min² + 2β_d ln(1 + σ²)))} to avoid cancellation at small σ.
     */
    public static double sigmaInv(double betaD, double betaMin, double sigma) {
        double l = Math.log1p(sigma * sigma);
        return 2.0 * l / (betaMin + Math.sqrt(betaMin * betaMin + 2.0 * betaD * l));
    }

    /**
     * β_d and β_min re-derived from a σ range for EDM's generalised sampler with the vp
     * discretisation (§5): {@code β_d = 2(ln(σ_min²+1)/ε_s − ln(σ_max²+1))/(ε_s − 1)},
     * {@code β_min = ln(σ_max²+1) − β_d/2}, so that σ(1) = σ_max and σ(ε_s) = σ_min.
     *
     * @return {β_d, β_min}
     */
    public static double[] betasForRange(double sigmaMin, double sigmaMax, double epsilonS) {
        double betaD =
                2.0 * (Math.log1p(sigmaMin * sigmaMin) / epsilonS - Math.log1p(sigmaMax * sigmaMax)) / (epsilonS - 1.0);
        double betaMin = Math.log1p(sigmaMax * sigmaMax) - 0.5 * betaD;
        return new double[] {betaD, betaMin};
    }
}
