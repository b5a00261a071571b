package io.sedm.sampler;

import io.sedm.guidance.Discriminator;
import io.sedm.guidance.DiscriminatorGuidance;
import io.sedm.runtime.DType;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.util.function.DoubleUnaryOperator;

/**
 * The EDM-family sampler: Heun (or Euler) integration of the probability-flow ODE
 * {@code dx/dσ = (x − D(x; σ))/σ} with optional churn (Karras et al., "Elucidating the Design Space
 * of Diffusion-Based Generative Models", NeurIPS 2022, Algorithm 2; NVlabs/edm {@code generate.py},
 * {@code edm_sampler}; docs/ALGORITHMS.md §4), extended the way alsdudrla10/DG {@code generate.py}
 * extends that one function, with Epsilon Scaling (Ning et al., ICLR 2024, eq. 10; §6.1) and
 * Discriminator Guidance (Kim et al., ICML 2023, eq. 8; §7.5). The presets of {@link Options} are
 * the four published samplers: {@link Options#edm() EDM}, {@link Options#edmEs() EDM-ES},
 * {@link Options#edmGpp() EDM-G++} and {@link Options#sedmGpp() SEDM-G++} (the thesis
 * "Mitigating Exposure Bias in Discriminator Guided Diffusion Models"; thefoolonthehill18/SEDM-G
 * {@code generate.py}).
 *
 * <p>Step i, in the order of docs/ALGORITHMS.md §9.1 (h_i = σ_{i+1} − σ̂_i, λ_i = b + κ·i):
 * <pre>
 *   1. churn:  γ_i = min(S_churn/N, √2 − 1) on [S_min, S_max];  σ̂_i = σ_i(1 + γ_i);
 *              x̂_i = x_i + √(σ̂_i² − σ_i²)·S_noise·ξ            (per sample when boosting)
 *   2. D0 = D(x̂_i; σ̂_i)
 *   3.–4. ES:  d_i = (x̂_i − D0)/(σ̂_i λ_i)
 *   5. DG:     d_i ← d_i − w1·σ̂_i·∇_x ℓ(x̂_i; σ̂_i)     (not divided by λ; only inside the window)
 *   6. x' = x̂_i + h_i d_i
 *   7. Heun, i &lt; N−1:  d' = (x' − D(x'; σ_{i+1}))/(σ_{i+1} λ_i) [− w2 DG term]
 *                      x_{i+1} = x̂_i + h_i (d_i + d')/2;     else x_{i+1} = x'
 * </pre>
 * With λ = 1 and w = 0 this is Algorithm 2 line for line; every update is one fused
 * {@link Ops#combine} on native tensors.
 */
public final class EdmSampler implements Sampler {

    /**
     * The Discriminator Guidance settings (Kim et al. 2023; alsdudrla10/DG {@code generate.py}; §7.5).
     *
     * @param w1       DG weight on the first (predictor) evaluation ({@code --dg_weight_1st_order})
     * @param w2       DG weight on the corrector evaluation (0 in EDM-G++ and SEDM-G++)
     * @param tauMin   DG window start in VP time (0.01)
     * @param tauMax   DG window end (1.0)
     * @param boosting DG boosting (§7.5): extra churn / doubled guidance for samples judged fake
     */
    public record Guidance(double w1, double w2, double tauMin, double tauMax, boolean boosting) {
        public Guidance {
            if (!Double.isFinite(w1) || !Double.isFinite(w2)) {
                throw new IllegalArgumentException("DG weights must be finite, got w1 = " + w1 + ", w2 = " + w2);
            }
            if (!(tauMin >= 0) || !(tauMax >= tauMin) || tauMax > 1.0) {
                throw new IllegalArgumentException(
                        "the DG window needs 0 <= tauMin <= tauMax <= 1, got [" + tauMin + ", " + tauMax + "]");
            }
        }

        /** No guidance (the DG defaults for the window, weights 0). */
        public static Guidance none() {
            return firstOrder(0.0);
        }

        /** DG on the predictor only with weight {@code w1}, window [0.01, 1], no boosting (DG's defaults). */
        public static Guidance firstOrder(double w1) {
            return new Guidance(w1, 0.0, 0.01, 1.0, false);
        }

        /** Whether a discriminator is ever evaluated. */
        public boolean active() {
            return w1 != 0.0 || w2 != 0.0 || boosting;
        }
    }

