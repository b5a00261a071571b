package io.sedm.runtime;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fused per-sample operations samplers are built from. Java computes the coefficients (in
 * double precision, from the schedule); native applies them in one pass over the batch.
 */
public final class Ops {
    /** Same limit as SEDM_MAX_STEP_TERMS in sedm.h. */
    public static final int MAX_TERMS = io.sedm.ffi.bindings.Sedm.SEDM_MAX_STEP_TERMS();

    static {
        NativeLibrary.ensureLoaded();
    }

    private Ops() {}

    /**
     * {@code out[b] = Σ_k coefs[k·B + b] · terms[k][b]} for every sample b (B = batch size),
     * formed in double precision and rounded once. {@code out} may be one of the terms.
     *
     * @param coefs per-sample coefficients, term-major: {@code terms.length · B} values
     */
    public static void combine(Tensor out, double[] coefs, Tensor... terms) {
        if (terms.length < 1 || terms.length > MAX_TERMS) {
            throw new IllegalArgumentException("combine takes 1 to " + MAX_TERMS + " terms, got " + terms.length);
        }
        long batch = out.batchSize();
        if (coefs.length != terms.length * batch) {
            throw new IllegalArgumentException("coefs must hold terms × batch = " + terms.length + " × " + batch + " = "
                    + terms.length * batch + " values, got " + coefs.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ptrs = arena.allocate(ValueLayout.ADDRESS, terms.length);
            for (int k = 0; k < terms.length; k++) {
                if (terms[k] == null) {
                    throw new IllegalArgumentException("terms[" + k + "] must not be null");
                }
                ptrs.setAtIndex(ValueLayout.ADDRESS, k, terms[k].address());
            }
            MemorySegment c = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, coefs);
            Status.check(Sedm.sedm_step_combine(out.address(), terms.length, ptrs, c, MemorySegment.NULL));
        }
    }

    /** {@code out = a·x} with one scalar for every sample (same arithmetic as {@link #combine}). */
    public static void combine(Tensor out, double a, Tensor x) {
        combine(out, uniform(out, a), x);
    }

    /** {@code out = a·x + b·y} with scalars shared by every sample (same arithmetic as {@link #combine}). */
    public static void combine(Tensor out, double a, Tensor x, double b, Tensor y) {
        combine(out, uniform(out, a, b), x, y);
    }

    /** {@code out = a·x + b·y + c·z} with scalars shared by every sample. */
    public static void combine(Tensor out, double a, Tensor x, double b, Tensor y, double c, Tensor z) {
        combine(out, uniform(out, a, b, c), x, y, z);
    }

    /** {@code out[s] = a[s]·x[s] + b[s]·y[s]} with one coefficient per sample s and term. */
    public static void combine(Tensor out, double[] a, Tensor x, double[] b, Tensor y) {
        combine(out, rows(a, b), x, y);
    }

    /** {@code out[s] = a[s]·x[s] + b[s]·y[s] + c[s]·z[s]} with one coefficient per sample s and term. */
    public static void combine(Tensor out, double[] a, Tensor x, double[] b, Tensor y, double[] c, Tensor z) {
        combine(out, rows(a, b, c), x, y, z);
    }

    /** {@code out = a·x + b·y}: the two-term scalar {@link #combine}. */
    public static void axpby(Tensor out, double a, Tensor x, double b, Tensor y) {
        combine(out, a, x, b, y);
    }

    /** Term-major coefficients {@code [c_0 ×B, c_1 ×B, …]} for scalars shared by the batch of {@code out}. */
    private static double[] uniform(Tensor out, double... perTerm) {
        int batch = Math.toIntExact(out.batchSize());
        double[] coefs = new double[batch * perTerm.length];
        for (int k = 0; k < perTerm.length; k++) {
            java.util.Arrays.fill(coefs, k * batch, (k + 1) * batch, perTerm[k]);
        }
        return coefs;
    }

    /** Per-sample rows, one per term, concatenated term-major. */
    private static double[] rows(double[]... perTerm) {
        int batch = perTerm[0].length;
        double[] coefs = new double[batch * perTerm.length];
        for (int k = 0; k < perTerm.length; k++) {
            if (perTerm[k].length != batch) {
                throw new IllegalArgumentException(
                        "coefficient row " + k + " has " + perTerm[k].length + " values, expected " + batch);
            }
            System.arraycopy(perTerm[k], 0, coefs, k * batch, batch);
        }
        return coefs;
    }

    /** Per-sample Σ x² (double accumulation); waits for the result. */
    public static double[] sumSquaresPerSample(Tensor t) {
        int batch = Math.toIntExact(t.batchSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, batch));
            Status.check(Sedm.sedm_sum_squares_per_sample(t.address(), out, MemorySegment.NULL));
            return out.asSlice(0, 8L * batch).toArray(ValueLayout.JAVA_DOUBLE);
        }
    }

    /** Per-sample L2 norm √(Σ x²). */
    public static double[] l2NormPerSample(Tensor t) {
        double[] s = sumSquaresPerSample(t);
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.sqrt(s[i]);
        }
        return s;
    }
}
