package io.sedm.bench;

import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.Latents;
import java.util.Arrays;
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
 * What a sampler costs outside the denoiser. The denoiser here is the cheapest real one, the
 * exact denoiser of N(0, c²I), D = c²/(c² + σ²)·x, which is itself one fused kernel call; so
 * {@code edmHeun18 / 35 − denoiserCall} is the orchestration cost per network evaluation
 * (Java coefficient arithmetic, the solver-step kernels, handle management).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class SamplerOverheadBenchmark {

    @Param({"1", "64"})
    public int batch;

    @Param({"cpu"})
    public String device;

    private Tensor x0;
    private Tensor scratch;
    private double[] sigmas;
    private double[] sigmaBatch;
    private Denoiser gaussian;
    private EdmSampler heun;
    private EdmSampler esOnly;

    /** The exact denoiser of N(0, c² I) as one native kernel call. */
    static final class GaussianDenoiser implements Denoiser {
        private static final double C2 = 0.25;

        @Override
        public void denoise(Tensor x, double[] sigma, Tensor out) {
            double[] coefs = new double[sigma.length];
            for (int b = 0; b < sigma.length; b++) {
                coefs[b] = C2 / (C2 + sigma[b] * sigma[b]);
            }
            Ops.combine(out, coefs, x);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Device dev = Device.parse(device);
        int n = 18;
        sigmas = new double[n + 1];
        double hi = Math.pow(80, 1 / 7.0);
        double lo = Math.pow(0.002, 1 / 7.0);
        for (int i = 0; i < n; i++) {
            sigmas[i] = Math.pow(hi + i / (n - 1.0) * (lo - hi), 7);
        }
        try (Generator g = Generator.ofSeedRange(0, batch);
                Tensor z = Latents.draw(g, new long[] {batch, 1, 32, 32}, dev)) {
            x0 = Latents.scaled(z, sigmas[0]);
        }
        scratch = x0.emptyLike();
        sigmaBatch = new double[batch];
        Arrays.fill(sigmaBatch, 1.0);
        gaussian = new GaussianDenoiser();
        heun = new EdmSampler(EdmSampler.Options.edm());
        esOnly = new EdmSampler(EdmSampler.Options.sedmGpp().withGuidance(0, 0));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x0.close();
        scratch.close();
    }

    /** One denoiser evaluation alone (the part a real network would replace). */
    @Benchmark
    public Tensor denoiserCall() {
        gaussian.denoise(x0, sigmaBatch, scratch);
        return scratch;
    }

    /** A whole EDM Heun run, N = 18 (35 denoiser calls). */
    @Benchmark
    public double edmHeun18() {
        try (Tensor out = heun.sample(gaussian, x0, sigmas, null)) {
            return out.batchSize();
        }
    }

    /** The same through the SEDM-G++ sampler with ES (λ = 1.0004) and no guidance. */
    @Benchmark
    public double sedmGppEsOnly18() {
        try (Tensor out = esOnly.sample(gaussian, x0, sigmas, null)) {
            return out.batchSize();
        }
    }
}
