package io.sedm.eval;

import io.sedm.data.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Gaussian statistics of a feature set that the Fréchet distance compares (docs/ALGORITHMS.md §10):
 * the mean μ = Σf/n and the unbiased covariance Σ = Σ(f − μ)(f − μ)ᵀ/(n − 1), in double precision.
 *
 * <p>Saved as an .npz with NVlabs/edm's reference-statistics keys {@code mu} [d] and {@code sigma}
 * [d, d] (float64) plus {@code n} [1] (int64; absent in EDM's files, read as 0 = unknown), so the
 * statistics of the 60k training images are computed once and cached.
 *
 * @param mean       μ, length d
 * @param covariance Σ, d × d (symmetric)
 * @param n          number of feature vectors behind the statistics (0 when unknown)
 */
public record FeatureStatistics(double[] mean, double[][] covariance, long n) {

    public FeatureStatistics {
        int d = mean.length;
        if (d == 0 || covariance.length != d) {
            throw new IllegalArgumentException("mean (length " + d + ") and covariance (" + covariance.length
                    + " rows) must have the same non-zero dimension");
        }
        for (double[] row : covariance) {
            if (row.length != d) {
                throw new IllegalArgumentException("covariance must be " + d + " × " + d);
            }
        }
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
    }

    public int dim() {
        return mean.length;
    }

    /** The statistics of n feature vectors given as rows (n ≥ 2). */
    public static FeatureStatistics of(double[][] features) {
        if (features.length == 0) {
            throw new IllegalArgumentException("need at least 2 feature vectors, got 0");
        }
        Accumulator acc = new Accumulator(features[0].length);
        for (double[] f : features) {
            acc.add(f, 0);
        }
        return acc.statistics();
    }

    /** The statistics of {@code flat.length / d} feature vectors stored row-major in {@code flat}. */
    public static FeatureStatistics of(double[] flat, int d) {
        Accumulator acc = new Accumulator(d);
        acc.addAll(flat);
        return acc.statistics();
    }

    /**
     * Accumulates feature batches one at a time (for feature sets that do not fit in memory).
     * Sums are taken about a shift s, the first vector seen: Σ(f − s) and Σ(f − s)(f − s)ᵀ, so
     * features with a large common offset do not lose precision to cancellation
     * (Chan, Golub &amp; LeVeque 1983, "Algorithms for computing the sample variance").
     */
    public static final class Accumulator {
        /** Rows buffered before one rank-{@value} update of the outer-product sum (memory traffic ÷ block). */
        static final int BLOCK = 64;

        private final int d;
        private final double[] shift;
        private final double[] sum;
        private final double[][] outer; // upper triangle used
        private final double[][] block; // [d][BLOCK]: centred rows as columns, so the update's inner loop is contiguous
        private int buffered;
        private long n;

        public Accumulator(int d) {
            if (d < 1) {
                throw new IllegalArgumentException("dimension d must be >= 1, got " + d);
            }
            this.d = d;
            this.shift = new double[d];
            this.sum = new double[d];
            this.outer = new double[d][d];
            this.block = new double[d][BLOCK];
        }

        /** Adds the vector {@code f[off .. off + d)}. */
        public void add(double[] f, int off) {
            if (off < 0 || f.length - off < d) {
                throw new IllegalArgumentException(
                        "need " + d + " values at offset " + off + ", array has " + f.length);
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(f[off + j])) {
                    throw new IllegalArgumentException("feature vector " + n + " has a non-finite entry at " + j);
                }
            }
            if (n == 0) {
                System.arraycopy(f, off, shift, 0, d);
            }
            for (int j = 0; j < d; j++) {
                double c = f[off + j] - shift[j];
                sum[j] += c;
                block[j][buffered] = c;
            }
            buffered++;
            n++;
            if (buffered == BLOCK) {
                flush();
            }
        }

        /** outer += Bᵀ B for the buffered rows B (upper triangle). */
        private void flush() {
            int b = buffered;
            for (int i = 0; i < d; i++) {
                double[] bi = block[i];
                double[] row = outer[i];
                for (int j = i; j < d; j++) {
                    double[] bj = block[j];
                    double s = 0;
                    for (int r = 0; r < b; r++) {
                        s += bi[r] * bj[r];
                    }
                    row[j] += s;
                }
            }
            buffered = 0;
        }

        /** Adds every row of a row-major flat array (length a multiple of d). */
        public void addAll(double[] flat) {
            if (flat.length % d != 0) {
                throw new IllegalArgumentException("flat length " + flat.length + " is not a multiple of d = " + d);
            }
            for (int off = 0; off < flat.length; off += d) {
                add(flat, off);
            }
        }

        public long count() {
            return n;
        }

        /** μ and the unbiased Σ of everything added so far (needs n ≥ 2); more rows may be added afterwards. */
        public FeatureStatistics statistics() {
            if (n < 2) {
                throw new IllegalStateException("need at least 2 feature vectors for a covariance, have " + n);
            }
            flush();
            double[] m = new double[d];
            double[] dm = new double[d];
            for (int j = 0; j < d; j++) {
                dm[j] = sum[j] / n;
                m[j] = shift[j] + dm[j];
            }
            double[][] cov = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    double c = (outer[i][j] - n * dm[i] * dm[j]) / (n - 1);
                    cov[i][j] = c;
                    cov[j][i] = c;
                }
            }
            return new FeatureStatistics(m, cov, n);
        }
    }

    /** Writes {@code mu}, {@code sigma} and {@code n} to an .npz archive (atomically). */
    public void save(Path file) {
        int d = dim();
        double[] flat = new double[d * d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(covariance[i], 0, flat, i * d, d);
        }
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        arrays.put("mu", Npy.Array.ofDoubles(mean, d));
        arrays.put("sigma", Npy.Array.ofDoubles(flat, d, d));
        arrays.put("n", Npy.Array.ofLongs(new long[] {n}, 1));
        Npy.writeNpz(file, arrays);
    }

    /** Reads {@code mu} and {@code sigma} (any float dtype; EDM's reference files load too) and {@code n} if present. */
    public static FeatureStatistics load(Path file) {
        Map<String, Npy.Array> arrays = Npy.readNpz(file);
        Npy.Array mu = arrays.get("mu");
        Npy.Array sigma = arrays.get("sigma");
        if (mu == null || sigma == null) {
            throw new IllegalArgumentException(file + ": expected arrays 'mu' and 'sigma', found " + arrays.keySet());
        }
        int d = Math.toIntExact(mu.numel());
        if (mu.shape().length != 1 || sigma.shape().length != 2 || sigma.shape()[0] != d || sigma.shape()[1] != d) {
            throw new IllegalArgumentException(file + ": 'mu' must be [d] and 'sigma' [d, d]; got "
                    + Arrays.toString(mu.shape()) + " and " + Arrays.toString(sigma.shape()));
        }
        double[] s = sigma.toDoubles();
        double[][] cov = new double[d][];
        for (int i = 0; i < d; i++) {
            cov[i] = Arrays.copyOfRange(s, i * d, (i + 1) * d);
        }
        Npy.Array count = arrays.get("n");
        long n = count == null || count.numel() != 1 ? 0 : (long) count.toDoubles()[0];
        return new FeatureStatistics(mu.toDoubles(), cov, n);
    }
}
