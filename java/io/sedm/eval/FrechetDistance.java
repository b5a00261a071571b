package io.sedm.eval;

/**
 * The Fréchet (2-Wasserstein) distance between the Gaussians fitted to two feature sets
 * (Dowson &amp; Landau 1982, "The Fréchet distance between multivariate normal distributions",
 * J. Multivar. Anal. 12; FID: Heusel et al. 2017, "GANs trained by a two time-scale update rule
 * converge to a local Nash equilibrium"; docs/ALGORITHMS.md §10):
 * <pre>
 *   FD = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½
 * </pre>
 * The last trace is computed from two symmetric eigendecompositions: S = Σ₁^½ (eigenvalues
 * clamped at 0), then M = S Σ₂ S, which is symmetric positive semi-definite, and
 * tr M^½ = Σ_k √max(λ_k(M), 0). This equals tr sqrtm(Σ₁Σ₂) of the reference implementations
 * (scipy's Schur-based sqrtm, real part taken) because Σ₁Σ₂ = S(SΣ₂S)S⁻¹ is similar to M, but
 * needs no complex arithmetic and no regularising offset for singular Σ₁ (n &lt; d features).
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** FD between two feature sets given as rows. */
    public static double between(double[][] a, double[][] b) {
        return between(FeatureStatistics.of(a), FeatureStatistics.of(b));
    }

    /** FD between two sets of Gaussian statistics of the same dimension. */
    public static double between(FeatureStatistics a, FeatureStatistics b) {
        return between(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    /** FD between N(μ₁, Σ₁) and N(μ₂, Σ₂). Clamped at 0 (rounding can leave −1e−12 for equal inputs). */
    public static double between(double[] mu1, double[][] sigma1, double[] mu2, double[][] sigma2) {
        int d = mu1.length;
        if (mu2.length != d || sigma1.length != d || sigma2.length != d) {
            throw new IllegalArgumentException("dimensions differ: mu1 " + d + ", mu2 " + mu2.length + ", sigma1 "
                    + sigma1.length + ", sigma2 " + sigma2.length);
        }
        double meanTerm = 0;
        for (int j = 0; j < d; j++) {
            double diff = mu1[j] - mu2[j];
            meanTerm += diff * diff;
        }
        double trace = 0;
        for (int j = 0; j < d; j++) {
            trace += sigma1[j][j] + sigma2[j][j];
        }
        double fd = meanTerm + trace - 2 * traceSqrtProduct(sigma1, sigma2);
        return Math.max(fd, 0.0);
    }

    /** tr (Σ₁^½ Σ₂ Σ₁^½)^½ = tr sqrtm(Σ₁ Σ₂) for symmetric PSD Σ₁, Σ₂. */
    public static double traceSqrtProduct(double[][] sigma1, double[][] sigma2) {
        double[][] s = sqrtPsd(sigma1);
        double[][] m = multiply(multiply(s, sigma2), s);
        double t = 0;
        for (double lambda : SymmetricEigen.of(m).values()) {
            t += Math.sqrt(Math.max(lambda, 0.0));
        }
        return t;
    }

    /**
     * The principal square root of a symmetric positive semi-definite matrix, V·diag(√max(λ, 0))·Vᵀ
     * (eigenvalues below 0, which only rounding produces for a PSD input, are clamped).
     */
    public static double[][] sqrtPsd(double[][] a) {
        return SymmetricEigen.of(a).apply(lambda -> Math.sqrt(Math.max(lambda, 0.0)));
    }

    /** a·b for dense square matrices (i-k-j order, so the inner loop runs along rows). */
    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int p = b.length;
        int m = b[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] row = out[i];
            for (int k = 0; k < p; k++) {
                double aik = a[i][k];
                if (aik == 0) {
                    continue;
                }
                double[] bk = b[k];
                for (int j = 0; j < m; j++) {
                    row[j] += aik * bk[j];
                }
            }
        }
        return out;
    }
}
