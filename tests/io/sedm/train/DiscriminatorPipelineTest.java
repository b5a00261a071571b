package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DG pipeline at toy scale: classifier → frozen trunk → discriminator head on real vs fake. */
class DiscriminatorPipelineTest {
    @TempDir
    Path dir;

    @Test
    void importanceSampledTauHasTheReferenceQuantiles() {
        // docs/ALGORITHMS.md §8: quantiles 0.0030 / 0.1144 / 0.6370 at u = 0.25 / 0.5 / 0.75 (4 digits given)
        assertThat(io.sedm.sde.VpTime.importanceTau(0.25, 1e-5))
                .isCloseTo(0.0030, org.assertj.core.data.Offset.offset(5e-5));
        assertThat(io.sedm.sde.VpTime.importanceTau(0.5, 1e-5))
                .isCloseTo(0.1144, org.assertj.core.data.Offset.offset(5e-5));
        assertThat(io.sedm.sde.VpTime.importanceTau(0.75, 1e-5))
                .isCloseTo(0.6370, org.assertj.core.data.Offset.offset(5e-5));
    }

    @Test
    void classifierLearnsAndTheDiscriminatorSeparatesRealFromFake() {
        Assumptions.assumeTrue(FashionMnist.available(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist not installed");
        ImageDataset data =
                FashionMnist.load(FashionMnist.DEFAULT_DIR, true, 1024, 32).downsample2x();
        AdmEncoderConfig cls = new AdmEncoderConfig(
                "classifier", 16, 1, 16, new int[] {1, 2}, 1, new int[] {8}, 16, true, true, true, 0.0, 999.0, 10, 1);
        Path sidecar;
        try (ClassifierTrainer t = new ClassifierTrainer(
                cls, new ClassifierTrainer.Options(64, 2e-3, 0, 1e-5, 1, 150), data, Device.CPU)) {
            double first = 0, last = 0;
            for (int i = 0; i < 150; i++) {
                double l = t.trainStep();
                if (i < 15) first += l / 15;
                if (i >= 135) last += l / 15;
            }
            double acc = t.accuracy(data, 0.01, 512);
            System.out.printf("classifier: CE %.3f → %.3f, train accuracy at τ=0.01 %.3f%n", first, last, acc);
            assertThat(acc).isGreaterThan(0.4); // chance is 0.1; 150 tiny steps reach ≈ 0.6
            sidecar = t.save(dir, "classifier");
        }
        // "fake" images: the real ones with their contrast halved, an easy but non-trivial difference
        float[] px = data.pixels().clone();
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < px.length; i++) px[i] = 0.5f * px[i] + 0.05f * (float) r.nextGaussian();
        ImageDataset fake = new ImageDataset(px, null, 1, 16, 16, 0);
        AdmEncoderConfig headCfg = new AdmEncoderConfig(
                "discriminator", 8, 32, 16, new int[] {1}, 1, new int[] {8}, 16, true, true, true, 0.0, 999.0, 1, 2);
        try (Network trunk = ClassifierTrainer.loadTrunk(sidecar, Device.CPU);
                DiscriminatorTrainer d = new DiscriminatorTrainer(
                        trunk,
                        headCfg,
                        new DiscriminatorTrainer.Options(32, 1e-3, 1e-7, 1e-5, 3, 120),
                        data,
                        fake,
                        Device.CPU)) {
            double first = 0, last = 0;
            for (int i = 0; i < 120; i++) {
                double l = d.trainStep();
                if (i < 15) first += l / 15;
                if (i >= 105) last += l / 15;
            }
            System.out.printf("discriminator: BCE %.3f → %.3f%n", first, last);
            // ln 2 = 0.693 is chance; at high τ the two sets are indistinguishable, so the floor is well above 0
            assertThat(last).isLessThan(0.6);
            assertThat(last).isLessThan(first);
        }
    }
}
