package io.sedm.runtime;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Library-wide facts of the loaded libsedm. */
public final class NativeRuntime {
    private NativeRuntime() {}

    /** libsedm, libtorch and CUDA versions. */
    public static String buildInfo() {
        NativeLibrary.ensureLoaded();
        return Sedm.sedm_build_info().getString(0);
    }

    public static int abiVersion() {
        NativeLibrary.ensureLoaded();
        return Sedm.sedm_abi_version();
    }

    /**
     * Native handles (tensors, generators, mixtures, modules, optimizers) created and not yet
     * destroyed: the leak counter.
     */
    public static long liveHandles() {
        NativeLibrary.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_live_handles(out));
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Sets libtorch's intra-op CPU thread count (process-wide); {@code n} from 1 up. */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + n);
        }
        NativeLibrary.ensureLoaded();
        Status.check(Sedm.sedm_set_num_threads(n));
    }

    /** libtorch's current intra-op CPU thread count. */
    public static int threads() {
        NativeLibrary.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            Status.check(Sedm.sedm_get_num_threads(out));
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }
}
