package io.sedm.data.toy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * An isotropic Gaussian mixture {@code p_0 = Σ_k π_k N(μ_k, c_k² I)} in R^D with everything
 * exact in float64 (docs/ALGORITHMS.md §14.1). Noised in the EDM sense ({@code x = y + σ n}) it stays a
 * mixture, {@code p_σ = Σ_k π_k N(μ_k, (c_k² + σ²) I)}, so the score and the denoiser are closed
 * form at every σ and samplers can be tested with no network.
 *
 * <pre>
 *   log p_σ(x) = LSE_k [ln π_k − ‖x − μ_k‖²/(2v_k) − (D/2) ln(2π v_k)],  v_k = c_k² + σ²
 *   r_k        = softmax_k of the same terms (responsibilities)
 *   ∇ log p_σ  = Σ_k r_k (μ_k − x)/v_k
 *   D(x; σ)    = Σ_k r_k (c_k² x + σ² μ_k)/v_k  = x + σ² ∇ log p_σ   (Tweedie)
 * </pre>
 * Weights need not sum to 1 (they are normalised). JSON: {@code {"weights", "means", "variances"}}.
 */
public record GaussianMixture(double[] weights, double[][] means, double[] variances) {

    public GaussianMixture {
        if (weights == null || means == null || variances == null || weights.length == 0) {
            throw new IllegalArgumentException("weights, means and variances must be non-empty");
        }
        if (means.length != weights.length || variances.length != weights.length) {
            throw new IllegalArgumentException("weights, means and variances need one entry per component; got "
                    + weights.length + ", " + means.length + ", " + variances.length);
        }
        int d = means[0].length;
        for (int k = 0; k < weights.length; k++) {
            if (!(weights[k] > 0) || Double.isInfinite(weights[k])) {
                throw new IllegalArgumentException("weights[" + k + "] must be finite and > 0, got " + weights[k]);
            }
            if (!(variances[k] >= 0) || Double.isInfinite(variances[k])) {
                throw new IllegalArgumentException("variances[" + k + "] must be finite and >= 0, got " + variances[k]);
            }
            if (means[k].length != d || d == 0) {
                throw new IllegalArgumentException("every mean needs the same dimension D >= 1; means[" + k + "] has "
                        + means[k].length + ", means[0] has " + d);
            }
        }
    }

    /** The 2-D fixture of §14.1: μ = (−1, 0.5), (1.2, −0.3), (0.2, 1.4); c² = 0.05, 0.1, 0.02; π = 0.5, 0.3, 0.2. */
    public static GaussianMixture fixture2d() {
        return new GaussianMixture(
                new double[] {0.5, 0.3, 0.2},
                new double[][] {{-1, 0.5}, {1.2, -0.3}, {0.2, 1.4}},
                new double[] {0.05, 0.1, 0.02});
    }

    /** The same components with the "wrong model" weights π = 0.2, 0.3, 0.5 (§14.1). */
    public static GaussianMixture fixture2dWrongModel() {
        return new GaussianMixture(
                new double[] {0.2, 0.3, 0.5},
                new double[][] {{-1, 0.5}, {1.2, -0.3}, {0.2, 1.4}},
                new double[] {0.05, 0.1, 0.02});
    }

    /** N(0, c² I) in D dimensions as a one-component mixture (§14.2's Gaussian data). */
    public static GaussianMixture gaussian(double c, int dim) {
        return new GaussianMixture(new double[] {1.0}, new double[][] {new double[dim]}, new double[] {c * c});
    }

    public int dim() {
        return means[0].length;
    }

