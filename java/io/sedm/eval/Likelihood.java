package io.sedm.eval;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Denoiser;
import java.util.ArrayList;
import java.util.List;

/**
 * Log-likelihood through the probability-flow ODE (Song, Sohl-Dickstein, Kingma, Kumar, Ermon &amp;
 * Poole 2021, "Score-based generative modeling through stochastic differential equations", ICLR,
 * §4.3 and Appendix D.2; Chen, Rubanova, Bettencourt &amp; Duvenaud 2018 for the instantaneous
 * change of variables; docs/ALGORITHMS.md §11.4), in EDM's σ parameterisation (docs/ALGORITHMS.md §0):
 * <pre>
 *   dx/dσ = f̃(x, σ) = (x − D(x; σ))/σ,        ∇·f̃ = (d − tr ∂D/∂x)/σ
 *   log p_σmin(x₀) = log p_σmax(x(σmax)) + ∫_σmin^σmax ∇·f̃(x(σ), σ) dσ,   p_σmax ≈ N(0, σmax² I)
 * </pre>
 * The point x₀ is taken as the state at σ_min (the model's density is that of data convolved with
 * N(0, σ_min² I), as score_sde's integration from t = 1e−5). Integration runs upwards on a
 * log-spaced grid σ_i = σ_min (σ_max/σ_min)^(i/N), i = 0 … N, with fixed-step Heun (2nd order, two
 * stages per step) or classic RK4 (4th order, four stages), the state and the running integral in
 * float64.
 *
 * <p><b>Divergence.</b> Hutchinson's estimator (Hutchinson 1990; Grathwohl et al. 2019, FFJORD)
 * with one probe ε per sample held fixed over the whole solve (as score_sde does):
 * tr(I − J) ≈ εᵀ(I − J)ε = ‖ε‖² − εᵀJε, with Rademacher (±1, default) or Gaussian ε; or
 * {@link Probe#EXACT}, which sums over the d basis vectors (d times the cost; for toy checks). The
 * Jacobian-vector product is a central finite difference of the denoiser,
 * Jε ≈ (D(x + hε; σ) − D(x − hε; σ))/(2h) with h = {@code fdStep}·σ (the denoiser of σ-noised data
 * varies on length scales of at least σ): truncation error ≈ (fdStep²/6)·‖∂³D‖ relative, i.e.
 * ≈ 2e−5 at the default fdStep = 1e−2; rounding error ≈ u·|x|/(fdStep·σ) per coordinate, with u the
 * unit roundoff of the denoiser's arithmetic (2e−16 for the float64 toy denoisers; 6e−8 when a network
 * casts its input to float32, ≈ 3e−3 at σ = 0.002 — zero-mean and averaged over coordinates and
 * steps). Lower fdStep to ~1e−4 for float64 denoisers when the ODE error is being measured. The
 * three evaluations D(x), D(x ± hε) of one stage go to the denoiser as one batch of 3B. The
 * {@link Denoiser} contract exposes no exact JVP, so the finite difference is used throughout.
 *
 * <p><b>Bits per dimension.</b> For 8-bit images mapped to [−1, 1] and uniformly dequantised,
 * x = 2(k + u)/256 − 1, u ~ U[0, 1) (score_sde's {@code (255·x + U)/256} then 2x − 1; {@link #dequantize}),
 * each pixel bin has width Δ = 2/256 in x, the discrete probability of the bin is ≈ p(x)·Δ^d and
 * <pre>
 *   bpd = −log p(x)/(d ln 2) − log₂ Δ = −log p(x)/(d ln 2) + 7    (Δ = 2/256)
 * </pre>
 * which is score_sde's offset 7 = 8 bits for [0, 256) minus 1 bit for the doubled range; averaged
 * over u it bounds the discrete negative log-likelihood from above (Theis, van den Oord &amp; Bethge
 * 2016). Note that EDM's pixel map k/127.5 − 1 differs from the dequantisation centre
 * 2(k + ½)/256 − 1 by at most 1/256 (the two scales differ by 256/255).
 *
 * <p>This lives in {@code eval} rather than {@code sampler}: it produces a metric, not samples, and
 * reuses only the public {@link Denoiser} contract and {@link Ops}.
 */
public final class Likelihood {

    /** Fixed-step integrator. */
    public enum Solver {
        HEUN,
        RK4
    }

    /** Divergence probe: Hutchinson with Rademacher or Gaussian ε, or the exact trace over basis vectors. */
    public enum Probe {
        RADEMACHER,
        GAUSSIAN,
        EXACT
    }

    /** The bin width of 8-bit data mapped to [−1, 1]: 2/256. */
    public static final double BIN_WIDTH_8BIT = 2.0 / 256;

