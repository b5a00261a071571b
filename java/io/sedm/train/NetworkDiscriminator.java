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
    private final double trunkTimeScale;
    private final double headTimeScale;

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
        this.trunkTimeScale = timeScale(trunk);
        this.headTimeScale = timeScale(head);
    }

    /** The encoder's {@code time_scale} (999 for ADM / DG), 0 for a network without one. */
    private static double timeScale(Network net) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(net.config())
                    .path("time_scale")
                    .asDouble(0);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return 0;
        }
    }

    /**
     * The noise labels that give the encoder DG's float32 times. DG multiplies τ by 999 in float64
     * and only then casts to float32 (guided_diffusion unet.py EncoderUNetModel.forward,
     * nn.timestep_embedding); the encoder receives float32 labels and multiplies them by its
     * {@code time_scale} in float32. For each τ this picks the float32 label f nearest τ whose
     * float32 product with the scale is float32(scale·τ), so both sides embed the same float32
     * time (a last-bit difference there is a ~1e−5 relative change of the guidance gradient);
     * where no float32 label has that product, τ itself.
     */
    static double[] float32Labels(double[] tau, double scale) {
        double[] out = tau.clone();
        float s = (float) scale;
        if (scale == 0 || s != scale) {
            return out;
        }
        for (int b = 0; b < tau.length; b++) {
            float target = (float) (scale * tau[b]);
            float f = (float) tau[b];
            for (int k = 0; k <= 4; k++) {
                float up = f, down = f;
                for (int j = 0; j < k; j++) {
                    up = Math.nextUp(up);
                    down = Math.nextDown(down);
                }
                if (s * up == target) {
                    out[b] = up;
                    break;
                }
                if (s * down == target) {
                    out[b] = down;
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public double[] logitAndGradient(Tensor xVp, double[] tau, Tensor gradOut) {
        int batch = Math.toIntExact(xVp.batchSize());
        if (tau.length != batch) {
            throw new IllegalArgumentException("tau must hold one value per sample (" + batch + "), got " + tau.length);
        }
        try (Tensor feats = trunk.forward(xVp, float32Labels(tau, trunkTimeScale), null, true);
                Tensor logit = head.forward(feats, float32Labels(tau, headTimeScale), classLabels.get(), true)) {
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
        try (Tensor feats = trunk.forward(xVp, float32Labels(tau, trunkTimeScale), null, false);
                Tensor logit = head.forward(feats, float32Labels(tau, headTimeScale), classLabels.get(), false)) {
            return logit.toDoubleArray();
        }
    }
}
