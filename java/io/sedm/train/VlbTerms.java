package io.sedm.train;

import io.sedm.schedule.BetaSchedule;

/**
 * The terms of the DDPM variational bound (Ho et al. 2020, eq. 5; Nichol &amp; Dhariwal 2021,
 * "Improved DDPM", eq. 4–6 and 15; docs/ALGORITHMS.md §12.2–12.3), per element, in bits, for one
 * discrete chain. Everything is float64 on the heap; x is in VP coordinates
 * ({@code x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε}) with the data in [−1, 1].
 *
 * <ul>
 *   <li>L_t, t ≥ 1: KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t)) between diagonal Gaussians;</li>
 *   <li>L_0: −log p_θ(x_0 | x_1), the discretised Gaussian decoder over 256 bins of width 2/255 with
 *       open-ended edge bins (improved-diffusion's {@code discretized_gaussian_log_likelihood});</li>
 *   <li>L_T: KL(q(x_T | x_0) ‖ N(0, I)), the prior term (no parameters).</li>
 * </ul>
 * Timestep indices are 0-based as in improved-diffusion: index 0 is the decoder term.
 * The posterior tables come from {@link BetaSchedule} (the one place they are defined).
 */
public final class VlbTerms {
    /** ln 2: nats → bits. */
    static final double LN2 = Math.log(2.0);
    /** Half a bin of the 8-bit data in [−1, 1]. */
    static final double HALF_BIN = 1.0 / 255.0;

    private final BetaSchedule schedule;
    private final double[] alphaBar;
    private final double[] coef1;
    private final double[] coef2;
    private final double[] logBeta;
    private final double[] logBetaTildeClipped;

    public VlbTerms(BetaSchedule schedule) {
        this.schedule = schedule;
        this.alphaBar = schedule.alphasCumprod();
        this.coef1 = schedule.posteriorMeanCoef1();
        this.coef2 = schedule.posteriorMeanCoef2();
        double[] b = schedule.betas();
        this.logBeta = new double[b.length];
        for (int i = 0; i < b.length; i++) logBeta[i] = Math.log(b[i]);
        this.logBetaTildeClipped = schedule.posteriorLogVarianceClipped();
    }

    public BetaSchedule schedule() {
        return schedule;
    }

    public int timesteps() {
        return alphaBar.length;
    }

    /** ᾱ_t. */
    public double alphaBar(int t) {
        return alphaBar[t];
    }

    /** The EDM level of step t, σ_t = √((1 − ᾱ_t)/ᾱ_t). */
    public double sigma(int t) {
        return Math.sqrt((1.0 - alphaBar[t]) / alphaBar[t]);
    }

    /** How the reverse-step log variance ln Σ_θ(x_t, t) is chosen. */
    public enum Variance {
        /** ln β̃_t (clipped at t = 0 to ln β̃_1): DDPM "fixedsmall". */
        FIXED_SMALL,
        /** ln β_t, with ln β̃_1 at t = 0 as improved-diffusion does: DDPM "fixedlarge". */
        FIXED_LARGE,
        /** iDDPM eq. 15 from the network's v. */
        LEARNED_RANGE
    }

    /** ln Σ of a fixed variance at step t. */
    public double fixedLogVariance(Variance variance, int t) {
        return switch (variance) {
            case FIXED_SMALL -> logBetaTildeClipped[t];
            case FIXED_LARGE -> t == 0 && logBeta.length > 1 ? logBetaTildeClipped[1] : logBeta[t];
            case LEARNED_RANGE -> throw new IllegalArgumentException("a learned variance needs the network's v");
        };
    }

    /**
     * iDDPM eq. 15: {@code ln Σ_θ = frac·ln β_t + (1 − frac)·ln β̃_t} with {@code frac = (v + 1)/2}
     * (β̃ clipped at t = 0; docs/ALGORITHMS.md §12.2).
     */
    public double learnedLogVariance(int t, double v) {
        double frac = 0.5 * (v + 1.0);
        return frac * logBeta[t] + (1.0 - frac) * logBetaTildeClipped[t];
    }