    public int components() {
        return weights.length;
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

    private static double logSumExp(double[] t) {
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

    /** log p_σ(x) for the point at {@code x[off .. off + D)}. */
    public double logProb(double[] x, int off, double sigma) {
        return logSumExp(logTerms(x, off, sigma));
    }

    public double logProb(double[] x, double sigma) {
        return logProb(x, 0, sigma);
    }

    /** The responsibilities r_k(x; σ). */
    public double[] responsibilities(double[] x, int off, double sigma) {
        double[] t = logTerms(x, off, sigma);
        double lse = logSumExp(t);
        for (int k = 0; k < t.length; k++) {
            t[k] = Math.exp(t[k] - lse);
        }
        return t;
    }

    /** ∇_x log p_σ(x) = Σ_k r_k (μ_k − x)/v_k. */
    public double[] score(double[] x, int off, double sigma) {
        double[] r = responsibilities(x, off, sigma);
        int d = dim();
        double[] out = new double[d];
        for (int k = 0; k < r.length; k++) {
            double v = variances[k] + sigma * sigma;
            for (int j = 0; j < d; j++) {
                out[j] += r[k] * (means[k][j] - x[off + j]) / v;
            }
        }
        return out;
    }

    public double[] score(double[] x, double sigma) {
        return score(x, 0, sigma);
    }

    /** The exact denoiser D(x; σ) = E[y | x] = Σ_k r_k (c_k² x + σ² μ_k)/v_k. */
    public double[] denoise(double[] x, int off, double sigma) {
        double[] r = responsibilities(x, off, sigma);
        int d = dim();
        double[] out = new double[d];
        for (int k = 0; k < r.length; k++) {
            double v = variances[k] + sigma * sigma;
            for (int j = 0; j < d; j++) {
                out[j] += r[k] * (variances[k] * x[off + j] + sigma * sigma * means[k][j]) / v;
            }
        }
        return out;
    }

    public double[] denoise(double[] x, double sigma) {
        return denoise(x, 0, sigma);
    }

    /** D for a whole row-major batch [B, D] with one σ per row. */
    public double[] denoiseBatch(double[] x, double[] sigma) {
        int d = dim();
        double[] out = new double[x.length];
        for (int b = 0; b < sigma.length; b++) {
            System.arraycopy(denoise(x, b * d, sigma[b]), 0, out, b * d, d);
        }
        return out;
    }

    /**
     * ∇_x [ln p_σ^this(x) − ln p_σ^other(x)] = (D_this − D_other)/σ² — the exact log-density-ratio
     * gradient an optimal discriminator's logit has (§7.1, §14.1).
     */
    public double[] logRatioGradient(GaussianMixture other, double[] x, double sigma) {
        double[] a = denoise(x, sigma);
        double[] b = other.denoise(x, sigma);
        double[] g = new double[a.length];
        for (int j = 0; j < g.length; j++) {
            g[j] = (a[j] - b[j]) / (sigma * sigma);
        }
        return g;
    }

    /**
     * The density of VP coordinates x_vp = a·x, a = 1/√(1 + σ²): {@code ln p^vp(x_vp) =
     * ln p_σ(x_vp/a) − D ln a} (§14.1).
     */
    public double logProbVp(double[] xVp, double sigma) {
        double a = 1.0 / Math.sqrt(1.0 + sigma * sigma);
        double[] x = new double[xVp.length];
        for (int j = 0; j < x.length; j++) {
            x[j] = xVp[j] / a;
        }
        return logProb(x, sigma) - dim() * Math.log(a);
    }

    /** n exact draws from p_0, row-major [n, D]. */
    public double[] sample(int n, RandomGenerator rng) {
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
                out[i * d + j] = means[k][j] + sd * rng.nextGaussian();
            }
        }
        return out;
    }

    public double[] sample(int n, long seed) {
        return sample(n, new SplittableRandom(seed));
    }

    // ---- JSON --------------------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper();

    public static GaussianMixture fromJson(JsonNode root) {
        double[] w = doubles(root, "weights");
        double[] v = doubles(root, "variances");
        JsonNode m = root.get("means");
        if (m == null || !m.isArray()) {
            throw new IllegalArgumentException("mixture JSON needs an array \"means\" of per-component arrays");
        }
        double[][] mu = new double[m.size()][];
        for (int k = 0; k < mu.length; k++) {
            mu[k] = doubles(m.get(k), null);
        }
        return new GaussianMixture(w, mu, v);
    }

    public static GaussianMixture read(Path file) {
        try {
            return fromJson(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the mixture description " + file + ": " + e.getMessage(), e);
        }
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weights", weights);
        m.put("means", means);
        m.put("variances", variances);
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] doubles(JsonNode parent, String field) {
        JsonNode node = field == null ? parent : parent.get(field);
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(
                    "mixture JSON needs an array " + (field == null ? "of numbers" : "\"" + field + "\""));
        }
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalArgumentException(
                        "mixture JSON: " + (field == null ? "means" : field) + "[" + i + "] is not a number");
            }
            out[i] = node.get(i).asDouble();
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GaussianMixture g
                && java.util.Arrays.equals(weights, g.weights)
                && java.util.Arrays.deepEquals(means, g.means)
                && java.util.Arrays.equals(variances, g.variances);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(weights) * 31
                + java.util.Arrays.deepHashCode(means) * 17
                + java.util.Arrays.hashCode(variances);
    }

    @Override
    public String toString() {
        return "GaussianMixture[K=" + components() + ", D=" + dim() + "]";
    }
}
