package io.sedm.sampler;

import io.sedm.runtime.Tensor;

/**
 * A class-conditional model {@code D(x; σ, y)} (EDM's {@code label_dim}; Ho &amp; Salimans,
 * "Classifier-Free Diffusion Guidance", 2022, §3): the labels are one-hot rows {@code [B, K]}, and
 * a zero row is the null label ∅, i.e. the unconditional model {@code D(x; σ) = D(x; σ, ∅)} that
 * label dropout trains (a network's label embedding of the zero vector; for an exact mixture the
 * mixture itself). Guidance wrappers ({@link ClassifierFreeGuidance}) turn it into a {@link Denoiser}.
 */
public interface ConditionalDenoiser extends SigmaRange {

    /**
     * Writes {@code D(x_b; σ_b, y_b)} into {@code out} for every row b.
     *
     * @param labels one row per sample {@code [B, K]}: one-hot, or all zeros for ∅
     */
    void denoise(Tensor x, double[] sigma, Tensor labels, Tensor out);

    /** K, the number of classes. */
    int labelDim();

    /** The class of each one-hot row of {@code labels} (its argmax); −1 for a zero row (∅). */
    static int[] classes(Tensor labels) {
        int batch = Math.toIntExact(labels.batchSize());
        int k = batch == 0 ? 0 : Math.toIntExact(labels.numel() / batch);
        double[] v = labels.toDoubleArray();
        int[] out = new int[batch];
        for (int b = 0; b < batch; b++) {
            out[b] = -1;
            double best = 0;
            for (int c = 0; c < k; c++) {
                if (v[b * k + c] > best) {
                    best = v[b * k + c];
                    out[b] = c;
                }
            }
        }
        return out;
    }
}
