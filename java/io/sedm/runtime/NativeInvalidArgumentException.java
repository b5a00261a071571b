package io.sedm.runtime;

/** A native call rejected its arguments (wrong shape, dtype, device, NULL handle, range). */
public final class NativeInvalidArgumentException extends SedmException {
    public NativeInvalidArgumentException(String message) {
        super(1, message);
    }
}
