package io.sedm.train;

/**
 * Options of a denoiser training run (defaults: NVlabs/edm train.py and training_loop.py for
 * CIFAR-10, docs/ALGORITHMS.md §3, except the batch, which suits one GPU and Fashion-MNIST).
 *
 * @param loss               "edm" | "vp" | "ve" | "ddpm" | "ncsn" | "hybrid" (iDDPM L_hybrid, learned variance)
 * @param pMean              EDM: mean of ln σ (−1.2)
 * @param pStd               EDM: std of ln σ (1.2)
 * @param sigmaData          σ_data (0.5)
 * @param batchSize          images per optimizer step (all accumulation rounds together)
 * @param accumulationRounds gradient accumulation rounds per step (batch split evenly)
 * @param lr                 peak learning rate (1e-3)
 * @param lrRampupImages     images over which lr ramps linearly from 0 (EDM: 10 Mimg)
 * @param emaHalfLifeImages  EMA half-life in images (EDM: 500 kimg)
 * @param emaRampupRatio     EMA ramp-up: half-life ≤ ratio × images seen (0.05; 0 = off)
 * @param maxGradNorm        global-norm clipping, 0 = off (EDM: off)
 * @param weightDecay        Adam L2 weight decay (0)
 * @param seed               seeds batches, σ, noise and dropout of every step
 * @param steps              optimizer steps of the run
 * @param checkpointEvery    steps between checkpoints (0 = only at the end)
 * @param logEvery           steps between log lines
 * @param dataset            "fashion-mnist" or an .npz/.npy path
 * @param dataLimit          use only the first images (0 = all)
 * @param resolution         image side after padding
 * @param xflip              add mirrored copies of the images
 * @param tSampling          hybrid: "uniform" or "importance" t for L_vlb (iDDPM §3.3); null reads as "uniform"
 */
