package io.sedm.eval.toy;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Sliced Wasserstein distance (Rabin et al. 2011; Bonneel, Rabin, Peyré &amp; Pfister 2015,
 * "Sliced and Radon Wasserstein barycenters of measures"): the average over directions θ drawn
 * uniformly on the unit sphere of the one-dimensional Wasserstein-p distance W_p(θ·X, θ·Y)
 * between the projected empirical measures, estimated with K random directions.
 *
 * <p>The one-dimensional distance is exact for empirical measures:
 * W_p^p = ∫₀¹ |F⁻¹(u) − G⁻¹(u)|^p du with both quantile functions piecewise constant, so the
 * integral is a finite sum over the merged grid of breakpoints {i/n} ∪ {j/m}; for n = m this is
 * the familiar "sort both and pair in order", mean |x₍ᵢ₎ − y₍ᵢ₎|^p.
 */
public final class SlicedWasserstein {
    private SlicedWasserstein() {}

    /**
     * The mean of W_p(θ_k·X, θ_k·Y) over K directions θ_k drawn from {@code rng}. The standard
     * error is the sample standard deviation of the K per-direction distances divided by √K: it
     * covers only the sampling of projection directions, not the sampling of X and Y (with
     * finite samples the estimate is biased upwards by O(n^−1/2) even when the distributions are
     * equal). In one dimension every direction is ±1, so the result is the exact W_p with s.e. 0.
     *
     * @param x rows are points, n × d
     * @param y rows are points, m × d (m need not equal n)
     * @param p the order, ≥ 1 (1 and 2 are the usual ones)
     * @param projections K ≥ 2
     */
    public static Estimate estimate(double[][] x, double[][] y, double p, int projections, RandomGenerator rng) {
        if (projections < 2) {
            throw new IllegalArgumentException("need at least 2 projections for a standard error");
        }
        int dim = dimension(x, y);
        double[] distances = new double[projections];
        for (int k = 0; k < projections; k++) {
            distances[k] = projectedDistance(x, y, randomDirection(dim, rng), p);
        }
        return meanAndStandardError(distances);
    }

    /** W_p between the projections of x and y on {@code direction} (not normalised here). */
    public static double projectedDistance(double[][] x, double[][] y, double[] direction, double p) {
        return wasserstein1d(project(x, direction), project(y, direction), p);
    }

    /**
     * The exact Wasserstein-p distance between the empirical measures of a and b (uniform
     * weights 1/n and 1/m), by integrating |F⁻¹ − G⁻¹|^p over the merged breakpoint grid.
     */
    public static double wasserstein1d(double[] a, double[] b, double p) {
        if (!(p >= 1)) {
            throw new IllegalArgumentException("p must be >= 1");
        }
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("empty sample");
        }
        double[] sa = a.clone();
        double[] sb = b.clone();
        Arrays.sort(sa);
        Arrays.sort(sb);
        long n = sa.length;
        long m = sb.length;
        // Positions on [0, 1] in units of 1/(n·m): quantile a₍ᵢ₎ holds up to (i+1)·m, b₍ⱼ₎ up to (j+1)·n.
        int i = 0;
        int j = 0;
        long at = 0;
        double sum = 0;
        while (i < n && j < m) {
            long endA = (i + 1) * m;
            long endB = (j + 1) * n;
            long end = Math.min(endA, endB);
            sum += (end - at) * Math.pow(Math.abs(sa[i] - sb[j]), p);
            at = end;
            if (endA == end) {
                i++;
            }
            if (endB == end) {
                j++;
            }
        }
        return Math.pow(sum / ((double) n * m), 1 / p);
    }

    /** The dot products of the rows of x with {@code direction}. */
    static double[] project(double[][] x, double[] direction) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double s = 0;
            for (int d = 0; d < direction.length; d++) {
                s += x[i][d] * direction[d];
            }
            out[i] = s;
        }
        return out;
    }

    /** A direction uniform on the unit sphere S^{d−1}: a normalised standard Gaussian vector. */
    static double[] randomDirection(int dim, RandomGenerator rng) {
        double[] v = new double[dim];
        double norm;
        do {
            double s = 0;
            for (int d = 0; d < dim; d++) {
                v[d] = rng.nextGaussian();
                s += v[d] * v[d];
            }
            norm = Math.sqrt(s);
        } while (norm == 0);
        for (int d = 0; d < dim; d++) {
            v[d] /= norm;
        }
        return v;
    }

    /** Mean and (sample std)/√K of the values. */
    static Estimate meanAndStandardError(double[] values) {
        int k = values.length;
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= k;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new Estimate(mean, Math.sqrt(ss / (k - 1) / k));
    }

    static int dimension(double[][] x, double[][] y) {
        if (x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("empty sample");
        }
        int dim = x[0].length;
        if (y[0].length != dim) {
            throw new IllegalArgumentException("samples differ in dimension");
        }
        return dim;
    }
}
