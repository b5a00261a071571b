package io.sedm.guidance;

import io.sedm.runtime.GaussianMixtureDensity;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sde.VpTime;

/**
 * The Bayes-optimal discriminator between two Gaussian mixtures, data A and model B
 * (docs/ALGORITHMS.md §14.3): {@code ℓ(x_vp, τ) = ln p_A^σ(x) − ln p_B^σ(x)} with {@code σ = σ(τ)} and
 * {@code x = x_vp/a} (the Jacobians cancel). Its gradient {@code ∇_x ℓ = (D_A − D_B)/σ²} is exact,
 * so DG with weight 1 turns B's score into A's (Kim et al. 2023, Theorem 1). Computed natively.
 *
 * <p>Does not own the two densities.
 */
public final class GaussianMixtureOracle implements Discriminator {
    private final GaussianMixtureDensity data;
    private final GaussianMixtureDensity model;

    public GaussianMixtureOracle(GaussianMixtureDensity data, GaussianMixtureDensity model) {
        if (data == null || model == null) {
            throw new IllegalArgumentException("data and model mixtures must not be null");
        }
        if (data.dim() != model.dim()) {
            throw new IllegalArgumentException(
                    "data and model mixtures differ in dim: " + data.dim() + " vs " + model.dim());
        }
        this.data = data;
        this.model = model;
    }

    @Override
    public double[] logitAndGradient(Tensor xVp, double[] tau, Tensor gradOut) {
        int batch = Math.toIntExact(xVp.batchSize());
        if (tau.length != batch) {
            throw new IllegalArgumentException("tau must hold one value per sample (" + batch + "), got " + tau.length);
        }
        double[] sigma = new double[batch];
        double[] toEdm = new double[batch];
        for (int b = 0; b < batch; b++) {
            sigma[b] = VpTime.sigma(tau[b]);
            toEdm[b] = 1.0 / VpTime.scale(sigma[b]);
        }
        try (Tensor x = xVp.emptyLike()) {
            Ops.combine(x, toEdm, xVp); // x = x_vp / a
            double[] logit = data.logRatio(model, x, sigma, gradOut); // ∇_x ℓ
            Ops.combine(gradOut, toEdm, gradOut); // ∇_{x_vp} ℓ = ∇_x ℓ / a
            return logit;
        }
    }
}
