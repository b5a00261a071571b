package io.sedm.sampler;

import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;

/**
 * The EDM sampler: Heun (or Euler) integration of the probability-flow ODE
 * {@code dx/dσ = (x − D(x; σ))/σ} with optional stochastic churn, exactly as Algorithm 2 of
 * Karras et al., "Elucidating the Design Space of Diffusion-Based Generative Models" (NeurIPS
 * 2022), {@code edm_sampler} in NVlabs/edm {@code generate.py} (ALGORITHMS.md §4).
 *
 * <p>Per step i (σ_cur = σ_i, σ_next = σ_{i+1}, N steps):
 * <pre>
 *   γ  = min(S_churn/N, √2 − 1) if S_min ≤ σ_cur ≤ S_max else 0
 *   σ̂  = round_sigma(σ_cur (1 + γ));   x̂ = x_i + √(σ̂² − σ_cur²) S_noise ξ
 *   d  = (x̂ − D(x̂; σ̂))/σ̂;            x_{i+1} = x̂ + (σ_next − σ̂) d
 *   if Heun and i &lt; N − 1:  d' = (x_{i+1} − D(x_{i+1}; σ_next))/σ_next
 *                            x_{i+1} = x̂ + (σ_next − σ̂)(d + d')/2
 * </pre>
 * Every update is one fused {@link Ops#combine} on native tensors.
 */
public final class EdmSampler implements Sampler {

    /**
     * @param solver Heun (EDM default) or Euler
     * @param sChurn S_churn ≥ 0, overall amount of stochasticity (0 = deterministic)
     * @param sMin   S_min, lower end of the σ range where churn is applied
     * @param sMax   S_max, upper end of that range
     * @param sNoise S_noise, scale of the churn noise (slightly above 1 offsets detail loss)
     */
    public record Options(Solver solver, double sChurn, double sMin, double sMax, double sNoise) {
        public Options {
            if (solver == null) {
                throw new IllegalArgumentException("solver must not be null");
            }
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

        /** EDM's defaults: Heun, S_churn = 0, S_min = 0, S_max = ∞, S_noise = 1 (deterministic). */
        public static Options defaults() {
            return new Options(Solver.HEUN, 0.0, 0.0, Double.POSITIVE_INFINITY, 1.0);
        }

        public Options withSolver(Solver s) {
            return new Options(s, sChurn, sMin, sMax, sNoise);
        }

        public Options withChurn(double churn, double min, double max, double noise) {
            return new Options(solver, churn, min, max, noise);
        }

        boolean stochastic() {
            return sChurn > 0;
        }
    }

    private final Options options;

    public EdmSampler(Options options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        this.options = options;
    }

    public EdmSampler() {
        this(Options.defaults());
    }

    public Options options() {
        return options;
    }

    @Override
    public Tensor sample(Denoiser denoiser, Tensor x, double[] sigmas, Generator noise, StepListener listener) {
        Sampler.requireSchedule(sigmas);
        if (options.stochastic()) {
            Sampler.requireNoise(noise, x, "S_churn > 0");
        }
        try (Run run = new Run(x)) {
            int n = sigmas.length - 1;
            for (int i = 0; i < n; i++) {
                run.step(denoiser, i, n, sigmas[i], sigmas[i + 1], noise, listener);
            }
            return run.take();
        }
    }

    /** The loop state of one run: the buffers of x, x̂, x_{i+1}, D, d and d'. */
    private final class Run implements AutoCloseable {
        private final int batch;
        private Tensor x;
        private Tensor xNext;
        private final Tensor xHatBuffer;
        private final Tensor denoised;
        private final Tensor dCur;
        private final Tensor dPrime;
        private final Tensor xi;

        Run(Tensor start) {
            this.batch = Math.toIntExact(start.batchSize());
            this.x = start.to(start.device(), io.sedm.runtime.DType.FLOAT64);
            this.xNext = x.emptyLike();
            this.xHatBuffer = options.stochastic() ? x.emptyLike() : null;
            this.denoised = x.emptyLike();
            this.dCur = x.emptyLike();
            this.dPrime = options.solver() == Solver.HEUN ? x.emptyLike() : null;
            this.xi = options.stochastic() ? x.emptyLike() : null;
        }

        void step(Denoiser denoiser, int i, int n, double sigmaCur, double sigmaNext, Generator noise,
                StepListener listener) {
            // Increase noise temporarily (churn).
            double gamma = options.sMin() <= sigmaCur && sigmaCur <= options.sMax()
                    ? Math.min(options.sChurn() / n, Math.sqrt(2.0) - 1.0) : 0.0;
            double sigmaHat = denoiser.roundSigma(sigmaCur * (1.0 + gamma));
            double[] sigmaHats = PerSample.filled(batch, sigmaHat);
            Tensor xHat = x;
            if (options.stochastic()) {
                noise.normal(xi);
                double scale = Math.sqrt(Math.max(sigmaHat * sigmaHat - sigmaCur * sigmaCur, 0.0)) * options.sNoise();
                Ops.combine(xHatBuffer, PerSample.uniform(batch, 1.0, scale), x, xi);
                xHat = xHatBuffer;
            }

            // Euler step.
            denoiser.denoise(xHat, sigmaHats, denoised);
            listener.onStep(new SamplerStep(i, n, sigmaCur, sigmaHats, xHat, denoised));
            Ops.combine(dCur, PerSample.uniform(batch, 1.0 / sigmaHat, -1.0 / sigmaHat), xHat, denoised);
            double h = sigmaNext - sigmaHat;
            Ops.combine(xNext, PerSample.uniform(batch, 1.0, h), xHat, dCur);

            // Apply the second-order correction.
            if (options.solver() == Solver.HEUN && i < n - 1) {
                denoiser.denoise(xNext, PerSample.filled(batch, sigmaNext), denoised);
                Ops.combine(dPrime, PerSample.uniform(batch, 1.0 / sigmaNext, -1.0 / sigmaNext), xNext, denoised);
                Ops.combine(xNext, PerSample.uniform(batch, 1.0, 0.5 * h, 0.5 * h), xHat, dCur, dPrime);
            }
            Tensor previous = x;
            x = xNext;
            xNext = previous;
        }

        /** Hands x_N to the caller (it is no longer closed with the run). */
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
