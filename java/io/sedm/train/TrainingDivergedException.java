package io.sedm.train;

/**
 * Training diverged: a non-finite loss or gradient norm, or weights past a sane bound. Thrown
 * before the bad state is checkpointed, so the last checkpoint on disk is the last good one.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;

    public TrainingDivergedException(long step, String what) {
        super("training diverged at step " + step + ": " + what
                + "; no checkpoint of this state was written (lower --lr, or add --grad-clip)");
        this.step = step;
    }

    /** The 1-based step whose update went bad. */
    public long step() {
        return step;
    }
}
