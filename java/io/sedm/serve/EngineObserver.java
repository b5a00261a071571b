package io.sedm.serve;

/**
 * What the engine reports as it works (the serve command binds it to Micrometer). Called on the
 * scheduler thread, except {@link #rejected}, which runs on the submitting thread; keep it cheap.
 */
public interface EngineObserver {
    EngineObserver NONE = new EngineObserver() {};

    /** One denoiser evaluation over {@code rows} rows (capacity {@code maxRows}) took {@code nanos}. */
    default void evaluation(int rows, int maxRows, long nanos) {}

    /** A request finished: {@code images} images, {@code queuedNanos} in the queue, {@code totalNanos} in all. */
    default void completed(int images, long queuedNanos, long totalNanos) {}

    /** A submission was refused (queue full, shutting down). */
    default void rejected(String reason) {}

    /** An accepted request was cancelled (by its caller or by shutdown). */
    default void cancelled(String reason) {}

    /** An accepted request passed its deadline. */
    default void timedOut() {}

    /** An accepted request failed (a model error, a diverged sample). */
    default void failed(Throwable cause) {}
}
