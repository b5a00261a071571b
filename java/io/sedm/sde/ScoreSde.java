package io.sedm.sde;

/**
 * The three SDEs of Song et al., "Score-Based Generative Modeling through Stochastic Differential
 * Equations", ICLR 2021 (eqs. 9, 11, 17; yang-song/score_sde_pytorch {@code sde_lib.py};
 * docs/ALGORITHMS.md §11.1), with T = 1.
 *
 * <p><b>Mapping to EDM coordinates.</b> The marginal is {@code y_t = s(t)·x_0 + std(t)·n}; the
 * EDM variable is {@code x = y/s(t)} at noise level {@code σ(t) = std(t)/s(t)}, so the score of
 * the SDE marginal follows from any {@link io.sedm.sampler.Denoiser}:
 * <pre>
 *   ∇_y log p_t(y) = (s(t)·D(y/s(t); σ(t)) − y)/std(t)² = (D(y/s; σ) − y/s)/(s σ²)
 * </pre>
 * VE: s = 1, σ(t) = std(t) = σ_min(σ_max/σ_min)^t. VP: s = e^{m(t)}, std = √(1 − e^{2m}),
 * σ = √(e^{−2m} − 1). sub-VP: s = e^{m(t)}, std = 1 − e^{2m}, σ = e^{−m} − e^{m}; with
 * m(t) = −¼t²(β_1 − β_0) − ½tβ_0.
 *
 * @param type     VE, VP or sub-VP
 * @param sigmaMin VE σ_min (0.01)
 * @param sigmaMax VE σ_max (50)
 * @param beta0    VP/sub-VP β_0 (0.1)
 * @param beta1    VP/sub-VP β_1 (20)
 */
public record ScoreSde(Type type, double sigmaMin, double sigmaMax, double beta0, double beta1) {

    public enum Type {
        VE,
        VP,
        SUB_VP
    }

    public ScoreSde {
        if (type == null) {
            throw new IllegalArgumentException("type must not be null");
        }
        if (!(sigmaMin > 0 && sigmaMax > sigmaMin) || !(beta0 > 0 && beta1 > beta0)) {
            throw new IllegalArgumentException("need 0 < sigmaMin < sigmaMax and 0 < beta0 < beta1, got sigmaMin = "
                    + sigmaMin + ", sigmaMax = " + sigmaMax + ", beta0 = " + beta0 + ", beta1 = " + beta1);
        }
    }

    /** VE SDE, σ ∈ [0.01, 50] (score_sde CIFAR-10 NCSN++). */
    public static ScoreSde ve() {
        return new ScoreSde(Type.VE, 0.01, 50.0, 0.1, 20.0);
    }

    /** VP SDE, β ∈ [0.1, 20]. */
    public static ScoreSde vp() {
        return new ScoreSde(Type.VP, 0.01, 50.0, 0.1, 20.0);
    }

    /** sub-VP SDE, β ∈ [0.1, 20]. */
    public static ScoreSde subVp() {
        return new ScoreSde(Type.SUB_VP, 0.01, 50.0, 0.1, 20.0);
    }

    /** The sampling end time ε of score_sde: 1e−5 for VE, 1e−3 for VP and sub-VP. */
    public double defaultEps() {
        return type == Type.VE ? 1e-5 : 1e-3;
    }

    private double logMean(double t) {
        return -0.25 * t * t * (beta1 - beta0) - 0.5 * t * beta0;
    }

    /** β(t) = β_0 + t(β_1 − β_0). */
    public double beta(double t) {
        return beta0 + t * (beta1 - beta0);
    }

    /** The signal scale s(t) (marginal mean coefficient). */
    public double scale(double t) {
        return type == Type.VE ? 1.0 : Math.exp(logMean(t));
    }

    /** The marginal standard deviation std(t). */
    public double std(double t) {
        return switch (type) {
            case VE -> sigmaMin * Math.pow(sigmaMax / sigmaMin, t);
            case VP -> Math.sqrt(-Math.expm1(2.0 * logMean(t)));
            case SUB_VP -> -Math.expm1(2.0 * logMean(t));
        };
    }

    /** The EDM noise level σ(t) = std(t)/s(t). */
    public double sigma(double t) {
        return std(t) / scale(t);
    }

    /** The inverse of {@link #sigma}: the SDE time at EDM level σ. */
    public double time(double sigma) {
        if (type == Type.VE) {
            return Math.log(sigma / sigmaMin) / Math.log(sigmaMax / sigmaMin);
        }
        // B(t) = ½t²(β_1 − β_0) + tβ_0 = −2m(t); VP: B = ln(1 + σ²); sub-VP: σ = 2 sinh(B/2)
        double b = type == Type.VP ? Math.log1p(sigma * sigma) : 2.0 * asinh(0.5 * sigma);
        return 2.0 * b / (beta0 + Math.sqrt(beta0 * beta0 + 2.0 * (beta1 - beta0) * b));
    }

