package io.sedm.dist;

import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import io.sedm.runtime.NativeHandle;
import io.sedm.runtime.Network;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Data-parallel gradients of one network ({@code sedm_dist_reducer}): its parameters are packed in
 * buckets of about {@code bucketBytes} in reverse registration order (the order backward produces
 * them, as PyTorch DDP does). {@link #finish()} leaves every parameter gradient equal to the mean
 * over the ranks, accumulation rounds included.
 *
 * <p>What overlaps: after {@link #arm()}, the next backward launches each bucket's asynchronous
 * all-reduce from the gradient hooks as soon as its last gradient is ready, so communication runs
 * on c10d's threads while backward goes on through the earlier layers; buckets also overlap each
 * other. What does not: the optimizer step waits for all of them ({@link #finish()}), and nothing is
 * launched during the earlier rounds of gradient accumulation (their gradients are only summed
 * locally, like DDP's {@code no_sync}).
 */
public final class GradientReducer implements AutoCloseable {
    /** PyTorch DDP's default bucket size. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final NativeHandle handle;

    private GradientReducer(MemorySegment address) {
        this.handle = new NativeHandle(this, "GradientReducer", address, Sedm::sedm_dist_reducer_destroy);
    }

    static GradientReducer create(ProcessGroup group, Network net, long bucketBytes) {
        if (bucketBytes < 1) throw new IllegalArgumentException("bucketBytes must be >= 1, got " + bucketBytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_dist_reducer_create(group.address(), net.address(), bucketBytes, out));
            return new GradientReducer(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** The next backward launches the buckets' all-reduces as their gradients become ready. */
    public void arm() {
        Status.check(Sedm.sedm_dist_reducer_arm(handle.address()));
    }

    /**
     * Launches what is left, waits, and writes the means into the gradients; returns how many buckets
     * the armed backward had launched before this call (the overlapped ones).
     */
    public int finish() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment early = arena.allocate(ValueLayout.JAVA_INT);
            Status.check(Sedm.sedm_dist_reducer_finish(handle.address(), early));
            return early.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public int bucketCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            Status.check(Sedm.sedm_dist_reducer_bucket_count(handle.address(), out));
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
