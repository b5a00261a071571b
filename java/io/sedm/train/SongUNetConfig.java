package io.sedm.train;

/**
 * EDM's SongUNet: DDPM++ ({@code --arch=ddpmpp}) or NCSN++ ({@code --arch=ncsnpp}), Karras et al.
 * 2022 App. F.2 / NVlabs/edm training/networks.py; docs/ALGORITHMS.md §2.1. Tensor names are EDM's
 * state-dict names (its up/down {@code resample_filter} buffers excepted: they follow from
 * {@code resampleFilter}).
 *
 * @param channelMult      per-resolution width multipliers (level 0 = full resolution)
 * @param attnResolutions  resolutions (pixels) whose blocks get self-attention
 * @param embeddingType    "positional" (DDPM++) or "fourier" (NCSN++)
 * @param initSeed         seeds the parameter initialisation
 * @param channelMultNoise noise-embedding width = modelChannels × channelMultNoise (EDM: 1, NCSN++: 2)
 * @param encoderType      "standard" (DDPM++), "skip" or "residual" (NCSN++: an input pyramid of
 *                         FIR-downsampled 3×3 convolutions added at every level)
 * @param decoderType      "standard" (both) or "skip"
 * @param resampleFilter   the FIR taps of the 2× up/down sampling: [1,1] (DDPM++) or [1,3,3,1] (NCSN++)
 * @param labelDropout     probability of zeroing a training sample's class label (classifier-free guidance)
 * @param dtype            parameter dtype, "float32" or "float64"
 *
 * <p>These records own the defaults: the native side requires every key.
 */
