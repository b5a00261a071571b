package io.sedm.runtime;

/** A failure reported by libsedm, with its status code and the native message. */
public class SedmException extends RuntimeException {
    private final int status;

    public SedmException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The {@code sedm_status} code of the failing call. */
    public int status() {
        return status;
    }
}
