package io.sedm.runtime;

/** A host or device allocation failed. Nothing was half-written; retry with a smaller batch. */
public final class DeviceOutOfMemoryException extends SedmException {
    public DeviceOutOfMemoryException(String message) {
        super(2, message);
    }
}