    /**
     * @param sigmaMin σ at which x₀ is evaluated (0.002, EDM's σ_min)
     * @param sigmaMax σ of the Gaussian prior N(0, σ_max² I) (80)
     * @param steps    N steps of the log-spaced grid (≥ 1)
     * @param solver   Heun or RK4
     * @param probe    divergence probe
     * @param fdStep   finite-difference step relative to σ, in (0, 1)
     */
    public record Options(double sigmaMin, double sigmaMax, int steps, Solver solver, Probe probe, double fdStep) {
        public Options {
            if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || Double.isInfinite(sigmaMax)) {
                throw new IllegalArgumentException(
                        "need 0 < sigmaMin < sigmaMax < ∞, got " + sigmaMin + ", " + sigmaMax);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            if (solver == null || probe == null) {
                throw new IllegalArgumentException("solver and probe must not be null");
            }
            if (!(fdStep > 0 && fdStep < 1)) {
                throw new IllegalArgumentException("fdStep must be in (0, 1), got " + fdStep);
            }
        }

        /**
         * σ ∈ [0.002, 80], 32 RK4 steps, Rademacher, fdStep 1e−2: 384 denoiser evaluations per sample
         * (3 per stage). On the 2-D mixture of docs/ALGORITHMS.md §14.1 the ODE error at this cost is
         * ≈ 1.4e−3 nats for RK4-32 against ≈ 4e−2 for Heun-64 (LikelihoodTest).
         */
        public static Options defaults() {
            return new Options(0.002, 80, 32, Solver.RK4, Probe.RADEMACHER, 1e-2);
        }

        public Options withSteps(int n) {
            return new Options(sigmaMin, sigmaMax, n, solver, probe, fdStep);
        }

        public Options withSolver(Solver s) {
            return new Options(sigmaMin, sigmaMax, steps, s, probe, fdStep);
        }

        public Options withProbe(Probe p) {
            return new Options(sigmaMin, sigmaMax, steps, solver, p, fdStep);
        }

        public Options withFdStep(double f) {
            return new Options(sigmaMin, sigmaMax, steps, solver, probe, f);
        }

        public Options withSigmas(double min, double max) {
            return new Options(min, max, steps, solver, probe, fdStep);
        }

        /** The grid σ_i = σ_min (σ_max/σ_min)^(i/N), i = 0 … N (ends exact). */
        public double[] grid() {
            double[] s = new double[steps + 1];
            double ratio = Math.log(sigmaMax / sigmaMin);
            for (int i = 0; i <= steps; i++) {
                s[i] = sigmaMin * Math.exp(ratio * i / steps);
            }
            s[0] = sigmaMin;
            s[steps] = sigmaMax;
            return s;
        }
    }

    /**
     * Per-sample results.
     *
     * @param logLikelihood      log p_σmin(x₀) (nats) = logPrior + divergenceIntegral
     * @param logPrior           log N(x(σ_max); 0, σ_max² I)
     * @param divergenceIntegral ∫ ∇·f̃ dσ along the path (its Hutchinson estimate)
     * @param latent             x(σ_max), B × dim row-major (for an exact prior in tests, or encoding)
     * @param dim                d, elements per sample
     * @param evaluations        denoiser evaluations per sample (3 per stage, times d for EXACT)
     */
    public record Result(
            double[] logLikelihood,
            double[] logPrior,
            double[] divergenceIntegral,
            double[] latent,
            int dim,
            long evaluations) {
        /** Bits per dimension for data with bin width Δ in x ({@link #BIN_WIDTH_8BIT} for 8-bit [−1, 1] data). */
        public double[] bitsPerDim(double binWidth) {
            double[] out = new double[logLikelihood.length];
            for (int b = 0; b < out.length; b++) {
                out[b] = Likelihood.bitsPerDim(logLikelihood[b], dim, binWidth);
            }
            return out;
        }
    }

    private final Options options;

