package io.sedm.train;

/**
 * An affine score network F(x) = W x + b over the flattened sample, noise labels ignored
 * (native kind {@code "linear"}): the exact score of a Gaussian, −Σ⁻¹(x − μ), has this form, so
 * the score-matching objectives have closed forms for it (docs/ALGORITHMS.md §17).
 *
 * @param inFeatures data dimension
 * @param initSeed   seeds the parameter initialisation
 * @param dtype      parameter dtype, "float32" or "float64"
 */
public record LinearScoreConfig(int inFeatures, long initSeed, String dtype) implements NetworkConfig {

    public LinearScoreConfig {
        if (inFeatures < 1) {
            throw new IllegalArgumentException("in_features must be >= 1, got " + inFeatures);
        }
        dtype = NetworkConfig.checkDType(dtype);
    }

    @Override
    public LinearScoreConfig withDType(String dt) {
        return new LinearScoreConfig(inFeatures, initSeed, dt);
    }

    @Override
    public String kind() {
        return "linear";
    }
}
