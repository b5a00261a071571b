package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sedm.data.Npy;
import io.sedm.guidance.Discriminator;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.AnnealedLangevinSampler;
import io.sedm.sampler.Churn;
import io.sedm.sampler.DdimSampler;
import io.sedm.sampler.DdpmSampler;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.EpsilonScaling;
import io.sedm.sampler.ExposureBiasProbe;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.sampler.GeneralizedEdmSampler;
import io.sedm.sampler.Latents;
import io.sedm.sampler.ProbabilityFlowSampler;
import io.sedm.sampler.Sampler;
import io.sedm.sampler.ScoreSdeSampler;
import io.sedm.sampler.Solver;
import io.sedm.sampler.StepListener;
import io.sedm.schedule.BetaSchedule;
import io.sedm.schedule.EdmSchedule;
import io.sedm.schedule.NcsnSchedule;
import io.sedm.sde.ScoreSde;
import io.sedm.train.ClassifierTrainer;
import io.sedm.train.DenoiserTrainer;
import io.sedm.train.DiscriminatorTrainer;
import io.sedm.train.MlpConfig;
import io.sedm.train.NetworkDenoiser;
import io.sedm.train.NetworkDiscriminator;
import io.sedm.train.SongUNetConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code sedm sample}: draws samples with the EDM-family samplers (EDM, EDM-ES, EDM-G++, SEDM-G++)
 * in the style of NVlabs/edm {@code generate.py}: one generator per seed, so sample i is the same
 * whatever the batch size; resolved options are written next to the outputs.
 */
