package io.sedm.bench;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.bindings.Sedm;
import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of crossing the FFM boundary: one trivial downcall, and the fused solver-step kernel
 * (4 terms, per-sample coefficients) for a batch of 32×32 images, on the CPU or a GPU.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class DowncallBenchmark {

    @Param({"1", "64"})
    public int batch;

    @Param({"1", "3"})
    public int channels;

    /** cpu or cuda:N (scripts/gpu-check.sh passes -p device=cpu,cuda:0). */
    @Param({"cpu"})
    public String device;

    private Tensor x;
    private Tensor d;
    private Tensor z;
    private Tensor g;
    private double[] coefs;

    @Setup(Level.Trial)
    public void setUp() {
        NativeLibrary.ensureLoaded();
        long[] shape = {batch, channels, 32, 32};
        Device dev = Device.parse(device);
        try (Generator gen = Generator.ofSeedRange(0, batch)) {
            x = gen.normal(shape, DType.FLOAT32, dev);
            d = gen.normal(shape, DType.FLOAT32, dev);
            z = gen.normal(shape, DType.FLOAT32, dev);
            g = gen.normal(shape, DType.FLOAT32, dev);
        }
        coefs = new double[4 * batch];
        for (int i = 0; i < coefs.length; i++) {
            coefs[i] = 0.25 + 1e-3 * i;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        d.close();
        z.close();
        g.close();
    }

    /** One downcall that does no work: the bare FFM round trip. */
    @Benchmark
    public int abiVersionRoundTrip() {
        return Sedm.sedm_abi_version();
    }

    /** x ← a·x + b·D + c·z + e·g with per-sample coefficients (in place), float32. */
    @Benchmark
    public Tensor stepCombineFourTerms() {
        Ops.combine(x, coefs, x, d, z, g);
        if (x.device().isCuda()) {
            x.device().synchronize(); // time the kernel, not just the launch
        }
        return x;
    }

    /** Per-sample sum of squares (the exposure-bias probe's reduction). */
    @Benchmark
    public double[] sumSquaresPerSample() {
        return Ops.sumSquaresPerSample(x);
    }
}
