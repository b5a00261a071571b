package io.sedm.runtime;

/** The request is valid but this build of libsedm cannot do it (e.g. CUDA on a CPU build). */
public final class UnsupportedBuildException extends SedmException {
    public UnsupportedBuildException(String message) {
        super(6, message);
    }
}
