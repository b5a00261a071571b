package io.sedm.cli;

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
        return run(task, sampler, model, sigmas, seeds, sample, batch, dev, latents, listener, progress, b -> {});
    }

    /** As above; {@code beforeBatch} receives each batch's seeds before it is sampled (class labels). */
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
            java.util.function.Consumer<long[]> beforeBatch) {
        long per = Arrays.stream(sample).reduce(1, (a, b) -> a * b);
        double[] all = new double[Math.toIntExact(seeds.length * per)];
        try (Progress bar = Progress.start(task, seeds.length, "img", progress)) {
            for (int start = 0; start < seeds.length; start += batch) {
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
                    System.arraycopy(got, 0, all, Math.toIntExact(start * per), Math.toIntExact(n * per));
                }
                bar.step(n, "");
            }
        }
        return all;
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
