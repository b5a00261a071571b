package io.sedm.train;

/**
 * ADM's EncoderUNetModel (Dhariwal &amp; Nichol 2021; openai/guided-diffusion unet.py) in the
 * roles Discriminator Guidance gives it (Kim et al. 2023; docs/ALGORITHMS.md §7.4): {@code "encoder"}
 * (noise-aware classifier trunk → feature map), {@code "classifier"} (trunk + attention-pool
 * head → class logits) and {@code "discriminator"} (head on 8×8 trunk features → one logit).
 * The time input is the VP time τ ∈ [0, 1], multiplied by {@code timeScale} = 999 inside.
 *
 * @param pool  the output head, "none" (feature map; needs outChannels 0) or "attention"
 *              (attention pool → outChannels logits); by default "none" for an encoder
 * @param dtype parameter dtype, "float32" or "float64"
 */
public record AdmEncoderConfig(
        String kind,
        int imgResolution,
        int inChannels,
        int modelChannels,
        int[] channelMult,
        int numResBlocks,
        int[] attnResolutions,
        int numHeadChannels,
        boolean useScaleShiftNorm,
        boolean resblockUpdown,
        boolean legacyAttention,
        double dropout,
        double timeScale,
        int outChannels,
        long initSeed,
        String pool,
        String dtype,
        int numClasses)
        implements NetworkConfig {

    /** As the canonical constructor with no label embedding ({@code numClasses} 0). */
    public AdmEncoderConfig(
            String kind,
            int imgResolution,
            int inChannels,
            int modelChannels,
            int[] channelMult,
            int numResBlocks,
            int[] attnResolutions,
            int numHeadChannels,
            boolean useScaleShiftNorm,
            boolean resblockUpdown,
            boolean legacyAttention,
            double dropout,
            double timeScale,
            int outChannels,
            long initSeed,
            String pool,
            String dtype) {
        this(
                kind,
                imgResolution,
                inChannels,
                modelChannels,
                channelMult,
                numResBlocks,
                attnResolutions,
                numHeadChannels,
                useScaleShiftNorm,
                resblockUpdown,
                legacyAttention,
                dropout,
                timeScale,
                outChannels,
                initSeed,
                pool,
                dtype,
                0);
    }

    /** A float32 network with the kind's default head ("none" for an encoder, else "attention"). */
    public AdmEncoderConfig(
            String kind,
            int imgResolution,
            int inChannels,
            int modelChannels,
            int[] channelMult,
            int numResBlocks,
            int[] attnResolutions,
            int numHeadChannels,
            boolean useScaleShiftNorm,
            boolean resblockUpdown,
            boolean legacyAttention,
            double dropout,
            double timeScale,
            int outChannels,
            long initSeed) {
        this(
                kind,
                imgResolution,
                inChannels,
                modelChannels,
                channelMult,
                numResBlocks,
                attnResolutions,
                numHeadChannels,
                useScaleShiftNorm,
                resblockUpdown,
                legacyAttention,
                dropout,
                timeScale,
                outChannels,
                initSeed,
                defaultPool(kind),
                NetworkConfig.DEFAULT_DTYPE);
    }

    /** The head a kind has by default: "none" for "encoder", "attention" otherwise. */
    public static String defaultPool(String kind) {
        return "encoder".equals(kind) ? "none" : "attention";
    }

    public AdmEncoderConfig {
        if (!kind.equals("encoder") && !kind.equals("classifier") && !kind.equals("discriminator")) {
            throw new IllegalArgumentException("kind must be encoder, classifier or discriminator, got " + kind);
        }
        if (imgResolution < 1 || inChannels < 1 || modelChannels < 2 || numResBlocks < 1 || numHeadChannels < 1) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (!"none".equals(pool) && !"attention".equals(pool)) {
            throw new IllegalArgumentException("pool must be none or attention, got " + pool);
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be >= 0 (0 = no label embedding), got " + numClasses);
        }
        if (pool.equals("none") && outChannels != 0) {
            throw new IllegalArgumentException("pool \"none\" has no outChannels, got " + outChannels);
        }
        dtype = NetworkConfig.checkDType(dtype);
        channelMult = channelMult.clone();
        attnResolutions = attnResolutions == null ? new int[0] : attnResolutions.clone();
    }

    /** DG's frozen 32×32 classifier trunk (46,435,840 parameters): width 128, mult (1,2,4), 4 blocks. */
    public static AdmEncoderConfig dgTrunk32() {
        return dg("encoder", 32, 3, 128, new int[] {1, 2, 4}, 4, new int[] {32, 16, 8}, 0, 0);
    }

    /**
     * An encoder with DG's fixed choices (its {@code classifier_lib} settings): 64 channels per
     * attention head, scale-shift norm, residual up/down-sampling, legacy attention, no dropout, and
     * VP time scaled by 999.
     */
    public static AdmEncoderConfig dg(
            String kind,
            int imgResolution,
            int inChannels,
            int modelChannels,
            int[] channelMult,
            int numResBlocks,
            int[] attnResolutions,
            int outChannels,
            long initSeed) {
        return new AdmEncoderConfig(
                kind,
                imgResolution,
                inChannels,
                modelChannels,
                channelMult,
                numResBlocks,
                attnResolutions,
                64,
                true,
                true,
                true,
                0.0,
                999.0,
                outChannels,
                initSeed);
    }

    /** DG's unconditional discriminator head on [B, 512, 8, 8] features (2,883,841 parameters). */
    public static AdmEncoderConfig dgDiscriminator() {
        return dg("discriminator", 8, 512, 128, new int[] {1}, 2, new int[] {8}, 1, 0);
    }

    /** This trunk plus an attention-pool head over {@code classes} outputs (same trunk names). */
    public AdmEncoderConfig asClassifier(int classes) {
        return edit(c -> {
            c.kind = "classifier";
            c.outChannels = classes;
            c.pool = "attention";
        });
    }

    /** The trunk alone (kind "encoder"). */
    public AdmEncoderConfig asTrunk() {
        return edit(c -> {
            c.kind = "encoder";
            c.outChannels = 0;
            c.pool = "none";
        });
    }

    /** Width of the trunk's output feature map. */
    public int featureChannels() {
        return modelChannels * channelMult[channelMult.length - 1];
    }

    /** Side of the trunk's output feature map. */
    public int featureResolution() {
        return imgResolution >> (channelMult.length - 1);
    }

    /**
     * This config with DG's label embedding over {@code classes} classes (its conditional
     * discriminator: {@code nn.Embedding(1000, 4·model_channels)}), or none for 0.
     */
    public AdmEncoderConfig withNumClasses(int classes) {
        return edit(c -> c.numClasses = classes);
    }

    public AdmEncoderConfig withInitSeed(long seed) {
        return edit(c -> c.initSeed = seed);
    }

    @Override
    public AdmEncoderConfig withDType(String dt) {
        return edit(c -> c.dtype = dt);
    }

    @Override
    public String toJson() {
        var node = JSON.createObjectNode();
        node.put("kind", kind);
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.valueToTree(this);
        body.remove("kind");
        if (pool.equals("none")) {
            body.remove("out_channels");
        }
        body.remove("feature_channels");
        body.remove("feature_resolution");
        node.setAll(body);
        return node.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdmEncoderConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "AdmEncoderConfig" + toJson();
    }

    /** Applies {@code change} to a mutable copy of the components; the result is validated as usual. */
    private AdmEncoderConfig edit(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The components of a {@link AdmEncoderConfig}, settable one by one (for {@link #edit}). */
    private static final class Copy {
        String kind;
        int imgResolution;
        int inChannels;
        int modelChannels;
        int[] channelMult;
        int numResBlocks;
        int[] attnResolutions;
        int numHeadChannels;
        boolean useScaleShiftNorm;
        boolean resblockUpdown;
        boolean legacyAttention;
        double dropout;
        double timeScale;
        int outChannels;
        long initSeed;
        String pool;
        String dtype;
        int numClasses;

        Copy(AdmEncoderConfig o) {
            kind = o.kind;
            imgResolution = o.imgResolution;
            inChannels = o.inChannels;
            modelChannels = o.modelChannels;
            channelMult = o.channelMult;
            numResBlocks = o.numResBlocks;
            attnResolutions = o.attnResolutions;
            numHeadChannels = o.numHeadChannels;
            useScaleShiftNorm = o.useScaleShiftNorm;
            resblockUpdown = o.resblockUpdown;
            legacyAttention = o.legacyAttention;
            dropout = o.dropout;
            timeScale = o.timeScale;
            outChannels = o.outChannels;
            initSeed = o.initSeed;
            pool = o.pool;
            dtype = o.dtype;
            numClasses = o.numClasses;
        }

        AdmEncoderConfig build() {
            return new AdmEncoderConfig(
                    kind,
                    imgResolution,
                    inChannels,
                    modelChannels,
                    channelMult,
                    numResBlocks,
                    attnResolutions,
                    numHeadChannels,
                    useScaleShiftNorm,
                    resblockUpdown,
                    legacyAttention,
                    dropout,
                    timeScale,
                    outChannels,
                    initSeed,
                    pool,
                    dtype,
                    numClasses);
        }
    }
}
