package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.toy.GaussianMixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sedm likelihood} against a closed form. Under data N(0, c² I_d) the model density at σ_min
 * is N(0, s² I) with s² = c² + σ_min², and uniform dequantisation x = x̄ + δ, δ ~ U[−Δ/2, Δ/2] around
 * the bin centre x̄ = 2(k + ½)/256 − 1, gives the expected negative log-likelihood per image
 * E[−log p] = Σ_j (x̄_j² + Δ²/12)/(2s²) + (d/2)·log(2π s²) exactly. The exact denoiser's Jacobian
 * is the constant diagonal c²/(c² + σ²)·I, so a Rademacher probe returns the trace exactly and
 * what remains per image is the dequantisation noise (std ≈ √(Σ_j x̄_j² Δ²/3)/(2s²) ≈ 0.05 nats)
 * and three small biases: the N(0, σ_max² I) prior standing in for N(0, (c² + σ_max²) I)
 * (≈ ‖x₀‖²/(2σ_max²) + (d/2)·log(1 + c²/σ_max²) ≈ 0.14 nats), the finite-difference JVP's truncation
 * (≈ 2e−5 relative of the 4.5e3-nat divergence integral, 0.09 nats) and RK4-32's error (≈ 0.04 nats).
 * Measured: 5.0e−4 bits/dim (0.35 nats). 1e−3 bits/dim per image (0.71 nats) holds them with a
 * margin of 2 while a wrong bin offset (1 bit/dim) or pixel map (≥ 1e−2) fails it.
 */
class LikelihoodCommandTest {
    @TempDir
    Path dir;

    @Test
    void bitsPerDimMatchTheClosedFormOfGaussianData() throws Exception {
        double c = 1.0;
        Path gmm = dir.resolve("gauss.json");
        Files.writeString(gmm, GaussianMixture.gaussian(c, 1024).toJson());
        Path json = dir.resolve("nll.json");
        CliRun.Result r = CliRun.run(
                "likelihood",
                "--denoiser",
                "gmm:" + gmm,
                "--images",
                "8",
                "--batch",
                "4",
                "--json",
                json.toString(),
                "--threads",
                "1",
                "--quiet");
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("bits/dim").contains("over 8 test images");
        JsonNode got = new ObjectMapper().readTree(json.toFile()).get("per_image");
        ImageDataset test = FashionMnist.load(FashionMnist.directory(), false, 8, 32);
        double s2 = c * c + 0.002 * 0.002;
        double delta = 2.0 / 256;
        for (int i = 0; i < 8; i++) {
            double nll = 512 * Math.log(2 * Math.PI * s2);
            for (int j = 0; j < 1024; j++) {
                double k = Math.rint((test.pixels()[i * 1024 + j] + 1) * 127.5);
                double centre = 2 * (k + 0.5) / 256 - 1;
                nll += (centre * centre + delta * delta / 12) / (2 * s2);
            }
            double bpd = nll / (1024 * Math.log(2)) + 7;
            assertThat(got.get(i).asDouble())
                    .as("image " + i)
                    .isCloseTo(bpd, org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    @Test
    void badOptionsAreOneLineErrors() {
        CliRun.Result images = CliRun.run("likelihood", "--denoiser", "x.json", "--images", "0");
        assertThat(images.rc()).isEqualTo(2);
        assertThat(images.err()).contains("--images must be in [1, 10000], got 0");
        CliRun.Result solver = CliRun.run("likelihood", "--denoiser", "x.json", "--solver", "euler", "--quiet");
        assertThat(solver.err()).contains("--solver must be rk4 or heun, got euler");
        CliRun.Result missing =
                CliRun.run("likelihood", "--denoiser", dir.resolve("none.json").toString(), "--images", "2", "--quiet");
        assertThat(missing.rc()).isNotZero();
        assertThat(missing.err()).contains("none.json");
    }
}
