package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sedm.schedule.BetaSchedule;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The terms of iDDPM's L_hybrid (Nichol &amp; Dhariwal 2021 eq. 15–16) and their closed-form
 * gradients, on the heap (no network): each gradient against a central finite difference. The FD
 * step h = 1e−5 on smooth O(1) functions has truncation error O(h²) ≈ 1e−10 and rounding error
 * ≈ 1e−16/h ≈ 1e−11, so a 1e−6 relative tolerance leaves ample room while still catching any
 * missing factor (½, ln 2, the slope of eq. 15).
 */
class HybridLossTest {
    static final VlbTerms TERMS = new VlbTerms(BetaSchedule.linear(1000));
    static final double H = 1e-5;

    static void assertClose(double analytic, double fd) {
        assertThat(analytic).isCloseTo(fd, within(1e-6 * Math.max(1.0, Math.abs(fd))));
    }

    @Test
    void klIsZeroWhenTheModelIsTheTruePosterior() {
        // ε̂ = the ε that made x_t ⇒ x̂_0 = x_0 ⇒ μ_θ = μ̃; ln Σ = ln β̃_t ⇒ KL = 0 (up to rounding)
        for (int t : new int[] {1, 10, 500, 999}) {
            double x0 = 0.3, eps = -1.2;
            double xt = Math.sqrt(TERMS.alphaBar(t)) * x0 + Math.sqrt(1 - TERMS.alphaBar(t)) * eps;
            double kl = TERMS.termBits(t, x0, xt, eps, TERMS.posteriorLogVariance(t), null);
            assertThat(kl).isCloseTo(0.0, within(1e-9));
            // v = −1 is frac = 0, the β̃ end of the learned range
            assertThat(TERMS.learnedLogVariance(t, -1.0)).isCloseTo(TERMS.posteriorLogVariance(t), within(1e-12));
        }
    }

    @Test
    void klMatchesTheGaussianClosedFormAndItsLogVarianceDerivative() {
        // KL(N(0,1) ‖ N(1, e)) = ½(−1 + 1 + e^{−1} + e^{−1}) nats
        assertThat(VlbTerms.normalKlBits(0, 0, 1, 1)).isCloseTo(Math.exp(-1) / Math.log(2), within(1e-15));
        SplittableRandom r = new SplittableRandom(3);
        for (int k = 0; k < 50; k++) {
            int t = 1 + r.nextInt(999);
            double x0 = 2 * r.nextDouble() - 1, xt = r.nextGaussian(), eps = r.nextGaussian();
            double lv = TERMS.learnedLogVariance(t, 2 * r.nextDouble() - 1);
            double[] d = new double[1];
            TERMS.termBits(t, x0, xt, eps, lv, d);
            double fd = (TERMS.termBits(t, x0, xt, eps, lv + H, null) - TERMS.termBits(t, x0, xt, eps, lv - H, null))
                    / (2 * H);
            assertClose(d[0], fd);
        }
    }

    @Test
    void decoderOfANarrowGaussianAtItsBinCentreCostsNothing() {
        double logScale = Math.log(1e-4); // the bin half-width 1/255 is 39 σ
        for (int k : new int[] {0, 1, 100, 127, 254, 255}) {
            double x = k / 127.5 - 1;
            assertThat(VlbTerms.decoderNllBits(x, x, logScale, null)).isCloseTo(0.0, within(1e-9));
        }
        // a mean one bin away puts almost no mass on x
        assertThat(VlbTerms.decoderNllBits(0.0, 2 / 255.0, logScale, null)).isGreaterThan(20);
    }

