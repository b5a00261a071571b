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
}
