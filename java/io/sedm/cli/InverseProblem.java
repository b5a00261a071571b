package io.sedm.cli;

import io.sedm.guidance.Imputation;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.ImputingDenoiser;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The inverse problem of a {@code sedm sample} run (score SDE §5, App. I): the {@link Imputation},
 * every seed's known values, and per batch the known rows and the replacement noise (its own
 * per-seed stream, offset {@link #NOISE_OFFSET}, so sample i depends only on seed i).
 */
final class InverseProblem implements AutoCloseable {
    /** Philox offset of the replacement noise, far past what a sampler run draws from the seed's stream. */
    static final long NOISE_OFFSET = 1L << 48;

    private final Imputation imputation;
    /** Known values in decoupled coordinates: one row shared, or one row per seed. */
    private final double[] known;

    private final Map<Long, Integer> row = new HashMap<>();
    private final Device device;
    private double[] batchKnown;
    private Generator noise;

    private InverseProblem(Imputation imputation, double[] known, long[] seeds, Device device) {
        this.imputation = imputation;
        this.known = known;
        this.device = device;
        for (int i = 0; i < seeds.length; i++) row.put(seeds[i], i);
    }

    /** The run's inverse problem, or null when it has none. */
    static InverseProblem of(ControlOptions.Resolved c, long[] sample, long[] seeds, Device device) {
        long per = Arrays.stream(sample).reduce(1, (a, b) -> a * b);
        if (c.inpaintMask() != null) {
            boolean[] mask = ControlOptions.readMask(Path.of(c.inpaintMask()), sample);
            double[] known = ControlOptions.readRows("--known", Path.of(c.known()), per, seeds.length);
            return new InverseProblem(Imputation.inpainting(mask), known, seeds, device);
        }
        if (c.colorize() != null) {
            if (sample.length != 3 || sample[0] != 3) {
                throw new IllegalArgumentException(
                        "--colorize needs 3-channel image samples [3, H, W], the samples are " + Arrays.toString(sample)
                                + (sample.length == 3 && sample[0] == 1 ? " (already gray)" : ""));
            }
            long pixels = sample[1] * sample[2];
            double[] gray = ControlOptions.readRows("--colorize", Path.of(c.colorize()), pixels, seeds.length);
            Imputation colorize = Imputation.colorization(Math.toIntExact(pixels));
            return new InverseProblem(colorize, colorize.knownFromGray(gray), seeds, device);
        }
        return null;
    }

    Denoiser wrap(Denoiser model) {
        return new ImputingDenoiser(model, imputation, () -> batchKnown, () -> noise);
    }

    /** Makes the known rows and the replacement noise of {@code seeds} current. */
    void select(long[] seeds) {
        int dim = imputation.dim();
        if (known.length == dim) {
            batchKnown = known;
        } else {
            batchKnown = new double[seeds.length * dim];
            for (int i = 0; i < seeds.length; i++) {
                System.arraycopy(known, row.get(seeds[i]) * dim, batchKnown, i * dim, dim);
            }
        }
        if (noise != null) noise.close();
        noise = Generator.ofSeeds(seeds, NOISE_OFFSET);
    }

    /** The samples of every seed, in seed order, with the known part set exactly (σ = 0). */
    void project(double[] all) {
        imputation.impute(all, known, null, null);
    }

    @Override
    public void close() {
        if (noise != null) {
            noise.close();
            noise = null;
        }
    }
}
