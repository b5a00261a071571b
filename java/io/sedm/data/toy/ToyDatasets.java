package io.sedm.data.toy;

import java.util.random.RandomGenerator;

/**
 * Seeded two-dimensional toy distributions of the kind used to visualise generative models
 * (swiss roll, two moons, checkerboard, ring of 8 Gaussians) plus draws from an isotropic
 * Gaussian mixture. Every method takes the {@link RandomGenerator} it draws from, so a
 * {@code new SplittableRandom(seed)} makes the result reproducible; rows are points.
 */
public final class ToyDatasets {
    /**
     * Divisor applied to the swiss roll: the root-mean-square of the two coordinate standard
     * deviations of the noiseless roll, √((6.623² + 6.951²)/2) ≈ 6.79 (E[t²] = 9.75π² for
     * t ~ U[1.5π, 4.5π]), rounded to 6.8, so each coordinate has standard deviation ≈ 1.
     */
    public static final double SWISS_ROLL_SCALE = 6.8;

    private ToyDatasets() {}

    /**
     * The (x, z) projection of scikit-learn's {@code make_swiss_roll}: t = 1.5π(1 + 2u) with
     * u ~ U[0, 1), point (t cos t, t sin t) plus N(0, noise²) per coordinate (noise in the
     * unscaled units, as in scikit-learn), all divided by {@link #SWISS_ROLL_SCALE}.
     * Noiseless moments after scaling: mean (2, 2/(3π))/6.8 ≈ (0.294, 0.031), standard
     * deviations ≈ (0.974, 1.022).
     */
    public static double[][] swissRoll(int n, double noise, RandomGenerator rng) {
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            double t = 1.5 * Math.PI * (1 + 2 * rng.nextDouble());
            out[i][0] = (t * Math.cos(t) + noise * rng.nextGaussian()) / SWISS_ROLL_SCALE;
            out[i][1] = (t * Math.sin(t) + noise * rng.nextGaussian()) / SWISS_ROLL_SCALE;
        }
        return out;
    }

    /**
     * Two interleaving half circles as in scikit-learn's {@code make_moons}, with the angle
     * drawn uniformly instead of on a grid: a fair coin picks the upper moon (cos θ, sin θ)
     * or the lower moon (1 − cos θ, 0.5 − sin θ), θ ~ U[0, π], then N(0, noise²) is added to
     * each coordinate.
     */
    public static double[][] twoMoons(int n, double noise, RandomGenerator rng) {
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            double theta = Math.PI * rng.nextDouble();
            boolean upper = rng.nextBoolean();
            double x = upper ? Math.cos(theta) : 1 - Math.cos(theta);
            double y = upper ? Math.sin(theta) : 0.5 - Math.sin(theta);
            out[i][0] = x + noise * rng.nextGaussian();
            out[i][1] = y + noise * rng.nextGaussian();
        }
        return out;
    }

    /**
     * Uniform on the 8 "dark" unit squares of a 4×4 checkerboard covering [−2, 2]²: square
     * (i, j), i, j ∈ {0..3}, spans [i − 2, i − 1) × [j − 2, j − 1) and is dark when i + j is
     * even (so the bottom-left square is dark). Mean 0, each coordinate variance 4/3.
     */
    public static double[][] checkerboard(int n, RandomGenerator rng) {
        double[][] out = new double[n][2];
        for (int k = 0; k < n; k++) {
            int i = rng.nextInt(4);
            int j = 2 * rng.nextInt(2) + (i % 2);
            out[k][0] = i - 2 + rng.nextDouble();
            out[k][1] = j - 2 + rng.nextDouble();
        }
        return out;
    }

    /** Whether the point (x, y) lies in a dark square of {@link #checkerboard}. */
    public static boolean inDarkSquare(double x, double y) {
        if (x < -2 || x >= 2 || y < -2 || y >= 2) {
            return false;
        }
        int i = (int) Math.floor(x + 2);
        int j = (int) Math.floor(y + 2);
        return (i + j) % 2 == 0;
    }

    /**
     * Equal-weight mixture of 8 isotropic Gaussians with standard deviation {@code std}
     * centred at radius·(cos 2πk/8, sin 2πk/8), k = 0..7.
     */
    public static double[][] eightGaussians(int n, double radius, double std, RandomGenerator rng) {
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            double angle = 2 * Math.PI * rng.nextInt(8) / 8;
            out[i][0] = radius * Math.cos(angle) + std * rng.nextGaussian();
            out[i][1] = radius * Math.sin(angle) + std * rng.nextGaussian();
        }
        return out;
    }

    /**
     * Draws from Σ_k w_k N(μ_k, σ_k² I): the component is chosen by inverting the cumulative
     * weights at a uniform draw (weights need not be normalised; they must be non-negative with
     * a positive sum), then a Gaussian is added. The dimension is that of the means.
     *
     * @param variances σ_k², one per component
     */
    public static double[][] gaussianMixture(
            int n, double[] weights, double[][] means, double[] variances, RandomGenerator rng) {
        double[] cumulative = cumulativeWeights(weights);
        if (means.length != weights.length || variances.length != weights.length) {
            throw new IllegalArgumentException("weights, means and variances differ in length");
        }
        int dim = means[0].length;
        double[][] out = new double[n][dim];
        for (int i = 0; i < n; i++) {
            // inverse CDF on the cumulative weights (zero weights are never picked), then N(μ_k, c_k² I)
            int k = component(cumulative, rng.nextDouble());
            double sd = Math.sqrt(variances[k]);
            for (int d = 0; d < dim; d++) {
                out[i][d] = means[k][d] + sd * rng.nextGaussian();
            }
        }
        return out;
    }

    /** Cumulative weights normalised so the last entry is 1. */
    static double[] cumulativeWeights(double[] weights) {
        double total = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and non-negative");
            }
            total += w;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("weights must have a positive sum");
        }
        double[] cumulative = new double[weights.length];
        double running = 0;
        for (int k = 0; k < weights.length; k++) {
            running += weights[k];
            cumulative[k] = running / total;
        }
        cumulative[weights.length - 1] = 1;
        return cumulative;
    }

    /** The first index whose cumulative weight exceeds u (the inverse CDF of the weights). */
    static int component(double[] cumulative, double u) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
