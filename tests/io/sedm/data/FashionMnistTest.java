package io.sedm.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The whole real test split (DataFormatsTest covers small cases and corrupt files). */
class FashionMnistTest {

    @Test
    void theTestSplitIsBalancedScaledAndPadded() {
        ImageDataset test = FashionMnist.load(FashionMnist.directory(), false, 0, 32);
        assertThat(test.size()).isEqualTo(10_000);
        // every class appears exactly 1000 times in the test split (Xiao et al. 2017)
        int[] counts = new int[10];
        for (int y : test.labels()) {
            counts[y]++;
        }
        assertThat(counts).containsOnly(1000);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : test.pixels()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isEqualTo(-1f);
        assertThat(max).isEqualTo(1f);
        for (int c = 0; c < 32; c++) { // the 2-pixel border is padding (-1)
            assertThat(test.pixels()[c]).isEqualTo(-1f);
            assertThat(test.pixels()[31 * 32 + c]).isEqualTo(-1f);
        }
        assertThat(test.labels()[0]).isEqualTo(9); // the first test item is an ankle boot
    }
}
