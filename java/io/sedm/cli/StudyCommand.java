package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.Npy;
import io.sedm.eval.FeatureNetwork;
import io.sedm.eval.ReferenceFeatures;
import io.sedm.eval.Runs;
import io.sedm.eval.SampleImages;
import io.sedm.eval.SampleQuality;
import io.sedm.eval.study.Charts;
import io.sedm.eval.study.StudyGrid;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.ExposureBiasProbe;
import io.sedm.sampler.Solver;
import io.sedm.sampler.StepListener;
import io.sedm.schedule.EdmSchedule;
import io.sedm.train.RunDirectory;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sedm study}: the SEDM-G++ thesis study at this scale, one command. Every cell of a
 * {@link StudyGrid} (solver run × DG weight w1 × ES λ) samples the same seeds, so differences
 * between cells are paired; each cell is measured by {@link SampleQuality} over {@code --splits}
 * disjoint seed ranges (mean ± s.e.). Then the exposure-bias curves: mean ‖ε̂‖ per step of EDM,
 * EDM-ES, EDM-G++ and SEDM-G++ (the published presets, Heun) against the training-time value on
 * forward-noised training images. Writes {@code study.csv}, {@code study.json}, one heatmap per run and
 * metric, {@code exposure-bias.csv} and {@code exposure-bias.png}, all-or-nothing.
 */
@Command(
        name = "study",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "Sample a grid of solver runs × DG weight × ES λ, measure FD/precision/recall per cell"
                + " (mean ± s.e. over seed ranges), draw heatmaps and exposure-bias curves.")
