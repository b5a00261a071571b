package io.sedm.data.toy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GaussianMixtureTest {
    private static final GaussianMixture A = GaussianMixture.fixture2d();
    private static final GaussianMixture B = GaussianMixture.fixture2dWrongModel();

    @ParameterizedTest
    @ValueSource(doubles = {0.002, 0.05, 0.5, 3, 80})
    void tweedieAndTheScoreAgreeWithFiniteDifferences(double sigma) {
        SplittableRandom rng = new SplittableRandom(1);
        for (int trial = 0; trial < 20; trial++) {
            double[] x = {rng.nextDouble(-2, 2) * (1 + sigma), rng.nextDouble(-2, 2) * (1 + sigma)};
            double[] d = A.denoise(x, sigma);
            double[] score = A.score(x, sigma);
            for (int j = 0; j < 2; j++) {
                // D = x + σ² ∇ log p (Tweedie): same float64 terms summed differently, 1e-12 relative to |x|
                assertThat(d[j]).isCloseTo(x[j] + sigma * sigma * score[j], within(1e-12 * (1 + Math.abs(x[j]))));
                // central difference of log p with step h = 1e-5·(c + σ); error ~h²·|∂³log p| + 1e-16/h
                double h = 1e-5 * (0.2 + sigma);
                double[] xp = x.clone();
                double[] xm = x.clone();
                xp[j] += h;
                xm[j] -= h;
                double fd = (A.logProb(xp, sigma) - A.logProb(xm, sigma)) / (2 * h);
                assertThat(score[j]).isCloseTo(fd, within(1e-5 * (1 + Math.abs(fd))));
            }
        }
    }

    @Test
    void logRatioGradientIsTheDifferenceOfScores() {
        double[] x = {0.3, -0.2};
        for (double sigma : new double[] {0.01, 0.4, 10}) {
            double[] g = A.logRatioGradient(B, x, sigma);
            double[] sa = A.score(x, sigma);
            double[] sb = B.score(x, sigma);
            for (int j = 0; j < 2; j++) {
                // (D_A − D_B)/σ² vs ∇ln p_A − ∇ln p_B: division by σ² amplifies rounding at small σ
                assertThat(g[j]).isCloseTo(sa[j] - sb[j], within(1e-9 * (1 + Math.abs(g[j]))));
            }
        }
    }

    @Test
    void densityIsNormalisedAndVpCoordinatesCarryTheJacobian() {
        // ∫ p_σ over a grid (1-D mixture, σ = 0.3): Riemann sum on [−6, 6] with step 1e-3 → 1 within 1e-9
        GaussianMixture m =
                new GaussianMixture(new double[] {1, 3}, new double[][] {{-1}, {2}}, new double[] {0.1, 0.4});
        double total = 0;
        for (double x = -6; x <= 6; x += 1e-3) {
            total += Math.exp(m.logProb(new double[] {x}, 0.3)) * 1e-3;
        }
        assertThat(total).isCloseTo(1, within(1e-6));
        double sigma = 2;
        double a = 1 / Math.sqrt(1 + sigma * sigma);
        double[] x = {0.7};
        assertThat(m.logProbVp(new double[] {a * x[0]}, sigma))
                .isCloseTo(m.logProb(x, sigma) - Math.log(a), within(1e-14));
    }

    @Test
    void samplingReproducesTheMoments() {
        int n = 200_000;
        double[] s = A.sample(n, 42);
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += s[2 * i];
            my += s[2 * i + 1];
        }
        mx /= n;
        my /= n;
        // E[x] = Σ π μ = (0.5·−1 + 0.3·1.2 + 0.2·0.2, 0.5·0.5 + 0.3·−0.3 + 0.2·1.4) = (−0.1, 0.44);
        // per-coordinate std ≤ 1.1, so 5 s.e. = 5·1.1/√n ≈ 0.012
        assertThat(mx).isCloseTo(-0.1, within(0.012));
        assertThat(my).isCloseTo(0.44, within(0.012));
        assertThat(A.sample(10, 7)).containsExactly(A.sample(10, 7));
    }

    @Test
    void jsonRoundTripsAndBadDescriptionsAreNamed() throws Exception {
        GaussianMixture back = GaussianMixture.fromJson(new ObjectMapper().readTree(A.toJson()));
        assertThat(back).isEqualTo(A);
        assertThatThrownBy(() ->
                        GaussianMixture.fromJson(new ObjectMapper().readTree("{\"weights\": [1], \"variances\": [1]}")))
                .hasMessageContaining("\"means\"");
        assertThatThrownBy(() ->
                        new GaussianMixture(new double[] {1, -1}, new double[][] {{0}, {1}}, new double[] {1, 1}))
                .hasMessageContaining("weights[1] must be finite and > 0");
        assertThatThrownBy(() ->
                        new GaussianMixture(new double[] {1, 1}, new double[][] {{0}, {1, 2}}, new double[] {1, 1}))
                .hasMessageContaining("same dimension");
    }
}
