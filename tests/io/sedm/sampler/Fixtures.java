package io.sedm.sampler;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.eval.toy.SlicedWasserstein;
import io.sedm.runtime.Device;
import io.sedm.runtime.GaussianMixtureDensity;
import java.util.SplittableRandom;

/** Test fixtures: the EDM ρ schedule (§1) and the §14.1 mixture with pure-Java reference formulas. */
final class Fixtures {
    private Fixtures() {}

    /** EDM's σ_i = (σ_max^(1/ρ) + i/(N−1)(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ, then 0 (inline until io.sedm.schedule lands). */
    static double[] edmSigmas(int n, double sigmaMin, double sigmaMax, double rho) {
        return io.sedm.schedule.EdmSchedule.sigmas(n, sigmaMin, sigmaMax, rho);
    }

    static double[] edmSigmas(int n) {
        return edmSigmas(n, 0.002, 80, 7);
    }

    /** The pure-Java mixture (the reference the native path is checked against) on the native side. */
    static GaussianMixtureDensity toNative(GaussianMixture m, Device device) {
        return GaussianMixtureDensity.create(m.weights(), m.means(), m.variances(), device);
    }

    static GaussianMixtureDenoiser denoiser(GaussianMixture m, Device device) {
        return GaussianMixtureDenoiser.of(m, device);
    }

    /** The §14.1 data mixture ("A"). */
    static GaussianMixture mixtureA() {
        return GaussianMixture.fixture2d();
    }

    /** The §14.1 "wrong model" ("B"): same components, weights 0.2, 0.3, 0.5. */
    static GaussianMixture mixtureB() {
        return GaussianMixture.fixture2dWrongModel();
    }

    /** Gaussian data N(0, c² I) in {@code dim} dimensions as a one-component mixture. */
    static GaussianMixture gaussian(double c, int dim) {
        return GaussianMixture.gaussian(c, dim);
    }

    /** Sliced W1 between two flat [n, dim] point sets ({@link SlicedWasserstein}, fixed directions). */
    static double slicedWasserstein(double[] a, double[] b, int dim, int projections) {
        return SlicedWasserstein.estimate(rows(a, dim), rows(b, dim), 1, projections, new SplittableRandom(12345))
                .value();
    }

    private static double[][] rows(double[] flat, int dim) {
        double[][] out = new double[flat.length / dim][];
        for (int i = 0; i < out.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
        }
        return out;
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
