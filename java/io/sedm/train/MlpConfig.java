package io.sedm.train;

/**
 * A residual MLP network for low-dimensional toy data with EDM's positional noise embedding.
 *
 * @param inFeatures    data dimension (2 for 2-D mixtures)
 * @param hidden        width
 * @param numLayers     residual layers
 * @param noiseChannels width of the noise embedding
 */
public record MlpConfig(int inFeatures, int hidden, int numLayers, int noiseChannels, long initSeed)
        implements NetworkConfig {

    public MlpConfig {
        if (inFeatures < 1 || hidden < 1 || numLayers < 0 || noiseChannels < 2) {
            throw new IllegalArgumentException("sizes must be positive");
        }
    }

    public static MlpConfig defaults() {
        return new MlpConfig(2, 128, 3, 32, 0);
    }

    @Override
    public String kind() {
        return "mlp";
    }
}
