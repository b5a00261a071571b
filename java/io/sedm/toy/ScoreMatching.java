package io.sedm.toy;

import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The score-matching loss {@code L = (1/B) Σ_b w_b l_b} of a network read as a score network
 * {@code s(x_b) = c_b F(x_b; noise_b)} (one {@code sedm_score_matching_loss} call; the
 * per-sample terms l_b are those of {@link ScoreObjective}). With {@code accumulateGrad} the
 * parameter gradient dL/dθ is added to the network's gradients, through a second backward where
 * the objective holds a Jacobian term; {@link io.sedm.runtime.Adam#step} then steps.
 */
public final class ScoreMatching {
    private ScoreMatching() {}

    /** The mean loss L and the per-sample terms l_b (unweighted). */
    public record Loss(double value, double[] perSample) {}

    /**
     * @param network     F
     * @param x           the batch [B, ...]
     * @param noiseLabels B noise labels passed to F
     * @param outputScale B factors c_b (null = 1)
     * @param objective   which l
     * @param probe       like x: the projections v (SSM), the target score (DSM), null (ESM)
     * @param weights     B weights w_b ≥ 0 (null = 1)
     */
    public static Loss loss(
            Network network,
            Tensor x,
            double[] noiseLabels,
            double[] outputScale,
            ScoreObjective objective,
            Tensor probe,
            double[] weights,
            boolean accumulateGrad) {
        int batch = Math.toIntExact(x.batchSize());
        requireLength(noiseLabels, batch, "noiseLabels", false);
        requireLength(outputScale, batch, "outputScale", true);
        requireLength(weights, batch, "weights", true);
        try (Arena arena = Arena.ofConfined();
                Tensor labels = Tensor.of(noiseLabels, new long[] {batch}, io.sedm.runtime.Device.CPU)) {
            MemorySegment loss = arena.allocate(ValueLayout.JAVA_DOUBLE);
            MemorySegment perSample = arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, batch));
            Status.check(Sedm.sedm_score_matching_loss(
                    network.address(),
                    x.address(),
                    labels.address(),
                    host(arena, outputScale),
                    objective.code(),
                    probe == null ? MemorySegment.NULL : probe.address(),
                    host(arena, weights),
                    accumulateGrad,
                    MemorySegment.NULL,
                    loss,
                    perSample));
            return new Loss(
                    loss.get(ValueLayout.JAVA_DOUBLE, 0),
                    perSample.asSlice(0, (long) batch * Double.BYTES).toArray(ValueLayout.JAVA_DOUBLE));
        }
    }

    private static MemorySegment host(Arena arena, double[] values) {
        return values == null ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_DOUBLE, values);
    }

    private static void requireLength(double[] values, int batch, String name, boolean nullable) {
        if (values == null) {
            if (nullable) {
                return;
            }
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (values.length != batch) {
            throw new IllegalArgumentException(
                    name + " must hold one value per sample (" + batch + "), got " + values.length);
        }
    }
}