    public Likelihood(Options options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** bpd = −log p/(d ln 2) − log₂ Δ (see the class comment; Δ = 2/256 gives the offset 7). */
    public static double bitsPerDim(double logLikelihood, int dim, double binWidth) {
        if (dim < 1 || !(binWidth > 0)) {
            throw new IllegalArgumentException("need dim >= 1 and binWidth > 0, got " + dim + ", " + binWidth);
        }
        return -logLikelihood / (dim * Math.log(2)) - Math.log(binWidth) / Math.log(2);
    }

    /** Uniform dequantisation of one 8-bit level k ∈ [0, 255] with u ∈ [0, 1): 2(k + u)/256 − 1. */
    public static double dequantize(int level, double u) {
        return 2.0 * (level + u) / 256 - 1;
    }

    /**
     * Dequantised float64 data 2(k + u)/256 − 1 from a tensor of 8-bit levels k (as numbers in
     * [0, 255], any floating dtype), u ~ U[0, 1) drawn from {@code noise} (one seed per sample).
     */
    public static Tensor dequantize(Tensor levels, Generator noise) {
        try (Tensor k = levels.to(levels.device(), DType.FLOAT64);
                Tensor u = k.emptyLike();
                Tensor ones = k.emptyLike()) {
            noise.uniform(u);
            ones.fill(1.0);
            Tensor out = k.emptyLike();
            Ops.combine(out, 2.0 / 256, k, 2.0 / 256, u, -1.0, ones);
            return out;
        }
    }

    /**
     * log p_σmin(x₀) for every sample of {@code x0} ([B, ...], any floating dtype and device).
     *
     * @param probes one seed per sample for the Hutchinson probes (sample b's probe depends only on
     *               its seed); ignored (may be null) for {@link Probe#EXACT}
     */
    public Result evaluate(Denoiser denoiser, Tensor x0, Generator probes) {
        if (denoiser == null || x0 == null) {
            throw new IllegalArgumentException("denoiser and x0 must not be null");
        }
        if (options.sigmaMin() < denoiser.sigmaMin() || options.sigmaMax() > denoiser.sigmaMax()) {
            throw new IllegalArgumentException("σ range [" + options.sigmaMin() + ", " + options.sigmaMax()
                    + "] is outside the denoiser's [" + denoiser.sigmaMin() + ", " + denoiser.sigmaMax() + "]");
        }
        int batch = Math.toIntExact(x0.batchSize());
        if (options.probe() != Probe.EXACT && (probes == null || probes.count() != batch)) {
            throw new IllegalArgumentException("probes must hold one seed per sample (" + batch + "), got "
                    + (probes == null ? "null" : probes.count()));
        }
        try (Run run = new Run(denoiser, x0, probes)) {
            return run.solve();
        }
    }

    /** The tensors and loop state of one evaluation. */
    private final class Run implements AutoCloseable {
        private final List<Tensor> owned = new ArrayList<>();
        private final Denoiser denoiser;
        private final int batch;
        private final int dim;
        private final long[] shape;
        private final Tensor x;
        private final Tensor[] eps;
        private final double[][] epsNorm2;
        private final Tensor in;
        private final Tensor out;
        private final Tensor in0;
        private final Tensor inPlus;
        private final Tensor inMinus;
        private final Tensor out0;
        private final Tensor outPlus;
        private final Tensor outMinus;
        private final Tensor jvp;
        private final Tensor scratch;
        private final Tensor stage;
        private final Tensor[] k = new Tensor[4];
        private long evaluations;

        Run(Denoiser denoiser, Tensor x0, Generator probes) {
            this.denoiser = denoiser;
            this.batch = Math.toIntExact(x0.batchSize());
            this.dim = batch == 0 ? 1 : Math.toIntExact(x0.numel() / batch);
            this.shape = x0.shape();
            Device device = x0.device();
            this.x = own(x0.to(device, DType.FLOAT64));
            long[] tripled = shape.clone();
            tripled[0] = 3L * batch;
            this.in = own(Tensor.empty(tripled, DType.FLOAT64, device));
            this.out = own(Tensor.empty(tripled, DType.FLOAT64, device));
            this.in0 = own(in.slice(0, batch));
            this.inPlus = own(in.slice(batch, batch));
            this.inMinus = own(in.slice(2L * batch, batch));
            this.out0 = own(out.slice(0, batch));
            this.outPlus = own(out.slice(batch, batch));
            this.outMinus = own(out.slice(2L * batch, batch));
            this.jvp = own(x.emptyLike());
            this.scratch = own(x.emptyLike());
            this.stage = own(x.emptyLike());
            int stages = options.solver() == Solver.HEUN ? 2 : 4;
            for (int s = 0; s < stages; s++) {
                k[s] = own(x.emptyLike());
            }
            this.eps = makeProbes(probes, device);
            this.epsNorm2 = new double[eps.length][];
            for (int p = 0; p < eps.length; p++) {
                epsNorm2[p] = Ops.sumSquaresPerSample(eps[p]);
            }
        }

        private Tensor own(Tensor t) {
            owned.add(t);
            return t;
        }

        private Tensor[] makeProbes(Generator probes, Device device) {
            switch (options.probe()) {
                case GAUSSIAN -> {
                    Tensor e = own(x.emptyLike());
                    probes.normal(e);
                    return new Tensor[] {e};
                }
                case RADEMACHER -> {
                    try (Tensor u = x.emptyLike()) {
                        probes.uniform(u);
                        double[] v = u.toDoubleArray();
                        for (int i = 0; i < v.length; i++) {
                            v[i] = v[i] < 0.5 ? -1.0 : 1.0;
                        }
                        return new Tensor[] {own(Tensor.of(v, shape, device))};
                    }
                }
                default -> {
                    Tensor[] basis = new Tensor[dim];
                    for (int j = 0; j < dim; j++) {
                        double[] v = new double[batch * dim];
                        for (int b = 0; b < batch; b++) {
                            v[b * dim + j] = 1.0;
                        }
                        basis[j] = own(Tensor.of(v, shape, device));
                    }
                    return basis;
                }
            }
        }

        /** velocity = (xs − D(xs; σ))/σ; returns the divergence estimate per sample. */
        private double[] field(Tensor xs, double sigma, Tensor velocity) {
            double h = options.fdStep() * sigma;
            double[] sigmas = new double[3 * batch];
            java.util.Arrays.fill(sigmas, sigma);
            double[] div = new double[batch];
            for (int p = 0; p < eps.length; p++) {
                Ops.combine(in0, 1.0, xs);
                Ops.combine(inPlus, 1.0, xs, h, eps[p]);
                Ops.combine(inMinus, 1.0, xs, -h, eps[p]);
                denoiser.denoise(in, sigmas, out);
                evaluations += 3;
                if (p == 0) {
                    Ops.combine(velocity, 1.0 / sigma, xs, -1.0 / sigma, out0);
                }
                Ops.combine(jvp, 0.5 / h, outPlus, -0.5 / h, outMinus);
                // εᵀJε by polarisation: (‖ε + Jε‖² − ‖ε − Jε‖²)/4, per sample, without leaving the device
                Ops.combine(scratch, 1.0, eps[p], 1.0, jvp);
                double[] plus = Ops.sumSquaresPerSample(scratch);
                Ops.combine(scratch, 1.0, eps[p], -1.0, jvp);
                double[] minus = Ops.sumSquaresPerSample(scratch);
                for (int b = 0; b < batch; b++) {
                    div[b] += (epsNorm2[p][b] - 0.25 * (plus[b] - minus[b])) / sigma;
                }
            }
            return div;
        }

        Result solve() {
            double[] grid = options.grid();
            double[] integral = new double[batch];
            for (int i = 0; i < options.steps(); i++) {
                double s0 = grid[i];
                double s1 = grid[i + 1];
                double h = s1 - s0;
                if (options.solver() == Solver.HEUN) {
                    double[] d1 = field(x, s0, k[0]);
                    Ops.combine(stage, 1.0, x, h, k[0]);
                    double[] d2 = field(stage, s1, k[1]);
                    Ops.combine(x, 1.0, x, 0.5 * h, k[0], 0.5 * h, k[1]);
                    for (int b = 0; b < batch; b++) {
                        integral[b] += 0.5 * h * (d1[b] + d2[b]);
                    }
                } else {
                    double mid = s0 + 0.5 * h;
                    double[] d1 = field(x, s0, k[0]);
                    Ops.combine(stage, 1.0, x, 0.5 * h, k[0]);
                    double[] d2 = field(stage, mid, k[1]);
                    Ops.combine(stage, 1.0, x, 0.5 * h, k[1]);
                    double[] d3 = field(stage, mid, k[2]);
                    Ops.combine(stage, 1.0, x, h, k[2]);
                    double[] d4 = field(stage, s1, k[3]);
                    Ops.combine(x, 1.0, x, h / 6, k[0], h / 3, k[1]);
                    Ops.combine(x, 1.0, x, h / 3, k[2], h / 6, k[3]);
                    for (int b = 0; b < batch; b++) {
                        integral[b] += h / 6 * (d1[b] + 2 * d2[b] + 2 * d3[b] + d4[b]);
                    }
                }
            }
            double sMax = options.sigmaMax();
            double[] norm2 = Ops.sumSquaresPerSample(x);
            double[] logPrior = new double[batch];
            double[] ll = new double[batch];
            for (int b = 0; b < batch; b++) {
                logPrior[b] = -norm2[b] / (2 * sMax * sMax) - 0.5 * dim * Math.log(2 * Math.PI * sMax * sMax);
                ll[b] = logPrior[b] + integral[b];
            }
            return new Result(ll, logPrior, integral, x.toDoubleArray(), dim, evaluations);
        }

        @Override
        public void close() {
            for (int i = owned.size() - 1; i >= 0; i--) {
                owned.get(i).close();
            }
            owned.clear();
        }
    }
}
