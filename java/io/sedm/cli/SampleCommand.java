package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sedm.data.Npy;
import io.sedm.data.toy.GaussianMixture;
import io.sedm.guidance.Discriminator;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.guidance.NetworkClassifier;
import io.sedm.guidance.NoisyClassifier;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.sampler.ClassifierFreeGuidance;
import io.sedm.sampler.ClassifierGuidance;
import io.sedm.sampler.ConditionalDenoiser;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.ExposureBiasProbe;
import io.sedm.sampler.GaussianMixtureClasses;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.sampler.StepListener;
import io.sedm.train.Checkpoint;
import io.sedm.train.MlpConfig;
import io.sedm.train.NetworkDenoiser;
import io.sedm.train.NetworkDiscriminator;
import io.sedm.train.SongUNetConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sedm sample}, in the shape of NVlabs/edm {@code generate.py}'s main: resolve and check
 * every option ({@link SamplerOptions} per sampler family), load the models, run the seeds in
 * batches ({@link Batches}), check the samples lie in the model's data range, then write
 * {@code options.json}, {@code samples.npy} and the rest all-or-nothing ({@link RunFolder}).
 */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description =
                "Generate samples with the EDM family, EDM's ablation presets, DDIM/DDPM, score-SDE and NCSN samplers.")
public final class SampleCommand implements Callable<Integer> {
    /** At most this many seeds per run: 20× the 50k images of an FID evaluation. */
    static final long MAX_SEEDS = 1_000_000;
    /** |z| of a standard normal draw beyond this has probability below 1e-22: such latents are not draws. */
    static final double MAX_LATENT = 10;

    @Spec
    CommandSpec spec;

    @Mixin
    SamplerOptions samplerOptions;

    @Mixin
    ControlOptions control = new ControlOptions();

    @Option(
            names = "--denoiser",
            required = true,
            paramLabel = "gmm:FILE.json|checkpoint:SIDECAR.json",
            description = "the model: gmm:FILE = exact Gaussian-mixture denoiser from {weights, means, variances}; "
                    + "checkpoint:SIDECAR = the EMA network of a `sedm train` checkpoint (EDM preconditioning) or "
                    + "of a `sedm import` one (its VP, VE, iDDPM or EDM preconditioning)")
    String denoiser;

    @Option(
            names = "--class",
            paramLabel = "INT",
            description = "class-conditional models and --guidance: the class of every sample, in [0, label_dim) "
                    + "[default: a random class per seed, drawn from the seed's generator as EDM's generate.py]")
    Integer classIndex;

    @Option(
            names = "--seeds",
            defaultValue = "0-63",
            paramLabel = "LIST",
            description = "non-negative seeds, e.g. 0-63 or 1,5,10-19; at most " + MAX_SEEDS)
    String seeds;

    @Option(
            names = "--batch",
            defaultValue = "64",
            paramLabel = "INT",
            description = "samples per batch, in [1, 65536]")
    int batch;

    @Option(
            names = "--shape",
            paramLabel = "C,H,W",
            description = "per-sample shape (its product must equal the model's dim); C,H,W also writes a PNG grid")
    String shape;

    @Option(
            names = "--latents",
            paramLabel = "FILE.npy",
            description = "float32/float64 z, one row per seed (x_0 = σ_max·z)")
    Path latents;

    @Option(names = "--outdir", defaultValue = "out/sample", paramLabel = "DIR", description = "output folder")
    Path outdir;

    @Option(
            names = "--dtype",
            defaultValue = "float32",
            paramLabel = "float32|float64|uint8",
            description =
                    "dtype of samples.npy; uint8 writes [N, H, W, C] images (the fake set of train-discriminator)")
    String dtype;

    @Option(names = "--probe", description = "also write exposure.csv (per-step mean ‖ε̂‖)")
    boolean probe;