    /**
     * @param solver         Heun (EDM default) or Euler ({@code use_euler})
     * @param churn          S_churn, S_min, S_max, S_noise
     * @param epsilonScaling λ_i = b + κ·i; {@link EpsilonScaling#none()} = no ES
     * @param guidance       DG weights, window and boosting; {@link Guidance#none()} = no DG
     */
    public record Options(Solver solver, Churn churn, EpsilonScaling epsilonScaling, Guidance guidance) {
        public Options {
            if (solver == null || churn == null) {
                throw new IllegalArgumentException("solver and churn must not be null");
            }
            if (epsilonScaling == null) {
                throw new IllegalArgumentException("epsilonScaling must not be null (use EpsilonScaling.none())");
            }
            if (guidance == null) {
                throw new IllegalArgumentException("guidance must not be null (use Guidance.none())");
            }
        }

        /** EDM (Karras et al. 2022): Heun, S_churn = 0, S_min = 0, S_max = ∞, S_noise = 1, no ES, no DG. */
        public static Options edm() {
            return new Options(Solver.HEUN, Churn.none(), EpsilonScaling.none(), Guidance.none());
        }

        /**
         * EDM-ES (Ning et al. 2024): EDM with uniform λ = 1.0005, the forever208/EDM-ES value for
         * unconditional CIFAR-10 Heun at 35 NFE (docs/ALGORITHMS.md §6.1 table).
         */
        public static Options edmEs() {
            return edm().withEpsilonScaling(EpsilonScaling.constant(1.0005));
        }

        /** EDM-G++ (Kim et al. 2023): EDM with DG w1 = 2.0, w2 = 0, window [0.01, 1], boosting off (§7.5). */
        public static Options edmGpp() {
            return edm().withGuidance(Guidance.firstOrder(2.0));
        }

        /** SEDM-G++ (the thesis' headline, §9): EDM with λ = 1.0004 and DG w1 = 1.67, w2 = 0, window [0.01, 1]. */
        public static Options sedmGpp() {
            return edm().withEpsilonScaling(EpsilonScaling.constant(1.0004)).withGuidance(Guidance.firstOrder(1.67));
        }

        public Options withSolver(Solver s) {
            return new Options(s, churn, epsilonScaling, guidance);
        }

        public Options withChurn(Churn c) {
            return new Options(solver, c, epsilonScaling, guidance);
        }

        public Options withChurn(double sChurn, double sMin, double sMax, double sNoise) {
            return withChurn(new Churn(sChurn, sMin, sMax, sNoise));
        }

        public Options withEpsilonScaling(EpsilonScaling es) {
            return new Options(solver, churn, es, guidance);
        }

        public Options withGuidance(Guidance g) {
            return new Options(solver, churn, epsilonScaling, g);
        }

        /** The DG weights, keeping the window and boosting. */
        public Options withGuidance(double w1, double w2) {
            return withGuidance(new Guidance(w1, w2, guidance.tauMin(), guidance.tauMax(), guidance.boosting()));
        }

        public Options withWindow(double tauMin, double tauMax) {
            return withGuidance(new Guidance(guidance.w1(), guidance.w2(), tauMin, tauMax, guidance.boosting()));
        }

        public Options withBoosting(boolean on) {
            return withGuidance(new Guidance(guidance.w1(), guidance.w2(), guidance.tauMin(), guidance.tauMax(), on));
        }

        /** Whether a run draws noise: churn, or boosting's per-sample churn. */
        boolean stochastic() {
            return churn.stochastic() || guidance.boosting();
        }
    }

    /** Boosting (§7.5): every 5th step samples with ℓ &lt; 0 get this S_churn (and S_noise = 1). */
    static final double BOOST_CHURN = 4.0;

