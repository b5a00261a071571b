package io.sedm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorTest {

    @Test
    void hostRoundTripKeepsEveryValueAndTheMetadata() {
        double[] data = new SplittableRandom(1).doubles(2 * 3 * 4).toArray();
        try (Tensor t = Tensor.of(data, new long[] {2, 3, 4}, Device.CPU)) {
            assertThat(t.shape()).containsExactly(2, 3, 4);
            assertThat(t.dtype()).isEqualTo(DType.FLOAT64);
            assertThat(t.device()).isEqualTo(Device.CPU);
            assertThat(t.numel()).isEqualTo(24);
            assertThat(t.toDoubleArray()).containsExactly(data);
        }
    }

    @Test
    void float32RoundTripAndConversionToFloat64AreExact() {
        float[] data = {1.5f, -2.25f, 3.0e-8f, Float.MAX_VALUE, -0.0f, 7f};
        try (Tensor t = Tensor.of(data, new long[] {3, 2}, Device.CPU);
                Tensor d = t.to(Device.CPU, DType.FLOAT64)) {
            assertThat(t.toFloatArray()).containsExactly(data);
            double[] widened = d.toDoubleArray();
            for (int i = 0; i < data.length; i++) {
                assertThat(widened[i]).isEqualTo((double) data[i]);
            }
        }
    }

    @Test
    void wrappedSegmentIsSharedNotCopied() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(ValueLayout.JAVA_FLOAT, 6);
            try (Tensor t = Tensor.wrap(seg, new long[] {2, 3}, DType.FLOAT32)) {
                // the tensor's storage is the segment itself
                assertThat(t.dataAddress()).isEqualTo(seg.address());
                // a native write shows through the Java segment...
                t.fill(4.5);
                assertThat(seg.toArray(ValueLayout.JAVA_FLOAT)).containsOnly(4.5f);
                // ...and a Java write shows through the native tensor
                seg.setAtIndex(ValueLayout.JAVA_FLOAT, 5, -1f);
                assertThat(t.toFloatArray()[5]).isEqualTo(-1f);
                // the fused kernel writes in place into the wrapped memory
                Ops.combine(t, new double[] {2.0, 3.0}, t);
                assertThat(seg.getAtIndex(ValueLayout.JAVA_FLOAT, 0)).isEqualTo(9f);
                assertThat(seg.getAtIndex(ValueLayout.JAVA_FLOAT, 5)).isEqualTo(-3f);
            }
        }
    }

    @Test
    void wrapRejectsASegmentOfTheWrongSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(ValueLayout.JAVA_FLOAT, 5);
            assertThatThrownBy(() -> Tensor.wrap(seg, new long[] {2, 3}, DType.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("20 bytes")
                    .hasMessageContaining("needs 24");
        }
    }

    @Test
    void viewsShareStorage() {
        try (Tensor t = Tensor.zeros(new long[] {4, 6}, DType.FLOAT32, Device.CPU);
                Tensor rows = t.slice(1, 2);
                Tensor flat = t.reshape(24)) {
            rows.fill(1);
            float[] all = flat.toFloatArray();
            for (int i = 0; i < 24; i++) {
                assertThat(all[i]).isEqualTo(i >= 6 && i < 18 ? 1f : 0f);
            }
            assertThat(rows.shape()).containsExactly(2, 6);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = DType.class,
            names = {"FLOAT32", "FLOAT64", "INT64", "INT32", "UINT8", "BFLOAT16", "FLOAT16"})
    void everyDtypeCanBeCreatedAndQueried(DType dtype) {
        try (Tensor t = Tensor.zeros(new long[] {3, 5}, dtype, Device.CPU)) {
            assertThat(t.dtype()).isEqualTo(dtype);
            assertThat(t.byteSize()).isEqualTo(15L * dtype.byteSize());
        }
    }

    @Test
    void copyBetweenTensorsConvertsTheDtype() {
        try (Tensor src = Tensor.of(new double[] {1.25, -2.5}, new long[] {2}, Device.CPU);
                Tensor dst = Tensor.zeros(new long[] {2}, DType.FLOAT32, Device.CPU)) {
            dst.copyFrom(src);
            assertThat(dst.toFloatArray()).containsExactly(1.25f, -2.5f);
        }
    }

    @Test
    void sumOfSquaresPerSampleMatchesJava() {
        double[] data = new SplittableRandom(3).doubles(5 * 17, -2, 2).toArray();
        try (Tensor t = Tensor.of(data, new long[] {5, 17}, Device.CPU)) {
            double[] got = Ops.sumSquaresPerSample(t);
            for (int b = 0; b < 5; b++) {
                double expect = 0;
                for (int j = 0; j < 17; j++) {
                    expect += data[b * 17 + j] * data[b * 17 + j];
                }
                // same summation order in double on both sides: exact
                assertThat(got[b]).isEqualTo(expect);
            }
        }
    }
}
