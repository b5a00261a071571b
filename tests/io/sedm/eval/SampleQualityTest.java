package io.sedm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SampleQuality end to end with the shipped feature network on real Fashion-MNIST images: exact
 * identities (a set against itself), real images near the floor, noise images far from it.
 * The reference is built from 600 test and 600 training images (the full 60k/10k reference takes
 * minutes and is what {@code sedm eval} caches).
 */
class SampleQualityTest {
    static final Path FEATURES = Path.of("models/fmnist-features/classifier.json");
    static final int N = 600;

    static FeatureNetwork net;
    static ReferenceFeatures ref;
    static ImageDataset test;

    @BeforeAll
    static void load() {
        net = FeatureNetwork.load(FEATURES, Device.CPU);
        test = FashionMnist.load(FashionMnist.directory(), false, N, 32);
        ImageDataset train = FashionMnist.load(FashionMnist.directory(), true, N, 32);
        FeatureNetwork.Outputs t = net.apply(test);
        ref = new ReferenceFeatures(
                FeatureStatistics.of(net.features(train)),
                FeatureStatistics.of(t.features()),
                t.features(),
                test.labels(),
                t.predicted());
    }

    @AfterAll
    static void close() {
        net.close();
    }

    @Test
    void theFeatureNetworkIsTheShippedOne() {
        assertThat(net.dim()).isEqualTo(64);
        assertThat(net.numClasses()).isEqualTo(10);
        // 600 test images: the classifier must be far above chance (its full test accuracy is in the sidecar)
        assertThat(ref.testAccuracy()).isGreaterThan(0.85);
    }

    @Test
    void aSetAgainstItselfGivesTheExactValues() {
        // Three seed ranges of the test images; run r is compared with test rows [200r, 200r + 200), i.e.
        // with itself: precision = recall = coverage = 1 and density = (k + 1)/k (ManifoldMetricsTest).
        SampleQuality.Report r = SampleQuality.evaluate(net, ref, SampleQuality.split("test", test, 3), 3);
        assertThat(r.runs()).hasSize(3);
        for (SampleQuality.Metrics m : r.runs()) {
            assertThat(m.count()).isEqualTo(200);
            assertThat(m.precision()).isEqualTo(1.0);
            assertThat(m.recall()).isEqualTo(1.0);
            assertThat(m.coverage()).isEqualTo(1.0);
            assertThat(m.density()).isCloseTo(4.0 / 3, within(1e-12));
        }
        assertThat(r.summary().get("precision").standardError()).isZero();
        // The whole set: FD to its own statistics is 0 and FD to the training statistics is the floor.
        // Tolerance: the FD of equal Gaussians is 0 up to the eigen-solver's rounding, ~1e-12 of tr Σ.
        SampleQuality.Report all = SampleQuality.evaluate(net, ref, List.of(new SampleQuality.Named("test", test)), 3);
        double trace = 0;
        for (int j = 0; j < net.dim(); j++) trace += ref.test().covariance()[j][j];
        assertThat(all.runs().getFirst().fdTest()).isCloseTo(0, within(1e-9 * trace));
        assertThat(all.runs().getFirst().fdTrain()).isCloseTo(ref.floor(), within(1e-9 * trace));
        assertThat(all.summary().get("fd_test").standardError()).isNaN();
        assertThat(SampleQuality.json(all)
                        .path("summary")
                        .path("fd_test")
                        .path("se")
                        .isNull())
                .isTrue();
    }

    @Test
    void realImagesScoreNearTheFloorAndNoiseFarFromIt() {
        ImageDataset other =
                ReferenceFeatures.slice(FashionMnist.load(FashionMnist.directory(), true, 2 * N, 32), N, N);
        float[] px = new float[N * 1024];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < px.length; i++) px[i] = (float) (2 * rng.nextDouble() - 1);
        ImageDataset noise = new ImageDataset(px, null, 1, 32, 32, 0);

        SampleQuality.Report real = SampleQuality.evaluate(net, ref, SampleQuality.split("train", other, 3), 3);
        SampleQuality.Report bad = SampleQuality.evaluate(net, ref, SampleQuality.split("noise", noise, 3), 3);
        double fdReal = real.summary().get("fd_test").mean();
        double fdNoise = bad.summary().get("fd_test").mean();
        // Held-out real images: the FD is finite-sample bias only, which grows like 1/n₁ + 1/n₂; runs of
        // 200 against 600 test images have twice the bias of the floor's 600 against 600, plus the spread of
        // a 200-image run's covariance, which grows with the feature width (64): measured 4.0 × floor with
        // the shipped network (2.x with the earlier 32-d one), so < 5 × floor.
        assertThat(fdReal).isLessThan(5 * ref.floor());
        assertThat(fdNoise).isGreaterThan(20 * fdReal);
        // Same distribution: E[density] = 1 and E[coverage] = 1 − Π (N − i)/(N + M − i) ≈ 0.876 for
        // N = M = 200, k = 3 (Naeem et al. 2020, Lemma 2); the tolerances are ~4 s.e. of a 200-sample run.
        assertThat(real.summary().get("density").mean()).isCloseTo(1.0, within(0.25));
        assertThat(real.summary().get("coverage").mean())
                .isCloseTo(DensityCoverage.expectedCoverage(200, 200, 3), within(0.1));
        assertThat(real.summary().get("precision").mean()).isGreaterThan(0.6);
        assertThat(real.summary().get("recall").mean()).isGreaterThan(0.6);
        assertThat(real.summary().get("kl_uniform").mean()).isLessThan(0.1);
        // Noise: outside the real manifold, and the classifier puts it (nearly) all into few classes.
        assertThat(bad.summary().get("precision").max()).isLessThan(0.05);
        assertThat(bad.summary().get("coverage").max()).isLessThan(0.05);
        // (KL to uniform 0.97 with the shipped 64-d network, 1.5+ with the earlier one; real images stay < 0.1)
        assertThat(bad.summary().get("kl_uniform").mean()).isGreaterThan(0.5);
        assertThat(SampleQuality.table(real)).contains("fd_test", "mean ± s.e.", "T-shirt");
    }

    @Test
    void tooFewImagesAreRefused() {
        ImageDataset three = ReferenceFeatures.slice(test, 0, 3);
        assertThatThrownBy(() -> SampleQuality.evaluate(net, ref, List.of(new SampleQuality.Named("x", three)), 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x: 3 images; the k-NN metrics need more than k = 3");
        assertThatThrownBy(() -> SampleQuality.split("x", three, 4)).hasMessageContaining("cannot split 3 images");
    }
}
