package io.sedm.toy;

import io.sedm.runtime.Adam;
import io.sedm.runtime.Device;
import io.sedm.runtime.Tensor;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * Trains a {@link ScoreModel} with one of the score-matching objectives, NCSN style (Song &amp;
 * Ermon 2019, eq. 6): each sample gets a level σ drawn uniformly from the ladder, is perturbed to
 * x̃ = x + σz, and its term is weighted by λ(σ) = σ², so every level contributes O(1). DSM's
 * target is ∇log q_σ(x̃ | x) = −z/σ; ESM and SSM match the score of the perturbed density
 * q_σ = p * N(0, σ²I) directly (the objectives hold for any smooth density, so all three estimate
 * the same s(x, σ)). One {@link ScoreMatching#loss} call per step, then Adam ({@link #learningRate}).
 */
public final class ScoreTrainer {

    /**
     * @param objective which score-matching loss
     * @param steps     Adam steps
     * @param batch     samples per step
     * @param lr        Adam learning rate
     */
    public record Options(ScoreObjective objective, int steps, int batch, double lr) {
        public Options {
            if (objective == null) {
                throw new IllegalArgumentException("objective must not be null");
            }
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be >= 1, got " + batch);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("lr must be finite and > 0, got " + lr);
            }
        }
    }

    /** Called after each step with its index and loss. */
    @FunctionalInterface
    public interface Listener {
        void onStep(int step, double loss);
    }

    private ScoreTrainer() {}

    /**
     * Constant {@code lr} for the first half of the run, then a linear decay to 0 at the end: the
     * last iterates average the minibatch noise out instead of jittering at the scale of lr.
     */
    public static double learningRate(double lr, int step, int steps) {
        return lr * Math.min(1.0, 2.0 * (steps - step) / (double) steps);
    }

    /**
     * Trains {@code model} in place on batches drawn by {@code data} (n ↦ n points of 2
     * coordinates); {@code rng} draws the levels, the noise z and the SSM projections v.
     *
     * @return the mean loss over the last 10 % of the steps
     */
    public static double train(
            ScoreModel model, IntFunction<double[][]> data, Options options, RandomGenerator rng, Listener listener) {
        double[] ladder = model.sigmas();
        int b = options.batch();
        double tail = 0;
        int tailCount = 0;
        try (Adam adam = Adam.create(Adam.Options.defaults(), model.network())) {
            for (int step = 0; step < options.steps(); step++) {
                double[][] y = data.apply(b);
                double[] x = new double[2 * b];
                double[] probe = new double[2 * b];
                double[] labels = new double[b];
                double[] scale = new double[b];
                double[] weights = new double[b];
                for (int i = 0; i < b; i++) {
                    double sigma = ladder[rng.nextInt(ladder.length)];
                    labels[i] = ScoreModel.noiseLabel(sigma);
                    scale[i] = 1.0 / sigma; // s = F/σ
                    weights[i] = sigma * sigma; // λ(σ) = σ²
                    for (int d = 0; d < 2; d++) {
                        double z = rng.nextGaussian();
                        x[2 * i + d] = y[i][d] + sigma * z;
                        probe[2 * i + d] = switch (options.objective()) {
                            case DSM -> -z / sigma; // ∇ log q_σ(x̃ | x)
                            case SSM -> rng.nextGaussian(); // v ~ N(0, I)
                            case ESM -> 0.0;
                        };
                    }
                }
                model.network().zeroGrad();
                double loss;
                try (Tensor xt = Tensor.of(x, new long[] {b, 2}, Device.CPU);
                        Tensor pt = options.objective() == ScoreObjective.ESM
                                ? null
                                : Tensor.of(probe, new long[] {b, 2}, Device.CPU)) {
                    loss = ScoreMatching.loss(
                                    model.network(), xt, labels, scale, options.objective(), pt, weights, true)
                            .value();
                }
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException(options.objective() + " training diverged at step " + step
                            + " (loss " + loss + "); lower the learning rate");
                }
                adam.step(learningRate(options.lr(), step, options.steps()));
                if (step >= options.steps() - Math.max(1, options.steps() / 10)) {
                    tail += loss;
                    tailCount++;
                }
                if (listener != null) {
                    listener.onStep(step, loss);
                }
            }
        }
        return tailCount == 0 ? Double.NaN : tail / tailCount;
    }
}
