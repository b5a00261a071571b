package io.sedm.sampler;

import io.sedm.guidance.Discriminator;
import io.sedm.guidance.DiscriminatorGuidance;
import io.sedm.runtime.DType;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;

/**
 * SEDM-G++: the EDM Heun sampler with Epsilon Scaling and Discriminator Guidance, in the exact
 * order of thefoolonthehill18/SEDM-G {@code generate.py} and the thesis "Mitigating Exposure Bias
 * in Discriminator Guided Diffusion Models" (ALGORITHMS.md §9.1). Per step i
 * (h_i = σ_{i+1} − σ̂_i, λ_i = b + κ·i):
 * <pre>
 *   1. churn:  σ̂_i, x̂_i as in EDM (per sample when boosting)
 *   2. D0 = D(x̂_i; σ̂_i)
 *   4. ES:     d_i = (x̂_i − D0)/(σ̂_i λ_i)
 *   5. DG:     d_i ← d_i − w1·σ̂_i·∇_x ℓ(x̂_i; σ̂_i)      (not divided by λ; only in the window)
 *   6. x' = x̂_i + h_i d_i
 *   7. Heun, i &lt; N−1:  d' = (x' − D(x'; σ_{i+1}))/(σ_{i+1} λ_i) [+ w2 DG term, test extension]
 *                      x_{i+1} = x̂_i + h_i (d_i + d')/2;   else x_{i+1} = x'
 * </pre>
 * Special cases: λ = 1, w = 0 is EDM (Karras et al. 2022) bit for bit; w = 0 is EDM-ES (Ning et al.
 * 2024); λ = 1 is EDM-G++ (Kim et al. 2023, with boosting of §7.5 available).
 */
public final class SedmGppSampler implements Sampler {

    /**
     * @param solver         Heun (headline) or Euler ({@code use_euler})
     * @param sChurn         S_churn ≥ 0 (0 in the headline runs)
     * @param sMin           S_min
     * @param sMax           S_max
     * @param sNoise         S_noise
     * @param epsilonScaling λ_i = b + κ·i (headline: uniform 1.0004)
     * @param w1             DG weight on the first (predictor) evaluation (headline 1.67)
     * @param w2             DG weight on the corrector evaluation (0 in SEDM-G++; EDM-G++ option)
     * @param tauMin         DG window start in VP time (0.01)
     * @param tauMax         DG window end (1.0)
     * @param boosting       DG boosting (§7.5): extra churn / doubled guidance for samples judged fake
     */
    public record Options(Solver solver, double sChurn, double sMin, double sMax, double sNoise,
            EpsilonScaling epsilonScaling, double w1, double w2, double tauMin, double tauMax, boolean boosting) {
        public Options {
            new EdmSampler.Options(solver, sChurn, sMin, sMax, sNoise); // same checks
            if (epsilonScaling == null) {
                throw new IllegalArgumentException("epsilonScaling must not be null (use EpsilonScaling.none())");
            }
            if (!Double.isFinite(w1) || !Double.isFinite(w2)) {
                throw new IllegalArgumentException("DG weights must be finite, got w1 = " + w1 + ", w2 = " + w2);
            }
            if (!(tauMin >= 0) || !(tauMax >= tauMin) || tauMax > 1.0) {
                throw new IllegalArgumentException("the DG window needs 0 <= tauMin <= tauMax <= 1, got [" + tauMin + ", " + tauMax + "]");
            }
        }

        /** The headline SEDM-G++ settings: Heun, λ = 1.0004, w1 = 1.67, w2 = 0, window [0.01, 1]. */
        public static Options defaults() {
            return new Options(Solver.HEUN, 0.0, 0.0, Double.POSITIVE_INFINITY, 1.0, EpsilonScaling.constant(1.0004),
                    1.67, 0.0, 0.01, 1.0, false);
        }

        /** Plain EDM through this sampler: λ = 1, no guidance. */
        public static Options edm() {
            return defaults().withEpsilonScaling(EpsilonScaling.none()).withGuidance(0.0, 0.0);
        }

        public Options withSolver(Solver s) {
            return new Options(s, sChurn, sMin, sMax, sNoise, epsilonScaling, w1, w2, tauMin, tauMax, boosting);
        }

        public Options withChurn(double churn, double min, double max, double noise) {
            return new Options(solver, churn, min, max, noise, epsilonScaling, w1, w2, tauMin, tauMax, boosting);
        }

        public Options withEpsilonScaling(EpsilonScaling es) {
            return new Options(solver, sChurn, sMin, sMax, sNoise, es, w1, w2, tauMin, tauMax, boosting);
        }

        public Options withGuidance(double first, double second) {
            return new Options(solver, sChurn, sMin, sMax, sNoise, epsilonScaling, first, second, tauMin, tauMax, boosting);
        }

        public Options withWindow(double min, double max) {
            return new Options(solver, sChurn, sMin, sMax, sNoise, epsilonScaling, w1, w2, min, max, boosting);
        }

        public Options withBoosting(boolean on) {
            return new Options(solver, sChurn, sMin, sMax, sNoise, epsilonScaling, w1, w2, tauMin, tauMax, on);
        }

        boolean guided() {
            return w1 != 0.0 || w2 != 0.0 || boosting;
        }

        boolean stochastic() {
            return sChurn > 0 || boosting;
        }
    }

