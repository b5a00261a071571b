package io.sedm.serve;

import java.time.Duration;

/**
 * The engine's limits.
 *
 * @param maxRows          rows per network evaluation (the batch of one tick)
 * @param maxQueued        requests waiting for their first row to start; more are refused
 * @param maxImages        images per request
 * @param defaultDeadline  deadline of a request that names none
 * @param mode             {@link Mode#CONTINUOUS} (step-level) or {@link Mode#REQUEST_BATCHING} (the baseline)
 * @param maxBatchDelay    request batching only: how long the first queued request waits for the batch to fill
 */
public record EngineConfig(
        int maxRows, int maxQueued, int maxImages, Duration defaultDeadline, Mode mode, Duration maxBatchDelay) {

    /** How rows are scheduled. */
    public enum Mode {
        /**
         * Step-level continuous batching: every tick evaluates every row in flight once, each at its own
         * step; as soon as rows finish, rows of waiting requests take their slots.
         */
        CONTINUOUS,
        /**
         * Request-level dynamic batching (Triton's {@code max_queue_delay}/{@code preferred_batch_size},
         * DJL's {@code batchSize}/{@code maxBatchDelay}): whole requests are gathered up to
         * {@code maxRows} rows or {@code maxBatchDelay}, and the batch runs to completion before the
         * next one starts; slots of requests that finish early stay empty. A request is answered as
         * soon as its own rows are done (kinder than waiting for the batch).
         */
        REQUEST_BATCHING
    }

    public EngineConfig {
        if (maxRows < 1 || maxRows > 65536) {
            throw new IllegalArgumentException("maxRows must be in [1, 65536], got " + maxRows);
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be >= 1, got " + maxQueued);
        }
        if (maxImages < 1) {
            throw new IllegalArgumentException("maxImages must be >= 1, got " + maxImages);
        }
        if (defaultDeadline == null || defaultDeadline.isNegative() || defaultDeadline.isZero()) {
            throw new IllegalArgumentException("defaultDeadline must be positive, got " + defaultDeadline);
        }
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        if (maxBatchDelay == null || maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException("maxBatchDelay must be >= 0, got " + maxBatchDelay);
        }
    }

    /** Continuous batching, 64 rows, 256 queued requests, 64 images per request, 10 minutes deadline. */
    public static EngineConfig defaults() {
        return new EngineConfig(64, 256, 64, Duration.ofMinutes(10), Mode.CONTINUOUS, Duration.ofMillis(50));
    }

    public EngineConfig withMaxRows(int n) {
        return new EngineConfig(n, maxQueued, maxImages, defaultDeadline, mode, maxBatchDelay);
    }

    public EngineConfig withMaxQueued(int n) {
        return new EngineConfig(maxRows, n, maxImages, defaultDeadline, mode, maxBatchDelay);
    }

    public EngineConfig withMaxImages(int n) {
        return new EngineConfig(maxRows, maxQueued, n, defaultDeadline, mode, maxBatchDelay);
    }

    public EngineConfig withDefaultDeadline(Duration d) {
        return new EngineConfig(maxRows, maxQueued, maxImages, d, mode, maxBatchDelay);
    }

    /** Request-level batching with this delay. */
    public EngineConfig withRequestBatching(Duration delay) {
        return new EngineConfig(maxRows, maxQueued, maxImages, defaultDeadline, Mode.REQUEST_BATCHING, delay);
    }
}
