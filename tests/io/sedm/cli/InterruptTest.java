package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.train.SongUNetConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C for real: a training command runs in a child JVM, gets SIGINT once it has logged a step,
 * and must end with exit status 130, a complete checkpoint of the step it reached (no {@code *.tmp}
 * left) and the command that resumes it; for {@code train} that command then continues the run.
 */
@EnabledOnOs(OS.LINUX)
class InterruptTest {
    @TempDir
    Path dir;

    /** What an interrupted command left: its log, the checkpoint named in the resume hint, its output. */
    record Interrupted(Path log, Path checkpoint, String out) {}

    @Test
    void sigintDuringTrainingWritesACheckpointAndTheResumeCommandWorks() throws Exception {
        Path runs = dir.resolve("runs");
        Interrupted r = interrupt(
                "train",
                runs,
                "--arch",
                SongUNetConfig.tiny(8, 1).toJson(),
                "--data",
                TrainCommandTest.tinyImages(dir).toString(),
                "--batch",
                "4",
                "--snap",
                "1000000");
        long step = Long.parseLong(r.checkpoint().getFileName().toString().replaceAll("\\D", ""));

        Process resumed = sedm(
                "train",
                "--resume",
                r.checkpoint().toString(),
                "--steps",
                Long.toString(step + 2),
                "--outdir",
                runs.toString(),
                "--quiet");
        assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(resumed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(resumed.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(resumed.exitValue()).as(out + err).isZero();
        assertThat(out).contains("resumed at step " + step).contains("finished: step " + (step + 2));
    }

    @Test
    void sigintDuringClassifierTrainingWritesACheckpointAndTheResumeCommand() throws Exception {
        interrupt(
                "train-classifier",
                dir.resolve("runs"),
                "--data-limit",
                "16",
                "--batch",
                "2",
                "--width",
                "8",
                "--depth",
                "1",
                "--eval-images",
                "0");
    }

    /**
     * Starts {@code sedm COMMAND ARGS --steps 1000000 --log-every 1 --outdir RUNS}, sends SIGINT once
     * a step is logged, and checks what every training command promises on Ctrl-C.
     */
    private static Interrupted interrupt(String command, Path runs, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        all.addAll(List.of("--steps", "1000000", "--log-every", "1", "--outdir", runs.toString()));
        Process p = sedm(all.toArray(String[]::new));
        Path log = waitForLogLine(runs, p);
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        // bounded: the hook waits at most 600 s, and a step of these networks takes milliseconds
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("child exits after SIGINT")
                .isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as("stdout: %s%nstderr: %s", out, err).isEqualTo(130);
        assertThat(err).contains("interrupted; stopping after the current step");
        String hint = "resume with: sedm " + command + " --resume ";
        assertThat(out).contains("stopped at step").contains(hint);
        Path checkpoint =
                Path.of(out.substring(out.indexOf(hint) + hint.length()).split("\\s")[0]);
        assertThat(checkpoint).exists().hasParent(log.getParent());
        try (Stream<Path> files = Files.list(log.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(Files.readString(log)).contains("stopped by interrupt at step");
        return new Interrupted(log, checkpoint, out);
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
                throw new AssertionError("the command ended before the interrupt: "
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
