package io.sedm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files, format version 1.0: magic {@code \x93NUMPY}, version bytes 1 0, a
 * little-endian uint16 header length, an ASCII dict {@code {'descr', 'fortran_order', 'shape'}}
 * padded with spaces and a newline so the data start at a multiple of 64 bytes. Little-endian
 * float32 ({@code <f4}) and float64 ({@code <f8}), C order.
 *
 * @param shape  the array shape
 * @param data   the values in C order (float32 files are widened)
 */
public record NpyFile(long[] shape, double[] data) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Writes {@code data} with the given shape as {@code <f4} ({@code float32 = true}) or {@code <f8}. */
    public static void write(Path file, long[] shape, double[] data, boolean float32) throws IOException {
        long numel = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (numel != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + numel + " values, got " + data.length);
        }
        StringBuilder dims = new StringBuilder();
        for (long s : shape) {
            dims.append(s).append(", ");
        }
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)"
                : "(" + (shape.length == 0 ? "" : dims.substring(0, dims.length() - 2)) + ")";
        String dict = "{'descr': '" + (float32 ? "<f4" : "<f8") + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        int elem = float32 ? 4 : 8;
        ByteBuffer buf = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.length * elem).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.US_ASCII));
        for (double v : data) {
            if (float32) {
                buf.putFloat((float) v);
            } else {
                buf.putDouble(v);
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(buf.array());
        }
    }

    /** Reads a version 1.x/2.x little-endian float32/float64 C-order file. */
    public static NpyFile read(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readAllBytes();
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        if (bytes.length < 10) {
            throw new IOException(file + " is not a .npy file (too short)");
        }
        buf.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a .npy file (bad magic)");
        }
        int major = buf.get();
        buf.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
        String header = new String(bytes, buf.position(), headerLength, StandardCharsets.US_ASCII);
        buf.position(buf.position() + headerLength);
        Matcher descr = Pattern.compile("'descr'\\s*:\\s*'([^']*)'").matcher(header);
        Matcher order = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)").matcher(header);
        Matcher shapeM = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)").matcher(header);
        if (!descr.find() || !order.find() || !shapeM.find()) {
            throw new IOException(file + ": unreadable .npy header " + header.trim());
        }
        if (order.group(1).equals("True")) {
            throw new IOException(file + ": Fortran-order arrays are not supported");
        }
        String d = descr.group(1);
        boolean f32 = d.equals("<f4") || d.equals("=f4");
        if (!f32 && !d.equals("<f8") && !d.equals("=f8")) {
            throw new IOException(file + ": dtype " + d + " is not supported (need <f4 or <f8)");
        }
        long[] shape = Arrays.stream(shapeM.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        int numel = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
        if (buf.remaining() < (long) numel * (f32 ? 4 : 8)) {
            throw new IOException(file + ": holds fewer values than its shape " + Arrays.toString(shape) + " needs");
        }
        double[] data = new double[numel];
        for (int i = 0; i < numel; i++) {
            data[i] = f32 ? buf.getFloat() : buf.getDouble();
        }
        return new NpyFile(shape, data);
    }
}
