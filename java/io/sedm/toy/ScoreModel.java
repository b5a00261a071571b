package io.sedm.toy;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Denoiser;
import io.sedm.train.MlpConfig;

/**
 * A σ-conditioned score network of NCSN style for toy data: s_θ(x, σ) = F(x; c_noise(σ))/σ
 * (NCSNv2's parameterisation, Song &amp; Ermon 2020, technique 3), F a residual MLP in float64 and
 * c_noise(σ) = ln(σ)/4 (EDM's noise label, Karras et al. 2022, Table 1). It is trained on a
 * geometric ladder σ_1 &gt; … &gt; σ_L ({@link #sigmas}).
 *
 * <p>As a {@link Denoiser} it is Tweedie's adapter D(x; σ) = x + σ² s(x, σ) = x + σ F
 * (docs/ALGORITHMS.md §0), so every sampler of {@code io.sedm.sampler} (EDM Heun/Euler, annealed
 * Langevin) runs on it unchanged.
 */
public final class ScoreModel implements Denoiser, AutoCloseable {
    private final Network network;
    private final double[] sigmas;

    /** Takes ownership of {@code network}; {@code sigmas} is the training ladder, decreasing. */
    public ScoreModel(Network network, double[] sigmas) {
        if (sigmas == null || sigmas.length < 1) {
            throw new IllegalArgumentException("sigmas must hold at least one level");
        }
        for (int i = 0; i < sigmas.length; i++) {
            if (!(sigmas[i] > 0) || Double.isInfinite(sigmas[i]) || (i > 0 && !(sigmas[i] < sigmas[i - 1]))) {
                throw new IllegalArgumentException("sigmas must be finite, > 0 and strictly decreasing");
            }
        }
        this.network = network;
        this.sigmas = sigmas.clone();
    }

    /** A fresh float64 MLP for 2-D data (hidden width, residual layers, init seed). */
    public static ScoreModel mlp(int hidden, int layers, long initSeed, double[] sigmas) {
        MlpConfig config = new MlpConfig(2, hidden, layers, 16, initSeed, "float64");
        return new ScoreModel(config.build(Device.CPU), sigmas);
    }

    /** c_noise(σ) = ln(σ)/4. */
    public static double noiseLabel(double sigma) {
        return Math.log(sigma) / 4;
    }

    public Network network() {
        return network;
    }

    /** The training ladder σ_1 &gt; … &gt; σ_L. */
    public double[] sigmas() {
        return sigmas.clone();
    }

    /** s(x, σ) for n points held row-major in {@code x} (2 values a point). */
    public double[] score(double[] x, double sigma) {
        int n = x.length / 2;
        double[] labels = new double[n];
        java.util.Arrays.fill(labels, noiseLabel(sigma));
        try (Tensor xt = Tensor.of(x, new long[] {n, 2}, Device.CPU);
                Tensor f = network.forward(xt, labels, null, false)) {
            double[] s = f.toDoubleArray();
            for (int i = 0; i < s.length; i++) {
                s[i] /= sigma;
            }
            return s;
        }
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor out) {
        int batch = Math.toIntExact(x.batchSize());
        double[] labels = new double[batch];
        double[] ones = new double[batch];
        for (int b = 0; b < batch; b++) {
            labels[b] = noiseLabel(sigma[b]);
            ones[b] = 1.0;
        }
        try (Tensor f = network.forward(x, labels, null, false)) {
            if (x.dtype() == DType.FLOAT64 && out.dtype() == DType.FLOAT64) {
                // D = x + σ² s = x + σ F
                Ops.combine(out, ones, x, sigma, f);
            } else {
                try (Tensor x64 = x.to(x.device(), DType.FLOAT64);
                        Tensor d = x64.emptyLike()) {
                    Ops.combine(d, ones, x64, sigma, f);
                    out.copyFrom(d);
                }
            }
        }
    }

    @Override
    public double sigmaMin() {
        return sigmas[sigmas.length - 1];
    }

    @Override
    public double sigmaMax() {
        return sigmas[0];
    }

    @Override
    public void close() {
        network.close();
    }
}
