package io.sedm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrechetDistanceTest {

    /** A random orthogonal d × d matrix (Gram–Schmidt on Gaussian columns), as rows. */
    static double[][] randomRotation(int d, SplittableRandom rng) {
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                q[i][j] = rng.nextGaussian();
            }
            for (int p = 0; p < i; p++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += q[i][j] * q[p][j];
                }
                for (int j = 0; j < d; j++) {
                    q[i][j] -= dot * q[p][j];
                }
            }
            double norm = 0;
            for (int j = 0; j < d; j++) {
                norm += q[i][j] * q[i][j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                q[i][j] /= norm;
            }
        }
        return q;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /** Q diag(values) Qᵀ with Q's rows as the eigenvectors. */
    static double[][] withSpectrum(double[][] q, double[] values) {
        int d = values.length;
        double[][] a = new double[d][d];
        for (int k = 0; k < d; k++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    a[i][j] += values[k] * q[k][i] * q[k][j];
                }
            }
        }
        return a;
    }

    /** n samples of N(μ, diag(variances)) rotated by Q: x = μ + Qᵀ(√v ⊙ z). */
    static double[][] gaussianSamples(int n, double[] mu, double[] variances, double[][] q, SplittableRandom rng) {
        int d = mu.length;
        double[][] x = new double[n][d];
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                z[k] = Math.sqrt(variances[k]) * rng.nextGaussian();
            }
            for (int j = 0; j < d; j++) {
                double s = mu[j];
                for (int k = 0; k < d; k++) {
                    s += q[k][j] * z[k];
                }
                x[i][j] = s;
            }
        }
        return x;
    }

    @Test
    void eigendecompositionReconstructsRandomSymmetricMatrices() {
        var rng = new SplittableRandom(3);
        for (int d : new int[] {1, 2, 3, 7, 40, 200}) {
            double[][] a = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j <= i; j++) {
                    a[i][j] = a[j][i] = rng.nextGaussian();
                }
            }
            SymmetricEigen e = SymmetricEigen.of(a);
            double[][] back = e.apply(x -> x);
            double maxErr = 0;
            double maxOrth = 0;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    maxErr = Math.max(maxErr, Math.abs(back[i][j] - a[i][j]));
                    double dot = 0;
                    for (int k = 0; k < d; k++) {
                        dot += e.vectors()[i][k] * e.vectors()[j][k];
                    }
                    maxOrth = Math.max(maxOrth, Math.abs(dot - (i == j ? 1 : 0)));
                }
                if (i > 0) {
                    assertThat(e.values()[i]).isGreaterThanOrEqualTo(e.values()[i - 1]);
                }
            }
            // backward stability: errors of order d·ε·‖A‖ (‖A‖ ≈ 2√d here)
            assertThat(maxErr).as("reconstruction d=" + d).isLessThan(1e-11);
            assertThat(maxOrth).as("orthogonality d=" + d).isLessThan(1e-12);
        }
    }

    @Test
    void knownSpectrumAndMatrixSquareRoot() {
        var rng = new SplittableRandom(5);
        int d = 6;
        double[][] q = randomRotation(d, rng);
        double[] values = {0.01, 0.25, 1, 2, 9, 16};
        double[][] a = withSpectrum(q, values);
        SymmetricEigen e = SymmetricEigen.of(a);
        for (int k = 0; k < d; k++) {
            assertThat(e.values()[k]).isCloseTo(values[k], within(1e-13));
        }
        // sqrtm of Q diag(a) Qᵀ is Q diag(√a) Qᵀ, and it squares back to A
        double[][] root = FrechetDistance.sqrtPsd(a);
        double[][] expected = withSpectrum(q, new double[] {0.1, 0.5, 1, Math.sqrt(2), 3, 4});
        double[][] square = FrechetDistance.multiply(root, root);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertThat(root[i][j]).isCloseTo(expected[i][j], within(1e-13));
                assertThat(square[i][j]).isCloseTo(a[i][j], within(1e-13));
            }
        }
        // a repeated eigenvalue (identity block) and an exact zero (rank deficiency) are fine
        double[][] b = withSpectrum(q, new double[] {0, 1, 1, 1, 4, 4});
        double[][] rootB = FrechetDistance.sqrtPsd(b);
        double[][] expectedB = withSpectrum(q, new double[] {0, 1, 1, 1, 2, 2});
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertThat(rootB[i][j])
                        .isCloseTo(expectedB[i][j], within(1e-7)); // √ of a rounding-level λ ≈ 1e−16 gives 1e−8
            }
        }
    }

    @Test
    void closedFormForCommutingAndGeneralGaussians() {
        var rng = new SplittableRandom(7);
        int d = 5;
        double[][] q = randomRotation(d, rng);
        double[] a = {0.5, 1, 2, 3, 4};
        double[] b = {1, 1, 0.5, 6, 0.1};
        double[] mu1 = {0, 1, 2, 3, 4};
        double[] mu2 = {1, 1, 2, 3, 2};
        // commuting covariances share eigenvectors: FD = ‖Δμ‖² + Σ_k (√a_k − √b_k)² (docs/ALGORITHMS.md §10)
        double expected = 1 + 4;
        for (int k = 0; k < d; k++) {
            expected += Math.pow(Math.sqrt(a[k]) - Math.sqrt(b[k]), 2);
        }
        double fd = FrechetDistance.between(mu1, withSpectrum(q, a), mu2, withSpectrum(q, b));
        assertThat(fd).isCloseTo(expected, within(1e-12));
        // 1-D: (μ1 − μ2)² + (s1 − s2)²
        assertThat(FrechetDistance.between(
                        new double[] {1}, new double[][] {{4}}, new double[] {-1}, new double[][] {{9}}))
                .isCloseTo(4 + 1, within(1e-14));
    }

    @Test
    void identicalSetsGiveZeroAndRotationsLeaveFdUnchanged() {
        var rng = new SplittableRandom(11);
        int d = 16;
        int n = 400;
        double[][] q = randomRotation(d, rng);
        double[] var1 = new double[d];
        double[] var2 = new double[d];
        for (int k = 0; k < d; k++) {
            var1[k] = 0.5 + k;
            var2[k] = 1.0 + 0.3 * (d - k);
        }
        double[][] x = gaussianSamples(n, new double[d], var1, q, rng);
        double[][] y = gaussianSamples(n, new double[d], var2, randomRotation(d, rng), rng);
        assertThat(FrechetDistance.between(x, x)).isCloseTo(0, within(1e-9));
        // unclamped: tr (Σ^½ Σ Σ^½)^½ = tr Σ, so the 0 above is not just the clamp at 0
        FeatureStatistics sx = FeatureStatistics.of(x);
        double trace = 0;
        for (int j = 0; j < d; j++) {
            trace += sx.covariance()[j][j];
        }
        assertThat(2 * trace - 2 * FrechetDistance.traceSqrtProduct(sx.covariance(), sx.covariance()))
                .isCloseTo(0, within(1e-9));
        double fd = FrechetDistance.between(x, y);
        double[][] rot = randomRotation(d, rng);
        double fdRotated = FrechetDistance.between(
                FrechetDistance.multiply(x, transpose(rot)), FrechetDistance.multiply(y, transpose(rot)));
        System.out.printf("FD(x, y) = %.12f, rotated %.12f%n", fd, fdRotated);
        assertThat(fdRotated).isCloseTo(fd, within(1e-9 * fd));
        // also symmetric in its arguments
        assertThat(FrechetDistance.between(y, x)).isCloseTo(fd, within(1e-9 * fd));
    }

    @Test
    void sampleFdConvergesToTheGaussiansClosedForm() {
        // Two Gaussians in d = 8 with non-commuting covariances; the closed form FD of the true
        // Gaussians comes from the exact μ, Σ. The plug-in estimate is biased upwards by
        // ≈ tr-terms of order d²/n (Chong & Forsyth 2020, "Effectively unbiased FID"), so the
        // tolerance is set from replicated runs: |mean − exact| within 4 s.e. + the O(d²/n) bias bound.
        var rng = new SplittableRandom(13);
        int d = 8;
        double[][] q1 = randomRotation(d, rng);
        double[][] q2 = randomRotation(d, rng);
        double[] v1 = {0.2, 0.5, 1, 1.5, 2, 2.5, 3, 4};
        double[] v2 = {1, 1, 1, 2, 2, 0.3, 0.6, 5};
        double[] mu1 = new double[d];
        double[] mu2 = new double[d];
        mu2[0] = 1;
        mu2[3] = -0.5;
        double exact = FrechetDistance.between(mu1, withSpectrum(q1, v1), mu2, withSpectrum(q2, v2));
        int n = 20_000;
        double[] fds = new double[6];
        for (int r = 0; r < fds.length; r++) {
            fds[r] =
                    FrechetDistance.between(gaussianSamples(n, mu1, v1, q1, rng), gaussianSamples(n, mu2, v2, q2, rng));
        }
        Runs runs = Runs.of(fds);
        System.out.printf("FD closed form %.5f; sample FD (n = %d) %s%n", exact, n, runs);
        // bias bound: the plug-in trace terms carry O(tr Σ · d / n) upward bias ≈ 30·8/20000 = 0.012
        double biasBound = 0.02;
        assertThat(Math.abs(runs.mean() - exact)).isLessThan(4 * runs.standardError() + biasBound);
        assertThat(runs.mean()).isGreaterThan(exact - 4 * runs.standardError());
    }

    @Test
    void blockedAccumulatorMatchesTwoPassCovariance() {
        // 150 rows: two full blocks of 64 and a partial one; statistics() mid-stream, then more rows
        var rng = new SplittableRandom(17);
        int d = 5;
        double[][] x = new double[150][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = 3 + j + rng.nextGaussian() * (1 + j);
            }
        }
        FeatureStatistics.Accumulator acc = new FeatureStatistics.Accumulator(d);
        for (int i = 0; i < 100; i++) {
            acc.add(x[i], 0);
        }
        acc.statistics();
        for (int i = 100; i < 150; i++) {
            acc.add(x[i], 0);
        }
        FeatureStatistics s = acc.statistics();
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / x.length;
            }
        }
        for (int i = 0; i < d; i++) {
            assertThat(s.mean()[i]).isCloseTo(mean[i], within(1e-13));
            for (int j = 0; j < d; j++) {
                double c = 0;
                for (double[] row : x) {
                    c += (row[i] - mean[i]) * (row[j] - mean[j]);
                }
                assertThat(s.covariance()[i][j]).isCloseTo(c / (x.length - 1), within(1e-12));
            }
        }
    }

    @Test
    void fdAtFeatureDimension512() {
        // cost check at a realistic size (Inception's 2048 is 64× this in the O(d³) parts)
        var rng = new SplittableRandom(19);
        int d = 512;
        double[][] a = new double[d][d];
        double[][] b = new double[d][d];
        for (double[][] m : new double[][][] {a, b}) {
            double[][] g = new double[d][d];
            for (double[] row : g) {
                for (int j = 0; j < d; j++) {
                    row[j] = rng.nextGaussian() / Math.sqrt(d);
                }
            }
            double[][] gg = FrechetDistance.multiply(g, transpose(g));
            for (int i = 0; i < d; i++) {
                System.arraycopy(gg[i], 0, m[i], 0, d);
            }
        }
        long t0 = System.nanoTime();
        double fd = FrechetDistance.between(new double[d], a, new double[d], b);
        double fdSelf = FrechetDistance.between(new double[d], a, new double[d], a);
        System.out.printf(
                "d = 512: FD %.6f, FD(a, a) %.2e, %.2f s for both%n", fd, fdSelf, (System.nanoTime() - t0) / 1e9);
        assertThat(fdSelf).isCloseTo(0, within(1e-9));
        assertThat(fd).isPositive();
    }

    @Test
    void statisticsAreUnbiasedAndRoundTripThroughNpz(@TempDir Path dir) {
        double[][] x = {{1, 2}, {3, 6}, {5, 7}};
        FeatureStatistics s = FeatureStatistics.of(x);
        // mean (3, 5); deviations (−2, −3), (0, 1), (2, 2): Σ = [[8, 10], [10, 14]]/2
        assertThat(s.mean()).containsExactly(3, 5);
        assertThat(s.covariance()[0]).containsExactly(4, 5);
        assertThat(s.covariance()[1]).containsExactly(5, 7);
        assertThat(s.n()).isEqualTo(3);
        // flat input and a large common offset (1e9) give the same covariance (shifted sums)
        FeatureStatistics shifted = FeatureStatistics.of(new double[] {1e9 + 1, 2, 1e9 + 3, 6, 1e9 + 5, 7}, 2);
        assertThat(shifted.covariance()[0][0]).isCloseTo(4, within(1e-6));
        assertThat(shifted.covariance()[0][1]).isCloseTo(5, within(1e-6));
        Path file = dir.resolve("stats.npz");
        s.save(file);
        FeatureStatistics back = FeatureStatistics.load(file);
        assertThat(back.mean()).containsExactly(s.mean());
        assertThat(back.covariance()).isDeepEqualTo(s.covariance());
        assertThat(back.n()).isEqualTo(3);
        assertThat(FrechetDistance.between(s, back)).isEqualTo(0.0);
    }
}
