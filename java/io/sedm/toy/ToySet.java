package io.sedm.toy;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.data.toy.ToyDatasets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * The two-dimensional toy sets of {@code sedm toy}, each with a density for the pictures: in
 * closed form for the ring of 8 Gaussians (a mixture, docs/ALGORITHMS.md §14.1) and the
 * checkerboard (1/8 on the dark squares); a Gaussian kernel density estimate of a fixed reference
 * sample for two moons and the swiss roll.
 */
public enum ToySet {
    /** Equal-weight ring of 8 Gaussians, radius 2, standard deviation 0.2. */
    GAUSSIANS8("gaussians8"),
    /** Uniform on the 8 dark unit squares of [−2, 2]². */
    CHECKERBOARD("checkerboard"),
    /** Two moons with noise 0.05. */
    MOONS("moons"),
    /** Swiss roll (scikit-learn noise 0.5, scaled by 1/6.8). */
    SWISS_ROLL("swiss-roll");

    private static final int KDE_POINTS = 2000;
    private static final long KDE_SEED = 20261129L;

    private final String cliName;

    ToySet(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static ToySet parse(String name) {
        for (ToySet s : values()) {
            if (s.cliName.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown toy set \"" + name + "\"; expected one of "
                + Arrays.stream(values()).map(ToySet::cliName).collect(Collectors.joining(", ")));
    }

    /** The ring of 8 Gaussians as a {@link GaussianMixture}. */
    public static GaussianMixture ringMixture() {
        double[] w = new double[8];
        double[][] mu = new double[8][];
        double[] v = new double[8];
        for (int k = 0; k < 8; k++) {
            double a = 2 * Math.PI * k / 8;
            w[k] = 1;
            mu[k] = new double[] {2 * Math.cos(a), 2 * Math.sin(a)};
            v[k] = 0.04;
        }
        return new GaussianMixture(w, mu, v);
    }

    /** n points, rows (x, y). */
    public double[][] sample(int n, RandomGenerator rng) {
        return switch (this) {
            case GAUSSIANS8 -> {
                GaussianMixture m = ringMixture();
                yield ToyDatasets.gaussianMixture(n, m.weights(), m.means(), m.variances(), rng);
            }
            case CHECKERBOARD -> ToyDatasets.checkerboard(n, rng);
            case MOONS -> ToyDatasets.twoMoons(n, 0.05, rng);
            case SWISS_ROLL -> ToyDatasets.swissRoll(n, 0.5, rng);
        };
    }

    /** Whether {@link #density} is exact (true) or a kernel density estimate. */
    public boolean exactDensity() {
        return this == GAUSSIANS8 || this == CHECKERBOARD;
    }

    /** The density on a grid: {@code out[i][j]} at (xs[i], ys[j]). */
    public double[][] density(double[] xs, double[] ys) {
        double[][] out = new double[xs.length][ys.length];
        switch (this) {
            case GAUSSIANS8 -> {
                GaussianMixture m = ringMixture();
                for (int i = 0; i < xs.length; i++) {
                    for (int j = 0; j < ys.length; j++) {
                        out[i][j] = Math.exp(m.logProb(new double[] {xs[i], ys[j]}, 0.0));
                    }
                }
            }
            case CHECKERBOARD -> {
                for (int i = 0; i < xs.length; i++) {
                    for (int j = 0; j < ys.length; j++) {
                        out[i][j] = ToyDatasets.inDarkSquare(xs[i], ys[j]) ? 1.0 / 8 : 0.0;
                    }
                }
            }
            default -> {
                // Gaussian KDE, Scott's bandwidth h = n^(−1/6) · (mean coordinate std) for d = 2
                double[][] ref = sample(KDE_POINTS, new SplittableRandom(KDE_SEED));
                double h = Math.pow(KDE_POINTS, -1.0 / 6) * 0.5 * (std(ref, 0) + std(ref, 1));
                double norm = 1.0 / (KDE_POINTS * 2 * Math.PI * h * h);
                for (int i = 0; i < xs.length; i++) {
                    for (int j = 0; j < ys.length; j++) {
                        double s = 0;
                        for (double[] p : ref) {
                            double dx = xs[i] - p[0];
                            double dy = ys[j] - p[1];
                            s += Math.exp(-(dx * dx + dy * dy) / (2 * h * h));
                        }
                        out[i][j] = s * norm;
                    }
                }
            }
        }
        return out;
    }

    /** The plotting window [xmin, xmax, ymin, ymax]. */
    public double[] bounds() {
        return switch (this) {
            case GAUSSIANS8, CHECKERBOARD -> new double[] {-3, 3, -3, 3};
            case MOONS -> new double[] {-1.5, 2.5, -1.5, 2.0};
            case SWISS_ROLL -> new double[] {-2.2, 2.5, -2.2, 2.2};
        };
    }

    private static double std(double[][] pts, int c) {
        double m = 0;
        for (double[] p : pts) {
            m += p[c];
        }
        m /= pts.length;
        double v = 0;
        for (double[] p : pts) {
            v += (p[c] - m) * (p[c] - m);
        }
        return Math.sqrt(v / (pts.length - 1));
    }
}
