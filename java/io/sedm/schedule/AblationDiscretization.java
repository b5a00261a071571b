package io.sedm.schedule;

import java.util.Arrays;

/**
 * The time-step discretisations of EDM's generalised ("ablation") sampler (Karras et al. 2022,
 * Table 1 "time steps"; NVlabs/edm {@code ablation_sampler}; ALGORITHMS.md §5). Each returns N
 * noise levels, largest first, followed by 0.
 */
public final class AblationDiscretization {
    /** ε_s of the vp discretisation: t runs from 1 down to ε_s. */
    public static final double VP_EPSILON_S = 1e-3;

    private AblationDiscretization() {}

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
        double[] filtered = Arrays.stream(uTable).filter(v -> v >= sigmaMin && v <= sigmaMax).toArray();
        if (filtered.length < 2) {
            throw new IllegalArgumentException("fewer than 2 u-table entries lie in [" + sigmaMin + ", " + sigmaMax + "]");
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
