package io.sedm.train;

/**
 * A residual MLP network for low-dimensional toy data with EDM's positional noise embedding.
 *
 * @param inFeatures    data dimension (2 for 2-D mixtures)
 * @param hidden        width
 * @param numLayers     residual layers
 * @param noiseChannels width of the noise embedding
 * @param initSeed      seeds the parameter initialisation
 * @param dtype         parameter dtype, "float32" or "float64"
 */
public record MlpConfig(int inFeatures, int hidden, int numLayers, int noiseChannels, long initSeed, String dtype)
        implements NetworkConfig {

    /** A float32 network. */
    public MlpConfig(int inFeatures, int hidden, int numLayers, int noiseChannels, long initSeed) {
        this(inFeatures, hidden, numLayers, noiseChannels, initSeed, NetworkConfig.DEFAULT_DTYPE);
    }

    public MlpConfig {
        if (inFeatures < 1 || hidden < 1 || numLayers < 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        // EDM's positional embedding (endpoint = true) divides by noise_channels/2 - 1 and pairs cos
        // with sin: fewer than 4 channels, or an odd count, gives NaN or a wrongly sized embedding
        if (noiseChannels < 4 || noiseChannels % 2 != 0) {
            throw new IllegalArgumentException("noise_channels must be even and >= 4, got " + noiseChannels);
        }
        dtype = NetworkConfig.checkDType(dtype);
    }

    public static MlpConfig defaults() {
        return new MlpConfig(2, 128, 3, 32, 0);
    }

    @Override
    public MlpConfig withDType(String dt) {
        return new MlpConfig(inFeatures, hidden, numLayers, noiseChannels, initSeed, dt);
    }

    @Override
    public String kind() {
        return "mlp";
    }
}