public record TrainOptions(
        String loss,
        double pMean,
        double pStd,
        double sigmaData,
        int batchSize,
        int accumulationRounds,
        double lr,
        double lrRampupImages,
        double emaHalfLifeImages,
        double emaRampupRatio,
        double maxGradNorm,
        double weightDecay,
        long seed,
        long steps,
        long checkpointEvery,
        long logEvery,
        String dataset,
        int dataLimit,
        int resolution,
        boolean xflip,
        String tSampling) {

    public TrainOptions {
        if (!java.util.Set.of("edm", "vp", "ve", "ddpm", "ncsn", "hybrid").contains(loss)) {
            throw new IllegalArgumentException("loss must be edm, vp, ve, ddpm, ncsn or hybrid, got '" + loss + "'");
        }
        if (tSampling == null) tSampling = "uniform";
        if (!tSampling.equals("uniform") && !tSampling.equals("importance")) {
            throw new IllegalArgumentException(
                    "t sampling (--t-sampling) must be uniform or importance, got '" + tSampling + "'");
        }
        if (batchSize < 1 || accumulationRounds < 1 || batchSize % accumulationRounds != 0) {
            throw new IllegalArgumentException(
                    "batch size (--batch) must be a positive multiple of the accumulation rounds " + "(--rounds), got "
                            + batchSize + " / " + accumulationRounds);
        }
        if (!(lr >= 0) || !(lrRampupImages >= 0) || !(emaHalfLifeImages >= 0) || !(emaRampupRatio >= 0)) {
            throw new IllegalArgumentException(
                    "learning rate (--lr), lr ramp-up (--lr-rampup-kimg), EMA half-life (--ema-kimg) and EMA ramp-up "
                            + "(--ema-rampup) must be >= 0");
        }
        if (!(sigmaData > 0) || !(pStd > 0)) {
            throw new IllegalArgumentException("sigma_data and P_std must be > 0");
        }
        if (steps < 0 || checkpointEvery < 0 || logEvery < 1) {
            throw new IllegalArgumentException(
                    "steps (--steps) and checkpoint period (--snap) must be >= 0, log period (--log-every) >= 1");
        }
    }

    public static TrainOptions defaults() {
        return new TrainOptions(
                "edm",
                -1.2,
                1.2,
                0.5,
                128,
                1,
                1e-3,
                10_000_000,
                500_000,
                0.05,
                0,
                0,
                0,
                100_000,
                5_000,
                100,
                "fashion-mnist",
                0,
                32,
                false,
                "uniform");
    }

    /** The batch of one accumulation round. */
    public int roundBatch() {
        return batchSize / accumulationRounds;
    }

    /** The loss these options name. */
    public DenoisingLoss toLoss() {
        return switch (loss) {
            case "edm" -> DenoisingLoss.edm(pMean, pStd, sigmaData);
            case "vp" -> DenoisingLoss.vp(19.9, 0.1, 1e-5);
            case "ve" -> DenoisingLoss.ve(0.02, 100);
            case "ddpm" -> DenoisingLoss.ddpm(1000);
            case "ncsn" -> DenoisingLoss.ncsn(50, 0.01, 232); // NCSNv2 CIFAR-10 levels
            case "hybrid" -> DenoisingLoss.ddpm(1000); // the ε half; L_vlb is HybridLoss (toHybridLoss)
            default -> throw new IllegalStateException(loss);
        };
    }

    /** iDDPM's L_hybrid for loss "hybrid", else null. */
    public HybridLoss toHybridLoss() {
        return loss.equals("hybrid") ? HybridLoss.linear1000(tSampling.equals("importance")) : null;
    }

    public TrainOptions withBatch(int batch, int rounds) {
        return edit(c -> {
            c.batchSize = batch;
            c.accumulationRounds = rounds;
        });
    }

    public TrainOptions withSchedule(
            double lr, double lrRampupImages, double emaHalfLifeImages, double emaRampupRatio) {
        return edit(c -> {
            c.lr = lr;
            c.lrRampupImages = lrRampupImages;
            c.emaHalfLifeImages = emaHalfLifeImages;
            c.emaRampupRatio = emaRampupRatio;
        });
    }

    public TrainOptions withRun(long seed, long steps, long checkpointEvery, long logEvery) {
        return edit(c -> {
            c.seed = seed;
            c.steps = steps;
            c.checkpointEvery = checkpointEvery;
            c.logEvery = logEvery;
        });
    }

    public TrainOptions withLoss(String loss) {
        return edit(c -> c.loss = loss);
    }

    public TrainOptions withData(String dataset, int dataLimit, int resolution, boolean xflip) {
        return edit(c -> {
            c.dataset = dataset;
            c.dataLimit = dataLimit;
            c.resolution = resolution;
            c.xflip = xflip;
        });
    }

    /** Applies {@code change} to a mutable copy of the components; the result is validated as usual. */
    private TrainOptions edit(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The components of a {@link TrainOptions}, settable one by one (for {@link #edit}). */
    private static final class Copy {
        String loss;
        double pMean;
        double pStd;
        double sigmaData;
        int batchSize;
        int accumulationRounds;
        double lr;
        double lrRampupImages;
        double emaHalfLifeImages;
        double emaRampupRatio;
        double maxGradNorm;
        double weightDecay;
        long seed;
        long steps;
        long checkpointEvery;
        long logEvery;
        String dataset;
        int dataLimit;
        int resolution;
        boolean xflip;
        String tSampling;

        Copy(TrainOptions o) {
            loss = o.loss;
            pMean = o.pMean;
            pStd = o.pStd;
            sigmaData = o.sigmaData;
            batchSize = o.batchSize;
            accumulationRounds = o.accumulationRounds;
            lr = o.lr;
            lrRampupImages = o.lrRampupImages;
            emaHalfLifeImages = o.emaHalfLifeImages;
            emaRampupRatio = o.emaRampupRatio;
            maxGradNorm = o.maxGradNorm;
            weightDecay = o.weightDecay;
            seed = o.seed;
            steps = o.steps;
            checkpointEvery = o.checkpointEvery;
            logEvery = o.logEvery;
            dataset = o.dataset;
            dataLimit = o.dataLimit;
            resolution = o.resolution;
            xflip = o.xflip;
            tSampling = o.tSampling;
        }

        TrainOptions build() {
            return new TrainOptions(
                    loss,
                    pMean,
                    pStd,
                    sigmaData,
                    batchSize,
                    accumulationRounds,
                    lr,
                    lrRampupImages,
                    emaHalfLifeImages,
                    emaRampupRatio,
                    maxGradNorm,
                    weightDecay,
                    seed,
                    steps,
                    checkpointEvery,
                    logEvery,
                    dataset,
                    dataLimit,
                    resolution,
                    xflip,
                    tSampling);
        }
    }
}
