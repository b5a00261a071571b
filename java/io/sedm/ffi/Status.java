package io.sedm.ffi;

import io.sedm.ffi.bindings.Sedm;
import io.sedm.runtime.CudaException;
import io.sedm.runtime.DeviceOutOfMemoryException;
import io.sedm.runtime.NativeInvalidArgumentException;
import io.sedm.runtime.NativeIoException;
import io.sedm.runtime.SedmException;
import io.sedm.runtime.TorchException;
import io.sedm.runtime.UnsupportedBuildException;

/**
 * The one checker every downcall's status goes through. It reads {@code sedm_last_error()} on
 * the calling thread (the native error slot is thread-local, so it must run on the thread that
 * made the failing call) and throws the typed exception for the status.
 */
public final class Status {
    private Status() {}

    /** Returns normally for {@code SEDM_OK}; otherwise throws with the native message. */
    public static void check(int status) {
        if (status != 0) {
            throw exceptionFor(status, Sedm.sedm_last_error().getString(0));
        }
    }

    /** The exception for a status code and message (public for tests of the mapping). */
    public static SedmException exceptionFor(int status, String message) {
        return switch (status) {
            case 1 -> new NativeInvalidArgumentException(message);
            case 2 -> new DeviceOutOfMemoryException(message);
            case 3 -> new CudaException(message);
            case 4 -> new TorchException(message);
            case 5 -> new NativeIoException(message);
            case 6 -> new UnsupportedBuildException(message);
            default -> new SedmException(status, "internal error in libsedm (status " + status + "): " + message);
        };
    }
}
