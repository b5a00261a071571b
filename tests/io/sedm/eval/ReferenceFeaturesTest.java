package io.sedm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference cache: written once, read back bit-for-bit, never half-written, bad files named. */
class ReferenceFeaturesTest {
    @TempDir
    Path dir;

    @Test
    void computedOnceThenReadBackExactly() throws Exception {
        ImageDataset train = FashionMnist.load(FashionMnist.directory(), true, 300, 32);
        ImageDataset test = FashionMnist.load(FashionMnist.directory(), false, 200, 32);
        try (FeatureNetwork net = FeatureNetwork.load(SampleQualityTest.FEATURES, Device.CPU)) {
            List<String> log = new ArrayList<>();
            ReferenceFeatures first = ReferenceFeatures.load(net, dir, "mini", () -> train, test, log::add);
            assertThat(log).hasSize(2);
            Path trainFile = dir.resolve("mini-train-" + net.id() + ".npz");
            Path testFile = dir.resolve("mini-test-" + net.id() + ".npz");
            assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            trainFile.getFileName().toString(),
                            testFile.getFileName().toString());
            assertThat(Files.getPosixFilePermissions(trainFile).toString()).contains("OTHERS_READ");

            AtomicInteger reads = new AtomicInteger();
            ReferenceFeatures second = ReferenceFeatures.load(
                    net,
                    dir,
                    "mini",
                    () -> {
                        reads.incrementAndGet();
                        return train;
                    },
                    test,
                    log::add);
            assertThat(reads.get()).isZero();
            assertThat(log).hasSize(2);
            assertThat(second.train().mean()).containsExactly(first.train().mean());
            assertThat(second.train().covariance()).isDeepEqualTo(first.train().covariance());
            assertThat(second.testFeatures()).isDeepEqualTo(first.testFeatures());
            assertThat(second.predicted()).containsExactly(first.predicted());
            assertThat(second.floor()).isEqualTo(first.floor());

            // another test set size: the cache does not fit and says so
            ImageDataset other = FashionMnist.load(FashionMnist.directory(), false, 100, 32);
            assertThatThrownBy(() -> ReferenceFeatures.load(net, dir, "mini", () -> train, other, log::add))
                    .hasMessageContaining(testFile.toString())
                    .hasMessageContaining("delete it to recompute");
            // a truncated cache file is named
            byte[] bytes = Files.readAllBytes(trainFile);
            Files.write(trainFile, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            assertThatThrownBy(() -> ReferenceFeatures.load(net, dir, "mini", () -> train, test, log::add))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(trainFile.toString())
                    .hasMessageContaining("delete it to recompute");
        }
    }
}
