package io.sedm.sampler;

import io.sedm.runtime.DType;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sde.ScoreSde;
import java.util.Objects;

/**
 * The probability-flow ODE of a score SDE (Song et al., "Score-Based Generative Modeling through
 * Stochastic Differential Equations", ICLR 2021, eq. 13; yang-song/score_sde_pytorch
 * {@code sampling.py}, {@code get_ode_sampler}; docs/ALGORITHMS.md §11.2):
 * <pre>
 *   dy/dt = f(y, t) − ½ g(t)² ∇_y log p_t(y),   ∇ log p_t = (D(y/s; σ) − y/s)/(s σ²)   ({@link ScoreSde})
 * </pre>
 * integrated from t_0 = σ⁻¹(σ_0) down to t_end = σ⁻¹(σ_{N−1}) by Euler or Heun on the schedule's
 * grid, or by the adaptive Dormand–Prince RK45 pair (Dormand &amp; Prince 1980; step control of
 * scipy's {@code RK45}, which score_sde calls with rtol = atol = 1e−5). With {@code denoise} the
 * result is the Tweedie estimate D(y/s; σ(t_end)) (EDM's final step; score_sde's optional
 * denoising step is the reverse-diffusion approximation of it); otherwise the state y(t_end).
 *
 * <p>RK45 runs one step size per sample (all samples share each batched denoiser call), so sample
 * i depends only on its own start. The error norm is the per-sample RMS of the error estimate over
 * {@code atol + rtol·max(RMS(y), RMS(y_new))}, a per-sample scalar version of scipy's elementwise
 * scale (elementwise division has no native op yet).
 */
public record ProbabilityFlowSampler(Options options) implements Sampler {

    public enum Method {
        EULER,
        HEUN,
        RK45
    }

    /**
     * @param sde     the forward SDE
     * @param method  Euler, Heun (fixed grid) or RK45 (adaptive)
     * @param rtol    RK45 relative tolerance (1e−5)
     * @param atol    RK45 absolute tolerance (1e−5)
     * @param denoise finish with the Tweedie step D(y/s; σ(t_end))
     * @param maxEvaluations RK45 cap on the denoiser evaluations one sample may spend integrating
     *                (default {@value #DEFAULT_MAX_EVALUATIONS}); a run that needs more fails
     *                instead of shrinking its step forever (e.g. {@code rtol = 1e-300})
     */
    public record Options(ScoreSde sde, Method method, double rtol, double atol, boolean denoise, int maxEvaluations) {
        /** 10,000 evaluations per sample: ~300× what score_sde's RK45 needs at rtol = atol = 1e−5 on CIFAR-10. */
        public static final int DEFAULT_MAX_EVALUATIONS = 10_000;

        public Options {
            if (sde == null || method == null) {
                throw new IllegalArgumentException("sde and method must not be null");
            }
            if (!(rtol > 0) || !(atol > 0)) {
                throw new IllegalArgumentException("rtol and atol must be > 0, got " + rtol + ", " + atol);
            }
            if (maxEvaluations < 1) {
                throw new IllegalArgumentException("maxEvaluations must be >= 1, got " + maxEvaluations);
            }
        }

        /** With the default evaluation cap. */
        public Options(ScoreSde sde, Method method, double rtol, double atol, boolean denoise) {
            this(sde, method, rtol, atol, denoise, DEFAULT_MAX_EVALUATIONS);
        }

        /** score_sde's ODE sampler: RK45, rtol = atol = 1e−5, VP SDE, with the final denoising step. */
        public static Options defaults() {
            return new Options(ScoreSde.vp(), Method.RK45, 1e-5, 1e-5, true);
        }

        public Options withSde(ScoreSde s) {
            return new Options(s, method, rtol, atol, denoise, maxEvaluations);
        }

        public Options withMethod(Method m) {
            return new Options(sde, m, rtol, atol, denoise, maxEvaluations);
        }

        public Options withTolerances(double r, double a) {
            return new Options(sde, method, r, a, denoise, maxEvaluations);
        }

        public Options withDenoise(boolean d) {
            return new Options(sde, method, rtol, atol, d, maxEvaluations);
        }

        public Options withMaxEvaluations(int max) {
            return new Options(sde, method, rtol, atol, denoise, max);
        }
    }

    /** The result of {@link #integrate}: the samples and the denoiser evaluations each sample used. */
    public record Result(Tensor x, int[] nfe) implements AutoCloseable {
        @Override
        public void close() {
            x.close();
        }
    }

