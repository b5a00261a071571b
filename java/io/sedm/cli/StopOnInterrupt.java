package io.sedm.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT/SIGTERM) for a training loop: a JVM shutdown hook that asks the loop to stop at
 * the next step boundary and waits (up to {@code graceSeconds}) until the command has written its
 * checkpoint and printed how to resume. Closing it (normal end) removes the hook.
 */
final class StopOnInterrupt implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    StopOnInterrupt(String command, long graceSeconds) {
        hook = new Thread(
                () -> {
                    requested.set(true);
                    System.err.println("sedm " + command
                            + ": interrupted; stopping after the current step and writing a checkpoint "
                            + "(interrupt again to abandon it)");
                    try {
                        finished.await(graceSeconds, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "sedm-" + command + "-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether an interrupt asked the loop to stop. */
    boolean requested() {
        return requested.get();
    }

    /** For tests: behave as if interrupted. */
    void request() {
        requested.set(true);
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that finished is counted down
        }
    }
}
