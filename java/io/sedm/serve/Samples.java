package io.sedm.serve;

/**
 * The result of a request: the images in seed order, flattened row-major {@code [images, sample...]}
 * (float64, x_N of the sampler), and how the request went.
 *
 * @param request     the engine's id of the request
 * @param seeds       the seeds, in order
 * @param sampleShape the shape of one sample
 * @param values      {@code seeds.length × Π sampleShape} values
 * @param queuedNanos from submission to the first evaluation of its first row
 * @param totalNanos  from submission to completion
 * @param classes     the class of each image (a conditional model), or null (an unconditional one)
 */
public record Samples(
        long request,
        long[] seeds,
        long[] sampleShape,
        double[] values,
        long queuedNanos,
        long totalNanos,
        int[] classes) {
    public int images() {
        return seeds.length;
    }
}