    /**
     * The scalar half of step i for one row (sample): everything §9.1 needs besides the tensors,
     * from the row's levels, its step index and the logit of its previous DG call. The batch step
     * applies one of these per row, so rows need not share σ, i or boosting.
     *
     * @param sigmaHat        σ̂_i = round_sigma(σ_i(1 + γ_i))       (step 1; Algorithm 2 line 5)
     * @param noiseScale      √(σ̂_i² − σ_i²)·S_noise, the std of the churn noise (step 1; line 6)
     * @param slopeScale      1/(σ̂_i λ_i): d_i = slopeScale·(x̂_i − D0)  (steps 3–4; line 7 with ES)
     * @param h               h_i = σ_{i+1} − σ̂_i                   (step 6; line 8)
     * @param correctorScale  1/(σ_{i+1} λ_i): d' = correctorScale·(x' − D1)  (step 7; line 10 with ES); NaN without step 7
     * @param corrector       whether step 7 runs (Heun and i &lt; N − 1)
     * @param boostGuidance   whether this step doubles the DG weight of a row judged fake (i mod 2 = 0, §7.5)
     */
    public record RowStep(
            double sigmaHat,
            double noiseScale,
            double slopeScale,
            double h,
            double correctorScale,
            boolean corrector,
            boolean boostGuidance) {

        /**
         * Plans step {@code i} of {@code n} from σ_i = {@code sigmaCur} to σ_{i+1} = {@code sigmaNext}
         * for a row whose previous DG logit is {@code lastLogit} (+∞ before the first DG call).
         */
        public static RowStep plan(
                Options options,
                double sigmaCur,
                double sigmaNext,
                int i,
                int n,
                double lastLogit,
                DoubleUnaryOperator roundSigma) {
            Guidance guidance = options.guidance();
            // churn, raised to S_churn = 4, S_noise = 1 on every 5th step for rows judged fake (§7.5)
            boolean boosted = guidance.boosting() && i % 5 == 0 && lastLogit < 0;
            Churn churn = boosted ? options.churn().with(BOOST_CHURN, 1.0) : options.churn();
            double sigmaHat = roundSigma.applyAsDouble(sigmaCur * (1.0 + churn.gamma(sigmaCur, n)));
            double noiseScale = Math.sqrt(Math.max(sigmaHat * sigmaHat - sigmaCur * sigmaCur, 0.0)) * churn.sNoise();
            EpsilonScaling es = options.epsilonScaling();
            boolean corrector = options.solver() == Solver.HEUN && i < n - 1;
            return new RowStep(
                    sigmaHat,
                    noiseScale,
                    es.slopeScale(sigmaHat, i),
                    sigmaNext - sigmaHat,
                    corrector ? es.slopeScale(sigmaNext, i) : Double.NaN,
                    corrector,
                    guidance.boosting() && i % 2 == 0);
        }
    }

    private final Options options;
    private final DiscriminatorGuidance discriminatorGuidance;

