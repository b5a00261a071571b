package io.sedm.schedule;

/**
 * Noise levels of NCSN / NCSNv2 (Song &amp; Ermon 2019; "Improved Techniques for Training
 * Score-Based Generative Models", Song &amp; Ermon 2020; docs/ALGORITHMS.md §13): a geometric sequence
 * σ_1 &gt; … &gt; σ_L, the largest first.
 */
public final class NcsnSchedule {
    private NcsnSchedule() {}

    /** L levels geometric from σ_begin down to σ_end (NCSNv2 CIFAR-10: 50 → 0.01, L = 232). */
    public static double[] geometric(double sigmaBegin, double sigmaEnd, int levels) {
        if (!(sigmaBegin > sigmaEnd) || !(sigmaEnd > 0)) {
            throw new IllegalArgumentException("need sigmaBegin > sigmaEnd > 0, got " + sigmaBegin + ", " + sigmaEnd);
        }
        if (levels < 2) {
            throw new IllegalArgumentException("levels must be >= 2, got " + levels);
        }
        double[] s = new double[levels];
        double logB = Math.log(sigmaBegin);
        double logE = Math.log(sigmaEnd);
        for (int i = 0; i < levels; i++) {
            s[i] = Math.exp(logB + (logE - logB) * i / (levels - 1.0));
        }
        return s;
    }

    /** The sampler schedule: {@link #geometric} levels σ_1 = sigmaBegin &gt; … &gt; σ_L = sigmaEnd, followed by 0. */
    public static double[] sigmas(double sigmaBegin, double sigmaEnd, int levels) {
        double[] geometric = geometric(sigmaBegin, sigmaEnd, levels);
        return java.util.Arrays.copyOf(geometric, geometric.length + 1);
    }

    /** Technique 1: σ_1 = the maximum Euclidean distance between any two data points. */
    public static double maxPairwiseDistance(double[][] data) {
        double best = 0;
        for (int i = 0; i < data.length; i++) {
            for (int j = i + 1; j < data.length; j++) {
                double d = 0;
                for (int k = 0; k < data[i].length; k++) {
                    double e = data[i][k] - data[j][k];
                    d += e * e;
                }
                best = Math.max(best, d);
            }
        }
        return Math.sqrt(best);
    }

    /**
     * Technique 2's criterion for the ratio γ = σ_{i−1}/σ_i in dimension D:
     * {@code Φ(√(2D)(γ − 1) + 3γ) − Φ(√(2D)(γ − 1) − 3γ)}, which the paper sets ≈ 0.5.
     */
    public static double ratioCriterion(double gamma, int dim) {
        double a = Math.sqrt(2.0 * dim) * (gamma - 1.0);
        return Phi.cdf(a + 3.0 * gamma) - Phi.cdf(a - 3.0 * gamma);
    }

    /**
     * The γ &gt; 1 at which {@link #ratioCriterion} equals {@code target} (bisection; it falls with γ).
     * Needs √(2D) &gt; 3, i.e. D ≥ 5: below that the criterion tends to 1 as γ grows and never
     * falls to the target.
     */
    public static double ratioFor(int dim, double target) {
        if (Math.sqrt(2.0 * dim) <= 3.0) {
            throw new IllegalArgumentException("technique 2 needs dimension D >= 5 (√(2D) > 3), got D = " + dim);
        }
        if (!(target > 0 && target < 1)) {
            throw new IllegalArgumentException("target must lie in (0, 1), got " + target);
        }
        double lo = 1.0;
        double hi = 2.0;
        while (ratioCriterion(hi, dim) > target) {
            hi *= 2;
        }
        for (int it = 0; it < 200; it++) {
            double mid = 0.5 * (lo + hi);
            if (ratioCriterion(mid, dim) > target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /**
     * NCSNv2's recipe: σ_1 from technique 1, σ_L given, γ from technique 2 (criterion 0.5), and
     * L = ⌈ln(σ_1/σ_L)/ln γ⌉ + 1 levels spaced geometrically.
     */
    public static double[] ncsnV2(double[][] data, double sigmaEnd) {
        double sigmaBegin = maxPairwiseDistance(data);
        double gamma = ratioFor(data[0].length, 0.5);
        int levels = (int) Math.ceil(Math.log(sigmaBegin / sigmaEnd) / Math.log(gamma)) + 1;
        return geometric(sigmaBegin, sigmaEnd, Math.max(2, levels));
    }

    /** The standard normal CDF via erfc (W. J. Cody's rational approximation is overkill here). */
    static final class Phi {
        private Phi() {}

        static double cdf(double x) {
            return 0.5 * erfc(-x / Math.sqrt(2.0));
        }

        /** Numerical Recipes' erfc coefficients c0 … c9: erfc(z) ≈ t·exp(−z² + c0 + t·(c1 + t·(c2 + …))). */
        private static final double[] ERFC_C = {
            -1.26551223,
            1.00002368,
            0.37409196,
            0.09678418,
            -0.18628806,
            0.27886807,
            -1.13520398,
            1.48851587,
            -0.82215223,
            0.17087277
        };

        /** erfc with relative error below 1.2e−7 (Numerical Recipes' Chebyshev fit). */
        static double erfc(double x) {
            double z = Math.abs(x);
            double t = 1.0 / (1.0 + 0.5 * z);
            // Horner, innermost coefficient first: t·(c1 + t·(c2 + … + t·c9))
            double poly = ERFC_C[ERFC_C.length - 1];
            for (int k = ERFC_C.length - 2; k >= 1; k--) {
                poly = ERFC_C[k] + t * poly;
            }
            double r = t * Math.exp(-z * z + ERFC_C[0] + t * poly);
            return x >= 0 ? r : 2.0 - r;
        }
    }
}
