package io.sedm.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Adam;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.RunDirectory;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains the clean Fashion-MNIST classifier whose trunk is the feature network of {@code sedm eval}
 * (the role Inception-v3 plays for FID, Heusel et al. 2017; docs/ARCHITECTURE.md "Quality
 * measures"). The network is ADM's encoder with an attention-pool head (kind "classifier", the
 * DG classifier's architecture, small) evaluated at VP time τ = 0, i.e. on clean images: no noise
 * is added, so it is a plain image classifier.
 *
 * <p>Loss: cross-entropy, dL/dlogits = softmax − onehot over the batch (computed here). Data
 * augmentation: a random integer shift of up to {@code shift} pixels in x and y (the vacated
 * border filled with −1, the black background) and a random left-right flip. Learning rate: linear
 * warm-up over {@code warmup} steps, then a cosine decay to 0 at {@code steps} (Loshchilov &amp;
 * Hutter 2017, SGDR, without restarts).
 */
public final class FeatureClassifierTrainer implements AutoCloseable {
    /** The sidecar format of sedm checkpoints (io.sedm.train.DenoiserTrainer.FORMAT). */
    static final String CHECKPOINT_FORMAT = "sedm-checkpoint-1";

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param batchSize   images per Adam step
     * @param lr          peak learning rate
     * @param weightDecay L2 added to the gradient (torch.optim.Adam's weight_decay)
     * @param warmup      linear warm-up steps
     * @param steps       total steps (the cosine reaches 0 here)
     * @param shift       maximal random shift in pixels (0 = none)
     * @param flip        random left-right flips
     * @param seed        batch order, augmentation and initialisation seed
     */
    public record Options(
            int batchSize, double lr, double weightDecay, long warmup, long steps, int shift, boolean flip, long seed) {
        public Options {
            if (batchSize < 1 || !(lr > 0 && lr <= 1) || !(weightDecay >= 0) || warmup < 0 || steps < 1) {
                throw new IllegalArgumentException(
                        "need batchSize >= 1, lr in (0, 1], weightDecay >= 0, warmup >= 0, steps >= 1");
            }
            if (shift < 0 || shift > 8) {
                throw new IllegalArgumentException("shift must be in [0, 8], got " + shift);
            }
        }

        /** The learning rate at 0-based step s: warm-up, then ½·lr·(1 + cos(π·(s − w)/(T − w))). */
        public double lrAt(long s) {
            if (s < warmup) {
                return lr * (s + 1) / warmup;
            }
            double p = steps == warmup ? 1 : (double) (s - warmup) / (steps - warmup);
            return 0.5 * lr * (1 + Math.cos(Math.PI * Math.min(p, 1)));
        }
    }

    private final AdmEncoderConfig config;
    private final Options options;
    private final ImageDataset data;
    private final Network net;
    private final Adam adam;
    private long step;

    public FeatureClassifierTrainer(AdmEncoderConfig config, Options options, ImageDataset data, Device device) {
        if (!config.kind().equals("classifier")) {
            throw new IllegalArgumentException("config must be a classifier, got " + config.kind());
        }
        if (data.labels() == null) {
            throw new IllegalArgumentException("the classifier needs labelled data");
        }
        if (data.channels() != config.inChannels() || data.height() != config.imgResolution()) {
            throw new IllegalArgumentException("images are " + data.channels() + "×" + data.height() + "×"
                    + data.width() + ", the network takes " + config.inChannels() + "×" + config.imgResolution());
        }
        this.config = config;
        this.options = options;
        this.data = data;
        Network.manualSeed(options.seed());
        this.net = config.build(device);
        this.adam = Adam.create(Adam.Options.defaults().withWeightDecay(options.weightDecay()), net);
    }

    public long step() {
        return step;
    }

    public Network network() {
        return net;
    }

    /** One Adam step on an augmented batch; returns the batch's mean cross-entropy. */
    public double trainStep() {
        SplittableRandom rng = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + step);
        int b = options.batchSize();
        int[] labels = new int[b];
        float[] px = new float[b * data.imageSize()];
        for (int i = 0; i < b; i++) {
            int idx = rng.nextInt(data.size());
            labels[i] = data.labels()[idx];
            int dx = options.shift() == 0 ? 0 : rng.nextInt(2 * options.shift() + 1) - options.shift();
            int dy = options.shift() == 0 ? 0 : rng.nextInt(2 * options.shift() + 1) - options.shift();
            boolean flip = options.flip() && rng.nextBoolean();
            augment(data, idx, dx, dy, flip, px, i * data.imageSize());
        }
        net.setTraining(true);
        net.zeroGrad();
        double loss;
        try (Tensor x = Tensor.of(px, data.batchShape(b), net.device());
                Tensor logits = net.forward(x, new double[b], null, true)) {
            double[] l = logits.toDoubleArray();
            double[] grad = new double[l.length];
            loss = crossEntropy(l, labels, config.outChannels(), grad);
            try (Tensor g = Tensor.of(grad, logits.shape(), Device.CPU)) {
                net.backward(g);
            }
        }
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("training diverged at step " + (step + 1) + ": the loss is " + loss);
        }
        adam.step(options.lrAt(step));
        step++;
        return loss;
    }

    /**
     * Mean cross-entropy of logits [B, K] against labels; writes dL/dlogits = (softmax − onehot)/B
     * into {@code grad} (log-sum-exp with the row maximum subtracted).
     */
    static double crossEntropy(double[] logits, int[] labels, int k, double[] grad) {
        int b = labels.length;
        double ce = 0;
        for (int i = 0; i < b; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) max = Math.max(max, logits[i * k + c]);
            double sum = 0;
            for (int c = 0; c < k; c++) sum += Math.exp(logits[i * k + c] - max);
            ce -= (logits[i * k + labels[i]] - max - Math.log(sum)) / b;
            for (int c = 0; c < k; c++) {
                grad[i * k + c] = (Math.exp(logits[i * k + c] - max) / sum - (c == labels[i] ? 1 : 0)) / b;
            }
        }
        return ce;
    }

    /**
     * Image {@code idx} of {@code data} shifted by (dx, dy) pixels (vacated pixels −1) and optionally
     * mirrored left-right, written to {@code out[off ..]}.
     */
    static void augment(ImageDataset data, int idx, int dx, int dy, boolean flip, float[] out, int off) {
        int h = data.height(), w = data.width(), per = h * w;
        float[] px = data.pixels();
        for (int c = 0; c < data.channels(); c++) {
            int base = idx * data.imageSize() + c * per;
            for (int y = 0; y < h; y++) {
                int sy = y - dy;
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) - dx;
                    out[off + c * per + y * w + x] =
                            sy >= 0 && sy < h && sx >= 0 && sx < w ? px[base + sy * w + sx] : -1f;
                }
            }
        }
    }

    /** Top-1 accuracy on every image of {@code test} (clean, eval mode). */
    public double accuracy(ImageDataset test) {
        try (FeatureNetwork f = FeatureNetwork.of(config, net)) {
            int[] predicted = f.predict(test);
            int hits = 0;
            for (int i = 0; i < predicted.length; i++) {
                if (predicted[i] == test.labels()[i]) hits++;
            }
            return (double) hits / predicted.length;
        }
    }

    /**
     * Writes {@code dir/name.safetensors} and the sidecar {@code dir/name.json} (a sedm
     * "classifier" checkpoint: format, kind, step, network, training, files, plus {@code
     * extra}); returns the sidecar.
     */
    public Path save(Path dir, String name, ObjectNode extra) {
        RunDirectory.writeAtomically(
                dir.resolve(name + ".safetensors"), tmp -> net.save(tmp, Map.of("step", Long.toString(step))));
        ObjectNode side = JSON.createObjectNode();
        side.put("format", CHECKPOINT_FORMAT).put("kind", "classifier").put("step", step);
        try {
            side.set("network", JSON.readTree(config.toJson()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        side.set("training", JSON.valueToTree(options));
        if (extra != null) side.setAll(extra);
        side.putObject("files").put("net", name + ".safetensors");
        Path sidecar = dir.resolve(name + ".json");
        RunDirectory.writeAtomically(sidecar, side.toPrettyString());
        return sidecar;
    }

    @Override
    public void close() {
        adam.close();
        net.close();
    }
}