    /** ∂ ln Σ_θ / ∂v = ½(ln β_t − ln β̃_t) (eq. 15 is affine in v). */
    public double learnedLogVarianceSlope(int t) {
        return 0.5 * (logBeta[t] - logBetaTildeClipped[t]);
    }

    /** Posterior mean of q(x_{t−1} | x_t, x_0) (Ho et al. eq. 7): coef1_t·x_0 + coef2_t·x_t. */
    public double posteriorMean(int t, double x0, double xt) {
        return coef1[t] * x0 + coef2[t] * xt;
    }

    /** ln β̃_t (clipped at t = 0), the log variance of q(x_{t−1} | x_t, x_0). */
    public double posteriorLogVariance(int t) {
        return logBetaTildeClipped[t];
    }

    /** x̂_0 = √(1/ᾱ_t)·x_t − √(1/ᾱ_t − 1)·ε̂ (the ε-parameterisation inverted; not clipped, as in training). */
    public double predictX0(int t, double xt, double eps) {
        return Math.sqrt(1.0 / alphaBar[t]) * xt - Math.sqrt(1.0 / alphaBar[t] - 1.0) * eps;
    }

    /** The model mean μ_θ(x_t, t) = coef1_t·x̂_0(ε̂) + coef2_t·x_t. */
    public double modelMean(int t, double xt, double eps) {
        return posteriorMean(t, predictX0(t, xt, eps), xt);
    }

    /**
     * KL(N(μ_1, e^{ℓ_1}) ‖ N(μ_2, e^{ℓ_2})) in bits for one element (improved-diffusion's normal_kl):
     * {@code ½(−1 + ℓ_2 − ℓ_1 + e^{ℓ_1 − ℓ_2} + (μ_1 − μ_2)²·e^{−ℓ_2}) / ln 2}.
     */
    public static double normalKlBits(double mean1, double logVar1, double mean2, double logVar2) {
        double d = mean1 - mean2;
        return 0.5 * (-1.0 + logVar2 - logVar1 + Math.exp(logVar1 - logVar2) + d * d * Math.exp(-logVar2)) / LN2;
    }

    /**
     * ∂ KL(N(μ_1, e^{ℓ_1}) ‖ N(μ_2, e^{ℓ_2})) / ∂ℓ_2 in bits. Differentiating {@link #normalKlBits}:
     * ∂/∂ℓ_2 of ℓ_2 is 1, of e^{ℓ_1 − ℓ_2} is −e^{ℓ_1 − ℓ_2}, of d²e^{−ℓ_2} is −d²e^{−ℓ_2}; so
     * {@code ½(1 − e^{ℓ_1 − ℓ_2} − (μ_1 − μ_2)²·e^{−ℓ_2}) / ln 2}, zero at the optimum
     * e^{ℓ_2} = e^{ℓ_1} + (μ_1 − μ_2)².
     */
    public static double normalKlBitsDLogVar2(double mean1, double logVar1, double mean2, double logVar2) {
        double d = mean1 - mean2;
        return 0.5 * (1.0 - Math.exp(logVar1 - logVar2) - d * d * Math.exp(-logVar2)) / LN2;
    }

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    /** Φ(u) ≈ ½(1 + tanh(√(2/π)(u + 0.044715u³))) (improved-diffusion's approx_standard_normal_cdf). */
    public static double approxStandardNormalCdf(double u) {
        return 0.5 * (1.0 + Math.tanh(SQRT_2_OVER_PI * (u + 0.044715 * u * u * u)));
    }

