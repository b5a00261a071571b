package io.sedm.sampler;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import io.sedm.runtime.Tensor;
import java.nio.file.Path;

/**
 * The exact denoiser of an isotropic Gaussian mixture {@code Σ_k π_k N(μ_k, c_k² I)}
 * (docs/ALGORITHMS.md §14.1): {@code D(x; σ) = Σ_k r_k (c_k² x + σ² μ_k)/(c_k² + σ²)}, computed natively
 * in float64 on the mixture's device. Samplers are tested against it with no network.
 *
 * <p>Described in JSON as {@code {"weights": [π_k], "means": [[μ_k]], "variances": [c_k²]}}.
 */
public final class GaussianMixtureDenoiser implements Denoiser, AutoCloseable {
    private final GaussianMixtureDensity density;

    private GaussianMixtureDenoiser(GaussianMixtureDensity density) {
        this.density = density;
    }

    public static GaussianMixtureDenoiser of(double[] weights, double[][] means, double[] variances, Device device) {
        return new GaussianMixtureDenoiser(GaussianMixtureDensity.create(weights, means, variances, device));
    }

    /** Takes ownership of {@code density}. */
    public static GaussianMixtureDenoiser of(GaussianMixtureDensity density) {
        return new GaussianMixtureDenoiser(density);
    }

    /** Reads {@code {"weights", "means", "variances"}} from a JSON file ({@link GaussianMixture#read}). */
    public static GaussianMixtureDenoiser fromJson(Path file, Device device) {
        return of(GaussianMixture.read(file), device);
    }

    /** The exact denoiser of a pure-Java mixture description, computed natively on {@code device}. */
    public static GaussianMixtureDenoiser of(GaussianMixture m, Device device) {
        return of(m.weights(), m.means(), m.variances(), device);
    }

    /** The mixture itself (log density, oracle ratio). Owned by this denoiser. */
    public GaussianMixtureDensity density() {
        return density;
    }

    public int dim() {
        return density.dim();
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor out) {
        density.denoise(x, sigma, out);
    }

    @Override
    public void close() {
        density.close();
    }
}
