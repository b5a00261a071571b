package io.sedm.eval;

import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What generated images are compared with: the Gaussian statistics of the 60k Fashion-MNIST
 * training images' features, and the features (with statistics and predicted classes) of the 10k
 * test images, both in one feature network's space. Computed once and cached as {@code .npz} in a
 * folder, under names carrying the feature network's {@link FeatureNetwork#id() id}:
 * {@code fmnist-train-ID.npz} ({@code mu}, {@code sigma}, {@code n}; EDM's reference-statistics
 * keys) and {@code fmnist-test-ID.npz} (the same plus {@code features} [10000, d] and {@code
 * predicted} [10000]). Each file is written under a temporary name and renamed, so a cache file is
 * either complete or absent.
 *
 * @param train        statistics of the training features
 * @param test         statistics of the test features
 * @param testFeatures the test features, rows
 * @param testLabels   the true test labels
 * @param predicted    the classifier's test predictions
 */
public record ReferenceFeatures(
        FeatureStatistics train, FeatureStatistics test, double[][] testFeatures, int[] testLabels, int[] predicted) {

    /** The classifier's top-1 accuracy on the test images. */
    public double testAccuracy() {
        int hits = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == testLabels[i]) hits++;
        }
        return (double) hits / predicted.length;
    }

    /** FD(test features, training statistics): what a perfect generator of test-set size scores (the floor). */
    public double floor() {
        return FrechetDistance.between(test, train);
    }

    /** Loads the cached reference of {@code net} from {@code cache}, computing and caching what is missing. */
    public static ReferenceFeatures load(FeatureNetwork net, Path cache, Consumer<String> log) {
        Path dir = FashionMnist.directory();
        return load(
                net,
                cache,
                "fmnist",
                () -> FashionMnist.load(dir, true, 0, 32),
                FashionMnist.load(dir, false, 0, 32),
                log);
    }

    /**
     * The same for any labelled reference: the statistics of {@code train} (read only when not cached)
     * and the features of {@code test}, cached as {@code PREFIX-train-ID.npz} and {@code
     * PREFIX-test-ID.npz}; a cache file that does not fit (corrupt, another network, another test
     * set) is an error naming it.
     */
    public static ReferenceFeatures load(
            FeatureNetwork net,
            Path cache,
            String prefix,
            Supplier<ImageDataset> train,
            ImageDataset test,
            Consumer<String> log) {
        try {
            Files.createDirectories(cache);
        } catch (IOException e) {
            throw new UncheckedIOException("--cache " + cache + ": cannot create the folder: " + e.getMessage(), e);
        }
        Path trainFile = cache.resolve(prefix + "-train-" + net.id() + ".npz");
        Path testFile = cache.resolve(prefix + "-test-" + net.id() + ".npz");
        FeatureStatistics trainStats;
        if (Files.isRegularFile(trainFile)) {
            trainStats = readCached(trainFile, () -> FeatureStatistics.load(trainFile));
            if (trainStats.dim() != net.dim()) {
                throw new IllegalArgumentException(trainFile + ": statistics of dimension " + trainStats.dim()
                        + ", the feature network has " + net.dim() + " (delete it to recompute)");
            }
        } else {
            ImageDataset images = train.get();
            log.accept("computing the features of the " + images.size() + " training images (cached in " + trainFile
                    + ")");
            trainStats = trainStatistics(net, images);
            trainStats.save(trainFile);
            readable(trainFile);
        }
        double[][] features;
        int[] predicted;
        if (Files.isRegularFile(testFile)) {
            Map<String, Npy.Array> a = readCached(testFile, () -> Npy.readNpz(testFile));
            Npy.Array f = a.get("features");
            Npy.Array p = a.get("predicted");
            if (f == null || p == null || f.shape().length != 2 || f.shape()[1] != net.dim()) {
                throw new IllegalArgumentException(
                        testFile + ": not a test-feature cache of this feature network" + " (delete it to recompute)");
            }
            features = NearestNeighbours.rows(f.toDoubles(), net.dim());
            double[] pd = p.toDoubles();
            predicted = new int[pd.length];
            for (int i = 0; i < pd.length; i++) predicted[i] = (int) pd[i];
        } else {
            log.accept("computing the features of the " + test.size() + " test images (cached in " + testFile + ")");
            FeatureNetwork.Outputs o = net.apply(test);
            features = o.features();
            predicted = o.predicted();
            writeTest(testFile, features, predicted, net.dim());
            readable(testFile);
        }
        if (features.length != test.size() || predicted.length != test.size()) {
            throw new IllegalArgumentException(testFile + ": holds " + features.length + " test features for "
                    + test.size() + " test images (delete it to recompute)");
        }
        return new ReferenceFeatures(trainStats, FeatureStatistics.of(features), features, test.labels(), predicted);
    }

    /** Reads a cache file; an unreadable one is an error that names it and says how to recover. */
    private static <T> T readCached(Path file, Supplier<T> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    file + ": unreadable cache (" + e.getMessage() + "); delete it to recompute", e);
        }
    }

    /** Mode 0644 like every other output (the .npz writer's temp file starts as 0600). */
    private static void readable(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system, or not ours to change: keep the mode it has
        }
    }

    /** Streams the training images through the network in chunks (the 60k × d features are never all held). */
    static FeatureStatistics trainStatistics(FeatureNetwork net, ImageDataset images) {
        FeatureStatistics.Accumulator acc = new FeatureStatistics.Accumulator(net.dim());
        int chunk = 5000;
        for (int start = 0; start < images.size(); start += chunk) {
            int n = Math.min(chunk, images.size() - start);
            ImageDataset part = slice(images, start, n);
            for (double[] f : net.features(part)) acc.add(f, 0);
        }
        return acc.statistics();
    }

    static ImageDataset slice(ImageDataset d, int start, int n) {
        int per = d.imageSize();
        float[] px = java.util.Arrays.copyOfRange(d.pixels(), start * per, (start + n) * per);
        int[] labels = d.labels() == null ? null : java.util.Arrays.copyOfRange(d.labels(), start, start + n);
        return new ImageDataset(px, labels, d.channels(), d.height(), d.width(), d.numClasses());
    }

    private static void writeTest(Path file, double[][] features, int[] predicted, int d) {
        FeatureStatistics s = FeatureStatistics.of(features);
        double[] flat = new double[features.length * d];
        for (int i = 0; i < features.length; i++) System.arraycopy(features[i], 0, flat, i * d, d);
        double[] sigma = new double[d * d];
        for (int i = 0; i < d; i++) System.arraycopy(s.covariance()[i], 0, sigma, i * d, d);
        long[] p = new long[predicted.length];
        for (int i = 0; i < p.length; i++) p[i] = predicted[i];
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        arrays.put("mu", Npy.Array.ofDoubles(s.mean(), d));
        arrays.put("sigma", Npy.Array.ofDoubles(sigma, d, d));
        arrays.put("n", Npy.Array.ofLongs(new long[] {features.length}, 1));
        arrays.put("features", Npy.Array.ofDoubles(flat, features.length, d));
        arrays.put("predicted", Npy.Array.ofLongs(p, p.length));
        Npy.writeNpz(file, arrays);
    }
}
