package io.sedm.sampler;

import io.sedm.runtime.DType;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.schedule.AblationDiscretization;
import io.sedm.schedule.AblationDiscretization.Kind;
import io.sedm.schedule.VpSchedule;

/**
 * EDM's generalized ("ablation") sampler: Euler or α-Heun integration of the probability-flow ODE
 * with an arbitrary noise schedule σ(t) and signal scale s(t) (Karras et al., "Elucidating the
 * Design Space of Diffusion-Based Generative Models", NeurIPS 2022, eq. 4 and Algorithm 1
 * generalised as in Appendix D.1; NVlabs/edm {@code generate.py}, {@code ablation_sampler};
 * docs/ALGORITHMS.md §5):
 * <pre>
 *   dx/dt = (σ'(t)/σ(t) + s'(t)/s(t))·x − (σ'(t) s(t)/σ(t))·D(x/s(t); σ(t))
 * </pre>
 * Per step (t_i → t_{i+1}, h = t_{i+1} − t̂):
 * <pre>
 *   γ = min(S_churn/N, √2 − 1) if S_min ≤ σ(t_i) ≤ S_max else 0;  t̂ = σ⁻¹(round_sigma(σ(t_i)(1 + γ)))
 *   x̂ = s(t̂)/s(t_i)·x_i + √max(σ(t̂)² − σ(t_i)², 0)·s(t̂)·S_noise·ξ
 *   d = slope(x̂, t̂);   Euler or last step: x_{i+1} = x̂ + h d
 *   Heun: x' = x̂ + αh d, t' = t̂ + αh, d' = slope(x', t'),
 *         x_{i+1} = x̂ + h((1 − 1/(2α)) d + 1/(2α) d')
 * </pre>
 * Epsilon Scaling (Ning et al. 2024, eq. 10; §6.1) acts as in EDM-ES's ablation path: only the
 * first evaluation of each step sees {@code D̃ = x/s − (x/s − D)/λ_i}; a Heun corrector is left
 * unscaled (§16.4); the scaled denoiser is {@link EpsilonScaling#denoisedTerm}. Churn's γ_i is
 * {@link Churn#gamma}. With (edm, linear, none) this is {@link EdmSampler} up to float64 rounding.
 *
 * <p>The schedule σ_i passed to {@link #sample} is normally the chosen discretization's
 * {@link AblationDiscretization#sigmas(int, double, double)} for the model's σ range; the time
 * grid is t_i = σ⁻¹(round_sigma(σ_i)), t_N = 0. The start
 * {@code x} is σ_0·z in EDM coordinates; the state is rescaled to σ(t_0)s(t_0)·z internally, and
 * the result (t_N = 0, s = 1) is in data coordinates.
 */
public final class GeneralizedEdmSampler implements Sampler {

    /** σ(t) (Table 1 "schedule"). */
    public enum Schedule {
        /** σ = σ_vp(t) with the β derived from the σ range. */
        VP,
        /** σ = √t. */
        VE,
        /** σ = t. */
        LINEAR
    }

    /** s(t) (Table 1 "scaling"). */
    public enum Scaling {
        /** s = 1/√(1 + σ(t)²). */
        VP,
        /** s = 1. */
        NONE
    }

