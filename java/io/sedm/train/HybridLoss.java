package io.sedm.train;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.schedule.BetaSchedule;
import java.util.SplittableRandom;

/**
 * iDDPM's hybrid objective with a learned-range variance (Nichol &amp; Dhariwal 2021, §3.1 eq. 15–16;
 * docs/ALGORITHMS.md §12.3): the network emits 2C channels [ε̂, v] and
 * <pre>
 *   L_hybrid = L_simple + λ·L_vlb,   λ = 0.001,   L_vlb = T·E_t[L_t]
 *   L_simple = ‖ε − ε̂(x_t, t)‖²                      (sum over the D pixels, as {@link DenoisingLoss#ddpm})
 *   λ·T·L_t  = (T/1000)·Σ_pixels L_t,pixel         (L_t in bits per pixel, {@link VlbTerms#termBits})
 * </pre>
 * with the mean of p_θ stop-gradiented inside L_t: L_vlb moves only v and L_simple only ε̂. (The
 * sums over pixels are improved-diffusion's mean-over-pixels terms times D; the ratio λ is unchanged.)
 * t is uniform on {0 … T−1} or importance-sampled ({@link TimestepImportanceSampler}, §3.3), each
 * sample's loss then weighted by 1/(T·p_t). The chain is DDPM's linear β schedule, T = 1000, the
 * same chain as {@code --loss ddpm}; the network sees x_t and the index t.
 *
 * <p>Gradient (the closed form handed to {@link Network#backward}), per sample with weight w and the
 * batch mean's 1/B: {@code ∂L/∂ε̂ = 2w(ε̂ − ε)/B}; {@code ∂L/∂v = w·(T/1000)·(∂L_t/∂ ln Σ)·(∂ ln Σ/∂v)/B}
 * where ∂ ln Σ/∂v = ½(ln β_t − ln β̃_t) (eq. 15 is affine in v) and ∂L_t/∂ ln Σ is
 * {@link VlbTerms#normalKlBitsDLogVar2} for t ≥ 1 and ½·∂(decoder NLL)/∂ ln σ for t = 0
 * ({@link VlbTerms#decoderNllBits}). The loss terms are formed on the Java heap (the network's
 * output is copied out once per round and the gradient copied in).
 */
public final class HybridLoss {
    /** iDDPM's λ. */
    public static final double LAMBDA = 0.001;

    private final VlbTerms terms;
    private final TimestepImportanceSampler sampler;

    public HybridLoss(BetaSchedule schedule, boolean importance) {
        this.terms = new VlbTerms(schedule);
        this.sampler = new TimestepImportanceSampler(schedule.timesteps(), importance);
    }

    /** The `--loss hybrid` chain: linear β over T = 1000 (Ho et al. 2020). */
    public static HybridLoss linear1000(boolean importance) {
        return new HybridLoss(BetaSchedule.linear(1000), importance);
    }

    public VlbTerms terms() {
        return terms;
    }

    public TimestepImportanceSampler sampler() {
        return sampler;
    }

    /** One draw of timesteps for a batch with their importance weights 1/(T·p_t). */
    public record Draw(int[] t, double[] weight) {}

    public Draw draw(SplittableRandom rng, int batch) {
        int[] t = new int[batch];
        double[] w = sampler.draw(rng, t);
        return new Draw(t, w);
    }

    /** The per-sample values of one round: the weighted total, L_simple and L_t (bits per pixel). */
    public record Losses(double[] total, double[] simple, double[] vlbTerm) {}

    /**
     * Forward and backward for one batch: accumulates {@code gradScale · dL/dθ} and returns the
     * per-sample losses; the L_t seen feed the importance history.
     *
     * @param x0    clean images [B, C, H, W] in [−1, 1]
     * @param noise ε ~ N(0, I), same shape
     */
    public Losses accumulate(Network net, Tensor x0, Tensor noise, Draw draw, Tensor labels, double gradScale) {
        int batch = Math.toIntExact(x0.batchSize());
        long[] shape = x0.shape();
        int dims = Math.toIntExact(x0.numel() / batch);
        double[] y = x0.toDoubleArray();
        double[] n = noise.toDoubleArray();
        double[] xt = new double[y.length];
        double[] tIn = new double[batch];
        for (int b = 0; b < batch; b++) {
            int t = draw.t()[b];
            double a = Math.sqrt(terms.alphaBar(t)), s = Math.sqrt(1.0 - terms.alphaBar(t));
            for (int k = b * dims; k < (b + 1) * dims; k++) xt[k] = a * y[k] + s * n[k];
            tIn[b] = t;
        }
        try (Tensor xIn = upload(xt, shape, x0.dtype(), x0.device());
                Tensor f = net.forward(xIn, tIn, labels, true)) {
            long[] fs = f.shape();
            if (fs.length != shape.length || fs[1] != 2 * shape[1]) {
                throw new IllegalArgumentException("--loss hybrid needs a network with out_channels = 2·in_channels = "
                        + 2 * shape[1] + " ([ε̂, v]), it gives " + fs[1]);
            }
            double[] out = f.toDoubleArray();
            double[] grad = new double[out.length];
            Losses l = compute(draw, y, n, xt, out, grad, batch, dims, gradScale);
            try (Tensor g = upload(grad, fs, f.dtype(), f.device())) {
                net.backward(g);
            }
            sampler.update(draw.t(), l.vlbTerm());
            return l;
        }
    }

    /**
     * The loss and its gradient wrt the network output {@code out} = [ε̂ (D values), v (D values)] per
     * sample, on the heap (pure: no network). {@code grad} receives gradScale·∂(mean over the batch)/∂out.
     */
    Losses compute(
            Draw draw,
            double[] y,
            double[] n,
            double[] xt,
            double[] out,
            double[] grad,
            int batch,
            int dims,
            double gradScale) {
        int timesteps = terms.timesteps();
        double vlbScale = LAMBDA * timesteps; // λ·T: L_vlb = T·E_t[L_t]
        double[] total = new double[batch], simple = new double[batch], vlb = new double[batch];
        double[] dLogVar = new double[1];
        for (int b = 0; b < batch; b++) {
            int t = draw.t()[b];
            double w = draw.weight()[b];
            double slope = terms.learnedLogVarianceSlope(t);
            double mse = 0, bits = 0;
            for (int k = 0; k < dims; k++) {
                int i = b * dims + k;
                int eIdx = b * 2 * dims + k, vIdx = eIdx + dims;
                double eps = out[eIdx];
                double d = eps - n[i];
                mse += d * d;
                grad[eIdx] = gradScale * w * 2.0 * d / batch;
                double logVar = terms.learnedLogVariance(t, out[vIdx]);
                bits += terms.termBits(t, y[i], xt[i], eps, logVar, dLogVar);
                grad[vIdx] = gradScale * w * vlbScale * dLogVar[0] * slope / batch;
            }
            simple[b] = mse;
            vlb[b] = bits / dims;
            total[b] = w * (mse + vlbScale * bits);
        }
        return new Losses(total, simple, vlb);
    }

    static Tensor upload(double[] values, long[] shape, DType dtype, Device device) {
        if (dtype == DType.FLOAT64) return Tensor.of(values, shape, device);
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        if (dtype == DType.FLOAT32) return Tensor.of(f, shape, device);
        try (Tensor t = Tensor.of(f, shape, device)) {
            return t.to(device, dtype);
        }
    }
}
