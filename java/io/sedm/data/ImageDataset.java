package io.sedm.data;

import io.sedm.runtime.Device;
import io.sedm.runtime.Tensor;
import java.util.Arrays;

/**
 * Images in memory as float32 NCHW in [−1, 1] (x = k/127.5 − 1, docs/ALGORITHMS.md §0), with
 * optional integer class labels (−1 = unlabelled).
 */
public record ImageDataset(float[] pixels, int[] labels, int channels, int height, int width, int numClasses) {

    public ImageDataset {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("channels, height and width must be positive");
        }
        long per = (long) channels * height * width;
        if (pixels.length % per != 0) {
            throw new IllegalArgumentException(
                    "pixels hold " + pixels.length + " values, not a multiple of C·H·W = " + per);
        }
        if (labels != null && labels.length != pixels.length / per) {
            throw new IllegalArgumentException(
                    "labels hold " + labels.length + " entries for " + pixels.length / per + " images");
        }
    }

    public int size() {
        return (int) (pixels.length / ((long) channels * height * width));
    }

    public int imageSize() {
        return channels * height * width;
    }

    public long[] batchShape(int batch) {
        return new long[] {batch, channels, height, width};
    }

    /** Images {@code indices} as one float32 tensor [B, C, H, W] on {@code device}. */
    public Tensor batch(int[] indices, Device device) {
        int per = imageSize();
        float[] out = new float[indices.length * per];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * per, out, i * per, per);
        }
        return Tensor.of(out, batchShape(indices.length), device);
    }

    /** One-hot labels [B, numClasses] (float32), or null for an unlabelled dataset. */
    public Tensor oneHot(int[] indices, Device device) {
        if (labels == null || numClasses == 0) {
            return null;
        }
        float[] out = new float[indices.length * numClasses];
        for (int i = 0; i < indices.length; i++) {
            out[i * numClasses + labels[indices[i]]] = 1f;
        }
        return Tensor.of(out, new long[] {indices.length, numClasses}, device);
    }

    /** The first {@code n} images. */
    public ImageDataset head(int n) {
        if (n < 0 || n > size()) {
            throw new IllegalArgumentException("n must be in [0, " + size() + "], got " + n);
        }
        return new ImageDataset(
                Arrays.copyOf(pixels, n * imageSize()),
                labels == null ? null : Arrays.copyOf(labels, n),
                channels,
                height,
                width,
                numClasses);
    }

    /** Mirrors every image left-right (the x-flip augmentation), appended after the originals. */
    public ImageDataset withXFlips() {
        int n = size(), per = imageSize();
        float[] out = Arrays.copyOf(pixels, 2 * pixels.length);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    int row = i * per + (c * height + y) * width;
                    for (int x = 0; x < width; x++) {
                        out[n * per + row + x] = pixels[row + width - 1 - x];
                    }
                }
            }
        }
        int[] l = null;
        if (labels != null) {
            l = Arrays.copyOf(labels, 2 * n);
            System.arraycopy(labels, 0, l, n, n);
        }
        return new ImageDataset(out, l, channels, height, width, numClasses);
    }

    /** 2×2 box downsampling (for small CPU tests). */
    public ImageDataset downsample2x() {
        if (height % 2 != 0 || width % 2 != 0) {
            throw new IllegalArgumentException("height and width must be even");
        }
        int n = size(), h = height / 2, w = width / 2;
        float[] out = new float[n * channels * h * w];
        for (int i = 0; i < n * channels; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int src = i * height * width + 2 * y * width + 2 * x;
                    out[i * h * w + y * w + x] =
                            0.25f * (pixels[src] + pixels[src + 1] + pixels[src + width] + pixels[src + width + 1]);
                }
            }
        }
        return new ImageDataset(out, labels, channels, h, w, numClasses);
    }

    /** Maps uint8 pixel k to k/127.5 − 1 (docs/ALGORITHMS.md §0). */
    public static float toSigned(int k) {
        return (float) (k / 127.5 - 1.0);
    }
}
