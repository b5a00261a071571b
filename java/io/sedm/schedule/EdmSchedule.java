package io.sedm.schedule;

import java.util.function.DoubleUnaryOperator;

/**
 * EDM's noise-level discretisation (Karras et al. 2022, eq. 5; docs/ALGORITHMS.md §1):
 * {@code σ_i = (σ_max^{1/ρ} + i/(N−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ}, i = 0 … N−1, then σ_N = 0.
 * Computed in float64 (the 1/ρ powers of 0.002 lose visible precision in float32).
 */
public final class EdmSchedule {
    /** EDM's defaults (NVlabs/edm {@code generate.py}). */
    public static final int DEFAULT_STEPS = 18;

    public static final double DEFAULT_SIGMA_MIN = 0.002;
    public static final double DEFAULT_SIGMA_MAX = 80.0;
    public static final double DEFAULT_RHO = 7.0;

    private EdmSchedule() {}

    /** The N levels plus the trailing 0, with EDM's defaults for everything but N. */
    public static double[] sigmas(int n) {
        return sigmas(n, DEFAULT_SIGMA_MIN, DEFAULT_SIGMA_MAX, DEFAULT_RHO);
    }

    /** The N levels plus the trailing 0 (no clamping, identity round_sigma). */
    public static double[] sigmas(int n, double sigmaMin, double sigmaMax, double rho) {
        return sigmas(n, sigmaMin, sigmaMax, rho, 0.0, Double.POSITIVE_INFINITY, DoubleUnaryOperator.identity());
    }

    /**
     * The full recipe of §1, in its order: (1) clamp the endpoints to the network's range
     * {@code [netSigmaMin, netSigmaMax]}; (2) the N levels in float64; (3) {@code roundSigma} on
     * each (identity for EDM/VP/VE preconditioning, nearest u-table entry for iDDPM); (4) append 0.
     */
    public static double[] sigmas(
            int n,
            double sigmaMin,
            double sigmaMax,
            double rho,
            double netSigmaMin,
            double netSigmaMax,
            DoubleUnaryOperator roundSigma) {
        if (n < 2) {
            throw new IllegalArgumentException("steps N must be >= 2 (the schedule divides by N − 1), got " + n);
        }
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || Double.isInfinite(sigmaMax)) {
            throw new IllegalArgumentException(
                    "need 0 < sigmaMin < sigmaMax < ∞, got sigmaMin = " + sigmaMin + ", sigmaMax = " + sigmaMax);
        }
        if (!(rho > 0) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("rho must be finite and > 0, got " + rho);
        }
        double lo = Math.max(sigmaMin, netSigmaMin);
        double hi = Math.min(sigmaMax, netSigmaMax);
        double hiRoot = Math.pow(hi, 1.0 / rho);
        double loRoot = Math.pow(lo, 1.0 / rho);
        double[] s = new double[n + 1];
        for (int i = 0; i < n; i++) {
            s[i] = roundSigma.applyAsDouble(Math.pow(hiRoot + i / (n - 1.0) * (loRoot - hiRoot), rho));
        }
        s[n] = 0.0;
        return s;
    }
}
