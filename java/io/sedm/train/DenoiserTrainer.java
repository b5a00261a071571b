package io.sedm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.Npy;
import io.sedm.runtime.Adam;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * EDM's training loop (Karras et al. 2022, App. F; NVlabs/edm training/training_loop.py;
 * ALGORITHMS.md §3) driving a native network: per step, draw images, σ and noise, accumulate
 * the gradient of the {@link DenoisingLoss} over the accumulation rounds, Adam with the
 * learning-rate warm-up (gradients sanitised natively), then the EMA update.
 *
 * <p>Every random draw of step {@code s} comes from streams seeded by {@code (seed, s)} — batch
 * indices, σ, per-sample noise seeds and the dropout seed — so a run resumed from a checkpoint
 * continues exactly as if it had never stopped.
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
    private final Ema emaSchedule;
    private long step;
    private long imagesSeen;
    private double lastGradNorm;

    private DenoiserTrainer(NetworkConfig config, TrainOptions options, ImageDataset data, Device device) {
        this.config = config;
        this.options = options;
        this.data = data;
        this.loss = options.toLoss();
        this.emaSchedule = new Ema(options.emaHalfLifeImages(), options.emaRampupRatio());
        Network n = null, e = null;
        try {
            n = config.build(device);
            e = config.build(device);
            e.copyFrom(n);
            e.setTraining(false);
            e.setRequiresGrad(false);
            this.adam = Adam.create(Adam.Options.defaults().withWeightDecay(options.weightDecay())
                    .withMaxGradNorm(options.maxGradNorm()), n);
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
        if (config instanceof SongUNetConfig u && (u.inChannels() != data.channels() || u.imgResolution() != data.height())) {
            throw new IllegalArgumentException("the network expects " + u.inChannels() + "×" + u.imgResolution() + "² images, the data are "
                    + data.channels() + "×" + data.height() + "×" + data.width());
        }
        return new DenoiserTrainer(config, options, data, device);
    }

    /** The images the options name (Fashion-MNIST from Debian's package, or an .npz/.npy of uint8 NHWC). */
    public static ImageDataset loadData(TrainOptions options) {
        ImageDataset d;
        if (options.dataset().equals("fashion-mnist")) {
            d = FashionMnist.load(FashionMnist.directory(), true, options.dataLimit(), options.resolution());
        } else {
            Path p = Path.of(options.dataset());
            Npy.Array a = p.toString().endsWith(".npz") ? Npy.readNpz(p).values().iterator().next() : Npy.read(p);
            d = Npy.imagesFromNhwc(a);
            if (options.dataLimit() > 0 && options.dataLimit() < d.size()) d = d.head(options.dataLimit());
        }
        return options.xflip() ? d.withXFlips() : d;
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
        for (int r = 0; r < rounds; r++) {
            int[] idx = new int[batch];
            for (int b = 0; b < batch; b++) idx[b] = rng.nextInt(data.size());
            double[] sigma = loss.drawSigma(rng, batch);
            long[] seeds = new long[batch];
            for (int b = 0; b < batch; b++) seeds[b] = rng.nextLong();
            Network.manualSeed(rng.nextLong());
            boolean conditional = config instanceof SongUNetConfig u && u.labelDim() > 0;
            try (Tensor y = data.batch(idx, device); Tensor labels = conditional ? data.oneHot(idx, device) : null;
                 Tensor noise = y.emptyLike(); Generator g = Generator.ofSeeds(seeds)) {
                g.normal(noise);
                double[] l = loss.accumulate(net, y, noise, sigma, labels, 1.0 / rounds);
                for (double v : l) total += v;
            }
        }
        lastGradNorm = adam.step(Ema.warmup(options.lr(), imagesSeen, options.lrRampupImages()));
        ema.emaUpdate(net, emaSchedule.beta(options.batchSize(), imagesSeen));
        imagesSeen += options.batchSize();
        step++;
        return total / options.batchSize();
    }

    /** Runs until {@code options.steps()}, logging and checkpointing into {@code run}. */
    public void run(RunDirectory run, LongConsumer progress) {
        long start = System.nanoTime();
        double acc = 0;
        int n = 0;
        while (step < options.steps()) {
            acc += trainStep();
            n++;
            if (step % options.logEvery() == 0 || step == options.steps()) {
                run.log(String.format(java.util.Locale.ROOT, "step %d kimg %.3f loss %.5f grad_norm %.4g sec %.1f", step,
                        imagesSeen / 1e3, acc / n, lastGradNorm, (System.nanoTime() - start) / 1e9));
                acc = 0;
                n = 0;
            }
            if ((options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) || step == options.steps()) {
                save(run.path(), String.format("checkpoint-%08d", step));
            }
            if (progress != null) progress.accept(step);
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
        net.save(dir.resolve(name + "-net.safetensors"), meta);
        ema.save(dir.resolve(name + "-ema.safetensors"), meta);
        adam.save(dir.resolve(name + "-adam.safetensors"));
        ObjectNode side = JSON.createObjectNode();
        side.put("format", FORMAT);
        side.put("kind", "denoiser");
        try {
            side.set("network", JSON.readTree(config.toJson()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        side.set("training", JSON.valueToTree(options));
        ObjectNode d = side.putObject("data");
        d.put("channels", data.channels()).put("height", data.height()).put("width", data.width())
                .put("images", data.size()).put("normalisation", "x = k/127.5 - 1").put("pad_value", -1.0)
                .put("sigma_data", options.sigmaData());
        side.put("step", step);
        side.put("images_seen", imagesSeen);
        ObjectNode files = side.putObject("files");
        files.put("net", name + "-net.safetensors").put("ema", name + "-ema.safetensors")
                .put("optimizer", name + "-adam.safetensors");
        Path sidecar = dir.resolve(name + ".json");
        RunDirectory.writeAtomically(sidecar, side.toPrettyString());
        return sidecar;
    }

    /** Reads a checkpoint sidecar; a missing or malformed one throws with the file named. */
    static JsonNode readSidecar(Path sidecar) {
        try {
            JsonNode side = JSON.readTree(Files.readString(sidecar));
            if (side == null || !FORMAT.equals(side.path("format").asText())) {
                throw new IllegalArgumentException("checkpoint " + sidecar + ": not a sedm checkpoint sidecar (format must be " + FORMAT + ")");
            }
            return side;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("checkpoint " + sidecar + ": no such file", e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("checkpoint " + sidecar + ": corrupt JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + sidecar + ": " + e.getMessage(), e);
        }
    }

    /** Resumes from a checkpoint sidecar with its own options; {@code data} as those options name. */
    public static DenoiserTrainer resume(Path sidecar, ImageDataset data, Device device) {
        return resume(sidecar, null, data, device);
    }

    /** Resumes with {@code options} (e.g. more steps), or the checkpoint's own when null. */
    public static DenoiserTrainer resume(Path sidecar, TrainOptions options, ImageDataset data, Device device) {
        JsonNode side = readSidecar(sidecar);
        NetworkConfig config = NetworkConfig.fromJson(side.path("network").toString());
        TrainOptions opts;
        try {
            opts = options != null ? options : JSON.treeToValue(side.path("training"), TrainOptions.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("checkpoint " + sidecar + ": bad training options: " + e.getOriginalMessage(), e);
        }
        Path dir = sidecar.toAbsolutePath().getParent();
        DenoiserTrainer t = create(config, opts, data, device);
        try {
            JsonNode files = side.path("files");
            t.net.load(dir.resolve(files.path("net").asText()), true);
            t.ema.load(dir.resolve(files.path("ema").asText()), true);
            t.adam.load(dir.resolve(files.path("optimizer").asText()));
            t.step = side.path("step").asLong();
            t.imagesSeen = side.path("images_seen").asLong();
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** The network architecture a checkpoint sidecar records. */
    public static NetworkConfig networkConfig(Path sidecar) {
        return NetworkConfig.fromJson(readSidecar(sidecar).path("network").toString());
    }

    /** Loads just the EMA network of a checkpoint (for sampling). */
    public static Network loadEma(Path sidecar, Device device) {
        JsonNode side = readSidecar(sidecar);
        Network n = NetworkConfig.fromJson(side.path("network").toString()).build(device);
        try {
            n.load(sidecar.toAbsolutePath().getParent().resolve(side.path("files").path("ema").asText()), true);
            n.setTraining(false);
            return n;
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
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
        adam.close();
        ema.close();
        net.close();
    }
}
