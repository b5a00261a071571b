package io.sedm.runtime;

/** The CUDA runtime reported an error (asynchronous faults surface at the next synchronising call). */
public final class CudaException extends SedmException {
    public CudaException(String message) {
        super(3, message);
    }
}
