package io.sedm.cli;

import io.sedm.dist.LocalLauncher;
import io.sedm.dist.ProcessGroup;
import io.sedm.dist.Rendezvous;
import io.sedm.runtime.Device;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Flags of the commands that scale out over processes (issue 12): {@code --nproc N} starts N local
 * workers ({@link LocalLauncher}); a process started by torchrun or a scheduler (RANK, WORLD_SIZE,
 * LOCAL_RANK, MASTER_ADDR, MASTER_PORT set) joins its c10d group ({@link ProcessGroup}).
 */
public final class DistributedOptions {
    /** Set in the workers {@code --nproc} starts (so a resume hint can repeat the flag). */
    static final String LAUNCHED_BY_NPROC = "SEDM_NPROC";

    @Option(
            names = "--nproc",
            defaultValue = "1",
            paramLabel = "INT",
            description = "worker processes on this machine (c10d: Gloo on cpu, NCCL on cuda), in [1, 256]; "
                    + "under torchrun leave it out: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT are read")
    int nproc = 1;

    @Option(
            names = "--dist-timeout",
            defaultValue = "120",
            paramLabel = "SECONDS",
            description = "multi-process runs: rendezvous and per-collective timeout (a hung rank is given up "
                    + "after it; a dead one at once), in [1, 86400]")
    double distTimeout = 120;

    /** Checks the flags against the environment; returns the torchrun rendezvous if any. */
    Optional<Rendezvous> validate() {
        if (nproc < 1 || nproc > 256) throw new IllegalArgumentException("--nproc must be in [1, 256], got " + nproc);
        if (!(distTimeout >= 1 && distTimeout <= 86400)) {
            throw new IllegalArgumentException("--dist-timeout must be in [1, 86400] seconds, got " + distTimeout);
        }
        Optional<Rendezvous> env = Rendezvous.fromEnvironment(System.getenv());
        if (env.isPresent() && nproc > 1) {
            throw new IllegalArgumentException(
                    "--nproc " + nproc + " starts local workers, but this process is already "
                            + "rank " + env.get().rank() + " of " + env.get().worldSize()
                            + " (WORLD_SIZE is set, e.g. by torchrun); leave --nproc out");
        }
        return env;
    }

    /** Whether this invocation only starts workers. */
    boolean launchesWorkers() {
        return nproc > 1;
    }

    Duration timeout() {
        return Duration.ofMillis(Math.round(distTimeout * 1000));
    }

    /**
     * The device of this rank: on CUDA with several processes, {@code cuda:K} means GPUs from K on,
     * one per process on a machine (rank with LOCAL_RANK l gets {@code cuda:K+l}), as torchrun jobs do.
     */
    static Device device(Optional<Rendezvous> env, Device asked) {
        if (!asked.isCuda() || env.isEmpty() || env.get().worldSize() == 1) return asked;
        return Device.cuda(asked.index() + env.get().localRank());
    }

    /** The group of a torchrun/--nproc worker, or null for a plain single process. */
    ProcessGroup join(Optional<Rendezvous> env, Device device) {
        if (System.getenv(LAUNCHED_BY_NPROC) != null) watchLauncher();
        return env.filter(r -> r.worldSize() > 1)
                .map(r -> ProcessGroup.join(r, device, timeout()))
                .orElse(null);
    }

    /**
     * A worker of {@code --nproc} runs in a session of its own, so a launcher killed outright would
     * leave it running: once its parent is gone, it stops as on Ctrl-C (the shutdown hook asks the
     * loop to stop at the next step boundary, which all ranks agree on).
     */
    private static void watchLauncher() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        if (parent == null) return;
        Thread watch = new Thread(
                () -> {
                    parent.onExit().join();
                    System.err.println("sedm: the --nproc launcher (pid " + parent.pid() + ") is gone; stopping");
                    System.exit(130);
                },
                "sedm-launcher-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /** The same command line less {@code --nproc}, run in {@code nproc} workers; their combined status. */
    int launch(CommandSpec spec) throws IOException {
        List<String> args = new ArrayList<>();
        if (spec.root() == spec) args.add(spec.name()); // run as a bare command, not under Main
        args.addAll(withoutNproc(spec.root().commandLine().getParseResult().originalArgs()));
        List<String> cmd = LocalLauncher.javaCommand(Main.class.getName(), args);
        return LocalLauncher.run(cmd, nproc, timeout().plusSeconds(30), System.err, LAUNCHED_BY_NPROC);
    }

    static List<String> withoutNproc(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--nproc")) {
                i++;
            } else if (!a.startsWith("--nproc=")) {
                out.add(a);
            }
        }
        return out;
    }

    /** " --nproc N" when this worker was started by --nproc, for the hint that resumes the run. */
    static String relaunchHint(ProcessGroup group) {
        return group != null && System.getenv(LAUNCHED_BY_NPROC) != null ? " --nproc " + group.worldSize() : "";
    }
}
