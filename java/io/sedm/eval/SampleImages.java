package io.sedm.eval;

import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Generated images for evaluation, read from what {@code sedm sample} writes: a run folder (its
 * {@code samples.npy}), an {@code .npy} of float32/float64 [N, 1, H, W] (or [N, H, W]) in [−1, 1],
 * a uint8 [N, H, W, 1] {@code .npy}, or an {@code .npz} holding one such array (else the one named
 * {@code images} or {@code samples}); or the real images {@code fashion-mnist:test[:N]} /
 * {@code fashion-mnist:train[:N]} (for the floor and for checks).
 *
 * <p>Float values are clipped to [−1, 1], as EDM's pipeline does when it writes 8-bit PNGs before
 * computing features; 28×28 images are padded to 32×32 with −1 (black), exactly as
 * {@link FashionMnist} pads the real ones. A non-finite value, a wrong rank, more than one
 * channel or another size is refused with a message naming the input.
 */
public final class SampleImages {
    private SampleImages() {}

    /** The images {@code input} names, as 1×32×32 in [−1, 1]; every problem names the input. */
    public static ImageDataset load(String input) {
        if (input.startsWith("fashion-mnist:")) {
            return real(input);
        }
        Path path = Path.of(input);
        if (Files.isDirectory(path)) {
            Path s = path.resolve("samples.npy");
            if (!Files.isRegularFile(s)) {
                throw new IllegalArgumentException(input + ": a folder without samples.npy (not a sample run folder)");
            }
            path = s;
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(input + ": no such file");
        }
        Npy.Array a;
        try {
            if (path.toString().endsWith(".npz")) {
                Map<String, Npy.Array> all = Npy.readNpz(path);
                a = all.size() == 1
                        ? all.values().iterator().next()
                        : all.containsKey("images") ? all.get("images") : all.get("samples");
                if (a == null) {
                    throw new IllegalArgumentException(
                            "holds " + all.keySet() + "; expected one array, or one named images or samples");
                }
            } else {
                a = Npy.read(path);
            }
            return images(a);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException(m.startsWith(path.toString()) ? m : path + ": " + m, e);
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException(path + ": unreadable (" + e.getMessage() + ")", e);
        }
    }

    /** {@code fashion-mnist:test[:N]} or {@code fashion-mnist:train[:N]}. */
    static ImageDataset real(String input) {
        String[] parts = input.split(":");
        if (parts.length < 2 || parts.length > 3 || !(parts[1].equals("test") || parts[1].equals("train"))) {
            throw new IllegalArgumentException(input + ": expected fashion-mnist:test[:N] or fashion-mnist:train[:N]");
        }
        int limit = 0;
        if (parts.length == 3) {
            try {
                limit = Integer.parseInt(parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(input + ": N must be an integer", e);
            }
            if (limit < 1) throw new IllegalArgumentException(input + ": N must be >= 1");
        }
        return FashionMnist.load(FashionMnist.directory(), parts[1].equals("train"), limit, 32);
    }

    /** The images of one array (see the class comment), as 1×32×32 in [−1, 1]. */
    public static ImageDataset images(Npy.Array a) {
        long[] s = a.shape();
        if (a.type() == Npy.Type.U1) {
            if (s.length != 4 || s[3] != 1) {
                throw new IllegalArgumentException(
                        "expected uint8 [N, H, W, 1] images, got shape " + Arrays.toString(s));
            }
            return padded(Npy.imagesFromNhwc(a));
        }
        long[] shape = s.length == 3 ? new long[] {s[0], 1, s[1], s[2]} : s;
        if (shape.length != 4) {
            throw new IllegalArgumentException("expected images [N, 1, H, W], got shape " + Arrays.toString(s));
        }
        if (shape[1] != 1) {
            throw new IllegalArgumentException("expected one channel (Fashion-MNIST), got shape " + Arrays.toString(s));
        }
        if (shape[0] < 1) {
            throw new IllegalArgumentException("holds no images (shape " + Arrays.toString(s) + ")");
        }
        double[] v = a.toDoubles();
        int per = (int) (shape[2] * shape[3]);
        float[] px = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(
                        "image " + i / per + " has a non-finite value (" + v[i] + ") at pixel " + i % per);
            }
            px[i] = (float) Math.max(-1, Math.min(1, v[i]));
        }
        return padded(new ImageDataset(px, null, 1, (int) shape[2], (int) shape[3], 0));
    }

    /** 32×32 as is; 28×28 padded by 2 pixels of −1 on each side; anything else refused. */
    static ImageDataset padded(ImageDataset d) {
        if (d.channels() != 1) {
            throw new IllegalArgumentException("expected one channel (Fashion-MNIST), got " + d.channels());
        }
        if (d.height() == 32 && d.width() == 32) return d;
        if (d.height() != 28 || d.width() != 28) {
            throw new IllegalArgumentException("expected 32×32 or 28×28 images, got " + d.height() + "×" + d.width());
        }
        int n = d.size();
        float[] out = new float[n * 1024];
        Arrays.fill(out, -1f);
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < 28; y++) {
                System.arraycopy(d.pixels(), i * 784 + y * 28, out, i * 1024 + (y + 2) * 32 + 2, 28);
            }
        }
        return new ImageDataset(out, d.labels(), 1, 32, 32, d.numClasses());
    }
}
