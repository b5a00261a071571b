package io.sedm.sampler;

import io.sedm.runtime.DType;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sde.ScoreSde;
import java.util.Objects;

/**
 * Predictor–corrector sampling of a reverse-time score SDE (Song et al., "Score-Based Generative
 * Modeling through Stochastic Differential Equations", ICLR 2021, Algorithms 2–3 and eq. 6;
 * yang-song/score_sde_pytorch {@code sampling.py}; docs/ALGORITHMS.md §11.2). The score comes from the
 * denoiser through {@link ScoreSde}'s mapping {@code ∇ log p_t(y) = (D(y/s; σ) − y/s)/(s σ²)}.
 *
 * <p>Time grid: t_k = σ⁻¹(σ_k) for the N positive levels of the schedule (normally
 * {@link ScoreSde#sigmas(int, double)}, i.e. t_k = linspace(1, ε, N)); as in score_sde every step
 * uses Δt = −1/N regardless of the grid. For each k: the corrector, then the predictor:
 * <pre>
 *   Euler–Maruyama:    y_mean = y + (f − g² ∇log p)·Δt;   y = y_mean + g √(−Δt) z
 *   reverse diffusion: y_mean = y − f_i + G_i² ∇log p;    y = y_mean + G_i z        (discretized f_i, G_i)
 *   Langevin:          ε = 2 α_i (r ‖z‖/‖∇log p‖)²       (norms averaged over the batch)
 *                      y_mean = y + ε ∇log p;             y = y_mean + √(2ε) z
 * </pre>
 * The last update returns y_mean (noise removal). NFE = N·(correctorSteps + 1). The state stays
 * in SDE coordinates (y = s·x); the start {@code x} = σ_0·z is converted by s(t_0), and the result
 * is y at the end time (s ≈ 1 there).
 *
 * <p>The Langevin step size is a batch average, as in the reference, so with a corrector sample
 * i depends on the rest of the batch; the predictors alone are per-sample.
 */
public record ScoreSdeSampler(Options options) implements Sampler {

    public enum Predictor {
        EULER_MARUYAMA,
        REVERSE_DIFFUSION,
        NONE
    }

    public enum Corrector {
        LANGEVIN,
        NONE
    }

    /**
     * @param sde            the forward SDE
     * @param predictor      the predictor (score_sde CIFAR-10: reverse diffusion for VE, Euler–Maruyama for VP)
     * @param corrector      Langevin or none
     * @param snr            the corrector's signal-to-noise ratio r (0.16)
     * @param correctorSteps corrector steps per level (1)
     */
    public record Options(ScoreSde sde, Predictor predictor, Corrector corrector, double snr, int correctorSteps) {
        public Options {
            if (sde == null || predictor == null || corrector == null) {
                throw new IllegalArgumentException("sde, predictor and corrector must not be null");
            }
            if (!(snr > 0) || Double.isInfinite(snr)) {
                throw new IllegalArgumentException("snr must be finite and > 0, got " + snr);
            }
            if (correctorSteps < 0 || corrector == Corrector.LANGEVIN && correctorSteps < 1) {
                throw new IllegalArgumentException(
                        "correctorSteps must be >= 1 with a corrector, got " + correctorSteps);
            }
            if (predictor == Predictor.NONE && corrector == Corrector.NONE) {
                throw new IllegalArgumentException("need a predictor, a corrector or both");
            }
        }

        /** score_sde's VE recipe: reverse diffusion + Langevin, snr 0.16, one corrector step. */
        public static Options ve() {
            return new Options(ScoreSde.ve(), Predictor.REVERSE_DIFFUSION, Corrector.LANGEVIN, 0.16, 1);
        }

        /** score_sde's VP recipe: Euler–Maruyama, no corrector. */
        public static Options vp() {
            return new Options(ScoreSde.vp(), Predictor.EULER_MARUYAMA, Corrector.NONE, 0.16, 1);
        }

        public static Options defaults() {
            return ve();
        }

        public Options withSde(ScoreSde s) {
            return new Options(s, predictor, corrector, snr, correctorSteps);
        }

        public Options withPredictor(Predictor p) {
            return new Options(sde, p, corrector, snr, correctorSteps);
        }

        public Options withCorrector(Corrector c, double r, int steps) {
            return new Options(sde, predictor, c, r, steps);
        }
    }

    public ScoreSdeSampler {
        Objects.requireNonNull(options, "options");
    }

