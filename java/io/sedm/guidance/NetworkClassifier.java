package io.sedm.guidance;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sde.VpTime;

/**
 * The noise-aware classifier that {@code sedm train-classifier} trains (ADM encoder + attention
 * pool → K logits, Dhariwal &amp; Nichol 2021 §4.1; docs/ALGORITHMS.md §7.4) as a {@link NoisyClassifier}.
 * Like the DG discriminator it lives in VP coordinates: input {@code x_vp = a·x}, {@code a = 1/√(1+σ²)},
 * at VP time {@code τ(σ)}. Per row {@code log p = log_softmax(logits)[y]}; one backward pass of
 * {@code Σ_b log p_b} (rows are independent) with {@code ∂/∂logits = onehot(y) − softmax} gives every
 * row's {@code ∇_{x_vp} log p}, and {@code ∇_x = a·∇_{x_vp}} (the path of {@link Discriminator}).
 */
public final class NetworkClassifier implements NoisyClassifier {
    private final Network net;
    private final int classes;

    /** Takes the network as it is (the caller keeps ownership); eval mode, parameters frozen. */
    public NetworkClassifier(Network net, int classes) {
        if (net == null) {
            throw new IllegalArgumentException("net must not be null");
        }
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        this.net = net;
        this.classes = classes;
        net.setTraining(false);
        net.setRequiresGrad(false);
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public double[] logProbability(Tensor x, double[] sigma, int[] y, Tensor gradOut) {
        int batch = Math.toIntExact(x.batchSize());
        if (sigma.length != batch || y.length != batch) {
            throw new IllegalArgumentException("sigma and classes must hold one value per row (" + batch + ")");
        }
        double[] tau = new double[batch];
        double[] a = new double[batch];
        for (int b = 0; b < batch; b++) {
            if (y[b] < 0 || y[b] >= classes) {
                throw new IllegalArgumentException(
                        "class " + y[b] + " of row " + b + " is not in [0, " + classes + ")");
            }
            tau[b] = VpTime.tau(sigma[b]);
            a[b] = VpTime.scale(sigma[b]);
        }
        try (Tensor xVp = x.emptyLike()) {
            Ops.combine(xVp, a, x);
            try (Tensor input = xVp.to(net.device(), DType.FLOAT32);
                    Tensor logits = net.forward(input, tau, null, true)) {
                double[] l = logits.toDoubleArray();
                if (l.length != (long) batch * classes) {
                    throw new IllegalStateException(
                            "the classifier gave " + l.length + " logits for " + batch + " rows × " + classes);
                }
                double[] logP = new double[batch];
                double[] g = new double[l.length];
                for (int b = 0; b < batch; b++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < classes; c++) max = Math.max(max, l[b * classes + c]);
                    double sum = 0;
                    for (int c = 0; c < classes; c++) sum += Math.exp(l[b * classes + c] - max);
                    logP[b] = l[b * classes + y[b]] - max - Math.log(sum);
                    for (int c = 0; c < classes; c++) {
                        g[b * classes + c] = (c == y[b] ? 1.0 : 0.0) - Math.exp(l[b * classes + c] - max) / sum;
                    }
                }
                try (Tensor gHost = Tensor.of(g, logits.shape(), Device.CPU);
                        Tensor gl = gHost.to(logits.device(), logits.dtype());
                        Tensor gx = net.backwardToInput(gl);
                        Tensor gxd = gx.to(x.device(), x.dtype());
                        Tensor gView = gxd.reshape(x.shape())) {
                    Ops.combine(gradOut, a, gView); // ∇_x = a·∇_{x_vp}
                }
                return logP;
            }
        }
    }
}
