package io.sedm.eval;

import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.Checkpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The feature network of {@code sedm eval}: a clean Fashion-MNIST classifier (ADM encoder +
 * attention pool, trained by {@link FeatureClassifierTrainer}) read from a "classifier" checkpoint.
 *
 * <p><b>Feature layer.</b> The features of an image are the global average (over the 8×8
 * positions) of the trunk's last feature map, the output of the middle block (ResBlock, attention,
 * ResBlock) before the head's GroupNorm: a vector of {@code model_channels · channel_mult[-1]}
 * numbers, the analogue of Inception-v3's pool3 features in FID (Heusel et al. 2017). The
 * predicted class (for the class histogram) is the arg-max of the full classifier's logits. Both
 * are taken at VP time τ = 0, in eval mode, float32 network, double-precision averages.
 */
public final class FeatureNetwork implements AutoCloseable {
    /** Images per forward pass. */
    static final int BATCH = 250;

    private final AdmEncoderConfig config;
    private final Network classifier;
    private final Network trunk;
    private final boolean ownsClassifier;
    private final String id;

    private FeatureNetwork(AdmEncoderConfig config, Network classifier, Network trunk, boolean owns, String id) {
        this.config = config;
        this.classifier = classifier;
        this.trunk = trunk;
        this.ownsClassifier = owns;
        this.id = id;
    }

    /** Loads the classifier checkpoint {@code sidecar} (its weights strictly, the trunk out of them). */
    public static FeatureNetwork load(Path sidecar, Device device) {
        Checkpoint ckpt = Checkpoint.read(sidecar, Checkpoint.Kind.CLASSIFIER, "--features");
        AdmEncoderConfig cfg = (AdmEncoderConfig) ckpt.network();
        Path weights = ckpt.file("net");
        Network cls = cfg.build(device);
        try {
            cls.load(weights, true);
            cls.setTraining(false);
            cls.setRequiresGrad(false);
        } catch (RuntimeException e) {
            cls.close();
            throw new IllegalArgumentException("--features " + sidecar + ": " + e.getMessage(), e);
        }
        try {
            return new FeatureNetwork(cfg, cls, ckpt.loadTrunk(device), true, digest(weights));
        } catch (RuntimeException e) {
            cls.close();
            throw e;
        }
    }

    /** A view of a classifier being trained (not owned; its trunk is a copy of the current weights). */
    static FeatureNetwork of(AdmEncoderConfig cfg, Network classifier) {
        Network trunk = cfg.asTrunk().build(classifier.device());
        for (Network.TensorInfo t : trunk.tensors()) {
            try (Tensor v = classifier.get(t.name())) {
                trunk.set(t.name(), v);
            }
        }
        trunk.setTraining(false);
        classifier.setTraining(false);
        return new FeatureNetwork(cfg, classifier, trunk, false, "in-training");
    }

    /** Feature dimension d = model_channels · channel_mult[-1]. */
    public int dim() {
        return config.featureChannels();
    }

    public int numClasses() {
        return config.outChannels();
    }

    public AdmEncoderConfig config() {
        return config;
    }

    /** The first 16 hex digits of the SHA-256 of the weights file (keys the reference-statistics cache). */
    public String id() {
        return id;
    }

    /** Features (rows of {@link #dim()}) and predicted classes of every image. */
    public record Outputs(double[][] features, int[] predicted) {}

    public Outputs apply(ImageDataset images) {
        return new Outputs(features(images), predict(images));
    }

    /** The pooled trunk features of every image, n × {@link #dim()}. */
    public double[][] features(ImageDataset images) {
        check(images);
        int n = images.size(), d = dim();
        double[][] out = new double[n][d];
        forEachBatch(images, trunk, (start, values, shape) -> {
            int positions = (int) (shape[2] * shape[3]);
            for (int i = 0; i < shape[0]; i++) {
                for (int c = 0; c < d; c++) {
                    double s = 0;
                    int base = (i * d + c) * positions;
                    for (int p = 0; p < positions; p++) s += values[base + p];
                    out[start + i][c] = s / positions;
                }
            }
        });
        return out;
    }

    /** The arg-max class of every image. */
    public int[] predict(ImageDataset images) {
        check(images);
        int[] out = new int[images.size()];
        int k = numClasses();
        forEachBatch(images, classifier, (start, values, shape) -> {
            for (int i = 0; i < shape[0]; i++) {
                int best = 0;
                for (int c = 1; c < k; c++) if (values[i * k + c] > values[i * k + best]) best = c;
                out[start + i] = best;
            }
        });
        return out;
    }

    private interface BatchOutput {
        void accept(int start, float[] values, long[] shape);
    }

    private static void forEachBatch(ImageDataset images, Network net, BatchOutput use) {
        int n = images.size();
        for (int start = 0; start < n; start += BATCH) {
            int b = Math.min(BATCH, n - start);
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) idx[i] = start + i;
            try (Tensor x = images.batch(idx, net.device());
                    Tensor y = net.forward(x, new double[b], null, false)) {
                use.accept(start, y.toFloatArray(), y.shape());
            }
        }
    }

    private void check(ImageDataset images) {
        if (images.channels() != config.inChannels()
                || images.height() != config.imgResolution()
                || images.width() != config.imgResolution()) {
            throw new IllegalArgumentException("the feature network takes " + config.inChannels() + "×"
                    + config.imgResolution() + "×" + config.imgResolution() + " images, got " + images.channels()
                    + "×" + images.height() + "×" + images.width());
        }
    }

    static String digest(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        trunk.close();
        if (ownsClassifier) classifier.close();
    }
}
