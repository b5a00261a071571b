package io.sedm.guidance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.ClassifierFreeGuidance;
import io.sedm.sampler.ClassifierGuidance;
import io.sedm.sampler.DdimSampler;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.GaussianMixtureClasses;
import io.sedm.sampler.Sampler;
import io.sedm.schedule.EdmSchedule;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Classifier-free and classifier guidance against the closed forms of a Gaussian mixture whose
 * components are the classes ({@link GaussianMixtureClasses}): at scale 1 both give the exact
 * class-conditional denoiser, and at larger scales guided sampling concentrates on the chosen class.
 */
class GuidanceTest {
    /** Three classes in 2-D, unequal weights and widths. */
    static final GaussianMixture THREE = new GaussianMixture(
            new double[] {0.5, 0.3, 0.2},
            new double[][] {{-1.0, 0.5}, {1.5, -0.5}, {0.0, 2.0}},
            new double[] {0.25, 0.49, 0.09});

    /** Four overlapping classes at (±1, ±1), c = 0.75: the exact conditional puts ~83 % in its own Bayes region. */
    static final GaussianMixture FOUR = new GaussianMixture(
            new double[] {0.25, 0.25, 0.25, 0.25},
            new double[][] {{1, 1}, {-1, 1}, {-1, -1}, {1, -1}},
            new double[] {0.5625, 0.5625, 0.5625, 0.5625});

    static Tensor oneHot(int[] classes, int k) {
        double[] v = new double[classes.length * k];
        for (int b = 0; b < classes.length; b++) v[b * k + classes[b]] = 1;
        try (Tensor t = Tensor.of(v, new long[] {classes.length, k}, Device.CPU)) {
            return t.to(Device.CPU, DType.FLOAT32);
        }
    }

    /** B random points around the mixture, σ per row log-uniform in [0.01, 50], classes cycling. */
    record Batch(double[] x, double[] sigma, int[] classes) {
        static Batch of(int b, int k, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            double[] x = new double[2 * b], sigma = new double[b];
            int[] c = new int[b];
            for (int i = 0; i < b; i++) {
                sigma[i] = Math.exp(Math.log(0.01) + rng.nextDouble() * Math.log(5000));
                x[2 * i] = rng.nextGaussian() * (1 + sigma[i]);
                x[2 * i + 1] = rng.nextGaussian() * (1 + sigma[i]);
                c[i] = i % k;
            }
            return new Batch(x, sigma, c);
        }

        Tensor tensor() {
            return Tensor.of(x, new long[] {sigma.length, 2}, Device.CPU);
        }
    }

    @Test
    void cfgAtScaleOneIsTheConditionalDenoiserExactly() {
        Batch batch = Batch.of(64, 3, 1);
        try (GaussianMixtureClasses classes = new GaussianMixtureClasses(THREE, Device.CPU);
                Tensor x = batch.tensor();
                Tensor labels = oneHot(batch.classes(), 3);
                Tensor conditional = x.emptyLike();
                Tensor none = Tensor.zeros(new long[] {64, 3}, DType.FLOAT32, Device.CPU);
                Tensor unconditional = x.emptyLike()) {
            classes.denoise(x, batch.sigma(), labels, conditional);
            classes.denoise(x, batch.sigma(), none, unconditional);
            double[] c = conditional.toDoubleArray(), u = unconditional.toDoubleArray();
            // the conditional model is component y alone: (c_y² x + σ² μ_y)/(c_y² + σ²) (§14.1), to float64 round-off
            for (int b = 0; b < 64; b++) {
                int y = batch.classes()[b];
                double v = THREE.variances()[y], s2 = batch.sigma()[b] * batch.sigma()[b];
                for (int j = 0; j < 2; j++) {
                    double expected = (v * batch.x()[2 * b + j] + s2 * THREE.means()[y][j]) / (v + s2);
                    assertThat(c[2 * b + j]).isCloseTo(expected, within(1e-12 * (1 + Math.abs(expected))));
                }
            }
            // ∅ is the whole mixture (the pure-Java reference)
            double[] ref = THREE.denoiseBatch(batch.x(), batch.sigma());
            for (int k = 0; k < ref.length; k++) {
                assertThat(u[k]).isCloseTo(ref[k], within(1e-12 * (1 + Math.abs(ref[k]))));
            }
            for (double w : new double[] {0.0, 1.0, 3.0}) {
                Denoiser cfg = new ClassifierFreeGuidance(classes, () -> labels, w);
                double[] got;
                try (Tensor d = cfg.denoise(x, batch.sigma())) {
                    got = d.toDoubleArray();
                }
                for (int k = 0; k < got.length; k++) {
                    if (w == 1.0) {
                        assertThat(got[k]).isEqualTo(c[k]); // (1 − w)·D_∅ + w·D_y with w = 1: D_y bit for bit
                    } else if (w == 0.0) {
                        assertThat(got[k]).isEqualTo(u[k]);
                    } else {
                        double expected = u[k] + w * (c[k] - u[k]);
                        assertThat(got[k]).isCloseTo(expected, within(1e-12 * (1 + Math.abs(expected))));
                    }
                }
            }
        }
    }

