package io.sedm.cli;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;

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
    static final long OFFSET = 1L << 60;

    private final int labelDim;
    private final Integer fixedClass;
    private final Device device;
    private Tensor current;

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
        this.device = device;
    }

    /** The class of each seed. */
    int[] classes(long[] seeds) {
        int[] out = new int[seeds.length];
        if (fixedClass != null) {
            java.util.Arrays.fill(out, fixedClass);
            return out;
        }
        try (Generator g = Generator.ofSeeds(seeds, OFFSET);
                Tensor u = Tensor.zeros(new long[] {seeds.length, 1}, DType.FLOAT64, Device.CPU)) {
            g.uniform(u);
            double[] v = u.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                out[i] = Math.min(labelDim - 1, (int) Math.floor(v[i] * labelDim));
            }
        }
        return out;
    }

    /** Makes the one-hot labels of {@code seeds} current. */
    void select(long[] seeds) {
        use(classes(seeds));
    }

    /** Makes the one-hot labels of the classes {@code c} current. */
    void use(int[] c) {
        float[] oneHot = new float[c.length * labelDim];
        for (int i = 0; i < c.length; i++) {
            oneHot[i * labelDim + c[i]] = 1f;
        }
        Tensor next;
        try (Tensor host = Tensor.of(oneHot, new long[] {c.length, labelDim}, Device.CPU)) {
            next = host.to(device, DType.FLOAT32);
        }
        if (current != null) {
            current.close();
        }
        current = next;
    }

    /** The labels of the current batch. */
    Tensor current() {
        if (current == null) {
            throw new IllegalStateException("no batch selected");
        }
        return current;
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
