package io.sedm.sampler;

/**
 * EDM's stochastic "churn" (Karras et al., "Elucidating the Design Space of Diffusion-Based
 * Generative Models", NeurIPS 2022, Algorithm 2 lines 4–6; NVlabs/edm {@code generate.py};
 * docs/ALGORITHMS.md §4 step 2.1): before step i the noise level is raised from σ_i to
 * {@code σ̂_i = σ_i(1 + γ_i)} by adding fresh noise of std {@code √(σ̂_i² − σ_i²)·S_noise}, with
 * <pre>
 *   γ_i = min(S_churn/N, √2 − 1)  if S_min ≤ σ_i ≤ S_max,  else 0
 * </pre>
 * The one place this formula is written; the EDM and generalized samplers both call {@link #gamma}.
 *
 * @param sChurn S_churn ≥ 0, overall amount of stochasticity (0 = deterministic)
 * @param sMin   S_min, lower end of the σ range where churn is applied
 * @param sMax   S_max, upper end of that range
 * @param sNoise S_noise, scale of the churn noise (slightly above 1 offsets detail loss)
 */
public record Churn(double sChurn, double sMin, double sMax, double sNoise) {
    public Churn {
        if (!(sChurn >= 0) || Double.isInfinite(sChurn)) {
            throw new IllegalArgumentException("sChurn must be finite and >= 0, got " + sChurn);
        }
        if (!(sMin >= 0) || Double.isNaN(sMax) || sMax < sMin) {
            throw new IllegalArgumentException("need 0 <= sMin <= sMax, got sMin = " + sMin + ", sMax = " + sMax);
        }
        if (!(sNoise >= 0) || Double.isInfinite(sNoise)) {
            throw new IllegalArgumentException("sNoise must be finite and >= 0, got " + sNoise);
        }
    }

    /** EDM's defaults: S_churn = 0, S_min = 0, S_max = ∞, S_noise = 1 (deterministic). */
    public static Churn none() {
        return new Churn(0.0, 0.0, Double.POSITIVE_INFINITY, 1.0);
    }

    /** Whether any noise is ever added (S_churn &gt; 0). */
    public boolean stochastic() {
        return sChurn > 0;
    }

    /** The same σ range with another S_churn and S_noise (DG boosting, docs/ALGORITHMS.md §7.5). */
    public Churn with(double churn, double noise) {
        return new Churn(churn, sMin, sMax, noise);
    }

    /** γ_i at level {@code sigma} of a run of {@code n} steps (Algorithm 2, line 4). */
    public double gamma(double sigma, int n) {
        return sMin <= sigma && sigma <= sMax ? Math.min(sChurn / n, Math.sqrt(2.0) - 1.0) : 0.0;
    }
}
