package io.sedm.train;

import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Discriminator training of Discriminator Guidance (Kim et al. 2023, eq. 6; alsdudrla10/DG
 * train.py; docs/ALGORITHMS.md §8): real images labelled 1, generated ones 0, both perturbed to an
 * importance-sampled VP time τ; features from the frozen trunk without a graph; plain BCE on the
 * head's logit (gradient σ(ℓ) − label, averaged over the batch); Adam on the head only.
 */
public final class DiscriminatorTrainer extends AuxiliaryTraining {

    /** DG defaults: batch 128 (real) + 128 (fake), Adam lr 3e-4, weight decay 1e-7, τ_min 1e-5. */
    public record Options(int batchSize, double lr, double weightDecay, double tauMin, long seed, long steps)
            implements AuxiliaryTrainer.Settings {
        public Options {
            checkOptions(batchSize, lr, weightDecay, tauMin, steps);
        }

        public static Options defaults() {
            return new Options(128, 3e-4, 1e-7, 1e-5, 0, 20_000);
        }
    }

    private final Options options;
    private final Network trunk;
    private final ImageDataset real;
    private final ImageDataset fake;

    /** {@code trunk} stays owned by the caller and is frozen here. */
    public DiscriminatorTrainer(
            Network trunk,
            AdmEncoderConfig headConfig,
            Options options,
            ImageDataset real,
            ImageDataset fake,
            Device device) {
        trunk.setTraining(false);
        trunk.setRequiresGrad(false);
        super(Checkpoint.Kind.DISCRIMINATOR, headConfig, options, options.weightDecay(), device);
        this.trunk = trunk;
        this.options = options;
        this.real = real;
        this.fake = fake;
    }

    public Network head() {
        return net;
    }

    /** One step on B real + B fake images; returns the mean BCE. */
    @Override
    public double trainStep() {
        SplittableRandom rng = new SplittableRandom(DenoiserTrainer.mix(options.seed(), step));
        int b = options.batchSize();
        net.setTraining(true);
        net.zeroGrad();
        double loss = 0;
        // data-parallel: this rank's slice of both halves; gradient a mean over its 2·bl samples
        io.sedm.dist.Shard mine = shard(b);
        int bl = mine.length();
        double[] terms = dp == null ? null : new double[2 * b];
        for (int part = 0; part < 2; part++) {
            ImageDataset d = part == 0 ? real : fake;
            double label = part == 0 ? 1 : 0;
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) idx[i] = rng.nextInt(d.size());
            double[] tau = VpPerturbation.importanceTaus(rng, b, options.tauMin());
            long[] seeds = new long[b];
            for (int i = 0; i < b; i++) seeds[i] = rng.nextLong();
            if (dp != null) {
                idx = mine.of(idx);
                tau = mine.of(tau);
                seeds = mine.of(seeds);
            }
            double[] ltau = tau;
            int at = part * b + mine.start();
            boolean last = part == 1;
            double before = loss;
            loss = AuxiliaryTraining.withNoisy(d, idx, seeds, ltau, net.device(), z -> {
                double bce = before;
                try (Tensor feats = trunk.forward(z, ltau, null, false);
                        Tensor logit = net.forward(feats, ltau, null, true)) {
                    double[] l = logit.toDoubleArray();
                    double[] grad = new double[bl];
                    for (int i = 0; i < bl; i++) {
                        // BCE with logits: −[y ln σ(ℓ) + (1−y) ln(1−σ(ℓ))], stable form
                        double term =
                                (Math.max(l[i], 0) - l[i] * label + Math.log1p(Math.exp(-Math.abs(l[i])))) / (2.0 * b);
                        bce += term;
                        if (terms != null) terms[at + i] = term;
                        grad[i] = (1 / (1 + Math.exp(-l[i])) - label) / (2.0 * bl);
                    }
                    if (dp != null && last) dp.armGradients();
                    try (Tensor gt = Tensor.of(grad, logit.shape(), Device.CPU)) {
                        net.backward(gt);
                    }
                }
                return bce;
            });
        }
        if (dp != null) loss = reduce(terms);
        if (!Double.isFinite(loss)) throw new TrainingDivergedException(step + 1, "the loss is " + loss);
        double gradNorm = adam.step(options.lr());
        if (!Double.isFinite(gradNorm))
            throw new TrainingDivergedException(step + 1, "the gradient norm is " + gradNorm);
        step++;
        return loss;
    }

    /** The trained head of a {@link #save saved} discriminator; see {@link Checkpoint#loadHead}. */
    public static Network loadHead(Path sidecar, Device device) {
        return Checkpoint.read(sidecar, Checkpoint.Kind.DISCRIMINATOR, "--discriminator")
                .loadHead(device);
    }
}