    @Option(
            names = "--allow-unusual",
            description = "run option values outside the papers' usual ranges and write samples outside the data range")
    boolean allowUnusual;

    @Option(
            names = "--dry-run",
            description = "check the options, the named files and the device; print the resolved options as JSON")
    boolean dryRun;

    @Option(names = "--quiet", description = "no progress display on stderr")
    boolean quiet;

    @Mixin
    ComputeOptions compute;

    @Mixin
    DistributedOptions dist = new DistributedOptions();

    /** Everything a run uses, as written to options.json. */
    record RunOptions(
            SamplerPlan sampler,
            String denoiser,
            String discriminator,
            String classifier,
            Integer classIndex,
            String seeds,
            int count,
            int batch,
            String device,
            int threads,
            long[] shape,
            String latents,
            String outdir,
            String dtype,
            boolean probe,
            boolean allowUnusual,
            ControlOptions.Resolved control) {}

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    RunOptions resolve() {
        try {
            compute.apply();
            ControlOptions.Resolved ctl = control.resolve();
            boolean classifierGuidance = "classifier".equals(ctl.guidance());
            SamplerPlan plan = samplerOptions.plan(
                    spec.commandLine().getParseResult(),
                    allowUnusual,
                    classifierGuidance ? java.util.Set.of("--classifier") : java.util.Set.of());
            String disc = samplerOptions.discriminator;
            if (plan.guided() && disc == null) {
                throw new IllegalArgumentException("--sampler " + plan.sampler()
                        + " with DG weights needs --discriminator " + "oracle:FILE.json or net:SIDECAR.json");
            }
            require(
                    denoiser.startsWith("gmm:") || denoiser.startsWith("checkpoint:"),
                    "--denoiser must be gmm:FILE.json or checkpoint:SIDECAR.json, got '" + denoiser + "'");
            require(
                    disc == null || disc.startsWith("oracle:") || disc.startsWith("net:"),
                    "--discriminator must be oracle:FILE.json or net:SIDECAR.json, got '" + disc + "'");
            require(
                    disc == null || !disc.startsWith("oracle:") || denoiser.startsWith("gmm:"),
                    "--discriminator oracle: needs a gmm: denoiser (the oracle is the exact ratio of two mixtures)");
            require(
                    disc == null || !disc.startsWith("net:") || samplerOptions.classifier != null,
                    "--discriminator net: needs --classifier SIDECAR.json (the trunk the head was trained on)");
            require(
                    classIndex == null || denoiser.startsWith("checkpoint:") || ctl.guidance() != null,
                    "--class needs a class-conditional checkpoint: denoiser, or --guidance");
            require(
                    !classifierGuidance || denoiser.startsWith("gmm:") || samplerOptions.classifier != null,
                    "--guidance classifier needs --classifier SIDECAR.json (a `sedm train-classifier` checkpoint)");
            require(batch >= 1 && batch <= 65536, "--batch must be in [1, 65536], got " + batch);
            require(
                    List.of("float32", "float64", "uint8").contains(dtype),
                    "--dtype must be float32, float64 or uint8 (NHWC images, EDM's quantisation), got '" + dtype + "'");
            long[] dims = shape == null ? null : parseShape(shape);
            require(!dtype.equals("uint8") || dims == null || dims.length == 3, "--dtype uint8 needs --shape C,H,W");
            long[] seedList = parseSeeds(seeds);
            requireFile("--denoiser", after(denoiser));
            requireFile("--discriminator", disc == null ? null : after(disc));
            requireFile("--classifier", samplerOptions.classifier);
            requireFile("--latents", latents == null ? null : latents.toString());
            device();
            return new RunOptions(
                    plan,
                    denoiser,
                    disc,
                    samplerOptions.classifier,
                    classIndex,
                    seeds,
                    seedList.length,
                    batch,
                    compute.device(),
                    compute.threads(),
                    dims,
                    latents == null ? null : latents.toString(),
                    outdir.toString(),
                    dtype,
                    probe,
                    allowUnusual,
                    ctl);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String after(String prefixed) {
        return prefixed.substring(prefixed.indexOf(':') + 1);
    }

    private static void requireFile(String flag, String file) {
        require(file == null || Files.isRegularFile(Path.of(file)), flag + ": no such file " + file);
    }

    private Device device() {
        Device dev = Device.parse(compute.device());
        if (dev.isCuda()) {
            int count = Device.cudaDeviceCount();
            require(
                    dev.index() < count,
                    "--device " + compute.device() + ": this machine has " + count + " CUDA device(s)");
        }
        return dev;
    }

    static long[] parseShape(String text) {
        try {
            long[] dims = Arrays.stream(text.split(","))
                    .map(String::trim)
                    .mapToLong(Long::parseLong)
                    .toArray();
            require(Arrays.stream(dims).allMatch(d -> d >= 1 && d <= 1 << 16), "");
            return dims;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--shape must be comma-separated integers in [1, 65536], got '" + text + "'");
        }
    }

    /** Seeds and ranges such as {@code 0-63} or {@code 1,5,10-19}; at most {@link #MAX_SEEDS}, none negative. */
    static long[] parseSeeds(String text) {
        String usage = "--seeds must be non-negative seeds and ranges such as 0-63 or 1,5,10-19; got '" + text + "'";
        List<long[]> ranges = new ArrayList<>();
        long count = 0;
        try {
            for (String part : text.split(",", -1)) {
                String p = part.trim();
                int dash = p.indexOf('-', 1);
                long lo = Long.parseLong(dash > 0 ? p.substring(0, dash).trim() : p);
                long hi = dash > 0 ? Long.parseLong(p.substring(dash + 1).trim()) : lo;
                require(lo >= 0 && hi >= lo, usage);
                count += hi - lo < MAX_SEEDS ? hi - lo + 1 : MAX_SEEDS + 1;
                require(
                        count <= MAX_SEEDS,
                        "--seeds names more than " + MAX_SEEDS + " seeds (" + text + "); split the run");
                ranges.add(new long[] {lo, hi});
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage);
        }
        long[] out = new long[(int) count];
        int k = 0;
        for (long[] r : ranges) {
            for (long v = r[0]; k < out.length && v <= r[1]; v++) {
                out[k++] = v;
                if (v == Long.MAX_VALUE) {
                    break;
                }
            }
        }
        return out;
    }

    /** The loaded denoiser and discriminator, the natural sample shape and the data's range (NaN = unknown). */
    record Models(
            Denoiser denoiser,
            Discriminator discriminator,
            long[] natural,
            double dataBound,
            String dataRange,
            ClassLabels labels,
            List<AutoCloseable> owned)
            implements AutoCloseable {
        /**
         * Samples {@code seeds} of shape {@code sample} in one process with {@code sampler} on
         * {@code sigmas}, each batch with its seeds' class labels when the model is conditional.
         */
        double[] sample(
                String task,
                io.sedm.sampler.Sampler sampler,
                double[] sigmas,
                long[] seeds,
                long[] sample,
                int batch,
                Device dev,
                StepListener listener,
                boolean progress) {
            return Batches.run(
                    task,
                    sampler,
                    denoiser,
                    sigmas,
                    seeds,
                    sample,
                    batch,
                    dev,
                    null,
                    listener,
                    progress,
                    labels == null ? b -> {} : labels::select,
                    null);
        }

        @Override
        public void close() {
            closeAll(owned);
        }
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (int k = owned.size() - 1; k >= 0; k--) {
            try {
                owned.get(k).close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + owned.get(k) + ": " + e.getMessage(), e);
            }
        }
    }

    private static Models load(RunOptions o, Device dev) throws Exception {
        return load(o.denoiser(), o.classIndex(), o.classifier(), o.discriminator(), o.control(), dev);
    }

    /** As below, with no guidance. */
    static Models load(String denoiser, Integer classIndex, String classifier, String discriminator, Device dev)
            throws Exception {
        return load(denoiser, classIndex, classifier, discriminator, ControlOptions.Resolved.NONE, dev);
    }

    /** A {@code --loss hybrid} checkpoint: an iDDPM learned-variance ε-network ([ε̂, v]). */
    static boolean isHybrid(Checkpoint checkpoint) {
        return !checkpoint.imported()
                && checkpoint.training().path("loss").asText("").equals("hybrid");
    }

    /**
     * The one place that reads models from disk: {@code denoiser} is a checkpoint sidecar or
     * {@code gmm:FILE}; {@code discriminator} (null = none) a head checkpoint with its
     * {@code classifier} trunk, or {@code oracle:FILE}.
     */
    static Models load(
            String denoiser,
            Integer classIndex,
            String classifier,
            String discriminator,
            ControlOptions.Resolved control,
            Device dev)
            throws Exception {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            Denoiser model;
            long[] natural;
            double bound;
            String range;
            GaussianMixture mixture = null;
            GaussianMixtureDenoiser exact = null; // the gmm: model itself, under any guidance wrapper
            ClassLabels labels = null;
            if (denoiser.startsWith("gmm:")) {
                mixture = GaussianMixture.read(Path.of(after(denoiser)));
                GaussianMixtureDenoiser gmm = GaussianMixtureDenoiser.of(mixture, dev);
                owned.add(gmm);
                model = gmm;
                exact = gmm;
                if (control.guidance() != null) {
                    // the components are the classes: exact conditional denoiser and posterior
                    GaussianMixtureClasses classes = new GaussianMixtureClasses(mixture, dev);
                    owned.add(classes);
                    labels = new ClassLabels(classes.labelDim(), classIndex, dev);
                    owned.add(labels);
                    model = guided(control, classes, gmm, classes, labels);
                }
                natural = new long[] {gmm.dim()};
                bound = 0;
                for (int j = 0; j < mixture.components(); j++) {
                    double m = Arrays.stream(mixture.means()[j])
                            .map(Math::abs)
                            .max()
                            .orElse(0);
                    bound = Math.max(bound, m + 10 * Math.sqrt(mixture.variances()[j]));
                }
                range = "the mixture's components (|μ| + 10·c)";
            } else {
                Checkpoint checkpoint =
                        Checkpoint.read(Path.of(after(denoiser)), Checkpoint.Kind.DENOISER, "--denoiser");
                switch (checkpoint.network()) {
                    case SongUNetConfig u -> {
                        natural = new long[] {u.inChannels(), u.imgResolution(), u.imgResolution()};
                        bound = 2;
                        range = "images trained in [-1, 1]";
                    }
                    case io.sedm.train.DhariwalUNetConfig d -> {
                        natural = new long[] {d.inChannels(), d.imgResolution(), d.imgResolution()};
                        bound = 2;
                        range = "images trained in [-1, 1]";
                    }
                    case MlpConfig m -> {
                        natural = new long[] {m.inFeatures()};
                        bound = Double.NaN;
                        range = "";
                    }
                    default ->
                        throw new IllegalArgumentException(
                                "--denoiser " + denoiser + " is not a denoiser checkpoint (U-Net or MLP)");
                }
                Network net = checkpoint.loadDenoiser(dev);
                owned.add(net);
                int labelDim = checkpoint.labelDim();
                String guidance = control.guidance();
                if (labelDim > 0) {
                    labels = new ClassLabels(labelDim, classIndex, dev);
                    owned.add(labels);
                } else if ("cfg".equals(guidance)) {
                    throw new IllegalArgumentException("--guidance cfg: " + denoiser
                            + " is an unconditional model (label_dim 0); classifier-free guidance needs a "
                            + "class-conditional one (sedm train --cond --label-dropout P)");
                } else if (classIndex != null && guidance == null) {
                    throw new IllegalArgumentException("--class " + classIndex + ": " + denoiser
                            + " is an unconditional model (label_dim 0); use --guidance classifier to steer it");
                }
                ClassLabels batchLabels = labels;
                model = isHybrid(checkpoint)
                        ? new io.sedm.train.LearnedVarianceNetworkDenoiser(
                                net,
                                io.sedm.schedule.BetaSchedule.linear(1000),
                                io.sedm.runtime.DType.valueOf(
                                        checkpoint.network().dtype().toUpperCase(java.util.Locale.ROOT)))
                        : new NetworkDenoiser(
                                net,
                                checkpoint.preconditioning(),
                                () -> batchLabels == null ? null : batchLabels.current(),
                                checkpoint.imported());
                if ("cfg".equals(guidance)) {
                    double dropout = switch (checkpoint.network()) {
                        case SongUNetConfig u -> u.labelDropout();
                        case io.sedm.train.DhariwalUNetConfig d -> d.labelDropout();
                        default -> 0.0;
                    };
                    if (!(dropout > 0)) {
                        throw new IllegalArgumentException("--guidance cfg: " + denoiser
                                + " was trained with label_dropout 0, so its null label ∅ was never trained; "
                                + "train with --label-dropout P (Ho & Salimans use 0.1–0.2)");
                    }
                    ConditionalNetwork conditional =
                            new ConditionalNetwork(net, checkpoint.preconditioning(), checkpoint.imported(), labelDim);
                    model = guided(control, conditional, model, null, labels);
                } else if ("classifier".equals(guidance)) {
                    Checkpoint c = Checkpoint.read(Path.of(classifier), Checkpoint.Kind.CLASSIFIER, "--classifier");
                    int classes = c.network() instanceof io.sedm.train.AdmEncoderConfig a ? a.outChannels() : 0;
                    if (classes < 2) {
                        throw new IllegalArgumentException(
                                "--classifier " + classifier + " has no class logits (outChannels " + classes + ")");
                    }
                    if (labelDim > 0 && labelDim != classes) {
                        throw new IllegalArgumentException("--classifier " + classifier + " has " + classes
                                + " classes but the model has label_dim " + labelDim);
                    }
                    if (labels == null) {
                        labels = new ClassLabels(classes, classIndex, dev);
                        owned.add(labels);
                    }
                    Network classifierNet = c.network().build(dev);
                    owned.add(classifierNet);
                    classifierNet.load(c.file("net"), true);
                    model = guided(control, null, model, new NetworkClassifier(classifierNet, classes), labels);
                }
            }
            Discriminator disc = null;
            if (discriminator != null && discriminator.startsWith("oracle:")) {
                GaussianMixtureDenoiser data = GaussianMixtureDenoiser.fromJson(Path.of(after(discriminator)), dev);
                owned.add(data);
                disc = new GaussianMixtureOracle(data.density(), exact.density());
            } else if (discriminator != null) {
                Checkpoint trunk = Checkpoint.read(Path.of(classifier), Checkpoint.Kind.CLASSIFIER, "--classifier");
                Checkpoint head = Checkpoint.read(
                        Path.of(after(discriminator)), Checkpoint.Kind.DISCRIMINATOR, "--discriminator");
                Network trunkNet = trunk.loadTrunk(dev);
                owned.add(trunkNet);
                Network headNet = head.loadHead(dev);
                owned.add(headNet);
                int headClasses = head.network() instanceof io.sedm.train.AdmEncoderConfig a ? a.numClasses() : 0;
                if (headClasses > 0 && labels == null) {
                    throw new IllegalArgumentException("--discriminator " + discriminator
                            + " is class-conditional (a label embedding of " + headClasses
                            + " classes); it needs a class-conditional denoiser");
                }
                ClassLabels batchLabels = labels;
                disc = headClasses > 0
                        ? new NetworkDiscriminator(trunkNet, headNet, batchLabels::current)
                        : new NetworkDiscriminator(trunkNet, headNet);
            }
            return new Models(model, disc, natural, bound, range, labels, owned);
        } catch (Exception | Error e) {
            closeAll(owned);
            throw e;
        }
    }

