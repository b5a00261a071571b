package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.Checkpoint;
import io.sedm.train.ClassifierTrainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sedm train-classifier}: the noise-aware ADM classifier whose trunk DG freezes
 * (docs/ALGORITHMS.md §7.4). {@code --resume} continues a classifier checkpoint's run with its
 * settings; Ctrl-C saves the current step.
 */
@Command(
        name = "train-classifier",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "Train the noise-aware classifier (ADM encoder + attention pool) on Fashion-MNIST labels.")
public final class TrainClassifierCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--outdir", defaultValue = "runs", paramLabel = "DIR")
    Path outdir;

    @Option(names = "--desc", defaultValue = "classifier", paramLabel = "NAME")
    String desc;

    @Option(
            names = "--width",
            defaultValue = "128",
            paramLabel = "INT",
            description = "model_channels of the trunk, in [1, 1024]")
    int width;

    @Option(names = "--depth", defaultValue = "2", paramLabel = "INT", description = "res-blocks per level, in [1, 16]")
    int depth;

    @Option(
            names = "--mult",
            defaultValue = "1,2,4",
            split = ",",
            paramLabel = "INT,...",
            description = "channel_mult per level, 1 to 4 levels (32x32 halves per level; DG: 1,2,4)")
    int[] mult;

    @Option(
            names = "--attn",
            defaultValue = "32,16,8",
            paramLabel = "RES,...|none",
            description = "resolutions with self-attention (DG: 32,16,8); 'none' for a purely convolutional trunk, "
                    + "several times cheaper on a CPU")
    String attn;

    @Option(
            names = "--data-limit",
            defaultValue = "0",
            paramLabel = "INT",
            description = "first images only, >= 0 (0 = all)")
    int dataLimit;

    @Option(names = "--batch", defaultValue = "128", paramLabel = "INT", description = "images per step, >= 1")
    int batch;

    @Option(
            names = "--lr",
            defaultValue = "3e-4",
            paramLabel = "FLOAT",
            description = "Adam learning rate, in (0, 1] (ADM/DG: 3e-4)")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "FLOAT", description = ">= 0")
    double weightDecay;

    @Option(
            names = "--steps",
            defaultValue = "20000",
            paramLabel = "INT",
            description = "optimizer steps (total, counting a resumed run's), >= 1")
    long steps;

    @Option(names = "--log-every", defaultValue = "100", paramLabel = "INT", description = ">= 1")
    long logEvery;

    @Option(
            names = "--eval-images",
            defaultValue = "2000",
            paramLabel = "INT",
            description = "test images scored at the end, in [0, 10000] (0 = skip)")
    int evalImages;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT")
    long seed;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Mixin
    DistributedOptions dist = new DistributedOptions();

    @Option(
            names = "--resume",
            paramLabel = "SIDECAR",
            description = "continue a classifier checkpoint's run, with its settings")
    Path resume;

    @Option(names = "--quiet", description = "no progress display on stderr")
    boolean quiet;

    @Option(names = "--dry-run", description = "print the resolved options JSON and exit")
    boolean dryRun;

    AdmEncoderConfig config(int width, int depth, long seed) {
        return AdmEncoderConfig.dg(
                "classifier", 32, 1, width, mult, depth, attnResolutions(attn, mult.length), 10, seed);
    }

    /** {@code --attn}: "none" or comma-separated resolutions among those the trunk visits (32, 16, …). */
    static int[] attnResolutions(String spec, int levels) {
        String s = spec.strip();
        if (s.equalsIgnoreCase("none") || s.isEmpty()) return new int[0];
        String[] parts = s.split(",");
        int[] res = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int r;
            try {
                r = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--attn must be 'none' or resolutions like 32,16,8, got " + spec);
            }
            boolean visited = false;
            for (int level = 0; level < levels; level++) visited |= r == (32 >> level);
            TrainCommand.require(
                    visited,
                    "--attn resolution " + r + " is not one the trunk visits (" + levels + " levels: 32 down to "
                            + (32 >> (levels - 1)) + ")");
            res[i] = r;
        }
        return res;
    }

    void validate() {
        TrainCommand.require(width >= 1 && width <= 1024, "--width must be in [1, 1024], got " + width);
        TrainCommand.require(depth >= 1 && depth <= 16, "--depth must be in [1, 16], got " + depth);
        TrainCommand.require(
                mult.length >= 1 && mult.length <= 4, "--mult must name 1 to 4 levels, got " + mult.length);
        for (int m : mult) TrainCommand.require(m >= 1 && m <= 16, "--mult entries must be in [1, 16], got " + m);
        attnResolutions(attn, mult.length);
        TrainCommand.require(dataLimit >= 0, "--data-limit must be >= 0, got " + dataLimit);
        TrainCommand.require(batch >= 1, "--batch must be >= 1, got " + batch);
        TrainCommand.require(lr > 0 && lr <= 1, "--lr must be in (0, 1] (ADM and DG use 3e-4), got " + lr);
        TrainCommand.require(
                weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay must be >= 0, got " + weightDecay);
        TrainCommand.require(steps >= 1, "--steps must be >= 1, got " + steps);
        TrainCommand.require(logEvery >= 1, "--log-every must be >= 1, got " + logEvery);
        TrainCommand.require(
                evalImages >= 0 && evalImages <= 10_000, "--eval-images must be in [0, 10000], got " + evalImages);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        ObjectMapper json = new ObjectMapper();
        AdmEncoderConfig cfg = config(width, depth, seed);
        ClassifierTrainer.Options opts = new ClassifierTrainer.Options(batch, lr, weightDecay, 1e-5, seed, steps);
        int limit = dataLimit;
        Checkpoint ckpt = null;
        String notes = "";
        if (resume != null) {
            ckpt = Checkpoint.read(resume, Checkpoint.Kind.CLASSIFIER, "--resume");
            AdmEncoderConfig net = (AdmEncoderConfig) ckpt.network();
            ResumedSettings s =
                    new ResumedSettings(spec == null ? null : spec.commandLine().getParseResult(), resume.toString());
            s.keep("--width", net.modelChannels(), width);
            s.keep("--depth", net.numResBlocks(), depth);
            s.keep("--mult", java.util.Arrays.toString(net.channelMult()), java.util.Arrays.toString(mult));
            s.keep(
                    "--attn",
                    java.util.Arrays.toString(net.attnResolutions()),
                    java.util.Arrays.toString(attnResolutions(attn, mult.length)));
            var r = AuxiliaryRun.resumed(
                    s, ckpt, resume, ClassifierTrainer.Options.class, opts, dataLimit, ClassifierTrainer.Options::new);
            opts = r.options();
            limit = r.dataLimit();
            notes = r.notes();
            cfg = net;
        }
        var resolved = json.createObjectNode();
        resolved.set("network", json.readTree(cfg.toJson()));
        resolved.set("training", json.valueToTree(opts));
        resolved.put("device", compute.device())
                .put("data", "fashion-mnist")
                .put("data_limit", limit)
                .put("eval_images", evalImages);
        if (resume != null) resolved.put("resume", resume.toString());
        var rendezvous = dist.validate();
        if (dryRun) {
            System.out.println(resolved.toPrettyString());
            return 0;
        }
        if (dist.launchesWorkers()) {
            return dist.launch(spec);
        }
        compute.apply();
        Device dev = DistributedOptions.device(rendezvous, Device.parse(compute.device()));
        ImageDataset data = FashionMnist.load(FashionMnist.directory(), true, limit, 32);
        ImageDataset test = evalImages > 0 ? FashionMnist.load(FashionMnist.directory(), false, evalImages, 32) : null;
        ObjectNode runInfo =
                json.createObjectNode().put("data", "fashion-mnist").put("data_limit", limit);
        AdmEncoderConfig net = cfg;
        ClassifierTrainer.Options o = opts;
        try (var group = dist.join(rendezvous, dev)) {
            return new AuxiliaryRun(
                            "train-classifier",
                            "classifier",
                            "ce",
                            outdir,
                            desc,
                            logEvery,
                            quiet,
                            resume,
                            ckpt,
                            notes,
                            "")
                    .train(
                            opts,
                            resolved.toPrettyString(),
                            runInfo,
                            owned -> new ClassifierTrainer(net, o, data, dev),
                            (t, run) -> {
                                if (test != null) {
                                    run.log(String.format(
                                            Locale.ROOT,
                                            "test accuracy tau=0.01 on %d images: %.4f",
                                            evalImages,
                                            t.accuracy(test, 0.01, evalImages)));
                                }
                            },
                            group);
        }
    }
}