    @Test
    void decoderLogScaleDerivativeMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(4);
        for (int k = 0; k < 60; k++) {
            int bin = k % 3 == 0 ? 0 : k % 3 == 1 ? 255 : r.nextInt(256); // both open edge bins and the interior
            double x = bin / 127.5 - 1, mean = x + 0.05 * r.nextGaussian(), ls = Math.log(0.003 + 0.1 * r.nextDouble());
            double[] d = new double[1];
            VlbTerms.decoderNllBits(x, mean, ls, d);
            double fd =
                    (VlbTerms.decoderNllBits(x, mean, ls + H, null) - VlbTerms.decoderNllBits(x, mean, ls - H, null))
                            / (2 * H);
            assertClose(d[0], fd);
        }
    }

    @Test
    void hybridGradientIsLSimpleForEpsilonAndTheVlbForV() {
        HybridLoss loss = new HybridLoss(BetaSchedule.linear(1000), false);
        int batch = 3, dims = 5;
        SplittableRandom r = new SplittableRandom(5);
        double[] y = new double[batch * dims], n = new double[y.length], xt = new double[y.length];
        double[] out = new double[2 * y.length];
        int[] t = {0, 7, 640};
        double[] w = {1.0, 0.5, 2.0};
        for (int b = 0; b < batch; b++) {
            for (int k = 0; k < dims; k++) {
                int i = b * dims + k;
                y[i] = r.nextInt(256) / 127.5 - 1;
                n[i] = r.nextGaussian();
                xt[i] = Math.sqrt(loss.terms().alphaBar(t[b])) * y[i]
                        + Math.sqrt(1 - loss.terms().alphaBar(t[b])) * n[i];
                out[2 * b * dims + k] = n[i] + 0.3 * r.nextGaussian();
                out[2 * b * dims + dims + k] = 2 * r.nextDouble() - 1;
            }
        }
        HybridLoss.Draw draw = new HybridLoss.Draw(t, w);
        double[] grad = new double[out.length];
        double gradScale = 0.7;
        HybridLoss.Losses l = loss.compute(draw, y, n, xt, out, grad, batch, dims, gradScale);
        for (int b = 0; b < batch; b++) {
            // total = w·(L_simple + λ·T·D·L_t)
            assertThat(l.total()[b])
                    .isCloseTo(w[b] * (l.simple()[b] + 0.001 * 1000 * dims * l.vlbTerm()[b]), within(1e-9));
        }
        for (int j = 0; j < out.length; j++) {
            boolean isV = (j / dims) % 2 == 1;
            double[] plus = out.clone(), minus = out.clone();
            plus[j] += H;
            minus[j] -= H;
            double[] gp = new double[out.length], gm = new double[out.length];
            HybridLoss.Losses lp = loss.compute(draw, y, n, xt, plus, gp, batch, dims, gradScale);
            HybridLoss.Losses lm = loss.compute(draw, y, n, xt, minus, gm, batch, dims, gradScale);
            double fd = 0;
            for (int b = 0; b < batch; b++) {
                // v: the whole loss; ε̂: only the weighted L_simple (the mean is stop-gradiented in L_vlb)
                double dp = isV ? lp.total()[b] : w[b] * lp.simple()[b];
                double dm = isV ? lm.total()[b] : w[b] * lm.simple()[b];
                fd += gradScale * (dp - dm) / (2 * H) / batch;
            }
            assertClose(grad[j], fd);
        }
    }

    @Test
    void importanceSamplingIsUniformUntilEveryStepHasTenValuesThenFollowsTheRmsLoss() {
        int steps = 5;
        TimestepImportanceSampler s = new TimestepImportanceSampler(steps, true);
        for (int round = 0; round < TimestepImportanceSampler.HISTORY; round++) {
            assertThat(s.warm()).isFalse();
            assertThat(s.probabilities()).containsOnly(0.2);
            // t = 4 gets its tenth value last; older values of t = 0 are pushed out below
            s.update(new int[] {0, 1, 2, 3, 4}, new double[] {99, 2, 3, 4, 5});
        }
        s.update(new int[] {0}, new double[] {1}); // 11th value at t = 0: history 9×99 + 1
        assertThat(s.warm()).isTrue();
        double[] rms = {Math.sqrt((9 * 99.0 * 99 + 1) / 10), 2, 3, 4, 5};
        double sum = 0;
        for (double v : rms) sum += v;
        double[] p = s.probabilities();
        for (int t = 0; t < steps; t++) {
            assertThat(p[t]).isCloseTo(0.999 * rms[t] / sum + 0.001 / steps, within(1e-15));
        }
        int draws = 200_000;
        int[] t = new int[draws];
        double[] w = s.draw(new SplittableRandom(6), t);
        int[] hits = new int[steps];
        for (int b = 0; b < draws; b++) {
            hits[t[b]]++;
            assertThat(w[b] * steps * p[t[b]]).isCloseTo(1.0, within(1e-12));
        }
        for (int k = 0; k < steps; k++) {
            double se = Math.sqrt(draws * p[k] * (1 - p[k]));
            assertThat((double) hits[k]).isCloseTo(draws * p[k], within(5 * se)); // binomial, 5 s.e.
        }
        TimestepImportanceSampler uniform = new TimestepImportanceSampler(steps, false);
        uniform.update(new int[] {0}, new double[] {1});
        assertThat(uniform.warm()).isFalse();
    }
}
