package io.sedm.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.data.Npy;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.train.Checkpoint;
import io.sedm.train.SongUNetConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --nproc 2} for real: the CLI in a child JVM starts two worker JVMs that meet through c10d
 * (TCPStore + Gloo on loopback, an ephemeral port). Compared with one process: the same training
 * steps (weights to 1e-6 relative, the same logged losses), bitwise the same sample files; and a
 * worker killed with SIGKILL stops the other with a clear error, leaves its checkpoints intact, and
 * the run resumes.
 */
@EnabledOnOs(OS.LINUX)
class DistributedCliTest {
    @TempDir
    Path dir;

    /** Output of a finished child. */
    record Done(int rc, String out, double seconds) {}

    static Process start(List<String> args) throws IOException {
        List<String> cmd = LocalLauncher.javaCommand("io.sedm.cli.Main", args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static Done run(String... args) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(List.of(args));
        byte[] out = p.getInputStream().readAllBytes(); // until every writer (launcher and workers) closed it
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished in 120 s").isTrue();
        return new Done(p.exitValue(), new String(out, StandardCharsets.UTF_8), (System.nanoTime() - t0) / 1e9);
    }

    static Path tinyImages(Path dir) {
        byte[] px = new byte[16 * 8 * 8];
        new SplittableRandom(1).nextBytes(px);
        Path npy = dir.resolve("images.npy");
        Npy.write(npy, Npy.Array.ofBytes(px, 16, 8, 8, 1));
        return npy;
    }

    static final String ARCH = SongUNetConfig.tiny(8, 1).withDType("float64").toJson();

    List<String> train(Path runs, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "train",
                "--arch",
                ARCH,
                "--data",
                tinyImages(dir).toString(),
                "--batch",
                "4",
                "--lr-rampup-kimg",
                "0",
                "--outdir",
                runs.toString(),
                "--log-every",
                "1",
                "--quiet"));
        a.addAll(List.of(more));
        return a;
    }

    static Path runFolder(Path runs) throws IOException {
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    static List<String> losses(Path run) throws IOException {
        return Files.readAllLines(run.resolve("log.txt")).stream()
                .filter(l -> l.contains(" loss "))
                .map(l -> l.replaceAll(".*(loss \\S+ grad_norm \\S+).*", "$1"))
                .toList();
    }

    static double[] allWeights(Path safetensors) {
        try (Network n = SongUNetConfig.tiny(8, 1).withDType("float64").build(Device.CPU)) {
            n.load(safetensors, true);
            List<Double> all = new ArrayList<>();
            for (Network.TensorInfo info : n.tensors()) {
                try (var t = n.get(info.name())) {
                    for (double v : t.toDoubleArray()) all.add(v);
                }
            }
            return all.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    @Test
    void trainWithTwoProcessesMatchesOneAndSamplingShardsBitwise() throws Exception {
        Path one = dir.resolve("one"), two = dir.resolve("two");
        Done single = run(train(one, "--steps", "3").toArray(String[]::new));
        assertThat(single.rc()).as(single.out()).isZero();
        Done dual = run(train(two, "--steps", "3", "--nproc", "2").toArray(String[]::new));
        assertThat(dual.rc()).as(dual.out()).isZero();
        assertThat(dual.out()).contains("(2 processes)").containsOnlyOnce("finished: step 3");
        Path r1 = runFolder(one), r2 = runFolder(two);
        assertThat(losses(r2)).hasSize(3).isEqualTo(losses(r1));
        for (String kind : new String[] {"net", "ema"}) {
            double[] a = allWeights(r1.resolve("checkpoint-00000003-" + kind + ".safetensors"));
            double[] b = allWeights(r2.resolve("checkpoint-00000003-" + kind + ".safetensors"));
            double diff = 0, scale = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                scale = Math.max(scale, Math.abs(a[i]));
            }
            assertThat(diff / scale).as(kind + " weights, relative").isLessThanOrEqualTo(1e-6);
        }
        // only rank 0 wrote: one run folder
        try (Stream<Path> s = Files.list(two)) {
            assertThat(s.count()).isEqualTo(1);
        }

        // sharded sampling of that network: 7 seeds in batches of 2 → rank 0 samples batches 0 and 2,
        // rank 1 batches 1 and 3 (of one seed); rank 0 gathers and writes
        String ckpt = "checkpoint:" + r1.resolve("checkpoint-00000003.json");
        List<String> sample = List.of(
                "sample",
                "--denoiser",
                ckpt,
                "--seeds",
                "3-9",
                "--batch",
                "2",
                "--steps",
                "6",
                "--allow-unusual",
                "--quiet");
        List<String> a = new ArrayList<>(sample), b = new ArrayList<>(sample);
        a.addAll(List.of("--outdir", dir.resolve("s1").toString()));
        b.addAll(List.of("--outdir", dir.resolve("s2").toString(), "--nproc", "2"));
        Done s1 = run(a.toArray(String[]::new));
        Done s2 = run(b.toArray(String[]::new));
        assertThat(s1.rc()).as(s1.out()).isZero();
        assertThat(s2.rc()).as(s2.out()).isZero();
        assertThat(s2.out()).containsOnlyOnce("wrote 7 samples");
        for (String f : new String[] {"samples.npy", "grid.png"}) {
            assertThat(Files.readAllBytes(dir.resolve("s2").resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readAllBytes(dir.resolve("s1").resolve(f)));
        }
        // the resolved options too, but for the --outdir they name
        assertThat(Files.readString(dir.resolve("s2").resolve("options.json")).replace("/s2\"", "/s1\""))
                .isEqualTo(Files.readString(dir.resolve("s1").resolve("options.json")));
        System.out.printf(
                "dist cli: train 1 process %.1f s, 2 processes %.1f s; sample %.1f s vs %.1f s%n",
                single.seconds(), dual.seconds(), s1.seconds(), s2.seconds());
    }

    @Test
    void aKilledRankStopsTheOtherWithAClearErrorAndTheRunResumes() throws Exception {
        Path runs = dir.resolve("runs");
        Process launcher =
                start(train(runs, "--steps", "1000000", "--snap", "2", "--nproc", "2", "--dist-timeout", "20"));
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                out.append(new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("read failed: ").append(e);
            }
        });
        Path ckpt = waitForCheckpoint(runs, launcher, 90);
        ProcessHandle rank1 = launcher.toHandle()
                .descendants()
                .filter(h -> rankOf(h) == 1)
                .findFirst()
                .orElseThrow();
        long t0 = System.nanoTime();
        rank1.destroyForcibly(); // SIGKILL
        assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).as("launcher ends").isTrue();
        double seconds = (System.nanoTime() - t0) / 1e9;
        reader.join(10_000);
        String text = out.toString();
        assertThat(launcher.exitValue()).as(text).isNotZero();
        assertThat(text)
                .contains("worker rank 1 of 2 (pid " + rank1.pid() + ") exited with status 137 (killed by signal 9)")
                .containsPattern("rank 0 of 2: .*failed; a peer died");
        assertThat(seconds).as("seconds from kill to the end of the run").isLessThan(20);
        System.out.printf("dist cli: killed rank 1; the run ended %.2f s later:%n%s%n", seconds, text);

        // the checkpoints are whole: the newest one loads, and nothing half-written is left
        Path run = ckpt.getParent();
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        Path newest;
        try (Stream<Path> files = Files.list(run)) {
            newest = files.filter(f -> f.getFileName().toString().matches("checkpoint-\\d+\\.json"))
                    .sorted()
                    .reduce((x, y) -> y)
                    .orElseThrow();
        }
        long step = Checkpoint.read(newest).step();
        assertThat(step).isGreaterThanOrEqualTo(2);
        Done resumed = run(
                "train",
                "--resume",
                newest.toString(),
                "--steps",
                Long.toString(step + 2),
                "--outdir",
                runs.toString(),
                "--quiet",
                "--nproc",
                "2");
        assertThat(resumed.rc()).as(resumed.out()).isZero();
        assertThat(resumed.out()).contains("resumed at step " + step).contains("finished: step " + (step + 2));
    }

    /**
     * Ctrl-C of {@code --nproc}: the launcher passes it on, the workers agree on a step, rank 0 writes
     * the checkpoint of that step and prints the resume command (with {@code --nproc 2}); status 130.
     */
    @Test
    void anInterruptedLauncherStopsEveryWorkerAtOneStepWithACheckpoint() throws Exception {
        Path runs = dir.resolve("runs");
        Process launcher = start(train(runs, "--steps", "1000000", "--snap", "1000000", "--nproc", "2"));
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                out.append(new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("read failed: ").append(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!logged(runs) && System.nanoTime() < deadline) {
            assertThat(launcher.isAlive()).as("launcher runs").isTrue();
            Thread.sleep(100);
        }
        new ProcessBuilder("kill", "-INT", Long.toString(launcher.pid()))
                .start()
                .waitFor();
        assertThat(launcher.waitFor(120, TimeUnit.SECONDS)).as("launcher ends").isTrue();
        reader.join(10_000);
        String text = out.toString();
        assertThat(launcher.exitValue()).as(text).isEqualTo(130);
        assertThat(text)
                .containsOnlyOnce("stopped at step")
                .contains(" --nproc 2")
                .doesNotContain("exited with");
        String hint = "resume with: sedm train --resume ";
        Path ckpt = Path.of(text.substring(text.indexOf(hint) + hint.length()).split("\\s")[0]);
        assertThat(Checkpoint.read(ckpt).step()).isPositive();
    }

    static boolean logged(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) return false;
        try (Stream<Path> s = Files.walk(runs)) {
            return s.filter(f -> f.getFileName().toString().equals("log.txt")).anyMatch(f -> {
                try {
                    return Files.readString(f).contains(" loss ");
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    static int rankOf(ProcessHandle h) {
        try {
            String env = Files.readString(Path.of("/proc/" + h.pid() + "/environ"), StandardCharsets.ISO_8859_1);
            return Arrays.stream(env.split("\0"))
                    .filter(v -> v.startsWith("RANK="))
                    .mapToInt(v -> Integer.parseInt(v.substring(5)))
                    .findFirst()
                    .orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The first complete checkpoint sidecar the run writes. */
    static Path waitForCheckpoint(Path runs, Process p, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError("the run ended before a checkpoint: " + p.exitValue());
            if (Files.isDirectory(runs)) {
                try (Stream<Path> s = Files.walk(runs)) {
                    var found = s.filter(f -> f.getFileName().toString().matches("checkpoint-\\d+\\.json"))
                            .findFirst();
                    if (found.isPresent()) return found.get();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no checkpoint within " + seconds + " s");
    }
}
