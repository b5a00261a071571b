package io.sedm.precond;

import io.sedm.schedule.IddpmSchedule;
import io.sedm.schedule.VpSchedule;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The coefficients that turn a raw network F into a denoiser
 * {@code D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ))} (Karras et al. 2022, eq. 7
 * and Table 1; docs/ALGORITHMS.md §2). Each variant also carries the noise range the network supports
 * and EDM's {@code round_sigma}; the per-sample {@link #fill} forms fill a batch of coefficients.
 */
public sealed interface Preconditioning {

    double cSkip(double sigma);

    double cOut(double sigma);

    double cIn(double sigma);

    double cNoise(double sigma);

    /** Smallest supported σ (EDM's {@code net.sigma_min}; 0 = unbounded). */
    default double sigmaMin() {
        return 0.0;
    }

    /** Largest supported σ (EDM's {@code net.sigma_max}). */
    default double sigmaMax() {
        return Double.POSITIVE_INFINITY;
    }

    /** EDM's {@code round_sigma}: identity except for discrete-time models. */
    default double roundSigma(double sigma) {
        return sigma;
    }

    /** The four coefficients for every sample of a batch (arrays of the same length as sigma). */
    default void fill(double[] sigma, double[] cSkip, double[] cOut, double[] cIn, double[] cNoise) {
        for (int b = 0; b < sigma.length; b++) {
            cSkip[b] = cSkip(sigma[b]);
            cOut[b] = cOut(sigma[b]);
            cIn[b] = cIn(sigma[b]);
            cNoise[b] = cNoise(sigma[b]);
        }
    }

    /** As {@link #fill(double[], double[], double[], double[], double[])} into JAVA_DOUBLE segments. */
    default void fill(
            double[] sigma, MemorySegment cSkip, MemorySegment cOut, MemorySegment cIn, MemorySegment cNoise) {
        for (int b = 0; b < sigma.length; b++) {
            cSkip.setAtIndex(ValueLayout.JAVA_DOUBLE, b, cSkip(sigma[b]));
            cOut.setAtIndex(ValueLayout.JAVA_DOUBLE, b, cOut(sigma[b]));
            cIn.setAtIndex(ValueLayout.JAVA_DOUBLE, b, cIn(sigma[b]));
            cNoise.setAtIndex(ValueLayout.JAVA_DOUBLE, b, cNoise(sigma[b]));
        }
    }

    /** EDMPrecond: c_skip = σ_d²/(σ²+σ_d²), c_out = σσ_d/√(σ²+σ_d²), c_in = 1/√(σ²+σ_d²), c_noise = ln(σ)/4. */
    record Edm(double sigmaData) implements Preconditioning {
        public double cSkip(double s) {
            return sigmaData * sigmaData / (s * s + sigmaData * sigmaData);
        }

        public double cOut(double s) {
            return s * sigmaData / Math.sqrt(s * s + sigmaData * sigmaData);
        }

        public double cIn(double s) {
            return 1.0 / Math.sqrt(s * s + sigmaData * sigmaData);
        }

        public double cNoise(double s) {
            return Math.log(s) / 4.0;
        }
    }

    /**
     * VPPrecond (Song et al. 2021 VP SDE in EDM form): c_skip = 1, c_out = −σ, c_in = 1/√(σ²+1),
     * c_noise = (M−1)·t_vp(σ), t_vp(σ) = (√(β_min² + 2β_d ln(1+σ²)) − β_min)/β_d.
     */
    record Vp(double betaD, double betaMin, int m) implements Preconditioning {
        public double cSkip(double s) {
            return 1.0;
        }

        public double cOut(double s) {
            return -s;
        }

        public double cIn(double s) {
            return 1.0 / Math.sqrt(s * s + 1);
        }

        public double cNoise(double s) {
            return (m - 1) * sigmaToT(s);
        }
        /** σ_vp(ε_t = 1e−5) ≈ 0.0010005. */
        @Override
        public double sigmaMin() {
            return sigma(1e-5);
        }
        /** σ_vp(1) ≈ 152.167. */
        @Override
        public double sigmaMax() {
            return sigma(1.0);
        }

        public double sigmaToT(double s) {
            return VpSchedule.sigmaInv(betaD, betaMin, s);
        }

        public double sigma(double t) {
            return VpSchedule.sigma(betaD, betaMin, t);
        }

        public static Vp defaults() {
            return new Vp(19.9, 0.1, 1000);
        }
    }

    /** VEPrecond (Song et al. 2021 VE SDE): c_skip = 1, c_out = σ, c_in = 1, c_noise = ln(σ/2). */
    record Ve() implements Preconditioning {
        public double cSkip(double s) {
            return 1.0;
        }

        public double cOut(double s) {
            return s;
        }

        public double cIn(double s) {
            return 1.0;
        }

        public double cNoise(double s) {
            return Math.log(0.5 * s);
        }

        @Override
        public double sigmaMin() {
            return 0.02;
        }

        @Override
        public double sigmaMax() {
            return 100.0;
        }
    }

    /**
     * iDDPMPrecond (Nichol &amp; Dhariwal 2021 models in EDM form; EDM Appendix C.3.4): c_skip = 1,
     * c_out = −σ, c_in = 1/√(σ²+1), c_noise = M − 1 − argmin_j |u_j − σ|; round_sigma snaps σ to
     * the nearest u-table entry; σ ∈ [u_{M−1}, u_0].
     */
    record Iddpm(double[] u) implements Preconditioning {
        public static Iddpm defaults() {
            return new Iddpm(IddpmSchedule.uTable());
        }

        public double cSkip(double s) {
            return 1.0;
        }

        public double cOut(double s) {
            return -s;
        }

        public double cIn(double s) {
            return 1.0 / Math.sqrt(s * s + 1);
        }

        public double cNoise(double s) {
            return (u.length - 1) - 1 - IddpmSchedule.nearestIndex(u, s);
        }

        @Override
        public double sigmaMin() {
            return u[u.length - 2];
        }

        @Override
        public double sigmaMax() {
            return u[0];
        }

        @Override
        public double roundSigma(double s) {
            return u[IddpmSchedule.nearestIndex(u, s)];
        }
    }

    /**
     * DDPM's ε-prediction (Ho et al. 2020) in EDM form: σ_t = √((1−ᾱ_t)/ᾱ_t) with the linear β
     * schedule; c_skip = 1, c_out = −σ, c_in = 1/√(σ²+1) (so c_in·x = √ᾱ y + √(1−ᾱ) ε) and
     * c_noise = the step index t − 1 nearest to σ.
     */
    record Ddpm(double[] sigmas) implements Preconditioning {
        public double cSkip(double s) {
            return 1.0;
        }

        public double cOut(double s) {
            return -s;
        }

        public double cIn(double s) {
            return 1.0 / Math.sqrt(s * s + 1);
        }

        public double cNoise(double s) {
            return IddpmSchedule.nearestIndex(sigmas, s);
        }

        /** Linear β from 1e-4 to 0.02 over T = 1000 steps; sigmas[t−1] for t = 1..T. */
        public static Ddpm linear(int steps, double betaStart, double betaEnd) {
            double[] s = new double[steps];
            double alphaBar = 1;
            for (int t = 0; t < steps; t++) {
                double beta = betaStart + (betaEnd - betaStart) * t / (steps - 1.0);
                alphaBar *= 1 - beta;
                s[t] = Math.sqrt((1 - alphaBar) / alphaBar);
            }
            return new Ddpm(s);
        }
    }
}
