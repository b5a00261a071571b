package io.sedm.train;

/**
 * The coefficients that turn a raw network F into a denoiser
 * {@code D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ))} (Karras et al. 2022, eq. 7
 * and Table 1; ALGORITHMS.md §2).
 *
 * <p>Note for the merge: issue 3's {@code io.sedm.precond} owns the full family; this small copy
 * (EDM, VP, VE, DDPM-discrete) keeps the training loops independent until it lands.
 */
public sealed interface Preconditioning {

    double cSkip(double sigma);

    double cOut(double sigma);

    double cIn(double sigma);

    double cNoise(double sigma);

    /** EDMPrecond: c_skip = σ_d²/(σ²+σ_d²), c_out = σσ_d/√(σ²+σ_d²), c_in = 1/√(σ²+σ_d²), c_noise = ln(σ)/4. */
    record Edm(double sigmaData) implements Preconditioning {
        public double cSkip(double s) { return sigmaData * sigmaData / (s * s + sigmaData * sigmaData); }
        public double cOut(double s) { return s * sigmaData / Math.sqrt(s * s + sigmaData * sigmaData); }
        public double cIn(double s) { return 1.0 / Math.sqrt(s * s + sigmaData * sigmaData); }
        public double cNoise(double s) { return Math.log(s) / 4.0; }
    }

    /**
     * VPPrecond (Song et al. 2021 VP SDE in EDM form): c_skip = 1, c_out = −σ, c_in = 1/√(σ²+1),
     * c_noise = (M−1)·t_vp(σ), t_vp(σ) = (√(β_min² + 2β_d ln(1+σ²)) − β_min)/β_d.
     */
    record Vp(double betaD, double betaMin, int m) implements Preconditioning {
        public double cSkip(double s) { return 1.0; }
        public double cOut(double s) { return -s; }
        public double cIn(double s) { return 1.0 / Math.sqrt(s * s + 1); }
        public double cNoise(double s) { return (m - 1) * sigmaToT(s); }

        public double sigmaToT(double s) {
            return (Math.sqrt(betaMin * betaMin + 2 * betaD * Math.log1p(s * s)) - betaMin) / betaD;
        }

        public double sigma(double t) {
            return Math.sqrt(Math.expm1(0.5 * betaD * t * t + betaMin * t));
        }

        public static Vp defaults() {
            return new Vp(19.9, 0.1, 1000);
        }
    }

    /** VEPrecond (Song et al. 2021 VE SDE): c_skip = 1, c_out = σ, c_in = 1, c_noise = ln(σ/2). */
    record Ve() implements Preconditioning {
        public double cSkip(double s) { return 1.0; }
        public double cOut(double s) { return s; }
        public double cIn(double s) { return 1.0; }
        public double cNoise(double s) { return Math.log(0.5 * s); }
    }

    /**
     * DDPM's ε-prediction (Ho et al. 2020) in EDM form: σ_t = √((1−ᾱ_t)/ᾱ_t) with the linear β
     * schedule; c_skip = 1, c_out = −σ, c_in = 1/√(σ²+1) (so c_in·x = √ᾱ y + √(1−ᾱ) ε) and
     * c_noise = the step index t − 1 nearest to σ.
     */
    record Ddpm(double[] sigmas) implements Preconditioning {
        public double cSkip(double s) { return 1.0; }
        public double cOut(double s) { return -s; }
        public double cIn(double s) { return 1.0 / Math.sqrt(s * s + 1); }
        public double cNoise(double s) {
            int best = 0;
            for (int j = 1; j < sigmas.length; j++) {
                if (Math.abs(sigmas[j] - s) < Math.abs(sigmas[best] - s)) best = j;
            }
            return best;
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
