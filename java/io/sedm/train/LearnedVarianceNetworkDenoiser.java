package io.sedm.train;

import io.sedm.runtime.DType;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.LearnedVarianceDenoiser;
import io.sedm.schedule.BetaSchedule;
import io.sedm.schedule.IddpmSchedule;

/**
 * A {@code --loss hybrid} network ([ε̂, v], 2C channels) as the DDPM sampler's
 * {@link LearnedVarianceDenoiser} (docs/ALGORITHMS.md §12.2): in EDM coordinates the network sees
 * {@code x/√(1 + σ²)} (= x_t) and the index t of the chain's level nearest σ, and
 * {@code D = x − σ·ε̂} (the DDPM preconditioning c_skip = 1, c_out = −σ); v is handed on unchanged.
 * Formed on the heap (the output is split by channel).
 */
public final class LearnedVarianceNetworkDenoiser implements LearnedVarianceDenoiser {
    private final Network net;
    /** σ_t for t = 0 … T−1, increasing. */
    private final double[] levels;

    private final DType dtype;

    public LearnedVarianceNetworkDenoiser(Network net, BetaSchedule schedule, DType dtype) {
        this.net = net;
        this.dtype = dtype;
        VlbTerms terms = new VlbTerms(schedule);
        this.levels = new double[terms.timesteps()];
        for (int t = 0; t < levels.length; t++) levels[t] = terms.sigma(t);
    }

    @Override
    public double sigmaMin() {
        return levels[0];
    }

    @Override
    public double sigmaMax() {
        return levels[levels.length - 1];
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor out, Tensor v) {
        int batch = Math.toIntExact(x.batchSize());
        long[] shape = x.shape();
        double[] xs = x.toDoubleArray();
        int dims = xs.length / batch;
        double[] xin = new double[xs.length], labels = new double[batch];
        for (int b = 0; b < batch; b++) {
            double c = 1.0 / Math.sqrt(1.0 + sigma[b] * sigma[b]);
            for (int i = b * dims; i < (b + 1) * dims; i++) xin[i] = c * xs[i];
            labels[b] = IddpmSchedule.nearestIndex(levels, sigma[b]);
        }
        try (Tensor in = HybridLoss.upload(xin, shape, dtype, x.device());
                Tensor f = net.forward(in, labels, null, false)) {
            VlbBitsPerDim.Output o =
                    VlbBitsPerDim.split(f.toDoubleArray(), batch, dims, Math.toIntExact(f.shape()[1] / shape[1]));
            if (o.v() == null) throw new IllegalArgumentException("the network has no v channels (not --loss hybrid)");
            double[] d = new double[xs.length];
            for (int b = 0; b < batch; b++) {
                for (int i = b * dims; i < (b + 1) * dims; i++) d[i] = xs[i] - sigma[b] * o.eps()[i];
            }
            try (Tensor dt = HybridLoss.upload(d, shape, out.dtype(), out.device());
                    Tensor vt = HybridLoss.upload(o.v(), shape, v.dtype(), v.device())) {
                out.copyFrom(dt);
                v.copyFrom(vt);
            }
        }
    }
}
