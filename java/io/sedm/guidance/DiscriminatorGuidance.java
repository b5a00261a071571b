package io.sedm.guidance;

import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sde.VpTime;

/**
 * The sampling side of Discriminator Guidance (Kim et al., ICML 2023, eq. 8; alsdudrla10/DG
 * {@code classifier_lib.py}; docs/ALGORITHMS.md §7.2–7.3). In EDM's slope space the guided slope is
 * {@code d_DG = d − w·σ·∇_x ℓ(x; σ)}; the discriminator sees {@code x_vp = a·x}, {@code a = 1/√(1+σ²)},
 * at VP time {@code τ(σ)}, and since {@code ∇_x ℓ = a·∇_{x_vp} ℓ} the correction to d is
 * {@code −w·σ·a·∇_{x_vp} ℓ} (= {@code w·g_code/σ} with {@code g_code = −σ²·a·∇_{x_vp} ℓ}).
 *
 * <p>Window: the discriminator runs only when the batch minimum of τ lies in
 * {@code [tauMin, tauMax]} (§7.3 step 2, §16.5); otherwise nothing is evaluated and the logits are
 * the placeholder {@link #CLOSED_LOGIT}. The logit is clamped to ±{@link #LOGIT_CLAMP} (the
 * reference clamps d to [1e−5, 1 − 1e−5]); beyond the clamp its gradient is zero.
 */
public final class DiscriminatorGuidance {
    /** ln((1 − 1e−5)/1e−5) = 11.5129…, the logit of the reference's probability clamp. */
    public static final double LOGIT_CLAMP = Math.log((1.0 - 1e-5) / 1e-5);
    /** Logit reported per sample when the window is closed (so boosting never fires). */
    public static final double CLOSED_LOGIT = 1e7;

    private final Discriminator discriminator;
    private final double tauMin;
    private final double tauMax;

    /**
     * @param tauMin lower end of the VP-time window (DG default 0.01, i.e. σ ≥ 0.0447)
     * @param tauMax upper end (default 1.0)
     */
    public DiscriminatorGuidance(Discriminator discriminator, double tauMin, double tauMax) {
        if (discriminator == null) {
            throw new IllegalArgumentException("discriminator must not be null");
        }
        if (!(tauMin >= 0) || !(tauMax >= tauMin) || tauMax > 1.0) {
            throw new IllegalArgumentException(
                    "the DG window needs 0 <= tauMin <= tauMax <= 1, got [" + tauMin + ", " + tauMax + "]");
        }
        this.discriminator = discriminator;
        this.tauMin = tauMin;
        this.tauMax = tauMax;
    }

    /** Whether the discriminator runs at these per-sample noise levels (batch minimum of τ). */
    public boolean isOpen(double[] sigma) {
        double minTau = Double.POSITIVE_INFINITY;
        for (double s : sigma) {
            minTau = Math.min(minTau, VpTime.tau(s));
        }
        return minTau >= tauMin && minTau <= tauMax;
    }

    /**
     * One DG evaluation at {@code (x, σ)}. When open, {@code gradient} holds {@code ∇_{x_vp} ℓ} and
     * {@code slopeCoefficient[b]} is {@code −σ_b·a_b} (0 where the logit is clamped), so the guided
     * slope is {@code d + w_b·slopeCoefficient[b]·gradient}. Close it after use.
     *
     * @param open             whether the window was open (if not, nothing was evaluated)
     * @param logit            ℓ per sample, clamped; {@link #CLOSED_LOGIT} when closed
     * @param slopeCoefficient per-sample factor of the gradient in d-space; null when closed
     * @param gradient         ∇_{x_vp} ℓ; null when closed
     */
    public record Evaluation(boolean open, double[] logit, double[] slopeCoefficient, Tensor gradient)
            implements AutoCloseable {
        /** {@code d ← d + Σ w_b·slopeCoefficient[b]·gradient_b}; a no-op when closed. */
        public void addTo(Tensor d, double[] weight) {
            if (!open) {
                return;
            }
            int batch = logit.length;
            double[] coefs = new double[2 * batch];
            for (int b = 0; b < batch; b++) {
                coefs[b] = 1.0;
                coefs[batch + b] = weight[b] * slopeCoefficient[b];
            }
            Ops.combine(d, coefs, d, gradient);
        }

        /**
         * Rows {@code [start, start + length)} of an evaluation over several row sets stacked in one
         * batch (the serving engine); the gradient is a view, closed with the slice.
         */
        public Evaluation rows(int start, int length) {
            return new Evaluation(
                    open,
                    java.util.Arrays.copyOfRange(logit, start, start + length),
                    slopeCoefficient == null
                            ? null
                            : java.util.Arrays.copyOfRange(slopeCoefficient, start, start + length),
                    gradient == null ? null : gradient.slice(start, length));
        }

        /** The evaluation of {@code batch} rows outside the window: nothing evaluated, {@link #CLOSED_LOGIT}. */
        public static Evaluation closed(int batch) {
            double[] closed = new double[batch];
            java.util.Arrays.fill(closed, CLOSED_LOGIT);
            return new Evaluation(false, closed, null, null);
        }

        @Override
        public void close() {
            if (gradient != null) {
                gradient.close();
            }
        }
    }

    /** Evaluates the discriminator at {@code (x, σ)} in EDM coordinates (§7.3 steps 1–7). */
    public Evaluation evaluate(Tensor x, double[] sigma) {
        if (!isOpen(sigma)) {
            return Evaluation.closed(Math.toIntExact(x.batchSize()));
        }
        return evaluateOpen(x, sigma);
    }

    /**
     * The discriminator's evaluation at {@code (x, σ)} without the window test: every row's own
     * logit and gradient. {@link #evaluate} calls it once the window is open; the serving engine
     * calls it on the rows of several runs at once, each run having passed its own window test.
     */
    public Evaluation evaluateOpen(Tensor x, double[] sigma) {
        int batch = Math.toIntExact(x.batchSize());
        double[] tau = new double[batch];
        double[] a = new double[batch];
        for (int b = 0; b < batch; b++) {
            tau[b] = VpTime.tau(sigma[b]);
            a[b] = VpTime.scale(sigma[b]);
        }
        Tensor gradient = x.emptyLike();
        try (Tensor xVp = x.emptyLike()) {
            Ops.combine(xVp, a, x);
            double[] logit = discriminator.logitAndGradient(xVp, tau, gradient);
            double[] coef = new double[batch];
            for (int b = 0; b < batch; b++) {
                if (logit[b] > LOGIT_CLAMP || logit[b] < -LOGIT_CLAMP) {
                    logit[b] = Math.copySign(LOGIT_CLAMP, logit[b]);
                    coef[b] = 0.0;
                } else {
                    coef[b] = -sigma[b] * a[b];
                }
            }
            return new Evaluation(true, logit, coef, gradient);
        } catch (RuntimeException e) {
            gradient.close();
            throw e;
        }
    }
}
