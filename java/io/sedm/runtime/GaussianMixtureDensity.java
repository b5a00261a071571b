package io.sedm.runtime;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An isotropic Gaussian mixture {@code p_0 = Σ_k π_k N(μ_k, c_k² I)} held natively (float64) on
 * one device, with its closed-form noised quantities (docs/ALGORITHMS.md §14.1): for {@code x = y + σ n}
 * the density is again a mixture with variances {@code c_k² + σ²}, so the exact denoiser
 * {@code D(x; σ) = Σ_k r_k (c_k² x + σ² μ_k)/(c_k² + σ²)}, {@code log p_σ(x)} (log-sum-exp) and the
 * oracle log-ratio of two mixtures (§14.3) are computed exactly, with no network.
 *
 * <p>Owns one {@code sedm_gmm} handle; close it (idempotent).
 */
public final class GaussianMixtureDensity implements AutoCloseable {
    static {
        NativeLibrary.ensureLoaded();
    }

    private final NativeHandle handle;
    private final int dim;
    private final int components;
    private final Device device;

    private GaussianMixtureDensity(MemorySegment address, int dim, int components, Device device) {
        this.handle = new NativeHandle(this, "GaussianMixtureDensity", address, Sedm::sedm_gmm_destroy);
        this.dim = dim;
        this.components = components;
        this.device = device;
    }

    /**
     * @param weights   π_k ≥ 0, positive sum (normalised)
     * @param means     μ_k, k rows of {@code dim} values
     * @param variances c_k² ≥ 0 (isotropic per component)
     */
    public static GaussianMixtureDensity create(double[] weights, double[][] means, double[] variances, Device device) {
        if (weights == null || means == null || variances == null || device == null) {
            throw new IllegalArgumentException("weights, means, variances and device must not be null");
        }
        int k = weights.length;
        if (k < 1) {
            throw new IllegalArgumentException("a mixture needs at least 1 component, got 0 weights");
        }
        if (means.length != k || variances.length != k) {
            throw new IllegalArgumentException("weights, means and variances must have one entry per component; got "
                    + k + ", " + means.length + ", " + variances.length);
        }
        int dim = means[0].length;
        if (dim < 1) {
            throw new IllegalArgumentException("means must have dimension >= 1, got 0");
        }
        double[] flat = new double[k * dim];
        for (int j = 0; j < k; j++) {
            if (means[j].length != dim) {
                throw new IllegalArgumentException(
                        "means[" + j + "] has " + means[j].length + " values but means[0] has " + dim);
            }
            System.arraycopy(means[j], 0, flat, j * dim, dim);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_gmm_create(
                    arena.allocateFrom(ValueLayout.JAVA_DOUBLE, weights),
                    arena.allocateFrom(ValueLayout.JAVA_DOUBLE, flat),
                    arena.allocateFrom(ValueLayout.JAVA_DOUBLE, variances),
                    k,
                    dim,
                    device.typeCode(),
                    device.index(),
                    MemorySegment.NULL,
                    out));
            return new GaussianMixtureDensity(out.get(ValueLayout.ADDRESS, 0), dim, k, device);
        }
    }

    public int dim() {
        handle.address();
        return dim;
    }

    public int components() {
        handle.address();
        return components;
    }

    public Device device() {
        handle.address();
        return device;
    }

    /** {@code out = D(x; σ_b)} per sample b; {@code out} has x's shape (dtype may differ). */
    public void denoise(Tensor x, double[] sigma, Tensor out) {
        requireBatch(x, sigma);
        try (Arena arena = Arena.ofConfined()) {
            Status.check(Sedm.sedm_gmm_denoise(
                    handle.address(), x.address(), doubles(arena, sigma), out.address(), MemorySegment.NULL));
        }
    }

    /** {@code log p_σ_b(x_b)} per sample. */
    public double[] logProb(Tensor x, double[] sigma) {
        int batch = requireBatch(x, sigma);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, batch));
            Status.check(Sedm.sedm_gmm_log_prob(
                    handle.address(), x.address(), doubles(arena, sigma), out, MemorySegment.NULL));
            return out.asSlice(0, 8L * batch).toArray(ValueLayout.JAVA_DOUBLE);
        }
    }

    /**
     * The oracle log density ratio {@code ℓ = log p_this^σ(x) − log p_other^σ(x)} per sample and,
     * when {@code gradOut} is not null, {@code ∇_x ℓ = (D_this − D_other)/σ²} into it (§14.1).
     */
    public double[] logRatio(GaussianMixtureDensity other, Tensor x, double[] sigma, Tensor gradOut) {
        int batch = requireBatch(x, sigma);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, batch));
            Status.check(Sedm.sedm_gmm_log_ratio(
                    handle.address(),
                    other.handle.address(),
                    x.address(),
                    doubles(arena, sigma),
                    out,
                    gradOut == null ? MemorySegment.NULL : gradOut.address(),
                    MemorySegment.NULL));
            return out.asSlice(0, 8L * batch).toArray(ValueLayout.JAVA_DOUBLE);
        }
    }

    private static int requireBatch(Tensor x, double[] sigma) {
        int batch = Math.toIntExact(x.batchSize());
        if (sigma == null || sigma.length != batch) {
            throw new IllegalArgumentException("sigma must hold one noise level per sample (" + batch + "), got "
                    + (sigma == null ? "null" : sigma.length));
        }
        return batch;
    }

    private static MemorySegment doubles(Arena arena, double[] values) {
        return values.length == 0 ? arena.allocate(8) : arena.allocateFrom(ValueLayout.JAVA_DOUBLE, values);
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public void close() {
        handle.close();
    }
}
