package io.sedm.runtime;

import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.ValueLayout;

/**
 * Element types a native tensor can hold; codes are the {@code SEDM_DTYPE_*} constants, read
 * from the generated bindings (reading them loads no native library).
 */
public enum DType {
    FLOAT32(Sedm.SEDM_DTYPE_FLOAT32(), 4),
    FLOAT64(Sedm.SEDM_DTYPE_FLOAT64(), 8),
    INT64(Sedm.SEDM_DTYPE_INT64(), 8),
    INT32(Sedm.SEDM_DTYPE_INT32(), 4),
    UINT8(Sedm.SEDM_DTYPE_UINT8(), 1),
    BFLOAT16(Sedm.SEDM_DTYPE_BFLOAT16(), 2),
    FLOAT16(Sedm.SEDM_DTYPE_FLOAT16(), 2);

    private final int code;
    private final int byteSize;

    DType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    public int code() {
        return code;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Whether samplers can compute in this type (the solver-step kernel takes these two). */
    public boolean isSolverReal() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public static DType ofCode(int code) {
        for (DType d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype code " + code);
    }

    /** Java layout of one element, for the types Java has a layout for. */
    public ValueLayout layout() {
        return switch (this) {
            case FLOAT32 -> ValueLayout.JAVA_FLOAT;
            case FLOAT64 -> ValueLayout.JAVA_DOUBLE;
            case INT64 -> ValueLayout.JAVA_LONG;
            case INT32 -> ValueLayout.JAVA_INT;
            case UINT8 -> ValueLayout.JAVA_BYTE;
            case BFLOAT16, FLOAT16 -> ValueLayout.JAVA_SHORT;
        };
    }
}
