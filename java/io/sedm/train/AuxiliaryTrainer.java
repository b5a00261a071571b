package io.sedm.train;

import com.fasterxml.jackson.databind.JsonNode;
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

    /** Command-level settings recorded in every sidecar under {@code "run"} (data limit, inputs). */
    void setRunInfo(JsonNode info);

    @Override
    void close();
}
