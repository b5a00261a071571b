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
        try (Rows rows = rows(x, sigmas, noise, denoiser::roundSigma)) {
            while (rows.stage() != Stage.DONE) {
                if (rows.stage().needsDenoiser()) {
                    denoiser.denoise(rows.input(), rows.inputSigma(), rows.denoisedBuffer());
                    rows.denoised(listener);
                } else {
                    try (DiscriminatorGuidance.Evaluation dg =
                            discriminatorGuidance.evaluate(rows.input(), rows.inputSigma())) {
                        rows.guided(dg);
                    }
                }
            }
            return rows.take();
        }
    }

    /** The DG evaluator of this sampler's discriminator and window; null when unguided. */
    public DiscriminatorGuidance discriminatorGuidance() {
        return discriminatorGuidance;
    }

    /**
     * Where a set of {@link Rows} stands inside step i: waiting for D at the predictor (x̂_i, σ̂_i), for
     * the DG gradient there, for D at the corrector (x', σ_{i+1}), for the DG gradient there, or done.
     */
    public enum Stage {
        PREDICTOR,
        PREDICTOR_GUIDANCE,
        CORRECTOR,
        CORRECTOR_GUIDANCE,
        DONE;

        /** Whether the rows wait for a denoiser evaluation (otherwise for a discriminator one, or nothing). */
        public boolean needsDenoiser() {
            return this == PREDICTOR || this == CORRECTOR;
        }

        /** Whether the rows wait for a Discriminator Guidance evaluation. */
        public boolean needsGuidance() {
            return this == PREDICTOR_GUIDANCE || this == CORRECTOR_GUIDANCE;
        }
    }

    /**
     * The loop state of rows that integrate the same schedule in lockstep: starts {@code x}
     * ({@code x_0 = σ_0·z}, not modified), one seed of {@code noise} per row. The caller evaluates
     * the model where {@link #stage()} says and hands the result back ({@link #denoised},
     * {@link #guided}); the rows do every step's arithmetic (docs/ALGORITHMS.md §9.1). {@link #sample}
     * drives one batch this way; the serving engine drives many at once, each at its own step,
     * sharing one network evaluation between them. Close it; {@link #take} hands out the result.
     */
    public Rows rows(Tensor x, double[] sigmas, Generator noise, DoubleUnaryOperator roundSigma) {
        Sampler.requireSchedule(sigmas);
        if (options.stochastic()) {
            Sampler.requireNoise(noise, x, "S_churn > 0 or boosting");
        }
        return new Rows(x, sigmas.clone(), noise, roundSigma);
    }

    /** The loop state of one run: x, the step's buffers and the per-sample logits of the last DG call. */
    public final class Rows implements AutoCloseable {
        private final Buffers buffers = new Buffers();
        private final double[] sigmas;
        private final int n;
        private final Generator noise;
        private final DoubleUnaryOperator roundSigma;
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

        private int i;
        private Stage stage;
        private Tensor xHat;
        private double[] sigmaHat;
        private double[] sigmaNexts;
        private double[] slope;
        private double[] negSlope;
        private double[] h;
        private double[] half;
        private double[] corrector;
        private double[] negCorrector;
        private boolean[] boostGuidance;

        private Rows(Tensor start, double[] sigmas, Generator noise, DoubleUnaryOperator roundSigma) {
            this.sigmas = sigmas;
            this.n = sigmas.length - 1;
            this.noise = noise;
            this.roundSigma = roundSigma;
            this.batch = Math.toIntExact(start.batchSize());
            this.ones = PerSample.filled(batch, 1.0);
            try {
                this.x = buffers.own(start.to(start.device(), DType.FLOAT64));
                this.xNext = buffers.like(x);
                this.xHatBuffer = options.stochastic() ? buffers.like(x) : null;
                this.denoised = buffers.like(x);
                this.dCur = buffers.like(x);
                this.dPrime = options.solver() == Solver.HEUN ? buffers.like(x) : null;
                this.xi = options.stochastic() ? buffers.like(x) : null;
                this.lastLogit = PerSample.filled(batch, Double.POSITIVE_INFINITY);
                begin();
            } catch (RuntimeException e) {
                buffers.close();
                throw e;
            }
        }

        /** Number of rows. */
        public int batch() {
            return batch;
        }

        /** The step the rows are in, 0 … N−1 (N when done). */
        public int step() {
            return i;
        }

        /** N, the number of steps. */
        public int steps() {
            return n;
        }

        public Stage stage() {
            return stage;
        }

        /** Where the pending evaluation is: x̂_i at the predictor, x' at the corrector. Owned by the rows. */
        public Tensor input() {
            requireStage(stage != Stage.DONE);
            return stage == Stage.PREDICTOR || stage == Stage.PREDICTOR_GUIDANCE ? xHat : xNext;
        }

        /** The per-row noise levels of the pending evaluation: σ̂_i, or σ_{i+1} at the corrector. */
        public double[] inputSigma() {
            requireStage(stage != Stage.DONE);
            return (stage == Stage.PREDICTOR || stage == Stage.PREDICTOR_GUIDANCE ? sigmaHat : sigmaNexts).clone();
        }

        /** The buffer the pending denoiser evaluation writes D into (same shape as {@link #input()}). */
        public Tensor denoisedBuffer() {
            requireStage(stage.needsDenoiser());
            return denoised;
        }

        /** The current state x_i (valid until the next transition). */
        public Tensor state() {
            return x;
        }

        /** Step 1 of step i: plan every row's scalars (§9.1) and churn x̂ = x + √(σ̂² − σ²)·S_noise·ξ. */
        private void begin() {
            if (i == n) {
                stage = Stage.DONE;
                return;
            }
            double sigmaCur = sigmas[i];
            double sigmaNext = sigmas[i + 1];
            sigmaHat = new double[batch];
            double[] noiseScale = new double[batch];
            slope = new double[batch];
            negSlope = new double[batch];
            h = new double[batch];
            half = new double[batch];
            corrector = new double[batch];
            negCorrector = new double[batch];
            boostGuidance = new boolean[batch];
            for (int b = 0; b < batch; b++) {
                RowStep row = RowStep.plan(options, sigmaCur, sigmaNext, i, n, lastLogit[b], roundSigma);
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
            sigmaNexts = PerSample.filled(batch, sigmaNext);

            // 1. Increase noise temporarily (churn, Algorithm 2 lines 4–6).
            xHat = x;
            if (options.stochastic()) {
                noise.normal(xi);
                Ops.combine(xHatBuffer, ones, x, noiseScale, xi);
                xHat = xHatBuffer;
            }
            // 2. D0 = D(x̂; σ̂) is the caller's.
            stage = Stage.PREDICTOR;
        }

        /** The denoiser wrote D into {@link #denoisedBuffer()}: continue the step. */
        public void denoised(StepListener listener) {
            requireStage(stage.needsDenoiser());
            Guidance guidance = options.guidance();
            if (stage == Stage.PREDICTOR) {
                listener.onStep(new SamplerStep(i, n, sigmas[i], sigmaHat, xHat, denoised));
                // 3.–4. Euler slope with Epsilon Scaling: d = (x̂ − D0)/(σ̂ λ_i) (Algorithm 2 line 7; §6.1).
                Ops.combine(dCur, slope, xHat, negSlope, denoised);
                // 5. Discriminator Guidance on the predictor slope, unscaled by λ (§7.5, §9.1 step 5).
                if (discriminatorGuidance != null && (guidance.w1() != 0.0 || guidance.boosting())) {
                    stage = Stage.PREDICTOR_GUIDANCE;
                } else {
                    predicted();
                }
            } else {
                // 7. Second-order correction (Algorithm 2 lines 9–11): ES with the same λ_i, DG only if w2 ≠ 0.
                Ops.combine(dPrime, corrector, xNext, negCorrector, denoised);
                if (discriminatorGuidance != null && guidance.w2() != 0.0) {
                    stage = Stage.CORRECTOR_GUIDANCE;
                } else {
                    corrected();
                }
            }
        }

        /** The DG evaluation at {@link #input()} (open or closed, one row each): continue the step. */
        public void guided(DiscriminatorGuidance.Evaluation dg) {
            requireStage(stage.needsGuidance());
            if (dg.logit().length != batch) {
                throw new IllegalArgumentException(
                        "the DG evaluation holds " + dg.logit().length + " rows, the run " + batch);
            }
            Guidance guidance = options.guidance();
            if (stage == Stage.PREDICTOR_GUIDANCE) {
                double[] w = new double[batch];
                for (int b = 0; b < batch; b++) {
                    w[b] = boostGuidance[b] && dg.logit()[b] < 0 ? 2.0 * guidance.w1() : guidance.w1();
                }
                dg.addTo(dCur, w);
                System.arraycopy(dg.logit(), 0, lastLogit, 0, batch);
                predicted();
            } else {
                dg.addTo(dPrime, PerSample.filled(batch, guidance.w2()));
                if (dg.open()) {
                    System.arraycopy(dg.logit(), 0, lastLogit, 0, batch);
                }
                corrected();
            }
        }

        /** 6. Euler step x' = x̂ + h d (Algorithm 2 line 8); then the corrector, or the next step. */
        private void predicted() {
            Ops.combine(xNext, ones, xHat, h, dCur);
            if (options.solver() == Solver.HEUN && i < n - 1) {
                stage = Stage.CORRECTOR;
            } else {
                advance();
            }
        }

        /** 7. x_{i+1} = x̂ + h (d + d')/2 (Algorithm 2 line 11); then the next step. */
        private void corrected() {
            Ops.combine(xNext, ones, xHat, half, dCur, half, dPrime);
            advance();
        }

        private void advance() {
            Tensor previous = x;
            x = xNext;
            xNext = previous;
            i++;
            begin();
        }

        private void requireStage(boolean ok) {
            if (!ok) {
                throw new IllegalStateException("the rows are at stage " + stage + " of step " + i);
            }
        }

        /** The result x_N (float64, on the device of the start); the caller owns it. Only when done. */
        public Tensor take() {
            requireStage(stage == Stage.DONE);
            return buffers.take(x);
        }

        @Override
        public void close() {
            buffers.close();
        }
    }
}
