package io.sedm.schedule;

import java.util.Arrays;

/**
 * The time-step discretisations of EDM's generalised ("ablation") sampler (Karras et al. 2022,
 * Table 1 "time steps"; NVlabs/edm {@code ablation_sampler}; docs/ALGORITHMS.md §5): which one, with its
 * parameters, and the four formulas. {@link #sigmas(int, double, double)} gives N noise levels,
 * largest first, followed by 0 (k-diffusion's {@code get_sigmas_*} shape).
 *
 * @param kind     vp, ve, iddpm or edm
 * @param sigmaMin lowest level; NaN = the kind's default (vp: σ_vp(ε_s), ve 0.02, iddpm/edm 0.002)
 * @param sigmaMax highest level; NaN = default (vp: σ_vp(1), ve 100, iddpm 81, edm 80)
 * @param rho      ρ of the edm discretization (7)
 * @param epsilonS ε_s, the last VP time (1e−3)
 * @param c1       iDDPM C1 (0.001)
 * @param c2       iDDPM C2 (0.008)
 * @param m        iDDPM M (1000)
 */
public record AblationDiscretization(
        Kind kind, double sigmaMin, double sigmaMax, double rho, double epsilonS, double c1, double c2, int m) {
    /** ε_s of the vp discretisation: t runs from 1 down to ε_s. */
    public static final double VP_EPSILON_S = 1e-3;

    /** Where the N noise levels sit (Karras et al. 2022, Table 1 "time steps"). */
    public enum Kind {
        /** t linear from 1 to ε_s, σ = σ_vp(t) with β re-derived from the σ range. */
        VP,
        /** σ² geometric between σ_max² and σ_min². */
        VE,
        /** A subsample of iDDPM's u-table. */
        IDDPM,
        /** EDM's ρ schedule (§1). */
        EDM
    }

    public AblationDiscretization {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (!Double.isNaN(sigmaMin) && !(sigmaMin > 0) || !Double.isNaN(sigmaMax) && !(sigmaMax > 0)) {
            throw new IllegalArgumentException(
                    "sigmaMin and sigmaMax must be > 0 (or NaN for the default), got " + sigmaMin + ", " + sigmaMax);
        }
        if (!(rho > 0) || !(epsilonS > 0 && epsilonS < 1) || !(c1 > 0) || !(c2 >= 0) || m < 2) {
            throw new IllegalArgumentException("need rho > 0, 0 < epsilonS < 1, C1 > 0, C2 >= 0, M >= 2; got rho = "
                    + rho + ", epsilonS = " + epsilonS + ", C1 = " + c1 + ", C2 = " + c2 + ", M = " + m);
        }
    }

    /** {@code kind} with EDM's defaults: the kind's σ range, ρ = 7, ε_s = 1e−3, C1 = 0.001, C2 = 0.008, M = 1000. */
    public static AblationDiscretization of(Kind kind) {
        return new AblationDiscretization(
                kind,
                Double.NaN,
                Double.NaN,
                EdmSchedule.DEFAULT_RHO,
                VP_EPSILON_S,
                IddpmSchedule.C1,
                IddpmSchedule.C2,
                IddpmSchedule.M);
    }

    public AblationDiscretization withSigmaRange(double min, double max) {
        return new AblationDiscretization(kind, min, max, rho, epsilonS, c1, c2, m);
    }

    /** [σ_min, σ_max]: the given or default range clamped to the model's [modelSigmaMin, modelSigmaMax]. */
    public double[] range(double modelSigmaMin, double modelSigmaMax) {
        double min = !Double.isNaN(sigmaMin)
                ? sigmaMin
                : switch (kind) {
                    case VP -> VpSchedule.sigma(VpSchedule.BETA_D, VpSchedule.BETA_MIN, epsilonS);
                    case VE -> 0.02;
                    case IDDPM, EDM -> 0.002;
                };
        double max = !Double.isNaN(sigmaMax)
                ? sigmaMax
                : switch (kind) {
                    case VP -> VpSchedule.sigma(VpSchedule.BETA_D, VpSchedule.BETA_MIN, 1.0);
                    case VE -> 100.0;
                    case IDDPM -> 81.0;
                    case EDM -> 80.0;
                };
        min = Math.max(min, modelSigmaMin);
        max = Math.min(max, modelSigmaMax);
        if (!(min < max)) {
            throw new IllegalArgumentException("empty sigma range [" + min + ", " + max + "]");
        }
        return new double[] {min, max};
    }

    /**
     * The N noise levels (before round_sigma) followed by 0, inside the model's σ range
     * (Karras et al. 2022, Table 1 "time steps").
     */
    public double[] sigmas(int n, double modelSigmaMin, double modelSigmaMax) {
        if (n < 2) {
            throw new IllegalArgumentException("steps N must be >= 2, got " + n);
        }
        double[] r = range(modelSigmaMin, modelSigmaMax);
        return switch (kind) {
            case VP -> vp(n, r[0], r[1], epsilonS);
            case VE -> ve(n, r[0], r[1]);
            case IDDPM -> iddpm(n, r[0], r[1], IddpmSchedule.uTable(m, c1, c2));
            case EDM -> edm(n, r[0], r[1], rho);
        };
    }

    /**
     * vp: t_i linear from 1 to ε_s, σ_i = σ_vp(t_i) with β_d, β_min re-derived from the σ range
     * ({@link VpSchedule#betasForRange}).
     */
    public static double[] vp(int n, double sigmaMin, double sigmaMax, double epsilonS) {
        check(n, sigmaMin, sigmaMax);
        double[] b = VpSchedule.betasForRange(sigmaMin, sigmaMax, epsilonS);
        double[] out = new double[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = VpSchedule.sigma(b[0], b[1], 1.0 + i / (n - 1.0) * (epsilonS - 1.0));
        }
        return out;
    }

    /** ve: σ_i² geometric from σ_max² to σ_min² (Song et al. 2021's VE, EDM Table 1). */
    public static double[] ve(int n, double sigmaMin, double sigmaMax) {
        check(n, sigmaMin, sigmaMax);
        double[] out = new double[n + 1];
        for (int i = 0; i < n; i++) {
            double t = sigmaMax * sigmaMax * Math.pow(sigmaMin * sigmaMin / (sigmaMax * sigmaMax), i / (n - 1.0));
            out[i] = Math.sqrt(t);
        }
        return out;
    }

    /**
     * iddpm: N entries of the u-table restricted to [σ_min, σ_max], picked at
     * {@code round((len − 1)·i/(N − 1))} (EDM Table 1, iDDPM column).
     */
    public static double[] iddpm(int n, double sigmaMin, double sigmaMax, double[] uTable) {
        check(n, sigmaMin, sigmaMax);
        double[] filtered = Arrays.stream(uTable)
                .filter(v -> v >= sigmaMin && v <= sigmaMax)
                .toArray();
        if (filtered.length < 2) {
            throw new IllegalArgumentException(
                    "fewer than 2 u-table entries lie in [" + sigmaMin + ", " + sigmaMax + "]");
        }
        double[] out = new double[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = filtered[(int) Math.rint((filtered.length - 1.0) / (n - 1.0) * i)];
        }
        return out;
    }

    /** edm: the ρ schedule ({@link EdmSchedule}). */
    public static double[] edm(int n, double sigmaMin, double sigmaMax, double rho) {
        return EdmSchedule.sigmas(n, sigmaMin, sigmaMax, rho);
    }

    private static void check(int n, double sigmaMin, double sigmaMax) {
        if (n < 2) {
            throw new IllegalArgumentException("steps N must be >= 2, got " + n);
        }
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin)) {
            throw new IllegalArgumentException("need 0 < sigmaMin < sigmaMax, got " + sigmaMin + ", " + sigmaMax);
        }
    }
}
