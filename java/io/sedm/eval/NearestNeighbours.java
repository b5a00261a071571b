package io.sedm.eval;

import java.util.Arrays;

/** Brute-force Euclidean k-nearest-neighbour radii and ball membership for the manifold metrics. */
final class NearestNeighbours {
    private NearestNeighbours() {}

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double d = a[j] - b[j];
            s += d * d;
        }
        return s;
    }

    /**
     * The squared distance from each point to its k-th nearest neighbour among the other points
     * of the same set (the point itself excluded, as in the reference code's k + 1-th smallest of
     * a distance row that includes the zero self-distance).
     */
    static double[] kthNeighbourSquaredRadii(double[][] x, int k) {
        int n = x.length;
        if (n <= k) {
            throw new IllegalArgumentException("need more than k = " + k + " points, got " + n);
        }
        double[] radii = new double[n];
        double[] best = new double[k];
        for (int i = 0; i < n; i++) {
            Arrays.fill(best, Double.POSITIVE_INFINITY); // ascending, best[k − 1] = current k-th
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double dist = squaredDistance(x[i], x[j]);
                if (dist < best[k - 1]) {
                    int at = k - 1;
                    while (at > 0 && best[at - 1] > dist) {
                        best[at] = best[at - 1];
                        at--;
                    }
                    best[at] = dist;
                }
            }
            radii[i] = best[k - 1];
        }
        return radii;
    }

    static void check(double[][] real, double[][] fake, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (real.length == 0 || fake.length == 0) {
            throw new IllegalArgumentException("both feature sets must be non-empty");
        }
        int d = real[0].length;
        for (double[][] set : new double[][][] {real, fake}) {
            for (double[] row : set) {
                if (row.length != d) {
                    throw new IllegalArgumentException(
                            "every feature vector needs dimension " + d + ", got " + row.length);
                }
            }
        }
    }

    /** Rows of a row-major flat array of vectors of length d. */
    static double[][] rows(double[] flat, int d) {
        if (d < 1 || flat.length % d != 0) {
            throw new IllegalArgumentException("flat length " + flat.length + " is not a multiple of d = " + d);
        }
        double[][] out = new double[flat.length / d][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return out;
    }
}
