package io.sedm.serve;

import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.Sampler;
import io.sedm.sampler.Solver;
import java.time.Duration;

/**
 * One sampling request: which model, the EDM-family settings and σ schedule, one seed per image
 * (image b depends only on seeds[b], whatever else shares its evaluations), an optional deadline
 * and an optional progress listener.
 *
 * @param model    a {@link ServedModel#name()}
 * @param options  the EDM-family sampler settings (e.g. {@link EdmSampler.Options#sedmGpp()})
 * @param sigmas   σ_0 &gt; … &gt; σ_{N−1} &gt; 0, then 0 (e.g. {@link io.sedm.schedule.EdmSchedule#sigmas})
 * @param seeds    one per image
 * @param deadline how long the request may take from submission to result; null = the engine's default
 * @param progress called on the scheduler thread after every evaluation that advanced the request; null = none
 * @param classes  class-conditional models: the class of each image (one per seed), or one class for
 *                 every image; null = EDM's random class per seed ({@link RowLabels#randomClasses}).
 *                 The engine checks them against the model's label_dim (an unconditional model takes none)
 */
public record SampleRequest(
        String model,
        EdmSampler.Options options,
        double[] sigmas,
        long[] seeds,
        Duration deadline,
        ProgressListener progress,
        int[] classes) {

    /** What a request reports after each evaluation it took part in. */
    public record Progress(long request, long rowEvaluations, long totalRowEvaluations, int imagesDone, int images) {}

    @FunctionalInterface
    public interface ProgressListener {
        void onProgress(Progress progress);
    }

    public SampleRequest {
        if (model == null || options == null) {
            throw new IllegalArgumentException("a request needs a model and sampler options");
        }
        Sampler.requireSchedule(sigmas);
        if (seeds == null || seeds.length == 0) {
            throw new IllegalArgumentException("a request needs at least one seed");
        }
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
        sigmas = sigmas.clone();
        seeds = seeds.clone();
        if (classes != null) {
            if (classes.length != 1 && classes.length != seeds.length) {
                throw new IllegalArgumentException("classes must hold one class for every image or one per image ("
                        + seeds.length + "), got " + classes.length);
            }
            for (int c : classes) {
                if (c < 0) {
                    throw new IllegalArgumentException("classes must be >= 0, got " + c);
                }
            }
            if (classes.length == 1 && seeds.length > 1) {
                int c = classes[0];
                classes = new int[seeds.length];
                java.util.Arrays.fill(classes, c);
            } else {
                classes = classes.clone();
            }
        }
    }

    /** A request for an unconditional model, or EDM's random class per seed on a conditional one. */
    public SampleRequest(
            String model,
            EdmSampler.Options options,
            double[] sigmas,
            long[] seeds,
            Duration deadline,
            ProgressListener progress) {
        this(model, options, sigmas, seeds, deadline, progress, null);
    }

    /** A request without deadline or progress listener. */
    public static SampleRequest of(String model, EdmSampler.Options options, double[] sigmas, long... seeds) {
        return new SampleRequest(model, options, sigmas, seeds, null, null);
    }

    public SampleRequest withDeadline(Duration d) {
        return new SampleRequest(model, options, sigmas, seeds, d, progress, classes);
    }

    public SampleRequest withProgress(ProgressListener p) {
        return new SampleRequest(model, options, sigmas, seeds, deadline, p, classes);
    }

    /** The same request with class labels: one per image, or one for every image. */
    public SampleRequest withClasses(int... c) {
        return new SampleRequest(model, options, sigmas, seeds, deadline, progress, c);
    }

    public int images() {
        return seeds.length;
    }

    /** Denoiser evaluations per image: N (Euler) or 2N − 1 (Heun, no corrector on the last step). */
    public int nfe() {
        int n = sigmas.length - 1;
        return options.solver() == Solver.HEUN ? 2 * n - 1 : n;
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public long[] seeds() {
        return seeds.clone();
    }

    /** One class per image, or null (none given). */
    @Override
    public int[] classes() {
        return classes == null ? null : classes.clone();
    }
}
