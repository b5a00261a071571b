package io.sedm.eval.toy;

/**
 * Energy distance (Székely &amp; Rizzo 2013, "Energy statistics: a class of statistics based on
 * distances", J. Stat. Plan. Inference 143) in its U-statistic form,
 *
 * <pre>
 * E = 2/(nm) Σ_{i,j} ‖xᵢ − yⱼ‖ − 1/(n(n−1)) Σ_{i≠j} ‖xᵢ − xⱼ‖ − 1/(m(m−1)) Σ_{i≠j} ‖yᵢ − yⱼ‖,
 * </pre>
 *
 * unbiased for 2E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖, which is ≥ 0 with equality iff the laws agree
 * (the estimate itself can be slightly negative). It is the MMD² of the distance-induced kernel
 * (Sejdinovic et al. 2013), and is computed as the negated {@link TwoSampleUStatistic} with
 * k = ‖·‖; the standard error is the same two-sample delete-one jackknife as {@link Mmd}'s,
 * conservative (Efron–Stein), by about 25% when the laws are equal.
 */
public final class EnergyDistance {
    private EnergyDistance() {}

    /**
     * The energy distance and its jackknife standard error.
     *
     * @param x n × d, n ≥ 3
     * @param y m × d, m ≥ 3
     */
    public static Estimate estimate(double[][] x, double[][] y) {
        Estimate u = TwoSampleUStatistic.withJackknife(x, y, EnergyDistance::distance);
        return new Estimate(-u.value(), u.standardError());
    }

    /** The statistic alone (n, m ≥ 2). */
    public static double value(double[][] x, double[][] y) {
        return -TwoSampleUStatistic.value(x, y, EnergyDistance::distance);
    }

    static double distance(double[] a, double[] b) {
        return Math.sqrt(TwoSampleUStatistic.squaredDistance(a, b));
    }
}
