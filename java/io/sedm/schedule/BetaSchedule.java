package io.sedm.schedule;

/**
 * Discrete DDPM β schedules and everything derived from them (Ho et al. 2020; Nichol &amp;
 * Dhariwal 2021, "Improved DDPM", §3.2 eq. 17; docs/ALGORITHMS.md §12.1). All float64.
 *
 * @param betas β_i, i = 0 … T−1
 */
public record BetaSchedule(double[] betas) {
    /** iDDPM's cosine offset s. */
    public static final double COSINE_S = 0.008;
    /** iDDPM clips β at this value to avoid singularities near t = T. */
    public static final double MAX_BETA = 0.999;

    public BetaSchedule {
        if (betas == null || betas.length == 0) {
            throw new IllegalArgumentException("betas must hold at least one value");
        }
        for (double b : betas) {
            if (!(b > 0 && b < 1)) {
                throw new IllegalArgumentException("every beta must lie in (0, 1), got " + b);
            }
        }
        betas = betas.clone();
    }

    /**
     * The EDM levels of this chain, respaced (§12.5) by {@code respacing} ("ddimK", comma-separated
     * section counts such as "10,15,20", or null/empty for every step), largest first, followed by 0:
     * {@code σ_j = √(1/ᾱ_{S_j} − 1)} ({@link Respacing}).
     */
    public double[] sigmas(String respacing) {
        int timesteps = betas.length;
        int[] kept = respacing == null || respacing.isEmpty()
                ? java.util.stream.IntStream.range(0, timesteps).toArray()
                : Respacing.spaceTimesteps(timesteps, respacing);
        return Respacing.sigmas(betas, kept);
    }

    /** β_i = linspace(1e−4·1000/T, 0.02·1000/T, T) (Ho et al. 2020, scaled as improved-diffusion does). */
    public static BetaSchedule linear(int timesteps) {
        double scale = 1000.0 / timesteps;
        double start = scale * 1e-4;
        double end = scale * 0.02;
        double[] b = new double[timesteps];
        for (int i = 0; i < timesteps; i++) {
            b[i] = timesteps == 1 ? start : start + (end - start) * i / (timesteps - 1);
        }
        return new BetaSchedule(b);
    }

    /** Cosine (iDDPM eq. 17 with the square): β_i = min(1 − ā((i+1)/T)/ā(i/T), 0.999). */
    public static BetaSchedule cosine(int timesteps) {
        double[] b = new double[timesteps];
        for (int i = 0; i < timesteps; i++) {
            b[i] = Math.min(
                    1.0 - cosineAlphaBar((i + 1.0) / timesteps) / cosineAlphaBar((double) i / timesteps), MAX_BETA);
        }
        return new BetaSchedule(b);
    }

    /** ā(u) = cos²((u + s)/(1 + s) · π/2), u = t/T (f(0) cancels in every ratio). */
    public static double cosineAlphaBar(double u) {
        double c = Math.cos((u + COSINE_S) / (1.0 + COSINE_S) * Math.PI / 2.0);
        return c * c;
    }

    public int timesteps() {
        return betas.length;
    }

    @Override
    public double[] betas() {
        return betas.clone();
    }

    /** α_i = 1 − β_i. */
    public double[] alphas() {
        double[] a = new double[betas.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1.0 - betas[i];
        }
        return a;
    }

    /** ᾱ_i = Π_{j ≤ i} α_j. */
    public double[] alphasCumprod() {
        return alphasCumprod(betas);
    }

    public static double[] alphasCumprod(double[] betas) {
        double[] out = new double[betas.length];
        double p = 1.0;
        for (int i = 0; i < betas.length; i++) {
            p *= 1.0 - betas[i];
            out[i] = p;
        }
        return out;
    }

    /** ᾱ_prev = [1, ᾱ_0, …, ᾱ_{T−2}]. */
    public double[] alphasCumprodPrev() {
        double[] ab = alphasCumprod();
        double[] prev = new double[ab.length];
        prev[0] = 1.0;
        System.arraycopy(ab, 0, prev, 1, ab.length - 1);
        return prev;
    }

    /** Posterior variance β̃_i = β_i(1 − ᾱ_prev,i)/(1 − ᾱ_i) of q(x_{t−1} | x_t, x_0) (Ho et al. eq. 7). */
    public double[] posteriorVariance() {
        double[] ab = alphasCumprod();
        double[] prev = alphasCumprodPrev();
        double[] v = new double[ab.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = betas[i] * (1.0 - prev[i]) / (1.0 - ab[i]);
        }
        return v;
    }

    /** ln β̃ with entry 0 (where β̃_0 = 0) replaced by entry 1, as improved-diffusion clips it. */
    public double[] posteriorLogVarianceClipped() {
        double[] v = posteriorVariance();
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.log(i == 0 && v.length > 1 ? v[1] : v[i]);
        }
        return out;
    }

    /** Posterior mean coefficient of x̂_0: coef1_i = β_i √ᾱ_prev / (1 − ᾱ_i). */
    public double[] posteriorMeanCoef1() {
        double[] ab = alphasCumprod();
        double[] prev = alphasCumprodPrev();
        double[] c = new double[ab.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = betas[i] * Math.sqrt(prev[i]) / (1.0 - ab[i]);
        }
        return c;
    }

    /** Posterior mean coefficient of x_t: coef2_i = (1 − ᾱ_prev)√α_i / (1 − ᾱ_i). */
    public double[] posteriorMeanCoef2() {
        double[] ab = alphasCumprod();
        double[] prev = alphasCumprodPrev();
        double[] c = new double[ab.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = (1.0 - prev[i]) * Math.sqrt(1.0 - betas[i]) / (1.0 - ab[i]);
        }
        return c;
    }

    /**
     * iDDPM's learned-range variance (§12.2): {@code ln Σ = frac·ln β_t + (1 − frac)·ln β̃_t}
     * (clipped), {@code frac = (v + 1)/2}.
     */
    public double learnedLogVariance(int t, double v) {
        double frac = 0.5 * (v + 1.0);
        return frac * Math.log(betas[t]) + (1.0 - frac) * posteriorLogVarianceClipped()[t];
    }

    /** x̂_0 = √(1/ᾱ_t)·x_t − √(1/ᾱ_t − 1)·ε (the ε-parameterisation inverted). */
    public double predictX0(int t, double xT, double eps) {
        double ab = alphasCumprod()[t];
        return Math.sqrt(1.0 / ab) * xT - Math.sqrt(1.0 / ab - 1.0) * eps;
    }

    /** The EDM noise level of step t: σ_t = √((1 − ᾱ_t)/ᾱ_t). */
    public double sigma(int t) {
        double ab = alphasCumprod()[t];
        return Math.sqrt((1.0 - ab) / ab);
    }
}
