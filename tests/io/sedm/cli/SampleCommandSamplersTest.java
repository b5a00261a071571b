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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every sampler family the command offers, wired end to end on the §14.1 mixture with its exact
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

    static Stream<Arguments> samplers() {
        return Stream.of(
                Arguments.of("edm", new String[] {"--steps", "18"}),
                Arguments.of("edm-es", new String[] {"--steps", "18"}),
                Arguments.of("ablation-vp", new String[] {"--steps", "18"}),
                Arguments.of("ablation-ve", new String[] {"--steps", "64"}),
                Arguments.of("ablation-iddpm", new String[] {"--steps", "18"}),
                Arguments.of("ddim", new String[] {"--steps", "50", "--eta", "0"}),
                Arguments.of("ddim", new String[] {"--steps", "100", "--eta", "1"}),
                Arguments.of("ddpm", new String[] {"--steps", "250", "--variance", "large", "--beta-schedule", "cosine"}),
                Arguments.of("pc-ve", new String[] {"--steps", "500"}),
                Arguments.of("pc-vp", new String[] {"--steps", "500", "--corrector-steps", "0"}),
                Arguments.of("pc-subvp", new String[] {"--steps", "500", "--corrector-steps", "0"}),
                Arguments.of("ode-vp", new String[] {"--steps", "2", "--ode-method", "rk45"}),
                Arguments.of("ode-ve", new String[] {"--steps", "100", "--ode-method", "heun"}),
                Arguments.of("ncsn", new String[] {"--steps", "10", "--sigma-max", "3", "--sigma-min", "0.01"}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("samplers")
    void samplesTheMixture(String sampler, String[] extra) throws Exception {
        Path out = dir.resolve(sampler + extra.length + extra[1]);
        String[] base = {"--sampler", sampler, "--denoiser", "gmm:" + model, "--seeds", "0-399", "--batch", "200",
            "--dtype", "float64", "--out", out.toString()};
        String[] args = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SampleCommand());
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        assertThat(cli.execute(args)).as(err.toString()).isZero();
        double[] x = Npy.read(out.resolve("samples.npy")).toDoubles();
        double[] exact = GaussianMixture.fixture2d().sample(400, 99);
        double sw = SlicedWasserstein.estimate(rows(x), rows(exact), 1, 64, new SplittableRandom(1)).value();
        System.out.printf("sample --sampler %s %s: sliced W1 to exact draws %.4f%n", sampler, String.join(" ", extra), sw);
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
