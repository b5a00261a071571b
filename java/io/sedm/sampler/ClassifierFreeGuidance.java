package io.sedm.sampler;

import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.util.function.Supplier;

/**
 * Classifier-free guidance (Ho &amp; Salimans, "Classifier-Free Diffusion Guidance", 2022, eq. 6;
 * docs/ALGORITHMS.md §0 for the D ↔ ε map) as a {@link Denoiser}, so every sampler (EDM family, DDPM,
 * DDIM, score SDE) runs guided without a copy of its step:
 * <pre>
 *   D_w(x; σ, y) = D(x; σ, ∅) + w·(D(x; σ, y) − D(x; σ, ∅)) = (1 − w)·D(x; σ, ∅) + w·D(x; σ, y)
 * </pre>
 * Convention: {@code w = 1} is the unguided conditional model, {@code w = 0} the unconditional one,
 * {@code w > 1} guides. Ho &amp; Salimans write {@code ε̃ = (1 + w')ε_c − w'ε_∅}, so their w' is our
 * {@code w − 1}; since ε = (x − D)/σ is affine in D, the same weights apply to D. The right-hand
 * form is the one evaluated, so at w = 1 the result is D(x; σ, y) exactly (0·D_∅ = 0).
 *
 * <p>The conditional and the unconditional evaluations go to the model as one batch of 2B rows
 * (labels {@code [y; 0]}).
 */
public final class ClassifierFreeGuidance implements Denoiser, SigmaRange.Inherited {
    private final ConditionalDenoiser model;
    private final Supplier<Tensor> labels;
    private final double w;

    /**
     * @param model  the conditional model (trained with label dropout, so ∅ is meaningful)
     * @param labels the one-hot labels {@code [B, K]} of the rows being denoised now
     * @param w      guidance scale, ≥ 0 and finite (1 = unguided)
     */
    public ClassifierFreeGuidance(ConditionalDenoiser model, Supplier<Tensor> labels, double w) {
        if (model == null || labels == null) {
            throw new IllegalArgumentException("model and labels must not be null");
        }
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException("the guidance scale w must be finite and >= 0, got " + w);
        }
        this.model = model;
        this.labels = labels;
        this.w = w;
    }

    public double scale() {
        return w;
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor out) {
        int batch = Math.toIntExact(x.batchSize());
        Tensor y = labels.get();
        if (y == null || y.batchSize() != batch || y.ndim() != 2 || y.shape()[1] != model.labelDim()) {
            throw new IllegalArgumentException("classifier-free guidance needs one-hot labels [" + batch + ", "
                    + model.labelDim() + "], got " + (y == null ? "none" : java.util.Arrays.toString(y.shape())));
        }
        long[] shape2 = x.shape();
        shape2[0] = 2L * batch;
        double[] sigma2 = new double[2 * batch];
        System.arraycopy(sigma, 0, sigma2, 0, batch);
        System.arraycopy(sigma, 0, sigma2, batch, batch);
        try (Tensor x2 = Tensor.empty(shape2, x.dtype(), x.device());
                Tensor d2 = x2.emptyLike();
                Tensor l2 = Tensor.zeros(new long[] {2L * batch, y.shape()[1]}, y.dtype(), y.device())) {
            try (Tensor top = x2.slice(0, batch);
                    Tensor bottom = x2.slice(batch, batch);
                    Tensor labelled = l2.slice(0, batch)) {
                top.copyFrom(x);
                bottom.copyFrom(x);
                labelled.copyFrom(y); // rows B … 2B−1 stay 0 = ∅
            }
            model.denoise(x2, sigma2, l2, d2);
            try (Tensor conditional = d2.slice(0, batch);
                    Tensor unconditional = d2.slice(batch, batch)) {
                if (out.dtype() == x.dtype()) {
                    guide(out, unconditional, conditional, w);
                } else {
                    try (Tensor d = x.emptyLike()) {
                        guide(d, unconditional, conditional, w);
                        out.copyFrom(d);
                    }
                }
            }
        }
    }

    /** Ho &amp; Salimans eq. 6 in D-form: {@code out = (1 − w)·D_∅ + w·D_y}. */
    static void guide(Tensor out, Tensor unconditional, Tensor conditional, double w) {
        Ops.combine(out, 1.0 - w, unconditional, w, conditional);
    }

    @Override
    public SigmaRange inner() {
        return model;
    }
}
