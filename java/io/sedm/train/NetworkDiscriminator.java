package io.sedm.train;

import io.sedm.guidance.Discriminator;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.util.function.Supplier;

/**
 * Discriminator Guidance's network discriminator (Kim et al. 2023; docs/ALGORITHMS.md §7.3–7.4): a
 * frozen noise-aware classifier trunk (ADM encoder) followed by the trained discriminator head,
 * both in eval mode. {@link #logitAndGradient} returns the head's pre-sigmoid logit ℓ per sample
 * and ∇_{x_vp} ℓ from one backward pass through head and trunk (the per-sample logits are
 * independent, so ∂(Σ_b ℓ_b)/∂x_vp holds every sample's own gradient).
 */
public final class NetworkDiscriminator implements Discriminator {
    private final Network trunk;
    private final Network head;
    private final Supplier<Tensor> classLabels;

    /** Takes the two networks as they are (the caller keeps ownership); puts both in eval mode, frozen. */
    public NetworkDiscriminator(Network trunk, Network head) {
        this(trunk, head, () -> null);
    }

    /**
     * As {@link #NetworkDiscriminator(Network, Network)} for a class-conditional head (DG's
     * {@code discriminator_250.pt}): {@code classLabels} supplies the one-hot labels [B, label_dim]
     * of the rows being evaluated (the head adds {@code label_emb[argmax]} to its time embedding).
     */
    public NetworkDiscriminator(Network trunk, Network head, Supplier<Tensor> classLabels) {
        this.trunk = trunk;
        this.head = head;
        this.classLabels = classLabels;
        trunk.setTraining(false);
        head.setTraining(false);
        trunk.setRequiresGrad(false);
        head.setRequiresGrad(false);
    }

    @Override
    public double[] logitAndGradient(Tensor xVp, double[] tau, Tensor gradOut) {
        int batch = Math.toIntExact(xVp.batchSize());
        if (tau.length != batch) {
            throw new IllegalArgumentException("tau must hold one value per sample (" + batch + "), got " + tau.length);
        }
        try (Tensor feats = trunk.forward(xVp, tau, null, true);
                Tensor logit = head.forward(feats, tau, classLabels.get(), true)) {
            double[] l = logit.toDoubleArray();
            double[] ones = new double[batch];
            java.util.Arrays.fill(ones, 1.0);
            try (Tensor gHost = Tensor.of(ones, logit.shape(), Device.CPU);
                    Tensor g = gHost.to(logit.device(), logit.dtype());
                    Tensor gFeats = head.backwardToInput(g);
                    Tensor gx = trunk.backwardToInput(gFeats);
                    Tensor gView = gx.reshape(gradOut.shape())) {
                gradOut.copyFrom(gView);
            }
            return l;
        }
    }

    /** The logits alone (no gradient). */
    public double[] logit(Tensor xVp, double[] tau) {
        try (Tensor feats = trunk.forward(xVp, tau, null, false);
                Tensor logit = head.forward(feats, tau, classLabels.get(), false)) {
            return logit.toDoubleArray();
        }
    }
}
