package io.sedm.cli;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.sedm.guidance.Discriminator;
import io.sedm.sampler.AnnealedLangevinSampler;
import io.sedm.sampler.Churn;
import io.sedm.sampler.DdimSampler;
import io.sedm.sampler.DdpmSampler;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.EpsilonScaling;
import io.sedm.sampler.GeneralizedEdmSampler;
import io.sedm.sampler.ProbabilityFlowSampler;
import io.sedm.sampler.Sampler;
import io.sedm.sampler.ScoreSdeSampler;
import io.sedm.sampler.Solver;
import io.sedm.schedule.BetaSchedule;
import io.sedm.schedule.EdmSchedule;
import io.sedm.schedule.NcsnSchedule;
import io.sedm.sde.ScoreSde;

/**
 * One sampler family's resolved settings, as written to {@code options.json}: every record holds
 * exactly the settings its family reads, and {@link #build} is the one place that constructs a
 * sampler and its σ schedule. Records round-trip through Jackson (the {@code family} property
 * names the record).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "family")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SamplerPlan.Edm.class, name = "edm"),
    @JsonSubTypes.Type(value = SamplerPlan.Ablation.class, name = "ablation"),
    @JsonSubTypes.Type(value = SamplerPlan.Ddim.class, name = "ddim"),
    @JsonSubTypes.Type(value = SamplerPlan.Ddpm.class, name = "ddpm"),
    @JsonSubTypes.Type(value = SamplerPlan.PredictorCorrector.class, name = "pc"),
    @JsonSubTypes.Type(value = SamplerPlan.ProbabilityFlow.class, name = "ode"),
    @JsonSubTypes.Type(value = SamplerPlan.Ncsn.class, name = "ncsn")
})
sealed interface SamplerPlan {
    /** The {@code --sampler} name. */
    String sampler();

    /** A sampler and the σ schedule it runs on. */
    record Built(Sampler sampler, double[] sigmas) {}

    Built build(Denoiser model, Discriminator discriminator);

    /** Whether this plan needs a discriminator. */
    default boolean guided() {
        return false;
    }

    /** EDM (Alg. 2), EDM-ES, EDM-G++, SEDM-G++ on the ρ schedule (docs/ALGORITHMS.md §4–§9). */
    record Edm(
            String sampler,
            Solver solver,
            int steps,
            double sigmaMin,
            double sigmaMax,
            double rho,
            double sChurn,
            double sMin,
            double sMax,
            double sNoise,
            double esScale,
            double esSlope,
            double dgW1,
            double dgW2,
            double[] dgWindow,
            boolean dgBoosting)
            implements SamplerPlan {
        @Override
        public boolean guided() {
            return dgW1 != 0 || dgW2 != 0 || dgBoosting;
        }

        @Override
        public Built build(Denoiser model, Discriminator discriminator) {
            // generate.py: the range clamped to the network's [sigma_min, sigma_max], then round_sigma.
            double[] sigmas = EdmSchedule.sigmas(
                    steps, sigmaMin, sigmaMax, rho, model.sigmaMin(), model.sigmaMax(), model::roundSigma);
            Churn churn = new Churn(sChurn, sMin, sMax, sNoise);
            if (sampler.equals("edm")) {
                return new Built(
                        new EdmSampler(new EdmSampler.Options(
                                solver, churn, EpsilonScaling.none(), EdmSampler.Guidance.none())),
                        sigmas);
            }
            return new Built(
                    new EdmSampler(
                            new EdmSampler.Options(
                                    solver,
                                    churn,
                                    EpsilonScaling.linear(esScale, esSlope),
                                    new EdmSampler.Guidance(dgW1, dgW2, dgWindow[0], dgWindow[1], dgBoosting)),
                            discriminator),
                    sigmas);
        }
    }

    /** EDM's generalised sampler with the VP, VE or iDDPM preset of its Table 1 (§5). */
    record Ablation(String sampler, Solver solver, int steps) implements SamplerPlan {
        @Override
        public Built build(Denoiser model, Discriminator discriminator) {
            GeneralizedEdmSampler.Options o = switch (sampler) {
                case "ablation-vp" -> GeneralizedEdmSampler.Options.vp();
                case "ablation-ve" -> GeneralizedEdmSampler.Options.ve();
                default -> GeneralizedEdmSampler.Options.iddpm();
            };
            GeneralizedEdmSampler g = new GeneralizedEdmSampler(o.withSolver(solver, o.alpha()));
            return new Built(g, g.options().discretization().sigmas(steps, model.sigmaMin(), model.sigmaMax()));
        }
    }

    /** DDIM on the ρ schedule (§12). */
    record Ddim(String sampler, int steps, double sigmaMin, double sigmaMax, double rho, double eta)
            implements SamplerPlan {
        @Override
        public Built build(Denoiser model, Discriminator discriminator) {
            return new Built(new DdimSampler(eta), EdmSchedule.sigmas(steps, sigmaMin, sigmaMax, rho));
        }
    }

    /** DDPM ancestral sampling over a respaced chain of {@code timesteps} (§12). */
    record Ddpm(String sampler, int steps, String variance, String betaSchedule, int timesteps) implements SamplerPlan {
        @Override
        public Built build(Denoiser model, Discriminator discriminator) {
            DdpmSampler.Variance v = switch (variance) {
                case "small" -> DdpmSampler.Variance.FIXED_SMALL;
                case "learned" -> DdpmSampler.Variance.LEARNED_RANGE; // iDDPM eq. 15, a --loss hybrid model
                default -> DdpmSampler.Variance.FIXED_LARGE;
            };
            BetaSchedule b =
                    betaSchedule.equals("cosine") ? BetaSchedule.cosine(timesteps) : BetaSchedule.linear(timesteps);
            return new Built(
                    new DdpmSampler(DdpmSampler.Options.defaults().withVariance(v)), b.sigmas(Integer.toString(steps)));
        }
    }

    /** Score-SDE predictor–corrector, score_sde's recipes (§11.2). */
    record PredictorCorrector(String sampler, int steps, double snr, int correctorSteps) implements SamplerPlan {
        @Override
        public Built build(Denoiser model, Discriminator discriminator) {
            ScoreSdeSampler.Options o = switch (sampler) {
                case "pc-ve" -> ScoreSdeSampler.Options.ve();
                case "pc-vp" -> ScoreSdeSampler.Options.vp();
                default -> ScoreSdeSampler.Options.vp().withSde(ScoreSde.subVp());
            };
            o = correctorSteps == 0
                    ? o.withCorrector(ScoreSdeSampler.Corrector.NONE, snr, 0)
                    : o.withCorrector(ScoreSdeSampler.Corrector.LANGEVIN, snr, correctorSteps);
            return new Built(
                    new ScoreSdeSampler(o), o.sde().sigmas(steps, o.sde().defaultEps()));
        }
    }

    /** Probability-flow ODE of the VP or VE SDE (§11.3). */
    record ProbabilityFlow(String sampler, int steps, String odeMethod, double rtol, double atol)
            implements SamplerPlan {
        @Override
        public Built build(Denoiser model, Discriminator discriminator) {
            ScoreSde sde = sampler.equals("ode-vp") ? ScoreSde.vp() : ScoreSde.ve();
            ProbabilityFlowSampler.Method m =
                    ProbabilityFlowSampler.Method.valueOf(odeMethod.toUpperCase(java.util.Locale.ROOT));
            return new Built(
                    new ProbabilityFlowSampler(new ProbabilityFlowSampler.Options(sde, m, rtol, atol, true)),
                    sde.sigmas(steps, sde.defaultEps()));
        }
    }

    /** NCSN annealed Langevin dynamics over geometric levels σ_max → σ_min (§13). */
    record Ncsn(String sampler, int steps, double sigmaMin, double sigmaMax, double langevinEps, int langevinSteps)
            implements SamplerPlan {
        @Override
        public Built build(Denoiser model, Discriminator discriminator) {
            return new Built(
                    new AnnealedLangevinSampler(langevinEps, langevinSteps, true),
                    NcsnSchedule.sigmas(sigmaMax, sigmaMin, steps));
        }
    }
}
