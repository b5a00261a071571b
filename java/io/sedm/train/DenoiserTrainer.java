package io.sedm.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.Npy;
import io.sedm.dist.DataParallel;
import io.sedm.dist.ProcessGroup;
import io.sedm.dist.Shard;
import io.sedm.runtime.Adam;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * EDM's training loop (Karras et al. 2022, App. F; NVlabs/edm training/training_loop.py;
 * docs/ALGORITHMS.md §3) driving a native network: per step, draw images, σ and noise, accumulate
 * the gradient of the {@link DenoisingLoss} over the accumulation rounds, Adam with the
 * learning-rate warm-up (gradients sanitised natively), then the EMA update.
 *
 * <p>Every random draw of step {@code s} comes from streams seeded by {@code (seed, s)} — batch
 * indices, σ, per-sample noise seeds and the dropout seed — so a run resumed from a checkpoint
 * continues exactly as if it had never stopped.
 *
 * <p>Data-parallel ({@link #distribute}): every rank makes the same draws for the whole global batch
 * and computes its contiguous {@link Shard} of each round; gradients are averaged over the ranks
 * before Adam. Since the noise of sample i comes from its own Philox seed and the loss gradient is
 * a mean over the batch, W ranks with B/W samples each take the same steps as one process with B
 * (up to the order of floating-point sums; dropout masks, drawn from libtorch's global generator
 * over the local batch, are the exception). Rank 0 alone writes logs and checkpoints.
 */
public final class DenoiserTrainer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String FORMAT = "sedm-checkpoint-1";

    private final NetworkConfig config;
    private final TrainOptions options;
    private final ImageDataset data;
    private final Network net;
    private final Network ema;
    private final Adam adam;
    private final DenoisingLoss loss;
    /** iDDPM's L_hybrid (loss "hybrid"), else null. */
    private final HybridLoss hybrid;

    private final Ema emaSchedule;
    private long step;
    private long imagesSeen;
    private double lastGradNorm;
    /** Non-null when this trainer is one rank of a data-parallel run. */
    private DataParallel dp;

    private DenoiserTrainer(NetworkConfig config, TrainOptions options, ImageDataset data, Device device) {
        this.config = config;
        this.options = options;
        this.data = data;
        this.loss = options.toLoss();
        this.hybrid = options.toHybridLoss();
        this.emaSchedule = new Ema(options.emaHalfLifeImages(), options.emaRampupRatio());
        Network n = null, e = null;
        try {
            n = config.build(device);
            e = config.build(device);
            e.copyFrom(n);
            e.setTraining(false);
            e.setRequiresGrad(false);
            this.adam = Adam.create(
                    Adam.Options.defaults()
                            .withWeightDecay(options.weightDecay())
                            .withMaxGradNorm(options.maxGradNorm()),
                    n);
        } catch (RuntimeException ex) {
            if (n != null) n.close();
            if (e != null) e.close();
            throw ex;
        }
        this.net = n;
        this.ema = e;
    }

    /** A fresh run. */
    public static DenoiserTrainer create(NetworkConfig config, TrainOptions options, ImageDataset data, Device device) {
        if (config instanceof SongUNetConfig u
                && (u.inChannels() != data.channels() || u.imgResolution() != data.height())) {
            throw new IllegalArgumentException("the network expects " + u.inChannels() + "×" + u.imgResolution()
                    + "² images, the data are " + data.channels() + "×" + data.height() + "×" + data.width());
        }
        if (options.loss().equals("hybrid")
                && !(config instanceof SongUNetConfig u && u.outChannels() == 2 * u.inChannels())) {
            throw new IllegalArgumentException(
                    "--loss hybrid trains a learned-variance U-Net: out_channels must be" + " 2·in_channels ([ε̂, v])");
        }
        return new DenoiserTrainer(config, options, data, device);
    }

    /** The images the options name (Fashion-MNIST from Debian's package, or an .npz/.npy of uint8 NHWC). */
    public static ImageDataset loadData(TrainOptions options) {
        ImageDataset d;
        if (options.dataset().equals("fashion-mnist")) {
            d = FashionMnist.load(FashionMnist.directory(), true, options.dataLimit(), options.resolution());
        } else {
            d = Npy.loadImages(Path.of(options.dataset()), "--data");
            if (options.dataLimit() > 0 && options.dataLimit() < d.size()) d = d.head(options.dataLimit());
        }
        if (d.size() == 0) throw new IllegalArgumentException("--data " + options.dataset() + " holds no images");
        return options.xflip() ? d.withXFlips() : d;
    }

    /**
     * Makes this trainer one rank of a data-parallel run over {@code group}: rank 0's weights (network
     * and EMA) are broadcast to every rank and gradients are averaged in buckets of {@code bucketBytes}
     * ({@link io.sedm.dist.GradientReducer}). The batch per accumulation round must split evenly over
     * the ranks. Every rank of the group must call this, with the same options.
     */
    public DenoiserTrainer distribute(ProcessGroup group, long bucketBytes) {
        if (dp != null) throw new IllegalStateException("this trainer is already distributed");
        if (hybrid != null) {
            throw new IllegalArgumentException("--loss hybrid is single-process only (its t history is per rank)");
        }
        Shard.of(options.roundBatch(), group.rank(), group.worldSize());
        dp = DataParallel.join(group, bucketBytes, net, ema);
        return this;
    }

    /** Whether this process writes the run's files (rank 0, or the only process). */
    public boolean isLeader() {
        return dp == null || dp.isLeader();
    }

    public Network network() {
        return net;
    }

    /** The EMA weights (what gets sampled). */
    public Network ema() {
        return ema;
    }

    public long step() {
        return step;
    }

    public long imagesSeen() {
        return imagesSeen;
    }

    public double lastGradNorm() {
        return lastGradNorm;
    }

    public NetworkConfig config() {
        return config;
    }

    public TrainOptions options() {
        return options;
    }

    /** One optimizer step; returns the batch mean of λ(σ)·‖D − y‖² (summed over pixels). */
    public double trainStep() {
        SplittableRandom rng = new SplittableRandom(mix(options.seed(), step));
        int rounds = options.accumulationRounds(), batch = options.roundBatch();
        Device device = net.device();
        net.setTraining(true);
        net.zeroGrad();
        double total = 0;
        // data-parallel: this rank's slice of every round; the losses of all samples, in order
        Shard mine = dp == null ? new Shard(0, batch) : dp.shard(batch);
        double[] losses = dp == null ? null : new double[rounds * batch];
        for (int r = 0; r < rounds; r++) {
            int[] idx = new int[batch];
            for (int b = 0; b < batch; b++) idx[b] = rng.nextInt(data.size());
            HybridLoss.Draw tDraw = hybrid != null ? hybrid.draw(rng, batch) : null;
            double[] sigma = hybrid != null ? null : loss.drawSigma(rng, batch);
            long[] seeds = new long[batch];
            for (int b = 0; b < batch; b++) seeds[b] = rng.nextLong();
            Network.manualSeed(rng.nextLong());
            if (dp != null) {
                idx = mine.of(idx);
                sigma = mine.of(sigma);
                seeds = mine.of(seeds);
                if (r == rounds - 1) dp.armGradients();
            }
            boolean conditional = config.labelDim() > 0; // SongUNet or DhariwalUNet with label_dim
            try (Tensor y = images(idx, device);
                    Tensor labels = conditional ? data.oneHot(idx, device) : null;
                    Tensor noise = y.emptyLike();
                    Generator g = Generator.ofSeeds(seeds)) {
                g.normal(noise);
                double[] l = hybrid != null
                        ? hybrid.accumulate(net, y, noise, tDraw, labels, 1.0 / rounds)
                                .total()
                        : loss.accumulate(net, y, noise, sigma, labels, 1.0 / rounds);
                if (dp == null) {
                    for (double v : l) total += v;
                } else {
                    System.arraycopy(l, 0, losses, r * batch + mine.start(), l.length);
                }
            }
        }
        if (dp != null) {
            dp.averageGradients();
            // each sample's loss comes from one rank and zeros from the others: the sum is exact, and
            // adding in sample order gives the single-process total bit for bit
            for (double v : dp.sum(losses)) total += v;
        }
        if (!Double.isFinite(total)) {
            throw new TrainingDivergedException(step + 1, "the loss is " + total);
        }
        lastGradNorm = adam.step(Ema.warmup(options.lr(), imagesSeen, options.lrRampupImages()));
        if (!Double.isFinite(lastGradNorm)) {
            throw new TrainingDivergedException(step + 1, "the gradient norm is " + lastGradNorm);
        }
        ema.emaUpdate(net, emaSchedule.beta(options.batchSize(), imagesSeen));
        imagesSeen += options.batchSize();
        step++;
        return total / options.batchSize();
    }

    /** The images {@code idx} in the network's dtype (float64 networks get float64 images). */
    private Tensor images(int[] idx, Device device) {
        Tensor y = data.batch(idx, device);
        if (!config.dtype().equals("float64")) return y;
        try (y) {
            return y.to(device, io.sedm.runtime.DType.FLOAT64);
        }
    }

    /** Called after every step with the step number and its loss (progress display). */
    public interface StepListener {
        void onStep(long step, double loss);
    }

    /** Largest |weight| a healthy network has; past it the run is called diverged (EDM nets stay ≲ 10). */
    static final double MAX_ABS_WEIGHT = 1e4;

    /** Runs until {@code options.steps()}, logging and checkpointing into {@code run}. */
    public void run(RunDirectory run, StepListener progress) {
        run(run, progress, () -> false, null);
    }

    /**
     * Runs until {@code options.steps()} or until {@code stop} answers true at a step boundary;
     * logs and checkpoints into {@code run}, then applies {@code retention} (may be null) after
     * each complete checkpoint. A stop writes a checkpoint of the current step. Returns the last
     * checkpoint written (null if none). Divergence throws {@link TrainingDivergedException}
     * before anything of the bad state is saved.
     */
    public Path run(
            RunDirectory run,
            StepListener progress,
            java.util.function.BooleanSupplier stop,
            CheckpointRetention retention) {
        long start = System.nanoTime();
        double acc = 0;
        int n = 0;
        Path last = null;
        while (step < options.steps()) {
            boolean stopNow = stop.getAsBoolean();
            if (dp != null) stopNow = dp.any(stopNow); // every rank stops at the same step
            if (stopNow) {
                if (last == null || !last.getFileName().toString().equals(checkpointName(step) + ".json")) {
                    last = checkpoint(run, retention);
                }
                return last;
            }
            double l = trainStep();
            acc += l;
            n++;
            if ((step % options.logEvery() == 0 || step == options.steps()) && isLeader()) {
                run.log(String.format(
                        java.util.Locale.ROOT,
                        "step %d kimg %.3f loss %.5f grad_norm %.4g sec %.1f",
                        step,
                        imagesSeen / 1e3,
                        acc / n,
                        lastGradNorm,
                        (System.nanoTime() - start) / 1e9));
                acc = 0;
                n = 0;
            }
            if ((options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) || step == options.steps()) {
                last = checkpoint(run, retention);
            }
            if (progress != null && isLeader()) progress.onStep(step, l);
        }
        return last;
    }

    static String checkpointName(long step) {
        return String.format("checkpoint-%08d", step);
    }

    /**
     * Checks the weights are sane, saves {@code checkpoint-<step>}, then prunes old ones. In a
     * data-parallel run every rank checks (their weights are equal, so all stop alike) and rank 0
     * alone writes; the others return the sidecar's name.
     */
    private Path checkpoint(RunDirectory run, CheckpointRetention retention) {
        checkWeights();
        if (!isLeader()) return Path.of(checkpointName(step) + ".json");
        Path side = save(run.path(), checkpointName(step));
        if (retention != null) retention.apply(run.path());
        return side;
    }

    /** Refuses to checkpoint weights that are non-finite or past {@link #MAX_ABS_WEIGHT}. */
    void checkWeights() {
        double max = 0;
        for (Network.TensorInfo info : net.tensors()) {
            if (!info.isParameter()) continue;
            try (Tensor w = net.get(info.name())) {
                for (double v : w.toDoubleArray()) {
                    double a = Math.abs(v);
                    if (!(a <= MAX_ABS_WEIGHT)) {
                        throw new TrainingDivergedException(
                                step, "weight " + info.name() + " has |w| = " + a + " (bound " + MAX_ABS_WEIGHT + ")");
                    }
                    max = Math.max(max, a);
                }
            }
        }
    }

    /**
     * Writes a checkpoint: {@code name-net.safetensors}, {@code name-ema.safetensors},
     * {@code name-adam.safetensors} and, last, the sidecar {@code name.json} (architecture,
     * options, data normalisation, step) — each file atomically, so a sidecar always refers to
     * complete weights. Returns the sidecar.
     */
    public Path save(Path dir, String name) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Map<String, String> meta = Map.of("step", Long.toString(step));
        RunDirectory.writeAtomically(dir.resolve(name + "-net.safetensors"), tmp -> net.save(tmp, meta));
        RunDirectory.writeAtomically(dir.resolve(name + "-ema.safetensors"), tmp -> ema.save(tmp, meta));
        RunDirectory.writeAtomically(dir.resolve(name + "-adam.safetensors"), adam::save);
        ObjectNode side = JSON.createObjectNode();
        side.put("format", FORMAT);
        side.put("kind", "denoiser");
        try {
            side.set("network", JSON.readTree(config.toJson()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        side.set("training", JSON.valueToTree(options));
        // how the network becomes a denoiser: the loss's own parameterisation (VP, VE, DDPM or EDM
        // with this σ_data), so that sample and serve use what was trained
        side.set("preconditioning", io.sedm.precond.Preconditionings.toJson(loss.preconditioning()));
        ObjectNode d = side.putObject("data");
        d.put("channels", data.channels())
                .put("height", data.height())
                .put("width", data.width())
                .put("images", data.size())
                .put("normalisation", "x = k/127.5 - 1")
                .put("pad_value", -1.0)
                .put("sigma_data", options.sigmaData());
        side.put("step", step);
        side.put("images_seen", imagesSeen);
        ObjectNode files = side.putObject("files");
        files.put("net", name + "-net.safetensors")
                .put("ema", name + "-ema.safetensors")
                .put("optimizer", name + "-adam.safetensors");
        Path sidecar = dir.resolve(name + ".json");
        RunDirectory.writeAtomically(sidecar, side.toPrettyString());
        return sidecar;
    }

    /** Resumes from a checkpoint sidecar with its own options; {@code data} as those options name. */
    public static DenoiserTrainer resume(Path sidecar, ImageDataset data, Device device) {
        return resume(Checkpoint.read(sidecar, Checkpoint.Kind.DENOISER, "--resume"), null, data, device);
    }

    /** Resumes with {@code options} (e.g. more steps), or the checkpoint's own when null. */
    public static DenoiserTrainer resume(Path sidecar, TrainOptions options, ImageDataset data, Device device) {
        return resume(Checkpoint.read(sidecar, Checkpoint.Kind.DENOISER, "--resume"), options, data, device);
    }

    /** Resumes {@code ckpt} with {@code options}, or the checkpoint's own when null. */
    public static DenoiserTrainer resume(Checkpoint ckpt, TrainOptions options, ImageDataset data, Device device) {
        ckpt.require(Checkpoint.Kind.DENOISER, "--resume");
        if (!ckpt.resumable()) {
            throw new IllegalArgumentException("--resume " + ckpt.sidecar() + ": holds only sampling weights (no raw"
                    + " weights and optimizer state); train from it as a new run instead");
        }
        TrainOptions opts = options != null ? options : ckpt.training(TrainOptions.class);
        DenoiserTrainer t = create(ckpt.network(), opts, data, device);
        try {
            t.net.load(ckpt.file("net"), true);
            t.ema.load(ckpt.file("ema"), true);
            t.adam.load(ckpt.file("optimizer"));
            t.step = ckpt.step();
            t.imagesSeen = ckpt.imagesSeen();
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** The network architecture a checkpoint sidecar records (any kind). */
    public static NetworkConfig networkConfig(Path sidecar) {
        return Checkpoint.read(sidecar).network();
    }

    /** Loads just the EMA network of a denoiser checkpoint (for sampling); see {@link Checkpoint#loadDenoiser}. */
    public static Network loadEma(Path sidecar, Device device) {
        return Checkpoint.read(sidecar, Checkpoint.Kind.DENOISER, "--denoiser").loadDenoiser(device);
    }

    /** SplitMix64 finaliser of (seed, step): independent per-step streams. */
    static long mix(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void close() {
        if (dp != null) dp.close();
        adam.close();
        ema.close();
        net.close();
    }
}
