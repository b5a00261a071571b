package io.sedm.cli;

import io.sedm.data.Npy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Latents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SampleCommandTest {
    private static final String GMM4 = "{\"weights\": [0.5, 0.5], \"means\": [[-0.5, 0, 0.5, 0], [0.5, 0.2, -0.5, 0]],"
            + " \"variances\": [0.02, 0.05]}";

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SampleCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Path gmm(Path dir) throws Exception {
        Path f = dir.resolve("gmm.json");
        Files.writeString(f, GMM4);
        return f;
    }

    @Test
    void dryRunPrintsTheResolvedOptionsWithPerSamplerDefaults(@TempDir Path dir) throws Exception {
        Result r = run("--sampler", "sedm-gpp", "--denoiser", "gmm:" + gmm(dir), "--discriminator", "oracle:" + gmm(dir),
                "--seeds", "0-3,9", "--dry-run");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("sampler").asText()).isEqualTo("sedm-gpp");
        assertThat(json.get("es_scale").asDouble()).isEqualTo(1.0004);
        assertThat(json.get("dg_w1").asDouble()).isEqualTo(1.67);
        assertThat(json.get("dg_w2").asDouble()).isEqualTo(0.0);
        assertThat(json.get("steps").asInt()).isEqualTo(18);
        assertThat(json.get("seeds").size()).isEqualTo(5);
    }

    @Test
    void badOptionsNameTheOptionAndItsRange(@TempDir Path dir) throws Exception {
        String model = "gmm:" + gmm(dir);
        assertThat(run("--denoiser", model, "--steps", "1").err()).contains("--steps must be >= 2, got 1");
        assertThat(run("--denoiser", model, "--s-churn", "-1").err()).contains("--s-churn").contains(">= 0");
        assertThat(run("--denoiser", model, "--dg-window", "0.5,0.2").err()).contains("--dg-window").contains("0 <= MIN <= MAX <= 1");
        assertThat(run("--denoiser", model, "--sampler", "nope").err()).contains("--sampler must be one of").contains("pc-subvp");
        assertThat(run("--denoiser", model, "--sampler", "ddpm", "--eta", "2").err()).contains("--eta must be in [0, 1]");
        assertThat(run("--denoiser", model, "--sampler", "ddim", "--dg-w1", "1").err()).contains("--dg-w1 needs");
        assertThat(run("--denoiser", model, "--sampler", "edm-gpp").err()).contains("--discriminator");
        assertThat(run("--help").out()).contains("--s-churn").contains("Default: 0.002");
    }

    @Test
    void writesNpyAndPngAndLatentsReproduceTheSeeds(@TempDir Path dir) throws Exception {
        String model = "gmm:" + gmm(dir);
        Path a = dir.resolve("a");
        Result r = run("--denoiser", model, "--seeds", "0-7", "--batch", "3", "--shape", "1,2,2", "--out", a.toString(),
                "--dtype", "float64", "--probe");
        assertThat(r.code()).as(r.err()).isZero();
        Npy.Array samples = Npy.read(a.resolve("samples.npy"));
        assertThat(samples.shape()).containsExactly(8, 1, 2, 2);
        assertThat(ImageIO.read(a.resolve("grid.png").toFile()).getWidth()).isEqualTo(3 * 2);
        assertThat(Files.readAllLines(a.resolve("exposure.csv"))).hasSize(19);
        assertThat(a.resolve("options.json")).exists();

        // the same z given as --latents reproduces the samples exactly (deterministic sampler)
        double[] z;
        try (Generator g = Generator.ofSeedRange(0, 8); Tensor t = Latents.draw(g, new long[] {8, 1, 2, 2}, Device.CPU)) {
            z = t.toDoubleArray();
        }
        Path latents = dir.resolve("z.npy");
        Npy.write(latents, Npy.Array.ofDoubles(z, 8, 1, 2, 2));
        Path b = dir.resolve("b");
        r = run("--denoiser", model, "--seeds", "0-7", "--batch", "8", "--shape", "1,2,2", "--out", b.toString(),
                "--dtype", "float64", "--latents", latents.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Npy.read(b.resolve("samples.npy")).toDoubles()).containsExactly(samples.toDoubles());
    }

    @Test
    void npyHeaderIsVersionOneAlignedTo64Bytes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.npy");
        Npy.write(f, Npy.Array.ofFloats(new float[] {1, 2, 3}, 3));
        byte[] bytes = Files.readAllBytes(f);
        assertThat(bytes[6]).isEqualTo((byte) 1);
        assertThat(bytes[7]).isEqualTo((byte) 0);
        int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertThat((10 + headerLen) % 64).isZero();
        assertThat(new String(bytes, 10, headerLen)).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }").endsWith("\n");
        assertThat(Npy.read(f).toDoubles()).containsExactly(1, 2, 3);
    }

    @Test
    void nonFiniteSamplesAndMissingFilesFailWithAMessageAndWriteNothing(@TempDir Path dir) throws Exception {
        String model = "gmm:" + gmm(dir);
        double[] z = new double[2 * 4];
        z[5] = Double.NaN; // the second seed starts from NaN
        Path latents = dir.resolve("nan.npy");
        Npy.write(latents, Npy.Array.ofDoubles(z, 2, 4));
        Path out = dir.resolve("out");
        Result r = run("--denoiser", model, "--seeds", "10,11", "--latents", latents.toString(), "--out", out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("sample of seed 11 is not finite").contains("nothing was written");
        assertThat(out.resolve("samples.npy")).doesNotExist();

        r = run("--denoiser", "gmm:" + dir.resolve("missing.json"), "--out", out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("missing.json");
        r = run("--denoiser", "checkpoint:" + dir.resolve("nope.json"), "--out", out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("nope.json");
    }
}
