package io.sedm.runtime;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Another program's network weights: an ordered list of named CPU tensors (one
 * {@code sedm_state_dict} handle), read from or written to the zip archive {@code torch.save}
 * writes (what {@code module.state_dict()} holds) or a safetensors file. The import of official
 * checkpoints ({@code io.sedm.imports}) reads one and maps its names onto a sedm network; export
 * fills one and saves it for {@code torch.load}. Reading never executes anything from the file:
 * only tensors are built (see {@code native/src/abi/import.cpp}).
 */
public final class StateDict implements AutoCloseable {
    static {
        NativeLibrary.ensureLoaded();
    }

    /** The file formats. */
    public enum Format {
        /** {@code torch.save}'s zip archive of a dict of tensors. */
        TORCH,
        /** huggingface safetensors. */
        SAFETENSORS;

        int code() {
            return this == TORCH ? Sedm.SEDM_STATE_DICT_TORCH() : Sedm.SEDM_STATE_DICT_SAFETENSORS();
        }

        /** SAFETENSORS for a {@code .safetensors} name, else TORCH. */
        public static Format of(Path file) {
            return file.getFileName().toString().endsWith(".safetensors") ? SAFETENSORS : TORCH;
        }
    }

    private final NativeHandle handle;

    private StateDict(MemorySegment address) {
        this.handle = new NativeHandle(this, "StateDict", address, Sedm::sedm_state_dict_destroy);
    }

    /** An empty state dict. */
    public static StateDict create() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_state_dict_create(out));
            return new StateDict(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /**
     * Reads every entry of {@code file}. Missing, truncated or corrupt files, legacy (pre-zip)
     * torch archives and entries that are not tensors throw {@link NativeIoException} naming the file.
     */
    public static StateDict load(Path file, Format format) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_state_dict_load(arena.allocateFrom(file.toString()), format.code(), out));
            return new StateDict(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** Writes every entry to {@code file} atomically. */
    public void save(Path file, Format format) {
        try (Arena arena = Arena.ofConfined()) {
            Status.check(Sedm.sedm_state_dict_save(address(), arena.allocateFrom(file.toString()), format.code()));
        }
    }

    public int size() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_state_dict_size(address(), out));
            return Math.toIntExact(out.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    /** The name of entry {@code index}. */
    public String name(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocate(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_state_dict_name(address(), index, MemorySegment.NULL, 0, len));
            long n = len.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment buf = arena.allocate(n + 1);
            Status.check(Sedm.sedm_state_dict_name(address(), index, buf, n + 1, len));
            return buf.getString(0);
        }
    }

    /** Every name, in the file's order. */
    public List<String> names() {
        int n = size();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(name(i));
        }
        return out;
    }

    /** A copy of entry {@code index} (CPU, the file's dtype). */
    public Tensor get(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_state_dict_get(address(), index, out));
            return Tensor.adopt(out);
        }
    }

    /** Sets entry {@code name} to a CPU copy of {@code value} (replacing one of that name). */
    public void put(String name, Tensor value) {
        try (Arena arena = Arena.ofConfined()) {
            Status.check(Sedm.sedm_state_dict_put(address(), arena.allocateFrom(name), value.address()));
        }
    }

    public MemorySegment address() {
        return handle.address();
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public void close() {
        handle.close();
    }
}
