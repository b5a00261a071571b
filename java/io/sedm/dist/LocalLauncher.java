package io.sedm.dist;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code --nproc N}: N worker JVMs on this machine, started like torchrun starts its workers (the
 * same command with {@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code MASTER_ADDR=127.0.0.1}
 * and a free {@code MASTER_PORT} in the environment), their output on this process's output.
 *
 * <p>Failures: when a worker exits with a non-zero status, the others normally stop by themselves at
 * once (their next collective finds the connection reset) or, if that worker hung instead of dying,
 * after the group's timeout. Whatever is still alive {@code stopWithin} after the first failure is
 * killed. An interrupt of this process (Ctrl-C, SIGTERM) is passed on as SIGINT, which each worker
 * treats as Ctrl-C: the workers agree on a step, rank 0 writes a checkpoint, and they exit.
 */
public final class LocalLauncher {
    private LocalLauncher() {}

    /** SIGINT (Java has no call for it; {@code kill -INT}), else SIGTERM, which workers also take as Ctrl-C. */
    private static void interrupt(Process p) {
        try {
            if (new ProcessBuilder("kill", "-INT", Long.toString(p.pid()))
                            .start()
                            .waitFor()
                    == 0) return;
        } catch (IOException e) {
            // no kill(1): fall back to SIGTERM
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroy();
    }

    /** What happened to one worker. */
    public record Exit(int rank, long pid, int status) {
        /** Stopped on an interrupt (SIGINT: 130, SIGTERM: 143), with its checkpoint: not a failure. */
        public boolean interrupted() {
            return status == 130 || status == 143;
        }

        /** "status 137 (killed by signal 9)" and the like. */
        public String describe() {
            return "status " + status
                    + (status > 128 && status < 160 ? " (killed by signal " + (status - 128) + ")" : "");
        }
    }

    /** The command that starts {@code mainClass} with {@code args} in a JVM like this one. */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String a : jvm) {
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-javaagent")) cmd.add(a);
        }
        for (String key : new String[] {"sedm.library.dir", "sedm.library.path", "sedm.threads", "sedm.debug"}) {
            String v = System.getProperty(key);
            if (v != null && jvm.stream().noneMatch(a -> a.startsWith("-D" + key + "="))) cmd.add("-D" + key + "=" + v);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * {@code command} in a session of its own ({@code setsid}, where it exists): a Ctrl-C at the
     * terminal then reaches this launcher only, which passes it on once (a JVM that gets a second
     * interrupt while writing its checkpoint abandons it).
     */
    static List<String> ownSession(List<String> command) {
        for (String dir : new String[] {"/usr/bin", "/bin"}) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "setsid"))) {
                List<String> wrapped = new ArrayList<>();
                wrapped.add(dir + "/setsid");
                wrapped.addAll(command);
                return wrapped;
            }
        }
        return command;
    }

    /** A TCP port that was free on the loopback interface a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on loopback: " + e.getMessage(), e);
        }
    }

    /**
     * Starts {@code nproc} workers running {@code command}, waits for all, and returns the exit status
     * of the run: 0 when all succeeded, 130 when all stopped on an interrupt, else the status of the
     * first worker that failed. Reports each failure on {@code err}. Each worker also gets
     * {@code markerVariable=N} (null: none).
     */
    public static int run(List<String> command, int nproc, Duration stopWithin, PrintStream err, String markerVariable)
            throws IOException {
        if (nproc < 1) throw new IllegalArgumentException("--nproc must be >= 1, got " + nproc);
        int port = freePort();
        boolean threadsSet = System.getProperty("sedm.threads") != null || System.getenv("SEDM_THREADS") != null;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / nproc);
        List<Process> workers = new ArrayList<>();
        Thread forward = new Thread(() -> stopAll(workers, stopWithin), "sedm-launcher-interrupt");
        Runtime.getRuntime().addShutdownHook(forward);
        try {
            for (int r = 0; r < nproc; r++) {
                ProcessBuilder pb = new ProcessBuilder(ownSession(command)).inheritIO();
                Map<String, String> env = pb.environment();
                env.putAll(Rendezvous.local(r, nproc, port).environment());
                if (markerVariable != null) env.put(markerVariable, Integer.toString(nproc));
                if (!threadsSet && !env.containsKey("OMP_NUM_THREADS"))
                    env.put("SEDM_THREADS", Integer.toString(threads));
                synchronized (workers) {
                    workers.add(pb.start());
                }
            }
            return waitAll(workers, stopWithin, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopAll(workers, stopWithin);
            return 130;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and stops the workers
            }
        }
    }

    private static int waitAll(List<Process> workers, Duration stopWithin, PrintStream err)
            throws InterruptedException {
        int n = workers.size();
        Exit[] exits = new Exit[n];
        Exit firstFailure = null;
        long failedAt = 0;
        int done = 0;
        while (done < n) {
            for (int r = 0; r < n; r++) {
                Process p = workers.get(r);
                if (exits[r] == null && !p.isAlive()) {
                    exits[r] = new Exit(r, p.pid(), p.exitValue());
                    done++;
                    if (exits[r].status() != 0 && !exits[r].interrupted() && firstFailure == null) {
                        firstFailure = exits[r];
                        failedAt = System.nanoTime();
                        err.println("sedm: worker rank " + r + " of " + n + " (pid " + p.pid() + ") exited with "
                                + exits[r].describe() + "; the other workers stop within "
                                + stopWithin.toSeconds() + " s");
                        err.flush();
                    }
                }
            }
            if (done == n) break;
            if (firstFailure != null && System.nanoTime() - failedAt > stopWithin.toNanos()) {
                for (int r = 0; r < n; r++) {
                    if (exits[r] == null) {
                        err.println("sedm: worker rank " + r + " (pid "
                                + workers.get(r).pid() + ") still runs "
                                + stopWithin.toSeconds() + " s after rank " + firstFailure.rank()
                                + " failed; killing it");
                        workers.get(r).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
                err.flush();
                continue;
            }
            Thread.sleep(50);
        }
        boolean allInterrupted = true;
        for (Exit e : exits) allInterrupted &= e.interrupted();
        if (allInterrupted) return 130;
        if (firstFailure != null) return firstFailure.status();
        for (Exit e : exits) if (e.status() != 0) return e.status();
        return 0;
    }

    /** SIGINT to every live worker (Ctrl-C, as from a terminal), then wait for them, killing stragglers. */
    private static void stopAll(List<Process> workers, Duration within) {
        List<Process> copy;
        synchronized (workers) {
            copy = List.copyOf(workers);
        }
        for (Process p : copy) if (p.isAlive()) interrupt(p);
        long deadline = System.nanoTime() + within.toNanos();
        for (Process p : copy) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }
}