    /** Boosting (§7.5): every 5th step samples with ℓ &lt; 0 get this S_churn (and S_noise = 1). */
    static final double BOOST_CHURN = 4.0;

    private final Options options;
    private final DiscriminatorGuidance guidance;

    /** @param discriminator required when a DG weight is non-zero or boosting is on; else may be null */
    public SedmGppSampler(Options options, Discriminator discriminator) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        if (options.guided() && discriminator == null) {
            throw new IllegalArgumentException("a discriminator is required when w1 or w2 is non-zero or boosting is on");
        }
        this.options = options;
        this.guidance = discriminator == null ? null
                : new DiscriminatorGuidance(discriminator, options.tauMin(), options.tauMax());
    }

    public Options options() {
        return options;
    }

    @Override
    public Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener) {
        Sampler.requireSchedule(sigmas);
        if (options.stochastic()) {
            Sampler.requireNoise(noise, x, "S_churn > 0 or boosting");
        }
        try (Run run = new Run(x)) {
            int n = sigmas.length - 1;
            for (int i = 0; i < n; i++) {
                run.step(denoiser, i, n, sigmas[i], sigmas[i + 1], noise, listener);
            }
            return run.take();
        }
    }

    /** Loop state of one run: buffers and the per-sample logits of the last DG call. */
    private final class Run implements AutoCloseable {
        private final int batch;
        private Tensor x;
        private Tensor xNext;
        private final Tensor xHatBuffer;
        private final Tensor denoised;
        private final Tensor dCur;
        private final Tensor dPrime;
        private final Tensor xi;
        /** ℓ from the previous DG call, +∞ before the first (boosting's churn test). */
        private final double[] lastLogit;

        Run(Tensor start) {
            this.batch = Math.toIntExact(start.batchSize());
            this.x = start.to(start.device(), DType.FLOAT64);
            this.xNext = x.emptyLike();
            this.xHatBuffer = options.stochastic() ? x.emptyLike() : null;
            this.denoised = x.emptyLike();
            this.dCur = x.emptyLike();
            this.dPrime = options.solver() == Solver.HEUN ? x.emptyLike() : null;
            this.xi = options.stochastic() ? x.emptyLike() : null;
            this.lastLogit = PerSample.filled(batch, Double.POSITIVE_INFINITY);
        }

        void step(Denoiser denoiser, int i, int n, double sigmaCur, double sigmaNext, Generator noise,
                StepListener listener) {
            // 1. Churn, per sample when boosting raises S_churn for samples judged fake.
            boolean boostChurn = options.boosting() && i % 5 == 0;
            double[] sigmaHat = new double[batch];
            double[] noiseScale = new double[batch];
            for (int b = 0; b < batch; b++) {
                boolean boosted = boostChurn && lastLogit[b] < 0;
                double sChurn = boosted ? BOOST_CHURN : options.sChurn();
                double sNoise = boosted ? 1.0 : options.sNoise();
                double gamma = options.sMin() <= sigmaCur && sigmaCur <= options.sMax()
                        ? Math.min(sChurn / n, Math.sqrt(2.0) - 1.0) : 0.0;
                sigmaHat[b] = denoiser.roundSigma(sigmaCur * (1.0 + gamma));
                noiseScale[b] = Math.sqrt(Math.max(sigmaHat[b] * sigmaHat[b] - sigmaCur * sigmaCur, 0.0)) * sNoise;
            }
            Tensor xHat = x;
            if (options.stochastic()) {
                noise.normal(xi);
                Ops.combine(xHatBuffer, PerSample.rows(PerSample.filled(batch, 1.0), noiseScale), x, xi);
                xHat = xHatBuffer;
            }

            // 2. D0 = D(x̂; σ̂).
            denoiser.denoise(xHat, sigmaHat, denoised);
            listener.onStep(new SamplerStep(i, n, sigmaCur, sigmaHat, xHat, denoised));

            // 3.–4. Epsilon Scaling: d = ε0/λ_i.
            double lambda = options.epsilonScaling().lambda(i);
            double[] h = new double[batch];
            double[] cx = new double[batch];
            double[] cd = new double[batch];
            for (int b = 0; b < batch; b++) {
                h[b] = sigmaNext - sigmaHat[b];
                cx[b] = 1.0 / (sigmaHat[b] * lambda);
                cd[b] = -cx[b];
            }
            Ops.combine(dCur, PerSample.rows(cx, cd), xHat, denoised);

            // 5. Discriminator Guidance on the predictor slope (unscaled by λ).
            if (guidance != null && (options.w1() != 0.0 || options.boosting())) {
                try (DiscriminatorGuidance.Evaluation dg = guidance.evaluate(xHat, sigmaHat)) {
                    boolean boostGuidance = options.boosting() && i % 2 == 0;
                    double[] w = new double[batch];
                    for (int b = 0; b < batch; b++) {
                        w[b] = boostGuidance && dg.logit()[b] < 0 ? 2.0 * options.w1() : options.w1();
                    }
                    dg.addTo(dCur, w);
                    System.arraycopy(dg.logit(), 0, lastLogit, 0, batch);
                }
            }

            // 6. Predictor.
            Ops.combine(xNext, PerSample.rows(PerSample.filled(batch, 1.0), h), xHat, dCur);

            // 7. Corrector (Heun, not on the last step): ES with the same λ_i, DG only if w2 ≠ 0.
            if (options.solver() == Solver.HEUN && i < n - 1) {
                double[] sigmaNexts = PerSample.filled(batch, sigmaNext);
                denoiser.denoise(xNext, sigmaNexts, denoised);
                double c = 1.0 / (sigmaNext * lambda);
                Ops.combine(dPrime, PerSample.uniform(batch, c, -c), xNext, denoised);
                if (guidance != null && options.w2() != 0.0) {
                    try (DiscriminatorGuidance.Evaluation dg = guidance.evaluate(xNext, sigmaNexts)) {
                        dg.addTo(dPrime, PerSample.filled(batch, options.w2()));
                        if (dg.open()) {
                            System.arraycopy(dg.logit(), 0, lastLogit, 0, batch);
                        }
                    }
                }
                double[] half = new double[batch];
                for (int b = 0; b < batch; b++) {
                    half[b] = 0.5 * h[b];
                }
                Ops.combine(xNext, PerSample.rows(PerSample.filled(batch, 1.0), half, half), xHat, dCur, dPrime);
            }
            Tensor previous = x;
            x = xNext;
            xNext = previous;
        }

        Tensor take() {
            Tensor result = x;
            x = null;
            return result;
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {x, xNext, xHatBuffer, denoised, dCur, dPrime, xi}) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }
}
