package io.sedm.runtime;

/** A native file operation failed: missing, unreadable or corrupt file. */
public final class NativeIoException extends SedmException {
    public NativeIoException(String message) {
        super(5, message);
    }
}
