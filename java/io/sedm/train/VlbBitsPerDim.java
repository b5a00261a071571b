package io.sedm.train;

import io.sedm.runtime.DType;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.util.SplittableRandom;

/**
 * The DDPM variational bound in bits/dim (Ho et al. 2020 eq. 5; Nichol &amp; Dhariwal 2021 §2 eq. 4–6,
 * improved-diffusion's {@code calc_bpd_loop}; docs/ALGORITHMS.md §12.3): per image,
 * <pre>
 *   bpd = Σ_{t=1}^{T−1} L_t + L_0 + L_T        (each a mean over the D pixels, in bits)
 *   L_t = KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t)),  x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, a fresh ε per t
 *   L_0 = −log₂ p_θ(x_0 | x_1) (discretised Gaussian),     L_T = KL(q(x_T | x_0) ‖ N(0, I))
 * </pre>
 * for a learned-range network ([ε̂, v]) or a fixed-variance ε-network (β̃_t or β_t). Each KL term is
 * one Monte-Carlo draw of x_t, as in calc_bpd_loop, so the figure is an unbiased estimate of the
 * bound (the prior term is exact). {@code stride} k > 1 evaluates, besides t = 0, one uniformly drawn
 * t in each block [1 + jk, 1 + (j+1)k) weighted by the block's size: an unbiased estimate of the
 * sum with T/k network passes instead of T.
 */
public final class VlbBitsPerDim {
    private VlbBitsPerDim() {}

    /** ε̂ (and v for a learned-range network, else null) for a batch of x_t at step t, flat NCHW. */
    @FunctionalInterface
    public interface Model {
        Output predict(double[] xt, long[] shape, int t);
    }

    public record Output(double[] eps, double[] v) {}

    /**
     * Per image: the total bound, the prior term L_T, the decoder term L_0, and the KL sum; all bits/dim.
     * {@code perStep} is the batch mean of each evaluated term (weighted), indexed by t (0 where not drawn).
     */
    public record Result(double[] total, double[] prior, double[] decoder, double[] kl, double[] perStep) {}

    /**
     * @param x0       images in [−1, 1] on the 8-bit grid, flat NCHW with {@code shape}
     * @param variance how ln Σ_θ is formed (LEARNED_RANGE needs a model that returns v)
     * @param seed     seeds the ε of every t (and the drawn t of each block when stride > 1)
     */
    public static Result evaluate(
            VlbTerms terms, VlbTerms.Variance variance, Model model, double[] x0, long[] shape, long seed, int stride) {
        if (stride < 1) throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        int batch = Math.toIntExact(shape[0]);
        int dims = x0.length / batch;
        int steps = terms.timesteps();
        double[] total = new double[batch],
                prior = new double[batch],
                decoder = new double[batch],
                kl = new double[batch];
        double[] perStep = new double[steps];
        SplittableRandom rng = new SplittableRandom(seed);
        double[] xt = new double[x0.length];
        double[] dummy = null;
        for (int t0 = 0; t0 < steps; t0 += t0 == 0 ? 1 : stride) {
            int t = t0;
            double weight = 1;
            if (t0 > 0 && stride > 1) {
                int size = Math.min(stride, steps - t0);
                t = t0 + rng.nextInt(size);
                weight = size;
            }
            double a = Math.sqrt(terms.alphaBar(t)), s = Math.sqrt(1.0 - terms.alphaBar(t));
            SplittableRandom noise = rng.split();
            for (int i = 0; i < xt.length; i++) xt[i] = a * x0[i] + s * Gaussian.next(noise);
            Output out = model.predict(xt, shape, t);
            if (variance == VlbTerms.Variance.LEARNED_RANGE && out.v() == null) {
                throw new IllegalArgumentException("a learned-range bound needs a network with [ε̂, v] outputs");
            }
            double fixed = variance == VlbTerms.Variance.LEARNED_RANGE ? 0 : terms.fixedLogVariance(variance, t);
            for (int b = 0; b < batch; b++) {
                double bits = 0;
                for (int i = b * dims; i < (b + 1) * dims; i++) {
                    double logVar = out.v() == null || variance != VlbTerms.Variance.LEARNED_RANGE
                            ? fixed
                            : terms.learnedLogVariance(t, out.v()[i]);
                    bits += terms.termBits(t, x0[i], xt[i], out.eps()[i], logVar, dummy);
                }
                double term = weight * bits / dims;
                if (t == 0) decoder[b] = term;
                else kl[b] += term;
                perStep[t] += term / batch;
            }
        }
        for (int b = 0; b < batch; b++) {
            double bits = 0;
            for (int i = b * dims; i < (b + 1) * dims; i++) bits += terms.priorBits(x0[i]);
            prior[b] = bits / dims;
            total[b] = prior[b] + decoder[b] + kl[b];
        }
        return new Result(total, prior, decoder, kl, perStep);
    }

    /**
     * A trained ε-network as a {@link Model}: input x_t, noise label t (the convention of
     * {@code --loss ddpm} and {@code --loss hybrid}); out_channels = 2C gives [ε̂, v], C gives ε̂ alone.
     */
    public static Model network(Network net, DType dtype) {
        return (xt, shape, t) -> {
            int batch = Math.toIntExact(shape[0]);
            double[] labels = new double[batch];
            java.util.Arrays.fill(labels, t);
            try (Tensor x = HybridLoss.upload(xt, shape, dtype, net.device());
                    Tensor f = net.forward(x, labels, null, false)) {
                return split(f.toDoubleArray(), batch, xt.length / batch, Math.toIntExact(f.shape()[1] / shape[1]));
            }
        };
    }

    /** Splits a flat [B, kC, H, W] output into ε̂ (first C channels) and v (next C, when k = 2). */
    static Output split(double[] out, int batch, int dims, int k) {
        if (k == 1) return new Output(out, null);
        if (k != 2) throw new IllegalArgumentException("the network must emit C or 2C channels, got " + k + "C");
        double[] eps = new double[batch * dims], v = new double[batch * dims];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(out, 2 * b * dims, eps, b * dims, dims);
            System.arraycopy(out, 2 * b * dims + dims, v, b * dims, dims);
        }
        return new Output(eps, v);
    }

    /** Standard normal draws from a SplittableRandom (Marsaglia's polar method). */
    static final class Gaussian {
        private Gaussian() {}

        static double next(SplittableRandom r) {
            double u, v, s;
            do {
                u = 2 * r.nextDouble() - 1;
                v = 2 * r.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            return u * Math.sqrt(-2 * Math.log(s) / s);
        }
    }
}
