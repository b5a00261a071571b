package io.sedm.dist;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a rank meets the others, in torchrun's terms: {@code RANK}, {@code WORLD_SIZE}, {@code
 * LOCAL_RANK}, {@code MASTER_ADDR}, {@code MASTER_PORT} (torch.distributed's env:// rendezvous), so a
 * launcher or cluster scheduler starts sedm the way it starts PyTorch jobs. Rank 0 hosts the
 * TCPStore at {@code masterAddr:masterPort}.
 */
public record Rendezvous(int rank, int worldSize, int localRank, String masterAddr, int masterPort) {
    public Rendezvous {
        if (worldSize < 1) throw new IllegalArgumentException("WORLD_SIZE must be >= 1, got " + worldSize);
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("RANK must be in [0, WORLD_SIZE = " + worldSize + "), got " + rank);
        }
        if (localRank < 0) throw new IllegalArgumentException("LOCAL_RANK must be >= 0, got " + localRank);
        if (masterAddr == null || masterAddr.isBlank()) {
            throw new IllegalArgumentException("MASTER_ADDR must name the host of rank 0");
        }
        if (masterPort < 1 || masterPort > 65535) {
            throw new IllegalArgumentException("MASTER_PORT must be in [1, 65535], got " + masterPort);
        }
    }

    /** Rank {@code rank} of {@code worldSize} processes on this machine (loopback). */
    public static Rendezvous local(int rank, int worldSize, int masterPort) {
        return new Rendezvous(rank, worldSize, rank, "127.0.0.1", masterPort);
    }

    /**
     * The rendezvous torchrun's variables describe, or empty when {@code WORLD_SIZE} is unset (a plain
     * single-process run). A partial or malformed set is an error naming the variable.
     */
    public static Optional<Rendezvous> fromEnvironment(Map<String, String> env) {
        if (env.get("WORLD_SIZE") == null) return Optional.empty();
        int world = integer(env, "WORLD_SIZE", null);
        int rank = integer(env, "RANK", null);
        int local = integer(env, "LOCAL_RANK", Integer.toString(rank));
        String addr = env.getOrDefault("MASTER_ADDR", world == 1 ? "127.0.0.1" : null);
        if (addr == null) throw new IllegalArgumentException("MASTER_ADDR is not set (WORLD_SIZE is " + world + ")");
        int port = integer(env, "MASTER_PORT", world == 1 ? "29500" : null);
        return Optional.of(new Rendezvous(rank, world, local, addr, port));
    }

    private static int integer(Map<String, String> env, String name, String fallback) {
        String v = env.getOrDefault(name, fallback);
        if (v == null) {
            throw new IllegalArgumentException(name + " is not set (WORLD_SIZE is " + env.get("WORLD_SIZE")
                    + "; torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT)");
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'", e);
        }
    }

    /** The variables a worker process gets (what torchrun would set). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RANK", Integer.toString(rank));
        env.put("WORLD_SIZE", Integer.toString(worldSize));
        env.put("LOCAL_RANK", Integer.toString(localRank));
        env.put("MASTER_ADDR", masterAddr);
        env.put("MASTER_PORT", Integer.toString(masterPort));
        return env;
    }

    /** Whether every rank runs on this machine's loopback interface. */
    public boolean isLoopback() {
        return masterAddr.equals("localhost") || masterAddr.startsWith("127.") || masterAddr.equals("::1");
    }
}