    /**
     * @param discriminator required when {@link Guidance#active()}; otherwise may be null (and is
     *                      then never evaluated even if given)
     */
    public EdmSampler(Options options, Discriminator discriminator) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        if (options.guidance().active() && discriminator == null) {
            throw new IllegalArgumentException(
                    "a discriminator is required when w1 or w2 is non-zero or boosting is on");
        }
        this.options = options;
        this.discriminatorGuidance = discriminator == null
                ? null
                : new DiscriminatorGuidance(
                        discriminator,
                        options.guidance().tauMin(),
                        options.guidance().tauMax());
    }

    /** An unguided sampler (EDM or EDM-ES); throws if the options ask for guidance. */
    public EdmSampler(Options options) {
        this(options, null);
    }

    /** Plain EDM ({@link Options#edm()}). */
    public EdmSampler() {
        this(Options.edm());
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
        try (Buffers buffers = new Buffers()) {
            Run run = new Run(buffers, x);
            int n = sigmas.length - 1;
            for (int i = 0; i < n; i++) {
                run.step(denoiser, i, n, sigmas[i], sigmas[i + 1], noise, listener);
            }
            return buffers.take(run.x);
        }
    }

    /** The loop state of one run: x, the step's buffers and the per-sample logits of the last DG call. */
    private final class Run {
        private final int batch;
        private final double[] ones;
        private Tensor x;
        private Tensor xNext;
        private final Tensor xHatBuffer;
        private final Tensor denoised;
        private final Tensor dCur;
        private final Tensor dPrime;
        private final Tensor xi;
        /** ℓ from the previous DG call, +∞ before the first (boosting's churn test, §7.5). */
        private final double[] lastLogit;

        Run(Buffers buffers, Tensor start) {
            this.batch = Math.toIntExact(start.batchSize());
            this.ones = PerSample.filled(batch, 1.0);
            this.x = buffers.own(start.to(start.device(), DType.FLOAT64));
            this.xNext = buffers.like(x);
            this.xHatBuffer = options.stochastic() ? buffers.like(x) : null;
            this.denoised = buffers.like(x);
            this.dCur = buffers.like(x);
            this.dPrime = options.solver() == Solver.HEUN ? buffers.like(x) : null;
            this.xi = options.stochastic() ? buffers.like(x) : null;
            this.lastLogit = PerSample.filled(batch, Double.POSITIVE_INFINITY);
        }

        void step(
                Denoiser denoiser,
                int i,
                int n,
                double sigmaCur,
                double sigmaNext,
                Generator noise,
                StepListener listener) {
            Guidance guidance = options.guidance();
            double[] sigmaHat = new double[batch];
            double[] noiseScale = new double[batch];
            double[] slope = new double[batch];
            double[] negSlope = new double[batch];
            double[] h = new double[batch];
            double[] half = new double[batch];
            double[] corrector = new double[batch];
            double[] negCorrector = new double[batch];
            boolean[] boostGuidance = new boolean[batch];
            for (int b = 0; b < batch; b++) {
                RowStep row = RowStep.plan(options, sigmaCur, sigmaNext, i, n, lastLogit[b], denoiser::roundSigma);
                sigmaHat[b] = row.sigmaHat();
                noiseScale[b] = row.noiseScale();
                slope[b] = row.slopeScale();
                negSlope[b] = -row.slopeScale();
                h[b] = row.h();
                half[b] = 0.5 * row.h();
                corrector[b] = row.correctorScale();
                negCorrector[b] = -row.correctorScale();
                boostGuidance[b] = row.boostGuidance();
            }

            // 1. Increase noise temporarily (churn, Algorithm 2 lines 4–6).
            Tensor xHat = x;
            if (options.stochastic()) {
                noise.normal(xi);
                Ops.combine(xHatBuffer, ones, x, noiseScale, xi);
                xHat = xHatBuffer;
            }

            // 2. D0 = D(x̂; σ̂).
            denoiser.denoise(xHat, sigmaHat, denoised);
            listener.onStep(new SamplerStep(i, n, sigmaCur, sigmaHat, xHat, denoised));

            // 3.–4. Euler slope with Epsilon Scaling: d = (x̂ − D0)/(σ̂ λ_i) (Algorithm 2 line 7; §6.1).
            Ops.combine(dCur, slope, xHat, negSlope, denoised);

            // 5. Discriminator Guidance on the predictor slope, unscaled by λ (§7.5, §9.1 step 5).
            if (discriminatorGuidance != null && (guidance.w1() != 0.0 || guidance.boosting())) {
                try (DiscriminatorGuidance.Evaluation dg = discriminatorGuidance.evaluate(xHat, sigmaHat)) {
                    double[] w = new double[batch];
                    for (int b = 0; b < batch; b++) {
                        w[b] = boostGuidance[b] && dg.logit()[b] < 0 ? 2.0 * guidance.w1() : guidance.w1();
                    }
                    dg.addTo(dCur, w);
                    System.arraycopy(dg.logit(), 0, lastLogit, 0, batch);
                }
            }

            // 6. Euler step x' = x̂ + h d (Algorithm 2 line 8).
            Ops.combine(xNext, ones, xHat, h, dCur);

            // 7. Second-order correction (Algorithm 2 lines 9–11), not on the last step: ES with
            //    the same λ_i, DG only if w2 ≠ 0.
            if (options.solver() == Solver.HEUN && i < n - 1) {
                double[] sigmaNexts = PerSample.filled(batch, sigmaNext);
                denoiser.denoise(xNext, sigmaNexts, denoised);
                Ops.combine(dPrime, corrector, xNext, negCorrector, denoised);
                if (discriminatorGuidance != null && guidance.w2() != 0.0) {
                    try (DiscriminatorGuidance.Evaluation dg = discriminatorGuidance.evaluate(xNext, sigmaNexts)) {
                        dg.addTo(dPrime, PerSample.filled(batch, guidance.w2()));
                        if (dg.open()) {
                            System.arraycopy(dg.logit(), 0, lastLogit, 0, batch);
                        }
                    }
                }
                Ops.combine(xNext, ones, xHat, half, dCur, half, dPrime);
            }
            Tensor previous = x;
            x = xNext;
            xNext = previous;
        }
    }
}