    /**
     * @param solver         Euler or Heun
     * @param alpha          α ∈ (0, 1] of the generalized Heun predictor (1 = standard Heun)
     * @param discretization the time steps (vp/ve/iddpm/edm with their parameters); it also fixes the
     *                       σ range from which the VP schedule's β are re-derived
     * @param schedule       σ(t)
     * @param scaling        s(t)
     * @param churn          S_churn, S_min, S_max, S_noise
     * @param epsilonScaling λ_i on the first evaluation of each step (EDM-ES Euler)
     */
    public record Options(
            Solver solver,
            double alpha,
            AblationDiscretization discretization,
            Schedule schedule,
            Scaling scaling,
            Churn churn,
            EpsilonScaling epsilonScaling) {
        public Options {
            if (solver == null
                    || discretization == null
                    || schedule == null
                    || scaling == null
                    || churn == null
                    || epsilonScaling == null) {
                throw new IllegalArgumentException(
                        "solver, discretization, schedule, scaling, churn and epsilonScaling must not be null");
            }
            if (!(alpha > 0 && alpha <= 1)) {
                throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
            }
        }

        /** EDM's ablation defaults: Heun α = 1, edm discretization, linear schedule, no scaling, deterministic. */
        public static Options defaults() {
            return new Options(
                    Solver.HEUN,
                    1.0,
                    AblationDiscretization.of(Kind.EDM),
                    Schedule.LINEAR,
                    Scaling.NONE,
                    Churn.none(),
                    EpsilonScaling.none());
        }

        /** The VP reproduction of EDM Table 2 ("Original" VP column): Euler–Heun with vp/vp/vp. */
        public static Options vp() {
            return defaults().withPreset(Kind.VP, Schedule.VP, Scaling.VP);
        }

        /** The VE reproduction: ve/ve/none. */
        public static Options ve() {
            return defaults().withPreset(Kind.VE, Schedule.VE, Scaling.NONE);
        }

        /** The iDDPM reproduction: iddpm/linear/none. */
        public static Options iddpm() {
            return defaults().withPreset(Kind.IDDPM, Schedule.LINEAR, Scaling.NONE);
        }

        public Options withSolver(Solver s, double a) {
            return new Options(s, a, discretization, schedule, scaling, churn, epsilonScaling);
        }

        /** Another discretization kind (keeping the σ range and parameters), σ(t) and s(t). */
        public Options withPreset(Kind kind, Schedule sc, Scaling s) {
            AblationDiscretization d = discretization;
            return new Options(
                    solver,
                    alpha,
                    new AblationDiscretization(
                            kind, d.sigmaMin(), d.sigmaMax(), d.rho(), d.epsilonS(), d.c1(), d.c2(), d.m()),
                    sc,
                    s,
                    churn,
                    epsilonScaling);
        }

        public Options withSigmaRange(double min, double max) {
            return new Options(
                    solver, alpha, discretization.withSigmaRange(min, max), schedule, scaling, churn, epsilonScaling);
        }

        public Options withChurn(double sChurn, double sMin, double sMax, double sNoise) {
            return new Options(
                    solver,
                    alpha,
                    discretization,
                    schedule,
                    scaling,
                    new Churn(sChurn, sMin, sMax, sNoise),
                    epsilonScaling);
        }

        public Options withEpsilonScaling(EpsilonScaling es) {
            return new Options(solver, alpha, discretization, schedule, scaling, churn, es);
        }
    }

    private final Options options;

    public GeneralizedEdmSampler(Options options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** VP β_d and β_min re-derived from the σ range so that σ_vp(ε_s) = σ_min and σ_vp(1) = σ_max. */
    private double[] vpBetas(Denoiser denoiser) {
        AblationDiscretization d = options.discretization();
        double[] range = d.range(denoiser.sigmaMin(), denoiser.sigmaMax());
        return VpSchedule.betasForRange(range[0], range[1], d.epsilonS());
    }

    /** σ(t), σ'(t), σ⁻¹, s(t), s'(t) for the chosen schedule and scaling. */
    private record Clock(Schedule schedule, Scaling scaling, double betaD, double betaMin) {
        double sigma(double t) {
            return switch (schedule) {
                case VP -> VpSchedule.sigma(betaD, betaMin, t);
                case VE -> Math.sqrt(t);
                case LINEAR -> t;
            };
        }

        double sigmaDeriv(double t) {
            return switch (schedule) {
                case VP -> VpSchedule.sigmaDeriv(betaD, betaMin, t);
                case VE -> 0.5 / Math.sqrt(t);
                case LINEAR -> 1.0;
            };
        }

        double sigmaInv(double sigma) {
            return switch (schedule) {
                case VP -> VpSchedule.sigmaInv(betaD, betaMin, sigma);
                case VE -> sigma * sigma;
                case LINEAR -> sigma;
            };
        }

        double s(double t) {
            return scaling == Scaling.VP ? 1.0 / Math.sqrt(1.0 + sigma(t) * sigma(t)) : 1.0;
        }

        double sDeriv(double t) {
            double s = s(t);
            return scaling == Scaling.VP ? -sigma(t) * sigmaDeriv(t) * s * s * s : 0.0;
        }
    }

    @Override
    public Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener) {
        Sampler.requireSchedule(sigmas);
        boolean stochastic = options.churn().stochastic();
        if (stochastic) {
            Sampler.requireNoise(noise, x, "S_churn > 0");
        }
        double[] betas = options.schedule() == Schedule.VP ? vpBetas(denoiser) : new double[] {0, 0};
        Clock clock = new Clock(options.schedule(), options.scaling(), betas[0], betas[1]);
        int n = sigmas.length - 1;
        double[] t = new double[n + 1];
        for (int i = 0; i < n; i++) {
            t[i] = clock.sigmaInv(denoiser.roundSigma(sigmas[i]));
        }
        t[n] = 0.0;
        try (Buffers buffers = new Buffers()) {
            Run run = new Run(buffers, x, clock, stochastic);
            // x_0 = z·σ(t_0)·s(t_0), given x = σ_0·z
            double startScale = clock.sigma(t[0]) * clock.s(t[0]) / sigmas[0];
            if (startScale != 1.0) {
                Ops.combine(run.x, startScale, run.x);
            }
            for (int i = 0; i < n; i++) {
                run.step(denoiser, i, n, t[i], t[i + 1], noise, listener);
            }
            return buffers.take(run.x);
        }
    }

