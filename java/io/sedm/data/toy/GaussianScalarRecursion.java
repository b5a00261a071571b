package io.sedm.data.toy;

import io.sedm.schedule.EdmSchedule;
import io.sedm.sde.VpTime;

/**
 * The Gaussian scalar recursion of docs/ALGORITHMS.md §14.2: with data N(0, c² I) and a model
 * N(0, c_m² I) every EDM-family sampler (EDM Heun/Euler, ES, EDM-G++, SEDM-G++ with an oracle
 * discriminator) maps x ↦ factor·x. Per step, with {@code k_m(σ) = σ/(c_m² + σ²)},
 * {@code q(σ) = 1/(c_m² + σ²) − 1/(c² + σ²)} and A(σ) = 1 when τ(σ) lies in the DG window:
 * <pre>
 *   d1 = k_m(σ_i)/λ − w1·A(σ_i)·σ_i·q(σ_i);   g = 1 + h·d1
 *   Heun, i &lt; N−1:  d2 = (k_m(σ_{i+1})/λ − w2·A(σ_{i+1})·σ_{i+1}·q(σ_{i+1}))·g;  g = 1 + h(d1 + d2)/2
 * </pre>
 * and the overall factor is Π g. The unit tests of every sampler compare against it.
 *
 * @param c       data std
 * @param cModel  model std c_m
 * @param lambda  Epsilon Scaling λ (uniform)
 * @param w1      DG weight on the predictor
 * @param w2      DG weight on the corrector
 * @param tauMin  DG window start (VP time)
 * @param tauMax  DG window end
 */
public record GaussianScalarRecursion(
        double c, double cModel, double lambda, double w1, double w2, double tauMin, double tauMax) {

    /** Plain EDM on exact Gaussian data of std c. */
    public static GaussianScalarRecursion edm(double c) {
        return new GaussianScalarRecursion(c, c, 1.0, 0.0, 0.0, 0.01, 1.0);
    }

    /** x_N/x_0 for N EDM ρ-levels (σ ∈ [0.002, 80], ρ = 7), Heun or Euler. */
    public double factor(int n, boolean heun) {
        return factor(EdmSchedule.sigmas(n), heun);
    }

    /** x_N/x_0 over a σ schedule ending in 0. */
    public double factor(double[] sigmas, boolean heun) {
        int n = sigmas.length - 1;
        double factor = 1;
        for (int i = 0; i < n; i++) {
            double h = sigmas[i + 1] - sigmas[i];
            double d1 = slope(sigmas[i], w1);
            double g = 1 + h * d1;
            if (heun && i < n - 1) {
                double d2 = slope(sigmas[i + 1], w2) * g;
                g = 1 + h * (d1 + d2) / 2;
            }
            factor *= g;
        }
        return factor;
    }

    /** Continuous limit with DG off and c = c_m (§14.2): (c²/(c² + σ_max²))^{1/(2λ)}. */
    public double continuousFactor(double sigmaMax) {
        return Math.pow(c * c / (c * c + sigmaMax * sigmaMax), 1.0 / (2 * lambda));
    }

    private double slope(double sigma, double w) {
        double km = sigma / (cModel * cModel + sigma * sigma);
        double q = 1 / (cModel * cModel + sigma * sigma) - 1 / (c * c + sigma * sigma);
        double tau = VpTime.tau(sigma);
        double open = tau >= tauMin && tau <= tauMax ? 1 : 0;
        return km / lambda - w * open * sigma * q;
    }
}