    /** The model under --guidance: classifier-free around {@code conditional}, or classifier guidance of {@code model}. */
    private static Denoiser guided(
            ControlOptions.Resolved c,
            ConditionalDenoiser conditional,
            Denoiser model,
            NoisyClassifier classifier,
            ClassLabels labels) {
        return c.guidance().equals("cfg")
                ? new ClassifierFreeGuidance(conditional, labels::current, c.guidanceScale())
                : new ClassifierGuidance(model, classifier, labels::current, c.guidanceScale());
    }

    /** float latents, one row per seed, each value a plausible standard normal draw. */
    private double[] readLatents(RunOptions o, long per) {
        if (o.latents() == null) {
            return null;
        }
        Npy.Array z = Npy.read(Path.of(o.latents()));
        require(
                z.type() == Npy.Type.F4 || z.type() == Npy.Type.F8,
                "--latents " + o.latents() + " holds "
                        + z.type()
                                .name()
                                .toLowerCase(java.util.Locale.ROOT)
                                .replace("u1", "uint8")
                                .replace("i8", "int64")
                        + " values; latents are float32 or float64 standard normal draws");
        require(
                z.shape().length >= 1 && z.shape()[0] == o.count() && z.numel() == o.count() * per,
                "--latents " + o.latents() + " has shape " + Arrays.toString(z.shape()) + " but " + o.count()
                        + " seeds × " + per + " values are needed");
        double[] v = z.toDoubles();
        for (double x : v) {
            require(
                    Double.isFinite(x) && (o.allowUnusual() || Math.abs(x) <= MAX_LATENT),
                    "--latents " + o.latents() + " holds " + x + "; standard normal draws lie within ±" + MAX_LATENT
                            + " (--allow-unusual to run it anyway)");
        }
        return v;
    }

