package io.sedm.cli;

import io.sedm.data.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import picocli.CommandLine.Option;

/**
 * The controllable-generation flags of {@code sedm sample}: class guidance (classifier-free, Ho &amp;
 * Salimans 2022; classifier, Dhariwal &amp; Nichol 2021) and the inverse problems of score SDE §5
 * (inpainting, colorization). They wrap the model the sampler sees, so they work with every
 * sampler family.
 */
final class ControlOptions {

    @Option(
            names = "--guidance",
            paramLabel = "cfg|classifier",
            description = "class guidance toward --class (or each seed's class): cfg = classifier-free (a conditional "
                    + "model trained with --label-dropout > 0), classifier = + s·σ²·∇ log p(y | x, σ) of --classifier "
                    + "(a gmm: denoiser uses its exact posterior)")
    String guidance;

    @Option(
            names = "--guidance-scale",
            paramLabel = "FLOAT",
            description = "cfg: w in D_∅ + w·(D_y − D_∅), 1 = unguided conditional (default 2); "
                    + "classifier: s, 0 = unguided (default 1); >= 0")
    Double guidanceScale;

    @Option(
            names = "--inpaint-mask",
            paramLabel = "MASK.png|MASK.npy",
            description = "inpainting: the known pixels (PNG H×W: >= 128 = known, every channel; or .npy of the "
                    + "sample's shape or H×W: non-zero = known); needs --known")
    Path inpaintMask;

    @Option(
            names = "--known",
            paramLabel = "KNOWN.npy",
            description = "inpainting: float values of the known pixels, one sample for all seeds or one per seed")
    Path known;

    @Option(
            names = "--colorize",
            paramLabel = "GRAY.npy",
            description = "colorization of 3-channel samples: float gray images (channel means) [1 or seeds, H, W] "
                    + "or [1 or seeds, 1, H, W]")
    Path colorize;

    /** What options.json records. */
    record Resolved(String guidance, Double guidanceScale, String inpaintMask, String known, String colorize) {
        /** No guidance, no inverse problem. */
        static final Resolved NONE = new Resolved(null, null, null, null, null);
    }

    /** Flag-level checks (files exist, values in range, combinations make sense). */
    Resolved resolve() {
        if (guidance != null) {
            require(
                    guidance.equals("cfg") || guidance.equals("classifier"),
                    "--guidance must be cfg or classifier, got '" + guidance + "'");
        }
        require(guidanceScale == null || guidance != null, "--guidance-scale needs --guidance cfg|classifier");
        Double scale = guidance == null ? null : guidanceScale != null ? guidanceScale : defaultScale(guidance);
        require(
                scale == null || (scale >= 0 && Double.isFinite(scale)),
                "--guidance-scale must be finite and >= 0, got " + scale);
        require(inpaintMask == null || known != null, "--inpaint-mask needs --known KNOWN.npy (the known values)");
        require(known == null || inpaintMask != null, "--known needs --inpaint-mask (which pixels are known)");
        require(
                colorize == null || inpaintMask == null,
                "--colorize and --inpaint-mask are two inverse problems; run one at a time");
        requireFile("--inpaint-mask", inpaintMask);
        requireFile("--known", known);
        requireFile("--colorize", colorize);
        return new Resolved(
                guidance,
                scale,
                inpaintMask == null ? null : inpaintMask.toString(),
                known == null ? null : known.toString(),
                colorize == null ? null : colorize.toString());
    }

    static double defaultScale(String guidance) {
        return guidance.equals("cfg") ? 2.0 : 1.0;
    }

    /** Ω of inpainting over one sample [C, H, W] (or [D]), from a PNG or .npy mask. */
    static boolean[] readMask(Path file, long[] sample) {
        long per = Arrays.stream(sample).reduce(1, (a, b) -> a * b);
        boolean[] mask = new boolean[Math.toIntExact(per)];
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".png")) {
            require(sample.length == 3, "--inpaint-mask " + file + ": a PNG mask needs image samples [C, H, W]");
            BufferedImage img;
            try {
                img = ImageIO.read(file.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("--inpaint-mask " + file + ": cannot read: " + e.getMessage(), e);
            }
            require(img != null, "--inpaint-mask " + file + " is not a PNG image");
            int h = (int) sample[1], w = (int) sample[2];
            require(
                    img.getHeight() == h && img.getWidth() == w,
                    "--inpaint-mask " + file + " is " + img.getWidth() + "×" + img.getHeight() + " but the samples are "
                            + w + "×" + h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = img.getRGB(x, y);
                    int gray = ((rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255)) / 3;
                    for (int c = 0; c < sample[0]; c++) mask[(c * h + y) * w + x] = gray >= 128;
                }
            }
        } else {
            Npy.Array a = Npy.read(file);
            double[] v = a.toDoubles();
            boolean plane = sample.length == 3 && v.length == sample[1] * sample[2];
            require(
                    v.length == per || plane,
                    "--inpaint-mask " + file + " has shape " + Arrays.toString(a.shape()) + " but the samples are "
                            + Arrays.toString(sample) + (sample.length == 3 ? " (or H×W)" : ""));
            for (int k = 0; k < per; k++) mask[k] = (plane ? v[k % v.length] : v[k]) != 0;
        }
        int count = 0;
        for (boolean b : mask) if (b) count++;
        require(count > 0, "--inpaint-mask " + file + " marks no pixel as known");
        return mask;
    }

    /** Float rows of {@code per} values: one row (shared) or {@code seeds} rows. */
    static double[] readRows(String flag, Path file, long per, int seeds) {
        Npy.Array a = Npy.read(file);
        require(
                a.type() == Npy.Type.F4 || a.type() == Npy.Type.F8,
                flag + " " + file + " must hold float32 or float64 values, got " + a.type());
        require(
                a.numel() == per || a.numel() == per * seeds,
                flag + " " + file + " has shape " + Arrays.toString(a.shape()) + ": need " + per
                        + " values (one sample for all seeds) or " + seeds + " × " + per + " (one per seed)");
        double[] v = a.toDoubles();
        for (double x : v) require(Double.isFinite(x), flag + " " + file + " holds a non-finite value " + x);
        return v;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    private static void requireFile(String flag, Path file) {
        require(file == null || Files.isRegularFile(file), flag + ": no such file " + file);
    }
}
