package io.sedm.guidance;

/**
 * Inverse problems solved with an unconditional score model by imputation (Song et al., "Score-Based
 * Generative Modeling through Stochastic Differential Equations", ICLR 2021, §5 and Appendix I.2–I.3;
 * yang-song/score_sde {@code controllable_generation.py}): part of the data, {@code Ω(y)}, is known
 * in an orthogonal basis u = Mᵀx of each pixel's channels; while sampling, the known coordinates of
 * every model input are replaced by the known values perturbed to the current noise level,
 * <pre>
 *   x ← M·( Ω̄ ⊙ Mᵀx + Ω ⊙ (y + σ z) ),   z ~ N(0, I)                    (App. I.2, eq. 49's ŷ_t)
 * </pre>
 * and the result of the run is projected onto the constraint with σ = 0. Since M is orthogonal,
 * Mᵀ(σ n) is again N(0, σ² I): perturbing in the decoupled basis is the forward process there.
 *
 * <ul>
 *   <li>Inpainting (App. I.2): M = I, Ω = the known pixels of the sample.</li>
 *   <li>Colorization (App. I.3): C = 3 and M = {@link #colourDecoupling()}, whose first column is
 *       (1, 1, 1)/√3, so the first decoupled channel is √3 × the gray value (the channel mean); that
 *       channel is known at every pixel.</li>
 * </ul>
 *
 * <p>A sample is {@code [C, P]} row-major ({@code C·P = dim}, P pixels); a batch is rows of dim.
 * Pure Java on the heap: the mask is elementwise and the runtime has no masked op yet.
 */
public final class Imputation {
    private final int channels;
    private final int pixels;
    /** M, C×C orthogonal (columns = the decoupled basis); null = identity. */
    private final double[][] m;
    /** Ω over the decoupled coordinates [C, P]. */
    private final boolean[] known;

    private Imputation(int channels, int pixels, double[][] m, boolean[] known) {
        this.channels = channels;
        this.pixels = pixels;
        this.m = m;
        this.known = known;
    }

    /** Inpainting: {@code known[j]} says coordinate j of a sample is given (M = I). */
    public static Imputation inpainting(boolean[] known) {
        if (known == null || known.length == 0) {
            throw new IllegalArgumentException("the inpainting mask must cover at least one coordinate");
        }
        return new Imputation(1, known.length, null, known.clone());
    }

    /** Colorization of 3-channel samples of {@code pixels} pixels: the gray channel is known. */
    public static Imputation colorization(int pixels) {
        if (pixels < 1) {
            throw new IllegalArgumentException("pixels must be >= 1, got " + pixels);
        }
        boolean[] known = new boolean[3 * pixels];
        java.util.Arrays.fill(known, 0, pixels, true);
        return new Imputation(3, pixels, colourDecoupling(), known);
    }

    /**
     * score SDE's colour decoupling M (App. I.3; {@code controllable_generation.py}'s matrix, in
     * closed form): columns (1, 1, 1)/√3, (−2, 1, 1)/√6, (0, 1, −1)/√2, an orthonormal basis whose
     * first vector spans gray.
     */
    public static double[][] colourDecoupling() {
        double a = 1 / Math.sqrt(3), b = 1 / Math.sqrt(6), c = 1 / Math.sqrt(2);
        return new double[][] {{a, -2 * b, 0}, {a, b, c}, {a, b, -c}};
    }

    public int dim() {
        return channels * pixels;
    }

    public int channels() {
        return channels;
    }

    /** Ω, over the decoupled coordinates (a copy). */
    public boolean[] known() {
        return known.clone();
    }

    /** u = Mᵀx per pixel, for every row of {@code x}. */
    public double[] decouple(double[] x) {
        return mix(x, true);
    }

    /** x = M·u per pixel (M⁻¹ = Mᵀ), for every row of {@code u}. */
    public double[] couple(double[] u) {
        return mix(u, false);
    }

    private double[] mix(double[] v, boolean transpose) {
        if (m == null) return v.clone();
        int dim = dim();
        double[] out = new double[v.length];
        for (int row = 0; row < v.length / dim; row++) {
            int base = row * dim;
            for (int p = 0; p < pixels; p++) {
                for (int j = 0; j < channels; j++) {
                    double s = 0;
                    for (int i = 0; i < channels; i++) {
                        s += (transpose ? m[i][j] : m[j][i]) * v[base + i * pixels + p];
                    }
                    out[base + j * pixels + p] = s;
                }
            }
        }
        return out;
    }

    /** The known values y (decoupled coordinates) of gray images [rows, P]: √3·gray in channel 0, 0 elsewhere. */
    public double[] knownFromGray(double[] gray) {
        if (m == null || gray.length % pixels != 0) {
            throw new IllegalArgumentException("gray images need a colorization of " + pixels + " pixels per image");
        }
        int rows = gray.length / pixels;
        double[] y = new double[rows * dim()];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < pixels; p++) {
                y[r * dim() + p] = Math.sqrt(3) * gray[r * pixels + p];
            }
        }
        return y;
    }

    /**
     * The replacement of the class comment, in place on the rows of {@code x}: known coordinates
     * become {@code y + σ_b z} ({@code z} standard normal, rows × dim, decoupled coordinates), or
     * exactly {@code y} when {@code z} is null (the final projection, σ = 0).
     *
     * @param y     known values in decoupled coordinates: one row shared by all, or one per row of x
     * @param sigma σ_b per row (ignored when z is null)
     */
    public void impute(double[] x, double[] y, double[] sigma, double[] z) {
        int dim = dim();
        if (x.length % dim != 0) {
            throw new IllegalArgumentException("x holds " + x.length + " values, not rows of " + dim);
        }
        int rows = x.length / dim;
        if (y.length != dim && y.length != rows * dim) {
            throw new IllegalArgumentException("the known values hold " + y.length + " values; need " + dim
                    + " (one sample for all) or " + rows * dim + " (one per sample)");
        }
        double[] u = decouple(x);
        for (int r = 0; r < rows; r++) {
            int yBase = y.length == dim ? 0 : r * dim;
            for (int j = 0; j < dim; j++) {
                if (!known[j]) continue;
                int at = r * dim + j;
                u[at] = z == null ? y[yBase + j] : y[yBase + j] + sigma[r] * z[at];
            }
        }
        double[] back = couple(u);
        System.arraycopy(back, 0, x, 0, x.length);
    }
}
