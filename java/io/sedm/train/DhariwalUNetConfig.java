package io.sedm.train;

/**
 * EDM's DhariwalUNet: the ADM architecture of Dhariwal &amp; Nichol 2021 as re-implemented in
 * NVlabs/edm training/networks.py ({@code --arch=adm}; the ImageNet-64 model). Tensor names are
 * EDM's state-dict names (its up/down {@code resample_filter} buffers excepted). Noise labels are
 * the preconditioner's c_noise, class labels one-hot rows of {@code labelDim}.
 *
 * @param channelMult     per-resolution width multipliers (level 0 = full resolution)
 * @param attnResolutions resolutions (pixels) whose blocks get self-attention (64 channels a head)
 * @param labelDropout    probability of zeroing a training sample's class label
 * @param initSeed        seeds the parameter initialisation
 * @param dtype           parameter dtype, "float32" or "float64"
 *
 * <p>These records own the defaults: the native side requires every key.
 */
public record DhariwalUNetConfig(
        int imgResolution,
        int inChannels,
        int outChannels,
        int labelDim,
        int augmentDim,
        int modelChannels,
        int[] channelMult,
        int channelMultEmb,
        int numBlocks,
        int[] attnResolutions,
        double dropout,
        double labelDropout,
        long initSeed,
        String dtype)
        implements NetworkConfig {

    public DhariwalUNetConfig {
        if (imgResolution < 1
                || inChannels < 1
                || outChannels < 1
                || modelChannels < 2
                || numBlocks < 1
                || channelMultEmb < 1
                || labelDim < 0
                || augmentDim < 0) {
            throw new IllegalArgumentException("imgResolution, channels and numBlocks must be positive");
        }
        if (modelChannels % 2 != 0) {
            throw new IllegalArgumentException("modelChannels must be even, got " + modelChannels);
        }
        if (channelMult == null || channelMult.length == 0) {
            throw new IllegalArgumentException("channelMult must name at least one level");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!(labelDropout >= 0 && labelDropout < 1)) {
            throw new IllegalArgumentException("labelDropout must be in [0, 1), got " + labelDropout);
        }
        dtype = NetworkConfig.checkDType(dtype);
        channelMult = channelMult.clone();
        attnResolutions = attnResolutions == null ? new int[0] : attnResolutions.clone();
    }

    /**
     * The ImageNet-64 ADM of {@code edm-imagenet-64x64-cond-adm.pkl} (train.py {@code --arch=adm
     * --cond=1 --augment=0 --dropout=0.10}): 295,899,267 parameters.
     */
    public static DhariwalUNetConfig imagenet64() {
        return new DhariwalUNetConfig(
                64,
                3,
                3,
                1000,
                0,
                192,
                new int[] {1, 2, 3, 4},
                4,
                3,
                new int[] {32, 16, 8},
                0.10,
                0.0,
                0,
                NetworkConfig.DEFAULT_DTYPE);
    }

    /**
     * A small network for CPU tests: widths 64 and 128 (two attention heads at resolution / 2),
     * embedding width 128, one block a level.
     */
    public static DhariwalUNetConfig tiny(int resolution, int channels, int labelDim) {
        return new DhariwalUNetConfig(
                resolution,
                channels,
                channels,
                labelDim,
                0,
                64,
                new int[] {1, 2},
                2,
                1,
                new int[] {resolution / 2},
                0.0,
                0.0,
                0,
                NetworkConfig.DEFAULT_DTYPE);
    }

    @Override
    public String kind() {
        return "dhariwal_unet";
    }

    public DhariwalUNetConfig withLabelDim(int dim) {
        return edit(c -> c.labelDim = dim);
    }

    public DhariwalUNetConfig withAugmentDim(int dim) {
        return edit(c -> c.augmentDim = dim);
    }

    public DhariwalUNetConfig withOutChannels(int channels) {
        return edit(c -> c.outChannels = channels);
    }

    public DhariwalUNetConfig withDropout(double p) {
        return edit(c -> c.dropout = p);
    }

    public DhariwalUNetConfig withLabelDropout(double p) {
        return edit(c -> c.labelDropout = p);
    }

    public DhariwalUNetConfig withInitSeed(long seed) {
        return edit(c -> c.initSeed = seed);
    }

    @Override
    public DhariwalUNetConfig withDType(String dt) {
        return edit(c -> c.dtype = dt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhariwalUNetConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "DhariwalUNetConfig" + toJson();
    }

    private DhariwalUNetConfig edit(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The components of a {@link DhariwalUNetConfig}, settable one by one (for {@link #edit}). */
    private static final class Copy {
        int imgResolution;
        int inChannels;
        int outChannels;
        int labelDim;
        int augmentDim;
        int modelChannels;
        int[] channelMult;
        int channelMultEmb;
        int numBlocks;
        int[] attnResolutions;
        double dropout;
        double labelDropout;
        long initSeed;
        String dtype;

        Copy(DhariwalUNetConfig o) {
            imgResolution = o.imgResolution;
            inChannels = o.inChannels;
            outChannels = o.outChannels;
            labelDim = o.labelDim;
            augmentDim = o.augmentDim;
            modelChannels = o.modelChannels;
            channelMult = o.channelMult;
            channelMultEmb = o.channelMultEmb;
            numBlocks = o.numBlocks;
            attnResolutions = o.attnResolutions;
            dropout = o.dropout;
            labelDropout = o.labelDropout;
            initSeed = o.initSeed;
            dtype = o.dtype;
        }

        DhariwalUNetConfig build() {
            return new DhariwalUNetConfig(
                    imgResolution,
                    inChannels,
                    outChannels,
                    labelDim,
                    augmentDim,
                    modelChannels,
                    channelMult,
                    channelMultEmb,
                    numBlocks,
                    attnResolutions,
                    dropout,
                    labelDropout,
                    initSeed,
                    dtype);
        }
    }
}