    @Override
    public Integer call() throws Exception {
        RunOptions o = resolve();
        PrintWriter stdout = spec.commandLine().getOut();
        var rendezvous = dist.validate();
        require(
                !probe || (!dist.launchesWorkers() && rendezvous.isEmpty()),
                "--probe averages over every sample of one process; run it without --nproc or torchrun");
        if (dryRun) {
            stdout.println(JSON.writeValueAsString(o));
            stdout.flush();
            return 0;
        }
        if (dist.launchesWorkers()) {
            return dist.launch(spec);
        }
        Device dev = DistributedOptions.device(rendezvous, device());
        double seconds;
        try (var group = dist.join(rendezvous, dev);
                Models m = load(o, dev)) {
            long[] sample = o.shape() == null ? m.natural() : o.shape();
            long per = Arrays.stream(sample).reduce(1, (a, b) -> a * b);
            long natural = Arrays.stream(m.natural()).reduce(1, (a, b) -> a * b);
            require(
                    per == natural,
                    "--shape " + shape + " has " + per + " elements but the model's sample has " + natural);
            require(!o.dtype().equals("uint8") || sample.length == 3, "--dtype uint8 needs image samples [C, H, W]");
            double[] z = readLatents(o, per);
            long[] seedList = parseSeeds(o.seeds());
            try (InverseProblem inverse = InverseProblem.of(o.control(), sample, seedList, dev)) {
                Denoiser model = inverse == null ? m.denoiser() : inverse.wrap(m.denoiser());
                SamplerPlan.Built plan = o.sampler().build(model, m.discriminator());
                ExposureBiasProbe exposure = o.probe() ? new ExposureBiasProbe() : null;
                long started = System.nanoTime();
                double[] all = Batches.run(
                        "sample " + o.sampler().sampler(),
                        plan.sampler(),
                        model,
                        plan.sigmas(),
                        seedList,
                        sample,
                        o.batch(),
                        dev,
                        z,
                        exposure == null ? StepListener.NONE : exposure,
                        !quiet && (group == null || group.isLeader()),
                        batchSeeds -> {
                            if (m.labels() != null) m.labels().select(batchSeeds);
                            if (inverse != null) inverse.select(batchSeeds);
                        },
                        group);
                if (all == null) {
                    return 0; // a rank other than 0: its samples went to rank 0, which writes the files
                }
                if (inverse != null) inverse.project(all); // known pixels exactly the known values
                seconds = (System.nanoTime() - started) / 1e9;
                requireInRange(all, m, o.allowUnusual());
                write(
                        o,
                        all,
                        sample,
                        exposure,
                        m.labels() == null ? null : m.labels().classes(seedList));
            }
        }
        stdout.printf(
                java.util.Locale.ROOT,
                "wrote %d samples to %s (sampling %.3f s, %.4g images/s)%n",
                o.count(),
                outdir.resolve("samples.npy"),
                seconds,
                o.count() / seconds);
        stdout.flush();
        return 0;
    }

