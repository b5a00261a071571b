package io.sedm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.NativeLoadException;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Every error path gives a Java exception naming the problem, and the JVM stays up. */
class ErrorPathTest {

    @Test
    void wrongShapeIsReportedWithBothShapes() {
        try (Tensor out = Tensor.zeros(new long[] {2, 3}, DType.FLOAT32, Device.CPU);
                Tensor other = Tensor.zeros(new long[] {2, 4}, DType.FLOAT32, Device.CPU)) {
            assertThatThrownBy(() -> Ops.combine(out, new double[] {1, 1, 1, 1}, out, other))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("terms[1] has shape [2, 4] but out has [2, 3]");
        }
    }

    @Test
    void wrongDtypeIsReported() {
        try (Tensor ints = Tensor.zeros(new long[] {2, 3}, DType.INT64, Device.CPU);
                Tensor f32 = Tensor.zeros(new long[] {2, 3}, DType.FLOAT32, Device.CPU);
                Tensor f64 = Tensor.zeros(new long[] {2, 3}, DType.FLOAT64, Device.CPU)) {
            assertThatThrownBy(() -> Ops.combine(ints, new double[] {1, 1}, ints))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("out must be float32 or float64");
            assertThatThrownBy(() -> Ops.combine(f32, new double[] {1, 1}, f64))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("terms[0] has dtype float64 but out has float32");
            try (Generator g = Generator.ofSeeds(1, 2)) {
                assertThatThrownBy(() -> g.normal(ints)).hasMessageContaining("must be float32 or float64");
            }
        }
    }

    @Test
    void coefficientAndBatchMismatchesAreCaughtInJavaAndNative() {
        try (Tensor out = Tensor.zeros(new long[] {3, 2}, DType.FLOAT64, Device.CPU);
                Generator g = Generator.ofSeeds(1, 2)) {
            assertThatThrownBy(() -> Ops.combine(out, new double[] {1, 2}, out))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("terms × batch = 1 × 3 = 3");
            assertThatThrownBy(() -> g.normal(out))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("out has 3 samples")
                    .hasMessageContaining("holds 2 seeds");
            assertThatThrownBy(() -> out.slice(2, 5)).hasMessageContaining("slice [2, 7) is outside [0, 3)");
            assertThatThrownBy(() -> out.reshape(4, 2)).hasMessageContaining("cannot reshape [3, 2]");
        }
    }

    @Test
    void invalidShapesAreRejectedBeforeAnyDowncall() {
        assertThatThrownBy(() -> Tensor.zeros(new long[] {2, -1}, DType.FLOAT32, Device.CPU))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shape[1] must be >= 0, got -1");
        assertThatThrownBy(() -> Tensor.of(new float[5], new long[] {2, 3}, Device.CPU))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds 6 elements but the array has 5");
    }

    @Test
    void nullHandlesAreRejectedByTheNativeSide() {
        NativeLibrary.ensureLoaded();
        int status = Sedm.sedm_tensor_fill(MemorySegment.NULL, 1.0, MemorySegment.NULL);
        assertThat(status).isEqualTo(Sedm.SEDM_ERR_INVALID_ARGUMENT());
        assertThat(Sedm.sedm_last_error().getString(0)).isEqualTo("sedm_tensor_fill: t is NULL");
        assertThatThrownBy(() -> Status.check(
                        Sedm.sedm_generator_normal(MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL)))
                .isInstanceOf(NativeInvalidArgumentException.class)
                .hasMessage("sedm_generator_normal: generator is NULL");
        Sedm.sedm_tensor_destroy(MemorySegment.NULL); // destroy accepts NULL
    }

