package io.sedm.cli;

import io.sedm.runtime.Device;
import io.sedm.runtime.Tensor;
import io.sedm.serve.RowLabels;

/**
 * The class labels of a class-conditional run: one class per seed, either the one {@code --class}
 * names for every seed or, as EDM's generate.py does, a random class drawn from the seed's own
 * generator ({@code rnd.randint(label_dim)} there; here the seed's Philox stream at
 * {@link #OFFSET}, far from the latents' and the churn noise's draws, so the class of seed i
 * depends only on i). {@link #select} sets the one-hot labels [B, label_dim] of the batch being
 * sampled; the denoiser and a conditional discriminator read them through {@link #current}.
 */
final class ClassLabels implements AutoCloseable {
    /** The Philox counter offset of the class draw (2^60: beyond any run's latent and churn draws). */
    static final long OFFSET = RowLabels.CLASS_OFFSET;

    private final int labelDim;
    private final Integer fixedClass;
    /** The one-hot tensor of the current batch (the serving engine's row labels, one per sample). */
    private final RowLabels rows;

    ClassLabels(int labelDim, Integer fixedClass, Device device) {
        if (labelDim < 1) {
            throw new IllegalArgumentException("labelDim must be >= 1, got " + labelDim);
        }
        if (fixedClass != null && (fixedClass < 0 || fixedClass >= labelDim)) {
            throw new IllegalArgumentException("--class " + fixedClass + " is out of range: the model has " + labelDim
                    + " classes [0, " + (labelDim - 1) + "]");
        }
        this.labelDim = labelDim;
        this.fixedClass = fixedClass;
        this.rows = new RowLabels(labelDim, device);
    }

    /** The class of each seed. */
    int[] classes(long[] seeds) {
        int[] out = new int[seeds.length];
        if (fixedClass != null) {
            java.util.Arrays.fill(out, fixedClass);
            return out;
        }
        return RowLabels.randomClasses(seeds, labelDim);
    }

    /** Makes the one-hot labels of {@code seeds} current. */
    void select(long[] seeds) {
        use(classes(seeds));
    }

    /** Makes the one-hot labels of the classes {@code c} current. */
    void use(int[] c) {
        rows.select(c);
    }

    /** The labels of the current batch. */
    Tensor current() {
        return rows.get();
    }

    @Override
    public void close() {
        rows.close();
    }
}