final class StudyCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The metrics drawn as heatmaps (lower is better for FD only). */
    private static final List<String> HEATMAPS = List.of("fd_train", "precision", "recall");

    @Option(
            names = "--denoiser",
            required = true,
            paramLabel = "SIDECAR|gmm:FILE",
            description = "denoiser checkpoint (as in sample)")
    String denoiser;

    @Option(
            names = "--discriminator",
            paramLabel = "SIDECAR|oracle:FILE",
            description = "DG head checkpoint (needs --classifier) or an exact mixture oracle; needed when a w1 > 0")
    String discriminator;

    @Option(names = "--classifier", paramLabel = "SIDECAR", description = "DG classifier trunk checkpoint")
    String classifier;

    @Option(
            names = "--runs",
            split = ",",
            defaultValue = "euler-13,euler-21,euler-35,heun-35",
            paramLabel = "SOLVER-NFE",
            description = "solver runs (euler-N, heun-N with N odd)")
    List<String> runs;

    @Option(
            names = "--dg-weights",
            split = ",",
            defaultValue = "0,1,1.67,2",
            paramLabel = "W",
            description = "DG weights w1 (0 = DG off; 2 = DG's EDM-G++, 1.67 = SEDM-G++)")
    double[] dgWeights;

    @Option(
            names = "--es-scales",
            split = ",",
            defaultValue = "1,1.0005,1.002,1.004,1.006",
            paramLabel = "LAMBDA",
            description = "ES factors λ (1 = ES off; EDM-ES optima 0.9985..1.007, SEDM-G++ 1.0004)")
    double[] esScales;

    @Option(
            names = "--samples",
            defaultValue = "300",
            paramLabel = "INT",
            description = "images per cell (seeds 0..n-1, the same in every cell)")
    int samples;

    @Option(
            names = "--splits",
            defaultValue = "3",
            paramLabel = "INT",
            description = "disjoint seed ranges per cell (mean ± s.e.)")
    int splits;

    @Option(
            names = "--curve-samples",
            defaultValue = "128",
            paramLabel = "INT",
            description = "images per exposure-bias curve (0 = no curves)")
    int curveSamples;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "INT", description = "sampling batch size")
    int batch;

    @Option(names = "--outdir", defaultValue = "runs/study", paramLabel = "DIR", description = "output folder")
    Path outdir;

    @Mixin
    FeatureOptions featureOptions = new FeatureOptions();

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Option(names = "--quiet", description = "no progress display on stderr")
    boolean quiet;

    /** One measured cell. */
    record Result(StudyGrid.Cell cell, Map<String, Runs> summary, double seconds) {}

    @Override
    public Integer call() throws Exception {
        StudyGrid grid = new StudyGrid(runs.stream().map(StudyGrid.Run::parse).toList(), dgWeights, esScales);
        TrainCommand.require(samples >= 2 && samples <= 100_000, "--samples must be in [2, 100000], got " + samples);
        TrainCommand.require(splits >= 1 && splits <= 10, "--splits must be in [1, 10], got " + splits);
        TrainCommand.require(
                samples / splits > featureOptions.k,
                "--samples " + samples + " / --splits " + splits + " leaves " + samples / splits
                        + " images per range; the k-NN metrics need more than k = " + featureOptions.k);
        TrainCommand.require(curveSamples >= 0, "--curve-samples must be >= 0, got " + curveSamples);
        TrainCommand.require(batch >= 1 && batch <= 65536, "--batch must be in [1, 65536], got " + batch);
        TrainCommand.require(
                !grid.guided() || discriminator != null,
                "--dg-weights " + Arrays.toString(dgWeights)
                        + " has a w1 > 0: give --discriminator (and --classifier), or use --dg-weights 0");
        TrainCommand.require(
                discriminator == null || discriminator.startsWith("oracle:") || classifier != null,
                "--discriminator " + discriminator + " needs its --classifier trunk");
        Path sidecar = featureOptions.validate();
        compute.apply();
        Device dev = Device.parse(compute.device());
        long[] sample = {1, 32, 32};
        long[] seeds = LongStream.range(0, samples).toArray();
        List<Result> results = new ArrayList<>();
        try (RunFolder folder = RunFolder.open(outdir, "--outdir");
                SampleCommand.Models m = SampleCommand.load(denoiser, null, classifier, discriminator, dev);
                FeatureNetwork net = FeatureNetwork.load(sidecar, dev)) {
            long per = Arrays.stream(m.natural()).reduce(1, (a, b) -> a * b);
            TrainCommand.require(
                    per == 1024,
                    "--denoiser " + denoiser + " makes samples of " + Arrays.toString(m.natural())
                            + "; the study measures 32×32 one-channel images");
            ReferenceFeatures ref = featureOptions.reference(net, this::note);
            for (StudyGrid.Cell cell : grid.cells()) {
                long t0 = System.nanoTime();
                double[] x = m.sample(
                        "study " + label(cell),
                        new EdmSampler(cell.options(), m.discriminator()),
                        sigmas(cell.run().steps(), m.denoiser()),
                        seeds,
                        sample,
                        batch,
                        dev,
                        StepListener.NONE,
                        !quiet);
                SampleQuality.Report report = measure(net, ref, label(cell), x, splits, featureOptions.k);
                Result r = new Result(cell, report.summary(), (System.nanoTime() - t0) / 1e9);
                results.add(r);
                ImageGrid.write(folder.file("grid-" + fileLabel(cell) + ".png"), x, Math.min(samples, 64), 1, 32, 32);
                System.out.println(row(r));
            }
            writeCsv(folder.file("study.csv"), results);
            for (StudyGrid.Run run : grid.runs()) {
                for (String metric : HEATMAPS) {
                    heatmap(folder.file("heatmap-" + run.label() + "-" + metric + ".png"), grid, run, results, metric);
                }
            }
            ObjectNode json = JSON.createObjectNode();
            json.put("denoiser", denoiser);
            json.put("discriminator", discriminator);
            json.put("samples", samples);
            json.put("splits", splits);
            json.put("feature_id", net.id());
            json.put("floor", ref.floor());
            ArrayNode cells = json.putArray("cells");
            for (Result r : results) cells.add(cellJson(r));
            if (curveSamples > 0) {
                json.set("exposure_bias", exposureBias(folder, grid, m, dev));
            }
            RunDirectory.writeAtomically(folder.file("study.json"), json.toPrettyString() + "\n");
            folder.commit();
        }
        System.out.println("wrote " + outdir.resolve("study.csv") + ", heatmaps and exposure-bias curves");
        return 0;
    }

    /**
     * {@code x} (one 32×32 image per row, in [−1, 1]) measured by {@link SampleQuality} over
     * {@code splits} disjoint contiguous seed ranges.
     */
    static SampleQuality.Report measure(
            FeatureNetwork net, ReferenceFeatures ref, String name, double[] x, int splits, int k) {
        ImageDataset images = SampleImages.images(Npy.Array.ofDoubles(x, x.length / 1024, 1, 32, 32));
        return SampleQuality.evaluate(net, ref, SampleQuality.split(name, images, splits), k);
    }

    /** EDM's ρ schedule on the network's σ range (as sample does). */
    static double[] sigmas(int steps, Denoiser model) {
        return EdmSchedule.sigmas(steps, 0.002, 80, 7, model.sigmaMin(), model.sigmaMax(), model::roundSigma);
    }

    /**
     * The exposure-bias curves: the four published presets with the first Heun run of the grid (else
     * Heun 35 NFE), and the training-time reference on the first training images.
     */
    private ObjectNode exposureBias(RunFolder folder, StudyGrid grid, SampleCommand.Models m, Device dev)
            throws IOException {
        StudyGrid.Run heun = grid.runs().stream()
                .filter(r -> r.solver() == Solver.HEUN)
                .findFirst()
                .orElse(new StudyGrid.Run(Solver.HEUN, 18));
        double[] sigmas = sigmas(heun.steps(), m.denoiser());
        Map<String, EdmSampler.Options> presets = new LinkedHashMap<>();
        presets.put("EDM", EdmSampler.Options.edm());
        presets.put("EDM-ES", EdmSampler.Options.edmEs());
        if (m.discriminator() != null) {
            presets.put("EDM-G++", EdmSampler.Options.edmGpp());
            presets.put("SEDM-G++", EdmSampler.Options.sedmGpp());
        }
        long[] seeds = LongStream.range(0, curveSamples).toArray();
        Map<String, double[]> curves = Charts.curves();
        for (Map.Entry<String, EdmSampler.Options> p : presets.entrySet()) {
            ExposureBiasProbe probe = new ExposureBiasProbe();
            m.sample(
                    "exposure " + p.getKey(),
                    new EdmSampler(p.getValue(), m.discriminator()),
                    sigmas,
                    seeds,
                    new long[] {1, 32, 32},
                    batch,
                    dev,
                    probe,
                    !quiet);
            curves.put(
                    p.getKey(),
                    probe.rows().stream()
                            .mapToDouble(ExposureBiasProbe.Row::mean)
                            .toArray());
        }
        int steps = sigmas.length - 1;
        ImageDataset real = FashionMnist.load(FashionMnist.directory(), true, curveSamples, 32);
        double[] training = new double[steps];
        int[] all = java.util.stream.IntStream.range(0, real.size()).toArray();
        for (int start = 0; start < all.length; start += batch) {
            int[] idx = Arrays.copyOfRange(all, start, Math.min(all.length, start + batch));
            if (m.labels() != null)
                m.labels().use(Arrays.stream(idx).map(k -> real.labels()[k]).toArray()); // true classes
            try (Tensor x0 = real.batch(idx, dev);
                    Generator g = Generator.ofSeedRange(1_000_000L + start, idx.length)) {
                double[] t = ExposureBiasProbe.trainingNorms(m.denoiser(), x0, Arrays.copyOf(sigmas, steps), g);
                for (int i = 0; i < steps; i++) training[i] += t[i] * idx.length / real.size();
            }
        }
        curves.put("training", training);
        double[] step =
                java.util.stream.IntStream.range(0, steps).asDoubleStream().toArray();
        Charts.lines(
                folder.file("exposure-bias.png"),
                "Exposure bias: mean ‖ε̂‖ per step (" + heun.label() + ", " + curveSamples + " images)",
                "sampler step i (σ from " + num(sigmas[0]) + " down to " + num(sigmas[steps - 1]) + ")",
                step,
                "mean ‖ε̂‖",
                curves);
        try (Writer w = Files.newBufferedWriter(folder.file("exposure-bias.csv"))) {
            w.write("step,sigma," + String.join(",", curves.keySet()) + "\n");
            for (int i = 0; i < steps; i++) {
                StringBuilder sb = new StringBuilder();
                sb.append(i).append(',').append(num(sigmas[i]));
                for (double[] c : curves.values()) sb.append(',').append(i < c.length ? num(c[i]) : "");
                w.write(sb.append('\n').toString());
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("run", heun.label());
        out.put("images", curveSamples);
        out.set("sigma", JSON.valueToTree(Arrays.copyOf(sigmas, steps)));
        for (Map.Entry<String, double[]> c : curves.entrySet()) out.set(c.getKey(), JSON.valueToTree(c.getValue()));
        return out;
    }

    private static void heatmap(Path png, StudyGrid grid, StudyGrid.Run run, List<Result> results, String metric) {
        double[] w = grid.dgWeights();
        double[] l = grid.esScales();
        double[][] v = new double[w.length][l.length];
        for (Result r : results) {
            if (!r.cell().run().equals(run)) continue;
            int i = indexOf(w, r.cell().w1());
            int j = indexOf(l, r.cell().lambda());
            v[i][j] = r.summary().get(metric).mean();
        }
        Charts.heatmap(
                png,
                metric + " (mean over seed ranges), " + run.label(),
                "ES λ",
                Arrays.stream(l).mapToObj(StudyCommand::fmt).toArray(String[]::new),
                "DG w1",
                Arrays.stream(w).mapToObj(StudyCommand::fmt).toArray(String[]::new),
                v,
                metric,
                metric.startsWith("fd"));
    }

    private static int indexOf(double[] a, double v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        throw new IllegalStateException(v + " is not on the grid " + Arrays.toString(a));
    }

    private static void writeCsv(Path file, List<Result> results) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            StringBuilder h = new StringBuilder("run,solver,nfe,w1,lambda,family,seconds");
            for (String metric : SampleQuality.METRICS)
                h.append(',').append(metric).append(",").append(metric + "_se");
            w.write(h.append('\n').toString());
            for (Result r : results) {
                StudyGrid.Cell c = r.cell();
                StringBuilder sb = new StringBuilder();
                sb.append(c.run().label())
                        .append(',')
                        .append(c.run().solver().name().toLowerCase(Locale.ROOT))
                        .append(',')
                        .append(c.run().nfe())
                        .append(',')
                        .append(fmt(c.w1()))
                        .append(',')
                        .append(fmt(c.lambda()))
                        .append(',')
                        .append(c.family())
                        .append(',')
                        .append(String.format(Locale.ROOT, "%.2f", r.seconds()));
                for (String metric : SampleQuality.METRICS) {
                    Runs s = r.summary().get(metric);
                    sb.append(',').append(num(s.mean())).append(',').append(num(s.standardError()));
                }
                w.write(sb.append('\n').toString());
            }
        }
    }

    private static ObjectNode cellJson(Result r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("run", r.cell().run().label());
        o.put("nfe", r.cell().run().nfe());
        o.put("w1", r.cell().w1());
        o.put("lambda", r.cell().lambda());
        o.put("family", r.cell().family());
        o.put("seconds", r.seconds());
        for (Map.Entry<String, Runs> e : r.summary().entrySet()) {
            ObjectNode s = o.putObject(e.getKey());
            s.put("mean", e.getValue().mean());
            s.put("se", e.getValue().standardError());
            s.put("min", e.getValue().min());
        }
        return o;
    }

    private static String row(Result r) {
        Runs fd = r.summary().get("fd_train");
        Runs p = r.summary().get("precision");
        Runs rc = r.summary().get("recall");
        return String.format(
                Locale.ROOT,
                "%-9s w1 %-5s λ %-7s %-9s fd_train %.4g ± %.2g  P %.3f ± %.3f  R %.3f ± %.3f  (%.1f s)",
                r.cell().run().label(),
                fmt(r.cell().w1()),
                fmt(r.cell().lambda()),
                r.cell().family(),
                fd.mean(),
                fd.standardError(),
                p.mean(),
                p.standardError(),
                rc.mean(),
                rc.standardError(),
                r.seconds());
    }

    private static String label(StudyGrid.Cell c) {
        return c.run().label() + " w1=" + fmt(c.w1()) + " λ=" + fmt(c.lambda());
    }

    private static String fileLabel(StudyGrid.Cell c) {
        return c.run().label() + "-w" + fmt(c.w1()) + "-l" + fmt(c.lambda());
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.8g", v);
    }

    private void note(String line) {
        if (!quiet) System.err.println("study: " + line);
    }
}
