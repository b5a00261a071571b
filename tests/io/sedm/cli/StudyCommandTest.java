package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.toy.GaussianMixture;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sedm study} end to end on exact image-space mixtures (the demo's construction): the model
 * is the mixture of 100 real training images with class 0 weighted 8×, the data the unweighted
 * mixture, and the discriminator their exact oracle, so DG has a known right answer.
 */
class StudyCommandTest {
    @TempDir
    static Path dir;

    static Path model;
    static Path data;

    @BeforeAll
    static void mixtures() throws Exception {
        ImageDataset images = FashionMnist.load(FashionMnist.directory(), true, 100, 32);
        int n = images.size();
        double[][] means = new double[n][1024];
        double[] variances = new double[n];
        double[] uniform = new double[n];
        double[] biased = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 1024; j++) means[i][j] = images.pixels()[i * 1024 + j];
            variances[i] = 0.02 * 0.02;
            uniform[i] = 1;
            biased[i] = images.labels()[i] == 0 ? 8 : 1;
        }
        model = dir.resolve("model.json");
        data = dir.resolve("data.json");
        Files.writeString(model, new GaussianMixture(biased, means, variances).toJson());
        Files.writeString(data, new GaussianMixture(uniform, means, variances).toJson());
    }

    @Test
    void writesTheGridItsHeatmapsAndTheExposureCurves() throws Exception {
        Path out = dir.resolve("study");
        CliRun.Result r = CliRun.run(
                "study",
                "--denoiser",
                "gmm:" + model,
                "--discriminator",
                "oracle:" + data,
                "--runs",
                "euler-13,heun-9",
                "--dg-weights",
                "0,1",
                "--es-scales",
                "1,1.004",
                "--samples",
                "60",
                "--splits",
                "3",
                "--curve-samples",
                "32",
                "--reference-images",
                "300",
                "--cache",
                dir.resolve("cache").toString(),
                "--batch",
                "60",
                "--outdir",
                out.toString(),
                "--threads",
                "1",
                "--quiet");
        assertThat(r.rc()).as(r.err()).isZero();

        List<String> csv = Files.readAllLines(out.resolve("study.csv"));
        assertThat(csv).hasSize(1 + 2 * 2 * 2);
        assertThat(csv.get(0)).startsWith("run,solver,nfe,w1,lambda,family,seconds,fd_test,fd_test_se,fd_train");
        assertThat(csv.subList(1, csv.size()))
                .extracting(l -> l.split(",")[5])
                .containsExactly("EDM", "EDM-ES", "EDM-G++", "SEDM-G++", "EDM", "EDM-ES", "EDM-G++", "SEDM-G++");
        for (String run : List.of("euler-13", "heun-9")) {
            for (String metric : List.of("fd_train", "precision", "recall")) {
                BufferedImage png = ImageIO.read(
                        out.resolve("heatmap-" + run + "-" + metric + ".png").toFile());
                assertThat(png.getWidth()).isEqualTo(io.sedm.eval.study.Charts.heatmapWidth(2));
                assertThat(png.getHeight()).isEqualTo(io.sedm.eval.study.Charts.heatmapHeight(2));
            }
        }
        BufferedImage curves = ImageIO.read(out.resolve("exposure-bias.png").toFile());
        assertThat(curves.getWidth()).isEqualTo(800);

        JsonNode json = new ObjectMapper().readTree(out.resolve("study.json").toFile());
        assertThat(json.get("cells")).hasSize(8);
        // The exact oracle removes the model's class-0 bias: guided samples sit closer to the data
        // than unguided ones in the classifier's class histogram (KL to uniform). The model's
        // class-0 share is ≈ 8·p0/(1 + 7·p0) ≈ 0.47 against ≈ 0.1 in the data, a gap far larger than
        // the sampling noise of 60 images.
        for (int run = 0; run < 2; run++) {
            double unguided =
                    json.get("cells").get(4 * run).get("kl_uniform").get("mean").asDouble();
            double guided = json.get("cells")
                    .get(4 * run + 2)
                    .get("kl_uniform")
                    .get("mean")
                    .asDouble();
            assertThat(guided).as("run " + run).isLessThan(unguided);
        }
        JsonNode eb = json.get("exposure_bias");
        assertThat(eb.get("run").asText()).isEqualTo("heun-9");
        for (String curve : List.of("EDM", "EDM-ES", "EDM-G++", "SEDM-G++", "training")) {
            assertThat(eb.get(curve)).as(curve).hasSize(5); // heun-9: N = 5 σ levels, one ε̂ per level
        }
        assertThat(Files.readAllLines(out.resolve("exposure-bias.csv")).get(0))
                .isEqualTo("step,sigma,EDM,EDM-ES,EDM-G++,SEDM-G++,training");
        // every entry is the mean norm of a 1024-pixel noise prediction: finite and positive
        for (JsonNode v : eb.get("EDM")) assertThat(v.asDouble()).isFinite().isPositive();
    }

    @Test
    void badGridsAreOneLineErrorsAndWriteNothing() {
        Path out = dir.resolve("bad");
        String[] common = {
            "study", "--denoiser", "gmm:" + model, "--outdir", out.toString(), "--threads", "1", "--quiet"
        };
        CliRun.Result noDisc = CliRun.run(concat(common, "--dg-weights", "0,1"));
        assertThat(noDisc.rc()).isEqualTo(2);
        assertThat(noDisc.err()).contains("has a w1 > 0: give --discriminator");
        CliRun.Result even = CliRun.run(concat(common, "--runs", "heun-34", "--dg-weights", "0"));
        assertThat(even.rc()).isEqualTo(2);
        assertThat(even.err()).contains("Heun's NFE is 2N − 1: odd and >= 3, got 34");
        CliRun.Result solver = CliRun.run(concat(common, "--runs", "rk4-13", "--dg-weights", "0"));
        assertThat(solver.err()).contains("solver must be euler or heun, got 'rk4'");
        CliRun.Result few = CliRun.run(concat(common, "--samples", "9", "--splits", "3", "--dg-weights", "0"));
        assertThat(few.err()).contains("leaves 3 images per range; the k-NN metrics need more than k = 3");
        CliRun.Result lambda = CliRun.run(concat(common, "--es-scales", "0", "--dg-weights", "0"));
        assertThat(lambda.err()).contains("ES scales λ must be finite and > 0, got 0.0");
        assertThat(out).doesNotExist();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
