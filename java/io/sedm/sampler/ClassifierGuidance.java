package io.sedm.sampler;

import io.sedm.guidance.NoisyClassifier;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.util.function.Supplier;

/**
 * Classifier guidance (Dhariwal &amp; Nichol, "Diffusion Models Beat GANs on Image Synthesis",
 * NeurIPS 2021, Algorithm 2 / eq. 14) as a {@link Denoiser}, for every sampler. Their ε-form is
 * <pre>
 *   ε̂'(x_t) = ε̂(x_t) − s·√(1 − ᾱ_t)·∇_{x_t} log p_φ(y | x_t).
 * </pre>
 * In EDM coordinates x = x_t/√ᾱ_t, σ = √(1 − ᾱ_t)/√ᾱ_t (docs/ALGORITHMS.md §0), so
 * {@code ∇_{x_t} = ∇_x/√ᾱ_t} and {@code √(1 − ᾱ_t)·∇_{x_t} = σ·∇_x}; with {@code D = x − σ ε̂}:
 * <pre>
 *   D'(x; σ) = x − σ ε̂' = D(x; σ) + s·σ²·∇_x log p_φ(y | x, σ).
 * </pre>
 * With the exact posterior and s = 1 this is the class-conditional denoiser, by Bayes
 * ({@code ∇log p_σ(x | y) = ∇log p_σ(x) + ∇log p_σ(y | x)} and {@code ∇log p_σ = (D − x)/σ²}).
 */
public final class ClassifierGuidance implements Denoiser, SigmaRange.Inherited {
    private final Denoiser model;
    private final NoisyClassifier classifier;
    private final Supplier<Tensor> labels;
    private final double s;

    /**
     * @param model      the (unconditional, or label-bound conditional) model
     * @param classifier the noise-aware classifier
     * @param labels     one-hot labels {@code [B, K]} of the rows being denoised now
     * @param s          guidance scale, ≥ 0 and finite (0 = unguided)
     */
    public ClassifierGuidance(Denoiser model, NoisyClassifier classifier, Supplier<Tensor> labels, double s) {
        if (model == null || classifier == null || labels == null) {
            throw new IllegalArgumentException("model, classifier and labels must not be null");
        }
        if (!(s >= 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("the guidance scale s must be finite and >= 0, got " + s);
        }
        this.model = model;
        this.classifier = classifier;
        this.labels = labels;
        this.s = s;
    }

    public double scale() {
        return s;
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor out) {
        int batch = Math.toIntExact(x.batchSize());
        Tensor y = labels.get();
        if (y == null || y.batchSize() != batch || y.ndim() != 2 || y.shape()[1] != classifier.classes()) {
            throw new IllegalArgumentException("classifier guidance needs one-hot labels [" + batch + ", "
                    + classifier.classes() + "], got " + (y == null ? "none" : java.util.Arrays.toString(y.shape())));
        }
        int[] classes = ConditionalDenoiser.classes(y);
        for (int b = 0; b < batch; b++) {
            if (classes[b] < 0) {
                throw new IllegalArgumentException(
                        "classifier guidance needs a class for every row; row " + b + " has the null label");
            }
        }
        try (Tensor d = x.emptyLike();
                Tensor grad = x.emptyLike()) {
            model.denoise(x, sigma, d);
            classifier.logProbability(x, sigma, classes, grad);
            guide(d, grad, sigma, s);
            out.copyFrom(d);
        }
    }

    /** {@code D ← D + s·σ_b²·∇_x log p_φ(y_b | x_b, σ_b)} (the class comment's second equation). */
    static void guide(Tensor d, Tensor gradLogP, double[] sigma, double s) {
        int batch = sigma.length;
        double[] one = new double[batch];
        double[] coef = new double[batch];
        for (int b = 0; b < batch; b++) {
            one[b] = 1.0;
            coef[b] = s * sigma[b] * sigma[b];
        }
        Ops.combine(d, one, d, coef, gradLogP);
    }

    @Override
    public SigmaRange inner() {
        return model;
    }
}
