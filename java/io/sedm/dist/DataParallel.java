package io.sedm.dist;

import io.sedm.runtime.Network;

/**
 * Data-parallel training of one network over a {@link ProcessGroup} (Li et al. 2020, "PyTorch
 * Distributed", §3: identical replicas, each rank a slice of the global batch, gradients averaged
 * before every optimizer step). Joining broadcasts rank 0's parameters and buffers (and those of
 * {@code alsoFromLeader}, e.g. the EMA copy) to every rank; since every rank then applies the same
 * averaged gradient with the same optimizer, the replicas stay identical.
 *
 * <p>A trainer draws its random numbers for the whole global batch on every rank and computes
 * {@link #shard} of it, so that sample {@code i} of a step gets the same image, σ and noise as in one
 * process. The group is the caller's; this closes only the reducer.
 */
public final class DataParallel implements AutoCloseable {
    private final ProcessGroup group;
    private final GradientReducer reducer;

    private DataParallel(ProcessGroup group, GradientReducer reducer) {
        this.group = group;
        this.reducer = reducer;
    }

    /** Broadcasts {@code net} (then each of {@code alsoFromLeader}) from rank 0 and sets up its reducer. */
    public static DataParallel join(ProcessGroup group, long bucketBytes, Network net, Network... alsoFromLeader) {
        group.broadcast(net, 0);
        for (Network n : alsoFromLeader) group.broadcast(n, 0);
        return new DataParallel(group, group.reducer(net, bucketBytes));
    }

    public ProcessGroup group() {
        return group;
    }

    public boolean isLeader() {
        return group.isLeader();
    }

    /** This rank's slice of a global (round) batch. */
    public Shard shard(int batch) {
        return Shard.of(batch, group.rank(), group.worldSize());
    }

    /** Before the backward of the last accumulation round: overlap its bucket all-reduces with it. */
    public void armGradients() {
        reducer.arm();
    }

    /** After the last backward: every gradient := its mean over the ranks. */
    public int averageGradients() {
        return reducer.finish();
    }

    /** Element-wise sum over the ranks. */
    public double[] sum(double[] values) {
        return group.allReduceSum(values);
    }

    /** Whether any rank says yes (e.g. a stop request), so that every rank stops at the same step. */
    public boolean any(boolean flag) {
        return group.any(flag);
    }

    @Override
    public void close() {
        reducer.close();
    }
}
