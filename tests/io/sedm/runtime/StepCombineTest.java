package io.sedm.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fused solver-step kernel (CPU twin) against the same formula in pure Java. */
class StepCombineTest {

    static Stream<Arguments> cases() {
        // 24 random shapes × term counts × dtypes, fixed seeds so failures reproduce
        return IntStream.range(0, 24).mapToObj(i -> {
            SplittableRandom r = new SplittableRandom(100 + i);
            int ndim = 1 + r.nextInt(4);
            long[] shape = new long[ndim];
            for (int d = 0; d < ndim; d++) {
                shape[d] = 1 + r.nextInt(d == 0 ? 9 : 6);
            }
            return Arguments.of(i, shape, 1 + i % 4, i % 2 == 0 ? DType.FLOAT64 : DType.FLOAT32);
        });
    }

    @ParameterizedTest(name = "case {0}: shape {1}, {2} terms, {3}")
    @MethodSource("cases")
    void kernelEqualsJavaFormulaBitForBit(int seed, long[] shape, int nTerms, DType dtype) {
        SplittableRandom r = new SplittableRandom(seed);
        int batch = (int) shape[0];
        int n = (int) Shapes.numel(shape);
        int per = n / batch;
        double[][] values = new double[nTerms][n];
        double[] coefs = new double[nTerms * batch];
        for (int k = 0; k < nTerms; k++) {
            for (int j = 0; j < n; j++) {
                double v = r.nextDouble(-3, 3);
                values[k][j] = dtype == DType.FLOAT32 ? (float) v : v;
            }
        }
        for (int c = 0; c < coefs.length; c++) {
            coefs[c] = r.nextDouble(-2, 2);
        }
        Tensor[] terms = new Tensor[nTerms];
        try (Tensor out = Tensor.empty(shape, dtype, Device.CPU)) {
            for (int k = 0; k < nTerms; k++) {
                terms[k] = dtype == DType.FLOAT64
                        ? Tensor.of(values[k], shape, Device.CPU)
                        : Tensor.of(toFloat(values[k]), shape, Device.CPU);
            }
            Ops.combine(out, coefs, terms);
            double[] got = out.toDoubleArray();
            for (int j = 0; j < n; j++) {
                int b = j / per;
                double acc = coefs[b] * values[0][j];
                for (int k = 1; k < nTerms; k++) {
                    acc += coefs[k * batch + b] * values[k][j];
                }
                double expect = dtype == DType.FLOAT32 ? (float) acc : acc;
                // identical operations in identical order, IEEE double, one final rounding: exact
                assertThat(got[j]).as("element %d", j).isEqualTo(expect);
            }
            // in place: out aliases the first term
            Ops.combine(terms[0], coefs, terms);
            assertThat(terms[0].toDoubleArray()).containsExactly(got);
        } finally {
            for (Tensor t : terms) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
