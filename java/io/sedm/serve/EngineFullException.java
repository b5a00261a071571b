package io.sedm.serve;

import java.util.concurrent.RejectedExecutionException;

/** A submission the engine refused: its queue is full or it is shutting down. */
public final class EngineFullException extends RejectedExecutionException {
    private final long retryAfterSeconds;

    public EngineFullException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A hint for the client: roughly when the queue has room again (HTTP Retry-After). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
