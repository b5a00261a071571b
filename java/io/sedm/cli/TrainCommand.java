package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.data.ImageDataset;
import io.sedm.dist.GradientReducer;
import io.sedm.dist.ProcessGroup;
import io.sedm.dist.Rendezvous;
import io.sedm.runtime.Device;
import io.sedm.runtime.DeviceOutOfMemoryException;
import io.sedm.train.Checkpoint;
import io.sedm.train.CheckpointRetention;
import io.sedm.train.DenoiserTrainer;
import io.sedm.train.MlpConfig;
import io.sedm.train.NetworkConfig;
import io.sedm.train.RunDirectory;
import io.sedm.train.SongUNetConfig;
import io.sedm.train.TrainOptions;
import io.sedm.train.TrainingDivergedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sedm train}: trains a denoiser with EDM's loop (NVlabs/edm train.py; docs/ALGORITHMS.md §3)
 * into a numbered run folder ({@code runs/00001-name/}) holding options.json, log.txt and
 * checkpoints (safetensors + JSON sidecar). {@code --resume} continues a checkpoint's run with
 * that run's settings; Ctrl-C writes a checkpoint of the current step and prints how to resume.
 * Everything (options, data, architecture, device, resume file) is validated before the run
 * folder is created, and a start that fails removes the folder again.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "Train a diffusion denoiser (EDM / VP / VE / DDPM loss) on Fashion-MNIST or an .npz of images.")
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--outdir",
            defaultValue = "runs",
            paramLabel = "DIR",
            description = "where run folders are created")
    Path outdir;

    @Option(names = "--desc", defaultValue = "train", paramLabel = "NAME", description = "run folder name suffix")
    String desc;

    @Option(
            names = "--arch",
            defaultValue = "ddpmpp-fmnist",
            paramLabel = "PRESET|JSON|FILE",
            description = "network preset (ddpmpp-fmnist, ddpmpp-cifar10) or a U-Net / MLP config JSON / file")
    String arch;

    @Option(
            names = "--data",
            defaultValue = "fashion-mnist",
            paramLabel = "NAME|FILE",
            description = "fashion-mnist or a uint8 NHWC .npz/.npy")
    String data;

    @Option(
            names = "--data-limit",
            defaultValue = "0",
            paramLabel = "INT",
            description = "use only the first images, >= 0 (0 = all)")
    int dataLimit;

    @Option(
            names = "--resolution",
            defaultValue = "32",
            paramLabel = "INT",
            description = "padded image side (Fashion-MNIST: 28 + even padding, <= 256)")
    int resolution;

    @Option(names = "--xflip", description = "add x-flipped copies of the images")
    boolean xflip;

    @Option(
            names = "--loss",
            defaultValue = "edm",
            paramLabel = "edm|vp|ve|ddpm|ncsn|hybrid",
            description =
                    "training loss (ncsn: NCSNv2 DSM over 232 levels 50 → 0.01; hybrid: iDDPM L_simple + 0.001·L_vlb"
                            + " with a learned-range variance, the U-Net's out_channels doubled to [ε̂, v])")
    String loss;

    @Option(
            names = "--t-sampling",
            defaultValue = "uniform",
            paramLabel = "uniform|importance",
            description = "hybrid: t for L_vlb uniform, or importance-sampled from the last 10 L_t per t (iDDPM §3.3)")
    String tSampling;

    @Option(
            names = "--batch",
            defaultValue = "128",
            paramLabel = "INT",
            description = "images per optimizer step, >= 1")
    int batch;

    @Option(
            names = "--rounds",
            defaultValue = "1",
            paramLabel = "INT",
            description = "gradient accumulation rounds per step, divides --batch")
    int rounds;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "FLOAT", description = "peak learning rate, in (0, 1]")
    double lr;

    @Option(
            names = "--lr-rampup-kimg",
            defaultValue = "10000",
            paramLabel = "FLOAT",
            description = "linear lr warm-up, kimg, >= 0")
    double lrRampupKimg;

    @Option(names = "--ema-kimg", defaultValue = "500", paramLabel = "FLOAT", description = "EMA half-life, kimg, >= 0")
    double emaKimg;

    @Option(
            names = "--ema-rampup",
            defaultValue = "0.05",
            paramLabel = "FLOAT",
            description = "EMA ramp-up ratio, in [0, 1] (0 = off)")
    double emaRampup;

    @Option(
            names = "--grad-clip",
            defaultValue = "0",
            paramLabel = "FLOAT",
            description = "global-norm clipping, >= 0 (0 = off)")
    double gradClip;

    @Option(
            names = "--steps",
            defaultValue = "100000",
            paramLabel = "INT",
            description = "optimizer steps (total, counting a resumed run's), >= 1")
    long steps;

    @Option(
            names = "--snap",
            defaultValue = "5000",
            paramLabel = "INT",
            description = "steps between checkpoints, >= 0 (0 = only at the end)")
    long snap;

    @Option(
            names = "--keep-last",
            defaultValue = "3",
            paramLabel = "INT",
            description = "newest checkpoints kept, >= 1")
    int keepLast;

    @Option(
            names = "--keep-every",
            defaultValue = "0",
            paramLabel = "INT",
            description = "also keep every checkpoint whose step is a multiple of this, >= 0 (0 = off)")
    long keepEvery;

    @Option(
            names = "--log-every",
            defaultValue = "100",
            paramLabel = "INT",
            description = "steps between log lines, >= 1")
    long logEvery;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT", description = "random seed")
    long seed;

    @Option(
            names = "--cond",
            description =
                    "class-conditional U-Net (EDM's --cond): label_dim = the data's classes (10 for Fashion-MNIST)")
    boolean cond;

    @Option(
            names = "--label-dropout",
            paramLabel = "FLOAT",
            description = "with --cond: probability in [0, 1) that a training sample gets the null label ∅ (zero "
                    + "vector), which classifier-free guidance needs; Ho & Salimans use 0.1–0.2 [default: 0]")
    Double labelDropout;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Mixin
    DistributedOptions dist = new DistributedOptions();

    @Option(
            names = "--resume",
            paramLabel = "SIDECAR",
            description = "continue the run of a checkpoint's .json sidecar, with its settings")
    Path resume;

    @Option(names = "--quiet", description = "no progress display on stderr")
    boolean quiet;

    @Option(names = "--dry-run", description = "print the resolved options JSON and exit")
    boolean dryRun;

    /** Test hook: stop as if Ctrl-C came after this many steps of this invocation (-1 = never). */
    long stopAfterStepsForTest = -1;

    /** The options the flags give (validated with the flag names first). */
    TrainOptions options() {
        validate();
        return new TrainOptions(
                loss,
                -1.2,
                1.2,
                0.5,
                batch,
                rounds,
                lr,
                lrRampupKimg * 1000,
                emaKimg * 1000,
                emaRampup,
                gradClip,
                0,
                seed,
                steps,
                snap,
                logEvery,
                data,
                dataLimit,
                resolution,
                xflip,
                tSampling);
    }

    /**
     * Range checks in flag terms. --lr ∈ (0, 1]: the papers train with Adam at 1e-4 … 1e-3
     * (EDM 1e-3 CIFAR / 2e-4 ImageNet, DDPM 2e-4, NCSNv2 1e-4, DG 3e-4); Adam moves each weight by
     * about lr per step, so lr > 1 on O(1) weights can only diverge. --ema-rampup ∈ [0, 1]: the
     * ratio caps the half-life at a fraction of the images seen (EDM 0.05).
     */
    void validate() {
        require(
                java.util.Set.of("edm", "vp", "ve", "ddpm", "ncsn", "hybrid").contains(loss),
                "--loss must be edm, vp, ve, ddpm, ncsn or hybrid, got '" + loss + "'");
        require(
                tSampling.equals("uniform") || tSampling.equals("importance"),
                "--t-sampling must be uniform or importance, got '" + tSampling + "'");
        require(batch >= 1, "--batch must be >= 1, got " + batch);
        require(
                rounds >= 1 && batch % rounds == 0,
                "--rounds must be >= 1 and divide --batch " + batch + ", got " + rounds);
        require(lr > 0 && lr <= 1, "--lr must be in (0, 1] (the papers use 1e-4 … 1e-3), got " + lr);
        require(
                lrRampupKimg >= 0 && Double.isFinite(lrRampupKimg),
                "--lr-rampup-kimg must be >= 0, got " + lrRampupKimg);
        require(emaKimg >= 0 && Double.isFinite(emaKimg), "--ema-kimg must be >= 0, got " + emaKimg);
        require(emaRampup >= 0 && emaRampup <= 1, "--ema-rampup must be in [0, 1], got " + emaRampup);
        require(gradClip >= 0 && Double.isFinite(gradClip), "--grad-clip must be >= 0, got " + gradClip);
        require(steps >= 1, "--steps must be >= 1, got " + steps);
        require(snap >= 0, "--snap must be >= 0, got " + snap);
        require(logEvery >= 1, "--log-every must be >= 1, got " + logEvery);
        require(keepLast >= 1, "--keep-last must be >= 1, got " + keepLast);
        require(keepEvery >= 0, "--keep-every must be >= 0, got " + keepEvery);
        require(dataLimit >= 0, "--data-limit must be >= 0, got " + dataLimit);
        require(labelDropout == null || cond, "--label-dropout needs --cond (a class-conditional model)");
        require(
                labelDropout == null || (labelDropout >= 0 && labelDropout < 1),
                "--label-dropout must be in [0, 1), got " + labelDropout);
        require(
                !cond || resume == null,
                "--cond and --label-dropout are set when a run starts; --resume keeps the checkpoint's label_dim and "
                        + "label_dropout");
        require(resolution >= 1 && resolution <= 256, "--resolution must be in [1, 256], got " + resolution);
        if (data.equals("fashion-mnist")) {
            require(
                    resolution >= 28 && (resolution - 28) % 2 == 0,
                    "--resolution must be 28 + an even padding for Fashion-MNIST, got " + resolution);
        }
    }

    /** A file option's folder must exist (null = option not given): checked before any work. */
    static void requireFolderOf(java.nio.file.Path file, String flag) {
        if (file == null) return;
        java.nio.file.Path parent = file.toAbsolutePath().getParent();
        require(
                java.nio.file.Files.isDirectory(parent),
                flag + " " + file + ": the folder " + parent + " does not exist");
    }

    static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** The architecture --arch names: a preset, a JSON object, or a .json file holding one. */
    static NetworkConfig network(String arch) {
        String t = arch.trim();
        String json;
        if (t.startsWith("{") || t.startsWith("[")) {
            json = t;
        } else if (t.endsWith(".json")) {
            try {
                json = Files.readString(Path.of(t));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalArgumentException("--arch " + t + ": no such file", e);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--arch " + t + ": cannot read: " + e.getMessage(), e);
            }
        } else {
            return ModelInfoCommand.preset(t);
        }
        try {
            var node = new ObjectMapper().readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("--arch must be a JSON object with a \"kind\" (unet or mlp), got "
                        + (node == null
                                ? "nothing"
                                : node.getNodeType().toString().toLowerCase(Locale.ROOT)));
            }
            NetworkConfig cfg = NetworkConfig.fromJson(json);
            if (!(cfg instanceof SongUNetConfig) && !(cfg instanceof MlpConfig)) {
                throw new IllegalArgumentException(
                        "--arch must be a denoiser network (kind unet or mlp), got " + cfg.kind());
            }
            return cfg;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("--arch is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith("--arch")
                    ? e
                    : new IllegalArgumentException("--arch: " + e.getMessage(), e);
        }
    }

    /** --loss hybrid: a U-Net with out_channels = in_channels gets 2·in_channels ([ε̂, v], iDDPM §3.1). */
    NetworkConfig learnedVarianceIfHybrid(NetworkConfig cfg) {
        if (loss.equals("hybrid") && cfg instanceof SongUNetConfig u && u.outChannels() == u.inChannels()) {
            return u.withOutChannels(2 * u.inChannels());
        }
        return cfg;
    }

    /**
     * The U-Net of {@code --cond}: {@code classes} label inputs and label dropout {@code p} (classifier-free
     * guidance training, Ho &amp; Salimans 2022 §3.2: the label is replaced by ∅ = 0 with probability p).
     */
    static NetworkConfig conditioned(NetworkConfig net, int classes, double p) {
        return switch (net) {
            case SongUNetConfig u -> u.withLabelDim(classes).withLabelDropout(p);
            case io.sedm.train.DhariwalUNetConfig d -> d.withLabelDim(classes).withLabelDropout(p);
            default ->
                throw new IllegalArgumentException(
                        "--cond needs a U-Net --arch (it has a label input); " + net.kind() + " has none");
        };
    }

    /** The options, network and note of a resumed run: the checkpoint's settings, harmless flags applied. */
    record Resolved(TrainOptions options, NetworkConfig network, Checkpoint checkpoint, String notes) {}

    Resolved resolve() {
        if (resume == null) {
            return new Resolved(options(), learnedVarianceIfHybrid(network(arch)), null, "");
        }
        Checkpoint ckpt = Checkpoint.read(resume, Checkpoint.Kind.DENOISER, "--resume");
        TrainOptions rec = ckpt.training(TrainOptions.class);
        validate(); // the flags given must still be sane
        ResumedSettings s =
                new ResumedSettings(spec == null ? null : spec.commandLine().getParseResult(), resume.toString());
        if (s.given("--arch")) {
            NetworkConfig given = network(arch);
            s.keep("--arch", ckpt.network().toJson(), given.toJson());
        }
        TrainOptions o = new TrainOptions(
                s.keep("--loss", rec.loss(), loss),
                rec.pMean(),
                rec.pStd(),
                rec.sigmaData(),
                s.keep("--batch", rec.batchSize(), batch),
                s.keep("--rounds", rec.accumulationRounds(), rounds),
                s.keep("--lr", rec.lr(), lr),
                s.keep("--lr-rampup-kimg", rec.lrRampupImages(), lrRampupKimg * 1000),
                s.keep("--ema-kimg", rec.emaHalfLifeImages(), emaKimg * 1000),
                s.keep("--ema-rampup", rec.emaRampupRatio(), emaRampup),
                s.keep("--grad-clip", rec.maxGradNorm(), gradClip),
                rec.weightDecay(),
                s.keep("--seed", rec.seed(), seed),
                s.override("--steps", rec.steps(), steps),
                s.override("--snap", rec.checkpointEvery(), snap),
                s.override("--log-every", rec.logEvery(), logEvery),
                s.keep("--data", rec.dataset(), data),
                s.keep("--data-limit", rec.dataLimit(), dataLimit),
                s.keep("--resolution", rec.resolution(), resolution),
                s.keep("--xflip", rec.xflip(), xflip),
                s.keep("--t-sampling", rec.tSampling(), tSampling));
        s.check();
        require(
                o.steps() > ckpt.step(),
                "--resume " + resume + " is at step " + ckpt.step() + " and the run has --steps " + o.steps()
                        + "; pass a larger --steps to continue it");
        return new Resolved(o, ckpt.network(), ckpt, s.notes());
    }

    /** Refuses a batch whose activations cannot fit this machine's memory (a rough lower bound). */
    static void checkMemory(NetworkConfig net, TrainOptions o, ImageDataset images, Device device) {
        long perImage = (long) images.imageSize() * 4;
        long host = (long) o.roundBatch() * perImage;
        long heap = Runtime.getRuntime().maxMemory();
        require(
                host <= heap / 2,
                String.format(
                        Locale.ROOT,
                        "--batch %d needs %.3g GB for one batch of images alone (Java heap %.3g GB); use a smaller --batch or --rounds",
                        o.batchSize(),
                        host / 1e9,
                        heap / 1e9));
        if (device.isCuda() || !(net instanceof SongUNetConfig u)) return;
        // U-Net activations kept for backward: per level res² × channels × (2 per block + 1) × ~10 tensors × 4 bytes.
        double act = 0;
        for (int l = 0; l < u.channelMult().length; l++) {
            double res = u.imgResolution() / Math.pow(2, l);
            act += res * res * u.modelChannels() * u.channelMult()[l] * (2.0 * u.numBlocks() + 1) * 10 * 4;
        }
        double need = act * o.roundBatch();
        long physical = physicalMemory();
        require(
                physical <= 0 || need <= physical,
                String.format(
                        Locale.ROOT,
                        "--batch %d (--rounds %d) needs about %.3g GB of activations; this machine has %.3g GB. Use a smaller --batch "
                                + "or more --rounds",
                        o.batchSize(),
                        o.accumulationRounds(),
                        need / 1e9,
                        physical / 1e9));
    }

    static long physicalMemory() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getTotalMemorySize() : -1;
    }

    @Override
    public Integer call() throws Exception {
        Resolved r = resolve();
        TrainOptions opts = r.options();
        NetworkConfig net = r.network();
        var json = new ObjectMapper();
        var resolved = json.createObjectNode();
        resolved.set("network", json.readTree(net.toJson()));
        resolved.set("training", json.valueToTree(opts));
        resolved.put("device", compute.device());
        if (cond) resolved.put("cond", true).put("label_dropout", labelDropout == null ? 0.0 : labelDropout);
        resolved.put("keep_last", keepLast).put("keep_every", keepEvery);
        if (resume != null)
            resolved.put("resume", resume.toString())
                    .put("resume_step", r.checkpoint().step());
        Optional<Rendezvous> rendezvous = dist.validate();
        resolved.put(
                "processes",
                dist.launchesWorkers()
                        ? dist.nproc
                        : rendezvous.map(Rendezvous::worldSize).orElse(1));
        if (dryRun) {
            System.out.println(resolved.toPrettyString());
            return 0;
        }
        if (dist.launchesWorkers()) {
            return dist.launch(spec);
        }
        compute.apply();
        Device dev = DistributedOptions.device(rendezvous, Device.parse(compute.device()));
        ImageDataset images = DenoiserTrainer.loadData(opts);
        if (cond) {
            require(
                    images.numClasses() > 0 && images.labels() != null,
                    "--cond: the data " + opts.dataset() + " has no class labels");
            net = conditioned(net, images.numClasses(), labelDropout == null ? 0.0 : labelDropout);
            resolved.set("network", json.readTree(net.toJson()));
        }
        if (net instanceof MlpConfig m) {
            require(
                    m.inFeatures() == images.imageSize(),
                    "--arch: the MLP takes " + m.inFeatures() + " features, the images have " + images.imageSize()
                            + " (" + images.channels() + "×" + images.height() + "×" + images.width() + ")");
        }
        checkMemory(net, opts, images, dev);
        CheckpointRetention retention = new CheckpointRetention(keepLast, keepEvery, resume);
        RunDirectory run = null;
        boolean wroteCheckpoint = false;
        try (ProcessGroup group = dist.join(rendezvous, dev);
                DenoiserTrainer t = r.checkpoint() != null
                        ? DenoiserTrainer.resume(r.checkpoint(), opts, images, dev)
                        : DenoiserTrainer.create(net, opts, images, dev);
                StopOnInterrupt interrupt = new StopOnInterrupt("train", 600)) {
            if (group != null) t.distribute(group, GradientReducer.DEFAULT_BUCKET_BYTES);
            boolean leader = t.isLeader();
            if (leader) {
                run = RunDirectory.create(outdir, desc);
                run.writeOptions(resolved.toPrettyString());
            }
            long first = t.step();
            if (resume != null && leader) {
                run.log("resumed from " + resume + " at step " + first
                        + (r.notes().isEmpty() ? "" : " with " + r.notes()));
            }
            if (leader) {
                System.out.println("run folder: " + run.path()
                        + (resume != null ? " (resumed at step " + first + ")" : "")
                        + (group != null ? " (" + group.worldSize() + " processes)" : ""));
            }
            Path last;
            try (Progress progress = Progress.start("train", opts.steps() - first, "steps", !quiet && leader)) {
                last = t.run(
                        run,
                        (step, l) -> progress.update(
                                step - first, String.format(Locale.ROOT, "step %d, loss %.4g", step, l)),
                        () -> interrupt.requested()
                                || (stopAfterStepsForTest >= 0 && t.step() - first >= stopAfterStepsForTest),
                        retention);
            }
            wroteCheckpoint = last != null;
            if (t.step() < opts.steps()) {
                if (leader) {
                    run.log("stopped by interrupt at step " + t.step());
                    System.out.println("stopped at step " + t.step() + " of " + opts.steps() + "; checkpoint " + last);
                    System.out.println("resume with: sedm train --resume " + last + " --steps " + opts.steps()
                            + DistributedOptions.relaunchHint(group));
                }
                return 130;
            }
            if (leader) System.out.println("finished: step " + t.step() + ", last checkpoint " + last);
            return 0;
        } catch (TrainingDivergedException e) {
            if (run != null) run.log("error: " + e.getMessage());
            throw e;
        } catch (OutOfMemoryError | DeviceOutOfMemoryException e) {
            throw new IllegalArgumentException("out of memory at --batch " + opts.batchSize() + " (--rounds "
                    + opts.accumulationRounds() + "): use a smaller --batch or more --rounds"
                    + (e.getMessage() == null
                            ? ""
                            : " (" + e.getMessage().lines().findFirst().orElse("") + ")"));
        } finally {
            if (run != null && !wroteCheckpoint && !hasCheckpoint(run.path())) {
                run.delete(); // a failed start leaves nothing behind
            }
        }
    }

    static boolean hasCheckpoint(Path dir) {
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().matches("checkpoint-\\d+\\.json"));
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
