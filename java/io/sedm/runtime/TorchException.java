package io.sedm.runtime;

/** libtorch raised an error (c10::Error) inside libsedm. */
public final class TorchException extends SedmException {
    public TorchException(String message) {
        super(4, message);
    }
}
