package io.sedm.schedule;

/**
 * The noise levels of a discrete iDDPM model seen through EDM's iDDPMPrecond (Karras et al. 2022,
 * Appendix C.3.4; docs/ALGORITHMS.md §2): the u-table
 * {@code u_M = 0, u_{j−1} = √((u_j² + 1)/max(ᾱ(j−1)/ᾱ(j), C1) − 1)},
 * {@code ᾱ(j) = sin²(πj/(2M(C2 + 1)))}, with C1 = 0.001, C2 = 0.008, M = 1000. Index 0 is the
 * largest level.
 */
public final class IddpmSchedule {
    public static final int M = 1000;
    public static final double C1 = 0.001;
    public static final double C2 = 0.008;

    private IddpmSchedule() {}

    public static double[] uTable() {
        return uTable(M, C1, C2);
    }

    public static double[] uTable(int m, double c1, double c2) {
        double[] u = new double[m + 1];
        for (int j = m; j > 0; j--) {
            double ratio = alphaBar(j - 1, m, c2) / alphaBar(j, m, c2);
            u[j - 1] = Math.sqrt((u[j] * u[j] + 1.0) / Math.max(ratio, c1) - 1.0);
        }
        return u;
    }

    private static double alphaBar(int j, int m, double c2) {
        double s = Math.sin(0.5 * Math.PI * j / m / (c2 + 1.0));
        return s * s;
    }

    /**
     * Index of the entry of a σ table nearest to σ, the first on ties (EDM's round_sigma uses the
     * entry itself; the DDPM preconditioner uses the index as its timestep).
     */
    public static int nearestIndex(double[] u, double sigma) {
        int best = 0;
        for (int j = 1; j < u.length; j++) {
            if (Math.abs(u[j] - sigma) < Math.abs(u[best] - sigma)) {
                best = j;
            }
        }
        return best;
    }
}