    /** The loop state of one run (its tensors are owned by the run's {@link Buffers}). */
    private final class Run {
        final int batch;
        final Clock clock;
        final boolean stochastic;
        Tensor x;
        Tensor xNext;
        final Tensor xHatBuffer;
        final Tensor xIn;
        final Tensor denoised;
        final Tensor dCur;
        final Tensor dPrime;
        final Tensor xi;

        Run(Buffers buffers, Tensor start, Clock clock, boolean stochastic) {
            this.batch = Math.toIntExact(start.batchSize());
            this.clock = clock;
            this.stochastic = stochastic;
            this.x = buffers.own(start.to(start.device(), DType.FLOAT64));
            this.xNext = buffers.like(x);
            this.xHatBuffer = buffers.like(x);
            this.xIn = buffers.like(x);
            this.denoised = buffers.like(x);
            this.dCur = buffers.like(x);
            this.dPrime = options.solver() == Solver.HEUN ? buffers.like(x) : null;
            this.xi = stochastic ? buffers.like(x) : null;
        }

        /** slope(x, t) into {@code d}: (σ'/σ + s'/s)·x − (σ' s/σ)·D̃ with D̃ the (ES-scaled) denoiser output. */
        private Tensor slope(
                Denoiser denoiser,
                Tensor state,
                double time,
                double lambda,
                Tensor d,
                StepListener listener,
                int i,
                int n,
                double sigmaCur) {
            double sigma = clock.sigma(time);
            double s = clock.s(time);
            Tensor input = state;
            if (s != 1.0) {
                Ops.combine(xIn, 1.0 / s, state);
                input = xIn;
            }
            double[] sigmaPerSample = PerSample.filled(batch, sigma);
            denoiser.denoise(input, sigmaPerSample, denoised);
            if (listener != null) {
                listener.onStep(new SamplerStep(i, n, sigmaCur, sigmaPerSample, input, denoised));
            }
            double sigmaDeriv = clock.sigmaDeriv(time);
            double cx = sigmaDeriv / sigma + clock.sDeriv(time) / s;
            double cd = sigmaDeriv * s / sigma;
            if (lambda != 1.0) {
                // the term −cd·D̃ with D̃ = (1 − 1/λ)·x/s + D/λ (Epsilon Scaling, §6.1)
                double[] term = EpsilonScaling.denoisedTerm(-cd, s, lambda);
                cx += term[0];
                cd = -term[1];
            }
            Ops.combine(d, cx, state, -cd, denoised);
            return d;
        }

        void step(Denoiser denoiser, int i, int n, double tCur, double tNext, Generator noise, StepListener listener) {
            double sigmaCur = clock.sigma(tCur);
            // Increase noise temporarily.
            double gamma = options.churn().gamma(sigmaCur, n);
            double tHat = clock.sigmaInv(denoiser.roundSigma(sigmaCur + gamma * sigmaCur));
            double ratio = clock.s(tHat) / clock.s(tCur);
            Tensor xHat = x;
            if (stochastic) {
                noise.normal(xi);
                double sigmaHat = clock.sigma(tHat);
                double scale = Math.sqrt(Math.max(sigmaHat * sigmaHat - sigmaCur * sigmaCur, 0.0))
                        * clock.s(tHat)
                        * options.churn().sNoise();
                Ops.combine(xHatBuffer, ratio, x, scale, xi);
                xHat = xHatBuffer;
            } else if (ratio != 1.0) {
                Ops.combine(xHatBuffer, ratio, x);
                xHat = xHatBuffer;
            }

            // Euler step.
            double h = tNext - tHat;
            double lambda = options.epsilonScaling().lambda(i);
            slope(denoiser, xHat, tHat, lambda, dCur, listener, i, n, sigmaCur);
            double alpha = options.alpha();
            if (options.solver() == Solver.EULER || i == n - 1) {
                Ops.combine(xNext, 1.0, xHat, h, dCur);
            } else {
                // Apply the 2nd-order correction.
                Ops.combine(xNext, 1.0, xHat, alpha * h, dCur);
                double tPrime = tHat + alpha * h;
                slope(denoiser, xNext, tPrime, 1.0, dPrime, null, i, n, sigmaCur);
                Ops.combine(xNext, 1.0, xHat, h * (1.0 - 1.0 / (2.0 * alpha)), dCur, h * (1.0 / (2.0 * alpha)), dPrime);
            }
            Tensor previous = x;
            x = xNext;
            xNext = previous;
        }
    }
}
