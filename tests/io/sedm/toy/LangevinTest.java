package io.sedm.toy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.eval.toy.SlicedWasserstein;
import io.sedm.runtime.Device;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.schedule.NcsnSchedule;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Langevin dynamics on the exact score of a Gaussian mixture (GaussianMixtureDenoiser, whose
 * D = x + σ²∇log p_σ is closed-form) reach the mixture: the sliced W1 from 1000 samples to 1000
 * fresh mixture draws stays below a bound about twice the data-vs-data floor of that sample size
 * (measured floors 0.036 and 0.062; the samplers measured 0.037 and 0.061, i.e. at the floor).
 */
class LangevinTest {
    private static double[][] rows(double[] x) {
        double[][] r = new double[x.length / 2][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new double[] {x[2 * i], x[2 * i + 1]};
        }
        return r;
    }

    private static double[] uniform(int n, double lo, double hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[2 * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = lo + (hi - lo) * r.nextDouble();
        }
        return x;
    }

    private static double w1(double[] samples, GaussianMixture m, long seed) {
        double[][] data = rows(m.sample(samples.length / 2, seed));
        return SlicedWasserstein.estimate(rows(samples), data, 1, 200, new SplittableRandom(seed))
                .value();
    }

    /** Annealed Langevin (NCSN, 10 levels 4 → 0.05, T = 100) on the ring of 8 Gaussians from U[−3, 3]². */
    @Test
    void annealedLangevinReachesTheRing() {
        GaussianMixture ring = ToySet.ringMixture();
        double[] ladder = NcsnSchedule.geometric(4.0, 0.05, 10);
        try (GaussianMixtureDenoiser exact = GaussianMixtureDenoiser.of(ring, Device.CPU)) {
            ToySamplers.Run run = ToySamplers.run(
                    "annealed-langevin", exact, uniform(1000, -3, 3, 1), ladder, 0.1 * 0.05 * 0.05, 100, 18, 1);
            double floor = w1(ring.sample(1000, 5), ring, 6);
            double w = w1(run.x(), ring, 2);
            System.out.printf("annealed Langevin W1 %.4f (data floor %.4f)%n", w, floor);
            assertThat(w).isLessThan(0.07);
            assertThat(run.paths()).hasSize(11); // one record a level, then the end
        }
    }

    /**
     * Plain Langevin at σ = 0.2 on the overlapping 3-component fixture of §14.1 (its modes are
     * close enough to mix), 2000 steps of ε = 0.01 from U[−2, 2]²; the target is p_σ, the
     * fixture noised at σ = 0.2 (variances c_k² + 0.04).
     */
    @Test
    void plainLangevinReachesANoisedMixture() {
        GaussianMixture m = GaussianMixture.fixture2d();
        double[] v = m.variances().clone();
        for (int k = 0; k < v.length; k++) {
            v[k] += 0.04;
        }
        GaussianMixture target = new GaussianMixture(m.weights(), m.means(), v);
        try (GaussianMixtureDenoiser exact = GaussianMixtureDenoiser.of(m, Device.CPU)) {
            ToySamplers.Run run =
                    ToySamplers.run("langevin", exact, uniform(1000, -2, 2, 3), new double[] {0.2}, 0.01, 2000, 18, 3);
            double floor = w1(target.sample(1000, 7), target, 8);
            double w = w1(run.x(), target, 4);
            System.out.printf("plain Langevin W1 %.4f (data floor %.4f)%n", w, floor);
            assertThat(w).isLessThan(0.12);
        }
    }
}
