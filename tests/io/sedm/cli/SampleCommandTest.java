package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sedm.data.Npy;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Latents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SampleCommandTest {
    private static final String GMM4 = "{\"weights\": [0.5, 0.5], \"means\": [[-0.5, 0, 0.5, 0], [0.5, 0.2, -0.5, 0]],"
            + " \"variances\": [0.02, 0.05]}";

    @TempDir
    static Path shared;

    private record Result(int code, String out, String err) {}

    /** Runs {@code sedm sample ARGS} through {@link Main#commandLine()}, the handlers users get. */
    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code =
                cli.execute(Stream.concat(Stream.of("sample"), Stream.of(args)).toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    private static Path gmm(Path dir) throws Exception {
        Path f = dir.resolve("gmm.json");
        Files.writeString(f, GMM4);
        return f;
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
    }

    @Test
    void dryRunPrintsTheResolvedOptionsWithPerSamplerDefaults(@TempDir Path dir) throws Exception {
        Result r = run(
                "--sampler",
                "sedm-gpp",
                "--denoiser",
                "gmm:" + gmm(dir),
                "--discriminator",
                "oracle:" + gmm(dir),
                "--seeds",
                "0-3,9",
                "--dry-run",
                "--outdir",
                dir.resolve("never").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = SampleCommand.JSON.readTree(r.out());
        JsonNode plan = json.get("sampler");
        assertThat(plan.get("sampler").asText()).isEqualTo("sedm-gpp");
        assertThat(plan.get("esScale").asDouble()).isEqualTo(1.0004);
        assertThat(plan.get("dgW1").asDouble()).isEqualTo(1.67);
        assertThat(plan.get("dgW2").asDouble()).isEqualTo(0.0);
        assertThat(plan.get("steps").asInt()).isEqualTo(18);
        assertThat(json.get("count").asInt()).isEqualTo(5);
        assertThat(dir.resolve("never")).doesNotExist();
    }

    /** options.json holds every setting of every family and reads back to the same options. */
    @ParameterizedTest
    @MethodSource("io.sedm.cli.SamplerOptionsTest#samplers")
    void optionsRoundTripForEveryFamily(String sampler) throws Exception {
        Result r = run("--sampler", sampler, "--denoiser", "gmm:" + gmm(shared), "--dry-run");
        assertThat(r.code()).as(r.err()).isZero();
        SampleCommand.RunOptions o = SampleCommand.JSON.readValue(r.out(), SampleCommand.RunOptions.class);
        assertThat(SampleCommand.JSON.writeValueAsString(o).strip())
                .isEqualTo(r.out().strip());
        Class<?> family = o.sampler().getClass();
        JsonNode plan = SampleCommand.JSON.readTree(r.out()).get("sampler");
        for (var c : family.getRecordComponents()) {
            assertThat(plan.has(c.getName()))
                    .as(sampler + " options.json lacks " + c.getName())
                    .isTrue();
        }
    }

    static Stream<Arguments> badInput() throws Exception {
        String m = "gmm:" + gmm(shared);
        String[] b = {"--denoiser", m};
        Path int64 = shared.resolve("int64.npy");
        Npy.write(int64, Npy.Array.ofLongs(new long[4 * 2], 2, 4));
        Path uint8 = shared.resolve("uint8.npy");
        Npy.write(uint8, Npy.Array.ofBytes(new byte[4 * 2], 2, 4));
        Path huge = shared.resolve("huge.npy");
        Npy.write(huge, Npy.Array.ofDoubles(new double[] {1e30, 0, 0, 0, 0, 0, 0, 0}, 2, 4));
        Path broken = shared.resolve("broken.json");
        Files.writeString(broken, "{ not json");
        List<Arguments> cases = new ArrayList<>();
        // values outside the hard range, where the maths breaks
        cases.add(Arguments.of(with(b, "--steps", "1"), "--steps must be in [2, 10000]"));
        cases.add(Arguments.of(with(b, "--steps", "1000000"), "--steps must be in [2, 10000]"));
        cases.add(Arguments.of(with(b, "--sigma-max", "1e30"), "--sigma-max must be in"));
        cases.add(Arguments.of(with(b, "--sigma-min", "0"), "--sigma-min must be in"));
        cases.add(Arguments.of(with(b, "--s-churn", "-1"), "--s-churn must be in [0.0, 1000.0]"));
        cases.add(Arguments.of(with(b, "--s-noise", "1e6"), "--s-noise must be in [0.0, 10.0]"));
        cases.add(Arguments.of(with(b, "--sampler", "ode-ve", "--rtol", "1e-300"), "--rtol must be in [1.0E-12, 0.1]"));
        cases.add(Arguments.of(with(b, "--sampler", "ode-ve", "--rtol", "Infinity"), "--rtol must be in"));
        cases.add(Arguments.of(with(b, "--sampler", "ode-vp", "--atol", "NaN"), "--atol must be in"));
        cases.add(Arguments.of(with(b, "--sampler", "ddim", "--eta", "2"), "--eta must be in [0.0, 1.0]"));
        cases.add(Arguments.of(with(b, "--dg-window", "0.5,0.2"), "--dg-window does not apply"));
        cases.add(Arguments.of(
                with(
                        b,
                        "--sampler",
                        "edm-gpp",
                        "--discriminator",
                        "oracle:" + m.substring(4),
                        "--dg-window",
                        "0.5,0.2"),
                "--dg-window must be MIN,MAX with 0 <= MIN <= MAX <= 1"));
        cases.add(Arguments.of(
                with(b, "--sampler", "edm-gpp", "--discriminator", "oracle:" + m.substring(4), "--dg-w1", "1e6"),
                "--dg-w1 must be in [-100.0, 100.0]"));
        // values outside the papers' usual range
        cases.add(Arguments.of(
                with(b, "--sigma-max", "5000"), "--sigma-max 5000.0 is outside the usual range [1.0, 500.0]"));
        cases.add(Arguments.of(with(b, "--s-noise", "3"), "--s-noise 3.0 is outside the usual range"));
        cases.add(Arguments.of(
                with(b, "--sampler", "edm-es", "--es-scale", "0.5"),
                "--es-scale 0.5 is outside the usual range [0.99, 1.02]"));
        cases.add(Arguments.of(with(b, "--sampler", "edm-es", "--es-scale", "100"), "--es-scale must be in"));
        cases.add(Arguments.of(with(b, "--sampler", "edm-es", "--es-slope", "0.01"), "--es-slope"));
        cases.add(Arguments.of(
                with(b, "--sampler", "sedm-gpp", "--discriminator", "oracle:" + m.substring(4), "--dg-w2", "50"),
                "--dg-w2 50.0 is outside the usual range [0.0, 5.0]"));
        cases.add(Arguments.of(
                with(b, "--sampler", "edm-gpp", "--discriminator", "oracle:" + m.substring(4), "--dg-w1", "-3"),
                "--dg-w1 -3.0 is outside the usual range"));
        cases.add(Arguments.of(with(b, "--rho", "500"), "--rho 500.0 is outside the usual range"));
        cases.add(Arguments.of(
                with(b, "--sampler", "ncsn", "--langevin-eps", "0.5"),
                "--langevin-eps 0.5 is outside the usual range"));
        // flags the chosen sampler does not read
        cases.add(Arguments.of(
                with(b, "--sampler", "ddpm", "--sigma-max", "10"), "--sigma-max does not apply to --sampler ddpm"));
        cases.add(Arguments.of(with(b, "--sampler", "pc-vp", "--rho", "7"), "--rho does not apply to --sampler pc-vp"));
        cases.add(
                Arguments.of(with(b, "--sampler", "ablation-ve", "--sigma-min", "0.01"), "--sigma-min does not apply"));
        cases.add(Arguments.of(with(b, "--sampler", "ode-ve", "--s-churn", "1"), "--s-churn does not apply"));
        cases.add(Arguments.of(with(b, "--sampler", "edm", "--eta", "0.5"), "--eta does not apply to --sampler edm"));
        cases.add(Arguments.of(with(b, "--sampler", "ddim", "--dg-w1", "1"), "--dg-w1 does not apply"));
        cases.add(Arguments.of(with(b, "--es-scale", "1.001"), "--es-scale does not apply to --sampler edm"));
        // names, lists and files
        cases.add(Arguments.of(with(b, "--sampler", "nope"), "--sampler must be one of"));
        cases.add(Arguments.of(with(b, "--sampler", "edm-gpp"), "needs --discriminator"));
        cases.add(Arguments.of(
                with(b, "--seeds", "9223372036854775806-9223372036854775807,0-999999"),
                "--seeds names more than 1000000"));
        cases.add(Arguments.of(with(b, "--seeds", "0-9223372036854775807"), "--seeds names more than 1000000"));
        cases.add(Arguments.of(with(b, "--seeds", "-5"), "--seeds must be non-negative"));
        cases.add(Arguments.of(with(b, "--seeds", "3-1"), "--seeds must be non-negative seeds and ranges"));
        cases.add(Arguments.of(with(b, "--seeds", "1,,2"), "--seeds must be"));
        cases.add(Arguments.of(with(b, "--batch", "0"), "--batch must be in [1, 65536]"));
        cases.add(Arguments.of(with(b, "--shape", "0,2"), "--shape must be"));
        cases.add(Arguments.of(with(b, "--dtype", "int8"), "--dtype must be"));
        cases.add(Arguments.of(with(b, "--threads", "0"), "--threads must be between 1 and 4096"));
        cases.add(Arguments.of(with(b, "--device", "tpu"), "tpu"));
        cases.add(Arguments.of(with(b, "--device", "cuda:7"), "--device cuda:7: this machine has"));
        cases.add(Arguments.of(with(b, "--steps", "many"), "--steps"));
        cases.add(Arguments.of(
                new String[] {"--denoiser", "gmm:" + shared.resolve("missing.json")}, "--denoiser: no such file"));
        cases.add(Arguments.of(
                new String[] {"--denoiser", "model.json"}, "--denoiser must be gmm:FILE.json or checkpoint:"));
        cases.add(Arguments.of(
                with(b, "--latents", shared.resolve("missing.npy").toString()), "--latents: no such file"));
        cases.add(Arguments.of(
                with(b, "--sampler", "edm-gpp", "--discriminator", "oracle:" + shared.resolve("x.json")),
                "--discriminator: no such file"));
        // file contents, found after the options pass
        cases.add(Arguments.of(
                with(b, "--seeds", "0,1", "--latents", int64.toString()),
                "holds int64 values; latents are float32 or float64"));
        cases.add(Arguments.of(
                with(b, "--seeds", "0,1", "--latents", uint8.toString()),
                "holds uint8 values; latents are float32 or float64"));
        cases.add(Arguments.of(
                with(b, "--seeds", "0,1", "--latents", huge.toString()), "standard normal draws lie within ±10"));
        cases.add(
                Arguments.of(with(b, "--seeds", "0-2", "--latents", huge.toString()), "3 seeds × 4 values are needed"));
        cases.add(Arguments.of(with(b, "--shape", "1,3"), "--shape 1,3 has 3 elements but the model's sample has 4"));
        cases.add(Arguments.of(new String[] {"--denoiser", "checkpoint:" + broken}, "broken.json"));
        return cases.stream();
    }

    /** Every class of bad input: a one-line message naming the flag, exit code != 0, no help dump, nothing written. */
    @ParameterizedTest
    @MethodSource("badInput")
    void badInputIsRefusedWithOneLineAndWritesNothing(String[] args, String message) {
        Path out = shared.resolve(
                "bad-" + Integer.toHexString(String.join(" ", args).hashCode()));
        Result r = run(with(args, "--outdir", out.toString()));
        assertThat(r.code()).as(r.err()).isNotZero();
        assertThat(r.err()).contains(message).doesNotContain("Usage:").doesNotContain("\tat ");
        assertThat(r.err().lines().count()).as(r.err()).isLessThanOrEqualTo(2);
        assertThat(out).doesNotExist();
    }

    @Test
    void allowUnusualLetsAnUnusualValueRun() throws Exception {
        Result r = run(
                "--sampler",
                "edm-es",
                "--denoiser",
                "gmm:" + gmm(shared),
                "--es-scale",
                "1.05",
                "--allow-unusual",
                "--dry-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(SampleCommand.JSON
                        .readTree(r.out())
                        .get("sampler")
                        .get("esScale")
                        .asDouble())
                .isEqualTo(1.05);
    }

    @Test
    void nanDuringSamplingNamesTheStepAndSigmaAndWritesNothing(@TempDir Path dir) throws Exception {
        double[] z = new double[2 * 4];
        java.util.Arrays.fill(z, 1e300); // x_0 = 80·1e300 overflows to Inf: the first step's denoised value is NaN
        Path latents = dir.resolve("z.npy");
        Npy.write(latents, Npy.Array.ofDoubles(z, 2, 4));
        Path out = dir.resolve("out");
        Result r = run(
                "--denoiser",
                "gmm:" + gmm(dir),
                "--seeds",
                "10,11",
                "--latents",
                latents.toString(),
                "--allow-unusual",
                "--outdir",
                out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("the sample of seed 10 became").contains("at step 0 of 18 (σ = 80.00)");
        assertThat(out).doesNotExist();
    }

    @Test
    void finiteSamplesFarOutsideTheDataAreNotWritten(@TempDir Path dir) throws Exception {
        // ε = 3e-4 gives r = ε/σ_L² = 3 at every Langevin step: x ← −2x + ..., 40 steps grow x by ≈ 2^40, finite
        Path out = dir.resolve("out");
        Result r = run(
                "--sampler",
                "ncsn",
                "--steps",
                "2",
                "--langevin-steps",
                "20",
                "--langevin-eps",
                "3e-4",
                "--denoiser",
                "gmm:" + gmm(dir),
                "--seeds",
                "0-3",
                "--outdir",
                out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("far outside the data range").contains("nothing was written");
        assertThat(out).doesNotExist();
    }

    @Test
    void writesNpyAndPngAndLatentsReproduceTheSeeds(@TempDir Path dir) throws Exception {
        String model = "gmm:" + gmm(dir);
        Path a = dir.resolve("a");
        Result r = run(
                "--denoiser",
                model,
                "--seeds",
                "0-7",
                "--batch",
                "3",
                "--shape",
                "1,2,2",
                "--outdir",
                a.toString(),
                "--dtype",
                "float64",
                "--probe");
        assertThat(r.code()).as(r.err()).isZero();
        Npy.Array samples = Npy.read(a.resolve("samples.npy"));
        assertThat(samples.shape()).containsExactly(8, 1, 2, 2);
        assertThat(ImageIO.read(a.resolve("grid.png").toFile()).getWidth()).isEqualTo(3 * 2);
        assertThat(Files.readAllLines(a.resolve("exposure.csv"))).hasSize(19);
        try (var files = Files.list(a)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("options.json", "samples.npy", "grid.png", "exposure.csv");
        }
        for (String f : new String[] {"options.json", "samples.npy", "grid.png", "exposure.csv"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a.resolve(f))))
                    .as(f)
                    .isEqualTo("rw-r--r--");
        }

        // the same z given as --latents reproduces the samples exactly (deterministic sampler)
        double[] z;
        try (Generator g = Generator.ofSeedRange(0, 8);
                Tensor t = Latents.draw(g, new long[] {8, 1, 2, 2}, Device.CPU)) {
            z = t.toDoubleArray();
        }
        Path latents = dir.resolve("z.npy");
        Npy.write(latents, Npy.Array.ofDoubles(z, 8, 1, 2, 2));
        Path b = dir.resolve("b");
        r = run(
                "--denoiser",
                model,
                "--seeds",
                "0-7",
                "--batch",
                "8",
                "--shape",
                "1,2,2",
                "--outdir",
                b.toString(),
                "--dtype",
                "float64",
                "--latents",
                latents.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Npy.read(b.resolve("samples.npy")).toDoubles()).containsExactly(samples.toDoubles());

        // a second run into folder a without --shape and --probe leaves no grid.png or exposure.csv of the first
        r = run("--denoiser", model, "--seeds", "0-1", "--outdir", a.toString());
        assertThat(r.code()).as(r.err()).isZero();
        try (var files = Files.list(a)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("options.json", "samples.npy");
        }
    }

    @Test
    void aLiveRunsLockIsRespectedAndADeadRunsLeftoversAreCleaned(@TempDir Path dir) throws Exception {
        String model = "gmm:" + gmm(dir);
        Path out = Files.createDirectories(dir.resolve("out"));
        long live = ProcessHandle.current().parent().orElseThrow().pid();
        Files.writeString(out.resolve(RunFolder.LOCK), Long.toString(live));
        Result r = run("--denoiser", model, "--seeds", "0-3", "--outdir", out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("is being written by another run (pid " + live);
        assertThat(out.resolve("samples.npy")).doesNotExist();

        long dead =
                ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1) + 100_000;
        Files.writeString(out.resolve(RunFolder.LOCK), Long.toString(dead));
        Files.writeString(out.resolve("samples.npy.tmp"), "half-written");
        r = run("--denoiser", model, "--seeds", "0-3", "--outdir", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("options.json", "samples.npy");
        }
    }

    @ParameterizedTest(name = "quiet = {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void progressReportsImagesDoneOnStderrUnlessQuiet(boolean quiet, @TempDir Path dir) throws Exception {
        var captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        String before = System.getProperty("sedm.progress");
        System.clearProperty("sedm.progress");
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            List<String> args = new ArrayList<>(List.of(
                    "--denoiser",
                    "gmm:" + gmm(dir),
                    "--seeds",
                    "0-7",
                    "--batch",
                    "3",
                    "--outdir",
                    dir.resolve("o").toString()));
            if (quiet) {
                args.add("--quiet");
            }
            Result r = run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
        } finally {
            System.setErr(saved);
            if (before != null) {
                System.setProperty("sedm.progress", before);
            }
        }
        // stderr is not a terminal here, so Progress prints its plain closing line, unless --quiet
        String err = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (quiet) {
            assertThat(err).doesNotContain("sample edm:");
        } else {
            assertThat(err).contains("sample edm: 8/8 img (100%)");
        }
    }

    @Test
    void seedRangesEndingAtLongMaxDoNotOverflow() {
        assertThat(SampleCommand.parseSeeds("9223372036854775806-9223372036854775807"))
                .containsExactly(9223372036854775806L, 9223372036854775807L);
        assertThat(SampleCommand.parseSeeds("1,5,10-12")).containsExactly(1, 5, 10, 11, 12);
    }

    @Test
    void helpShowsEveryFamilysFlags() {
        Result r = run("--help");
        assertThat(r.out())
                .contains("--s-churn")
                .contains("--langevin-eps")
                .contains("--outdir")
                .contains("--threads")
                .contains("--allow-unusual");
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
        assertThat(new String(bytes, 10, headerLen))
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")
                .endsWith("\n");
        assertThat(Npy.read(f).toDoubles()).containsExactly(1, 2, 3);
    }
}
