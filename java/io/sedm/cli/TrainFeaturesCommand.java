package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.eval.FeatureClassifierTrainer;
import io.sedm.runtime.Device;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sedm train-features}: the clean Fashion-MNIST classifier that {@code sedm eval} uses as
 * its feature network ({@link FeatureClassifierTrainer}); writes {@code classifier.safetensors},
 * {@code classifier.json} (with the test accuracy and the feature layer) and {@code
 * training-log.txt} into {@code --out}. The defaults reproduce {@code models/fmnist-features}.
 */
@Command(
        name = "train-features",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "Train the clean Fashion-MNIST classifier whose pooled trunk features sedm eval uses.")
public final class TrainFeaturesCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "models/fmnist-features", paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--width", defaultValue = "32", paramLabel = "INT", description = "model_channels, in [2, 256]")
    int width;

    @Option(
            names = "--mult",
            defaultValue = "1,2,2",
            split = ",",
            paramLabel = "INT,...",
            description = "channel_mult per level (32×32 halves per level)")
    int[] mult;

    @Option(names = "--depth", defaultValue = "1", paramLabel = "INT", description = "res-blocks per level, in [1, 8]")
    int depth;

    @Option(
            names = "--resblock-updown",
            defaultValue = "false",
            fallbackValue = "true",
            arity = "0..1",
            paramLabel = "BOOL",
            description = "down-sample with ResBlocks (ADM) instead of a strided conv")
    boolean updown;

    @Option(
            names = "--test-images",
            defaultValue = "10000",
            paramLabel = "INT",
            description = "test images scored at the end, in [1, 10000]")
    int testImages;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "INT", description = ">= 1")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", paramLabel = "FLOAT", description = "peak Adam learning rate")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "FLOAT", description = ">= 0")
    double weightDecay;

    @Option(names = "--warmup", defaultValue = "100", paramLabel = "INT", description = "linear warm-up steps")
    long warmup;

    @Option(names = "--steps", defaultValue = "8000", paramLabel = "INT", description = "steps (cosine decay to 0)")
    long steps;

    @Option(names = "--shift", defaultValue = "1", paramLabel = "INT", description = "random shift, pixels, in [0, 8]")
    int shift;

    @Option(names = "--no-flip", description = "no random left-right flips")
    boolean noFlip;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT")
    long seed;

    @Option(names = "--log-every", defaultValue = "100", paramLabel = "INT", description = ">= 1")
    long logEvery;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Option(names = "--quiet", description = "no progress display on stderr")
    boolean quiet;

    @Option(names = "--dry-run", description = "print the resolved options JSON and exit")
    boolean dryRun;

    /** The classifier: ADM encoder at 32×32, one input channel, attention pool over 10 classes. */
    static AdmEncoderConfig config(int width, int[] mult, int depth, boolean updown, long seed) {
        return new AdmEncoderConfig(
                "classifier",
                32,
                1,
                width,
                mult,
                depth,
                new int[0],
                32,
                true,
                updown,
                true,
                0.0,
                999.0,
                FashionMnist.CLASSES,
                seed);
    }

    @Override
    public Integer call() throws Exception {
        TrainCommand.require(width >= 2 && width <= 256, "--width must be in [2, 256], got " + width);
        TrainCommand.require(
                mult.length >= 1 && mult.length <= 4, "--mult must name 1 to 4 levels, got " + mult.length);
        TrainCommand.require(depth >= 1 && depth <= 8, "--depth must be in [1, 8], got " + depth);
        TrainCommand.require(
                testImages >= 1 && testImages <= 10_000, "--test-images must be in [1, 10000], got " + testImages);
        TrainCommand.require(logEvery >= 1, "--log-every must be >= 1, got " + logEvery);
        AdmEncoderConfig cfg;
        FeatureClassifierTrainer.Options opts;
        try {
            cfg = config(width, mult, depth, updown, seed);
            opts = new FeatureClassifierTrainer.Options(batch, lr, weightDecay, warmup, steps, shift, !noFlip, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("train-features: " + e.getMessage(), e);
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode resolved = json.createObjectNode();
        resolved.set("network", json.readTree(cfg.toJson()));
        resolved.set("training", json.valueToTree(opts));
        resolved.put("out", out.toString()).put("device", compute.device());
        if (dryRun) {
            System.out.println(resolved.toPrettyString());
            return 0;
        }
        compute.apply();
        Device dev = Device.parse(compute.device());
        ImageDataset train = FashionMnist.load(FashionMnist.directory(), true, 0, 32);
        ImageDataset test = FashionMnist.load(FashionMnist.directory(), false, testImages, 32);
        Files.createDirectories(out);
        List<String> log = new ArrayList<>();
        long t0 = System.nanoTime();
        try (FeatureClassifierTrainer t = new FeatureClassifierTrainer(cfg, opts, train, dev);
                Progress progress = Progress.start("train-features", steps, "steps", !quiet)) {
            log.add("parameters " + t.network().parameterCount() + ", threads " + compute.threads());
            double acc = 0;
            int n = 0;
            while (t.step() < steps) {
                double l = t.trainStep();
                acc += l;
                n++;
                if (t.step() % logEvery == 0 || t.step() == steps) {
                    log.add(String.format(
                            Locale.ROOT,
                            "step %d ce %.4f lr %.3g elapsed %.0f s",
                            t.step(),
                            acc / n,
                            opts.lrAt(t.step() - 1),
                            (System.nanoTime() - t0) / 1e9));
                    if (quiet) System.out.println(log.getLast());
                    acc = 0;
                    n = 0;
                }
                progress.update(t.step(), String.format(Locale.ROOT, "ce %.3f", l));
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            double accuracy = t.accuracy(test);
            String line = String.format(
                    Locale.ROOT,
                    "test accuracy (%d images, clean): %.4f; training %.0f s",
                    test.size(),
                    accuracy,
                    trainSeconds);
            log.add(line);
            ObjectNode extra = json.createObjectNode();
            extra.put("test_accuracy", accuracy)
                    .put("test_images", test.size())
                    .put("training_seconds", Math.round(trainSeconds))
                    .put("threads", compute.threads())
                    .put(
                            "feature_layer",
                            "global average over the 8x8 positions of the trunk output (middle block), "
                                    + cfg.featureChannels() + " features");
            Path side = t.save(out, "classifier", extra);
            RunDirectory.writeAtomically(out.resolve("training-log.txt"), String.join("\n", log) + "\n");
            System.out.println(line);
            System.out.println("saved " + side);
        }
        return 0;
    }
}
