package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.Npy;
import io.sedm.runtime.Device;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.Checkpoint;
import io.sedm.train.DiscriminatorTrainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sedm train-discriminator}: DG's discriminator head on real Fashion-MNIST vs generated
 * images (an .npz/.npy of uint8 NHWC, e.g. written by {@code sedm sample}) with the frozen trunk of
 * a classifier checkpoint (docs/ALGORITHMS.md §8). {@code --resume} continues a discriminator
 * checkpoint's run with its settings; Ctrl-C saves the current step.
 */
@Command(
        name = "train-discriminator",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "Train the Discriminator Guidance head on real vs generated images.")
public final class TrainDiscriminatorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--outdir", defaultValue = "runs", paramLabel = "DIR")
    Path outdir;

    @Option(names = "--desc", defaultValue = "discriminator", paramLabel = "NAME")
    String desc;

    @Option(
            names = "--classifier",
            required = true,
            paramLabel = "SIDECAR",
            description = "classifier checkpoint (.json)")
    Path classifier;

    @Option(
            names = "--fake",
            required = true,
            paramLabel = "FILE",
            description = "generated images, uint8 NHWC .npz/.npy")
    Path fake;

    @Option(
            names = "--data-limit",
            defaultValue = "0",
            paramLabel = "INT",
            description = "real images used, >= 0 (0 = all)")
    int dataLimit;

    @Option(
            names = "--batch",
            defaultValue = "128",
            paramLabel = "INT",
            description = "real (and fake) images per step, >= 1")
    int batch;

    @Option(
            names = "--lr",
            defaultValue = "3e-4",
            paramLabel = "FLOAT",
            description = "Adam learning rate, in (0, 1] (DG: 3e-4)")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "1e-7", paramLabel = "FLOAT", description = ">= 0")
    double weightDecay;

    @Option(
            names = "--steps",
            defaultValue = "20000",
            paramLabel = "INT",
            description = "optimizer steps (total, counting a resumed run's), >= 1")
    long steps;

    @Option(names = "--log-every", defaultValue = "100", paramLabel = "INT", description = ">= 1")
    long logEvery;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT")
    long seed;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Mixin
    DistributedOptions dist = new DistributedOptions();

    @Option(
            names = "--resume",
            paramLabel = "SIDECAR",
            description = "continue a discriminator checkpoint's run, with its settings")
    Path resume;

    @Option(names = "--quiet", description = "no progress display on stderr")
    boolean quiet;

    @Option(names = "--dry-run", description = "print the resolved options JSON and exit")
    boolean dryRun;

    void validate() {
        TrainCommand.require(dataLimit >= 0, "--data-limit must be >= 0, got " + dataLimit);
        TrainCommand.require(batch >= 1, "--batch must be >= 1, got " + batch);
        TrainCommand.require(lr > 0 && lr <= 1, "--lr must be in (0, 1] (DG uses 3e-4), got " + lr);
        TrainCommand.require(
                weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay must be >= 0, got " + weightDecay);
        TrainCommand.require(steps >= 1, "--steps must be >= 1, got " + steps);
        TrainCommand.require(logEvery >= 1, "--log-every must be >= 1, got " + logEvery);
    }

    /** The head for a trunk: its last level's features at its last resolution (DG's discriminator). */
    static AdmEncoderConfig headFor(AdmEncoderConfig trunk, long seed) {
        int[] mult = trunk.channelMult();
        int feats = trunk.modelChannels() * mult[mult.length - 1];
        int res = trunk.imgResolution() >> (mult.length - 1);
        return AdmEncoderConfig.dg("discriminator", res, feats, 128, new int[] {1}, 2, new int[] {res}, 1, seed);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        ObjectMapper json = new ObjectMapper();
        DiscriminatorTrainer.Options opts = new DiscriminatorTrainer.Options(batch, lr, weightDecay, 1e-5, seed, steps);
        int limit = dataLimit;
        Checkpoint ckpt = null;
        String notes = "";
        if (resume != null) {
            ckpt = Checkpoint.read(resume, Checkpoint.Kind.DISCRIMINATOR, "--resume");
            ResumedSettings s =
                    new ResumedSettings(spec == null ? null : spec.commandLine().getParseResult(), resume.toString());
            var r = AuxiliaryRun.resumed(
                    s,
                    ckpt,
                    resume,
                    DiscriminatorTrainer.Options.class,
                    opts,
                    dataLimit,
                    DiscriminatorTrainer.Options::new);
            opts = r.options();
            limit = r.dataLimit();
            notes = r.notes();
        }
        var resolved = json.createObjectNode();
        resolved.set("training", json.valueToTree(opts));
        resolved.put("classifier", classifier.toString())
                .put("fake", fake.toString())
                .put("device", compute.device())
                .put("data_limit", limit);
        if (resume != null) resolved.put("resume", resume.toString());
        var rendezvous = dist.validate();
        if (dryRun) {
            System.out.println(resolved.toPrettyString());
            return 0;
        }
        if (dist.launchesWorkers()) {
            return dist.launch(spec);
        }
        Checkpoint cls = Checkpoint.read(classifier, Checkpoint.Kind.CLASSIFIER, "--classifier");
        AdmEncoderConfig head =
                ckpt != null ? (AdmEncoderConfig) ckpt.network() : headFor((AdmEncoderConfig) cls.network(), seed);
        resolved.set("network", json.readTree(head.toJson()));
        compute.apply();
        Device dev = DistributedOptions.device(rendezvous, Device.parse(compute.device()));
        ImageDataset generated = Npy.loadImages(fake, "--fake");
        ImageDataset real = FashionMnist.load(FashionMnist.directory(), true, limit, 32);
        TrainCommand.require(
                generated.channels() == real.channels()
                        && generated.height() == real.height()
                        && generated.width() == real.width(),
                "--fake " + fake + " holds " + generated.channels() + "×"
                        + generated.height() + "×" + generated.width() + " images; the real ones are " + real.channels()
                        + "×"
                        + real.height() + "×" + real.width());
        DiscriminatorTrainer.Options o = opts;
        try (var group = dist.join(rendezvous, dev)) {
            return new AuxiliaryRun(
                            "train-discriminator",
                            "discriminator",
                            "bce",
                            outdir,
                            desc,
                            logEvery,
                            quiet,
                            resume,
                            ckpt,
                            notes,
                            "--classifier " + classifier + " --fake " + fake + " ")
                    .train(
                            opts,
                            resolved.toPrettyString(),
                            json.createObjectNode()
                                    .put("data_limit", limit)
                                    .put("classifier", classifier.toString())
                                    .put("fake", fake.toString()),
                            owned -> new DiscriminatorTrainer(
                                    owned.add(cls.loadTrunk(dev)), head, o, real, generated, dev),
                            (t, run) -> {},
                            group);
        }
    }
}