public record SongUNetConfig(
        int imgResolution,
        int inChannels,
        int outChannels,
        int modelChannels,
        int[] channelMult,
        int channelMultEmb,
        int numBlocks,
        int[] attnResolutions,
        double dropout,
        int labelDim,
        int augmentDim,
        String embeddingType,
        long initSeed,
        int channelMultNoise,
        String encoderType,
        String decoderType,
        int[] resampleFilter,
        double labelDropout,
        String dtype)
        implements NetworkConfig {

    /** Default channelMultNoise (1, DDPM++). */
    public static final int DEFAULT_CHANNEL_MULT_NOISE = 1;

    /** Default encoder and decoder type (DDPM++). */
    public static final String STANDARD = "standard";

    /** Default resample filter (DDPM++): the box filter, nearest-neighbour up / 2×2 mean down. */
    public static final int[] BOX_FILTER = {1, 1};

    /** NCSN++'s resample filter. */
    public static final int[] NCSNPP_FILTER = {1, 3, 3, 1};

    public SongUNetConfig {
        if (imgResolution < 1 || inChannels < 1 || outChannels < 1 || modelChannels < 1 || numBlocks < 1) {
            throw new IllegalArgumentException("imgResolution, channels and numBlocks must be positive");
        }
        if (channelMult == null || channelMult.length == 0) {
            throw new IllegalArgumentException("channelMult must name at least one level");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (channelMultNoise < 1) {
            throw new IllegalArgumentException("channelMultNoise must be positive, got " + channelMultNoise);
        }
        if (!"positional".equals(embeddingType) && !"fourier".equals(embeddingType)) {
            throw new IllegalArgumentException("embeddingType must be positional or fourier, got " + embeddingType);
        }
        if (!java.util.List.of("standard", "skip", "residual").contains(encoderType)) {
            throw new IllegalArgumentException("encoderType must be standard, skip or residual, got " + encoderType);
        }
        if (!java.util.List.of("standard", "skip").contains(decoderType)) {
            throw new IllegalArgumentException("decoderType must be standard or skip, got " + decoderType);
        }
        if (resampleFilter == null
                || resampleFilter.length < 2
                || resampleFilter.length % 2 != 0
                || java.util.Arrays.stream(resampleFilter).asLongStream().sum() <= 0) {
            throw new IllegalArgumentException("resampleFilter must have an even number (>= 2) of taps with a "
                    + "positive sum (DDPM++: [1,1], NCSN++: [1,3,3,1]), got "
                    + java.util.Arrays.toString(resampleFilter));
        }
        if (!(labelDropout >= 0 && labelDropout < 1)) {
            throw new IllegalArgumentException("labelDropout must be in [0, 1), got " + labelDropout);
        }
        dtype = NetworkConfig.checkDType(dtype);
        channelMult = channelMult.clone();
        attnResolutions = attnResolutions == null ? new int[0] : attnResolutions.clone();
        resampleFilter = resampleFilter.clone();
    }

    /** A float32 DDPM++ network (channelMultNoise 1, standard encoder/decoder, box filter, no label dropout). */
    public SongUNetConfig(
            int imgResolution,
            int inChannels,
            int outChannels,
            int modelChannels,
            int[] channelMult,
            int channelMultEmb,
            int numBlocks,
            int[] attnResolutions,
            double dropout,
            int labelDim,
            int augmentDim,
            String embeddingType,
            long initSeed) {
        this(
                imgResolution,
                inChannels,
                outChannels,
                modelChannels,
                channelMult,
                channelMultEmb,
                numBlocks,
                attnResolutions,
                dropout,
                labelDim,
                augmentDim,
                embeddingType,
                initSeed,
                DEFAULT_CHANNEL_MULT_NOISE,
                STANDARD,
                STANDARD,
                BOX_FILTER,
                0.0,
                NetworkConfig.DEFAULT_DTYPE);
    }

    @Override
    public String kind() {
        return "unet";
    }

    /** The CIFAR-10 DDPM++ network of the EDM checkpoints: 55,733,891 parameters. */
    public static SongUNetConfig ddpmppCifar10() {
        return new SongUNetConfig(
                32, 3, 3, 128, new int[] {2, 2, 2}, 4, 4, new int[] {16}, 0.13, 0, 9, "positional", 0);
    }

    /**
     * The CIFAR-10 NCSN++ network of the EDM checkpoints (train.py {@code --arch=ncsnpp}: Fourier
     * embedding of width 2·128, residual encoder, [1,3,3,1] filter): 56,397,827 parameters.
     */
    public static SongUNetConfig ncsnppCifar10() {
        return ddpmppCifar10().asNcsnpp();
    }

    /** This network as NCSN++: the settings train.py's {@code --arch=ncsnpp} changes, nothing else. */
    public SongUNetConfig asNcsnpp() {
        return edit(c -> {
            c.embeddingType = "fourier";
            c.channelMultNoise = 2;
            c.encoderType = "residual";
            c.decoderType = STANDARD;
            c.resampleFilter = NCSNPP_FILTER;
        });
    }

    /** A Fashion-MNIST (1×32×32) DDPM++ of 1,752,993 parameters, trainable on one GPU in hours. */
    public static SongUNetConfig fashionMnist() {
        return new SongUNetConfig(32, 1, 1, 32, new int[] {1, 2, 2}, 4, 2, new int[] {16}, 0.10, 0, 0, "positional", 0);
    }

    /** A tiny network for CPU tests (8 base channels, two levels, one block per level). */
    public static SongUNetConfig tiny(int resolution, int channels) {
        return new SongUNetConfig(
                resolution, channels, channels, 8, new int[] {1, 2}, 2, 1, new int[0], 0.0, 0, 0, "positional", 0);
    }

    public SongUNetConfig withAugmentDim(int dim) {
        return edit(c -> c.augmentDim = dim);
    }

    public SongUNetConfig withOutChannels(int channels) {
        return edit(c -> c.outChannels = channels);
    }

    public SongUNetConfig withLabelDim(int dim) {
        return edit(c -> c.labelDim = dim);
    }

    public SongUNetConfig withDropout(double p) {
        return edit(c -> c.dropout = p);
    }

    public SongUNetConfig withAttnResolutions(int... res) {
        return edit(c -> c.attnResolutions = res);
    }

    public SongUNetConfig withInitSeed(long seed) {
        return edit(c -> c.initSeed = seed);
    }

    public SongUNetConfig withChannelMultNoise(int mult) {
        return edit(c -> c.channelMultNoise = mult);
    }

    public SongUNetConfig withImgResolution(int resolution) {
        return edit(c -> c.imgResolution = resolution);
    }

    public SongUNetConfig withChannelMult(int... mult) {
        return edit(c -> c.channelMult = mult);
    }

    public SongUNetConfig withEncoderType(String type) {
        return edit(c -> c.encoderType = type);
    }

    public SongUNetConfig withDecoderType(String type) {
        return edit(c -> c.decoderType = type);
    }

    public SongUNetConfig withResampleFilter(int... taps) {
        return edit(c -> c.resampleFilter = taps);
    }

    public SongUNetConfig withLabelDropout(double p) {
        return edit(c -> c.labelDropout = p);
    }

    @Override
    public SongUNetConfig withDType(String dt) {
        return edit(c -> c.dtype = dt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SongUNetConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "SongUNetConfig" + toJson();
    }

    /** Applies {@code change} to a mutable copy of the components; the result is validated as usual. */
    private SongUNetConfig edit(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The components of a {@link SongUNetConfig}, settable one by one (for {@link #edit}). */
    private static final class Copy {
        int imgResolution;
        int inChannels;
        int outChannels;
        int modelChannels;
        int[] channelMult;
        int channelMultEmb;
        int numBlocks;
        int[] attnResolutions;
        double dropout;
        int labelDim;
        int augmentDim;
        String embeddingType;
        long initSeed;
        int channelMultNoise;
        String encoderType;
        String decoderType;
        int[] resampleFilter;
        double labelDropout;
        String dtype;

        Copy(SongUNetConfig o) {
            imgResolution = o.imgResolution;
            inChannels = o.inChannels;
            outChannels = o.outChannels;
            modelChannels = o.modelChannels;
            channelMult = o.channelMult;
            channelMultEmb = o.channelMultEmb;
            numBlocks = o.numBlocks;
            attnResolutions = o.attnResolutions;
            dropout = o.dropout;
            labelDim = o.labelDim;
            augmentDim = o.augmentDim;
            embeddingType = o.embeddingType;
            initSeed = o.initSeed;
            channelMultNoise = o.channelMultNoise;
            encoderType = o.encoderType;
            decoderType = o.decoderType;
            resampleFilter = o.resampleFilter;
            labelDropout = o.labelDropout;
            dtype = o.dtype;
        }

        SongUNetConfig build() {
            return new SongUNetConfig(
                    imgResolution,
                    inChannels,
                    outChannels,
                    modelChannels,
                    channelMult,
                    channelMultEmb,
                    numBlocks,
                    attnResolutions,
                    dropout,
                    labelDim,
                    augmentDim,
                    embeddingType,
                    initSeed,
                    channelMultNoise,
                    encoderType,
                    decoderType,
                    resampleFilter,
                    labelDropout,
                    dtype);
        }
    }
}
