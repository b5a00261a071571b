package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sedm eval and sedm train-features: bad input is one clear line (exit 2) and nothing is written. */
class EvalCommandTest {
    @TempDir
    Path dir;

    @Test
    void badInputsAreOneLineErrorsAndWriteNothing() throws Exception {
        Path json = dir.resolve("report.json");
        Path cache = dir.resolve("cache");
        String[] common = {"eval", "--json", json.toString(), "--cache", cache.toString(), "--threads", "1"};

        CliRun.Result missing =
                CliRun.run(concat(common, dir.resolve("none.npy").toString()));
        assertThat(missing.rc()).isEqualTo(2);
        assertThat(missing.err()).contains("none.npy: no such file");

        float[] v = new float[4 * 1024];
        v[3 * 1024] = Float.POSITIVE_INFINITY;
        Path inf = dir.resolve("inf.npy");
        Npy.write(inf, Npy.Array.ofFloats(v, 4, 1, 32, 32));
        CliRun.Result nonFinite = CliRun.run(concat(common, inf.toString()));
        assertThat(nonFinite.rc()).isEqualTo(2);
        assertThat(nonFinite.err()).contains("inf.npy: image 3 has a non-finite value (Infinity) at pixel 0");

        Path rgb = dir.resolve("rgb.npy");
        Npy.write(rgb, Npy.Array.ofFloats(new float[4 * 3 * 1024], 4, 3, 32, 32));
        CliRun.Result shape = CliRun.run(concat(common, rgb.toString()));
        assertThat(shape.rc()).isEqualTo(2);
        assertThat(shape.err()).contains("rgb.npy: expected one channel");

        Path ok = dir.resolve("ok.npy");
        Npy.write(ok, Npy.Array.ofFloats(new float[8 * 1024], 8, 1, 32, 32));
        CliRun.Result splits = CliRun.run(concat(common, "--splits", "3", ok.toString(), ok.toString()));
        assertThat(splits.rc()).isEqualTo(2);
        assertThat(splits.err()).contains("--splits needs exactly one INPUT, got 2");

        CliRun.Result features =
                CliRun.run(concat(common, "--features", dir.resolve("f.json").toString(), ok.toString()));
        assertThat(features.rc()).isEqualTo(2);
        assertThat(features.err()).contains("f.json: no such file");

        CliRun.Result k = CliRun.run(concat(common, "--k", "0", ok.toString()));
        assertThat(k.rc()).isEqualTo(2);
        assertThat(k.err()).contains("--k must be in [1, 50], got 0");

        CliRun.Result noFolder =
                CliRun.run("eval", "--json", dir.resolve("no/r.json").toString(), ok.toString());
        assertThat(noFolder.rc()).isEqualTo(2);
        assertThat(noFolder.err()).contains("does not exist");

        assertThat(json).doesNotExist();
        assertThat(cache).doesNotExist();
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("inf.npy", "rgb.npy", "ok.npy");
    }

    @Test
    void trainFeaturesRefusesBadOptionsAndDryRunPrintsTheNetwork() {
        CliRun.Result width = CliRun.run(
                "train-features", "--width", "1", "--out", dir.resolve("m").toString());
        assertThat(width.rc()).isEqualTo(2);
        assertThat(width.err()).contains("--width must be in [2, 256], got 1");
        CliRun.Result shift = CliRun.run(
                "train-features", "--shift", "9", "--out", dir.resolve("m").toString());
        assertThat(shift.rc()).isEqualTo(2);
        assertThat(shift.err()).contains("shift must be in [0, 8], got 9");
        CliRun.Result dry = CliRun.run(
                "train-features", "--dry-run", "--out", dir.resolve("m").toString());
        assertThat(dry.rc()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("\"kind\" : \"classifier\"", "\"model_channels\" : 32", "\"steps\" : 8000");
        assertThat(dir.resolve("m")).doesNotExist();
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
