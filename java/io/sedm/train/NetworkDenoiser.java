package io.sedm.train;

import io.sedm.precond.Preconditioning;
import io.sedm.runtime.DType;
import io.sedm.runtime.Network;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Denoiser;
import java.util.function.Supplier;

/**
 * A trained network as the samplers' {@link Denoiser}: {@code D(x; σ) = c_skip·x +
 * c_out·F(c_in·x; c_noise)} (Karras et al. 2022, eq. 7; docs/ALGORITHMS.md §2). The coefficients are
 * computed in double precision here; the network runs in its own dtype (float32) and its
 * output is promoted to the sampler's dtype before the combination (§0 dtype policy).
 */
public final class NetworkDenoiser implements Denoiser {
    private final Network net;
    private final Preconditioning precond;
    private final Supplier<Tensor> classLabels;
    private final boolean float32;

    /** @param classLabels one-hot labels [B, label_dim] bound for a conditional network, or null */
    public NetworkDenoiser(Network net, Preconditioning precond, Tensor classLabels) {
        this(net, precond, () -> classLabels);
    }

    /**
     * @param classLabels the one-hot labels [B, label_dim] of the rows being denoised now (a
     *     batch run changes them between batches), or a supplier of null for an unconditional network
     */
    public NetworkDenoiser(Network net, Preconditioning precond, Supplier<Tensor> classLabels) {
        this(net, precond, classLabels, false);
    }

    /**
     * @param float32 evaluate as NVlabs/edm does (docs/ALGORITHMS.md §2 "Order"): x and σ cast to
     *     float32, the coefficients in float32 ({@link io.sedm.precond.Float32Coefficients}), c_in·x and
     *     D = c_skip·x + c_out·F rounded to float32 — for imported official networks, whose
     *     float32 arithmetic the official samplers' results carry
     */
    public NetworkDenoiser(Network net, Preconditioning precond, Supplier<Tensor> classLabels, boolean float32) {
        this.net = net;
        this.precond = precond;
        this.classLabels = classLabels;
        this.float32 = float32;
    }

    /** The preconditioning's supported range (EDM's {@code net.sigma_min}). */
    @Override
    public double sigmaMin() {
        return precond.sigmaMin();
    }

    /** The preconditioning's supported range (EDM's {@code net.sigma_max}). */
    @Override
    public double sigmaMax() {
        return precond.sigmaMax();
    }

    /** EDM's {@code net.round_sigma}. */
    @Override
    public double roundSigma(double sigma) {
        return precond.roundSigma(sigma);
    }

    /** An unconditional EDM-preconditioned denoiser with σ_data = 0.5. */
    public static NetworkDenoiser edm(Network net) {
        return new NetworkDenoiser(net, new Preconditioning.Edm(0.5), (Tensor) null);
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor out) {
        int batch = Math.toIntExact(x.batchSize());
        if (sigma.length != batch) {
            throw new IllegalArgumentException(
                    "sigma must hold one value per sample (" + batch + "), got " + sigma.length);
        }
        double[] cIn = new double[batch], cNoise = new double[batch], mix = new double[2 * batch];
        for (int b = 0; b < batch; b++) {
            if (!(sigma[b] > 0)) throw new IllegalArgumentException("sigma[" + b + "] must be > 0, got " + sigma[b]);
            if (float32) {
                double[] c = io.sedm.precond.Float32Coefficients.of(precond, sigma[b]);
                mix[b] = c[0];
                mix[batch + b] = c[1];
                cIn[b] = c[2];
                cNoise[b] = c[3];
            } else {
                cIn[b] = precond.cIn(sigma[b]);
                cNoise[b] = precond.cNoise(sigma[b]);
                mix[b] = precond.cSkip(sigma[b]);
                mix[batch + b] = precond.cOut(sigma[b]);
            }
        }
        if (float32) {
            denoiseFloat32(x, cIn, cNoise, mix, out);
            return;
        }
        DType dt = x.dtype();
        try (Tensor xIn = x.emptyLike()) {
            Ops.combine(xIn, cIn, x);
            try (Tensor f = net.forward(xIn, cNoise, classLabels.get(), false);
                    Tensor fx = f.to(x.device(), dt);
                    Tensor fView = imageChannels(fx, x.shape())) {
                if (out.dtype() == dt) {
                    Ops.combine(out, mix, x, fView);
                } else {
                    try (Tensor d = x.emptyLike()) {
                        Ops.combine(d, mix, x, fView);
                        out.copyFrom(d);
                    }
                }
            }
        }
    }

    /** The float32 path: every product and sum of two float32 values is exact in double, so
     * rounding each combination once to float32 reproduces EDM's float32 operations exactly. */
    private void denoiseFloat32(Tensor x, double[] cIn, double[] cNoise, double[] mix, Tensor out) {
        try (Tensor x32 = x.to(x.device(), DType.FLOAT32);
                Tensor xIn = x32.emptyLike()) {
            Ops.combine(xIn, cIn, x32);
            try (Tensor f = net.forward(xIn, cNoise, classLabels.get(), false);
                    Tensor f32 = f.to(x.device(), DType.FLOAT32);
                    Tensor fView = imageChannels(f32, x.shape());
                    Tensor d = x32.emptyLike();
                    Tensor skip = x32.emptyLike();
                    Tensor scaled = x32.emptyLike()) {
                // EDM rounds c_skip·x and c_out·F to float32 before their float32 sum.
                int batch = cIn.length;
                double[] ones = new double[2 * batch];
                java.util.Arrays.fill(ones, 1.0);
                Ops.combine(skip, java.util.Arrays.copyOfRange(mix, 0, batch), x32);
                Ops.combine(scaled, java.util.Arrays.copyOfRange(mix, batch, 2 * batch), fView);
                Ops.combine(d, ones, skip, scaled);
                out.copyFrom(d);
            }
        }
    }

    /**
     * F as x's shape: a view when F has x's size; the first C channels of an iDDPM network's 2C
     * (mean and variance outputs: EDM's iDDPMPrecond uses {@code F_x[:, :img_channels]}) copied row
     * by row through views (each row's 2C channels are two contiguous halves).
     */
    static Tensor imageChannels(Tensor f, long[] xShape) {
        long[] fs = f.shape();
        long numel = 1;
        for (long d : xShape) numel *= d;
        if (f.numel() == numel) {
            return f.reshape(xShape);
        }
        if (xShape.length >= 2
                && fs.length == xShape.length
                && fs[0] == xShape[0]
                && fs[1] == 2 * xShape[1]
                && f.numel() == 2 * numel) {
            long per = numel / xShape[0];
            Tensor out = Tensor.empty(xShape, f.dtype(), f.device());
            try {
                for (long b = 0; b < xShape[0]; b++) {
                    try (Tensor row = f.slice(b, 1);
                            Tensor halves = row.reshape(2, per);
                            Tensor first = halves.slice(0, 1);
                            Tensor dstRow = out.slice(b, 1);
                            Tensor dst = dstRow.reshape(1, per)) {
                        dst.copyFrom(first);
                    }
                }
                return out;
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
        }
        throw new IllegalArgumentException("the network's output " + java.util.Arrays.toString(fs)
                + " is neither the image's shape " + java.util.Arrays.toString(xShape)
                + " nor twice its channels (iDDPM)");
    }
}
