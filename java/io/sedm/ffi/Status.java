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
        if (status != Sedm.SEDM_OK()) {
            throw exceptionFor(status, Sedm.sedm_last_error().getString(0));
        }
    }

    /**
     * The exception for a status code and message (public for tests of the mapping). The codes
     * are the generated {@code SEDM_ERR_*} constants; they are methods, not compile-time
     * constants, hence an if-chain rather than a switch.
     */
    public static SedmException exceptionFor(int status, String message) {
        if (status == Sedm.SEDM_ERR_INVALID_ARGUMENT()) {
            return new NativeInvalidArgumentException(message);
        } else if (status == Sedm.SEDM_ERR_OUT_OF_MEMORY()) {
            return new DeviceOutOfMemoryException(message);
        } else if (status == Sedm.SEDM_ERR_CUDA()) {
            return new CudaException(message);
        } else if (status == Sedm.SEDM_ERR_TORCH()) {
            return new TorchException(message);
        } else if (status == Sedm.SEDM_ERR_IO()) {
            return new NativeIoException(message);
        } else if (status == Sedm.SEDM_ERR_UNSUPPORTED()) {
            return new UnsupportedBuildException(message);
        }
        return new SedmException(status, "internal error in libsedm (status " + status + "): " + message);
    }
}
