package io.sedm.cli;

import io.sedm.sampler.Solver;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The sampler flags of {@code sedm sample}. {@link #plan} turns them into one family's
 * {@link SamplerPlan}: it fills that family's defaults, refuses a flag the family does not read,
 * and checks every value against a hard range (where the maths breaks) and a usual range (what
 * the papers use; leaving it needs {@code --allow-unusual}).
 */
final class SamplerOptions {
    static final List<String> SAMPLERS = List.of(
            "edm",
            "edm-es",
            "edm-gpp",
            "sedm-gpp",
            "ablation-vp",
            "ablation-ve",
            "ablation-iddpm",
            "ddim",
            "ddpm",
            "pc-ve",
            "pc-vp",
            "pc-subvp",
            "ode-vp",
            "ode-ve",
            "ncsn");

    private static final Set<String> EDM =
            Set.of("--solver", "--sigma-min", "--sigma-max", "--rho", "--s-churn", "--s-min", "--s-max", "--s-noise");
    private static final Set<String> ES = Set.of("--es-scale", "--es-slope");
    private static final Set<String> DG =
            Set.of("--dg-w1", "--dg-w2", "--dg-window", "--dg-boosting", "--discriminator", "--classifier");
    /** The flags each family reads, beyond --sampler and --steps. */
    private static final Map<String, Set<String>> READS = Map.ofEntries(
            Map.entry("edm", EDM),
            Map.entry("edm-es", union(EDM, ES)),
            Map.entry("edm-gpp", union(EDM, DG)),
            Map.entry("sedm-gpp", union(union(EDM, ES), DG)),
            Map.entry("ablation-vp", Set.of("--solver")),
            Map.entry("ablation-ve", Set.of("--solver")),
            Map.entry("ablation-iddpm", Set.of("--solver")),
            Map.entry("ddim", Set.of("--sigma-min", "--sigma-max", "--rho", "--eta")),
            Map.entry("ddpm", Set.of("--variance", "--beta-schedule", "--timesteps")),
            Map.entry("pc-ve", Set.of("--snr", "--corrector-steps")),
            Map.entry("pc-vp", Set.of("--snr", "--corrector-steps")),
            Map.entry("pc-subvp", Set.of("--snr", "--corrector-steps")),
            Map.entry("ode-vp", Set.of("--ode-method", "--rtol", "--atol")),
            Map.entry("ode-ve", Set.of("--ode-method", "--rtol", "--atol")),
            Map.entry("ncsn", Set.of("--sigma-min", "--sigma-max", "--langevin-eps", "--langevin-steps")));

    private static final Set<String> ALL =
            READS.values().stream().flatMap(Set::stream).collect(java.util.stream.Collectors.toSet());

    @Option(
            names = "--sampler",
            defaultValue = "edm",
            paramLabel = "NAME",
            description =
                    "edm | edm-es | edm-gpp | sedm-gpp (ρ schedule, §4–§9); ablation-vp | ablation-ve | ablation-iddpm "
                            + "(EDM Table 1 presets, §5); ddim | ddpm (§12); pc-ve | pc-vp | pc-subvp (score-SDE predictor–corrector, "
                            + "§11.2); ode-vp | ode-ve (probability flow, §11.3); ncsn (annealed Langevin, §13). A flag the chosen "
                            + "sampler does not read is refused.")
    String sampler;

    @Option(
            names = "--steps",
            paramLabel = "INT",
            description =
                    "σ levels N in [2, 10000]; default 18 (edm, ablation-vp/iddpm), "
                            + "64 (ablation-ve), 50 (ddim), 1000 (ddpm, pc-*), 2 (ode-* with rk45, which picks its own steps; 100 otherwise), 10 (ncsn)")
    Integer steps;

    @Option(names = "--solver", paramLabel = "heun|euler", description = "edm-*, ablation-*: ODE solver (default heun)")
    String solver;

    @Option(
            names = "--sigma-min",
            paramLabel = "FLOAT",
            description = "edm-*, ddim, ncsn: lowest σ > 0 (default 0.002; ncsn 0.01)")
    Double sigmaMin;

    @Option(
            names = "--sigma-max",
            paramLabel = "FLOAT",
            description =
                    "edm-*, ddim, ncsn: highest σ, usual range [1, 500] (default 80, EDM's training range; ncsn 1)")
    Double sigmaMax;

    @Option(
            names = "--rho",
            paramLabel = "FLOAT",
            description = "edm-*, ddim: time-step exponent ρ, usual range [1, 20] (default 7)")
    Double rho;

    @Option(names = "--s-churn", paramLabel = "FLOAT", description = "edm-*: S_churn in [0, 1000] (default 0)")
    Double sChurn;

    @Option(names = "--s-min", paramLabel = "FLOAT", description = "edm-*: S_min >= 0 (default 0)")
    Double sMin;

    @Option(names = "--s-max", paramLabel = "FLOAT", description = "edm-*: S_max >= S_min (default Infinity)")
    Double sMax;

    @Option(
            names = "--s-noise",
            paramLabel = "FLOAT",
            description = "edm-*: S_noise, usual range [0.9, 1.1] (default 1)")
    Double sNoise;

    @Option(
            names = "--es-scale",
            paramLabel = "FLOAT",
            description =
                    "edm-es, sedm-gpp: Epsilon Scaling b (λ_i = b + κ·i), usual range [0.99, 1.02] (default 1.0005 edm-es, 1.0004 sedm-gpp)")
    Double esScale;

    @Option(names = "--es-slope", paramLabel = "FLOAT", description = "edm-es, sedm-gpp: Epsilon Scaling κ (default 0)")
    Double esSlope;

    @Option(
            names = "--dg-w1",
            paramLabel = "FLOAT",
            description =
                    "edm-gpp, sedm-gpp: DG weight on the predictor, usual range [0, 5] (default 2.0 edm-gpp, 1.67 sedm-gpp)")
    Double dgW1;

    @Option(
            names = "--dg-w2",
            paramLabel = "FLOAT",
            description = "edm-gpp, sedm-gpp: DG weight on the corrector, usual range [0, 5] (default 0)")
    Double dgW2;

    @Option(
            names = "--dg-window",
            paramLabel = "MIN,MAX",
            description = "edm-gpp, sedm-gpp: DG window in VP time, 0 <= MIN <= MAX <= 1 (default 0.01,1)")
    String dgWindow;

    @Option(names = "--dg-boosting", description = "edm-gpp, sedm-gpp: extra churn for samples judged fake")
    boolean dgBoosting;

    @Option(
            names = "--discriminator",
            paramLabel = "oracle:FILE.json|net:SIDECAR.json",
            description =
                    "edm-gpp, sedm-gpp: oracle:FILE = exact discriminator between the data mixture FILE and a gmm: denoiser; "
                            + "net:SIDECAR = a `sedm train-discriminator` head (needs --classifier)")
    String discriminator;

    @Option(
            names = "--classifier",
            paramLabel = "SIDECAR.json",
            description =
                    "edm-gpp, sedm-gpp: the `sedm train-classifier` checkpoint whose trunk feeds a net: discriminator; "
                            + "any sampler with --guidance classifier: the classifier whose ∇ log p(y | x, σ) guides")
    String classifier;

    @Option(names = "--eta", paramLabel = "FLOAT", description = "ddim: η in [0, 1], 1 = DDPM ancestral (default 0)")
    Double eta;

    @Option(
            names = "--variance",
            paramLabel = "small|large|learned",
            description =
                    "ddpm: posterior variance β̃_t, β_t (default large), or learned: iDDPM's range of a --loss hybrid"
                            + " model")
    String variance;

    @Option(names = "--beta-schedule", paramLabel = "linear|cosine", description = "ddpm: β schedule (default linear)")
    String betaSchedule;

    @Option(
            names = "--timesteps",
            paramLabel = "INT",
            description = "ddpm: chain length T in [--steps, 100000] (default 1000)")
    Integer timesteps;

    @Option(
            names = "--snr",
            paramLabel = "FLOAT",
            description = "pc-*: corrector signal-to-noise ratio in (0, 1] (default 0.16)")
    Double snr;

    @Option(
            names = "--corrector-steps",
            paramLabel = "INT",
            description =
                    "pc-*: Langevin corrector steps per level in [0, 100] (default 1 for pc-ve, 0 for pc-vp/pc-subvp: score_sde's recipes)")
    Integer correctorSteps;

    @Option(names = "--ode-method", paramLabel = "rk45|heun|euler", description = "ode-*: integrator (default rk45)")
    String odeMethod;

    @Option(
            names = "--rtol",
            paramLabel = "FLOAT",
            description = "ode-* with rk45: relative tolerance in [1e-12, 0.1] (default 1e-5)")
    Double rtol;

    @Option(
            names = "--atol",
            paramLabel = "FLOAT",
            description = "ode-* with rk45: absolute tolerance in [1e-12, 0.1] (default 1e-5)")
    Double atol;

    @Option(
            names = "--langevin-eps",
            paramLabel = "FLOAT",
            description = "ncsn: step size ε, usual range [1e-7, 1e-3] (default 2e-5)")
    Double langevinEps;

    @Option(
            names = "--langevin-steps",
            paramLabel = "INT",
            description = "ncsn: Langevin steps T per level in [1, 10000] (default 100)")
    Integer langevinSteps;

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new TreeSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }

    /** Validation against hard and usual ranges; messages name the flag, the range and why. */
    private record Check(boolean allowUnusual) {
        double hard(String flag, double v, double lo, double hi, String why) {
            if (!(v >= lo && v <= hi)) {
                String from = lo == Double.MIN_NORMAL ? "(0" : "[" + lo;
                throw new IllegalArgumentException(
                        flag + " must be in " + from + ", " + hi + "] (" + why + "), got " + v);
            }
            return v;
        }

        int hard(String flag, int v, int lo, int hi, String why) {
            if (v < lo || v > hi) {
                throw new IllegalArgumentException(
                        flag + " must be in [" + lo + ", " + hi + "] (" + why + "), got " + v);
            }
            return v;
        }

        double usual(String flag, double v, double lo, double hi, String why) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(flag + " must be finite, got " + v);
            }
            if (!allowUnusual && !(v >= lo && v <= hi)) {
                throw new IllegalArgumentException(flag + " " + v + " is outside the usual range [" + lo + ", " + hi
                        + "] (" + why + "); pass --allow-unusual to run it anyway");
            }
            return v;
        }

        String oneOf(String flag, String v, String... allowed) {
            String t = v.trim().toLowerCase(Locale.ROOT);
            if (!List.of(allowed).contains(t)) {
                throw new IllegalArgumentException(
                        flag + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
            }
            return t;
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** The plan for the chosen family; {@code parsed} tells which flags the user gave. */
    SamplerPlan plan(ParseResult parsed, boolean allowUnusual) {
        return plan(parsed, allowUnusual, Set.of());
    }

    /** As {@link #plan(ParseResult, boolean)}, accepting also the flags {@code alsoRead} (read by {@code --guidance}). */
    SamplerPlan plan(ParseResult parsed, boolean allowUnusual, Set<String> alsoRead) {
        Check c = new Check(allowUnusual);
        String name = c.oneOf("--sampler", sampler, SAMPLERS.toArray(String[]::new));
        Set<String> reads = READS.get(name);
        for (String flag : ALL) {
            if (!reads.contains(flag) && !alsoRead.contains(flag) && parsed != null && parsed.hasMatchedOption(flag)) {
                throw new IllegalArgumentException(flag + " does not apply to --sampler " + name + " (it reads "
                        + String.join(", ", new TreeSet<>(union(reads, Set.of("--steps")))) + ")");
            }
        }
        int defaultSteps = switch (name) {
            case "ablation-ve" -> 64;
            case "ddim" -> 50;
            case "ddpm", "pc-ve", "pc-vp", "pc-subvp" -> 1000;
            case "ode-vp", "ode-ve" -> or(odeMethod, "rk45").trim().equalsIgnoreCase("rk45") ? 2 : 100;
            case "ncsn" -> 10;
            default -> 18;
        };
        int n = c.hard("--steps", or(steps, defaultSteps), 2, 10_000, "more levels than 10000 buy nothing");
        return switch (name) {
            case "edm", "edm-es", "edm-gpp", "sedm-gpp" -> edm(c, name, n);
            case "ablation-vp", "ablation-ve", "ablation-iddpm" -> new SamplerPlan.Ablation(name, solver(c), n);
            case "ddim" -> {
                double[] range = sigmaRange(c, 0.002, 80);
                yield new SamplerPlan.Ddim(
                        name,
                        n,
                        range[0],
                        range[1],
                        rho(c),
                        c.hard("--eta", or(eta, 0.0), 0, 1, "0 = deterministic DDIM, 1 = DDPM ancestral"));
            }
            case "ddpm" ->
                new SamplerPlan.Ddpm(
                        name,
                        n,
                        c.oneOf("--variance", or(variance, "large"), "small", "large", "learned"),
                        c.oneOf("--beta-schedule", or(betaSchedule, "linear"), "linear", "cosine"),
                        c.hard(
                                "--timesteps",
                                or(timesteps, 1000),
                                n,
                                100_000,
                                "the chain keeps --steps of its T steps"));
            case "pc-ve", "pc-vp", "pc-subvp" ->
                new SamplerPlan.PredictorCorrector(
                        name,
                        n,
                        c.hard("--snr", or(snr, 0.16), Double.MIN_NORMAL, 1, "score_sde uses 0.075–0.17"),
                        c.hard(
                                "--corrector-steps",
                                or(correctorSteps, name.equals("pc-ve") ? 1 : 0),
                                0,
                                100,
                                "score_sde uses 0 or 1"));
            case "ode-vp", "ode-ve" ->
                new SamplerPlan.ProbabilityFlow(
                        name,
                        n,
                        c.oneOf("--ode-method", or(odeMethod, "rk45"), "rk45", "heun", "euler"),
                        c.hard("--rtol", or(rtol, 1e-5), 1e-12, 0.1, "below 1e-12 rk45 cannot finish in float64"),
                        c.hard("--atol", or(atol, 1e-5), 1e-12, 0.1, "below 1e-12 rk45 cannot finish in float64"));
            default -> {
                double[] range = sigmaRange(c, 0.01, 1);
                yield new SamplerPlan.Ncsn(
                        name,
                        n,
                        range[0],
                        range[1],
                        c.usual(
                                "--langevin-eps",
                                c.hard("--langevin-eps", or(langevinEps, 2e-5), Double.MIN_NORMAL, 1, "ε > 0"),
                                1e-7,
                                1e-3,
                                "NCSN uses 2e-5, NCSNv2 6.2e-6"),
                        c.hard("--langevin-steps", or(langevinSteps, 100), 1, 10_000, "NCSN uses 100, NCSNv2 5"));
            }
        };
    }

    private Solver solver(Check c) {
        return c.oneOf("--solver", or(solver, "heun"), "heun", "euler").equals("heun") ? Solver.HEUN : Solver.EULER;
    }

    private double[] sigmaRange(Check c, double defaultMin, double defaultMax) {
        double lo = c.hard("--sigma-min", or(sigmaMin, defaultMin), Double.MIN_NORMAL, 1e4, "σ_min > 0");
        c.usual("--sigma-min", lo, 1e-4, 1, "EDM uses 0.002, NCSN 0.01");
        double hi = c.hard("--sigma-max", or(sigmaMax, defaultMax), lo, 1e4, "σ_max > σ_min");
        c.usual(
                "--sigma-max",
                hi,
                1,
                500,
                "a model only denoises the σ it was trained on: EDM 80, score_sde VE 50–378");
        if (!(hi > lo)) {
            throw new IllegalArgumentException("--sigma-max must be > --sigma-min (" + lo + "), got " + hi);
        }
        return new double[] {lo, hi};
    }

    private double rho(Check c) {
        return c.usual(
                "--rho",
                c.hard("--rho", or(rho, 7.0), Double.MIN_NORMAL, 1e3, "ρ > 0"),
                1,
                20,
                "EDM uses 7; ρ → ∞ is log-uniform");
    }

    private SamplerPlan.Edm edm(Check c, String name, int n) {
        double[] range = sigmaRange(c, 0.002, 80);
        double churn = c.hard(
                "--s-churn", or(sChurn, 0.0), 0, 1000, "γ_i = min(S_churn/N, √2 − 1) saturates long before 1000");
        double lo = c.hard("--s-min", or(sMin, 0.0), 0, Double.MAX_VALUE, "σ where churn starts, >= 0");
        double hi = or(sMax, Double.POSITIVE_INFINITY);
        if (!(hi >= lo)) {
            throw new IllegalArgumentException("--s-max must be >= --s-min (" + lo + "), got " + hi);
        }
        double noise = c.usual(
                "--s-noise",
                c.hard("--s-noise", or(sNoise, 1.0), 0, 10, "S_noise scales the churn noise"),
                0.9,
                1.1,
                "EDM uses 1.000–1.007");
        boolean es = ES.stream().anyMatch(READS.get(name)::contains);
        double b = es ? or(esScale, name.equals("sedm-gpp") ? 1.0004 : 1.0005) : 1.0;
        double kappa = es ? or(esSlope, 0.0) : 0.0;
        String esWhy = "ES λ is 1.0004–1.006 in the thesis, up to 1.017 in Ning et al.";
        c.usual("--es-scale", c.hard("--es-scale", b, Double.MIN_NORMAL, 10, "λ > 0"), 0.99, 1.02, esWhy);
        c.hard("--es-slope", kappa, -1, 1, "λ must stay > 0");
        c.usual("--es-slope", b + kappa * (n - 1), 0.99, 1.02, "it sets the last λ = b + κ·(N−1); " + esWhy);
        boolean dg = DG.stream().anyMatch(READS.get(name)::contains);
        double w1 = dg ? or(dgW1, name.equals("sedm-gpp") ? 1.67 : 2.0) : 0.0;
        double w2 = dg ? or(dgW2, 0.0) : 0.0;
        String dgWhy = "DG weights are of order 1: Kim et al. use 1–2";
        c.usual("--dg-w1", c.hard("--dg-w1", w1, -100, 100, "a weight on a log-ratio gradient"), 0, 5, dgWhy);
        c.usual("--dg-w2", c.hard("--dg-w2", w2, -100, 100, "a weight on a log-ratio gradient"), 0, 5, dgWhy);
        double[] window = window(or(dgWindow, "0.01,1"));
        return new SamplerPlan.Edm(
                name,
                solver(c),
                n,
                range[0],
                range[1],
                rho(c),
                churn,
                lo,
                hi,
                noise,
                b,
                kappa,
                w1,
                w2,
                window,
                dg && dgBoosting);
    }

    private static double[] window(String text) {
        String msg = "--dg-window must be MIN,MAX with 0 <= MIN <= MAX <= 1, got '" + text + "'";
        String[] parts = text.split(",");
        if (parts.length != 2) {
            throw new IllegalArgumentException(msg);
        }
        try {
            double lo = Double.parseDouble(parts[0].trim());
            double hi = Double.parseDouble(parts[1].trim());
            if (!(lo >= 0 && hi >= lo && hi <= 1)) {
                throw new IllegalArgumentException(msg);
            }
            return new double[] {lo, hi};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(msg);
        }
    }
}
