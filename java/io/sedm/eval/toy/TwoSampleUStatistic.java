package io.sedm.eval.toy;

import java.util.function.ToDoubleBiFunction;

/**
 * The two-sample U-statistic shared by {@link Mmd} and {@link EnergyDistance},
 *
 * <pre>
 * U = 1/(n(n−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(m(m−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/(nm) Σ_{i,j} k(xᵢ, yⱼ),
 * </pre>
 *
 * for a symmetric k, with the two-sample delete-one jackknife variance (Arvesen 1969)
 * (n−1)/n Σᵢ (U₍₋ᵢ₎ − Ū₍₋ₓ₎)² + (m−1)/m Σⱼ (U₍₋ⱼ₎ − Ū₍₋ᵧ₎)², each leave-one-out value obtained from
 * kernel row sums: O((n + m)²) kernel calls, O(n + m) memory.
 */
final class TwoSampleUStatistic {
    private TwoSampleUStatistic() {}

    /** U and its jackknife standard error; n, m ≥ 3. */
    static Estimate withJackknife(double[][] x, double[][] y, ToDoubleBiFunction<double[], double[]> k) {
        int n = x.length;
        int m = y.length;
        if (n < 3 || m < 3) {
            throw new IllegalArgumentException("the jackknife needs at least 3 points per sample");
        }
        RowSums s = rowSums(x, y, k);
        double value = combine(s.totalXx, n, s.totalYy, m, s.totalXy);
        double[] leaveX = new double[n];
        for (int i = 0; i < n; i++) {
            leaveX[i] = combine(s.totalXx - 2 * s.xx[i], n - 1, s.totalYy, m, s.totalXy - s.xyByX[i]);
        }
        double[] leaveY = new double[m];
        for (int j = 0; j < m; j++) {
            leaveY[j] = combine(s.totalXx, n, s.totalYy - 2 * s.yy[j], m - 1, s.totalXy - s.xyByY[j]);
        }
        return new Estimate(value, Math.sqrt(jackknifeSpread(leaveX) + jackknifeSpread(leaveY)));
    }

    /** U alone; n, m ≥ 2. */
    static double value(double[][] x, double[][] y, ToDoubleBiFunction<double[], double[]> k) {
        if (x.length < 2 || y.length < 2) {
            throw new IllegalArgumentException("need at least 2 points per sample");
        }
        RowSums s = rowSums(x, y, k);
        return combine(s.totalXx, x.length, s.totalYy, y.length, s.totalXy);
    }

    /** (k − 1)/k Σ (θᵢ − θ̄)² over k leave-one-out values. */
    static double jackknifeSpread(double[] leaveOneOut) {
        int k = leaveOneOut.length;
        double mean = sum(leaveOneOut) / k;
        double ss = 0;
        for (double v : leaveOneOut) {
            ss += (v - mean) * (v - mean);
        }
        return (k - 1.0) / k * ss;
    }

    static double squaredDistance(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("points differ in dimension");
        }
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            double t = a[d] - b[d];
            s += t * t;
        }
        return s;
    }

    private record RowSums(
            double[] xx, double[] yy, double[] xyByX, double[] xyByY, double totalXx, double totalYy, double totalXy) {}

    private static RowSums rowSums(double[][] x, double[][] y, ToDoubleBiFunction<double[], double[]> k) {
        double[] xx = withinRowSums(x, k);
        double[] yy = withinRowSums(y, k);
        double[] byX = new double[x.length];
        double[] byY = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < y.length; j++) {
                double v = k.applyAsDouble(x[i], y[j]);
                byX[i] += v;
                byY[j] += v;
            }
        }
        return new RowSums(xx, yy, byX, byY, sum(xx), sum(yy), sum(byX));
    }

    private static double[] withinRowSums(double[][] x, ToDoubleBiFunction<double[], double[]> k) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                double v = k.applyAsDouble(x[i], x[j]);
                r[i] += v;
                r[j] += v;
            }
        }
        return r;
    }

    private static double combine(double sumXx, int n, double sumYy, int m, double sumXy) {
        return sumXx / ((double) n * (n - 1)) + sumYy / ((double) m * (m - 1)) - 2 * sumXy / ((double) n * m);
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double t : v) {
            s += t;
        }
        return s;
    }
}
