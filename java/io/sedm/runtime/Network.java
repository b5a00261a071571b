package io.sedm.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A native network module (one {@code sedm_module} handle): the raw network F of a denoiser
 * (EDM's SongUNet/DDPM++, a toy MLP), or ADM's encoder as a classifier trunk, classifier or
 * discriminator head. The loss is never in here: callers build the inputs, call
 * {@link #forward}, compute dL/dF themselves and hand it to {@link #backward}.
 *
 * <p>The architecture is a JSON config (see {@code sedm_module_create} in sedm.h); parameter
 * names follow the reference implementations (e.g. {@code enc.32x32_block0.conv0.weight}).
 */
public final class Network implements AutoCloseable {
    static {
        NativeLibrary.ensureLoaded();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NativeHandle handle;
    private final Device device;

    /** Name, shape and kind of one named tensor. */
    public record TensorInfo(String name, long[] shape, boolean isParameter) {}

    private Network(MemorySegment address, Device device) {
        this.handle = new NativeHandle(this, "Network", address, Sedm::sedm_module_destroy);
        this.device = device;
    }

    /** Builds the network a JSON config describes, on {@code device}. */
    public static Network create(String configJson, Device device) {
        if (configJson == null || configJson.isBlank()) {
            throw new IllegalArgumentException("configJson must be a JSON object");
        }
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(
                    Sedm.sedm_module_create(arena.allocateFrom(configJson), device.typeCode(), device.index(), out));
            return new Network(out.get(ValueLayout.ADDRESS, 0), device);
        }
    }

    /** Seeds libtorch's global generators (dropout masks, initialisation). */
    public static void manualSeed(long seed) {
        NativeLibrary.ensureLoaded();
        Status.check(Sedm.sedm_manual_seed(seed));
    }

    public Device device() {
        handle.address();
        return device;
    }

    /** The resolved config JSON (every option including defaults). */
    public String config() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocate(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_module_config(address(), MemorySegment.NULL, 0, len));
            long n = len.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment buf = arena.allocate(n + 1);
            Status.check(Sedm.sedm_module_config(address(), buf, n + 1, len));
            return buf.getString(0);
        }
    }

    /**
     * {@code F(x; noiseLabels, classLabels, augmentLabels)}; {@code classLabels} and
     * {@code augmentLabels} may be null. With {@code keepGraph} the graph is kept for one
     * {@link #backward}. The result has the module's dtype and device.
     */
    public Tensor forward(Tensor x, Tensor noiseLabels, Tensor classLabels, Tensor augmentLabels, boolean keepGraph) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_module_forward(
                    address(),
                    x.address(),
                    noiseLabels.address(),
                    classLabels == null ? MemorySegment.NULL : classLabels.address(),
                    augmentLabels == null ? MemorySegment.NULL : augmentLabels.address(),
                    keepGraph,
                    MemorySegment.NULL,
                    out));
            return Tensor.adopt(out);
        }
    }

    /** {@link #forward} with one noise label per sample given as doubles. */
    public Tensor forward(Tensor x, double[] noiseLabels, Tensor classLabels, boolean keepGraph) {
        if (noiseLabels.length != x.batchSize()) {
            throw new IllegalArgumentException(
                    "noiseLabels must hold one value per sample (" + x.batchSize() + "), got " + noiseLabels.length);
        }
        try (Tensor labels = Tensor.of(noiseLabels, new long[] {noiseLabels.length}, Device.CPU)) {
            return forward(x, labels, classLabels, null, keepGraph);
        }
    }

    /** Back-propagates {@code dL/dF} through the kept graph; parameter gradients accumulate. */
    public void backward(Tensor gradOutput) {
        Status.check(
                Sedm.sedm_module_backward(address(), gradOutput.address(), MemorySegment.NULL, MemorySegment.NULL));
    }

    /** As {@link #backward}, returning {@code dL/dx} as well. */
    public Tensor backwardToInput(Tensor gradOutput) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_module_backward(address(), gradOutput.address(), MemorySegment.NULL, out));
            return Tensor.adopt(out);
        }
    }

    public void zeroGrad() {
        Status.check(Sedm.sedm_module_zero_grad(address(), MemorySegment.NULL));
    }

    /** Training mode enables dropout; modules start in training mode. */
    public void setTraining(boolean training) {
        Status.check(Sedm.sedm_module_set_training(address(), training));
    }

    public boolean isTraining() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_BOOLEAN);
            Status.check(Sedm.sedm_module_is_training(address(), out));
            return out.get(ValueLayout.JAVA_BOOLEAN, 0);
        }
    }

    /** Freezes (false) or unfreezes the parameters; input gradients work either way. */
    public void setRequiresGrad(boolean requiresGrad) {
        Status.check(Sedm.sedm_module_set_requires_grad(address(), requiresGrad));
    }

    /** Number of scalar parameters (buffers excluded). */
    public long parameterCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_module_parameter_count(address(), out));
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Every named tensor: parameters, then buffers, in registration order. */
    public List<TensorInfo> tensors() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_module_tensor_count(address(), count));
            long n = count.get(ValueLayout.JAVA_LONG, 0);
            List<TensorInfo> out = new ArrayList<>();
            MemorySegment name = arena.allocate(1024);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment ndim = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment shape = arena.allocate(ValueLayout.JAVA_LONG, 8);
            MemorySegment isParam = arena.allocate(ValueLayout.JAVA_BOOLEAN);
            for (long i = 0; i < n; i++) {
                Status.check(
                        Sedm.sedm_module_tensor_info(address(), i, name, name.byteSize(), len, ndim, shape, isParam));
                int d = ndim.get(ValueLayout.JAVA_INT, 0);
                out.add(new TensorInfo(
                        name.getString(0),
                        shape.asSlice(0, 8L * d).toArray(ValueLayout.JAVA_LONG),
                        isParam.get(ValueLayout.JAVA_BOOLEAN, 0)));
            }
            return out;
        }
    }

    /** A copy of the named tensor. */
    public Tensor get(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_module_get_tensor(address(), arena.allocateFrom(name), MemorySegment.NULL, out));
            return Tensor.adopt(out);
        }
    }

    /** Overwrites the named tensor (same shape). */
    public void set(String name, Tensor value) {
        try (Arena arena = Arena.ofConfined()) {
            Status.check(Sedm.sedm_module_set_tensor(
                    address(), arena.allocateFrom(name), value.address(), MemorySegment.NULL));
        }
    }

    /** Writes the weights as safetensors, atomically; {@code metadata} goes into __metadata__. */
    public void save(Path path, Map<String, String> metadata) {
        try (Arena arena = Arena.ofConfined()) {
            String meta = metadata == null ? null : JSON.writeValueAsString(metadata);
            Status.check(Sedm.sedm_module_save_safetensors(
                    address(),
                    arena.allocateFrom(path.toString()),
                    meta == null ? MemorySegment.NULL : arena.allocateFrom(meta)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("metadata cannot be written as JSON", e);
        }
    }

    /**
     * Loads weights from a safetensors file. Problems (missing, truncated or corrupt file, missing
     * tensors, shape mismatches; with {@code strict} also extra tensors) throw
     * {@link NativeIoException} with a message naming the file.
     */
    public void load(Path path, boolean strict) {
        try (Arena arena = Arena.ofConfined()) {
            Status.check(Sedm.sedm_module_load_safetensors(
                    address(), arena.allocateFrom(path.toString()), strict, MemorySegment.NULL));
        }
    }

    /** This module's tensors = {@code src}'s (same architecture). */
    public void copyFrom(Network src) {
        Status.check(Sedm.sedm_module_copy_parameters(address(), src.address(), MemorySegment.NULL));
    }

    /** EMA update: {@code this = model + beta·(this − model)} per parameter (EDM training_loop.py). */
    public void emaUpdate(Network model, double beta) {
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1], got " + beta);
        }
        Status.check(Sedm.sedm_module_ema_update(address(), model.address(), beta, MemorySegment.NULL));
    }

    /** The native handle, for the runtime layer's downcalls. */
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