    @Test
    void classifierGuidanceWithTheExactPosteriorAtScaleOneIsTheConditionalDenoiser() {
        Batch batch = Batch.of(64, 3, 2);
        try (GaussianMixtureClasses classes = new GaussianMixtureClasses(THREE, Device.CPU);
                Tensor x = batch.tensor();
                Tensor labels = oneHot(batch.classes(), 3);
                Tensor conditional = x.emptyLike();
                Tensor grad = x.emptyLike()) {
            classes.denoise(x, batch.sigma(), labels, conditional);
            // log p(y | x, σ) against the pure-Java responsibilities, and its gradient against central differences
            double[] logP = classes.logProbability(x, batch.sigma(), batch.classes(), grad);
            double[] g = grad.toDoubleArray();
            for (int b = 0; b < 64; b++) {
                int y = batch.classes()[b];
                double s = batch.sigma()[b];
                double[] r = THREE.responsibilities(batch.x(), 2 * b, s);
                assertThat(logP[b]).isCloseTo(Math.log(r[y]), within(1e-9 * (1 + Math.abs(Math.log(r[y])))));
                for (int j = 0; j < 2; j++) {
                    double h = 1e-5 * (1 + s);
                    double[] plus = batch.x().clone(), minus = batch.x().clone();
                    plus[2 * b + j] += h;
                    minus[2 * b + j] -= h;
                    double fd = (Math.log(THREE.responsibilities(plus, 2 * b, s)[y])
                                    - Math.log(THREE.responsibilities(minus, 2 * b, s)[y]))
                            / (2 * h);
                    // central differences: O(h²) truncation + O(1e-16/h) rounding, both far below 1e-5 relative
                    assertThat(g[2 * b + j]).isCloseTo(fd, within(1e-5 * (1 + Math.abs(fd))));
                }
            }
            // Bayes: D + σ²∇log p(y | x, σ) = D(x; σ, y), to round-off (σ² × the gradient's rounding)
            Denoiser guided = new ClassifierGuidance(classes.unconditional(), classes, () -> labels, 1.0);
            double[] c = conditional.toDoubleArray();
            try (Tensor d = guided.denoise(x, batch.sigma())) {
                double[] got = d.toDoubleArray();
                for (int k = 0; k < got.length; k++) {
                    assertThat(got[k]).isCloseTo(c[k], within(1e-12 * (1 + Math.abs(c[k]))));
                }
            }
        }
    }

    /** The share of samples whose Bayes class (highest posterior at σ = 0) is {@code target}. */
    static double share(double[] samples, int target) {
        int n = samples.length / 2, hits = 0;
        for (int i = 0; i < n; i++) {
            double[] r = FOUR.responsibilities(samples, 2 * i, 0.0);
            int best = 0;
            for (int k = 1; k < r.length; k++) if (r[k] > r[best]) best = k;
            if (best == target) hits++;
        }
        return hits / (double) n;
    }

    static double[] sample(Sampler sampler, Denoiser model, int n, int steps) {
        double[] sigmas = EdmSchedule.sigmas(steps);
        try (Generator g = Generator.ofSeedRange(0, n);
                Tensor z = g.normal(new long[] {n, 2}, DType.FLOAT64, Device.CPU);
                Tensor x0 = z.emptyLike()) {
            io.sedm.runtime.Ops.combine(x0, sigmas[0], z);
            try (Tensor out = sampler.sample(model, x0, sigmas, g)) {
                return out.toDoubleArray();
            }
        }
    }

