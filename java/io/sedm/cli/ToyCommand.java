package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sedm.eval.toy.Estimate;
import io.sedm.eval.toy.SlicedWasserstein;
import io.sedm.runtime.NativeRuntime;
import io.sedm.runtime.Network;
import io.sedm.schedule.NcsnSchedule;
import io.sedm.toy.ScoreModel;
import io.sedm.toy.ScoreObjective;
import io.sedm.toy.ScoreTrainer;
import io.sedm.toy.ToyPlots;
import io.sedm.toy.ToySamplers;
import io.sedm.toy.ToySet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains a small σ-conditioned score network on a 2-D toy set with one score-matching objective
 * (ESM, SSM-VR or DSM; {@link ScoreTrainer}), samples it with EDM Heun/Euler, plain and annealed
 * Langevin ({@link ToySamplers}), reports the sliced W1 of each sampler's points to fresh data
 * and draws the pictures ({@link ToyPlots}): the score field over the density at two levels,
 * each sampler's paths and its samples over the density. With {@code --seeds k} it repeats the
 * training for seeds s..s+k−1 and reports the mean W1 with its standard error over the seeds
 * (the pictures are those of the first seed).
 */
@Command(
        name = "toy",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Train a score network on a 2-D toy set with ESM, SSM or DSM; sample it with EDM Heun/Euler, "
                + "Langevin and annealed Langevin; write score-field, trajectory and sample PNGs to --outdir.")
final class ToyCommand implements Callable<Integer> {
    static final String[] OUTPUTS = outputs();

    @Option(
            names = "--set",
            defaultValue = "gaussians8",
            paramLabel = "NAME",
            description = "toy set: gaussians8, checkerboard, moons, swiss-roll")
    String set;

    @Option(names = "--objective", defaultValue = "dsm", paramLabel = "NAME", description = "esm, ssm or dsm")
    String objective;

    @Option(names = "--steps", defaultValue = "2000", paramLabel = "INT", description = "training steps, 1..1000000")
    int steps;

    @Option(names = "--batch", defaultValue = "256", paramLabel = "INT", description = "training batch, 1..65536")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", paramLabel = "FLOAT", description = "Adam learning rate, > 0")
    double lr;

    @Option(names = "--hidden", defaultValue = "64", paramLabel = "INT", description = "MLP width, 1..4096")
    int hidden;

    @Option(names = "--layers", defaultValue = "2", paramLabel = "INT", description = "residual MLP layers, 0..64")
    int layers;

    @Option(names = "--levels", defaultValue = "10", paramLabel = "INT", description = "σ levels L, 2..1000")
    int levels;

    @Option(
            names = "--sigma-min",
            defaultValue = "0.05",
            paramLabel = "FLOAT",
            description = "smallest level σ_L (> 0); σ_1 is the largest distance between data points")
    double sigmaMin;

    @Option(
            names = "--langevin-steps",
            defaultValue = "30",
            paramLabel = "INT",
            description = "annealed Langevin steps per level T (plain Langevin: L·T steps at σ_L), 1..100000")
    int langevinSteps;

    @Option(
            names = "--epsilon",
            defaultValue = "0.1",
            paramLabel = "FLOAT",
            description = "Langevin step at σ_L as a fraction of σ_L² (ε = this·σ_L²), in (0, 1]")
    double epsilonFraction;

    @Option(names = "--edm-steps", defaultValue = "18", paramLabel = "INT", description = "EDM levels N, 2..10000")
    int edmSteps;

    @Option(
            names = "--samples",
            defaultValue = "1000",
            paramLabel = "INT",
            description = "samples per sampler (and fresh data points for W1), 10..100000")
    int samples;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT", description = "first seed")
    long seed;

    @Option(names = "--seeds", defaultValue = "1", paramLabel = "INT", description = "seeds to train, 1..100")
    int seeds;

    @Option(names = "--outdir", defaultValue = "runs/toy", paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "INT", description = "CPU threads, 1..4096")
    int threads;

    @Option(names = "--quiet", description = "no per-phase timing lines")
    boolean quiet;

