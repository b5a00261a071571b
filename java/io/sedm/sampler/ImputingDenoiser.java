package io.sedm.sampler;

import io.sedm.guidance.Imputation;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import java.util.function.Supplier;

/**
 * Inpainting and colorization with an unconditional model (Song et al. 2021, §5, App. I.2–I.3) as a
 * {@link Denoiser} wrapper, so every sampler — the EDM family, DDPM/DDIM and the score-SDE
 * predictor–corrector sampler, Langevin corrector included — solves the inverse problem without
 * a copy of its step: before each model evaluation at (x, σ) the known coordinates of x are
 * replaced by {@link Imputation#impute the known values noised to σ} (fresh z from this wrapper's
 * own per-seed generator), and the model sees only replaced inputs. The samplers' updates are
 * per-coordinate, so the unknown coordinates follow exactly the paper's replaced chain; the
 * sampler's own state at the known coordinates is discarded by {@link #project} at the end, which
 * makes them exactly the known values.
 *
 * <p>The replacement is done on the Java heap (one copy of the batch per evaluation), like
 * {@link DdpmSampler}'s learned-range noise, until a native masked op exists.
 */
public final class ImputingDenoiser implements Denoiser, SigmaRange.Inherited {
    private final Denoiser model;
    private final Imputation imputation;
    private final Supplier<double[]> known;
    private final Supplier<Generator> noise;

    /**
     * @param known the known values y of the current rows (decoupled coordinates; one row or one per row)
     * @param noise a generator with one seed per current row (draws the z of the replacement)
     */
    public ImputingDenoiser(
            Denoiser model, Imputation imputation, Supplier<double[]> known, Supplier<Generator> noise) {
        if (model == null || imputation == null || known == null || noise == null) {
            throw new IllegalArgumentException("model, imputation, known and noise must not be null");
        }
        this.model = model;
        this.imputation = imputation;
        this.known = known;
        this.noise = noise;
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor out) {
        long rows = x.batchSize();
        if (rows * imputation.dim() != x.numel()) {
            throw new IllegalArgumentException("the samples have " + (rows == 0 ? 0 : x.numel() / rows)
                    + " values each; the mask covers " + imputation.dim());
        }
        double[] xs = x.toDoubleArray();
        double[] z;
        try (Tensor zt = Tensor.empty(new long[] {rows, imputation.dim()}, io.sedm.runtime.DType.FLOAT64, x.device())) {
            noise.get().normal(zt);
            z = zt.toDoubleArray();
        }
        imputation.impute(xs, known.get(), sigma, z);
        try (Tensor host = Tensor.of(xs, x.shape(), Device.CPU);
                Tensor replaced = host.to(x.device(), x.dtype())) {
            model.denoise(replaced, sigma, out);
        }
    }

    /** The end of a run: {@code x} with its known coordinates set to exactly the known values (a new tensor). */
    public Tensor project(Tensor x) {
        double[] xs = x.toDoubleArray();
        imputation.impute(xs, known.get(), null, null);
        try (Tensor host = Tensor.of(xs, x.shape(), Device.CPU)) {
            return host.to(x.device(), x.dtype());
        }
    }

    @Override
    public SigmaRange inner() {
        return model;
    }
}
