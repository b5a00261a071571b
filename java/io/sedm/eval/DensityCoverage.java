package io.sedm.eval;

/**
 * Density and coverage (Naeem, Oh, Uh, Choi &amp; Yoo 2020, "Reliable fidelity and diversity
 * metrics for generative models", ICML, eq. 3–4), with B(r, ρ) the ball around real point r of
 * radius ρ = distance to its k-th nearest real neighbour (k = 3 by default):
 * <pre>
 *   density  = 1/(kM) Σ_j Σ_i 1[f_j ∈ B(r_i, NND_k(r_i))]
 *   coverage = 1/N Σ_i 1[∃ j: f_j ∈ B(r_i, NND_k(r_i))]
 * </pre>
 * For fake points drawn from the real distribution E[density] = 1 exactly (a fake point lands in
 * a ball with probability k/N by exchangeability) and
 * E[coverage] = 1 − Π_{i=1..k} (N − i)/(N + M − i) (Naeem et al., Lemma 2; 0.875 for k = 3 and
 * M = N large; see {@link #expectedCoverage}). Identical sets give density (k + 1)/k (each ball holds
 * its own centre and k neighbours) and coverage 1.
 *
 * @param density  ≥ 0 (can exceed 1)
 * @param coverage in [0, 1]
 */
public record DensityCoverage(double density, double coverage) {
    public static final int DEFAULT_K = 3;

    /** With k = {@value #DEFAULT_K}. */
    public static DensityCoverage of(double[][] real, double[][] fake) {
        return of(real, fake, DEFAULT_K);
    }

    public static DensityCoverage of(double[][] real, double[][] fake, int k) {
        NearestNeighbours.check(real, fake, k);
        double[] radii = NearestNeighbours.kthNeighbourSquaredRadii(real, k);
        long inBalls = 0;
        boolean[] covered = new boolean[real.length];
        for (double[] f : fake) {
            for (int i = 0; i < real.length; i++) {
                if (NearestNeighbours.squaredDistance(f, real[i]) <= radii[i]) {
                    inBalls++;
                    covered[i] = true;
                }
            }
        }
        int coveredCount = 0;
        for (boolean c : covered) {
            if (c) {
                coveredCount++;
            }
        }
        return new DensityCoverage((double) inBalls / ((double) k * fake.length), (double) coveredCount / real.length);
    }

    /** The same for row-major flat feature arrays of dimension d. */
    public static DensityCoverage of(double[] real, double[] fake, int d, int k) {
        return of(NearestNeighbours.rows(real, d), NearestNeighbours.rows(fake, d), k);
    }

    /** E[coverage] when real and fake share one distribution: 1 − Π_{i=1..k} (N − i)/(N + M − i). */
    public static double expectedCoverage(int realCount, int fakeCount, int k) {
        double p = 1;
        for (int i = 1; i <= k; i++) {
            p *= (double) (realCount - i) / (realCount + fakeCount - i);
        }
        return 1 - p;
    }
}
