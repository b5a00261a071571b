package io.sedm.cli;

import io.sedm.runtime.NativeRuntime;
import picocli.CommandLine.Option;

/**
 * Flags shared by every command that computes: the device and the CPU thread count. libtorch on
 * Debian starts with one intra-op thread although more cores exist (a {@code ddpmpp-fmnist}
 * training step at batch 64: 2.75 s on one thread, 2.26 s on two), so the default is every
 * available processor.
 */
public final class ComputeOptions {
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda[:N]", description = "compute device")
    String device;

    @Option(
            names = "--threads",
            paramLabel = "INT",
            description =
                    "CPU threads for libtorch and the CPU kernels, >= 1 (default: all ${sys:sedm.cores} available processors)")
    Integer threads;

    static {
        System.setProperty("sedm.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    public String device() {
        return device;
    }

    /** The thread count in force: the flag, else every available processor. */
    public int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** Validates the flags and applies the thread count; call at the start of a command's work. */
    public void apply() {
        if (threads != null && (threads < 1 || threads > 4096)) {
            throw new IllegalArgumentException("--threads must be between 1 and 4096, got " + threads);
        }
        if (threads != null) {
            NativeRuntime.setThreads(threads);
        }
    }
}
