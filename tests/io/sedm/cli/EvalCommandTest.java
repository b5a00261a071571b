package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.Npy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** sedm eval and sedm train-features: bad input is one clear line (exit 2) and nothing is written. */
class EvalCommandTest {
    @TempDir
    Path dir;

    record Result(int rc, String out, String err) {}

    static Result run(String... args) {
        StringWriter err = new StringWriter();
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true));
            return new Result(cl.execute(args), out.toString(), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void badInputsAreOneLineErrorsAndWriteNothing() throws Exception {
        Path json = dir.resolve("report.json");
        Path cache = dir.resolve("cache");
        String[] common = {"eval", "--json", json.toString(), "--cache", cache.toString(), "--threads", "1"};

        Result missing = run(concat(common, dir.resolve("none.npy").toString()));
        assertThat(missing.rc()).isEqualTo(2);
        assertThat(missing.err()).contains("none.npy: no such file");

        float[] v = new float[4 * 1024];
        v[3 * 1024] = Float.POSITIVE_INFINITY;
        Path inf = dir.resolve("inf.npy");
        Npy.write(inf, Npy.Array.ofFloats(v, 4, 1, 32, 32));
        Result nonFinite = run(concat(common, inf.toString()));
        assertThat(nonFinite.rc()).isEqualTo(2);
        assertThat(nonFinite.err()).contains("inf.npy: image 3 has a non-finite value (Infinity) at pixel 0");

        Path rgb = dir.resolve("rgb.npy");
        Npy.write(rgb, Npy.Array.ofFloats(new float[4 * 3 * 1024], 4, 3, 32, 32));
        Result shape = run(concat(common, rgb.toString()));
        assertThat(shape.rc()).isEqualTo(2);
        assertThat(shape.err()).contains("rgb.npy: expected one channel");

        Path ok = dir.resolve("ok.npy");
        Npy.write(ok, Npy.Array.ofFloats(new float[8 * 1024], 8, 1, 32, 32));
        Result splits = run(concat(common, "--splits", "3", ok.toString(), ok.toString()));
        assertThat(splits.rc()).isEqualTo(2);
        assertThat(splits.err()).contains("--splits needs exactly one INPUT, got 2");

        Result features = run(concat(common, "--features", dir.resolve("f.json").toString(), ok.toString()));
        assertThat(features.rc()).isEqualTo(2);
        assertThat(features.err()).contains("f.json: no such file");

        Result k = run(concat(common, "--k", "0", ok.toString()));
        assertThat(k.rc()).isEqualTo(2);
        assertThat(k.err()).contains("--k must be in [1, 50], got 0");

        Result noFolder = run("eval", "--json", dir.resolve("no/r.json").toString(), ok.toString());
        assertThat(noFolder.rc()).isEqualTo(2);
        assertThat(noFolder.err()).contains("does not exist");

        assertThat(json).doesNotExist();
        assertThat(cache).doesNotExist();
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("inf.npy", "rgb.npy", "ok.npy");
    }

    @Test
    void trainFeaturesRefusesBadOptionsAndDryRunPrintsTheNetwork() {
        Result width =
                run("train-features", "--width", "1", "--out", dir.resolve("m").toString());
        assertThat(width.rc()).isEqualTo(2);
        assertThat(width.err()).contains("--width must be in [2, 256], got 1");
        Result shift =
                run("train-features", "--shift", "9", "--out", dir.resolve("m").toString());
        assertThat(shift.rc()).isEqualTo(2);
        assertThat(shift.err()).contains("shift must be in [0, 8], got 9");
        Result dry =
                run("train-features", "--dry-run", "--out", dir.resolve("m").toString());
        assertThat(dry.rc()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("\"kind\" : \"classifier\"", "\"model_channels\" : 16");
        assertThat(dir.resolve("m")).doesNotExist();
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
