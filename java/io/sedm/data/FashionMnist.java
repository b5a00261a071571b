package io.sedm.data;

import java.nio.file.Path;

/**
 * Fashion-MNIST (Xiao et al. 2017) from Debian's {@code dataset-fashion-mnist}: 60k train and 10k
 * test 28×28 grey images in 10 classes, read from the gzipped IDX files, mapped to [−1, 1] with
 * {@code x = k/127.5 − 1} (ALGORITHMS.md §0) and padded to 32×32 with −1 (black).
 *
 * @param images [n, 1, 32, 32] row-major, float64 in [−1, 1]
 * @param labels class index 0–9 per image
 */
public record FashionMnist(double[] images, int[] labels) {
    /** Debian's install location; overridden by {@code -Dsedm.data.dir}. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int SIZE = 32;
    public static final int PIXELS = SIZE * SIZE;
    public static final String[] CLASS_NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    public enum Split { TRAIN, TEST }

    public static Path directory() {
        String dir = System.getProperty("sedm.data.dir");
        return dir == null || dir.isBlank() ? DEFAULT_DIR : Path.of(dir);
    }

    /** Loads the first {@code limit} items of a split (all of them when limit ≤ 0). */
    public static FashionMnist load(Split split, int limit) {
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        IdxFile images = IdxFile.read(directory().resolve(prefix + "-images-idx3-ubyte.gz"));
        IdxFile labels = IdxFile.read(directory().resolve(prefix + "-labels-idx1-ubyte.gz"));
        if (images.shape().length != 3 || images.shape()[1] != 28 || images.shape()[2] != 28) {
            throw new DataFormatException("Fashion-MNIST images must be [n, 28, 28], got " + images);
        }
        if (labels.shape().length != 1 || labels.count() != images.count()) {
            throw new DataFormatException("Fashion-MNIST has " + images.count() + " images but labels " + labels);
        }
        int n = limit > 0 ? Math.min(limit, images.count()) : images.count();
        double[] x = new double[n * PIXELS];
        java.util.Arrays.fill(x, -1.0);
        int[] y = new int[n];
        byte[] src = images.data();
        for (int i = 0; i < n; i++) {
            y[i] = labels.data()[i] & 0xFF;
            if (y[i] > 9) {
                throw new DataFormatException("label " + y[i] + " of item " + i + " is outside 0..9");
            }
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    x[i * PIXELS + (r + 2) * SIZE + (c + 2)] = (src[i * 784 + r * 28 + c] & 0xFF) / 127.5 - 1.0;
                }
            }
        }
        return new FashionMnist(x, y);
    }

    public int size() {
        return labels.length;
    }

    /** Image i as a [1024] vector. */
    public double[] image(int i) {
        return java.util.Arrays.copyOfRange(images, i * PIXELS, (i + 1) * PIXELS);
    }
}
