package io.sedm.sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Scalar schedule formulas the new samplers need (all float64, pure Java). Temporary home: this
 * moves to {@code io.sedm.schedule} / {@code io.sedm.sde} when those packages land, and the
 * samplers then call them instead.
 */
final class SamplerMath {
    private SamplerMath() {}

    // ---- EDM's VP helpers (Karras et al. 2022, Table 1; ALGORITHMS.md §2 and §5) ----

    /** σ_vp(t) = √(exp(½β_d t² + β_min t) − 1). */
    static double vpSigma(double betaD, double betaMin, double t) {
        return Math.sqrt(Math.expm1(0.5 * betaD * t * t + betaMin * t));
    }

    /** σ_vp'(t) = ½(β_min + β_d t)(σ + 1/σ). */
    static double vpSigmaDeriv(double betaD, double betaMin, double t) {
        double sigma = vpSigma(betaD, betaMin, t);
        return 0.5 * (betaMin + betaD * t) * (sigma + 1.0 / sigma);
    }

    /** t_vp(σ) = (√(β_min² + 2β_d ln(σ² + 1)) − β_min)/β_d. */
    static double vpSigmaInv(double betaD, double betaMin, double sigma) {
        return (Math.sqrt(betaMin * betaMin + 2.0 * betaD * Math.log(sigma * sigma + 1.0)) - betaMin) / betaD;
    }

    /**
     * The iDDPM u-table of EDM's iDDPMPrecond (§2): {@code u_M = 0},
     * {@code u_{j−1} = √((u_j² + 1)/max(ᾱ(j−1)/ᾱ(j), C1) − 1)}, {@code ᾱ(j) = sin²(πj/(2M(C2 + 1)))}.
     * Index 0 is the largest level.
     */
    static double[] iddpmU(int m, double c1, double c2) {
        double[] u = new double[m + 1];
        for (int j = m; j > 0; j--) {
            double ratio = iddpmAlphaBar(j - 1, m, c2) / iddpmAlphaBar(j, m, c2);
            u[j - 1] = Math.sqrt((u[j] * u[j] + 1.0) / Math.max(ratio, c1) - 1.0);
        }
        return u;
    }

    private static double iddpmAlphaBar(int j, int m, double c2) {
        double s = Math.sin(0.5 * Math.PI * j / m / (c2 + 1.0));
        return s * s;
    }

    // ---- DDPM / iDDPM discrete schedules (Ho et al. 2020; Nichol & Dhariwal 2021, §12.1, §12.5) ----

    /** β_i = linspace(1e−4·1000/T, 0.02·1000/T, T) (Ho et al. 2020, scaled as improved-diffusion does). */
    static double[] linearBetas(int timesteps) {
        double scale = 1000.0 / timesteps;
        double start = scale * 1e-4;
        double end = scale * 0.02;
        double[] betas = new double[timesteps];
        for (int i = 0; i < timesteps; i++) {
            betas[i] = timesteps == 1 ? start : start + (end - start) * i / (timesteps - 1);
        }
        return betas;
    }

    /** Cosine schedule (Nichol &amp; Dhariwal 2021, eq. 17): β_i = min(1 − ā((i+1)/T)/ā(i/T), 0.999). */
    static double[] cosineBetas(int timesteps) {
        double[] betas = new double[timesteps];
        for (int i = 0; i < timesteps; i++) {
            betas[i] = Math.min(1.0 - cosineAlphaBar((i + 1.0) / timesteps) / cosineAlphaBar((double) i / timesteps), 0.999);
        }
        return betas;
    }

    /** ā(u) = cos²((u + 0.008)/1.008 · π/2) (f(0) cancels in every ratio). */
    static double cosineAlphaBar(double u) {
        double c = Math.cos((u + 0.008) / 1.008 * Math.PI / 2.0);
        return c * c;
    }

    /** ᾱ_i = Π_{j ≤ i} (1 − β_j). */
    static double[] alphasCumprod(double[] betas) {
        double[] out = new double[betas.length];
        double p = 1.0;
        for (int i = 0; i < betas.length; i++) {
            p *= 1.0 - betas[i];
            out[i] = p;
        }
        return out;
    }

    /**
     * improved-diffusion {@code space_timesteps}: the kept timesteps, ascending. {@code sections}
     * is "ddimK" (integer stride giving exactly K steps) or comma-separated per-section counts.
     */
    static int[] spaceTimesteps(int timesteps, String sections) {
        TreeSet<Integer> kept = new TreeSet<>();
        if (sections.startsWith("ddim")) {
            int desired = Integer.parseInt(sections.substring(4));
            for (int stride = 1; stride < timesteps; stride++) {
                if ((timesteps + stride - 1) / stride == desired) {
                    for (int t = 0; t < timesteps; t += stride) {
                        kept.add(t);
                    }
                    return kept.stream().mapToInt(Integer::intValue).toArray();
                }
            }
            throw new IllegalArgumentException("cannot create exactly " + desired + " steps with an integer stride from "
                    + timesteps + " timesteps");
        }
        List<Integer> counts = new ArrayList<>();
        for (String part : sections.split(",")) {
            counts.add(Integer.parseInt(part.trim()));
        }
        int sizePer = timesteps / counts.size();
        int extra = timesteps % counts.size();
        int start = 0;
        for (int i = 0; i < counts.size(); i++) {
            int size = sizePer + (i < extra ? 1 : 0);
            int count = counts.get(i);
            if (size < count || count < 1) {
                throw new IllegalArgumentException("cannot take " + count + " steps from a section of " + size + " timesteps");
            }
            double stride = count <= 1 ? 1.0 : (size - 1.0) / (count - 1.0);
            double cur = 0.0;
            for (int k = 0; k < count; k++) {
                kept.add(start + (int) Math.rint(cur)); // Python round: half to even
                cur += stride;
            }
            start += size;
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The EDM noise levels of a (respaced) DDPM chain, largest first, with the trailing 0:
     * {@code σ_j = √(1/ᾱ_{S_j} − 1)} for the kept timesteps S_j (descending). Rebuilding the
     * betas from the kept ᾱ (§12.5) is implicit: the ancestral sampler derives
     * {@code β'_j = 1 − ᾱ_{S_j}/ᾱ_{S_{j−1}}} from neighbouring levels.
     */
    static double[] ddpmSigmas(double[] betas, int[] kept) {
        double[] alphaBar = alphasCumprod(betas);
        double[] sigmas = new double[kept.length + 1];
        for (int j = 0; j < kept.length; j++) {
            double a = alphaBar[kept[kept.length - 1 - j]];
            sigmas[j] = Math.sqrt((1.0 - a) / a);
        }
        return sigmas;
    }

    // ---- Score-SDE family (Song et al. 2021, "Score-Based Generative Modeling through SDEs", §11.1) ----

    /** m(t) = −¼t²(β_1 − β_0) − ½tβ_0, the log mean coefficient of the VP and sub-VP SDEs. */
    static double vpLogMean(double beta0, double beta1, double t) {
        return -0.25 * t * t * (beta1 - beta0) - 0.5 * t * beta0;
    }
}