    @Override
    public Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener) {
        Sampler.requireSchedule(sigmas);
        Sampler.requireNoise(noise, x, "score-SDE sampling");
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
            boolean predict = options.predictor() != Predictor.NONE;
            int corrections = options.corrector() == Corrector.LANGEVIN ? options.correctorSteps() : 0;
            for (int k = 0; k < n; k++) {
                boolean lastLevel = k == n - 1;
                for (int j = 0; j < corrections; j++) {
                    run.langevin(denoiser, t[k], n, noise, lastLevel && !predict && j == corrections - 1);
                }
                if (predict) {
                    run.predict(denoiser, k, n, t[k], noise, listener, lastLevel);
                }
            }
            return buffers.take(run.y);
        }
    }

    /** The loop state of one run (its tensors are owned by the run's {@link Buffers}). */
    private final class Run {
        final int batch;
        final ScoreSde sde;
        Tensor y;
        final Tensor xIn;
        final Tensor denoised;
        final Tensor score;
        final Tensor z;

        Run(Buffers buffers, Tensor start, ScoreSde sde) {
            this.batch = Math.toIntExact(start.batchSize());
            this.sde = sde;
            this.y = buffers.own(start.to(start.device(), DType.FLOAT64));
            this.xIn = buffers.like(y);
            this.denoised = buffers.like(y);
            this.score = options.corrector() == Corrector.LANGEVIN ? buffers.like(y) : null;
            this.z = buffers.like(y);
        }

        /** D(y/s; σ(t)) into {@code denoised}; returns {s, σ}. */
        private double[] denoise(Denoiser denoiser, double time, double[] sigmaOut) {
            double s = sde.scale(time);
            double sigma = sde.sigma(time);
            Tensor input = y;
            if (s != 1.0) {
                Ops.combine(xIn, 1.0 / s, y);
                input = xIn;
            }
            java.util.Arrays.fill(sigmaOut, sigma);
            denoiser.denoise(input, sigmaOut, denoised);
            return new double[] {s, sigma};
        }

        void predict(
                Denoiser denoiser, int k, int n, double time, Generator noise, StepListener listener, boolean last) {
            double[] sigmaPerSample = new double[batch];
            double[] ss = denoise(denoiser, time, sigmaPerSample);
            listener.onStep(new SamplerStep(k, n, ss[1], sigmaPerSample, ss[0] != 1.0 ? xIn : y, denoised));
            double s = ss[0];
            double sigma = ss[1];
            // ∇log p = cScore·D − cY·y with cScore = 1/(s σ²), cY = 1/(s² σ²)
            double cScore = 1.0 / (s * sigma * sigma);
            double cY = cScore / s;
            double cy;
            double cd;
            double cz;
            if (options.predictor() == Predictor.EULER_MARUYAMA) {
                double dt = -1.0 / n;
                double g2 = sde.diffusionSquared(time);
                // y_mean = y + (f·y − g²(cScore D − cY y))·dt
                cy = 1.0 + (sde.driftCoef(time) + g2 * cY) * dt;
                cd = -g2 * cScore * dt;
                cz = Math.sqrt(g2 * -dt);
            } else {
                double[] fg = sde.discretize(time, n);
                double g2 = fg[1] * fg[1];
                // y_mean = y − f_i y + G_i²(cScore D − cY y)
                cy = 1.0 - fg[0] - g2 * cY;
                cd = g2 * cScore;
                cz = fg[1];
            }
            if (last) {
                Ops.combine(y, cy, y, cd, denoised);
            } else {
                noise.normal(z);
                Ops.combine(y, cy, y, cd, denoised, cz, z);
            }
        }

        void langevin(Denoiser denoiser, double time, int n, Generator noise, boolean last) {
            double[] ss = denoise(denoiser, time, new double[batch]);
            double s = ss[0];
            double sigma = ss[1];
            double cScore = 1.0 / (s * sigma * sigma);
            Ops.combine(score, cScore, denoised, -cScore / s, y);
            noise.normal(z);
            double gradNorm = mean(Ops.l2NormPerSample(score));
            double noiseNorm = mean(Ops.l2NormPerSample(z));
            double ratio = options.snr() * noiseNorm / gradNorm;
            double eps = ratio * ratio * 2.0 * sde.langevinAlpha(time, n);
            if (last) {
                Ops.combine(y, 1.0, y, eps, score);
            } else {
                Ops.combine(y, 1.0, y, eps, score, Math.sqrt(2.0 * eps), z);
            }
        }

        private static double mean(double[] v) {
            double total = 0;
            for (double d : v) {
                total += d;
            }
            return total / v.length;
        }
    }
}
