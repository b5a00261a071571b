package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sedm.schedule.BetaSchedule;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The variational bound of the exact model of Gaussian data x_0 ~ N(0, c²I) against its
 * closed-form expectation (an independent evaluation that shares no code with {@link VlbTerms}).
 * The optimal ε-predictor is ε̂* = √(1−ᾱ_t)·x_t/(ᾱ_t c² + 1 − ᾱ_t), i.e. x̂_0 = E[x_0 | x_t], so with the
 * true posterior variance β̃_t the KL term of step t is ½·coef1_t²·(x_0 − E[x_0|x_t])²/β̃_t nats, of
 * expectation ½·coef1_t²·V_t/β̃_t with V_t = Var[x_0 | x_t] = c²(1−ᾱ_t)/(ᾱ_t c² + 1 − ᾱ_t); the prior
 * term's expectation is ½(−1 − ln(1−ᾱ_T) + (1 − ᾱ_T) + ᾱ_T c²) nats.
 */
class VlbBitsPerDimTest {
    static final double C = 0.5;
    static final double LN2 = Math.log(2);

    static VlbBitsPerDim.Model exact(VlbTerms terms, boolean learned) {
        return (xt, shape, t) -> {
            double ab = terms.alphaBar(t);
            double[] eps = new double[xt.length];
            for (int i = 0; i < xt.length; i++) eps[i] = Math.sqrt(1 - ab) * xt[i] / (ab * C * C + 1 - ab);
            double[] v = null;
            if (learned) {
                v = new double[xt.length];
                java.util.Arrays.fill(v, -1.0); // frac = 0: ln Σ = ln β̃_t
            }
            return new VlbBitsPerDim.Output(eps, v);
        };
    }

    @Test
    void boundOfTheExactGaussianModelMatchesItsClosedFormExpectation() {
        int steps = 100;
        BetaSchedule sched = BetaSchedule.linear(steps);
        VlbTerms terms = new VlbTerms(sched);
        long[] shape = {4, 1, 128, 128};
        int n = 4 * 128 * 128; // 2^16 elements
        double[] x0 = new double[n];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < n; i++) x0[i] = C * VlbBitsPerDim.Gaussian.next(r);
        VlbBitsPerDim.Result res =
                VlbBitsPerDim.evaluate(terms, VlbTerms.Variance.FIXED_SMALL, exact(terms, false), x0, shape, 11, 1);

        // independent closed form, from β alone
        double[] beta = sched.betas();
        double ab = 1, klExpected = 0, sdBound = 0;
        for (int t = 0; t < steps; t++) {
            double abPrev = ab;
            ab *= 1 - beta[t];
            if (t == 0) continue;
            double coef1 = beta[t] * Math.sqrt(abPrev) / (1 - ab);
            double betaTilde = beta[t] * (1 - abPrev) / (1 - ab);
            double vt = C * C * (1 - ab) / (ab * C * C + 1 - ab);
            double m = 0.5 * coef1 * coef1 * vt / betaTilde / LN2;
            klExpected += m;
            sdBound += Math.sqrt(2) * m; // each term is m·χ²₁: sd √2·m; sd of a sum ≤ sum of sds
        }
        double priorExpected = 0.5 * (-1 - Math.log(1 - ab) + (1 - ab) + ab * C * C) / LN2;
        double klMean = 0, priorMean = 0;
        for (int b = 0; b < 4; b++) {
            klMean += res.kl()[b] / 4;
            priorMean += res.prior()[b] / 4;
        }
        // a mean over 2^16 elements: s.e. ≤ sdBound/256; 4 s.e.
        assertThat(klMean).isCloseTo(klExpected, within(4 * sdBound / 256));
        assertThat(klExpected).isGreaterThan(0.05); // the check is not vacuous
        double priorSd = 0.5 * ab * C * C * Math.sqrt(2) / LN2;
        assertThat(priorMean).isCloseTo(priorExpected, within(4 * priorSd / 256 + 1e-12));
        for (int b = 0; b < 4; b++) {
            assertThat(res.total()[b]).isCloseTo(res.prior()[b] + res.decoder()[b] + res.kl()[b], within(1e-12));
        }

        // the learned range at v = −1 is β̃_t: the same bound, bit for bit, on the same noise
        VlbBitsPerDim.Result learned =
                VlbBitsPerDim.evaluate(terms, VlbTerms.Variance.LEARNED_RANGE, exact(terms, true), x0, shape, 11, 1);
        assertThat(learned.total()).containsExactly(res.total());

        // strided evaluation (one random t per block of 9) is unbiased: its mean over 40 seeds on
        // 1024 elements matches the closed form within 4 s.e. of those 40 estimates
        double[] small = java.util.Arrays.copyOf(x0, 1024);
        long[] smallShape = {1, 1, 32, 32};
        int seeds = 40;
        double sum = 0, sumSq = 0;
        for (int seed = 0; seed < seeds; seed++) {
            double kl = VlbBitsPerDim.evaluate(
                            terms, VlbTerms.Variance.FIXED_SMALL, exact(terms, false), small, smallShape, 100 + seed, 9)
                    .kl()[0];
            sum += kl;
            sumSq += kl * kl;
        }
        double mean = sum / seeds, se = Math.sqrt((sumSq / seeds - mean * mean) / (seeds - 1));
        assertThat(mean).isCloseTo(klExpected, within(4 * se + 4 * sdBound / 32));
    }

    @Test
    void aLearnedBoundNeedsVAndStrideMustBePositive() {
        VlbTerms terms = new VlbTerms(BetaSchedule.linear(100));
        double[] x0 = new double[4];
        long[] shape = {1, 1, 2, 2};
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VlbBitsPerDim.evaluate(
                        terms, VlbTerms.Variance.LEARNED_RANGE, exact(terms, false), x0, shape, 0, 1))
                .hasMessageContaining("[ε̂, v]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VlbBitsPerDim.evaluate(
                        terms, VlbTerms.Variance.FIXED_SMALL, exact(terms, false), x0, shape, 0, 0))
                .hasMessageContaining("stride");
    }
}
