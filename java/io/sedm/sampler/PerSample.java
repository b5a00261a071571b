package io.sedm.sampler;

import java.util.Arrays;

/** Per-sample arrays: σ per sample, and the term-major coefficient rows of a many-term {@code Ops.combine}. */
final class PerSample {
    private PerSample() {}

    /** Per-sample rows, one per term, concatenated term-major. */
    static double[] rows(double[]... perTerm) {
        int batch = perTerm[0].length;
        double[] out = new double[batch * perTerm.length];
        for (int k = 0; k < perTerm.length; k++) {
            if (perTerm[k].length != batch) {
                throw new IllegalArgumentException(
                        "coefficient row " + k + " has " + perTerm[k].length + " values, expected " + batch);
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
