package io.sedm.bench;

import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.NativeRuntime;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.Latents;
import io.sedm.schedule.EdmSchedule;
import io.sedm.train.DenoiserTrainer;
import io.sedm.train.NetworkDenoiser;
import io.sedm.train.SongUNetConfig;
import io.sedm.train.TrainOptions;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the CPU thread count does to the two long jobs, on the {@code ddpmpp-fmnist} network
 * (1,752,993 parameters): one EDM training step at batch 64, and EDM Heun sampling with N = 18
 * (35 network evaluations) of 8 images. {@code threads = 1} is libtorch's start-up default on
 * these machines (OpenMP reports one thread of two cores); {@code threads = 0} stands for sedm's
 * default, every available processor. Run: {@code scripts/bench.sh ThreadsBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
@State(Scope.Benchmark)
public class ThreadsBenchmark {

    /** 1 = libtorch's default here; 0 = sedm's default (all available processors). */
    @Param({"1", "0"})
    public int threads;

    private DenoiserTrainer trainer;
    private Tensor latents;
    private double[] sigmas;
    private EdmSampler heun;

    @Setup(Level.Trial)
    public void setUp() {
        NativeRuntime.setThreads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        System.out.println("\n# intra-op threads: " + NativeRuntime.threads());
        ImageDataset data = FashionMnist.load(FashionMnist.directory(), true, 512, 32);
        TrainOptions options = TrainOptions.defaults().withBatch(64, 1);
        trainer = DenoiserTrainer.create(SongUNetConfig.fashionMnist(), options, data, Device.CPU);
        sigmas = EdmSchedule.sigmas(18, 0.002, 80, 7);
        try (Generator g = Generator.ofSeedRange(0, 8);
                Tensor z = Latents.draw(g, new long[] {8, 1, 32, 32}, Device.CPU)) {
            latents = Latents.scaled(z, sigmas[0]);
        }
        heun = new EdmSampler(EdmSampler.Options.edm());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        latents.close();
        trainer.close();
    }

    /** One optimizer step of the EDM loss at batch 64 (forward, backward, Adam, EMA). */
    @Benchmark
    public double trainStepBatch64() {
        return trainer.trainStep();
    }

    /** EDM Heun, N = 18 (35 evaluations), 8 images, with the EMA network. */
    @Benchmark
    public long edmHeun18Images8() {
        try (Tensor out = heun.sample(NetworkDenoiser.edm(trainer.ema()), latents, sigmas, null)) {
            return out.batchSize();
        }
    }
}
