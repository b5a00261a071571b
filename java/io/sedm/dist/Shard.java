package io.sedm.dist;

/**
 * The rows {@code [start, start + length)} of a global batch that one rank computes: the batch is
 * cut into {@code worldSize} equal contiguous slices in rank order, so concatenating the ranks'
 * slices gives the single-process batch back in its order.
 */
public record Shard(int start, int length) {
    public Shard {
        if (start < 0 || length < 0) {
            throw new IllegalArgumentException("a shard needs start, length >= 0, got " + start + ", " + length);
        }
    }

    /** Rank {@code rank}'s slice of a batch of {@code batch} rows; {@code worldSize} must divide it. */
    public static Shard of(int batch, int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " is outside [0, " + worldSize + ")");
        }
        if (batch % worldSize != 0) {
            throw new IllegalArgumentException("a batch of " + batch + " does not split into " + worldSize
                    + " equal shares; use a batch per accumulation round divisible by the number of processes");
        }
        int n = batch / worldSize;
        return new Shard(rank * n, n);
    }

    public int end() {
        return start + length;
    }

    /** {@code values[start, end)}. */
    public int[] of(int[] values) {
        return java.util.Arrays.copyOfRange(values, start, end());
    }

    public long[] of(long[] values) {
        return java.util.Arrays.copyOfRange(values, start, end());
    }

    public double[] of(double[] values) {
        return java.util.Arrays.copyOfRange(values, start, end());
    }

    /**
     * The sampling batches (of {@code batches}, in their single-process order) that rank {@code rank}
     * computes: round robin, batch k on rank k mod worldSize. Whole batches, so each batch holds the
     * same seeds as in one process and gives bitwise the same samples.
     */
    public static int[] batchesOf(int batches, int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " is outside [0, " + worldSize + ")");
        }
        int n = batches <= rank ? 0 : (batches - rank + worldSize - 1) / worldSize;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = rank + i * worldSize;
        return out;
    }
}
