package io.sedm.sampler;

import io.sedm.runtime.Device;
import io.sedm.runtime.Tensor;

/**
 * Adapts a plain Java function to the {@link Denoiser} contract. The batch is copied through
 * the Java heap on every call, so this is for tests and prototypes with small D, not for images.
 */
public final class FunctionDenoiser implements Denoiser {

    /** {@code D} for a batch: {@code x} holds B rows of {@code dim} values, row-major. */
    @FunctionalInterface
    public interface Function {
        double[] denoise(double[] x, int dim, double[] sigma);
    }

    private final Function function;

    public FunctionDenoiser(Function function) {
        if (function == null) {
            throw new IllegalArgumentException("function must not be null");
        }
        this.function = function;
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor out) {
        int batch = Math.toIntExact(x.batchSize());
        int dim = batch == 0 ? 0 : Math.toIntExact(x.numel() / batch);
        double[] result = function.denoise(x.toDoubleArray(), dim, sigma.clone());
        if (result.length != x.numel()) {
            throw new IllegalStateException("denoiser function returned " + result.length + " values for " + x.numel());
        }
        try (Tensor host = Tensor.of(result, x.shape(), Device.CPU)) {
            out.copyFrom(host);
        }
    }
}
