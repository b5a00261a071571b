package io.sedm.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * NumPy's .npy format (version 1.0/2.0 read, 1.0 written; C order; little-endian f4, f8, u1, i8)
 * and .npz archives (a zip of .npy files, stored or deflated).
 *
 * <p>Kept in the project rather than taken from a library: the format is a 10-byte preamble plus a
 * Python-literal header of three keys, and the zip side is the JDK's {@code java.util.zip}. The Java
 * readers on Maven Central (org.jetbrains.bio:npy, which brings the Kotlin runtime, and a few
 * unmaintained ones) add a dependency larger than this class and still do not give the strict
 * checks this one has: big-endian, Fortran order, object arrays, truncated data and lying shapes
 * are refused with a message naming the file.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Element types this reader and writer support. */
    public enum Type {
        F4("<f4", 4),
        F8("<f8", 8),
        U1("|u1", 1),
        I8("<i8", 8);

        final String descr;
        final int size;

        Type(String descr, int size) {
            this.descr = descr;
            this.size = size;
        }

        static Type of(String descr, String where) {
            for (Type t : values()) {
                if (t.descr.equals(descr) || (t == U1 && descr.equals("<u1"))) {
                    return t;
                }
            }
            throw new IllegalArgumentException(
                    where + ": unsupported dtype '" + descr + "' (supported: <f4, <f8, |u1, <i8)");
        }
    }

    /** One array: its shape, element type and raw little-endian data. */
    public record Array(long[] shape, Type type, byte[] data) {
        public long numel() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        /** The values widened to double. */
        public double[] toDoubles() {
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            double[] out = new double[Math.toIntExact(numel())];
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (type) {
                    case F4 -> b.getFloat();
                    case F8 -> b.getDouble();
                    case U1 -> b.get() & 0xFF;
                    case I8 -> b.getLong();
                };
            }
            return out;
        }

        public static Array ofFloats(float[] v, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                b.putFloat(x);
            }
            return checked(new Array(shape.clone(), Type.F4, b.array()));
        }

        public static Array ofDoubles(double[] v, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (double x : v) {
                b.putDouble(x);
            }
            return checked(new Array(shape.clone(), Type.F8, b.array()));
        }

        public static Array ofBytes(byte[] v, long... shape) {
            return checked(new Array(shape.clone(), Type.U1, v.clone()));
        }

        public static Array ofLongs(long[] v, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long x : v) {
                b.putLong(x);
            }
            return checked(new Array(shape.clone(), Type.I8, b.array()));
        }

        private static Array checked(Array a) {
            if (a.numel() * a.type.size != a.data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(a.shape) + " does not match "
                        + a.data.length / a.type.size + " values");
            }
            return a;
        }
    }

    public static Array read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + reason(e), e);
        }
    }

    /** An exception's message, or its type when it has none (never "null"). */
    static String reason(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * The images of a uint8 NHWC {@code .npy}, or of the one array (else the one named
     * {@code images}, else the first) of an {@code .npz}; every problem throws
     * {@link IllegalArgumentException} naming {@code flag}, the file and what is wrong.
     */
    public static ImageDataset loadImages(Path file, String flag) {
        if (!Files.exists(file)) throw new IllegalArgumentException(flag + " " + file + ": no such file");
        if (Files.isDirectory(file))
            throw new IllegalArgumentException(flag + " " + file + ": is a folder, not an .npz/.npy file");
        try {
            Array a;
            if (file.toString().endsWith(".npz")) {
                Map<String, Array> all = readNpz(file);
                a = all.size() == 1
                        ? all.values().iterator().next()
                        : all.containsKey("images")
                                ? all.get("images")
                                : all.values().iterator().next();
            } else {
                a = read(file);
            }
            ImageDataset d = imagesFromNhwc(a);
            if (d.size() == 0)
                throw new IllegalArgumentException("holds no images (shape " + Arrays.toString(a.shape) + ")");
            return d;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            String m = reason(e);
            throw new IllegalArgumentException(flag + " " + (m.startsWith(file.toString()) ? m : file + ": " + m), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " " + file + ": unreadable (" + reason(e) + ")", e);
        }
    }

    /** Writes atomically (temp file + rename). */
    public static void write(Path file, Array array) {
        try {
            Path tmp = Files.createTempFile(
                    file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(out, array);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the .npy bytes to a stream (an HTTP response, say); the caller closes it. */
    public static void write(OutputStream out, Array a) throws IOException {
        StringBuilder shape = new StringBuilder();
        for (long s : a.shape) {
            shape.append(s).append(", ");
        }
        if (a.shape.length > 1) {
            shape.setLength(shape.length() - 2);
        } else if (a.shape.length == 1) {
            shape.setLength(shape.length() - 1);
        }
        String header = "{'descr': '" + a.type.descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int total = MAGIC.length + 2 + 2 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        out.write(MAGIC);
        out.write(new byte[] {1, 0});
        int len = header.length();
        out.write(new byte[] {(byte) len, (byte) (len >> 8)});
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        out.write(a.data);
    }

    static Array read(InputStream in, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw new IllegalArgumentException(where + ": not a .npy file (bad magic)");
        }
        int major = magic[6];
        long headerLen;
        if (major == 1) {
            byte[] l = in.readNBytes(2);
            if (l.length < 2) throw new IllegalArgumentException(where + ": truncated header");
            headerLen = (l[0] & 0xFF) | (l[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] l = in.readNBytes(4);
            if (l.length < 4) throw new IllegalArgumentException(where + ": truncated header");
            headerLen = ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        } else {
            throw new IllegalArgumentException(where + ": unsupported .npy version " + major);
        }
        if (headerLen > 1 << 20) throw new IllegalArgumentException(where + ": header too long");
        byte[] hb = in.readNBytes((int) headerLen);
        if (hb.length < headerLen) throw new IllegalArgumentException(where + ": truncated header");
        String header = new String(hb, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IllegalArgumentException(where + ": malformed header " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new IllegalArgumentException(where + ": Fortran-ordered arrays are not supported");
        }
        Type type = Type.of(d.group(1), where);
        String[] dims = s.group(1).split(",");
        long[] shape = Arrays.stream(dims)
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .mapToLong(Long::parseLong)
                .toArray();
        long numel = 1;
        for (long v : shape) {
            if (v < 0) throw new IllegalArgumentException(where + ": negative dimension");
            numel = Math.multiplyExact(numel, v);
        }
        long nbytes = numel * type.size;
        if (nbytes > Integer.MAX_VALUE - 16) throw new IllegalArgumentException(where + ": array over 2 GiB");
        byte[] data = in.readNBytes((int) nbytes);
        if (data.length < nbytes) {
            throw new IllegalArgumentException(
                    where + ": truncated data (" + data.length + " of " + nbytes + " bytes)");
        }
        return new Array(shape, type, data);
    }

    /** Every array of an .npz archive, by name (without the .npy suffix). */
    public static Map<String, Array> readNpz(Path file) {
        Map<String, Array> out = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName();
                if (!name.endsWith(".npy")) continue;
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                zip.transferTo(buf);
                out.put(
                        name.substring(0, name.length() - 4),
                        read(new java.io.ByteArrayInputStream(buf.toByteArray()), file + "!" + name));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a readable .npz archive (" + reason(e) + ")", e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no .npy entries (not an .npz archive?)");
        return out;
    }

    /** Writes arrays to an .npz archive (deflated entries {@code name.npy}), atomically (temp file + rename). */
    public static void writeNpz(Path file, Map<String, Array> arrays) {
        try {
            Path tmp = Files.createTempFile(
                    file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
            try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(tmp))) {
                for (Map.Entry<String, Array> e : arrays.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                    write(zip, e.getValue());
                    zip.closeEntry();
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Images from an .npy/.npz array of uint8 [N, H, W, C] (NHWC, as EDM/DG write them) mapped to [−1, 1]. */
    public static ImageDataset imagesFromNhwc(Array a) {
        if (a.type != Type.U1 || a.shape.length != 4) {
            throw new IllegalArgumentException(
                    "expected a uint8 [N, H, W, C] array, got " + a.type + " " + Arrays.toString(a.shape));
        }
        if (a.shape[1] < 1 || a.shape[2] < 1 || a.shape[3] < 1 || a.shape[3] > 4) {
            throw new IllegalArgumentException(
                    "expected uint8 [N, H, W, C] images with C in 1..4, got shape " + Arrays.toString(a.shape));
        }
        int n = (int) a.shape[0], h = (int) a.shape[1], w = (int) a.shape[2], c = (int) a.shape[3];
        float[] px = new float[n * c * h * w];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++)
                        px[((i * c + ch) * h + y) * w + x] =
                                ImageDataset.toSigned(a.data[((i * h + y) * w + x) * c + ch] & 0xFF);
        return new ImageDataset(px, null, c, h, w, 0);
    }
}
