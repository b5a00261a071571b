package io.sedm.train;

import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Trains the noise-aware classifier whose trunk Discriminator Guidance freezes (Dhariwal &amp;
 * Nichol 2021 §4 classifier on noisy x_t; Kim et al. 2023 §4; docs/ALGORITHMS.md §7.4, §16.11):
 * the ADM encoder + attention-pool head on the dataset's labels, with x_τ = a(τ)·x + √(1−a²)·z
 * and τ ~ U(τ_min, 1). Cross-entropy is computed here: softmax(logits) − onehot, over B.
 */
public final class ClassifierTrainer extends AuxiliaryTraining {

    /** Defaults: batch 128, Adam lr 3e-4, no decay, τ_min 1e-5. */
    public record Options(int batchSize, double lr, double weightDecay, double tauMin, long seed, long steps)
            implements AuxiliaryTrainer.Settings {
        public Options {
            checkOptions(batchSize, lr, weightDecay, tauMin, steps);
        }

        public static Options defaults() {
            return new Options(128, 3e-4, 0.0, 1e-5, 0, 20_000);
        }
    }

    private final AdmEncoderConfig config;
    private final Options options;
    private final ImageDataset data;

    public ClassifierTrainer(AdmEncoderConfig config, Options options, ImageDataset data, Device device) {
        if (!config.kind().equals("classifier")) throw new IllegalArgumentException("config must be a classifier");
        if (data.labels() == null) throw new IllegalArgumentException("the classifier needs labelled data");
        super(Checkpoint.Kind.CLASSIFIER, config, options, options.weightDecay(), device);
        this.config = config;
        this.options = options;
        this.data = data;
    }

    public Network network() {
        return net;
    }

    /** One Adam step; returns the batch mean cross-entropy. */
    @Override
    public double trainStep() {
        SplittableRandom rng = new SplittableRandom(DenoiserTrainer.mix(options.seed(), step));
        int b = options.batchSize();
        int[] idx = new int[b];
        for (int i = 0; i < b; i++) idx[i] = rng.nextInt(data.size());
        double[] tau = new double[b];
        for (int i = 0; i < b; i++) tau[i] = options.tauMin() + (1 - options.tauMin()) * rng.nextDouble();
        long[] seeds = new long[b];
        for (int i = 0; i < b; i++) seeds[i] = rng.nextLong();
        net.setTraining(true);
        net.zeroGrad();
        // data-parallel: this rank's slice; its gradient is a mean over the slice, averaged over ranks
        io.sedm.dist.Shard mine = shard(b);
        double[] terms = dp == null ? null : new double[b];
        if (dp != null) {
            idx = mine.of(idx);
            tau = mine.of(tau);
            seeds = mine.of(seeds);
        }
        int bl = mine.length();
        int[] lidx = idx;
        double[] ltau = tau;
        double loss = AuxiliaryTraining.withNoisy(data, lidx, seeds, ltau, net.device(), z -> {
            try (Tensor logits = net.forward(z, ltau, null, true)) {
                double[] l = logits.toDoubleArray();
                int k = config.outChannels();
                double[] grad = new double[l.length];
                double ce = 0;
                for (int i = 0; i < bl; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < k; c++) max = Math.max(max, l[i * k + c]);
                    double sum = 0;
                    for (int c = 0; c < k; c++) sum += Math.exp(l[i * k + c] - max);
                    int label = data.labels()[lidx[i]];
                    double term = -(l[i * k + label] - max - Math.log(sum)) / b;
                    ce += term;
                    if (terms != null) terms[mine.start() + i] = term;
                    for (int c = 0; c < k; c++) {
                        grad[i * k + c] = (Math.exp(l[i * k + c] - max) / sum - (c == label ? 1 : 0)) / bl;
                    }
                }
                if (dp != null) dp.armGradients();
                try (Tensor gt = Tensor.of(grad, logits.shape(), Device.CPU)) {
                    net.backward(gt);
                }
                return ce;
            }
        });
        if (dp != null) loss = reduce(terms);
        if (!Double.isFinite(loss)) throw new TrainingDivergedException(step + 1, "the loss is " + loss);
        double gradNorm = adam.step(options.lr());
        if (!Double.isFinite(gradNorm))
            throw new TrainingDivergedException(step + 1, "the gradient norm is " + gradNorm);
        step++;
        return loss;
    }

    /** Top-1 accuracy on the first {@code n} images of {@code test}, all perturbed to time τ (eval mode). */
    public double accuracy(ImageDataset test, double tau, int n) {
        net.setTraining(false);
        int correct = 0, k = config.outChannels();
        for (int start = 0; start < n; start += 256) {
            int b = Math.min(256, n - start);
            int[] idx = new int[b];
            long[] seeds = new long[b];
            double[] taus = new double[b];
            for (int i = 0; i < b; i++) {
                idx[i] = start + i;
                seeds[i] = 77_000 + start + i;
                taus[i] = tau;
            }
            correct += AuxiliaryTraining.withNoisy(test, idx, seeds, taus, net.device(), z -> {
                try (Tensor logits = net.forward(z, taus, null, false)) {
                    double[] l = logits.toDoubleArray();
                    int hits = 0;
                    for (int i = 0; i < b; i++) {
                        int best = 0;
                        for (int c = 1; c < k; c++) if (l[i * k + c] > l[i * k + best]) best = c;
                        if (best == test.labels()[idx[i]]) hits++;
                    }
                    return hits;
                }
            });
        }
        return correct / (double) n;
    }

    /** The frozen trunk of a saved classifier; see {@link Checkpoint#loadTrunk}. */
    public static Network loadTrunk(Path sidecar, Device device) {
        return Checkpoint.read(sidecar, Checkpoint.Kind.CLASSIFIER, "--classifier")
                .loadTrunk(device);
    }
}
