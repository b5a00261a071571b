package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.runtime.Device;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.StepListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/**
 * The networks committed under {@code models/}: every file a sidecar names is there, the
 * feature classifier meets the accuracy {@code sedm eval} promises, the default model stays
 * within its size budget, and its three networks load and sample together (SEDM-G++, few steps).
 */
class ShippedModelsTest {
    static final Path FEATURES = Path.of("models/fmnist-features");
    static final Path DEFAULT = Path.of(LearnedDemo.DEFAULT_MODELS);
    static final ObjectMapper JSON = new ObjectMapper();

    /** The bytes of a sidecar and of every file it names; fails when one is missing. */
    static long sidecarBytes(Path sidecar) throws IOException {
        JsonNode files = JSON.readTree(sidecar.toFile()).get("files");
        assertThat(files).as(sidecar + " names its weight files").isNotNull();
        long bytes = Files.size(sidecar);
        for (Iterator<JsonNode> it = files.elements(); it.hasNext(); ) {
            Path f = sidecar.resolveSibling(it.next().asText());
            assertThat(f).as("named by " + sidecar).isRegularFile();
            bytes += Files.size(f);
        }
        return bytes;
    }

    @Test
    void featureClassifierIsAtLeast93PercentAccurate() throws IOException {
        Path sidecar = FEATURES.resolve("classifier.json");
        sidecarBytes(sidecar);
        // the accuracy on all 10k test images, recorded by sedm train-features when it saved the network
        JsonNode run = JSON.readTree(sidecar.toFile());
        assertThat(run.findValue("test_images").asInt()).isEqualTo(10_000);
        assertThat(run.findValue("test_accuracy").asDouble()).isGreaterThanOrEqualTo(0.93);
    }

    @Test
    void defaultModelIsCompleteSmallAndSamplesWithGuidance() throws Exception {
        assertThat(LearnedDemo.present(DEFAULT))
                .as(DEFAULT + " holds the three sidecars")
                .isTrue();
        long bytes = 0;
        for (String name : new String[] {"denoiser", "classifier", "discriminator"}) {
            Path sidecar = DEFAULT.resolve(name + ".json");
            bytes += sidecarBytes(sidecar);
            // sampling weights only: the denoiser's EMA, the others' trained weights (no optimizer state)
            assertThat(JSON.readTree(sidecar.toFile()).get("files").size())
                    .as(name)
                    .isEqualTo(1);
            assertThat(DEFAULT.resolve(name + "-training-log.txt")).isNotEmptyFile();
        }
        assertThat(bytes).as("committed model size").isLessThanOrEqualTo(30L << 20);

        try (SampleCommand.Models m = SampleCommand.load(
                DEFAULT.resolve("denoiser.json").toString(),
                null,
                DEFAULT.resolve("classifier.json").toString(),
                DEFAULT.resolve("discriminator.json").toString(),
                Device.CPU)) {
            assertThat(m.discriminator()).isNotNull();
            double[] sigmas = StudyCommand.sigmas(18, m.denoiser());
            long[] seeds = {0, 1, 2};
            double[] x = m.sample(
                    "shipped",
                    new EdmSampler(EdmSampler.Options.sedmGpp(), m.discriminator()),
                    sigmas,
                    seeds,
                    new long[] {1, 32, 32},
                    3,
                    Device.CPU,
                    StepListener.NONE,
                    false);
            assertThat(x).hasSize(3 * 32 * 32);
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double v : x) {
                assertThat(Double.isFinite(v)).isTrue();
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            // a trained model lands near the data range [-1, 1] (EDM Heun 35 NFE); noise from σ = 80 would not
            assertThat(min).isGreaterThan(-1.5);
            assertThat(max).isLessThan(1.5);
            assertThat(max - min).isGreaterThan(1.0);
        }
    }
}
