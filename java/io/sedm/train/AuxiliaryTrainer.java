package io.sedm.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sedm.dist.ProcessGroup;
import java.nio.file.Path;

/**
 * What {@code sedm train-classifier} and {@code sedm train-discriminator} drive: a step counter,
 * one Adam step at a time, checkpoints (weights, optimizer moments, sidecar) and resume.
 */
public interface AuxiliaryTrainer extends AutoCloseable {

    /** The Adam settings both trainers record under {@code "training"}. */
    interface Settings {
        int batchSize();

        double lr();

        double weightDecay();

        double tauMin();

        long seed();

        long steps();
    }

    long step();

    /** One Adam step; returns the batch mean loss. */
    double trainStep();

    /** Weights + optimizer + sidecar {@code dir/name.json}; returns the sidecar. */
    Path save(Path dir, String name);

    /** Continues from a checkpoint of this kind: weights, optimizer moments (when saved) and step. */
    void restore(Checkpoint ckpt);

    /**
     * Makes this trainer one rank of a data-parallel run over {@code group} (rank 0's weights
     * broadcast, each rank its slice of every batch, gradients averaged; see {@link
     * DenoiserTrainer#distribute}). The batch must split evenly over the ranks.
     */
    void distribute(ProcessGroup group, long bucketBytes);

    /** Whether this process writes the run's files (rank 0, or the only process). */
    boolean isLeader();

    /** {@code mine} or, data-parallel, whether any rank says yes: so that every rank stops at one step. */
    boolean agree(boolean mine);

    /** Command-level settings recorded in every sidecar under {@code "run"} (data limit, inputs). */
    void setRunInfo(JsonNode info);

    @Override
    void close();
}
