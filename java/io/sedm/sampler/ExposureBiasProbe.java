package io.sedm.sampler;

import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Measures exposure bias the way the SEDM-G++ thesis (figures 11.1/11.2) and Ning et al. (ICLR
 * 2024, Fig. 1) do: at every sampler step the per-sample L2 norm of the predicted noise
 * {@code ε̂ = (x̂ − D(x̂; σ̂))/σ̂}, averaged over the samples seen. Attach it as a
 * {@link StepListener}; it accumulates over any number of batches and writes a CSV.
 *
 * <p>Not thread-safe: one probe per sampling thread.
 */
public final class ExposureBiasProbe implements StepListener {

    /** Per step: the schedule σ_i, how many samples were seen, Σ‖ε̂‖ and Σ‖ε̂‖². */
    public record Row(int i, double sigma, long count, double mean, double std) {}

    private final List<double[]> sums = new ArrayList<>(); // [sigma, count, sum, sumSquares]

    @Override
    public void onStep(SamplerStep step) {
        int batch = step.sigmaHat().length;
        double[] norms;
        try (Tensor eps = step.x().emptyLike()) {
            double[] coefs = new double[2 * batch];
            for (int b = 0; b < batch; b++) {
                coefs[b] = 1.0 / step.sigmaHat()[b];
                coefs[batch + b] = -1.0 / step.sigmaHat()[b];
            }
            Ops.combine(eps, coefs, step.x(), step.denoised());
            norms = Ops.l2NormPerSample(eps);
        }
        while (sums.size() <= step.i()) {
            sums.add(new double[] {Double.NaN, 0, 0, 0});
        }
        double[] s = sums.get(step.i());
        s[0] = step.sigma();
        for (double v : norms) {
            s[1] += 1;
            s[2] += v;
            s[3] += v * v;
        }
    }

    /** The per-step means (and standard deviations over samples) so far. */
    public List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < sums.size(); i++) {
            double[] s = sums.get(i);
            long n = (long) s[1];
            double mean = n == 0 ? Double.NaN : s[2] / n;
            double var = n < 2 ? 0.0 : Math.max(0.0, (s[3] - n * mean * mean) / (n - 1));
            out.add(new Row(i, s[0], n, mean, Math.sqrt(var)));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The training-time reference of the same quantity (Ning et al. 2024, Fig. 1; the thesis'
     * "training" curve): for every level σ of {@code sigmas} (σ > 0) the mean over the rows of
     * {@code x0} of ‖ε̂‖ = ‖(x − D(x; σ))/σ‖ at the forward-noised x = x₀ + σ·n, n ~ N(0, I) drawn
     * from {@code noise}. Entry i belongs to sampler step i; a final σ = 0 gets NaN. With a perfect
     * denoiser ε̂ is the posterior mean of n, so the curve lies below √d and falls to ≈ 0 as σ → 0
     * only where the data are (nearly) deterministic given x.
     *
     * @param x0 real data [B, ...] in the denoiser's space
     */
    public static double[] trainingNorms(Denoiser denoiser, Tensor x0, double[] sigmas, Generator noise) {
        int batch = Math.toIntExact(x0.shape()[0]);
        double[] out = new double[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) {
            double sigma = sigmas[i];
            if (!(sigma > 0)) {
                out[i] = Double.NaN;
                continue;
            }
            double[] perSample = new double[batch];
            java.util.Arrays.fill(perSample, sigma);
            try (Tensor n = noise.normal(x0.shape(), x0.dtype(), x0.device());
                    Tensor x = x0.emptyLike();
                    Tensor d = x0.emptyLike();
                    Tensor eps = x0.emptyLike()) {
                Ops.combine(x, 1.0, x0, sigma, n);
                denoiser.denoise(x, perSample, d);
                Ops.combine(eps, 1.0 / sigma, x, -1.0 / sigma, d);
                out[i] = java.util.Arrays.stream(Ops.l2NormPerSample(eps))
                        .average()
                        .orElseThrow();
            }
        }
        return out;
    }

    /** Writes {@code step,sigma,count,eps_l2_mean,eps_l2_std}. */
    public void writeCsv(Path file) {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("step,sigma,count,eps_l2_mean,eps_l2_std\n");
            for (Row r : rows()) {
                w.write(String.format(
                        Locale.ROOT, "%d,%.17g,%d,%.17g,%.17g%n", r.i(), r.sigma(), r.count(), r.mean(), r.std()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