    @Test
    void closedHandlesThrowIllegalStateAndCloseIsIdempotent() {
        Tensor t = Tensor.zeros(new long[] {2}, DType.FLOAT32, Device.CPU);
        t.close();
        t.close();
        assertThat(t.isClosed()).isTrue();
        assertThatThrownBy(t::toFloatArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Tensor is closed");
        assertThatThrownBy(() -> t.fill(1)).isInstanceOf(IllegalStateException.class);
        Generator g = Generator.ofSeeds(1);
        g.close();
        g.close();
        assertThatThrownBy(g::offset).isInstanceOf(IllegalStateException.class).hasMessage("Generator is closed");
        try (Tensor live = Tensor.zeros(new long[] {1, 2}, DType.FLOAT32, Device.CPU)) {
            assertThatThrownBy(() -> Ops.combine(live, new double[] {1, 1}, live, t))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void abiMismatchIsAClearLoadError() {
        NativeLibrary.checkAbi(Sedm.SEDM_ABI_VERSION(), Sedm.SEDM_ABI_VERSION());
        assertThat(NativeRuntime.abiVersion()).isEqualTo(Sedm.SEDM_ABI_VERSION());
        assertThatThrownBy(() -> NativeLibrary.checkAbi(Sedm.SEDM_ABI_VERSION() + 1, Sedm.SEDM_ABI_VERSION()))
                .isInstanceOf(NativeLoadException.class)
                .hasMessageContaining("libsedm ABI version " + (Sedm.SEDM_ABI_VERSION() + 1)
                        + " does not match the Java bindings' version " + Sedm.SEDM_ABI_VERSION());
    }

    @Test
    void impossibleAllocationIsAnOutOfMemoryErrorNotACrash() {
        // 2^25 × 2^25 floats = 4 PiB: no allocator can satisfy it
        assertThatThrownBy(() -> Tensor.empty(new long[] {1L << 25, 1L << 25}, DType.FLOAT32, Device.CPU))
                .isInstanceOf(DeviceOutOfMemoryException.class)
                .hasMessageContaining("out of memory");
        try (Tensor ok = Tensor.zeros(new long[] {4}, DType.FLOAT32, Device.CPU)) {
            assertThat(ok.toFloatArray()).containsOnly(0f); // the library still works afterwards
        }
    }

    @Test
    void cudaOnAMachineWithoutItIsUnsupportedNotACrash() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Device.cudaDeviceCount() == 0, "a GPU is present");
        assertThatThrownBy(() -> Tensor.zeros(new long[] {2}, DType.FLOAT32, Device.cuda(0)))
                .isInstanceOf(UnsupportedBuildException.class);
        assertThatThrownBy(() -> Device.cuda(0).synchronize()).isInstanceOf(UnsupportedBuildException.class);
    }

    @Test
    void statusCodesMapToTypedExceptions() {
        assertThat(Status.exceptionFor(1, "m")).isInstanceOf(NativeInvalidArgumentException.class);
        assertThat(Status.exceptionFor(2, "m")).isInstanceOf(DeviceOutOfMemoryException.class);
        assertThat(Status.exceptionFor(3, "m")).isInstanceOf(CudaException.class);
        assertThat(Status.exceptionFor(4, "m")).isInstanceOf(TorchException.class);
        assertThat(Status.exceptionFor(5, "m")).isInstanceOf(NativeIoException.class);
        assertThat(Status.exceptionFor(6, "m")).isInstanceOf(UnsupportedBuildException.class);
        assertThat(Status.exceptionFor(7, "m"))
                .isExactlyInstanceOf(SedmException.class)
                .hasMessageContaining("status 7");
    }

    @Test
    void errorMessagesAreThreadLocal() throws Exception {
        NativeLibrary.ensureLoaded();
        Sedm.sedm_tensor_fill(MemorySegment.NULL, 1.0, MemorySegment.NULL);
        String[] seen = new String[1];
        Thread other =
                Thread.ofPlatform().start(() -> seen[0] = Sedm.sedm_last_error().getString(0));
        other.join();
        assertThat(seen[0]).isEmpty();
        assertThat(Sedm.sedm_last_error().getString(0)).contains("t is NULL");
    }
}
