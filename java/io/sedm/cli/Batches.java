package io.sedm.cli;

import io.sedm.dist.ProcessGroup;
import io.sedm.dist.Shard;
import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.Latents;
import io.sedm.sampler.Sampler;
import io.sedm.sampler.StepListener;
import java.util.Arrays;
import java.util.Locale;

/**
 * The batch loop of NVlabs/edm {@code generate.py}: seeds in batches, one generator per seed (so
 * sample i is the same whatever the batch size), x_0 = σ_0·z, progress on stderr. Every step's
 * denoised estimate is checked, so a NaN/Inf is reported with the step index and σ where it
 * first appeared.
 */
final class Batches {
    private Batches() {}

    /** A sample run that produced NaN/Inf; the message names the seed, step and σ. */
    static final class Diverged extends RuntimeException {
        Diverged(String message) {
            super(message);
        }
    }

    /**
     * Samples every seed and returns the samples, flattened row-major [seeds, sample...].
     *
     * @param latents z per seed, flattened (null = draw from the seed's generator)
     */
    static double[] run(
            String task,
            Sampler sampler,
            Denoiser model,
            double[] sigmas,
            long[] seeds,
            long[] sample,
            int batch,
            Device dev,
            double[] latents,
            StepListener listener,
            boolean progress) {
        return run(task, sampler, model, sigmas, seeds, sample, batch, dev, latents, listener, progress, b -> {}, null);
    }

    /**
     * As above, sharded over {@code group} (null = one process): rank r samples the batches
     * {@link Shard#batchesOf} gives it — whole batches with the seeds they have in one process, so
     * each is bitwise the single-process result — and rank 0 gathers them into the full array, in seed
     * order. Returns that array on rank 0 and null on the other ranks. {@code beforeBatch} receives
     * each batch's seeds before it is sampled (class labels).
     */
    static double[] run(
            String task,
            Sampler sampler,
            Denoiser model,
            double[] sigmas,
            long[] seeds,
            long[] sample,
            int batch,
            Device dev,
            double[] latents,
            StepListener listener,
            boolean progress,
            java.util.function.Consumer<long[]> beforeBatch,
            ProcessGroup group) {
        long per = Arrays.stream(sample).reduce(1, (a, b) -> a * b);
        int batches = (seeds.length + batch - 1) / batch;
        int[] mine = group == null
                ? Shard.batchesOf(batches, 0, 1)
                : Shard.batchesOf(batches, group.rank(), group.worldSize());
        // one process: the samples in seed order; a rank: its batches packed, each batch-sized
        double[] all = new double[Math.toIntExact((group == null ? seeds.length : (long) mine.length * batch) * per)];
        int myCount = 0;
        for (int k : mine) myCount += Math.min(batch, seeds.length - k * batch);
        try (Progress bar = Progress.start(task, myCount, "img", progress)) {
            for (int j = 0; j < mine.length; j++) {
                int start = mine[j] * batch;
                int at = group == null ? start : j * batch;
                int n = Math.min(batch, seeds.length - start);
                long[] batchSeeds = Arrays.copyOfRange(seeds, start, start + n);
                beforeBatch.accept(batchSeeds);
                long[] batchShape = new long[sample.length + 1];
                batchShape[0] = n;
                System.arraycopy(sample, 0, batchShape, 1, sample.length);
                StepListener check = step -> requireFinite(
                        step.denoised().toDoubleArray(),
                        batchSeeds,
                        per,
                        "step " + step.i() + " of " + step.steps() + " (σ = " + fmt(step.sigma()) + ")");
                try (Generator g = Generator.ofSeeds(batchSeeds);
                        Tensor latent = latents == null
                                ? Latents.draw(g, batchShape, dev)
                                : upload(
                                        Arrays.copyOfRange(
                                                latents,
                                                Math.toIntExact(start * per),
                                                Math.toIntExact((start + n) * per)),
                                        batchShape,
                                        dev);
                        Tensor x0 = Latents.scaled(latent, sigmas[0]);
                        Tensor xN = sampler.sample(model, x0, sigmas, g, check.andThen(listener))) {
                    double[] got = xN.toDoubleArray();
                    requireFinite(got, batchSeeds, per, "the last step (σ = 0)");
                    System.arraycopy(got, 0, all, Math.toIntExact(at * per), Math.toIntExact(n * per));
                }
                bar.step(n, "");
            }
        }
        return group == null ? all : gather(group, all, batches, batch, seeds.length, per);
    }

    /** Rank 0: every rank's packed batches back in seed order; null on the other ranks. */
    private static double[] gather(ProcessGroup group, double[] mine, int batches, int batch, int count, long per) {
        int world = group.worldSize();
        long slot = (long) Shard.batchesOf(batches, 0, world).length * batch * per; // rank 0 has the most
        double[] padded = Arrays.copyOf(mine, Math.toIntExact(slot));
        try (Tensor local = Tensor.of(padded, new long[] {slot}, group.device());
                Tensor gathered = group.gather(local, 0)) {
            if (gathered == null) {
                return null;
            }
            double[] g = gathered.toDoubleArray();
            double[] all = new double[Math.toIntExact(count * per)];
            for (int r = 0; r < world; r++) {
                int[] theirs = Shard.batchesOf(batches, r, world);
                for (int j = 0; j < theirs.length; j++) {
                    int start = theirs[j] * batch;
                    int n = Math.min(batch, count - start);
                    System.arraycopy(
                            g,
                            Math.toIntExact(r * slot + j * batch * per),
                            all,
                            Math.toIntExact(start * per),
                            Math.toIntExact(n * per));
                }
            }
            return all;
        }
    }

    private static void requireFinite(double[] v, long[] seeds, long per, String where) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new Diverged("the sample of seed " + seeds[(int) (i / per)] + " became " + v[i] + " at " + where
                        + "; lower the step size or check the model and the sampler options");
            }
        }
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static Tensor upload(double[] values, long[] shape, Device dev) {
        try (Tensor host = Tensor.of(values, shape, Device.CPU)) {
            return host.to(dev, DType.FLOAT64);
        }
    }
}
