package io.sedm.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiscreteSchedulesTest {

    @ParameterizedTest
    @ValueSource(ints = {50, 1000, 4000})
    void cosineScheduleIsMonotoneClippedAndEndsNearZero(int t) {
        BetaSchedule s = BetaSchedule.cosine(t);
        double[] ab = s.alphasCumprod();
        for (int i = 1; i < t; i++) {
            assertThat(ab[i]).isLessThan(ab[i - 1]);
        }
        assertThat(java.util.Arrays.stream(s.betas()).max().orElseThrow()).isLessThanOrEqualTo(BetaSchedule.MAX_BETA);
        assertThat(ab[t - 1]).isLessThan(1e-4); // ā(1) = cos²(π/2) = 0 up to the clip
        // ᾱ_0 = ā(1/T)/ā(0) exactly (ratios telescope while no β is clipped)
        assertThat(ab[0])
                .isCloseTo(BetaSchedule.cosineAlphaBar(1.0 / t) / BetaSchedule.cosineAlphaBar(0), within(1e-15));
    }

    @Test
    void linearScheduleMatchesHoEtAl() {
        double[] b = BetaSchedule.linear(1000).betas();
        assertThat(b[0]).isEqualTo(1e-4);
        assertThat(b[999]).isCloseTo(0.02, within(1e-15));
        assertThat(BetaSchedule.linear(4000).betas()[0]).isCloseTo(2.5e-5, within(1e-18)); // scaled by 1000/T
    }

    @Test
    void posteriorMatchesTheGaussianClosedForm() {
        BetaSchedule s = BetaSchedule.linear(200);
        double[] ab = s.alphasCumprod();
        double[] prev = s.alphasCumprodPrev();
        double[] var = s.posteriorVariance();
        double[] c1 = s.posteriorMeanCoef1();
        double[] c2 = s.posteriorMeanCoef2();
        double[] a = s.alphas();
        for (int t : new int[] {1, 50, 199}) {
            // q(x_{t−1} | x_t, x_0) by Gaussian conditioning of the joint (x_{t−1}, x_t) given x_0:
            // x_{t−1} = √ᾱ_{t−1} x0 + √(1−ᾱ_{t−1}) e1, x_t = √α_t x_{t−1} + √β_t e2
            double varPrev = 1 - prev[t];
            double varT = 1 - ab[t];
            double cov = Math.sqrt(a[t]) * varPrev;
            double condVar = varPrev - cov * cov / varT;
            double kX = cov / varT; // coefficient of x_t
            double kX0 = Math.sqrt(prev[t]) - kX * Math.sqrt(ab[t]); // coefficient of x_0
            // products and differences of O(1) float64 numbers: 1e-12
            assertThat(var[t]).isCloseTo(condVar, within(1e-12));
            assertThat(c2[t]).isCloseTo(kX, within(1e-12));
            assertThat(c1[t]).isCloseTo(kX0, within(1e-12));
        }
        double[] logClipped = s.posteriorLogVarianceClipped();
        assertThat(logClipped[0]).isEqualTo(logClipped[1]);
        // learned range: v = −1 → clipped ln β̃, v = +1 → ln β
        assertThat(s.learnedLogVariance(10, -1)).isCloseTo(logClipped[10], within(1e-15));
        assertThat(s.learnedLogVariance(10, 1)).isCloseTo(Math.log(s.betas()[10]), within(1e-15));
        // x̂_0 inverts x_t = √ᾱ x0 + √(1−ᾱ) ε
        double x0 = 0.3;
        double eps = -1.1;
        double xt = Math.sqrt(ab[77]) * x0 + Math.sqrt(1 - ab[77]) * eps;
        assertThat(s.predictX0(77, xt, eps)).isCloseTo(x0, within(1e-12));
        assertThat(s.sigma(77)).isCloseTo(Math.sqrt((1 - ab[77]) / ab[77]), within(1e-15));
    }

    @Test
    void respacingKeepsWhatIddpmKeeps() {
        int[] all = Respacing.spaceTimesteps(100, "100");
        assertThat(all).containsExactly(IntStream.range(0, 100).toArray());
        BetaSchedule base = BetaSchedule.cosine(100);
        // keeping every step is the identity on the betas
        double[] again = Respacing.respacedBetas(base, all).betas();
        for (int i = 0; i < 100; i++) {
            // 1 − ᾱ_i/ᾱ_{i−1} re-derives β_i up to the rounding of the product and quotient: 1e-12 relative
            assertThat(again[i] / base.betas()[i] - 1).isCloseTo(0, within(1e-12));
        }
        assertThat(Respacing.spaceTimesteps(1000, "ddim50"))
                .hasSize(50)
                .startsWith(0, 20)
                .endsWith(980);
        int[] sections = Respacing.spaceTimesteps(300, "10,15,20");
        assertThat(sections).hasSize(45).startsWith(0).contains(99, 100, 199, 200, 299);
        // the respaced chain reaches the same final ᾱ
        int[] kept = Respacing.spaceTimesteps(1000, "ddim10");
        double[] abKept =
                Respacing.respacedBetas(BetaSchedule.linear(1000), kept).alphasCumprod();
        assertThat(abKept[kept.length - 1])
                .isCloseTo(BetaSchedule.linear(1000).alphasCumprod()[kept[kept.length - 1]], within(1e-15));
        double[] sig = Respacing.sigmas(BetaSchedule.linear(1000).betas(), kept);
        assertThat(sig[sig.length - 1]).isZero();
        for (int i = 0; i + 1 < sig.length; i++) {
            assertThat(sig[i]).isGreaterThan(sig[i + 1]);
        }
    }

    @Test
    void vpScheduleRoundTripsAndMatchesEdmsRange() {
        for (double t : new double[] {1e-5, 1e-3, 0.1, 0.5, 1.0}) {
            double s = VpSchedule.sigma(VpSchedule.BETA_D, VpSchedule.BETA_MIN, t);
            // σ⁻¹ is the cancellation-free form: relative 1e-12
            assertThat(VpSchedule.sigmaInv(VpSchedule.BETA_D, VpSchedule.BETA_MIN, s) / t - 1)
                    .isCloseTo(0, within(1e-12));
            // σ'(t) against a central difference (h = 1e-6 t; truncation ~h², rounding ~1e-16/h)
            double h = 1e-6 * t;
            double fd = (VpSchedule.sigma(19.9, 0.1, t + h) - VpSchedule.sigma(19.9, 0.1, t - h)) / (2 * h);
            assertThat(VpSchedule.sigmaDeriv(19.9, 0.1, t) / fd - 1).isCloseTo(0, within(1e-5));
        }
        // EDM's VPPrecond range [σ_vp(1e−5), σ_vp(1)] = [0.0010005, 152.167]
        assertThat(VpSchedule.sigma(19.9, 0.1, 1e-5)).isCloseTo(0.0010005, within(5e-8));
        assertThat(VpSchedule.sigma(19.9, 0.1, 1.0)).isCloseTo(152.167, within(5e-4));
        double[] b = VpSchedule.betasForRange(0.002, 80, 1e-3);
        assertThat(VpSchedule.sigma(b[0], b[1], 1.0)).isCloseTo(80, within(1e-10));
        assertThat(VpSchedule.sigma(b[0], b[1], 1e-3)).isCloseTo(0.002, within(1e-13));
    }

    @Test
    void ablationDefaultsSpanTheKindsRanges() {
        // a model with no σ limits (Denoiser's defaults): the kinds' own ranges
        double lo = 0.0;
        double hi = Double.POSITIVE_INFINITY;
        double[] vp = AblationDiscretization.of(AblationDiscretization.Kind.VP).sigmas(18, lo, hi);
        // VP: σ_vp(1) = 152.17 and σ_vp(1e−3) = 0.0100 with β_d = 19.9, β_min = 0.1 (re-derived β reproduce them)
        assertThat(vp[0]).isCloseTo(VpSchedule.sigma(19.9, 0.1, 1), within(1e-9));
        assertThat(vp[17]).isCloseTo(VpSchedule.sigma(19.9, 0.1, 1e-3), within(1e-12));
        double[] ve = AblationDiscretization.of(AblationDiscretization.Kind.VE).sigmas(18, lo, hi);
        assertThat(ve[0]).isCloseTo(100, within(1e-12));
        assertThat(ve[17]).isCloseTo(0.02, within(1e-15));
        double[] iddpm =
                AblationDiscretization.of(AblationDiscretization.Kind.IDDPM).sigmas(18, lo, hi);
        double[] u = IddpmSchedule.uTable(1000, 0.001, 0.008);
        // every iDDPM level is a u-table entry inside [0.002, 81]
        for (int i = 0; i < 18; i++) {
            double s = iddpm[i];
            assertThat(java.util.Arrays.stream(u).anyMatch(v -> v == s)).isTrue();
            assertThat(s).isBetween(0.002, 81.0);
            assertThat(iddpm[i]).isGreaterThan(iddpm[i + 1]);
        }
        // edm with its defaults is EDM's ρ schedule exactly
        assertThat(AblationDiscretization.of(AblationDiscretization.Kind.EDM).sigmas(18, lo, hi))
                .containsExactly(EdmSchedule.sigmas(18));
    }

    @Test
    void ablationRangeIsClampedToTheModel() {
        AblationDiscretization edm = AblationDiscretization.of(AblationDiscretization.Kind.EDM);
        // EDM's [0.002, 80] inside a model trained on [0.01, 50]: the model's range wins
        assertThat(edm.range(0.01, 50)).containsExactly(0.01, 50);
        // an explicit range inside the model's is kept
        assertThat(edm.withSigmaRange(0.05, 20).range(0.01, 50)).containsExactly(0.05, 20);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> edm.range(100, 200))
                .hasMessageContaining("empty sigma range");
    }

    @Test
    void samplerSchedulesEndInZero() {
        // NCSN: the geometric levels followed by σ_N = 0 (k-diffusion's schedule contract)
        double[] ncsn = NcsnSchedule.sigmas(50, 0.01, 10);
        assertThat(java.util.Arrays.copyOf(ncsn, 10)).containsExactly(NcsnSchedule.geometric(50, 0.01, 10));
        assertThat(ncsn).hasSize(11);
        assertThat(ncsn[10]).isZero();
        // DDPM: every step by default, the respaced subset on request (§12.5)
        BetaSchedule linear = BetaSchedule.linear(1000);
        assertThat(linear.sigmas(null))
                .containsExactly(Respacing.sigmas(
                        linear.betas(), IntStream.range(0, 1000).toArray()));
        double[] ddim = linear.sigmas("ddim50");
        assertThat(ddim).hasSize(51);
        assertThat(ddim[50]).isZero();
        assertThat(ddim).containsExactly(Respacing.sigmas(linear.betas(), Respacing.spaceTimesteps(1000, "ddim50")));
    }

    @Test
    void ablationDiscretizationsHitTheirEndpoints() {
        double[] vp = AblationDiscretization.vp(18, 0.002, 80, 1e-3);
        assertThat(vp[0]).isCloseTo(80, within(1e-9));
        assertThat(vp[17]).isCloseTo(0.002, within(1e-12));
        double[] ve = AblationDiscretization.ve(18, 0.02, 100);
        assertThat(ve[0]).isCloseTo(100, within(1e-12));
        assertThat(ve[17]).isCloseTo(0.02, within(1e-15));
        // ve: σ² is geometric
        assertThat(ve[1] * ve[1] / (ve[0] * ve[0])).isCloseTo(ve[2] * ve[2] / (ve[1] * ve[1]), within(1e-12));
        double[] u = IddpmSchedule.uTable();
        double[] id = AblationDiscretization.iddpm(18, 0.002, 81, u);
        for (int i = 0; i < 18; i++) {
            final double level = id[i];
            assertThat(java.util.Arrays.stream(u).anyMatch(v -> v == level)).isTrue(); // levels are u-table entries
        }
        assertThat(id[18]).isZero();
        assertThat(u[u.length - 1]).isZero();
        assertThat(u[0]).isGreaterThan(80); // iDDPM's σ_max ≈ 81.8
    }

    @Test
    void ncsnLevelsFollowSongAndErmon() {
        double[] g = NcsnSchedule.geometric(50, 0.01, 232);
        assertThat(g[0]).isCloseTo(50, within(1e-12));
        assertThat(g[231]).isCloseTo(0.01, within(1e-15));
        assertThat(g[1] / g[0]).isCloseTo(g[2] / g[1], within(1e-12));
        // technique 1: the largest pairwise distance
        assertThat(NcsnSchedule.maxPairwiseDistance(new double[][] {{0, 0}, {3, 4}, {1, 1}}))
                .isEqualTo(5.0);
        // technique 2: the criterion falls as γ grows and is 0.5 at the chosen ratio
        int dim = 3072;
        double gamma = NcsnSchedule.ratioFor(dim, 0.5);
        assertThat(NcsnSchedule.ratioCriterion(gamma, dim)).isCloseTo(0.5, within(1e-9));
        assertThat(NcsnSchedule.ratioCriterion(gamma * 1.01, dim)).isLessThan(0.5);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NcsnSchedule.ratioFor(2, 0.5))
                .hasMessageContaining("D >= 5");
        // for CIFAR-10 (D = 3072) the paper's 232 levels from 50 to 0.01 have γ ≈ 1.0375
        assertThat(gamma).isCloseTo(Math.pow(50 / 0.01, 1.0 / 231), within(0.01));
    }
}
