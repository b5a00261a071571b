package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.Npy;
import io.sedm.train.SongUNetConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sedm train} end to end on 8×8 random images and a tiny U-Net (a few steps each, ~1 s). */
class TrainCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Path data;
    Path runs;
    String arch;

    record Result(int rc, String out, String err) {}

    @BeforeEach
    void setUp() {
        data = tinyImages(dir);
        runs = dir.resolve("runs");
        arch = SongUNetConfig.tiny(8, 1).toJson();
    }

    /** 16 random 8×8 gray images as {@code dir/images.npy} (uint8 NHWC), the tiny U-Net's data. */
    static Path tinyImages(Path dir) {
        byte[] px = new byte[16 * 8 * 8];
        new SplittableRandom(1).nextBytes(px);
        Path npy = dir.resolve("images.npy");
        Npy.write(npy, Npy.Array.ofBytes(px, 16, 8, 8, 1));
        return npy;
    }

    Result train(TrainCommand cmd, String... args) {
        StringWriter err = new StringWriter();
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            CommandLine cl = new CommandLine(cmd);
            cl.setErr(new PrintWriter(err, true));
            cl.setExecutionExceptionHandler((ex, c, p) -> {
                c.getErr().println(ex.getMessage());
                return ex instanceof IllegalArgumentException ? 2 : 1;
            });
            int rc = cl.execute(args);
            return new Result(rc, out.toString(), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    Result train(String... args) {
        return train(new TrainCommand(), args);
    }

    List<String> listing(Path d) throws IOException {
        if (!Files.isDirectory(d)) return List.of();
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    Result firstRun(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--arch",
                arch,
                "--data",
                data.toString(),
                "--data-limit",
                "12",
                "--batch",
                "4",
                "--lr",
                "2e-3",
                "--snap",
                "1",
                "--outdir",
                runs.toString(),
                "--threads",
                "1",
                "--quiet"));
        if (!List.of(extra).contains("--steps")) args.addAll(List.of("--steps", "3"));
        args.addAll(List.of(extra));
        return train(args.toArray(String[]::new));
    }

    @Test
    void resumeContinuesTheRunWithItsOwnSettings() throws IOException {
        assertThat(firstRun().rc()).isZero();
        Path first = runs.resolve("00001-train");
        assertThat(listing(first)).contains("checkpoint-00000001.json", "checkpoint-00000003.json");
        Path ckpt = first.resolve("checkpoint-00000002.json");
        Result r = train("--resume", ckpt.toString(), "--steps", "4", "--outdir", runs.toString(), "--quiet");
        assertThat(r.rc()).as(r.err()).isZero();
        Path second = runs.resolve("00002-train");
        JsonNode a = JSON.readTree(first.resolve("options.json").toFile()),
                b = JSON.readTree(second.resolve("options.json").toFile());
        assertThat(b.get("network")).isEqualTo(a.get("network"));
        ObjectNode ta = (ObjectNode) a.get("training").deepCopy(),
                tb = (ObjectNode) b.get("training").deepCopy();
        assertThat(tb.get("steps").asLong()).isEqualTo(4);
        assertThat(tb.get("batchSize").asInt()).isEqualTo(4);
        assertThat(tb.get("dataLimit").asInt()).isEqualTo(12);
        ta.remove("steps");
        tb.remove("steps");
        assertThat(tb).isEqualTo(ta);
        String log = Files.readString(second.resolve("log.txt"));
        assertThat(log)
                .contains("resumed from " + ckpt + " at step 2 with --steps 4 (was 3)")
                .contains("step 4 kimg 0.016");
        assertThat(listing(second)).contains("checkpoint-00000004.json");
        // the checkpoint resumed from is untouched by the new run's retention
        assertThat(ckpt).exists();
    }

    @Test
    void aFlagThatChangesAResumedRunsSettingIsRefused() throws IOException {
        assertThat(firstRun().rc()).isZero();
        Path ckpt = runs.resolve("00001-train/checkpoint-00000003.json");
        Result r = train("--resume", ckpt.toString(), "--steps", "5", "--batch", "8", "--outdir", runs.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).contains("--batch 8 (the checkpoint has 4) conflicts");
        // repeating a recorded value is fine; nothing was created by the refused run
        assertThat(listing(runs)).containsExactly("00001-train");
    }

    @Test
    void divergenceStopsWithANonZeroExitAndTheLastGoodCheckpointIntact() throws IOException {
        assertThat(firstRun().rc()).isZero();
        Path src = runs.resolve("00001-train");
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        for (String f : listing(src)) {
            if (f.startsWith("checkpoint-00000003")) Files.copy(src.resolve(f), bad.resolve(f));
        }
        Path side = bad.resolve("checkpoint-00000003.json");
        ObjectNode s = (ObjectNode) JSON.readTree(side.toFile());
        ((ObjectNode) s.get("training")).put("lr", 1e30).put("lrRampupImages", 0.0);
        Files.writeString(side, s.toPrettyString());
        byte[] before = Files.readAllBytes(bad.resolve("checkpoint-00000003-net.safetensors"));
        Result r = train("--resume", side.toString(), "--steps", "10", "--outdir", runs.toString(), "--quiet");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).contains("training diverged at step 4").contains("no checkpoint of this state was written");
        assertThat(Files.readAllBytes(bad.resolve("checkpoint-00000003-net.safetensors")))
                .isEqualTo(before);
        assertThat(listing(runs)).containsExactly("00001-train"); // the failed run left no folder
    }

    @Test
    void retentionKeepsTheNewestAndTheMilestonesWithMode0644() throws IOException {
        assertThat(firstRun("--steps", "5", "--keep-last", "2", "--keep-every", "2")
                        .rc())
                .isZero();
        Path run = runs.resolve("00001-train");
        assertThat(listing(run).stream()
                        .filter(n -> n.endsWith(".json") && n.startsWith("checkpoint"))
                        .toList())
                .containsExactly("checkpoint-00000002.json", "checkpoint-00000004.json", "checkpoint-00000005.json");
        for (String f : listing(run)) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(run.resolve(f))))
                    .as(f)
                    .isEqualTo("rw-r--r--");
        }
    }

    @Test
    void anInterruptWritesACheckpointOfTheCurrentStepAndPrintsTheResumeCommand() throws IOException {
        TrainCommand cmd = new TrainCommand();
        cmd.stopAfterStepsForTest = 2;
        Result r = train(
                cmd,
                "--arch",
                arch,
                "--data",
                data.toString(),
                "--batch",
                "4",
                "--steps",
                "10",
                "--snap",
                "0",
                "--outdir",
                runs.toString(),
                "--threads",
                "1",
                "--quiet");
        assertThat(r.rc()).isEqualTo(130);
        Path side = runs.resolve("00001-train/checkpoint-00000002.json");
        assertThat(side).exists();
        assertThat(r.out()).contains("resume with: sedm train --resume " + side + " --steps 10");
    }

    @Test
    void badInputsFailBeforeARunFolderExists() throws IOException {
        Path garbage = dir.resolve("garbage.npz");
        Files.write(garbage, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        Path empty = dir.resolve("empty.npy");
        Npy.write(empty, Npy.Array.ofBytes(new byte[0], 0, 8, 8, 1));
        Path evil = dir.resolve("evil.json");
        record Case(String message, String... args) {}
        List<Case> cases = List.of(
                new Case("--lr must be in (0, 1]", "--lr", "1e30"),
                new Case("--lr-rampup-kimg must be >= 0", "--lr-rampup-kimg", "-1"),
                new Case("--snap must be >= 0", "--snap", "-1"),
                new Case(
                        "--batch 1000000000 needs", "--batch", "1000000000", "--arch", arch, "--data", data.toString()),
                new Case("--arch must be a JSON object", "--arch", "[1, 2]"),
                new Case("--data " + garbage + ": n", "--arch", arch, "--data", garbage.toString()),
                new Case("holds no images", "--arch", arch, "--data", empty.toString()),
                new Case(
                        "--data " + dir.resolve("missing.npy") + ": no such file",
                        "--arch",
                        arch,
                        "--data",
                        dir.resolve("missing.npy").toString()),
                new Case("checkpoint " + evil + ": no such file", "--resume", evil.toString()));
        for (Case c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of(c.args()));
            args.addAll(List.of("--outdir", runs.toString(), "--steps", "1", "--quiet"));
            Result r = train(args.toArray(String[]::new));
            assertThat(r.rc()).as(String.join(" ", c.args())).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", c.args())).contains(c.message());
            assertThat(listing(runs)).isEmpty();
        }
    }
}
