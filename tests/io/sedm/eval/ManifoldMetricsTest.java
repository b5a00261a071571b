package io.sedm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PrecisionRecall, DensityCoverage and ClassHistogram against exact cases and closed-form expectations. */
class ManifoldMetricsTest {

    static double[][] gaussian(int n, int d, double shift, SplittableRandom rng) {
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = shift + rng.nextGaussian();
            }
        }
        return x;
    }

    static double[][] concat(double[][] a, double[][] b) {
        double[][] out = new double[a.length + b.length][];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void identicalSetsAndFarApartSets() {
        var rng = new SplittableRandom(1);
        double[][] x = gaussian(300, 4, 0, rng);
        PrecisionRecall same = PrecisionRecall.of(x, x);
        assertThat(same.precision()).isEqualTo(1.0);
        assertThat(same.recall()).isEqualTo(1.0);
        DensityCoverage dc = DensityCoverage.of(x, x);
        // each real ball holds its centre and its k = 3 neighbours (continuous data: no ties): density (k + 1)/k
        assertThat(dc.density()).isCloseTo(4.0 / 3, within(1e-12));
        assertThat(dc.coverage()).isEqualTo(1.0);
        double[][] far = gaussian(300, 4, 1000, rng);
        PrecisionRecall apart = PrecisionRecall.of(x, far);
        assertThat(apart.precision()).isEqualTo(0.0);
        assertThat(apart.recall()).isEqualTo(0.0);
        DensityCoverage dcFar = DensityCoverage.of(x, far);
        assertThat(dcFar.density()).isEqualTo(0.0);
        assertThat(dcFar.coverage()).isEqualTo(0.0);
    }

    @Test
    void knownFractions() {
        // real = A ∪ B, fake = A (exact copies) ∪ C, with A, B, C unit Gaussians 1000 apart (each kNN
        // radius stays within its own cluster). Copies sit at distance 0 from their originals, so
        // precision = |A|/|fake|, recall = |A|/|real| and coverage = |A|/|real| exactly; here 0.25, 0.4, 0.4.
        var rng = new SplittableRandom(2);
        double[][] a = gaussian(200, 3, 0, rng);
        double[][] b = gaussian(300, 3, 1000, rng);
        double[][] c = gaussian(600, 3, -1000, rng);
        double[][] real = concat(a, b);
        double[][] fake = concat(a, c);
        PrecisionRecall pr = PrecisionRecall.of(real, fake);
        assertThat(pr.precision()).isEqualTo(200.0 / 800);
        assertThat(pr.recall()).isEqualTo(200.0 / 500);
        DensityCoverage dc = DensityCoverage.of(real, fake);
        assertThat(dc.coverage()).isEqualTo(200.0 / 500);
        // the flat overload agrees
        double[] flatReal = new double[real.length * 3];
        double[] flatFake = new double[fake.length * 3];
        for (int i = 0; i < real.length; i++) {
            System.arraycopy(real[i], 0, flatReal, 3 * i, 3);
        }
        for (int i = 0; i < fake.length; i++) {
            System.arraycopy(fake[i], 0, flatFake, 3 * i, 3);
        }
        assertThat(PrecisionRecall.of(flatReal, flatFake, 3, 3)).isEqualTo(pr);
    }

    @Test
    void densityAndCoverageOfSameDistributionMatchTheirExpectations() {
        // E[density] = 1 and E[coverage] = 1 − Π(N − i)/(N + M − i) (≈ 0.875 for k = 3, M = N) exactly;
        // tolerance: 4 s.e. of the mean over 8 independent replicates.
        var rng = new SplittableRandom(4);
        int n = 800;
        int reps = 8;
        double[] density = new double[reps];
        double[] coverage = new double[reps];
        for (int r = 0; r < reps; r++) {
            DensityCoverage dc = DensityCoverage.of(gaussian(n, 2, 0, rng), gaussian(n, 2, 0, rng));
            density[r] = dc.density();
            coverage[r] = dc.coverage();
        }
        Runs d = Runs.of(density);
        Runs c = Runs.of(coverage);
        double expectedCoverage = DensityCoverage.expectedCoverage(n, n, 3);
        System.out.printf("density %s (expected 1); coverage %s (expected %.5f)%n", d, c, expectedCoverage);
        assertThat(Math.abs(d.mean() - 1)).isLessThan(4 * d.standardError());
        assertThat(Math.abs(c.mean() - expectedCoverage)).isLessThan(4 * c.standardError());
        assertThat(d.standardError()).isLessThan(0.02);
    }

    @Test
    void classHistogramKl() {
        int[] uniform = new int[1000];
        for (int i = 0; i < uniform.length; i++) {
            uniform[i] = i % 10;
        }
        ClassHistogram h = ClassHistogram.of(uniform, 10);
        assertThat(h.klToUniform()).isCloseTo(0, within(1e-15));
        assertThat(h.counts()).containsOnly(100L);
        ClassHistogram oneHot = ClassHistogram.of(new int[] {7, 7, 7}, 10);
        assertThat(oneHot.klToUniform()).isCloseTo(Math.log(10), within(1e-15));
        // half in class 0, half in class 1 of 4: KL = ln 4 − ln 2 = ln 2
        assertThat(ClassHistogram.of(new int[] {0, 1}, 4).klToUniform()).isCloseTo(Math.log(2), within(1e-15));
    }

    @Test
    void runsSummary() {
        Runs r = Runs.of(2.0, 4.0, 3.0);
        assertThat(r.mean()).isEqualTo(3.0);
        assertThat(r.min()).isEqualTo(2.0);
        assertThat(r.max()).isEqualTo(4.0);
        assertThat(r.standardError()).isCloseTo(1 / Math.sqrt(3), within(1e-15));
        assertThat(io.sedm.eval.toy.Estimate.ofRuns(2.0, 4.0, 3.0)).isEqualTo(r.estimate());
        assertThat(Runs.of(5.0).standardError()).isNaN();
    }
}
