package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.Npy;
import io.sedm.train.SongUNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole Discriminator Guidance pipeline through the command line, at toy scale on real
 * Fashion-MNIST: train a denoiser, sample the fake set from it (uint8), train the noise-aware
 * classifier, train the discriminator head on real vs fake, then sample with EDM-G++ and SEDM-G++
 * through the trained networks. Checks that every stage runs and hands the next one valid files;
 * quality is out of scope at this size.
 */
class DgPipelineCliTest {

    private static int run(String... args) {
        return Main.commandLine().execute(args);
    }

    private static Path newest(Path runs, String glob) throws IOException {
        try (Stream<Path> s = Files.walk(runs)) {
            return s.filter(p ->
                            p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName()))
                    .max(java.util.Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new AssertionError("no " + glob));
        }
    }

    @Test
    void trainSampleClassifyDiscriminateGuide(@TempDir Path dir) throws IOException {
        Path runs = dir.resolve("runs");
        String unet = SongUNetConfig.tiny(32, 1).toJson();
        assertThat(run(
                        "train",
                        "--outdir",
                        runs.toString(),
                        "--desc",
                        "den",
                        "--arch",
                        unet,
                        "--data-limit",
                        "64",
                        "--batch",
                        "8",
                        "--steps",
                        "4",
                        "--snap",
                        "4",
                        "--log-every",
                        "2",
                        "--lr-rampup-kimg",
                        "0"))
                .isZero();
        Path denoiser = newest(runs, "checkpoint-*.json");

        // a 4-step network is untrained: its samples leave the data range [-1, 1], which sample refuses without
        // --allow-unusual
        Path fakes = dir.resolve("fakes");
        assertThat(run(
                        "sample",
                        "--denoiser",
                        "checkpoint:" + denoiser,
                        "--seeds",
                        "0-15",
                        "--batch",
                        "8",
                        "--steps",
                        "6",
                        "--dtype",
                        "uint8",
                        "--outdir",
                        fakes.toString(),
                        "--allow-unusual"))
                .isZero();
        Npy.Array fake = Npy.read(fakes.resolve("samples.npy"));
        assertThat(fake.shape()).containsExactly(16, 32, 32, 1);
        assertThat(fake.type()).isEqualTo(Npy.Type.U1);

        assertThat(run(
                        "train-classifier",
                        "--outdir",
                        runs.toString(),
                        "--width",
                        "16",
                        "--depth",
                        "1",
                        "--data-limit",
                        "64",
                        "--batch",
                        "8",
                        "--steps",
                        "3",
                        "--log-every",
                        "3",
                        "--eval-images",
                        "0"))
                .isZero();
        Path classifier = newest(runs, "classifier.json");

        assertThat(run(
                        "train-discriminator",
                        "--outdir",
                        runs.toString(),
                        "--classifier",
                        classifier.toString(),
                        "--fake",
                        fakes.resolve("samples.npy").toString(),
                        "--data-limit",
                        "64",
                        "--batch",
                        "8",
                        "--steps",
                        "3",
                        "--log-every",
                        "3"))
                .isZero();
        Path head = newest(runs, "discriminator.json");

        for (String sampler : new String[] {"edm-gpp", "sedm-gpp"}) {
            Path out = dir.resolve(sampler);
            assertThat(run(
                            "sample",
                            "--sampler",
                            sampler,
                            "--denoiser",
                            "checkpoint:" + denoiser,
                            "--discriminator",
                            "net:" + head,
                            "--classifier",
                            classifier.toString(),
                            "--seeds",
                            "0-3",
                            "--steps",
                            "6",
                            "--outdir",
                            out.toString(),
                            "--allow-unusual"))
                    .isZero();
            assertThat(Npy.read(out.resolve("samples.npy")).shape()).containsExactly(4, 1, 32, 32);
            assertThat(out.resolve("grid.png")).isNotEmptyFile();
        }

        // the demo's learned section on these networks, shipped as a model folder (sidecar renamed, weights beside it)
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        ship(denoiser, models.resolve("denoiser.json"));
        ship(classifier, models.resolve("classifier.json"));
        ship(head, models.resolve("discriminator.json"));
        Path demo = dir.resolve("demo");
        assertThat(run(
                        "demo",
                        "--outdir",
                        demo.toString(),
                        "--models",
                        models.toString(),
                        "--learned-samples",
                        "12",
                        "--reference-images",
                        "40",
                        "--cache",
                        dir.resolve("cache").toString(),
                        "--images",
                        "20",
                        "--samples",
                        "8",
                        "--batch",
                        "12",
                        "--steps",
                        "4",
                        "--quiet"))
                .isZero();
        for (String s : new String[] {"learned-edm.png", "learned-edm-gpp.png", "learned-sedm-gpp.png"}) {
            assertThat(demo.resolve(s)).isNotEmptyFile();
        }
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(demo.resolve("report.json").toFile());
        assertThat(report.get("learned")
                        .get("sedm-gpp")
                        .get("fd_train")
                        .get("mean")
                        .asDouble())
                .isFinite()
                .isPositive();
    }

    /** Copies a checkpoint's sidecar to {@code to} and every file it names next to it. */
    private static void ship(Path sidecar, Path to) throws IOException {
        Files.copy(sidecar, to);
        com.fasterxml.jackson.databind.JsonNode files = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(sidecar.toFile())
                .get("files");
        for (var it = files.elements(); it.hasNext(); ) {
            String name = it.next().asText();
            Files.copy(sidecar.resolveSibling(name), to.resolveSibling(name));
        }
    }
}
