package io.sedm.train;

/**
 * EDM's EMA schedule (Karras et al. 2022, App. F.3; NVlabs/edm training_loop.py): per step
 * {@code β = 0.5^(batch / max(h, 1e-8))} with half-life {@code h = min(halfLife, rampupRatio ×
 * imagesSeen)} (no ramp-up when the ratio is 0), images seen counted before the step.
 */
public record Ema(double halfLifeImages, double rampupRatio) {

    public Ema {
        if (!(halfLifeImages >= 0) || !(rampupRatio >= 0)) {
            throw new IllegalArgumentException("halfLifeImages and rampupRatio must be >= 0");
        }
    }

    public double beta(long batch, long imagesSeen) {
        double h = halfLifeImages;
        if (rampupRatio > 0) {
            h = Math.min(h, imagesSeen * rampupRatio);
        }
        return Math.pow(0.5, batch / Math.max(h, 1e-8));
    }

    /** EDM's learning-rate warm-up: {@code lr·min(imagesSeen / rampup, 1)}. */
    public static double warmup(double lr, long imagesSeen, double rampupImages) {
        return lr * Math.min(imagesSeen / Math.max(rampupImages, 1e-8), 1.0);
    }
}
