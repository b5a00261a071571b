package io.sedm.sampler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import io.sedm.runtime.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The exact denoiser of an isotropic Gaussian mixture {@code Σ_k π_k N(μ_k, c_k² I)}
 * (ALGORITHMS.md §14.1): {@code D(x; σ) = Σ_k r_k (c_k² x + σ² μ_k)/(c_k² + σ²)}, computed natively
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

    /** Reads {@code {"weights", "means", "variances"}} from a JSON file. */
    public static GaussianMixtureDenoiser fromJson(Path file, Device device) {
        try {
            return fromJson(new ObjectMapper().readTree(file.toFile()), device);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the mixture description " + file + ": " + e.getMessage(), e);
        }
    }

    static GaussianMixtureDenoiser fromJson(JsonNode root, Device device) {
        double[] weights = doubles(root, "weights");
        double[] variances = doubles(root, "variances");
        JsonNode means = root.get("means");
        if (means == null || !means.isArray()) {
            throw new IllegalArgumentException("mixture JSON needs an array \"means\" of per-component arrays");
        }
        double[][] mu = new double[means.size()][];
        for (int k = 0; k < mu.length; k++) {
            mu[k] = doubles(means.get(k), null);
        }
        return of(weights, mu, variances, device);
    }

    private static double[] doubles(JsonNode parent, String field) {
        JsonNode node = field == null ? parent : parent.get(field);
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("mixture JSON needs a numeric array " + (field == null ? "in \"means\"" : "\"" + field + "\""));
        }
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalArgumentException("mixture JSON: " + (field == null ? "means" : field) + "[" + i + "] is not a number");
            }
            out[i] = node.get(i).asDouble();
        }
        return out;
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
