package io.sedm.runtime;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Counter-based (Philox-4x32-10) random draws with one seed per sample: row {@code b} of every
 * draw depends only on {@code seeds[b]} and the generator's offset, never on the batch size,
 * the other rows or the device. So image {@code i} is the same whether it is drawn alone or in
 * a batch of 64, on the CPU or on a GPU (EDM's "one generator per seed", made cheap).
 *
 * <p>Each draw advances the offset by the per-sample element count (rounded up to a whole
 * Philox block), so successive draws are independent.
 */
public final class Generator implements AutoCloseable {
    static {
        NativeLibrary.ensureLoaded();
    }

    private final NativeHandle handle;
    private final int count;

    private Generator(MemorySegment address, int count) {
        this.handle = new NativeHandle(this, "Generator", address, Sedm::sedm_generator_destroy);
        this.count = count;
    }

    /** A generator for samples seeded {@code seeds[0], seeds[1], ...}, at offset 0. */
    public static Generator ofSeeds(long... seeds) {
        return ofSeeds(seeds, 0L);
    }

    public static Generator ofSeeds(long[] seeds, long offset) {
        if (seeds == null) {
            throw new IllegalArgumentException("seeds must not be null");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment s = arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, seeds.length));
            MemorySegment.copy(seeds, 0, s, ValueLayout.JAVA_LONG, 0, seeds.length);
            Status.check(Sedm.sedm_generator_create(s, seeds.length, offset, out));
            return new Generator(out.get(ValueLayout.ADDRESS, 0), seeds.length);
        }
    }

    /** Seeds {@code first, first + 1, ..., first + n - 1}. */
    public static Generator ofSeedRange(long first, int n) {
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = first + i;
        }
        return ofSeeds(seeds);
    }

    /** Number of seeds (= the batch size this generator fills). */
    public int count() {
        handle.address();
        return count;
    }

    public long offset() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_generator_offset(handle.address(), out));
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    public void setOffset(long offset) {
        Status.check(Sedm.sedm_generator_set_offset(handle.address(), offset));
    }

    /** Fills {@code out} ([count, ...], float32/float64, any device) with N(0, 1) draws. */
    public void normal(Tensor out) {
        Status.check(Sedm.sedm_generator_normal(handle.address(), out.address(), MemorySegment.NULL));
    }

    /** Fills {@code out} with U[0, 1) draws. */
    public void uniform(Tensor out) {
        Status.check(Sedm.sedm_generator_uniform(handle.address(), out.address(), MemorySegment.NULL));
    }

    /** A new tensor of N(0, 1) draws. */
    public Tensor normal(long[] shape, DType dtype, Device device) {
        Tensor t = Tensor.empty(shape, dtype, device);
        try {
            normal(t);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public void close() {
        handle.close();
    }
}
