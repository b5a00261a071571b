package io.sedm.eval;

import io.sedm.eval.toy.Estimate;

/**
 * A metric measured over independent runs (e.g. FID over disjoint seed ranges, the EDM protocol of
 * docs/ALGORITHMS.md §10 reporting the minimum of three): the mean with its standard error
 * s/√r (s the sample standard deviation over the r runs), and the minimum and maximum.
 */
public record Runs(double[] values, double mean, double standardError, double min, double max) {

    public Runs {
        values = values.clone();
    }

    /** At least one value; with one run the standard error is NaN (unknown). */
    public static Runs of(double... values) {
        int r = values.length;
        if (r == 0) {
            throw new IllegalArgumentException("need at least one run");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        Estimate e = Estimate.ofRuns(values);
        double mean = e.value();
        double se = e.standardError();
        return new Runs(values, mean, se, min, max);
    }

    public int count() {
        return values.length;
    }

    /** The mean and its standard error. */
    public Estimate estimate() {
        return new Estimate(mean, standardError);
    }

    @Override
    public String toString() {
        return String.format("%.6g ± %.2g (min %.6g, max %.6g, %d runs)", mean, standardError, min, max, values.length);
    }
}