    public ProbabilityFlowSampler {
        Objects.requireNonNull(options, "options");
    }

    @Override
    public Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener) {
        return integrate(denoiser, x, sigmas, listener).x();
    }

    /** Runs the sampler and reports the per-sample NFE (including the final denoising evaluation). */
    public Result integrate(Denoiser denoiser, Tensor x, double[] sigmas, StepListener listener) {
        Sampler.requireSchedule(sigmas);
        ScoreSde sde = options.sde();
        int n = sigmas.length - 1;
        double[] t = new double[n];
        for (int k = 0; k < n; k++) {
            t[k] = sde.time(sigmas[k]);
        }
        try (Buffers buffers = new Buffers()) {
            Run run = new Run(buffers, x, sde);
            double startScale = sde.scale(t[0]);
            if (startScale != 1.0) {
                Ops.combine(run.y, startScale, run.y);
            }
            if (options.method() == Method.RK45) {
                run.rk45(denoiser, t[0], t[n - 1]);
            } else {
                for (int k = 0; k < n - 1; k++) {
                    run.fixedStep(denoiser, k, n, t[k], t[k + 1], listener);
                }
            }
            if (options.denoise()) {
                run.finalDenoise(denoiser, t[n - 1]);
            }
            return new Result(buffers.take(run.y), run.nfe);
        }
    }

    // Dormand–Prince 5(4) tableau (scipy RK45).
    private static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1};
    private static final double[][] A = {
        {},
        {1.0 / 5},
        {3.0 / 40, 9.0 / 40},
        {44.0 / 45, -56.0 / 15, 32.0 / 9},
        {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
        {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
        {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}
    };
    private static final double[] E = {
        -71.0 / 57600, 0, 71.0 / 16695, -71.0 / 1920, 17253.0 / 339200, -22.0 / 525, 1.0 / 40
    };
    private static final double SAFETY = 0.9;
    private static final double MIN_FACTOR = 0.2;
    private static final double MAX_FACTOR = 10.0;

    /** The loop state of one run (its tensors are owned by the run's {@link Buffers}). */
    private final class Run {
        final int batch;
        final int dim;
        final ScoreSde sde;
        final int[] nfe;
        Tensor y;
        final Tensor xIn;
        final Tensor denoised;
        final Tensor[] k = new Tensor[7];
        final Tensor stage;
        final Tensor yNew;

        Run(Buffers buffers, Tensor start, ScoreSde sde) {
            this.batch = Math.toIntExact(start.batchSize());
            this.dim = batch == 0 ? 1 : Math.toIntExact(start.numel() / batch);
            this.sde = sde;
            this.nfe = new int[batch];
            this.y = buffers.own(start.to(start.device(), DType.FLOAT64));
            this.xIn = buffers.like(y);
            this.denoised = buffers.like(y);
            int slopes = options.method() == Method.RK45 ? 7 : options.method() == Method.HEUN ? 2 : 1;
            for (int i = 0; i < slopes; i++) {
                k[i] = buffers.like(y);
            }
            this.stage = buffers.like(y);
            this.yNew = buffers.like(y);
        }

        /** out = dy/dt at (state, t_b) per sample; counts one evaluation for samples marked active. */
        void drift(
                Denoiser denoiser,
                Tensor state,
                double[] time,
                boolean[] active,
                Tensor out,
                StepListener listener,
                int step,
                int n) {
            double[] sigma = new double[batch];
            double[] inv = new double[batch];
            double[] cy = new double[batch];
            double[] cd = new double[batch];
            for (int b = 0; b < batch; b++) {
                double s = sde.scale(time[b]);
                sigma[b] = sde.sigma(time[b]);
                inv[b] = 1.0 / s;
                double half = 0.5 * sde.diffusionSquared(time[b]);
                double cScore = 1.0 / (s * sigma[b] * sigma[b]);
                // f̃ = f·y − ½g²(cScore·D − cScore/s·y)
                cy[b] = sde.driftCoef(time[b]) + half * cScore / s;
                cd[b] = -half * cScore;
                if (active == null || active[b]) {
                    nfe[b]++;
                }
            }
            Ops.combine(xIn, inv, state);
            denoiser.denoise(xIn, sigma, denoised);
            if (listener != null) {
                listener.onStep(new SamplerStep(step, n, sigma[0], sigma, xIn, denoised));
            }
            Ops.combine(out, cy, state, cd, denoised);
        }

        void fixedStep(Denoiser denoiser, int i, int n, double tCur, double tNext, StepListener listener) {
            double h = tNext - tCur;
            drift(denoiser, y, PerSample.filled(batch, tCur), null, k[0], listener, i, n);
            if (options.method() == Method.EULER) {
                Ops.combine(y, 1.0, y, h, k[0]);
                return;
            }
            Ops.combine(stage, 1.0, y, h, k[0]);
            drift(denoiser, stage, PerSample.filled(batch, tNext), null, k[1], null, i, n);
            Ops.combine(y, 1.0, y, 0.5 * h, k[0], 0.5 * h, k[1]);
        }

        void finalDenoise(Denoiser denoiser, double tEnd) {
            double s = sde.scale(tEnd);
            double[] sigma = PerSample.filled(batch, sde.sigma(tEnd));
            Ops.combine(xIn, 1.0 / s, y);
            denoiser.denoise(xIn, sigma, y);
            for (int b = 0; b < batch; b++) {
                nfe[b]++;
            }
        }

        private double[] rms(Tensor t) {
            double[] s = Ops.sumSquaresPerSample(t);
            for (int b = 0; b < s.length; b++) {
                s[b] = Math.sqrt(s[b] / dim);
            }
            return s;
        }

        /** stage = y + Σ_l coef_l[b]·k_l, chained in combines of at most four terms. */
        private void accumulate(Tensor out, Tensor base, double[][] coef, int terms) {
            Tensor from = base;
            int l = 0;
            while (l < terms || from == base) {
                int take = Math.min(Ops.MAX_TERMS - 1, terms - l);
                Tensor[] ts = new Tensor[take + 1];
                double[][] rows = new double[take + 1][];
                ts[0] = from;
                rows[0] = PerSample.filled(batch, 1.0);
                for (int j = 0; j < take; j++) {
                    ts[j + 1] = k[l + j];
                    rows[j + 1] = coef[l + j];
                }
                Ops.combine(out, PerSample.rows(rows), ts);
                from = out;
                l += take;
            }
        }

        void rk45(Denoiser denoiser, double t0, double tEnd) {
            double direction = Math.signum(tEnd - t0);
            double[] t = PerSample.filled(batch, t0);
            boolean[] active = new boolean[batch];
            java.util.Arrays.fill(active, t0 != tEnd);
            // initial step (Hairer, Nørsett &amp; Wanner, Solving ODEs I, §II.4; scipy select_initial_step)
            drift(denoiser, y, t, active, k[0], null, 0, 1);
            double[] yNorm = rms(y);
            double[] fNorm = rms(k[0]);
            double[] h0 = new double[batch];
            double[] scale0 = new double[batch];
            double[] stepTime = new double[batch];
            for (int b = 0; b < batch; b++) {
                scale0[b] = options.atol() + options.rtol() * yNorm[b];
                double d0 = yNorm[b] / scale0[b];
                double d1 = fNorm[b] / scale0[b];
                h0[b] = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
                h0[b] = Math.min(h0[b], Math.abs(tEnd - t0));
                stepTime[b] = t0 + direction * h0[b];
            }
            Ops.combine(stage, PerSample.filled(batch, 1.0), y, scale(h0, direction), k[0]);
            drift(denoiser, stage, stepTime, active, k[1], null, 0, 1);
            Ops.combine(stage, 1.0, k[1], -1.0, k[0]);
            double[] diffNorm = rms(stage);
            double[] hAbs = new double[batch];
            for (int b = 0; b < batch; b++) {
                double d1 = fNorm[b] / scale0[b];
                double d2 = diffNorm[b] / scale0[b] / h0[b];
                double h1 = Math.max(d1, d2) <= 1e-15
                        ? Math.max(1e-6, h0[b] * 1e-3)
                        : Math.pow(0.01 / Math.max(d1, d2), 1.0 / 5);
                hAbs[b] = Math.min(100 * h0[b], h1);
            }

            boolean[] rejected = new boolean[batch];
            int[] accepted = new int[batch];
            int[] rejectedSteps = new int[batch];
            double[] h = new double[batch];
            double[][] coef = new double[6][batch];
            while (anyTrue(active)) {
                for (int b = 0; b < batch; b++) {
                    h[b] = active[b] ? direction * Math.min(hAbs[b], Math.abs(tEnd - t[b])) : 0.0;
                }
                for (int s = 1; s <= 6; s++) {
                    for (int l = 0; l < s; l++) {
                        for (int b = 0; b < batch; b++) {
                            coef[l][b] = h[b] * A[s][l];
                        }
                    }
                    Tensor target = s < 6 ? stage : yNew;
                    accumulate(target, y, coef, s);
                    double[] ts = new double[batch];
                    for (int b = 0; b < batch; b++) {
                        ts[b] = s < 6 ? t[b] + C[s] * h[b] : t[b] + h[b];
                    }
                    drift(denoiser, target, ts, active, k[s], null, 0, 1);
                }
                // error estimate h·Σ E_l k_l (E_1 = 0), into stage
                double[][] errCoef = new double[6][batch];
                Tensor[] errTerms = {k[0], k[2], k[3], k[4], k[5], k[6]};
                int[] idx = {0, 2, 3, 4, 5, 6};
                for (int j = 0; j < 6; j++) {
                    for (int b = 0; b < batch; b++) {
                        errCoef[j][b] = h[b] * E[idx[j]];
                    }
                }
                Ops.combine(
                        stage,
                        PerSample.rows(errCoef[0], errCoef[1], errCoef[2], errCoef[3]),
                        errTerms[0],
                        errTerms[1],
                        errTerms[2],
                        errTerms[3]);
                Ops.combine(
                        stage, PerSample.filled(batch, 1.0), stage, errCoef[4], errTerms[4], errCoef[5], errTerms[5]);
                double[] errRms = rms(stage);
                double[] yRms = rms(y);
                double[] yNewRms = rms(yNew);
                double[] accept = new double[batch];
                for (int b = 0; b < batch; b++) {
                    if (!active[b]) {
                        continue;
                    }
                    double errNorm = errRms[b] / (options.atol() + options.rtol() * Math.max(yRms[b], yNewRms[b]));
                    if (errNorm < 1) {
                        double factor =
                                errNorm == 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, SAFETY * Math.pow(errNorm, -0.2));
                        if (rejected[b]) {
                            factor = Math.min(1.0, factor);
                        }
                        boolean last = Math.abs(tEnd - t[b]) <= Math.abs(h[b]);
                        t[b] = last ? tEnd : t[b] + h[b];
                        hAbs[b] *= factor;
                        rejected[b] = false;
                        accept[b] = 1.0;
                        accepted[b]++;
                        if (last) {
                            active[b] = false;
                        }
                    } else {
                        hAbs[b] *= Math.max(MIN_FACTOR, SAFETY * Math.pow(errNorm, -0.2));
                        rejected[b] = true;
                        rejectedSteps[b]++;
                    }
                }
                double[] keep = new double[batch];
                for (int b = 0; b < batch; b++) {
                    keep[b] = 1.0 - accept[b];
                }
                // accepted samples take y_new and (FSAL) k_7 as their next k_1
                Ops.combine(y, keep, y, accept, yNew);
                Ops.combine(k[0], keep, k[0], accept, k[6]);
                requireWithinBudget(active, t, h, tEnd, accepted, rejectedSteps);
            }
        }

        /** Fails once a still-running sample has spent {@code maxEvaluations} denoiser evaluations. */
        private void requireWithinBudget(
                boolean[] active, double[] t, double[] h, double tEnd, int[] accepted, int[] rejectedSteps) {
            for (int b = 0; b < batch; b++) {
                if (active[b] && nfe[b] >= options.maxEvaluations()) {
                    throw new IllegalStateException(String.format(
                            "RK45 stopped: sample %d used %d denoiser evaluations (maxEvaluations = %d) in %d accepted and %d"
                                    + " rejected steps and reached t = %.6g of t_end = %.6g (last step size %.3g) with rtol = %s,"
                                    + " atol = %s; loosen rtol/atol or raise maxEvaluations",
                            b,
                            nfe[b],
                            options.maxEvaluations(),
                            accepted[b],
                            rejectedSteps[b],
                            t[b],
                            tEnd,
                            Math.abs(h[b]),
                            options.rtol(),
                            options.atol()));
                }
            }
        }

        private double[] scale(double[] v, double factor) {
            double[] out = new double[v.length];
            for (int b = 0; b < v.length; b++) {
                out[b] = v[b] * factor;
            }
            return out;
        }

        private static boolean anyTrue(boolean[] v) {
            for (boolean b : v) {
                if (b) {
                    return true;
                }
            }
            return false;
        }
    }
}
