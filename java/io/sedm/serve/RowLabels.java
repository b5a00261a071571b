package io.sedm.serve;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The class labels of a class-conditional served model: the one-hot labels {@code [B, label_dim]} of
 * the rows being evaluated now. The engine {@link #select selects} the classes of the rows it
 * gathered into a batch right before the denoiser (and a conditional discriminator) evaluates them,
 * on its scheduler thread; the network reads them through {@link #get} (hand this object to
 * {@code NetworkDenoiser} / {@code NetworkDiscriminator} as their label supplier). So each row carries
 * its own class into a batch shared with rows of other classes.
 *
 * <p>Not thread-safe: only the engine's scheduler selects and evaluates.
 */
public final class RowLabels implements Supplier<Tensor>, AutoCloseable {
    /**
     * The Philox counter offset of EDM's random class per seed (2^60: beyond any run's latent and churn
     * draws), shared with {@code sedm sample}.
     */
    public static final long CLASS_OFFSET = 1L << 60;

    private final int labelDim;
    private final Device device;
    private Tensor current;
    private int[] currentClasses;

    public RowLabels(int labelDim, Device device) {
        if (labelDim < 1) {
            throw new IllegalArgumentException("a conditional model needs label_dim >= 1, got " + labelDim);
        }
        if (device == null) {
            throw new IllegalArgumentException("RowLabels needs a device");
        }
        this.labelDim = labelDim;
        this.device = device;
    }

    public int labelDim() {
        return labelDim;
    }

    /**
     * EDM's random class per seed ({@code rnd.randint(label_dim)} in generate.py, drawn from the seed's
     * own generator): here a uniform draw of the seed's Philox stream at {@link #CLASS_OFFSET}, so the
     * class of seed i depends only on i and {@code label_dim}. {@code sedm sample} uses the same draw.
     */
    public static int[] randomClasses(long[] seeds, int labelDim) {
        if (labelDim < 1) {
            throw new IllegalArgumentException("labelDim must be >= 1, got " + labelDim);
        }
        int[] out = new int[seeds.length];
        try (Generator g = Generator.ofSeeds(seeds, CLASS_OFFSET);
                Tensor u = Tensor.zeros(new long[] {seeds.length, 1}, DType.FLOAT64, Device.CPU)) {
            g.uniform(u);
            double[] v = u.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                out[i] = Math.min(labelDim - 1, (int) Math.floor(v[i] * labelDim));
            }
        }
        return out;
    }

    /** Makes the one-hot labels of {@code classes} (one per row of the next evaluation) current. */
    public void select(int[] classes) {
        if (current != null && Arrays.equals(classes, currentClasses)) {
            return;
        }
        float[] oneHot = new float[classes.length * labelDim];
        for (int i = 0; i < classes.length; i++) {
            int c = classes[i];
            if (c < 0 || c >= labelDim) {
                throw new IllegalArgumentException("class " + c + " is out of range: the model has " + labelDim
                        + " classes [0, " + (labelDim - 1) + "]");
            }
            oneHot[i * labelDim + c] = 1f;
        }
        Tensor next;
        try (Tensor host = Tensor.of(oneHot, new long[] {classes.length, labelDim}, Device.CPU)) {
            next = host.to(device, DType.FLOAT32);
        }
        close();
        current = next;
        currentClasses = classes.clone();
    }

    /** The labels of the rows being evaluated. */
    @Override
    public Tensor get() {
        if (current == null) {
            throw new IllegalStateException("no rows selected: the engine selects the labels before each evaluation");
        }
        return current;
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
            currentClasses = null;
        }
    }
}
