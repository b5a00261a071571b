package io.sedm.serve;

import io.sedm.guidance.Discriminator;
import io.sedm.runtime.Device;
import io.sedm.sampler.Denoiser;
import java.util.Arrays;

/**
 * A model the engine serves: the denoiser, the discriminator Discriminator Guidance uses (null when
 * the model has none), the shape of one sample and the device both run on. The engine does not own
 * them; close them after the engine.
 *
 * @param name          the name requests use
 * @param denoiser      D(x; σ)
 * @param discriminator DG's discriminator, or null (then guided presets are refused)
 * @param sampleShape   the shape of one sample, e.g. {@code [1, 32, 32]}
 * @param device        where the rows live
 * @param labels        a class-conditional model's row labels, which its denoiser (and a conditional
 *                      discriminator) read as their label supplier; null for an unconditional model
 */
public record ServedModel(
        String name,
        Denoiser denoiser,
        Discriminator discriminator,
        long[] sampleShape,
        Device device,
        RowLabels labels) {
    public ServedModel {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a served model needs a name");
        }
        if (denoiser == null || sampleShape == null || sampleShape.length == 0 || device == null) {
            throw new IllegalArgumentException("model " + name + " needs a denoiser, a sample shape and a device");
        }
        for (long d : sampleShape) {
            if (d < 1) {
                throw new IllegalArgumentException(
                        "model " + name + ": sample shape " + Arrays.toString(sampleShape) + " has a dimension < 1");
            }
        }
        sampleShape = sampleShape.clone();
    }

    /** An unconditional model. */
    public ServedModel(String name, Denoiser denoiser, Discriminator discriminator, long[] sampleShape, Device device) {
        this(name, denoiser, discriminator, sampleShape, device, null);
    }

    /** The number of classes of a conditional model; 0 = unconditional. */
    public int labelDim() {
        return labels == null ? 0 : labels.labelDim();
    }

    /** Values per sample. */
    public long sampleSize() {
        return Arrays.stream(sampleShape).reduce(1, (a, b) -> a * b);
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }
}
