package io.sedm.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sedm.runtime.Device;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** The pieces every EDM-family step is built from: churn's γ, one row's step plan, the two ES forms, the run's buffers, scalar combine. */
class StepPiecesTest {

    @Test
    void churnGammaIsAlgorithmTwoLineFour() {
        // EDM ImageNet-64 settings (§4): S_churn = 40, N = 256 → γ = 40/256 = 0.15625 (exact in binary)
        Churn imagenet = new Churn(40, 0.05, 50, 1.003);
        assertThat(imagenet.gamma(10, 256)).isEqualTo(0.15625);
        // the cap √2 − 1 (σ̂ at most √2·σ): S_churn/N = 80/18 > 0.414…
        assertThat(new Churn(80, 0, Double.POSITIVE_INFINITY, 1).gamma(1, 18)).isEqualTo(Math.sqrt(2.0) - 1.0);
        // only on [S_min, S_max], ends included
        assertThat(imagenet.gamma(0.05, 256)).isEqualTo(0.15625);
        assertThat(imagenet.gamma(50, 256)).isEqualTo(0.15625);
        assertThat(imagenet.gamma(0.0499, 256)).isZero();
        assertThat(imagenet.gamma(50.01, 256)).isZero();
        // EDM's default is deterministic
        assertThat(Churn.none().stochastic()).isFalse();
        assertThat(Churn.none().gamma(80, 18)).isZero();
        // boosting (§7.5) keeps the σ range, replaces S_churn and S_noise
        assertThat(imagenet.with(4, 1)).isEqualTo(new Churn(4, 0.05, 50, 1));
    }

    @Test
    void rowStepIsSection91ForOneRow() {
        // SEDM-G++ with churn: S_churn = 5 on [0.05, 50], S_noise = 1.003, λ = 1.0004; N = 18, step i = 2
        EdmSampler.Options o = EdmSampler.Options.sedmGpp().withChurn(5, 0.05, 50, 1.003);
        double sigma = 20.0;
        double next = 15.0;
        EdmSampler.RowStep row = EdmSampler.RowStep.plan(o, sigma, next, 2, 18, Double.POSITIVE_INFINITY, s -> s);
        double gamma = 5.0 / 18; // below the cap √2 − 1
        double sigmaHat = sigma * (1 + gamma);
        // same expressions as the closed forms, so equal to the last bit
        assertThat(row.sigmaHat()).isEqualTo(sigmaHat);
        assertThat(row.noiseScale()).isEqualTo(Math.sqrt(sigmaHat * sigmaHat - sigma * sigma) * 1.003);
        assertThat(row.slopeScale()).isEqualTo(1.0 / (sigmaHat * 1.0004));
        assertThat(row.h()).isEqualTo(next - sigmaHat);
        assertThat(row.corrector()).isTrue();
        assertThat(row.correctorScale()).isEqualTo(1.0 / (next * 1.0004));
        // the last step is Euler only (never evaluate at σ = 0)
        EdmSampler.RowStep last = EdmSampler.RowStep.plan(o, 0.002, 0.0, 17, 18, Double.POSITIVE_INFINITY, s -> s);
        assertThat(last.corrector()).isFalse();
        assertThat(last.sigmaHat()).isEqualTo(0.002); // below S_min: no churn
        assertThat(last.noiseScale()).isZero();
        // boosting (§7.5): at i mod 5 = 0 a row judged fake (ℓ < 0) gets S_churn = 4, S_noise = 1
        EdmSampler.Options boost = o.withBoosting(true);
        EdmSampler.RowStep fake = EdmSampler.RowStep.plan(boost, sigma, next, 5, 18, -0.3, s -> s);
        double boosted = sigma * (1 + 4.0 / 18);
        assertThat(fake.sigmaHat()).isEqualTo(boosted);
        assertThat(fake.noiseScale()).isEqualTo(Math.sqrt(boosted * boosted - sigma * sigma) * 1.0);
        assertThat(fake.boostGuidance()).isFalse(); // 5 is odd: no doubled DG weight
        assertThat(EdmSampler.RowStep.plan(boost, sigma, next, 5, 18, 0.3, s -> s)
                        .sigmaHat())
                .isEqualTo(sigmaHat);
        assertThat(EdmSampler.RowStep.plan(boost, sigma, next, 4, 18, -0.3, s -> s)
                        .boostGuidance())
                .isTrue();
        // round_sigma is applied to σ̂ (e.g. a float32 round trip for a real network)
        assertThat(EdmSampler.RowStep.plan(o, sigma, next, 2, 18, 0, s -> (double) (float) s)
                        .sigmaHat())
                .isEqualTo((double) (float) sigmaHat);
    }

