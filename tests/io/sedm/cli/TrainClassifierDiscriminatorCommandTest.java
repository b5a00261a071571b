package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.FashionMnist;
import io.sedm.data.Npy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** train-classifier and train-discriminator: tiny runs, resume with the run's settings, wrong-kind sidecars. */
class TrainClassifierDiscriminatorCommandTest {
    @TempDir
    Path dir;

    record Result(int rc, String out, String err) {}

    static Result run(Object cmd, String... args) {
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
            return new Result(cl.execute(args), out.toString(), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void classifierThenDiscriminatorResumeAndRefuseTheWrongKind() throws IOException {
        Assumptions.assumeTrue(FashionMnist.available(FashionMnist.directory()), "Fashion-MNIST not installed");
        Path runs = dir.resolve("runs");
        String[] common = {
            "--data-limit", "16", "--batch", "2", "--outdir", runs.toString(), "--threads", "1", "--quiet"
        };
        Result c = run(
                new TrainClassifierCommand(),
                concat(
                        common,
                        "--width",
                        "8",
                        "--depth",
                        "1",
                        "--mult",
                        "1,2",
                        "--attn",
                        "16",
                        "--steps",
                        "1",
                        "--eval-images",
                        "0"));
        assertThat(c.rc()).as(c.err()).isZero();
        Path cls = runs.resolve("00001-classifier/classifier.json");
        // a two-level trunk with attention at 16x16 only: the discriminator head below sits on its 16x16 output
        assertThat(Files.readString(cls))
                .contains("\"channel_mult\" : [ 1, 2 ]")
                .contains("\"attn_resolutions\" : [ 16 ]");
        assertThat(Files.readString(runs.resolve("00001-classifier/log.txt"))).doesNotContain("test accuracy");

        Result refused = run(
                new TrainClassifierCommand(),
                "--resume",
                cls.toString(),
                "--steps",
                "2",
                "--width",
                "16",
                "--outdir",
                runs.toString());
        assertThat(refused.rc()).isEqualTo(2);
        assertThat(refused.err()).contains("--width 16 (the checkpoint has 8) conflicts");
        Result refusedAttn = run(
                new TrainClassifierCommand(),
                "--resume",
                cls.toString(),
                "--attn",
                "none",
                "--outdir",
                runs.toString());
        assertThat(refusedAttn.rc()).isEqualTo(2);
        assertThat(refusedAttn.err()).contains("--attn [] (the checkpoint has [16]) conflicts");

        byte[] px = new byte[8 * 32 * 32];
        new SplittableRandom(2).nextBytes(px);
        Path fake = dir.resolve("fake.npy");
        Npy.write(fake, Npy.Array.ofBytes(px, 8, 32, 32, 1));
        Result d = run(
                new TrainDiscriminatorCommand(),
                concat(common, "--classifier", cls.toString(), "--fake", fake.toString(), "--steps", "1"));
        assertThat(d.rc()).as(d.err()).isZero();
        Path disc = runs.resolve("00002-discriminator/discriminator.json");
        Result resumed = run(
                new TrainDiscriminatorCommand(),
                "--classifier",
                cls.toString(),
                "--fake",
                fake.toString(),
                "--resume",
                disc.toString(),
                "--steps",
                "2",
                "--outdir",
                runs.toString(),
                "--threads",
                "1",
                "--quiet");
        assertThat(resumed.rc()).as(resumed.err()).isZero();
        assertThat(Files.readString(runs.resolve("00003-discriminator/log.txt")))
                .contains("resumed from " + disc + " at step 1 with --steps 2 (was 1)")
                .contains("step 2 bce");

        Result wrong = run(
                new TrainDiscriminatorCommand(),
                "--classifier",
                disc.toString(),
                "--fake",
                fake.toString(),
                "--outdir",
                runs.toString());
        assertThat(wrong.rc()).isEqualTo(2);
        assertThat(wrong.err()).contains(disc + " is a discriminator checkpoint; --classifier needs a classifier");
        Result wrongResume = run(
                new TrainDiscriminatorCommand(),
                "--classifier",
                cls.toString(),
                "--fake",
                fake.toString(),
                "--resume",
                cls.toString(),
                "--steps",
                "3",
                "--outdir",
                runs.toString());
        assertThat(wrongResume.err()).contains(cls + " is a classifier checkpoint; --resume needs a discriminator");
        try (var s = Files.list(runs)) {
            assertThat(s.count()).isEqualTo(3); // refused starts created nothing
        }
    }

    @Test
    void attentionResolutionsMustBeOnesTheTrunkVisits() {
        Result dry = run(new TrainClassifierCommand(), "--attn", "none", "--mult", "1,2,2", "--dry-run");
        assertThat(dry.rc()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("\"attn_resolutions\" : [ ]").contains("\"channel_mult\" : [ 1, 2, 2 ]");
        Result deflt = run(new TrainClassifierCommand(), "--dry-run");
        assertThat(deflt.out()).contains("\"attn_resolutions\" : [ 32, 16, 8 ]"); // DG's classifier
        Result four = run(new TrainClassifierCommand(), "--attn", "4", "--dry-run");
        assertThat(four.rc()).isEqualTo(2);
        assertThat(four.err()).contains("--attn resolution 4 is not one the trunk visits (3 levels: 32 down to 8)");
        Result word = run(new TrainClassifierCommand(), "--attn", "all", "--dry-run");
        assertThat(word.rc()).isEqualTo(2);
        assertThat(word.err()).contains("--attn must be 'none' or resolutions like 32,16,8, got all");
        Result mult = run(new TrainClassifierCommand(), "--mult", "1,2,2,2,2", "--dry-run");
        assertThat(mult.err()).contains("--mult must name 1 to 4 levels, got 5");
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
