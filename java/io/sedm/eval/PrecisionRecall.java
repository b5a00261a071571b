package io.sedm.eval;

/**
 * Improved precision and recall (Kynkäänniemi, Karras, Laine, Lehtinen &amp; Aila 2019, "Improved
 * precision and recall metric for assessing generative models", NeurIPS, §2): each set's manifold
 * is the union of balls around its points with radius the distance to the k-th nearest neighbour
 * in the same set (k = 3 by default, as in the paper);
 * <pre>
 *   precision = fraction of fake points inside the real manifold
 *   recall    = fraction of real points inside the fake manifold
 * </pre>
 * A point on a ball's boundary counts as inside (≤, as in the reference code). Brute force:
 * O((n + m)² d) distance evaluations.
 *
 * @param precision in [0, 1]
 * @param recall    in [0, 1]
 */
public record PrecisionRecall(double precision, double recall) {
    public static final int DEFAULT_K = 3;

    /** With k = {@value #DEFAULT_K}. */
    public static PrecisionRecall of(double[][] real, double[][] fake) {
        return of(real, fake, DEFAULT_K);
    }

    public static PrecisionRecall of(double[][] real, double[][] fake, int k) {
        NearestNeighbours.check(real, fake, k);
        double[] realRadii = NearestNeighbours.kthNeighbourSquaredRadii(real, k);
        double[] fakeRadii = NearestNeighbours.kthNeighbourSquaredRadii(fake, k);
        return new PrecisionRecall(coveredFraction(fake, real, realRadii), coveredFraction(real, fake, fakeRadii));
    }

    /** The same for row-major flat feature arrays of dimension d. */
    public static PrecisionRecall of(double[] real, double[] fake, int d, int k) {
        return of(NearestNeighbours.rows(real, d), NearestNeighbours.rows(fake, d), k);
    }

    /** Fraction of {@code points} inside some ball (centre {@code centres[i]}, squared radius {@code radii[i]}). */
    static double coveredFraction(double[][] points, double[][] centres, double[] radii) {
        int inside = 0;
        for (double[] p : points) {
            for (int i = 0; i < centres.length; i++) {
                if (NearestNeighbours.squaredDistance(p, centres[i]) <= radii[i]) {
                    inside++;
                    break;
                }
            }
        }
        return (double) inside / points.length;
    }
}
