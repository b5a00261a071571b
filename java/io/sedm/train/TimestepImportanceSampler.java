package io.sedm.train;

import java.util.SplittableRandom;

/**
 * Importance sampling of the timestep for L_vlb (Nichol &amp; Dhariwal 2021, §3.3 eq. 18;
 * improved-diffusion's LossSecondMomentResampler; docs/ALGORITHMS.md §12.4):
 * {@code L_vlb = E_{t∼p_t}[L_t/p_t]} with {@code p_t ∝ √E[L_t²]}, E[L_t²] estimated from the last
 * {@value #HISTORY} values of L_t seen at each t. Until every t holds {@value #HISTORY} values, t is
 * uniform; afterwards {@code p_t ← (1 − 0.001)·p_t + 0.001/T} keeps every step reachable. The weight
 * of a draw is {@code 1/(T·p_t)}, so the weighted loss has the uniform-t expectation.
 *
 * <p>The history is not part of a checkpoint: a resumed run starts uniform again and warms up anew.
 */
public final class TimestepImportanceSampler {
    public static final int HISTORY = 10;
    static final double UNIFORM_PROB = 0.001;

    private final boolean importance;
    private final double[][] history;
    private final int[] count;

    /** @param importance false = always uniform (the weights are then 1) */
    public TimestepImportanceSampler(int timesteps, boolean importance) {
        if (timesteps < 1) throw new IllegalArgumentException("timesteps must be >= 1, got " + timesteps);
        this.importance = importance;
        this.history = new double[timesteps][HISTORY];
        this.count = new int[timesteps];
    }

    public int timesteps() {
        return count.length;
    }

    /** Whether every t has {@value #HISTORY} values (importance sampling is on). */
    public boolean warm() {
        if (!importance) return false;
        for (int c : count) if (c < HISTORY) return false;
        return true;
    }

    /** p_t: uniform until warm, then eq. 18's √E[L_t²] normalised and mixed with 0.001 of uniform. */
    public double[] probabilities() {
        int n = count.length;
        double[] p = new double[n];
        if (!warm()) {
            java.util.Arrays.fill(p, 1.0 / n);
            return p;
        }
        double total = 0;
        for (int t = 0; t < n; t++) {
            double m = 0;
            for (double l : history[t]) m += l * l;
            p[t] = Math.sqrt(m / HISTORY);
            total += p[t];
        }
        for (int t = 0; t < n; t++) {
            p[t] = (1.0 - UNIFORM_PROB) * (total > 0 ? p[t] / total : 1.0 / n) + UNIFORM_PROB / n;
        }
        return p;
    }

    /** Draws {@code batch} timesteps into {@code t} and returns their weights 1/(T·p_t). */
    public double[] draw(SplittableRandom rng, int[] t) {
        double[] p = probabilities();
        int n = p.length;
        double[] cdf = new double[n];
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += p[i];
            cdf[i] = acc;
        }
        double[] w = new double[t.length];
        for (int b = 0; b < t.length; b++) {
            double u = rng.nextDouble() * acc;
            int i = java.util.Arrays.binarySearch(cdf, u);
            i = i >= 0 ? Math.min(i + 1, n - 1) : Math.min(-i - 1, n - 1);
            t[b] = i;
            w[b] = 1.0 / (n * p[i]);
        }
        return w;
    }

    /** Records the L_t observed at the timesteps {@code t} (oldest values drop out first). */
    public void update(int[] t, double[] lossT) {
        if (!importance) return;
        for (int b = 0; b < t.length; b++) {
            int s = t[b];
            if (count[s] == HISTORY) {
                System.arraycopy(history[s], 1, history[s], 0, HISTORY - 1);
                history[s][HISTORY - 1] = lossT[b];
            } else {
                history[s][count[s]++] = lossT[b];
            }
        }
    }
}
