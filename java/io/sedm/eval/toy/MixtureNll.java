package io.sedm.eval.toy;

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
        int n = samples.length;
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 samples for a standard error");
        }
        double[] logWeights = logNormalisedWeights(weights, means.length, variances.length);
        double[] nll = new double[n];
        for (int i = 0; i < n; i++) {
            nll[i] = -logDensityGivenLogWeights(samples[i], logWeights, means, variances);
        }
        return SlicedWasserstein.meanAndStandardError(nll);
    }

    /** log p(x) for the mixture with the given weights (normalised here). */
    public static double logDensity(double[] x, double[] weights, double[][] means, double[] variances) {
        return logDensityGivenLogWeights(x, logNormalisedWeights(weights, means.length, variances.length), means, variances);
    }

    private static double logDensityGivenLogWeights(double[] x, double[] logWeights, double[][] means, double[] variances) {
        int dim = x.length;
        double[] a = new double[logWeights.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < a.length; k++) {
            if (means[k].length != dim) {
                throw new IllegalArgumentException("mean " + k + " differs in dimension from the samples");
            }
            if (!(variances[k] > 0) || Double.isInfinite(variances[k])) {
                throw new IllegalArgumentException("variances must be positive and finite");
            }
            double sq = 0;
            for (int d = 0; d < dim; d++) {
                double t = x[d] - means[k][d];
                sq += t * t;
            }
            a[k] = logWeights[k] - 0.5 * dim * Math.log(2 * Math.PI * variances[k]) - sq / (2 * variances[k]);
            max = Math.max(max, a[k]);
        }
        double s = 0;
        for (double ak : a) {
            s += Math.exp(ak - max);
        }
        return max + Math.log(s);
    }

    private static double[] logNormalisedWeights(double[] weights, int meanCount, int varianceCount) {
        if (weights.length == 0 || meanCount != weights.length || varianceCount != weights.length) {
            throw new IllegalArgumentException("weights, means and variances must be non-empty and of equal length");
        }
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
        double[] out = new double[weights.length];
        for (int k = 0; k < weights.length; k++) {
            out[k] = Math.log(weights[k] / total);
        }
        return out;
    }
}