    private static final int PROJECTIONS = 200;
    private static final int PATHS = 16;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        ToySet toySet = ToySet.parse(set);
        ScoreObjective obj = ScoreObjective.parse(objective);
        require(steps >= 1 && steps <= 1_000_000, "--steps must be in [1, 1000000], got " + steps);
        require(batch >= 1 && batch <= 65536, "--batch must be in [1, 65536], got " + batch);
        require(lr > 0 && Double.isFinite(lr), "--lr must be finite and > 0, got " + lr);
        require(hidden >= 1 && hidden <= 4096, "--hidden must be in [1, 4096], got " + hidden);
        require(layers >= 0 && layers <= 64, "--layers must be in [0, 64], got " + layers);
        require(levels >= 2 && levels <= 1000, "--levels must be in [2, 1000], got " + levels);
        require(sigmaMin > 0 && Double.isFinite(sigmaMin), "--sigma-min must be finite and > 0, got " + sigmaMin);
        require(
                langevinSteps >= 1 && langevinSteps <= 100_000,
                "--langevin-steps must be in [1, 100000], got " + langevinSteps);
        require(epsilonFraction > 0 && epsilonFraction <= 1, "--epsilon must be in (0, 1], got " + epsilonFraction);
        require(edmSteps >= 2 && edmSteps <= 10_000, "--edm-steps must be in [2, 10000], got " + edmSteps);
        require(samples >= 10 && samples <= 100_000, "--samples must be in [10, 100000], got " + samples);
        require(seeds >= 1 && seeds <= 100, "--seeds must be in [1, 100], got " + seeds);
        require(threads >= 1 && threads <= 4096, "--threads must be in [1, 4096], got " + threads);
        NativeRuntime.setThreads(threads);

        double sigmaMax = NcsnSchedule.maxPairwiseDistance(toySet.sample(1000, new SplittableRandom(seed)));
        require(
                sigmaMax > sigmaMin,
                "--sigma-min " + sigmaMin + " must be below σ_1 = " + sigmaMax + " (the data's diameter)");
        double[] ladder = NcsnSchedule.geometric(sigmaMax, sigmaMin, levels);
        double epsilon = epsilonFraction * sigmaMin * sigmaMin;
        System.out.printf(
                Locale.ROOT,
                "%s on %s: %d steps, batch %d, σ ladder %.3g → %.3g (L = %d), %d seed(s), %d thread(s)%n",
                obj,
                toySet.cliName(),
                steps,
                batch,
                sigmaMax,
                sigmaMin,
                levels,
                seeds,
                threads);

