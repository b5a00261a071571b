package io.sedm.eval;

/**
 * The histogram of predicted classes of generated samples and its Kullback–Leibler divergence to
 * the uniform distribution, KL(p ‖ U) = Σ_c p_c ln(K p_c) = ln K − H(p) (nats; 0 ln 0 = 0). It
 * is 0 for perfectly balanced classes and ln K when every sample gets one class (mode collapse).
 *
 * @param counts samples per class, length K
 */
public record ClassHistogram(long[] counts) {

    public ClassHistogram {
        if (counts.length < 1) {
            throw new IllegalArgumentException("need at least one class");
        }
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("counts must be >= 0");
            }
        }
        counts = counts.clone();
    }

    /** Counts the predicted class indices, each in [0, numClasses). */
    public static ClassHistogram of(int[] predicted, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        long[] counts = new long[numClasses];
        for (int i = 0; i < predicted.length; i++) {
            int c = predicted[i];
            if (c < 0 || c >= numClasses) {
                throw new IllegalArgumentException(
                        "predicted[" + i + "] = " + c + " is outside [0, " + numClasses + ")");
            }
            counts[c]++;
        }
        return new ClassHistogram(counts);
    }

    public int numClasses() {
        return counts.length;
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** The class frequencies p_c = counts_c / total. */
    public double[] frequencies() {
        long t = total();
        if (t == 0) {
            throw new IllegalStateException("the histogram is empty");
        }
        double[] p = new double[counts.length];
        for (int c = 0; c < p.length; c++) {
            p[c] = (double) counts[c] / t;
        }
        return p;
    }

    /** KL(p ‖ uniform) in nats. */
    public double klToUniform() {
        int k = counts.length;
        double kl = 0;
        for (double p : frequencies()) {
            if (p > 0) {
                kl += p * Math.log(k * p);
            }
        }
        return Math.max(kl, 0.0);
    }
}
