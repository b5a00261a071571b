package io.sedm.eval.toy;

import io.sedm.data.toy.GaussianMixture;

/**
 * Mean negative log-likelihood of samples under a known isotropic Gaussian mixture
 * p(x) = Σ_k w_k N(x; μ_k, σ_k² I) — for samples drawn from p itself this estimates the
 * differential entropy H(p), and for samples from q the cross-entropy H(q, p) = H(q) + KL(q‖p).
 * Each log-density is a log-sum-exp over components,
 * log p(x) = max_k a_k + log Σ_k exp(a_k − max_k a_k), a_k = log w_k − (d/2) log(2πσ_k²) − ‖x − μ_k‖²/(2σ_k²),
 * so points far from every mean stay finite. Weights are normalised to sum to 1.
 */
public final class MixtureNll {
    private MixtureNll() {}

    /**
     * The mean of −log p(xᵢ) with standard error (sample std of −log p(xᵢ))/√n, which treats the
     * samples as independent.
     *
     * @param samples n × d, n ≥ 2
     * @param weights w_k ≥ 0 with a positive sum (normalised here)
     * @param means K × d
     * @param variances σ_k² &gt; 0
     */
    public static Estimate estimate(double[][] samples, double[] weights, double[][] means, double[] variances) {
        return estimate(samples, mixture(weights, means, variances));
    }

    /** The same for a {@link GaussianMixture} (its exact log-density at σ = 0). */
    public static Estimate estimate(double[][] samples, GaussianMixture mixture) {
        int n = samples.length;
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 samples for a standard error");
        }
        double[] nll = new double[n];
        for (int i = 0; i < n; i++) {
            if (samples[i].length != mixture.dim()) {
                throw new IllegalArgumentException("sample " + i + " has dimension " + samples[i].length
                        + " but the mixture has " + mixture.dim());
            }
            nll[i] = -mixture.logProb(samples[i], 0.0);
        }
        return SlicedWasserstein.meanAndStandardError(nll);
    }

    /** log p(x) for the mixture with the given weights (normalised here). */
    public static double logDensity(double[] x, double[] weights, double[][] means, double[] variances) {
        return mixture(weights, means, variances).logProb(x, 0.0);
    }

    /** The mixture without its zero-weight components; variances must be positive (a density at σ = 0). */
    private static GaussianMixture mixture(double[] weights, double[][] means, double[] variances) {
        if (weights.length == 0 || means.length != weights.length || variances.length != weights.length) {
            throw new IllegalArgumentException("weights, means and variances must be non-empty and of equal length");
        }
        java.util.List<Integer> keep = new java.util.ArrayList<>();
        for (int k = 0; k < weights.length; k++) {
            if (!(weights[k] >= 0) || Double.isInfinite(weights[k])) {
                throw new IllegalArgumentException("weights must be finite and non-negative");
            }
            if (!(variances[k] > 0) || Double.isInfinite(variances[k])) {
                throw new IllegalArgumentException("variances must be positive and finite");
            }
            if (weights[k] > 0) {
                keep.add(k);
            }
        }
        if (keep.isEmpty()) {
            throw new IllegalArgumentException("weights must have a positive sum");
        }
        return new GaussianMixture(
                keep.stream().mapToDouble(k -> weights[k]).toArray(),
                keep.stream().map(k -> means[k]).toArray(double[][]::new),
                keep.stream().mapToDouble(k -> variances[k]).toArray());
    }
}
