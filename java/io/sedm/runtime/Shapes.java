package io.sedm.runtime;

import java.util.Arrays;

/** Shape checks done in Java before any downcall, with messages that name the problem. */
public final class Shapes {
    /** Same limit as SEDM_MAX_DIMS in sedm.h. */
    public static final int MAX_DIMS = 8;

    private Shapes() {}

    public static void validate(long[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        if (shape.length > MAX_DIMS) {
            throw new IllegalArgumentException("shape has " + shape.length + " dimensions; at most " + MAX_DIMS);
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(
                        "shape[" + i + "] must be >= 0, got " + shape[i] + " in " + Arrays.toString(shape));
            }
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    static void requireNumel(long[] shape, long length) {
        validate(shape);
        if (numel(shape) != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + numel(shape)
                    + " elements but the array has " + length);
        }
    }
}