    @Test
    void churnRejectsOutOfRangeSettings() {
        assertThatThrownBy(() -> new Churn(-1, 0, 1, 1)).hasMessageContaining("sChurn");
        assertThatThrownBy(() -> new Churn(1, 2, 1, 1)).hasMessageContaining("sMin <= sMax");
        assertThatThrownBy(() -> new Churn(1, 0, 1, Double.NaN)).hasMessageContaining("sNoise");
    }

    @Test
    void epsilonScalingFormsAgree() {
        EpsilonScaling es = EpsilonScaling.linear(1.0004, 0.001);
        double sigma = 2.5;
        int i = 3;
        double lambda = es.lambda(i);
        assertThat(lambda).isEqualTo(1.0004 + 0.001 * 3);
        // slope form (§6.1): d = (x − D)/(σ λ_i)
        assertThat(es.slopeScale(sigma, i)).isEqualTo(1.0 / (sigma * lambda));
        // λ = 1 is the unscaled slope bit for bit
        assertThat(EpsilonScaling.none().slopeScale(sigma, 7)).isEqualTo(1.0 / sigma);
        // scaled-denoiser form: c·D̃ with D̃ = x/s − (x/s − D)/λ, decomposed into x and D coefficients
        double c = -0.7;
        double s = 0.8;
        double x = 1.3;
        double d = -0.4;
        double[] term = EpsilonScaling.denoisedTerm(c, s, lambda);
        double direct = c * (x / s - (x / s - d) / lambda);
        // a few roundings of O(1) numbers
        assertThat(term[0] * x + term[1] * d).isCloseTo(direct, within(1e-15));
        // λ = 1: D̃ = D
        assertThat(EpsilonScaling.denoisedTerm(c, s, 1.0)).containsExactly(0.0 * c, c);
        // the two forms describe the same slope: (x − D̃)/σ = ε̂/λ (s = 1)
        double[] dTilde = EpsilonScaling.denoisedTerm(1.0, 1.0, lambda);
        double slopeViaDenoiser = (x - (dTilde[0] * x + dTilde[1] * d)) / sigma;
        assertThat(slopeViaDenoiser).isCloseTo(es.slopeScale(sigma, i) * (x - d), within(1e-15));
    }

    @Test
    void buffersCloseEverythingButTheResult() {
        Tensor kept;
        Tensor scratch;
        Tensor start;
        try (Tensor seed = Tensor.of(new double[] {1, 2, 3, 4}, new long[] {2, 2}, Device.CPU);
                Buffers buffers = new Buffers()) {
            start = buffers.own(seed.copy());
            scratch = buffers.like(start);
            kept = buffers.take(start);
            assertThatThrownBy(() -> buffers.take(seed)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(scratch.isClosed()).isTrue();
        assertThat(kept.isClosed()).isFalse();
        assertThat(kept.toDoubleArray()).containsExactly(1, 2, 3, 4);
        kept.close();
    }

    @Test
    void scalarCombineIsThePerSampleCombineWithEqualRows() {
        try (Tensor x = Tensor.of(new double[] {1, -2, 3, 0.5}, new long[] {2, 2}, Device.CPU);
                Tensor y = Tensor.of(new double[] {0.25, 4, -1, 2}, new long[] {2, 2}, Device.CPU);
                Tensor a = x.emptyLike();
                Tensor b = x.emptyLike()) {
            Ops.combine(a, 0.3, x, -1.7, y);
            Ops.combine(b, new double[] {0.3, 0.3}, x, new double[] {-1.7, -1.7}, y);
            // the same coefficients reach the same native pass
            assertThat(a.toDoubleArray()).containsExactly(b.toDoubleArray());
            // and it is a·x + b·y to one rounding
            double[] got = a.toDoubleArray();
            double[] xs = x.toDoubleArray();
            double[] ys = y.toDoubleArray();
            for (int k = 0; k < got.length; k++) {
                assertThat(got[k]).isCloseTo(0.3 * xs[k] - 1.7 * ys[k], within(1e-15));
            }
        }
    }
}
