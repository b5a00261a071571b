package io.sedm.precond;

/**
 * The preconditioning coefficients exactly as NVlabs/edm computes them (docs/ALGORITHMS.md §2,
 * "Order": σ cast to float32, the four coefficients in float32 with training/networks.py's
 * operations in its order). In double precision they differ from EDM's by float32 rounding, which
 * the network amplifies: VPPrecond's c_noise = 999·t_vp(σ) reaches ~930 at σ = 80, where one
 * float32 ulp is 6e−5, and D = x − σ·F carries it times σ (4e−4 max abs measured on a random
 * DDPM++). Imported official networks are evaluated with these to match the official code.
 *
 * <p>Java's {@code float} arithmetic is IEEE single precision with round-to-nearest, as libtorch's
 * float32 CPU kernels; {@code sqrt} is correctly rounded in both. {@code log} is computed in double
 * and rounded (libtorch's vectorised logf is within 1 ulp of that).
 */
public final class Float32Coefficients {
    private Float32Coefficients() {}

    /** {c_skip, c_out, c_in, c_noise} of {@code p} at σ, each a float32 value. */
    public static double[] of(Preconditioning p, double sigma) {
        float s = (float) sigma;
        return switch (p) {
            case Preconditioning.Vp vp -> {
                // VPPrecond.forward: c_skip = 1, c_out = -sigma, c_in = 1 / (sigma ** 2 + 1).sqrt(),
                // c_noise = (M - 1) * sigma_inv(sigma).
                float cIn = 1f / sqrt(s * s + 1f);
                yield new double[] {1, -s, cIn, (float) (vp.m() - 1) * vpSigmaInv(vp, s)};
            }
            case Preconditioning.Ve ve -> new double[] {1, s, 1, log(0.5f * s)};
            case Preconditioning.Iddpm i -> {
                float cIn = 1f / sqrt(s * s + 1f);
                int index = io.sedm.schedule.IddpmSchedule.nearestIndex(i.u(), s);
                yield new double[] {1, -s, cIn, (float) (i.u().length - 1 - 1 - index)};
            }
            case Preconditioning.Edm e -> {
                // EDMPrecond.forward: c_skip = sd**2 / (s**2 + sd**2); c_out = s * sd / (s**2 + sd**2).sqrt();
                // c_in = 1 / (sd**2 + s**2).sqrt(); c_noise = s.log() / 4.
                float sd = (float) e.sigmaData();
                float sd2 = (float) (e.sigmaData() * e.sigmaData());
                float s2 = s * s;
                yield new double[] {sd2 / (s2 + sd2), s * sd / sqrt(s2 + sd2), 1f / sqrt(sd2 + s2), log(s) / 4f};
            }
            default -> new double[] {p.cSkip(sigma), p.cOut(sigma), p.cIn(sigma), p.cNoise(sigma)};
        };
    }

    /** VPPrecond.sigma_inv: ((β_min² + 2β_d·log(1 + σ²)).sqrt() − β_min) / β_d in float32. */
    static float vpSigmaInv(Preconditioning.Vp vp, float s) {
        float betaMin = (float) vp.betaMin();
        float twoBetaD = (float) (2 * vp.betaD());
        float betaMin2 = (float) (vp.betaMin() * vp.betaMin());
        float inner = betaMin2 + twoBetaD * log(1f + s * s);
        return (sqrt(inner) - betaMin) / (float) vp.betaD();
    }

    private static float sqrt(float v) {
        return (float) Math.sqrt(v);
    }

    private static float log(float v) {
        return (float) Math.log(v);
    }
}
