package io.sedm.sampler;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.util.Arrays;

/** Initial states of a sampler run, drawn one generator per seed (EDM {@code generate.py}). */
public final class Latents {
    private Latents() {}

    /**
     * {@code z ~ N(0, I)} of the given shape ({@code shape[0]} = number of seeds), drawn in float32
     * and promoted to float64 as EDM does, so sample b depends only on its seed.
     */
    public static Tensor draw(Generator generator, long[] shape, Device device) {
        if (shape[0] != generator.count()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + shape[0]
                    + " samples but the generator holds " + generator.count() + " seeds");
        }
        try (Tensor z = Tensor.empty(shape, DType.FLOAT32, device)) {
            generator.normal(z);
            return z.to(device, DType.FLOAT64);
        }
    }

    /** A new float64 tensor {@code σ_0 · z}: the start of an EDM-family run. */
    public static Tensor scaled(Tensor z, double sigma0) {
        Tensor x = z.to(z.device(), DType.FLOAT64);
        Ops.combine(x, sigma0, x);
        return x;
    }
}
