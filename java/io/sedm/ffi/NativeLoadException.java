package io.sedm.ffi;

/** libsedm could not be found or does not match the bindings. */
public final class NativeLoadException extends RuntimeException {
    public NativeLoadException(String message) {
        super(message);
    }

    public NativeLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