    /** dΦ/du of the tanh approximation: ½·(1 − tanh²(g))·√(2/π)(1 + 3·0.044715u²), g = √(2/π)(u + 0.044715u³). */
    public static double approxStandardNormalPdf(double u) {
        double th = Math.tanh(SQRT_2_OVER_PI * (u + 0.044715 * u * u * u));
        return 0.5 * (1.0 - th * th) * SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * u * u);
    }

    /**
     * −log₂ of the discretised Gaussian decoder mass of the bin of {@code x} (improved-diffusion's
     * {@code discretized_gaussian_log_likelihood}, Ho et al. eq. 13): with s = e^{−ln σ},
     * p⁺ = s(x − μ + 1/255), p⁻ = s(x − μ − 1/255), the mass is Φ(p⁺) for x < −0.999 (bin open to −∞),
     * 1 − Φ(p⁻) for x > 0.999, and Φ(p⁺) − Φ(p⁻) otherwise, each clamped below at 1e−12.
     * If {@code dLogScale} is non-null, {@code dLogScale[0]} receives ∂(−log₂ mass)/∂ ln σ: since
     * ∂p^±/∂ln σ = −p^±, ∂ log Φ(p⁺)/∂ ln σ = −p⁺Φ'(p⁺)/Φ(p⁺), ∂ log(1 − Φ(p⁻))/∂ ln σ = p⁻Φ'(p⁻)/(1 − Φ(p⁻)),
     * ∂ log(Φ(p⁺) − Φ(p⁻))/∂ ln σ = (−p⁺Φ'(p⁺) + p⁻Φ'(p⁻))/(Φ(p⁺) − Φ(p⁻)); zero where the clamp holds.
     */
    public static double decoderNllBits(double x, double mean, double logScale, double[] dLogScale) {
        double s = Math.exp(-logScale);
        double plus = s * (x - mean + HALF_BIN);
        double minus = s * (x - mean - HALF_BIN);
        double mass;
        double dMass; // ∂ mass / ∂ ln σ
        if (x < -0.999) {
            mass = approxStandardNormalCdf(plus);
            dMass = -plus * approxStandardNormalPdf(plus);
        } else if (x > 0.999) {
            mass = 1.0 - approxStandardNormalCdf(minus);
            dMass = minus * approxStandardNormalPdf(minus);
        } else {
            mass = approxStandardNormalCdf(plus) - approxStandardNormalCdf(minus);
            dMass = -plus * approxStandardNormalPdf(plus) + minus * approxStandardNormalPdf(minus);
        }
        boolean clamped = !(mass > 1e-12);
        if (dLogScale != null) dLogScale[0] = clamped ? 0.0 : -dMass / mass / LN2;
        return -Math.log(clamped ? 1e-12 : mass) / LN2;
    }

    /**
     * L_t for one element, in bits: the KL term for t ≥ 1 (q's variance β̃_t, p's mean from ε̂ and
     * log variance {@code logVar}), the decoder NLL at x_0 for t = 0 (log scale ½·logVar). If
     * {@code dLogVar} is non-null, {@code dLogVar[0]} receives ∂L_t/∂ logVar (the mean is held fixed:
     * this is the stop-gradient of iDDPM §3.1).
     */
    public double termBits(int t, double x0, double xt, double eps, double logVar, double[] dLogVar) {
        double mean = modelMean(t, xt, eps);
        if (t == 0) {
            double nll = decoderNllBits(x0, mean, 0.5 * logVar, dLogVar);
            if (dLogVar != null) dLogVar[0] *= 0.5;
            return nll;
        }
        double trueMean = posteriorMean(t, x0, xt);
        double trueLogVar = logBetaTildeClipped[t];
        if (dLogVar != null) dLogVar[0] = normalKlBitsDLogVar2(trueMean, trueLogVar, mean, logVar);
        return normalKlBits(trueMean, trueLogVar, mean, logVar);
    }

    /** L_T per element in bits: KL(N(√ᾱ_{T−1}x_0, 1 − ᾱ_{T−1}) ‖ N(0, 1)) (improved-diffusion's _prior_bpd). */
    public double priorBits(double x0) {
        double ab = alphaBar[alphaBar.length - 1];
        return normalKlBits(Math.sqrt(ab) * x0, Math.log(1.0 - ab), 0.0, 0.0);
    }
}
