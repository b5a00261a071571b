package io.sedm.runtime;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.function.Function;

/**
 * A native tensor (CPU or CUDA) owned through one {@code sedm_tensor} handle. Contiguous,
 * row-major; dimension 0 is the batch. Close it (try-with-resources) to free it; closing twice
 * is harmless, any other use after close throws {@link IllegalStateException}.
 *
 * <p>Tensors stay where they live: nothing here copies data through the Java heap except the
 * explicit {@code toXxxArray}/{@code copyTo} calls.
 */
public final class Tensor implements AutoCloseable {
    static {
        NativeLibrary.ensureLoaded();
    }

    private final NativeHandle handle;
    private final long[] shape;
    private final DType dtype;
    private final Device device;
    /** A wrapped host segment, kept reachable for as long as this tensor lives. */
    private final MemorySegment wrapped;

    private Tensor(MemorySegment address, MemorySegment wrapped) {
        this.handle = new NativeHandle(this, "Tensor", address, Sedm::sedm_tensor_destroy);
        this.wrapped = wrapped;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i32 = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment i32b = arena.allocate(ValueLayout.JAVA_INT);
            Status.check(Sedm.sedm_tensor_ndim(address, i32));
            int ndim = i32.get(ValueLayout.JAVA_INT, 0);
            MemorySegment dims = arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, ndim));
            Status.check(Sedm.sedm_tensor_shape(address, dims, ndim));
            this.shape = dims.asSlice(0, 8L * ndim).toArray(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_tensor_dtype(address, i32));
            this.dtype = DType.ofCode(i32.get(ValueLayout.JAVA_INT, 0));
            Status.check(Sedm.sedm_tensor_device(address, i32, i32b));
            this.device = Device.of(i32.get(ValueLayout.JAVA_INT, 0), i32b.get(ValueLayout.JAVA_INT, 0));
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** Adopts a handle returned through an out-pointer. */
    static Tensor adopt(MemorySegment outPointer) {
        return new Tensor(outPointer.get(ValueLayout.ADDRESS, 0), null);
    }

    // ---- creation ------------------------------------------------------------------------

    /** A new tensor with uninitialised contents. */
    public static Tensor empty(long[] shape, DType dtype, Device device) {
        return create(shape, dtype, device, false);
    }

    /** A new tensor of zeros. */
    public static Tensor zeros(long[] shape, DType dtype, Device device) {
        return create(shape, dtype, device, true);
    }

    private static Tensor create(long[] shape, DType dtype, Device device, boolean zero) {
        Shapes.validate(shape);
        requireNonNull(dtype, "dtype");
        requireNonNull(device, "device");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_tensor_create(
                    arena.allocateFrom(ValueLayout.JAVA_LONG, shape),
                    shape.length,
                    dtype.code(),
                    device.typeCode(),
                    device.index(),
                    zero,
                    MemorySegment.NULL,
                    out));
            return adopt(out);
        }
    }

    /**
     * Wraps host memory as a CPU tensor without copying: native writes are visible through
     * {@code segment} and vice versa. The segment's arena owns the memory and must outlive the
     * tensor (close the tensor first).
     */
    public static Tensor wrap(MemorySegment segment, long[] shape, DType dtype) {
        requireNonNull(segment, "segment");
        Shapes.validate(shape);
        requireNonNull(dtype, "dtype");
        if (!segment.isNative()) {
            throw new IllegalArgumentException(
                    "only native (off-heap) segments can be wrapped; this one is on the heap");
        }
        long need = Shapes.numel(shape) * dtype.byteSize();
        if (segment.byteSize() != need) {
            throw new IllegalArgumentException("segment holds " + segment.byteSize() + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + need);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_tensor_wrap_host(
                    segment,
                    segment.byteSize(),
                    arena.allocateFrom(ValueLayout.JAVA_LONG, shape),
                    shape.length,
                    dtype.code(),
                    out));
            return new Tensor(out.get(ValueLayout.ADDRESS, 0), segment);
        }
    }

    /** A float32 tensor on {@code device} holding a copy of {@code data}. */
    public static Tensor of(float[] data, long[] shape, Device device) {
        Shapes.requireNumel(shape, data.length);
        return filled(shape, DType.FLOAT32, device, arena -> arena.allocateFrom(ValueLayout.JAVA_FLOAT, data));
    }

    /** A float64 tensor on {@code device} holding a copy of {@code data}. */
    public static Tensor of(double[] data, long[] shape, Device device) {
        Shapes.requireNumel(shape, data.length);
        return filled(shape, DType.FLOAT64, device, arena -> arena.allocateFrom(ValueLayout.JAVA_DOUBLE, data));
    }

    /** A new tensor filled from the host segment {@code host} allocates in a call-scoped arena. */
    private static Tensor filled(long[] shape, DType dtype, Device device, Function<Arena, MemorySegment> host) {
        Tensor t = empty(shape, dtype, device);
        try (Arena arena = Arena.ofConfined()) {
            t.copyFrom(host.apply(arena));
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    // ---- queries ---------------------------------------------------------------------------

    public long[] shape() {
        checkOpen();
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    /** Size of dimension 0 (the batch). */
    public long batchSize() {
        checkOpen();
        if (shape.length == 0) {
            throw new IllegalStateException("a 0-dimensional tensor has no batch dimension");
        }
        return shape[0];
    }

    public DType dtype() {
        checkOpen();
        return dtype;
    }

    public Device device() {
        checkOpen();
        return device;
    }

    public long numel() {
        checkOpen();
        return Shapes.numel(shape);
    }

    public long byteSize() {
        return numel() * dtype.byteSize();
    }

    /** Address of the first element (host or device memory). */
    public long dataAddress() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_tensor_data_ptr(address(), out));
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    /** The native handle; for the runtime layer and samplers' downcalls. */
    public MemorySegment address() {
        return handle.address();
    }

    // ---- copies ----------------------------------------------------------------------------

    /** Copies {@code byteSize()} bytes from host memory into this tensor. */
    public void copyFrom(MemorySegment host) {
        Status.check(Sedm.sedm_tensor_copy_from_host(address(), host, host.byteSize(), MemorySegment.NULL));
    }

    /** Copies this tensor into host memory of exactly {@code byteSize()} bytes. */
    public void copyTo(MemorySegment host) {
        Status.check(Sedm.sedm_tensor_copy_to_host(address(), host, host.byteSize(), MemorySegment.NULL));
    }

    /** Copies {@code src} (same shape; dtype and device may differ) into this tensor. */
    public void copyFrom(Tensor src) {
        Status.check(Sedm.sedm_tensor_copy(address(), src.address(), MemorySegment.NULL));
    }

    /** A new tensor with this one's contents on {@code device} as {@code dtype}. */
    public Tensor to(Device device, DType dtype) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_tensor_to(
                    address(), device.typeCode(), device.index(), dtype.code(), MemorySegment.NULL, out));
            return adopt(out);
        }
    }

    /** A copy with the same device and dtype. */
    public Tensor copy() {
        return to(device(), dtype());
    }

    /** The contents as float (converted from the tensor's dtype; copies to the host). */
    public float[] toFloatArray() {
        return hostArray(DType.FLOAT32, seg -> seg.toArray(ValueLayout.JAVA_FLOAT));
    }

    /** The contents as double (converted from the tensor's dtype; copies to the host). */
    public double[] toDoubleArray() {
        return hostArray(DType.FLOAT64, seg -> seg.toArray(ValueLayout.JAVA_DOUBLE));
    }

    /** Converts to {@code dtype} on the CPU, copies into a call-scoped segment and reads it out. */
    private <A> A hostArray(DType dtype, Function<MemorySegment, A> read) {
        try (Tensor host = to(Device.CPU, dtype);
                Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(dtype.layout(), host.numel());
            host.copyTo(seg);
            return read.apply(seg);
        }
    }

    public void fill(double value) {
        Status.check(Sedm.sedm_tensor_fill(address(), value, MemorySegment.NULL));
    }

    // ---- views -----------------------------------------------------------------------------

    /** A view with a new shape of the same element count, sharing storage. */
    public Tensor reshape(long... newShape) {
        Shapes.validate(newShape);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_tensor_reshape(
                    address(), arena.allocateFrom(ValueLayout.JAVA_LONG, newShape), newShape.length, out));
            return adopt(out);
        }
    }

    /** Samples [start, start + length) as a view sharing storage. */
    public Tensor slice(long start, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_tensor_slice(address(), start, length, out));
            return adopt(out);
        }
    }

    /** Same shape, dtype and device; uninitialised. */
    public Tensor emptyLike() {
        return empty(shape(), dtype(), device());
    }

    @Override
    public void close() {
        handle.close();
    }

    private void checkOpen() {
        handle.address();
    }

    private static void requireNonNull(Object o, String name) {
        if (o == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    @Override
    public String toString() {
        return handle.isClosed()
                ? "Tensor[closed]"
                : "Tensor" + Arrays.toString(shape) + "(" + dtype + ", " + device + ")";
    }
}