    @Test
    void guidedSamplingRaisesTheChosenClassShare() {
        int n = 2000, target = 2;
        int[] y = new int[n];
        java.util.Arrays.fill(y, target);
        try (GaussianMixtureClasses classes = new GaussianMixtureClasses(FOUR, Device.CPU);
                Tensor labels = oneHot(y, 4)) {
            EdmSampler heun = new EdmSampler();
            double unguided = share(sample(heun, classes.unconditional(), n, 32), target);
            double cfg1 = share(sample(heun, new ClassifierFreeGuidance(classes, () -> labels, 1), n, 32), target);
            double cfg4 = share(sample(heun, new ClassifierFreeGuidance(classes, () -> labels, 4), n, 32), target);
            double cg1 = share(
                    sample(heun, new ClassifierGuidance(classes.unconditional(), classes, () -> labels, 1), n, 32),
                    target);
            double cg4 = share(
                    sample(heun, new ClassifierGuidance(classes.unconditional(), classes, () -> labels, 4), n, 32),
                    target);
            double ddimCfg4 = share(
                    sample(new DdimSampler(0), new ClassifierFreeGuidance(classes, () -> labels, 4), n, 64), target);
            System.out.printf(
                    "class share: unguided %.4f, CFG w=1 %.4f, w=4 %.4f; classifier s=1 %.4f, s=4 %.4f; DDIM CFG w=4 %.4f%n",
                    unguided, cfg1, cfg4, cg1, cg4, ddimCfg4);
            // unguided: 1/K = 0.25 ± 4 s.e. (s.e. = √(0.25·0.75/2000) = 0.0097)
            assertThat(unguided).isCloseTo(0.25, within(0.04));
            // scale 1: the exact conditional, whose mass in its own Bayes quadrant is Φ(1/0.75)² = 0.8242; ± 4 s.e.
            // (0.0085)
            double exact = Math.pow(0.5 * (1 + erf(1 / 0.75 / Math.sqrt(2))), 2);
            assertThat(cfg1).isCloseTo(exact, within(0.034));
            assertThat(cg1).isCloseTo(exact, within(0.034));
            assertThat(cfg4).isGreaterThanOrEqualTo(0.9);
            assertThat(cg4).isGreaterThanOrEqualTo(0.9);
            assertThat(ddimCfg4).isGreaterThanOrEqualTo(0.9);
        }
    }

    /** erf by Abramowitz–Stegun 7.1.26 would be too coarse; use the series/continued fraction of the JDK-free kind. */
    static double erf(double x) {
        // Taylor series, converges fast for |x| < 3
        double sum = x, term = x;
        for (int n = 1; n < 100; n++) {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void badScalesAndLabelsAreRefused() {
        try (GaussianMixtureClasses classes = new GaussianMixtureClasses(THREE, Device.CPU);
                Tensor labels = oneHot(new int[] {0, 1}, 3);
                Tensor wrongWidth = oneHot(new int[] {0, 1}, 4);
                Tensor x = Tensor.zeros(new long[] {2, 2}, DType.FLOAT64, Device.CPU)) {
            assertThatThrownBy(() -> new ClassifierFreeGuidance(classes, () -> labels, -0.5))
                    .hasMessageContaining("w must be finite and >= 0");
            assertThatThrownBy(() -> new ClassifierGuidance(classes.unconditional(), classes, () -> labels, -1))
                    .hasMessageContaining("s must be finite and >= 0");
            assertThatThrownBy(() ->
                            new ClassifierFreeGuidance(classes, () -> wrongWidth, 2).denoise(x, new double[] {1, 1}))
                    .hasMessageContaining("one-hot labels [2, 3]");
            try (Tensor none = Tensor.zeros(new long[] {2, 3}, DType.FLOAT32, Device.CPU)) {
                assertThatThrownBy(() -> new ClassifierGuidance(classes.unconditional(), classes, () -> none, 2)
                                .denoise(x, new double[] {1, 1}))
                        .hasMessageContaining("null label");
            }
        }
    }
}
