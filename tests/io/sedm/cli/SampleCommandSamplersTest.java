package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.Npy;
import io.sedm.data.toy.GaussianMixture;
import io.sedm.eval.toy.SlicedWasserstein;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every sampler the command offers, with its default options, wired end to end on the §14.1 mixture with its exact
 * denoiser: sliced W1 (64 fixed directions) between 400 samples and 400 exact draws. Two exact
 * sets of 400 lie ≈ 0.07 apart, so 0.15 catches a mis-wired schedule or sampler (those land
 * near 0.3 or far above), while the samplers' own accuracy is tested in io.sedm.sampler.
 */
class SampleCommandSamplersTest {
    @TempDir
    static Path dir;

    private static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        model = dir.resolve("a.json");
        Files.writeString(model, GaussianMixture.fixture2d().toJson());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sedm.cli.SamplerOptionsTest#allSamplers")
    void samplesTheMixtureWithItsDefaults(String sampler) throws Exception {
        Path out = dir.resolve(sampler);
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        // the gpp samplers get the exact oracle between the data and the (here exact) model: zero guidance, as DG
        // should give
        String[] guided = sampler.endsWith("gpp") ? new String[] {"--discriminator", "oracle:" + model} : new String[0];
        String[] args = {
            "sample",
            "--sampler",
            sampler,
            "--denoiser",
            "gmm:" + model,
            "--seeds",
            "0-399",
            "--batch",
            "200",
            "--dtype",
            "float64",
            "--outdir",
            out.toString()
        };
        int rc = cli.execute(
                java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(guided))
                        .toArray(String[]::new));
        assertThat(rc).as(err.toString()).isZero();
        double[] x = Npy.read(out.resolve("samples.npy")).toDoubles();
        double[] exact = GaussianMixture.fixture2d().sample(400, 99);
        double sw = SlicedWasserstein.estimate(rows(x), rows(exact), 1, 64, new SplittableRandom(1))
                .value();
        System.out.printf("sample --sampler %s (defaults): sliced W1 to exact draws %.4f%n", sampler, sw);
        assertThat(sw).isLessThan(0.15);
    }

    private static double[][] rows(double[] flat) {
        double[][] r = new double[flat.length / 2][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new double[] {flat[2 * i], flat[2 * i + 1]};
        }
        return r;
    }
}
