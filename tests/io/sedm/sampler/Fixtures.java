package io.sedm.sampler;

import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import java.util.SplittableRandom;

/** Test fixtures: the EDM ρ schedule (§1) and the §14.1 mixture with pure-Java reference formulas. */
final class Fixtures {
    private Fixtures() {}

    /** EDM's σ_i = (σ_max^(1/ρ) + i/(N−1)(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ, then 0 (inline until io.sedm.schedule lands). */
    static double[] edmSigmas(int n, double sigmaMin, double sigmaMax, double rho) {
        double[] s = new double[n + 1];
        for (int i = 0; i < n; i++) {
            s[i] = Math.pow(Math.pow(sigmaMax, 1 / rho) + i / (n - 1.0) * (Math.pow(sigmaMin, 1 / rho) - Math.pow(sigmaMax, 1 / rho)), rho);
        }
        s[n] = 0;
        return s;
    }

    static double[] edmSigmas(int n) {
        return edmSigmas(n, 0.002, 80, 7);
    }

    /** An isotropic mixture in pure Java (float64), the reference the native path is checked against. */
    record Mixture(double[] weights, double[][] means, double[] variances) {
        int dim() {
            return means[0].length;
        }

        GaussianMixtureDensity toNative(Device device) {
            return GaussianMixtureDensity.create(weights, means, variances, device);
        }

        GaussianMixtureDenoiser denoiser(Device device) {
            return GaussianMixtureDenoiser.of(weights, means, variances, device);
        }

        private double[] logTerms(double[] x, int off, double sigma) {
            int d = dim();
            double total = 0;
            for (double w : weights) {
                total += w;
            }
            double[] t = new double[weights.length];
            for (int k = 0; k < t.length; k++) {
                double v = variances[k] + sigma * sigma;
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    double diff = x[off + j] - means[k][j];
                    sq += diff * diff;
                }
                t[k] = Math.log(weights[k] / total) - sq / (2 * v) - 0.5 * d * Math.log(2 * Math.PI * v);
            }
            return t;
        }

        double logProb(double[] x, int off, double sigma) {
            double[] t = logTerms(x, off, sigma);
            double m = Double.NEGATIVE_INFINITY;
            for (double v : t) {
                m = Math.max(m, v);
            }
            double s = 0;
            for (double v : t) {
                s += Math.exp(v - m);
            }
            return m + Math.log(s);
        }

        /** D(x; σ) for the row at {@code off}. */
        double[] denoise(double[] x, int off, double sigma) {
            double[] t = logTerms(x, off, sigma);
            double lse = logProb(x, off, sigma);
            int d = dim();
            double[] out = new double[d];
            for (int k = 0; k < t.length; k++) {
                double r = Math.exp(t[k] - lse);
                double v = variances[k] + sigma * sigma;
                for (int j = 0; j < d; j++) {
                    out[j] += r * (variances[k] * x[off + j] + sigma * sigma * means[k][j]) / v;
                }
            }
            return out;
        }

        /** D for a whole row-major batch. */
        double[] denoiseBatch(double[] x, double[] sigma) {
            int d = dim();
            double[] out = new double[x.length];
            for (int b = 0; b < sigma.length; b++) {
                System.arraycopy(denoise(x, b * d, sigma[b]), 0, out, b * d, d);
            }
            return out;
        }

        /** n exact samples from p_0. */
        double[] sample(int n, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            int d = dim();
            double total = 0;
            for (double w : weights) {
                total += w;
            }
            double[] out = new double[n * d];
            for (int i = 0; i < n; i++) {
                double u = rng.nextDouble() * total;
                int k = 0;
                while (k < weights.length - 1 && u >= weights[k]) {
                    u -= weights[k];
                    k++;
                }
                double sd = Math.sqrt(variances[k]);
                for (int j = 0; j < d; j++) {
                    out[i * d + j] = means[k][j] + sd * gaussian(rng);
                }
            }
            return out;
        }
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** The §14.1 data mixture ("A"). */
    static Mixture mixtureA() {
        return new Mixture(new double[] {0.5, 0.3, 0.2}, new double[][] {{-1, 0.5}, {1.2, -0.3}, {0.2, 1.4}},
                new double[] {0.05, 0.1, 0.02});
    }

    /** The §14.1 "wrong model" ("B"): same components, weights 0.2, 0.3, 0.5. */
    static Mixture mixtureB() {
        return new Mixture(new double[] {0.2, 0.3, 0.5}, new double[][] {{-1, 0.5}, {1.2, -0.3}, {0.2, 1.4}},
                new double[] {0.05, 0.1, 0.02});
    }

    /** Gaussian data N(0, c² I) in {@code dim} dimensions as a one-component mixture. */
    static Mixture gaussian(double c, int dim) {
        return new Mixture(new double[] {1.0}, new double[][] {new double[dim]}, new double[] {c * c});
    }

    /**
     * Sliced Wasserstein-1 distance between two equally sized 2-D point sets, averaged over
     * {@code projections} fixed directions (a private helper until io.sedm.eval.toy lands).
     */
    static double slicedWasserstein(double[] a, double[] b, int dim, int projections) {
        int n = a.length / dim;
        if (b.length / dim != n) {
            throw new IllegalArgumentException("point sets must have equal sizes");
        }
        SplittableRandom rng = new SplittableRandom(12345);
        double total = 0;
        for (int p = 0; p < projections; p++) {
            double[] dir = new double[dim];
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                dir[j] = gaussian(rng);
                norm += dir[j] * dir[j];
            }
            norm = Math.sqrt(norm);
            double[] pa = new double[n];
            double[] pb = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < dim; j++) {
                    pa[i] += a[i * dim + j] * dir[j] / norm;
                    pb[i] += b[i * dim + j] * dir[j] / norm;
                }
            }
            java.util.Arrays.sort(pa);
            java.util.Arrays.sort(pb);
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += Math.abs(pa[i] - pb[i]);
            }
            total += s / n;
        }
        return total / projections;
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