    private static void requireInRange(double[] x, Models m, boolean allowUnusual) {
        double max = Arrays.stream(x).map(Math::abs).max().orElse(0);
        if (!allowUnusual && max > m.dataBound()) {
            throw new IllegalStateException("samples reach |x| = " + Batches.fmt(max)
                    + ", far outside the data range |x| <= " + Batches.fmt(m.dataBound()) + " (" + m.dataRange()
                    + "); nothing was written (--allow-unusual writes them anyway)");
        }
    }

    private void write(RunOptions o, double[] all, long[] sample, ExposureBiasProbe exposure, int[] classes)
            throws Exception {
        int n = o.count();
        try (RunFolder folder = RunFolder.open(outdir, "--outdir")) {
            JSON.writeValue(folder.file("options.json").toFile(), o);
            Path npy = folder.file("samples.npy");
            if (o.dtype().equals("uint8")) {
                Npy.write(npy, Npy.Array.ofBytes(toUint8Nhwc(all, n, sample), n, sample[1], sample[2], sample[0]));
            } else {
                long[] full = new long[sample.length + 1];
                full[0] = n;
                System.arraycopy(sample, 0, full, 1, sample.length);
                Npy.write(
                        npy,
                        o.dtype().equals("float32")
                                ? Npy.Array.ofFloats(toFloats(all), full)
                                : Npy.Array.ofDoubles(all, full));
            }
            if (sample.length == 3 && (sample[0] == 1 || sample[0] == 3)) {
                ImageGrid.write(folder.file("grid.png"), all, n, (int) sample[0], (int) sample[1], (int) sample[2]);
            }
            if (exposure != null) {
                exposure.writeCsv(folder.file("exposure.csv"));
            }
            if (classes != null) {
                long[] c = new long[classes.length];
                for (int i = 0; i < c.length; i++) c[i] = classes[i];
                Npy.write(folder.file("labels.npy"), Npy.Array.ofLongs(c, c.length));
            }
            folder.commit("options.json", "samples.npy", "grid.png", "exposure.csv", "labels.npy");
        }
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** [N, C, H, W] in [−1, 1] → uint8 [N, H, W, C] with EDM's k = clamp(floor(127.5·x + 128), 0, 255). */
    static byte[] toUint8Nhwc(double[] x, int n, long[] chw) {
        int c = (int) chw[0];
        int h = (int) chw[1];
        int w = (int) chw[2];
        byte[] out = new byte[n * c * h * w];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        out[((i * h + y) * w + xx) * c + ch] =
                                (byte) ImageGrid.pixel(x[((i * c + ch) * h + y) * w + xx]);
                    }
                }
            }
        }
        return out;
    }
}