        Map<String, List<Double>> w1 = new LinkedHashMap<>();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("set", toySet.cliName());
        report.put("objective", obj.cliName());
        report.put("steps", steps);
        report.put("batch", batch);
        report.put("lr", lr);
        report.put("sigmas", ladder);
        report.put("epsilon", epsilon);
        List<Map<String, Object>> perSeed = new ArrayList<>();
        try (RunFolder folder = RunFolder.open(out, "--outdir")) {
            ToyPlots.Density density = ToyPlots.Density.of(toySet);
            for (int k = 0; k < seeds; k++) {
                long s = seed + k;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("seed", s);
                SplittableRandom rng = new SplittableRandom(s);
                double[][] reference = toySet.sample(samples, new SplittableRandom(s ^ 0x5DEECE66DL));
                Network.manualSeed(s);
                try (ScoreModel model = ScoreModel.mlp(hidden, layers, s, ladder)) {
                    long tt = System.nanoTime();
                    double loss = ScoreTrainer.train(
                            model,
                            n -> toySet.sample(n, rng),
                            new ScoreTrainer.Options(obj, steps, batch, lr),
                            rng,
                            null);
                    row.put("final_loss", loss);
                    phase("seed " + s + ": trained, final loss " + fmt(loss), tt);
                    boolean draw = k == 0;
                    if (draw) {
                        ToyPlots.samples(
                                folder.file("data.png"), toySet.cliName() + ": data", density, flat(reference));
                        ToyPlots.quiver(
                                folder.file("score-sigma-min.png"),
                                obj + " score at σ_L = " + fmt(ladder[levels - 1]),
                                density,
                                model,
                                ladder[levels - 1]);
                        ToyPlots.quiver(
                                folder.file("score-sigma-mid.png"),
                                obj + " score at σ = " + fmt(ladder[levels / 2]),
                                density,
                                model,
                                ladder[levels / 2]);
                    }
                    for (String name : ToySamplers.NAMES) {
                        long ts = System.nanoTime();
                        double[] start = start(name, toySet, ladder[0], samples, new SplittableRandom(s + 17));
                        ToySamplers.Run run =
                                ToySamplers.run(name, model, start, ladder, epsilon, langevinSteps, edmSteps, s);
                        double[][] pts = rows(run.x());
                        Estimate w =
                                SlicedWasserstein.estimate(pts, reference, 1, PROJECTIONS, new SplittableRandom(s));
                        w1.computeIfAbsent(name, x -> new ArrayList<>()).add(w.value());
                        row.put("w1_" + name, w.value());
                        if (draw) {
                            ToyPlots.samples(
                                    folder.file("samples-" + name + ".png"),
                                    obj + ", " + name + ": samples (sliced W1 " + fmt(w.value()) + ")",
                                    density,
                                    run.x());
                            ToyPlots.trajectories(
                                    folder.file("paths-" + name + ".png"),
                                    obj + ", " + name + ": paths",
                                    density,
                                    run.paths(),
                                    PATHS);
                        }
                        phase("seed " + s + ": " + name + " sliced W1 " + fmt(w.value()), ts);
                    }
                }
                perSeed.add(row);
            }
            // the floor: two independent data samples of the same size
            double floor = SlicedWasserstein.estimate(
                            toySet.sample(samples, new SplittableRandom(seed + 99)),
                            toySet.sample(samples, new SplittableRandom(seed + 98)),
                            1,
                            PROJECTIONS,
                            new SplittableRandom(seed))
                    .value();
            Map<String, Object> summary = new LinkedHashMap<>();
            System.out.printf(
                    Locale.ROOT, "sliced W1 to %d fresh data points (mean ± s.e. over %d seed(s)):%n", samples, seeds);
            for (Map.Entry<String, List<Double>> e : w1.entrySet()) {
                Estimate est = Estimate.ofRuns(
                        e.getValue().stream().mapToDouble(Double::doubleValue).toArray());
                summary.put(e.getKey(), Map.of("mean", est.value(), "standard_error", est.standardError()));
                System.out.printf(Locale.ROOT, "  %-18s %.4f ± %.4f%n", e.getKey(), est.value(), est.standardError());
            }
            System.out.printf(Locale.ROOT, "  %-18s %.4f%n", "data vs data", floor);
            report.put("runs", perSeed);
            report.put("sliced_w1", summary);
            report.put("sliced_w1_data_floor", floor);
            double wall = (System.nanoTime() - t0) / 1e9;
            report.put("wall_seconds", wall);
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(folder.file("report.json").toFile(), report);
            folder.commit(OUTPUTS);
            System.out.printf(Locale.ROOT, "wrote %s/{%s} in %.1f s wall%n", out, String.join(",", OUTPUTS), wall);
        }
        return 0;
    }

    private static String[] outputs() {
        List<String> o = new ArrayList<>(List.of("data.png", "score-sigma-min.png", "score-sigma-mid.png"));
        for (String name : ToySamplers.NAMES) {
            o.add("samples-" + name + ".png");
            o.add("paths-" + name + ".png");
        }
        o.add("report.json");
        return o.toArray(String[]::new);
    }

    /** EDM starts at σ_1·z; Langevin, as NCSN, uniform over the plotting window. */
    private static double[] start(String sampler, ToySet set, double sigmaMax, int n, SplittableRandom rng) {
        double[] x = new double[2 * n];
        double[] b = set.bounds();
        for (int i = 0; i < n; i++) {
            if (sampler.startsWith("edm")) {
                x[2 * i] = sigmaMax * rng.nextGaussian();
                x[2 * i + 1] = sigmaMax * rng.nextGaussian();
            } else {
                x[2 * i] = b[0] + (b[1] - b[0]) * rng.nextDouble();
                x[2 * i + 1] = b[2] + (b[3] - b[2]) * rng.nextDouble();
            }
        }
        return x;
    }

    private void phase(String what, long since) {
        if (!quiet) {
            System.out.printf(Locale.ROOT, "%s (%.1f s)%n", what, (System.nanoTime() - since) / 1e9);
        }
    }

    private static double[] flat(double[][] rows) {
        double[] x = new double[rows.length * 2];
        for (int i = 0; i < rows.length; i++) {
            x[2 * i] = rows[i][0];
            x[2 * i + 1] = rows[i][1];
        }
        return x;
    }

    private static double[][] rows(double[] x) {
        double[][] r = new double[x.length / 2][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new double[] {x[2 * i], x[2 * i + 1]};
        }
        return r;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
