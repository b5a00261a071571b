package io.sedm.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An IDX file of unsigned bytes (LeCun's MNIST format, also Fashion-MNIST's): a magic number
 * {@code 0x00 0x00 0x08 ndim}, ndim big-endian int32 sizes, then the bytes. Gzipped files
 * ({@code .gz}) are read directly.
 *
 * @param shape the sizes (e.g. [60000, 28, 28] for images, [60000] for labels)
 * @param data  the raw unsigned bytes, row-major
 */
public record IdxFile(int[] shape, byte[] data) {
    private static final int UBYTE = 0x08;

    /** Reads a whole file; errors name the file and what is wrong with it. */
    public static IdxFile read(Path file) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = new DataInputStream(new BufferedInputStream(
                        file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16))) {
            DataInputStream d = (DataInputStream) in;
            int magic = d.readInt();
            int type = (magic >>> 8) & 0xFF;
            int ndim = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UBYTE || ndim < 1 || ndim > 4) {
                throw new DataFormatException(file + " is not an unsigned-byte IDX file (magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x0000080N with N in 1..4)");
            }
            int[] shape = new int[ndim];
            long n = 1;
            for (int i = 0; i < ndim; i++) {
                shape[i] = d.readInt();
                if (shape[i] < 0) {
                    throw new DataFormatException(file + ": dimension " + i + " is negative (" + shape[i] + ")");
                }
                n *= shape[i];
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw new DataFormatException(file + ": " + n + " elements do not fit one array");
            }
            byte[] data = new byte[(int) n];
            d.readFully(data);
            return new IdxFile(shape, data);
        } catch (NoSuchFileException e) {
            throw new DataFormatException("missing file " + file
                    + (file.toString().contains("fashion-mnist") ? " (install the Debian package dataset-fashion-mnist)" : ""), e);
        } catch (EOFException e) {
            throw new DataFormatException(file + " is truncated: it ends before the sizes in its header say", e);
        } catch (IOException e) {
            throw new DataFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Number of items (size of dimension 0). */
    public int count() {
        return shape[0];
    }

    @Override
    public String toString() {
        return "IdxFile" + Arrays.toString(shape);
    }
}
