package io.sedm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sedm.data.ImageDataset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The feature classifier's loss gradient, augmentation and learning-rate schedule against closed forms. */
class FeatureClassifierTrainerTest {

    @Test
    void crossEntropyGradientMatchesCentralDifferences() {
        // dL/dz = (softmax(z) − onehot)/B; central differences have error O(h²·|L'''|) ≈ 1e-10 at h = 1e-5.
        SplittableRandom rng = new SplittableRandom(4);
        int b = 3, k = 5;
        double[] z = new double[b * k];
        for (int i = 0; i < z.length; i++) z[i] = 3 * rng.nextGaussian();
        int[] labels = {0, 4, 2};
        double[] grad = new double[z.length];
        double loss = FeatureClassifierTrainer.crossEntropy(z, labels, k, grad);
        double h = 1e-5;
        for (int i = 0; i < z.length; i++) {
            double[] p = z.clone(), m = z.clone();
            p[i] += h;
            m[i] -= h;
            double fd = (FeatureClassifierTrainer.crossEntropy(p, labels, k, new double[z.length])
                            - FeatureClassifierTrainer.crossEntropy(m, labels, k, new double[z.length]))
                    / (2 * h);
            assertThat(grad[i]).isCloseTo(fd, within(1e-8));
        }
        // uniform logits: L = ln K exactly; huge logits stay finite (max subtracted)
        assertThat(FeatureClassifierTrainer.crossEntropy(new double[k], new int[] {1}, k, new double[k]))
                .isCloseTo(Math.log(k), within(1e-15));
        double[] big = {1e4, 0, 0, 0, 0};
        assertThat(FeatureClassifierTrainer.crossEntropy(big, new int[] {1}, k, new double[k]))
                .isCloseTo(1e4, within(1e-9));
    }

    @Test
    void augmentationShiftsAndMirrorsExactly() {
        int w = 4;
        float[] px = new float[w * w];
        for (int i = 0; i < px.length; i++) px[i] = i;
        ImageDataset d = new ImageDataset(px, new int[] {0}, 1, w, w, 1);
        float[] out = new float[w * w];
        FeatureClassifierTrainer.augment(d, 0, 0, 0, false, out, 0);
        assertThat(out).containsExactly(px);
        FeatureClassifierTrainer.augment(d, 0, 1, 0, false, out, 0); // right by one: column 0 is background
        assertThat(out).startsWith(-1f, 0f, 1f, 2f, -1f, 4f);
        FeatureClassifierTrainer.augment(d, 0, 0, -1, false, out, 0); // up by one: last row background
        assertThat(out).startsWith(4f, 5f, 6f, 7f);
        assertThat(out).endsWith(-1f, -1f, -1f, -1f);
        FeatureClassifierTrainer.augment(d, 0, 0, 0, true, out, 0);
        assertThat(out).startsWith(3f, 2f, 1f, 0f, 7f);
    }

    @Test
    void learningRateWarmsUpLinearlyThenFollowsTheCosineToZero() {
        var o = new FeatureClassifierTrainer.Options(8, 2e-3, 0, 10, 110, 1, true, 0);
        assertThat(o.lrAt(0)).isCloseTo(2e-4, within(1e-18));
        assertThat(o.lrAt(9)).isCloseTo(2e-3, within(1e-18));
        assertThat(o.lrAt(10)).isCloseTo(2e-3, within(1e-18));
        assertThat(o.lrAt(60)).isCloseTo(1e-3, within(1e-15)); // half way: ½·lr·(1 + cos π/2)
        assertThat(o.lrAt(110)).isCloseTo(0, within(1e-18));
        assertThatThrownBy(() -> new FeatureClassifierTrainer.Options(8, 2e-3, 0, 10, 110, 9, true, 0))
                .hasMessageContaining("shift must be in [0, 8]");
        assertThatThrownBy(() -> new FeatureClassifierTrainer.Options(0, 2e-3, 0, 10, 110, 1, true, 0))
                .hasMessageContaining("batchSize >= 1");
    }
}
