package io.sedm.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * "Use S of the T steps" (Nichol &amp; Dhariwal 2021, §4; improved-diffusion {@code respace.py};
 * docs/ALGORITHMS.md §12.5): the kept timesteps, the betas re-derived from the kept ᾱ, and the EDM σ
 * levels of the respaced chain. The model still receives the ORIGINAL timestep index.
 */
public final class Respacing {
    private Respacing() {}

    /**
     * The kept timesteps, ascending. {@code sections} is "ddimK" (an integer stride giving exactly
     * K steps) or comma-separated per-section counts ("10,15,20": split [0, T) into 3 equal
     * sections and take that many evenly spaced steps in each).
     */
    public static int[] spaceTimesteps(int timesteps, String sections) {
        if (timesteps < 1) {
            throw new IllegalArgumentException("timesteps must be >= 1, got " + timesteps);
        }
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
            throw new IllegalArgumentException("cannot create exactly " + desired
                    + " steps with an integer stride from " + timesteps + " timesteps");
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
                throw new IllegalArgumentException(
                        "cannot take " + count + " steps from a section of " + size + " timesteps");
            }
            double stride = count <= 1 ? 1.0 : (size - 1.0) / (count - 1.0);
            double cur = 0.0;
            for (int k = 0; k < count; k++) {
                kept.add(start + (int) Math.rint(cur)); // Python's round: half to even
                cur += stride;
            }
            start += size;
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    /** β'_j = 1 − ᾱ_{S_j}/ᾱ_{S_{j−1}} (ᾱ before the first kept step = 1). */
    public static BetaSchedule respacedBetas(BetaSchedule base, int[] kept) {
        double[] ab = base.alphasCumprod();
        double[] b = new double[kept.length];
        double last = 1.0;
        for (int j = 0; j < kept.length; j++) {
            b[j] = 1.0 - ab[kept[j]] / last;
            last = ab[kept[j]];
        }
        return new BetaSchedule(b);
    }

    /**
     * The EDM noise levels of a (respaced) chain, largest first, with the trailing 0:
     * {@code σ_j = √(1/ᾱ_{S_j} − 1)} for the kept timesteps S_j taken in descending order.
     */
    public static double[] sigmas(double[] betas, int[] kept) {
        double[] alphaBar = BetaSchedule.alphasCumprod(betas);
        double[] sigmas = new double[kept.length + 1];
        for (int j = 0; j < kept.length; j++) {
            double a = alphaBar[kept[kept.length - 1 - j]];
            sigmas[j] = Math.sqrt((1.0 - a) / a);
        }
        return sigmas;
    }
}