    private static double asinh(double v) {
        return Math.log(v + Math.sqrt(v * v + 1.0));
    }

    /** The linear drift coefficient: f(y, t) = driftCoef(t)·y (0 for VE, −½β(t) otherwise). */
    public double driftCoef(double t) {
        return type == Type.VE ? 0.0 : -0.5 * beta(t);
    }

    /** g(t)². */
    public double diffusionSquared(double t) {
        return switch (type) {
            case VE -> {
                double s = sigma(t);
                yield s * s * 2.0 * Math.log(sigmaMax / sigmaMin);
            }
            case VP -> beta(t);
            case SUB_VP -> beta(t) * -Math.expm1(-2.0 * beta0 * t - (beta1 - beta0) * t * t);
        };
    }

    /** Reverse-time SDE drift (Song et al. 2021, eq. 6): f(x, t) − g(t)²·∇ log p_t(x), per element. */
    public double reverseDrift(double x, double score, double t) {
        return driftCoef(t) * x - diffusionSquared(t) * score;
    }

    /** Probability-flow ODE drift (Song et al. 2021, eq. 13): f(x, t) − ½ g(t)²·∇ log p_t(x). */
    public double probabilityFlowDrift(double x, double score, double t) {
        return driftCoef(t) * x - 0.5 * diffusionSquared(t) * score;
    }

    /** Standard deviation of the prior p_T: σ_max for VE, 1 for VP and sub-VP. */
    public double priorStd() {
        return type == Type.VE ? sigmaMax : 1.0;
    }

    /** ln p_T(z) of the prior N(0, priorStd² I) (§11.1). */
    public double priorLogDensity(double[] z) {
        double s2 = priorStd() * priorStd();
        double sq = 0;
        for (double v : z) {
            sq += v * v;
        }
        return -0.5 * z.length * Math.log(2 * Math.PI * s2) - sq / (2 * s2);
    }

    /** The discrete chain index of score_sde: i = trunc(t(N − 1)). */
    private static int index(double t, int n) {
        return (int) (t * (n - 1));
    }

    /** The discrete VP β_i = linspace(β_0/N, β_1/N, N)[i]. */
    public double discreteBeta(double t, int n) {
        int i = index(t, n);
        return beta0 / n + (n == 1 ? 0.0 : i / (n - 1.0) * (beta1 / n - beta0 / n));
    }

    /**
     * The reverse-diffusion discretization (f_i = fCoef·y, G_i) of score_sde's {@code discretize}:
     * VE {@code f_i = 0, G_i = √(σ_i² − σ_{i−1}²)} with σ_{−1} = 0; VP {@code f_i = (√(1 − β_i) − 1)y,
     * G_i = √β_i}; sub-VP the default {@code f·Δt, g·√Δt} with Δt = 1/N.
     *
     * @return {fCoef, G}
     */
    public double[] discretize(double t, int n) {
        return switch (type) {
            case VE -> {
                int i = index(t, n);
                double si = discreteVeSigma(i, n);
                double prev = i == 0 ? 0.0 : discreteVeSigma(i - 1, n);
                yield new double[] {0.0, Math.sqrt(si * si - prev * prev)};
            }
            case VP -> {
                double b = discreteBeta(t, n);
                yield new double[] {Math.sqrt(1.0 - b) - 1.0, Math.sqrt(b)};
            }
            case SUB_VP -> new double[] {driftCoef(t) / n, Math.sqrt(diffusionSquared(t) / n)};
        };
    }

    private double discreteVeSigma(int i, int n) {
        double lo = Math.log(sigmaMin);
        double hi = Math.log(sigmaMax);
        return Math.exp(n == 1 ? lo : lo + i / (n - 1.0) * (hi - lo));
    }

    /** The Langevin corrector's α_i: 1 − β_i (discrete VP β) for VP and sub-VP, 1 for VE. */
    public double langevinAlpha(double t, int n) {
        return type == Type.VE ? 1.0 : 1.0 - discreteBeta(t, n);
    }

    /**
     * The EDM levels of score_sde's time grid t_k = linspace(1, ε, N), followed by 0 (the
     * terminator of the {@link Sampler} contract; no step ever evaluates there).
     */
    public double[] sigmas(int n, double eps) {
        if (n < 2 || !(eps > 0 && eps < 1)) {
            throw new IllegalArgumentException("need n >= 2 and 0 < eps < 1, got n = " + n + ", eps = " + eps);
        }
        double[] out = new double[n + 1];
        for (int k = 0; k < n; k++) {
            out[k] = sigma(1.0 + k / (n - 1.0) * (eps - 1.0));
        }
        return out;
    }
}
