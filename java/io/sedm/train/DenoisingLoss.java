package io.sedm.train;

import io.sedm.precond.Preconditioning;
import io.sedm.precond.TrainingNoise;
import io.sedm.runtime.Network;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.util.SplittableRandom;

/**
 * Denoising score matching in EDM's form (Karras et al. 2022, eq. 8 and Table 1):
 * {@code L = E_σ E_{y,n} λ(σ)·‖D(y + σn; σ) − y‖²}, summed over pixels and averaged over the
 * batch (docs/ALGORITHMS.md §3). Each published loss is a σ distribution, a weight λ(σ) and a
 * preconditioning:
 * <ul>
 *   <li>{@link #edm}: ln σ ~ N(P_mean, P_std²), λ = (σ²+σ_d²)/(σσ_d)² (EDM eq. 8, §5);</li>
 *   <li>{@link #vp}: σ = σ_vp(t), t ~ U(ε_t, 1), λ = 1/σ² (Song et al. 2021 VP, EDM's VPLoss);</li>
 *   <li>{@link #ve}: σ = σ_min(σ_max/σ_min)^u, λ = 1/σ² (Song et al. 2021 VE, EDM's VELoss);</li>
 *   <li>{@link #ddpm}: t ~ U{1..T}, λ = 1/σ_t², so λ‖D−y‖² = ‖ε̂ − ε‖² (Ho et al. 2020 L_simple).</li>
 * </ul>
 * The network runs natively; every formula here is Java: the inputs are built with
 * {@link Ops#combine}, and the gradient handed to {@link Network#backward} is
 * {@code dL/dF = (2/B)·λ·c_out·(D − y)}.
 */
public final class DenoisingLoss {

    /** Draws one σ per sample. */
    @FunctionalInterface
    public interface SigmaDistribution {
        double draw(SplittableRandom rng);
    }

    private final String name;
    private final SigmaDistribution sigmaDistribution;
    private final java.util.function.DoubleUnaryOperator weight;
    private final Preconditioning precond;

    public DenoisingLoss(
            String name,
            SigmaDistribution sigmaDistribution,
            java.util.function.DoubleUnaryOperator weight,
            Preconditioning precond) {
        this.name = name;
        this.sigmaDistribution = sigmaDistribution;
        this.weight = weight;
        this.precond = precond;
    }

    /** EDM loss: ln σ ~ N(pMean, pStd²), λ(σ) = (σ² + σ_d²)/(σ·σ_d)². Defaults −1.2, 1.2, 0.5. */
    public static DenoisingLoss edm(double pMean, double pStd, double sigmaData) {
        return new DenoisingLoss(
                "edm",
                rng -> TrainingNoise.edmSigma(rng, pMean, pStd),
                s -> TrainingNoise.edmWeight(s, sigmaData),
                new Preconditioning.Edm(sigmaData));
    }

    /** VP loss: t ~ U(ε_t, 1), σ = σ_vp(t), λ = 1/σ² (β_d = 19.9, β_min = 0.1, ε_t = 1e-5). */
    public static DenoisingLoss vp(double betaD, double betaMin, double epsilonT) {
        Preconditioning.Vp p = new Preconditioning.Vp(betaD, betaMin, 1000);
        return new DenoisingLoss(
                "vp",
                rng -> TrainingNoise.vpSigma(rng, betaD, betaMin, epsilonT),
                TrainingNoise::inverseSquareWeight,
                p);
    }

    /** VE loss: σ = σ_min·(σ_max/σ_min)^u, u ~ U(0,1), λ = 1/σ² (σ ∈ [0.02, 100]). */
    public static DenoisingLoss ve(double sigmaMin, double sigmaMax) {
        return new DenoisingLoss(
                "ve",
                rng -> TrainingNoise.veSigma(rng, sigmaMin, sigmaMax),
                TrainingNoise::inverseSquareWeight,
                new Preconditioning.Ve());
    }

    /** DDPM L_simple = ‖ε̂ − ε‖² with t uniform over the T steps of the linear β schedule. */
    public static DenoisingLoss ddpm(int steps) {
        Preconditioning.Ddpm p = Preconditioning.Ddpm.linear(steps, 1e-4, 0.02);
        return new DenoisingLoss("ddpm", rng -> p.sigmas()[rng.nextInt(steps)], s -> 1 / (s * s), p);
    }

    /**
     * NCSN / NCSNv2 denoising score matching (Song &amp; Ermon 2019, eq. 5 with λ(σ) = σ²; docs/ALGORITHMS.md §13):
     * {@code ½σ²‖s_θ(x̃, σ) + (x̃ − x)/σ²‖²} with σ uniform over the geometric levels. In denoiser form
     * s_θ = (D − x̃)/σ², so the loss is {@code ½‖D − y‖²/σ²}: λ(σ) = 1/(2σ²) with VE preconditioning
     * (the noise-conditional output scaling of NCSNv2 is c_out = σ).
     */
    public static DenoisingLoss ncsn(double sigmaBegin, double sigmaEnd, int levels) {
        double[] sigmas = io.sedm.schedule.NcsnSchedule.geometric(sigmaBegin, sigmaEnd, levels);
        return new DenoisingLoss(
                "ncsn", rng -> sigmas[rng.nextInt(levels)], s -> 0.5 / (s * s), new Preconditioning.Ve());
    }

    public String name() {
        return name;
    }

    public Preconditioning preconditioning() {
        return precond;
    }

    public double weight(double sigma) {
        return weight.applyAsDouble(sigma);
    }

    /** One σ per sample. */
    public double[] drawSigma(SplittableRandom rng, int batch) {
        double[] s = new double[batch];
        for (int b = 0; b < batch; b++) {
            s[b] = sigmaDistribution.draw(rng);
        }
        return s;
    }

    /**
     * Forward and backward for one batch: accumulates {@code gradScale · dL/dθ} into the
     * network's parameter gradients and returns the per-sample losses λ_b·‖D_b − y_b‖².
     *
     * @param y      clean images [B, ...]
     * @param noise  n ~ N(0, I), same shape as y
     * @param labels one-hot class labels or null
     */
    public double[] accumulate(Network net, Tensor y, Tensor noise, double[] sigma, Tensor labels, double gradScale) {
        int batch = Math.toIntExact(y.batchSize());
        double[] cIn = new double[2 * batch], cNoise = new double[batch], lambda = new double[batch];
        double[] residual = new double[3 * batch];
        for (int b = 0; b < batch; b++) {
            double s = sigma[b];
            cIn[b] = precond.cIn(s);
            cIn[batch + b] = precond.cIn(s) * s;
            cNoise[b] = precond.cNoise(s);
            lambda[b] = weight(s);
            // D − y = (c_skip − 1)·y + c_skip·σ·n + c_out·F
            residual[b] = precond.cSkip(s) - 1;
            residual[batch + b] = precond.cSkip(s) * s;
            residual[2 * batch + b] = precond.cOut(s);
        }
        try (Tensor xIn = y.emptyLike()) {
            Ops.combine(xIn, cIn, y, noise);
            try (Tensor f = net.forward(xIn, cNoise, labels, true);
                    Tensor r = y.emptyLike()) {
                Ops.combine(r, residual, y, noise, f);
                double[] loss = Ops.sumSquaresPerSample(r);
                double[] g = new double[batch];
                for (int b = 0; b < batch; b++) {
                    loss[b] *= lambda[b];
                    g[b] = gradScale * 2.0 / batch * lambda[b] * residual[2 * batch + b];
                }
                Ops.combine(r, g, r);
                net.backward(r);
                return loss;
            }
        }
    }
}
