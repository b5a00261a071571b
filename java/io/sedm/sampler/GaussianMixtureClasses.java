package io.sedm.sampler;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.guidance.NoisyClassifier;
import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;

/**
 * A Gaussian mixture whose components are the classes (docs/ALGORITHMS.md §14.1): the exact
 * class-conditional denoiser {@code D(x; σ, k) = (c_k² x + σ² μ_k)/(c_k² + σ²)} (component k alone),
 * the null label ∅ = the whole mixture, and the exact noisy posterior
 * <pre>
 *   log p(k | x, σ) = ln π_k + ln N(x; μ_k, (c_k² + σ²) I) − ln p_σ(x),
 *   ∇_x log p(k | x, σ) = (D(x; σ, k) − D(x; σ))/σ²,
 * </pre>
 * the closed-form references of classifier-free and classifier guidance. Computed natively in
 * float64; a batch with several classes is evaluated once per class present and the rows picked
 * by 0/1 coefficients (exact).
 */
public final class GaussianMixtureClasses implements ConditionalDenoiser, NoisyClassifier, AutoCloseable {
    private final GaussianMixture mixture;
    private final GaussianMixtureDensity all;
    private final GaussianMixtureDensity[] component;

    public GaussianMixtureClasses(GaussianMixture mixture, Device device) {
        this.mixture = mixture;
        int k = mixture.components();
        this.component = new GaussianMixtureDensity[k];
        GaussianMixtureDensity whole = null;
        try {
            whole = GaussianMixtureDensity.create(mixture.weights(), mixture.means(), mixture.variances(), device);
            for (int c = 0; c < k; c++) {
                component[c] = GaussianMixtureDensity.create(
                        new double[] {1.0},
                        new double[][] {mixture.means()[c]},
                        new double[] {mixture.variances()[c]},
                        device);
            }
        } catch (RuntimeException e) {
            if (whole != null) whole.close();
            for (GaussianMixtureDensity d : component) {
                if (d != null) d.close();
            }
            throw e;
        }
        this.all = whole;
    }

    /** The mixture's own (unconditional) denoiser, D(x; σ) = D(x; σ, ∅). Owned by this object. */
    public Denoiser unconditional() {
        return all::denoise;
    }

    public GaussianMixture mixture() {
        return mixture;
    }

    @Override
    public int labelDim() {
        return component.length;
    }

    @Override
    public int classes() {
        return component.length;
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor labels, Tensor out) {
        int[] y = ConditionalDenoiser.classes(labels);
        if (y.length != x.batchSize()) {
            throw new IllegalArgumentException("labels hold " + y.length + " rows, x " + x.batchSize());
        }
        try (Tensor d = x.emptyLike();
                Tensor acc = x.emptyLike()) {
            acc.fill(0.0);
            for (int c = -1; c < component.length; c++) {
                double[] pick = pick(y, c);
                if (pick == null) continue;
                (c < 0 ? all : component[c]).denoise(x, sigma, d);
                Ops.combine(acc, ones(y.length), acc, pick, d);
            }
            out.copyFrom(acc);
        }
    }

    @Override
    public double[] logProbability(Tensor x, double[] sigma, int[] classes, Tensor gradOut) {
        int batch = Math.toIntExact(x.batchSize());
        if (classes.length != batch) {
            throw new IllegalArgumentException("classes hold " + classes.length + " rows, x " + batch);
        }
        double[] logP = new double[batch];
        try (Tensor g = x.emptyLike();
                Tensor acc = x.emptyLike()) {
            acc.fill(0.0);
            for (int c = 0; c < component.length; c++) {
                double[] pick = pick(classes, c);
                if (pick == null) continue;
                // ln N_c − ln p_σ and its gradient (D_c − D)/σ²
                double[] ratio = component[c].logRatio(all, x, sigma, g);
                for (int b = 0; b < batch; b++) {
                    if (classes[b] == c) logP[b] = Math.log(mixture.weights()[c] / totalWeight()) + ratio[b];
                }
                Ops.combine(acc, ones(batch), acc, pick, g);
            }
            for (int b = 0; b < batch; b++) {
                if (classes[b] < 0 || classes[b] >= component.length) {
                    throw new IllegalArgumentException(
                            "class " + classes[b] + " of row " + b + " is not in [0, " + component.length + ")");
                }
            }
            gradOut.copyFrom(acc);
        }
        return logP;
    }

    private double totalWeight() {
        double t = 0;
        for (double w : mixture.weights()) t += w;
        return t;
    }

    /** 1 for the rows of class c, 0 elsewhere; null when no row has it. */
    private static double[] pick(int[] y, int c) {
        double[] p = new double[y.length];
        boolean any = false;
        for (int b = 0; b < y.length; b++) {
            if (y[b] == c) {
                p[b] = 1.0;
                any = true;
            }
        }
        return any ? p : null;
    }

    private static double[] ones(int n) {
        return PerSample.filled(n, 1.0);
    }

    @Override
    public void close() {
        all.close();
        for (GaussianMixtureDensity d : component) d.close();
    }
}
