package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.Npy;
import io.sedm.train.SongUNetConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C for real: {@code sedm train} runs in a child JVM, gets SIGINT once it has made a step, and
 * must end with exit status 130, a complete checkpoint of the step it reached and the command that
 * resumes it; that command then continues the run.
 */
@EnabledOnOs(OS.LINUX)
class InterruptTest {
    @TempDir
    Path dir;

    @Test
    void sigintDuringTrainingWritesACheckpointAndTheResumeCommandWorks() throws Exception {
        byte[] px = new byte[16 * 8 * 8];
        new SplittableRandom(1).nextBytes(px);
        Path data = dir.resolve("images.npy");
        Npy.write(data, Npy.Array.ofBytes(px, 16, 8, 8, 1));
        Path runs = dir.resolve("runs");
        String arch = SongUNetConfig.tiny(8, 1).toJson();

        Process p = sedm(
                "train",
                "--arch",
                arch,
                "--data",
                data.toString(),
                "--batch",
                "4",
                "--steps",
                "1000000",
                "--snap",
                "1000000",
                "--log-every",
                "1",
                "--outdir",
                runs.toString());
        Path log = waitForLogLine(runs, p);
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        // bounded: the hook waits at most 600 s, a step of this network takes milliseconds
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("child exits after SIGINT")
                .isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as("stdout: %s%nstderr: %s", out, err).isEqualTo(130);
        assertThat(err).contains("interrupted; stopping after the current step");
        assertThat(out).contains("stopped at step").contains("resume with: sedm train --resume ");
        String resume = out.lines()
                .filter(l -> l.startsWith("resume with: sedm train --resume "))
                .findFirst()
                .orElseThrow()
                .substring("resume with: sedm train --resume ".length())
                .split(" ")[0];
        Path sidecar = Path.of(resume);
        assertThat(sidecar).exists().hasParent(log.getParent());
        try (Stream<Path> files = Files.list(log.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(Files.readString(log)).contains("stopped by interrupt at step");
        long step = Long.parseLong(sidecar.getFileName().toString().replaceAll("\\D", ""));

        Process resumed = sedm(
                "train",
                "--resume",
                sidecar.toString(),
                "--steps",
                Long.toString(step + 2),
                "--outdir",
                runs.toString(),
                "--quiet");
        assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String resumedOut = new String(resumed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(resumed.exitValue())
                .as(resumedOut + new String(resumed.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        assertThat(resumedOut).contains("resumed at step " + step).contains("finished: step " + (step + 2));
    }

    @Test
    void sigintDuringClassifierTrainingWritesACheckpointAndTheResumeCommand() throws Exception {
        Path runs = dir.resolve("runs");
        Process p = sedm(
                "train-classifier",
                "--data-limit",
                "16",
                "--batch",
                "2",
                "--width",
                "8",
                "--depth",
                "1",
                "--steps",
                "1000000",
                "--eval-images",
                "0",
                "--log-every",
                "1",
                "--outdir",
                runs.toString());
        Path log = waitForLogLine(runs, p);
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("child exits after SIGINT")
                .isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as("stdout: %s%nstderr: %s", out, err).isEqualTo(130);
        assertThat(out).contains("stopped at step").contains("resume with: sedm train-classifier --resume ");
        String resume =
                out.substring(out.indexOf("--resume ") + "--resume ".length()).split("\\s")[0];
        assertThat(Path.of(resume)).exists().hasParent(log.getParent());
        assertThat(Files.readString(log)).contains("stopped by interrupt at step");
    }

    /** The CLI in a child JVM with this JVM's class path and native library settings. */
    private static Process sedm(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        for (String key : new String[] {"sedm.library.dir", "sedm.library.path"}) {
            String v = System.getProperty(key);
            if (v != null) {
                cmd.add("-D" + key + "=" + v);
            }
        }
        cmd.add("-Dsedm.threads=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.sedm.cli.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    /** Waits (at most 120 s) until the run's log.txt records a step, and returns the log's path. */
    private static Path waitForLogLine(Path runs, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("train ended before the interrupt: "
                        + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            if (Files.isDirectory(runs)) {
                try (Stream<Path> s = Files.walk(runs)) {
                    for (Path log : s.filter(f -> f.getFileName().toString().equals("log.txt"))
                            .toList()) {
                        if (Files.readString(log).contains("step ")) {
                            return log;
                        }
                    }
                }
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("no training step logged within 120 s");
    }
}
