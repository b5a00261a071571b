package io.sedm.runtime;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import io.sedm.ffi.bindings.sedm_memory_stats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A compute device: the CPU or CUDA device {@code index}. A value, not a handle: nothing native
 * is owned, so it is a record rather than an {@code AutoCloseable}.
 *
 * @param type  CPU or CUDA
 * @param index CUDA ordinal (0 for the CPU)
 */
public record Device(Type type, int index) {
    public enum Type {
        CPU,
        CUDA
    }

    public static final Device CPU = new Device(Type.CPU, 0);

    public Device {
        if (type == null) {
            throw new IllegalArgumentException("device type must not be null");
        }
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
        if (type == Type.CPU && index != 0) {
            throw new IllegalArgumentException("the CPU device has index 0, got " + index);
        }
    }

    public static Device cuda(int index) {
        return new Device(Type.CUDA, index);
    }

    /** Parses {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public static Device parse(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, got '" + text + "'");
    }

    int typeCode() {
        return type == Type.CPU ? Sedm.SEDM_DEVICE_CPU() : Sedm.SEDM_DEVICE_CUDA();
    }

    static Device of(int typeCode, int index) {
        return typeCode == Sedm.SEDM_DEVICE_CUDA() ? cuda(index) : CPU;
    }

    public boolean isCuda() {
        return type == Type.CUDA;
    }

    /** Number of CUDA devices this build of libsedm can use (0 on a CPU build). */
    public static int cudaDeviceCount() {
        NativeLibrary.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            Status.check(Sedm.sedm_cuda_device_count(out));
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Waits for all work queued on this device's current stream. Surfaces asynchronous faults. */
    public void synchronize() {
        NativeLibrary.ensureLoaded();
        Status.check(Sedm.sedm_synchronize(typeCode(), index, MemorySegment.NULL));
    }

    /** "cpu" or the CUDA device's marketing name. */
    public String name() {
        NativeLibrary.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            Status.check(Sedm.sedm_device_name(typeCode(), index, buf, 256));
            return buf.getString(0);
        }
    }

    /** Allocator statistics (all zero / -1 for the CPU). */
    public MemoryStats memoryStats() {
        NativeLibrary.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = sedm_memory_stats.allocate(arena);
            sedm_memory_stats.version(s, 1);
            Status.check(Sedm.sedm_memory_stats_get(typeCode(), index, s));
            return new MemoryStats(
                    sedm_memory_stats.allocated_bytes(s),
                    sedm_memory_stats.reserved_bytes(s),
                    sedm_memory_stats.peak_allocated_bytes(s),
                    sedm_memory_stats.device_free_bytes(s),
                    sedm_memory_stats.device_total_bytes(s));
        }
    }

    /** Device memory figures in bytes; -1 where the device has none (the CPU). */
    public record MemoryStats(long allocated, long reserved, long peakAllocated, long deviceFree, long deviceTotal) {}

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
