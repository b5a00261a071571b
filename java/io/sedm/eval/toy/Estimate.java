package io.sedm.eval.toy;

/**
 * A Monte-Carlo estimate and its standard error; what the standard error covers (sampling of
 * the data, of random projections, ...) is stated by the estimator that returns it.
 */
public record Estimate(double value, double standardError) {
    /** How many standard errors {@code value} is from {@code reference}; infinite when the s.e. is 0. */
    public double zScore(double reference) {
        double d = value - reference;
        return d == 0 ? 0 : d / standardError;
    }

    /**
     * The mean of independent runs with standard error s/√r (s the sample standard deviation);
     * NaN s.e. for a single run. {@code io.sedm.eval.Runs} also keeps the minimum and maximum.
     */
    public static Estimate ofRuns(double... values) {
        int r = values.length;
        if (r == 0) {
            throw new IllegalArgumentException("need at least one run");
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= r;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new Estimate(mean, r < 2 ? Double.NaN : Math.sqrt(ss / (r - 1) / r));
    }
}
