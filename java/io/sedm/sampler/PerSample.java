package io.sedm.sampler;

import java.util.Arrays;

/** Builds the term-major per-sample coefficient arrays that {@code Ops.combine} takes. */
final class PerSample {
    private PerSample() {}

    /** One coefficient per term, the same for every sample: {@code [c_0 ×B, c_1 ×B, ...]}. */
    static double[] uniform(int batch, double... perTerm) {
        double[] out = new double[batch * perTerm.length];
        for (int k = 0; k < perTerm.length; k++) {
            Arrays.fill(out, k * batch, (k + 1) * batch, perTerm[k]);
        }
        return out;
    }

    /** Per-sample rows, one per term, concatenated term-major. */
    static double[] rows(double[]... perTerm) {
        int batch = perTerm[0].length;
        double[] out = new double[batch * perTerm.length];
        for (int k = 0; k < perTerm.length; k++) {
            if (perTerm[k].length != batch) {
                throw new IllegalArgumentException("coefficient row " + k + " has " + perTerm[k].length + " values, expected " + batch);
            }
            System.arraycopy(perTerm[k], 0, out, k * batch, batch);
        }
        return out;
    }

    static double[] filled(int batch, double value) {
        double[] out = new double[batch];
        Arrays.fill(out, value);
        return out;
    }
}