@Command(name = "sample", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Generate samples with EDM / EDM-ES / EDM-G++ / SEDM-G++ (ALGORITHMS.md §4, §6, §7, §9).")
public final class SampleCommand implements Callable<Integer> {

    /** The sampler families this command runs. */
    public enum Kind {
        EDM("edm"), EDM_ES("edm-es"), EDM_GPP("edm-gpp"), SEDM_GPP("sedm-gpp"),
        ABLATION_VP("ablation-vp"), ABLATION_VE("ablation-ve"), ABLATION_IDDPM("ablation-iddpm"),
        DDIM("ddim"), DDPM("ddpm"), PC_VE("pc-ve"), PC_VP("pc-vp"), PC_SUBVP("pc-subvp"),
        ODE_VP("ode-vp"), ODE_VE("ode-ve"), NCSN("ncsn");

        static final String NAMES = "edm, edm-es, edm-gpp, sedm-gpp, ablation-vp, ablation-ve, ablation-iddpm, ddim, ddpm, "
                + "pc-ve, pc-vp, pc-subvp, ode-vp, ode-ve, ncsn";

        /** The EDM family: the ρ schedule, churn, ES and DG apply. */
        boolean edmFamily() {
            return ordinal() <= SEDM_GPP.ordinal();
        }

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }

        static Kind parse(String text) {
            for (Kind k : values()) {
                if (k.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--sampler must be one of " + NAMES + "; got '" + text + "'");
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--sampler", defaultValue = "edm", paramLabel = "NAME",
            description = "edm | edm-es | edm-gpp | sedm-gpp (ρ schedule, §4–§9); ablation-vp | ablation-ve | ablation-iddpm "
                    + "(EDM's generalised sampler, §5); ddim | ddpm (§12, with --eta, --variance, --beta-schedule, --timesteps); "
                    + "pc-ve | pc-vp | pc-subvp (score-SDE predictor–corrector, §11.2, --snr, --corrector-steps); "
                    + "ode-vp | ode-ve (probability flow, --ode-method, --rtol, --atol); ncsn (annealed Langevin from "
                    + "--sigma-max to --sigma-min in --steps levels, §13)")
    String sampler;

    @Option(names = "--eta", defaultValue = "0", paramLabel = "FLOAT", description = "ddim: η in [0, 1] (1 = DDPM ancestral)")
    double eta;

    @Option(names = "--variance", defaultValue = "large", paramLabel = "small|large",
            description = "ddpm: fixed posterior variance β̃_t (small) or β_t (large)")
    String variance;

    @Option(names = "--beta-schedule", defaultValue = "linear", paramLabel = "linear|cosine", description = "ddpm: β schedule")
    String betaSchedule;

    @Option(names = "--timesteps", defaultValue = "1000", paramLabel = "INT",
            description = "ddpm: length T of the chain; --steps of its steps are kept (iDDPM respacing)")
    int timesteps;

    @Option(names = "--snr", defaultValue = "0.16", paramLabel = "FLOAT", description = "pc-*: Langevin corrector signal-to-noise ratio, > 0")
    double snr;

    @Option(names = "--corrector-steps", defaultValue = "1", paramLabel = "INT", description = "pc-*: corrector steps per level, >= 0")
    int correctorSteps;

    @Option(names = "--ode-method", defaultValue = "rk45", paramLabel = "rk45|heun|euler", description = "ode-*: integrator")
    String odeMethod;

    @Option(names = "--rtol", defaultValue = "1e-5", paramLabel = "FLOAT", description = "ode-* with rk45: relative tolerance, > 0")
    double rtol;

    @Option(names = "--atol", defaultValue = "1e-5", paramLabel = "FLOAT", description = "ode-* with rk45: absolute tolerance, > 0")
    double atol;

    @Option(names = "--langevin-eps", defaultValue = "2e-5", paramLabel = "FLOAT", description = "ncsn: step size ε, > 0")
    double langevinEps;

    @Option(names = "--langevin-steps", defaultValue = "100", paramLabel = "INT", description = "ncsn: Langevin steps T per level, >= 1")
    int langevinSteps;

    @Option(names = "--solver", defaultValue = "heun", paramLabel = "heun|euler", description = "ODE solver")
    String solver;

    @Option(names = "--steps", defaultValue = "18", paramLabel = "INT", description = "number of σ levels N, >= 2")
    int steps;

    @Option(names = "--sigma-min", defaultValue = "0.002", paramLabel = "FLOAT", description = "lowest noise level, > 0")
    double sigmaMin;

    @Option(names = "--sigma-max", defaultValue = "80", paramLabel = "FLOAT", description = "highest noise level, > sigma-min")
    double sigmaMax;

    @Option(names = "--rho", defaultValue = "7", paramLabel = "FLOAT", description = "time-step exponent ρ, > 0")
    double rho;

    @Option(names = "--s-churn", defaultValue = "0", paramLabel = "FLOAT", description = "stochasticity S_churn, >= 0")
    double sChurn;

    @Option(names = "--s-min", defaultValue = "0", paramLabel = "FLOAT", description = "S_min, >= 0")
    double sMin;

    @Option(names = "--s-max", defaultValue = "Infinity", paramLabel = "FLOAT", description = "S_max, >= S_min")
    double sMax;

    @Option(names = "--s-noise", defaultValue = "1", paramLabel = "FLOAT", description = "S_noise, >= 0")
    double sNoise;

    @Option(names = "--es-scale", paramLabel = "FLOAT",
            description = "Epsilon Scaling b (λ_i = b + κ·i), > 0; default 1.0004 for sedm-gpp, 1.0005 for edm-es, 1 otherwise")
    Double esScale;

    @Option(names = "--es-slope", defaultValue = "0", paramLabel = "FLOAT", description = "Epsilon Scaling κ (linear schedule)")
    double esSlope;

    @Option(names = "--dg-w1", paramLabel = "FLOAT",
            description = "DG weight on the predictor; default 1.67 for sedm-gpp, 2.0 for edm-gpp, 0 otherwise")
    Double dgW1;

    @Option(names = "--dg-w2", defaultValue = "0", paramLabel = "FLOAT", description = "DG weight on the corrector")
    double dgW2;

    @Option(names = "--dg-window", defaultValue = "0.01,1", paramLabel = "MIN,MAX",
            description = "DG window in VP time, 0 <= MIN <= MAX <= 1")
    String dgWindow;

    @Option(names = "--dg-boosting", defaultValue = "false", description = "DG boosting (extra churn for samples judged fake)")
    boolean dgBoosting;

    @Option(names = "--denoiser", required = true, paramLabel = "gmm:FILE.json|checkpoint:SIDECAR.json",
            description = "the model: gmm:FILE = exact Gaussian-mixture denoiser from {weights, means, variances}; "
                    + "checkpoint:SIDECAR = the EMA network of a `sedm train` checkpoint (EDM preconditioning)")
    String denoiser;

    @Option(names = "--discriminator", paramLabel = "oracle:FILE.json|net:SIDECAR.json",
            description = "oracle:FILE = exact discriminator between the data mixture FILE and a gmm: denoiser; "
                    + "net:SIDECAR = a `sedm train-discriminator` head (needs --classifier)")
    String discriminator;

    @Option(names = "--classifier", paramLabel = "SIDECAR.json",
            description = "the `sedm train-classifier` checkpoint whose trunk feeds a net: discriminator")
    Path classifier;

    @Option(names = "--seeds", defaultValue = "0-63", paramLabel = "LIST", description = "seeds, e.g. 0-63 or 1,5,10-19")
    String seeds;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "INT", description = "samples per batch, >= 1")
    int batch;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda[:N]", description = "compute device")
    String device;

    @Option(names = "--shape", paramLabel = "C,H,W", description = "per-sample shape (its product must equal the model's dim); C,H,W also writes a PNG grid")
    String shape;

    @Option(names = "--latents", paramLabel = "FILE.npy", description = "start from these z (one row per seed, x_0 = σ_max·z)")
    Path latents;

    @Option(names = "--out", defaultValue = "out/sample", paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "float32|float64|uint8",
            description = "dtype of samples.npy; uint8 writes [N, H, W, C] images (the fake set of train-discriminator)")
    String dtype;

    @Option(names = "--probe", defaultValue = "false", description = "write exposure-bias CSV (per-step mean ‖ε̂‖)")
    boolean probe;

    @Option(names = "--dry-run", defaultValue = "false", description = "print the resolved options as JSON and exit")
    boolean dryRun;

    /** Everything a run needs, resolved and validated. */
    record Resolved(Kind sampler, Solver solver, int steps, double sigmaMin, double sigmaMax, double rho, double sChurn,
            double sMin, double sMax, double sNoise, double esScale, double esSlope, double dgW1, double dgW2,
            double tauMin, double tauMax, boolean dgBoosting, String denoiser, String discriminator, long[] seeds,
            int batch, String device, long[] shape, String latents, String out, String dtype, boolean probe) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new SampleCommand()).execute(args));
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw bad(message);
        }
    }

    Resolved resolve() {
        Kind kind;
        try {
            kind = Kind.parse(sampler);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        Solver s = switch (solver.trim().toLowerCase(Locale.ROOT)) {
            case "heun" -> Solver.HEUN;
            case "euler" -> Solver.EULER;
            default -> throw bad("--solver must be heun or euler, got '" + solver + "'");
        };
        require(steps >= 2, "--steps must be >= 2, got " + steps);
        require(sigmaMin > 0 && Double.isFinite(sigmaMin), "--sigma-min must be finite and > 0, got " + sigmaMin);
        require(sigmaMax > sigmaMin && Double.isFinite(sigmaMax), "--sigma-max must be finite and > --sigma-min (" + sigmaMin + "), got " + sigmaMax);
        require(rho > 0 && Double.isFinite(rho), "--rho must be finite and > 0, got " + rho);
        require(sChurn >= 0 && Double.isFinite(sChurn), "--s-churn must be finite and >= 0, got " + sChurn);
        require(sMin >= 0, "--s-min must be >= 0, got " + sMin);
        require(sMax >= sMin, "--s-max must be >= --s-min (" + sMin + "), got " + sMax);
        require(sNoise >= 0 && Double.isFinite(sNoise), "--s-noise must be finite and >= 0, got " + sNoise);
        double b = esScale != null ? esScale : switch (kind) {
            case SEDM_GPP -> 1.0004;
            case EDM_ES -> 1.0005;
            default -> 1.0;
        };
        require(b > 0 && Double.isFinite(b), "--es-scale must be finite and > 0, got " + b);
        require(Double.isFinite(esSlope), "--es-slope must be finite, got " + esSlope);
        require(b + esSlope * (steps - 1) > 0, "--es-slope makes λ_" + (steps - 1) + " = " + (b + esSlope * (steps - 1)) + " <= 0; λ must stay > 0");
        double w1 = dgW1 != null ? dgW1 : switch (kind) {
            case SEDM_GPP -> 1.67;
            case EDM_GPP -> 2.0;
            default -> 0.0;
        };
        require(Double.isFinite(w1) && Double.isFinite(dgW2), "--dg-w1 and --dg-w2 must be finite");
        String[] win = dgWindow.split(",");
        double tauMin;
        double tauMax;
        try {
            require(win.length == 2, "--dg-window must be MIN,MAX with 0 <= MIN <= MAX <= 1, got '" + dgWindow + "'");
            tauMin = Double.parseDouble(win[0].trim());
            tauMax = Double.parseDouble(win[1].trim());
        } catch (NumberFormatException e) {
            throw bad("--dg-window must be MIN,MAX with 0 <= MIN <= MAX <= 1, got '" + dgWindow + "'");
        }
        require(tauMin >= 0 && tauMax >= tauMin && tauMax <= 1, "--dg-window must satisfy 0 <= MIN <= MAX <= 1, got " + dgWindow);
        if (kind != Kind.EDM_GPP && kind != Kind.SEDM_GPP) {
            require(dgW1 == null || dgW1 == 0, "--dg-w1 needs --sampler edm-gpp or sedm-gpp");
            w1 = 0;
        }
        if (kind != Kind.EDM_ES && kind != Kind.SEDM_GPP) {
            require(esScale == null || esScale == 1.0, "--es-scale needs --sampler edm-es or sedm-gpp");
            b = 1.0;
        }
        boolean guided = w1 != 0 || dgW2 != 0 || dgBoosting;
        require(!guided || discriminator != null,
                "--sampler " + kind + " with DG weights needs --discriminator oracle:FILE.json or net:SIDECAR.json");
        require(denoiser.startsWith("gmm:") || denoiser.startsWith("checkpoint:"),
                "--denoiser must be gmm:FILE.json or checkpoint:SIDECAR.json, got '" + denoiser + "'");
        require(discriminator == null || discriminator.startsWith("oracle:") || discriminator.startsWith("net:"),
                "--discriminator must be oracle:FILE.json or net:SIDECAR.json, got '" + discriminator + "'");
        require(discriminator == null || !discriminator.startsWith("oracle:") || denoiser.startsWith("gmm:"),
                "--discriminator oracle: needs a gmm: denoiser (the oracle is the exact ratio of two mixtures)");
        require(discriminator == null || !discriminator.startsWith("net:") || classifier != null,
                "--discriminator net: needs --classifier SIDECAR.json (the trunk the head was trained on)");
        require(batch >= 1, "--batch must be >= 1, got " + batch);
        try {
            Device.parse(device);
        } catch (IllegalArgumentException e) {
            throw bad("--device: " + e.getMessage());
        }
        require(dtype.equals("float32") || dtype.equals("float64") || dtype.equals("uint8"),
                "--dtype must be float32, float64 or uint8 (NHWC images, EDM's quantisation), got '" + dtype + "'");
        if (!kind.edmFamily()) {
            require(w1 == 0 && dgW2 == 0 && !dgBoosting && discriminator == null,
                    "--sampler " + kind + " takes no Discriminator Guidance (DG is defined for the EDM family)");
            require(sChurn == 0, "--s-churn applies to the EDM family and ablation samplers only");
            require(eta >= 0 && eta <= 1, "--eta must be in [0, 1], got " + eta);
            require(variance.equals("small") || variance.equals("large"), "--variance must be small or large, got '" + variance + "'");
            require(betaSchedule.equals("linear") || betaSchedule.equals("cosine"),
                    "--beta-schedule must be linear or cosine, got '" + betaSchedule + "'");
            require(timesteps >= steps, "--timesteps must be >= --steps (" + steps + "), got " + timesteps);
            require(snr > 0 && Double.isFinite(snr), "--snr must be finite and > 0, got " + snr);
            require(correctorSteps >= 0, "--corrector-steps must be >= 0, got " + correctorSteps);
            require(List.of("rk45", "heun", "euler").contains(odeMethod), "--ode-method must be rk45, heun or euler, got '" + odeMethod + "'");
            require(rtol > 0 && atol > 0, "--rtol and --atol must be > 0, got " + rtol + ", " + atol);
            require(langevinEps > 0 && Double.isFinite(langevinEps), "--langevin-eps must be finite and > 0, got " + langevinEps);
            require(langevinSteps >= 1, "--langevin-steps must be >= 1, got " + langevinSteps);
        }
        long[] shapeDims = null;
        if (shape != null) {
            try {
                shapeDims = Arrays.stream(shape.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
            } catch (NumberFormatException e) {
                throw bad("--shape must be comma-separated positive integers, got '" + shape + "'");
            }
            require(Arrays.stream(shapeDims).allMatch(d -> d >= 1), "--shape must be comma-separated positive integers, got '" + shape + "'");
        }
        return new Resolved(kind, s, steps, sigmaMin, sigmaMax, rho, sChurn, sMin, sMax, sNoise, b, esSlope, w1, dgW2,
                tauMin, tauMax, dgBoosting, denoiser, discriminator, parseSeeds(seeds), batch, device, shapeDims,
                latents == null ? null : latents.toString(), out.toString(), dtype, probe);
    }

    long[] parseSeeds(String text) {
        List<Long> out = new ArrayList<>();
        try {
            for (String part : text.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    long lo = Long.parseLong(p.substring(0, dash).trim());
                    long hi = Long.parseLong(p.substring(dash + 1).trim());
                    require(lo <= hi && hi - lo < 10_000_000, "--seeds range " + p + " must be LO-HI with LO <= HI");
                    for (long v = lo; v <= hi; v++) {
                        out.add(v);
                    }
                } else {
                    out.add(Long.parseLong(p));
                }
            }
        } catch (NumberFormatException e) {
            throw bad("--seeds must be a list of seeds and ranges such as 0-63 or 1,5,10-19; got '" + text + "'");
        }
        require(!out.isEmpty(), "--seeds must name at least one seed");
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** A sampler and the σ schedule it runs on. */
    private record Plan(Sampler sampler, double[] sigmas) {}

    private Plan otherPlan(Resolved r, Denoiser model) {
        int n = r.steps();
        return switch (r.sampler()) {
            case ABLATION_VP, ABLATION_VE, ABLATION_IDDPM -> {
                GeneralizedEdmSampler.Options o = switch (r.sampler()) {
                    case ABLATION_VP -> GeneralizedEdmSampler.Options.vp();
                    case ABLATION_VE -> GeneralizedEdmSampler.Options.ve();
                    default -> GeneralizedEdmSampler.Options.iddpm();
                };
                GeneralizedEdmSampler g = new GeneralizedEdmSampler(o.withSolver(r.solver(), o.alpha()));
                yield new Plan(g, g.options().discretization().sigmas(n, model.sigmaMin(), model.sigmaMax()));
            }
            case DDIM -> new Plan(new DdimSampler(eta), EdmSchedule.sigmas(n, r.sigmaMin(), r.sigmaMax(), r.rho()));
            case DDPM -> new Plan(new DdpmSampler(DdpmSampler.Options.defaults().withVariance(variance.equals("small")
                    ? DdpmSampler.Variance.FIXED_SMALL : DdpmSampler.Variance.FIXED_LARGE)),
                    (betaSchedule.equals("cosine") ? BetaSchedule.cosine(timesteps) : BetaSchedule.linear(timesteps))
                            .sigmas(Integer.toString(n)));
            case PC_VE, PC_VP, PC_SUBVP -> {
                ScoreSdeSampler.Options o = switch (r.sampler()) {
                    case PC_VE -> ScoreSdeSampler.Options.ve();
                    case PC_VP -> ScoreSdeSampler.Options.vp();
                    default -> ScoreSdeSampler.Options.vp().withSde(ScoreSde.subVp());
                };
                o = new ScoreSdeSampler.Options(o.sde(), o.predictor(), correctorSteps == 0 ? ScoreSdeSampler.Corrector.NONE
                        : ScoreSdeSampler.Corrector.LANGEVIN, snr, Math.max(1, correctorSteps));
                yield new Plan(new ScoreSdeSampler(o), o.sde().sigmas(n, o.sde().defaultEps()));
            }
            case ODE_VP, ODE_VE -> {
                ScoreSde sde = r.sampler() == Kind.ODE_VP ? ScoreSde.vp() : ScoreSde.ve();
                ProbabilityFlowSampler.Method m = ProbabilityFlowSampler.Method.valueOf(odeMethod.toUpperCase(Locale.ROOT));
                yield new Plan(new ProbabilityFlowSampler(new ProbabilityFlowSampler.Options(sde, m, rtol, atol, true)),
                        sde.sigmas(n, sde.defaultEps()));
            }
            case NCSN -> new Plan(new AnnealedLangevinSampler(langevinEps, langevinSteps, true),
                    NcsnSchedule.sigmas(r.sigmaMax(), r.sigmaMin(), n));
            default -> throw new IllegalStateException("not a non-EDM sampler: " + r.sampler());
        };
    }

    static Sampler samplerFor(Resolved r, Discriminator discriminator) {
        if (r.sampler() == Kind.EDM) {
            return new EdmSampler(new EdmSampler.Options(r.solver(), new Churn(r.sChurn(), r.sMin(), r.sMax(), r.sNoise()),
                    EpsilonScaling.none(), EdmSampler.Guidance.none()));
        }
        return new EdmSampler(new EdmSampler.Options(r.solver(), new Churn(r.sChurn(), r.sMin(), r.sMax(), r.sNoise()),
                EpsilonScaling.linear(r.esScale(), r.esSlope()),
                new EdmSampler.Guidance(r.dgW1(), r.dgW2(), r.tauMin(), r.tauMax(), r.dgBoosting())), discriminator);
    }

    @Override
    public Integer call() throws Exception {
        Resolved r = resolve();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> printable = printable(r);
        PrintWriter stdout = spec.commandLine().getOut();
        if (dryRun) {
            stdout.println(json.writeValueAsString(printable));
            stdout.flush();
            return 0;
        }
        Device dev = Device.parse(r.device());
        Path outDir = Path.of(r.out());
        Files.createDirectories(outDir);
        json.writeValue(outDir.resolve("options.json").toFile(), printable);
        long[] seedList = r.seeds();
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            Denoiser model;
            long[] natural;
            if (r.denoiser().startsWith("gmm:")) {
                GaussianMixtureDenoiser gmm = GaussianMixtureDenoiser.fromJson(Path.of(r.denoiser().substring(4)), dev);
                owned.add(gmm);
                model = gmm;
                natural = new long[] {gmm.dim()};
            } else {
                Path sidecar = Path.of(r.denoiser().substring("checkpoint:".length()));
                natural = switch (DenoiserTrainer.networkConfig(sidecar)) {
                    case SongUNetConfig u -> new long[] {u.inChannels(), u.imgResolution(), u.imgResolution()};
                    case MlpConfig m -> new long[] {m.inFeatures()};
                    default -> throw bad("--denoiser " + r.denoiser() + " is not a denoiser checkpoint (U-Net or MLP)");
                };
                Network net = DenoiserTrainer.loadEma(sidecar, dev);
                owned.add(net);
                model = NetworkDenoiser.edm(net);
            }
            long naturalNumel = Arrays.stream(natural).reduce(1, (a, b) -> a * b);
            long[] sample = r.shape() == null ? natural : r.shape();
            long per = Arrays.stream(sample).reduce(1, (a, b) -> a * b);
            require(per == naturalNumel, "--shape " + Arrays.toString(sample) + " has " + per
                    + " elements but the model's sample has " + naturalNumel);
            Discriminator disc = null;
            if (r.discriminator() != null && r.discriminator().startsWith("oracle:")) {
                GaussianMixtureDenoiser data = GaussianMixtureDenoiser.fromJson(Path.of(r.discriminator().substring(7)), dev);
                owned.add(data);
                disc = new GaussianMixtureOracle(data.density(), ((GaussianMixtureDenoiser) model).density());
            } else if (r.discriminator() != null) {
                Network trunk = ClassifierTrainer.loadTrunk(classifier, dev);
                owned.add(trunk);
                Network head = DiscriminatorTrainer.loadHead(Path.of(r.discriminator().substring(4)), dev);
                owned.add(head);
                disc = new NetworkDiscriminator(trunk, head);
            }
            Plan plan = r.sampler().edmFamily()
                    ? new Plan(samplerFor(r, disc), EdmSchedule.sigmas(r.steps(), r.sigmaMin(), r.sigmaMax(), r.rho()))
                    : otherPlan(r, model);
            Sampler sampler = plan.sampler();
            double[] sigmas = plan.sigmas();
            Npy.Array z = null;
            if (r.latents() != null) {
                z = Npy.read(Path.of(r.latents()));
                require(z.shape().length >= 1 && z.shape()[0] == seedList.length && z.numel() == seedList.length * per,
                        "--latents " + r.latents() + " has shape " + Arrays.toString(z.shape()) + " but " + seedList.length
                                + " seeds × " + per + " values are needed");
            }
            double[] zData = z == null ? null : z.toDoubles();
            ExposureBiasProbe exposure = r.probe() ? new ExposureBiasProbe() : null;
            StepListener listener = exposure == null ? StepListener.NONE : exposure;
            double[] all = new double[Math.toIntExact(seedList.length * per)];
            for (int start = 0; start < seedList.length; start += r.batch()) {
                int n = Math.min(r.batch(), seedList.length - start);
                long[] batchSeeds = Arrays.copyOfRange(seedList, start, start + n);
                long[] batchShape = new long[sample.length + 1];
                batchShape[0] = n;
                System.arraycopy(sample, 0, batchShape, 1, sample.length);
                try (Generator g = Generator.ofSeeds(batchSeeds);
                        Tensor latent = z == null ? Latents.draw(g, batchShape, dev)
                                : upload(Arrays.copyOfRange(zData, Math.toIntExact(start * per), Math.toIntExact((start + n) * per)),
                                        batchShape, dev);
                        Tensor x0 = Latents.scaled(latent, sigmas[0]);
                        Tensor xN = sampler.sample(model, x0, sigmas, g, listener)) {
                    double[] got = xN.toDoubleArray();
                    for (int i = 0; i < got.length; i++) {
                        if (!Double.isFinite(got[i])) {
                            throw new IllegalStateException("sample of seed " + batchSeeds[(int) (i / per)]
                                    + " is not finite (" + got[i] + "): the denoiser or discriminator produced NaN/Inf; "
                                    + "nothing was written to " + outDir.resolve("samples.npy"));
                        }
                    }
                    System.arraycopy(got, 0, all, Math.toIntExact(start * per), Math.toIntExact(n * per));
                }
            }
            long[] fullShape = new long[sample.length + 1];
            fullShape[0] = seedList.length;
            System.arraycopy(sample, 0, fullShape, 1, sample.length);
            if (r.dtype().equals("uint8")) {
                require(sample.length == 3, "--dtype uint8 needs image samples [C, H, W], got " + Arrays.toString(sample));
                Npy.write(outDir.resolve("samples.npy"), Npy.Array.ofBytes(toUint8Nhwc(all, seedList.length, sample),
                        seedList.length, sample[1], sample[2], sample[0]));
            } else {
                Npy.write(outDir.resolve("samples.npy"), r.dtype().equals("float32")
                        ? Npy.Array.ofFloats(toFloats(all), fullShape) : Npy.Array.ofDoubles(all, fullShape));
            }
            if (sample.length == 3 && (sample[0] == 1 || sample[0] == 3)) {
                ImageGrid.write(outDir.resolve("grid.png"), all, seedList.length, (int) sample[0], (int) sample[1], (int) sample[2]);
            }
            if (exposure != null) {
                exposure.writeCsv(outDir.resolve("exposure.csv"));
            }
            stdout.printf("wrote %d samples to %s%n", seedList.length, outDir.resolve("samples.npy"));
            stdout.flush();
        } finally {
            for (int k = owned.size() - 1; k >= 0; k--) {
                owned.get(k).close();
            }
        }
        return 0;
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** [N, C, H, W] in [−1, 1] → uint8 [N, H, W, C] with EDM's k = clamp(floor(127.5·x + 128), 0, 255). */
    static byte[] toUint8Nhwc(double[] x, int n, long[] chw) {
        int c = (int) chw[0];
        int h = (int) chw[1];
        int w = (int) chw[2];
        byte[] out = new byte[n * c * h * w];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        out[((i * h + y) * w + xx) * c + ch] = (byte) ImageGrid.pixel(x[((i * c + ch) * h + y) * w + xx]);
                    }
                }
            }
        }
        return out;
    }

    private static Tensor upload(double[] values, long[] shape, Device dev) {
        try (Tensor host = Tensor.of(values, shape, Device.CPU)) {
            return host.to(dev, io.sedm.runtime.DType.FLOAT64);
        }
    }

    private static Map<String, Object> printable(Resolved r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sampler", r.sampler().toString());
        m.put("solver", r.solver().name().toLowerCase(Locale.ROOT));
        m.put("steps", r.steps());
        m.put("sigma_min", r.sigmaMin());
        m.put("sigma_max", r.sigmaMax());
        m.put("rho", r.rho());
        m.put("S_churn", r.sChurn());
        m.put("S_min", r.sMin());
        m.put("S_max", Double.isInfinite(r.sMax()) ? "inf" : r.sMax());
        m.put("S_noise", r.sNoise());
        m.put("es_scale", r.esScale());
        m.put("es_slope", r.esSlope());
        m.put("dg_w1", r.dgW1());
        m.put("dg_w2", r.dgW2());
        m.put("dg_window", List.of(r.tauMin(), r.tauMax()));
        m.put("dg_boosting", r.dgBoosting());
        m.put("denoiser", r.denoiser());
        m.put("discriminator", r.discriminator());
        m.put("seeds", r.seeds());
        m.put("batch", r.batch());
        m.put("device", r.device());
        m.put("shape", r.shape() == null ? null : r.shape());
        m.put("latents", r.latents());
        m.put("out", r.out());
        m.put("dtype", r.dtype());
        m.put("probe", r.probe());
        return m;
    }
}
