package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTrainingTest {
    @TempDir
    Path dir;

    @Test
    void aTinyUNetLearnsFashionMnistWithTheEdmLoss() {
        Assumptions.assumeTrue(FashionMnist.available(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist not installed");
        // 512 images, 2×2-averaged to 16×16 so the CPU test stays short.
        ImageDataset data =
                FashionMnist.load(FashionMnist.DEFAULT_DIR, true, 512, 32).downsample2x();
        SongUNetConfig config =
                new SongUNetConfig(16, 1, 1, 16, new int[] {1, 2}, 2, 1, new int[] {8}, 0.0, 0, 0, "positional", 1);
        TrainOptions opts = TrainOptions.defaults()
                .withBatch(32, 1)
                .withSchedule(2e-3, 32 * 20, 2_000, 0.05)
                .withRun(7, 300, 0, 50);
        long t0 = System.nanoTime();
        double first = 0, last = 0;
        try (DenoiserTrainer t = DenoiserTrainer.create(config, opts, data, Device.CPU)) {
            RunDirectory run = RunDirectory.create(dir.resolve("runs"), "fmnist-test");
            for (int i = 0; i < 300; i++) {
                double l = t.trainStep();
                if (i < 30) first += l / 30;
                if (i >= 270) last += l / 30;
                if ((i + 1) % 50 == 0) run.log("step " + (i + 1) + " loss " + l);
            }
            t.save(run.path(), "final");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "fashion-mnist tiny unet: EDM loss first 30 steps %.2f, last 30 %.2f (factor %.2f), %.1f s%n",
                first, last, first / last, seconds);
        // The EDM loss is λ·‖D − y‖² summed over 256 pixels; at initialisation F ≈ 0 it is ≈ 256·(λ c_skip-error)…
        // A factor of 2 is far outside step-to-step noise (σ draws make single batches vary by ~±30 %).
        assertThat(first / last).isGreaterThan(2.0);
    }
}
