package io.sedm.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST (Xiao et al. 2017) read straight from the gzipped IDX files of Debian's
 * {@code dataset-fashion-mnist} package: 28×28 gray images padded to 32×32 with −1 (the value
 * of a black pixel), mapped to [−1, 1] by x = k/127.5 − 1; 10 classes.
 *
 * <p>IDX is read by hand (a big-endian magic, the dimensions, then raw bytes, gunzipped by the JDK's
 * {@code GZIPInputStream}): no maintained Java library reads it, and none is needed for 20 lines.
 */
public final class FashionMnist {
    /** Where Debian's package installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    public static final int CLASSES = 10;
    private static final int IDX_UBYTE_3D = 0x00000803;
    private static final int IDX_UBYTE_1D = 0x00000801;

    public static final String[] CLASS_NAMES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    };

    private FashionMnist() {}

    /** {@code -Dsedm.data.dir} when set (e.g. the GPU bundle's copy), else Debian's folder. */
    public static Path directory() {
        String dir = System.getProperty("sedm.data.dir");
        return dir == null || dir.isBlank() ? DEFAULT_DIR : Path.of(dir);
    }

    /** Whether the files exist in {@code dir}. */
    public static boolean available(Path dir) {
        return Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
                && Files.isRegularFile(dir.resolve("train-labels-idx1-ubyte.gz"));
    }

    /**
     * Loads the training ({@code train}) or test split, at most {@code limit} images (≤ 0 = all),
     * padded to {@code resolution} (≥ 28, even padding: 2 px each side for 32).
     */
    public static ImageDataset load(Path dir, boolean train, int limit, int resolution) {
        String prefix = train ? "train" : "t10k";
        if (resolution < 28 || (resolution - 28) % 2 != 0) {
            throw new IllegalArgumentException("resolution must be 28 + an even padding, got " + resolution);
        }
        byte[][] images = readImages(dir.resolve(prefix + "-images-idx3-ubyte.gz"), limit);
        int[] labels = readLabels(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), images.length);
        int pad = (resolution - 28) / 2, per = resolution * resolution;
        float[] pixels = new float[images.length * per];
        java.util.Arrays.fill(pixels, -1f);
        for (int i = 0; i < images.length; i++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    pixels[i * per + (y + pad) * resolution + x + pad] =
                            ImageDataset.toSigned(images[i][y * 28 + x] & 0xFF);
                }
            }
        }
        return new ImageDataset(pixels, labels, 1, resolution, resolution, CLASSES);
    }

    /** Reads an IDX3 unsigned-byte image file (magic 0x00000803); at most {@code limit} images. */
    static byte[][] readImages(Path file, int limit) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IDX_UBYTE_3D) {
                throw new IllegalArgumentException(file + ": not an IDX3 ubyte image file (magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x803)");
            }
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (n < 0 || rows != 28 || cols != 28) {
                throw new IllegalArgumentException(
                        file + ": expected N×28×28 images, header says " + n + "×" + rows + "×" + cols);
            }
            int count = limit > 0 ? Math.min(limit, n) : n;
            byte[][] out = new byte[count][rows * cols];
            for (int i = 0; i < count; i++) {
                in.readFully(out[i]);
            }
            return out;
        } catch (IOException e) {
            throw readError(file, "images", e);
        }
    }

    /** Reads an IDX1 unsigned-byte label file (magic 0x00000801); its first {@code count} labels. */
    static int[] readLabels(Path file, int count) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IDX_UBYTE_1D) {
                throw new IllegalArgumentException(file + ": not an IDX1 ubyte label file (magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x801)");
            }
            int n = in.readInt();
            if (n < count) {
                throw new IllegalArgumentException(file + ": holds " + n + " labels for " + count + " images");
            }
            int[] out = new int[count];
            for (int i = 0; i < count; i++) {
                out[i] = in.readUnsignedByte();
                if (out[i] >= CLASSES) {
                    throw new IllegalArgumentException(file + ": label " + out[i] + " at " + i + " is outside [0, 10)");
                }
            }
            return out;
        } catch (IOException e) {
            throw readError(file, "labels", e);
        }
    }

    /** The message a failed read of {@code file} gets: truncated, missing, not gzip, or plain I/O. */
    private static RuntimeException readError(Path file, String what, IOException e) {
        return switch (e) {
            case EOFException eof ->
                new IllegalArgumentException(file + ": truncated (fewer " + what + " than the header announces)", eof);
            case NoSuchFileException missing ->
                new IllegalArgumentException(file + ": no such file (install dataset-fashion-mnist)", missing);
            case ZipException zip ->
                new IllegalArgumentException(file + ": not a valid gzip file: " + zip.getMessage(), zip);
            default -> new UncheckedIOException(file + ": " + e.getMessage(), e);
        };
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }
}
