/**
 * An embeddable sampling engine with step-level continuous batching (docs/ARCHITECTURE.md, "Samplers
 * are step transitions"). Requests enter a bounded queue; one scheduler thread runs one network
 * evaluation per tick over rows drawn from many requests, each row set at its own step of its own
 * schedule ({@link io.sedm.sampler.EdmSampler.Rows}); rows join as soon as a slot is free and leave
 * when their request ends.
 *
 * <p>Served: the EDM family ({@code edm}, {@code edm-es}, {@code edm-gpp}, {@code sedm-gpp}: Euler or
 * Heun, any step count, churn, Epsilon Scaling, Discriminator Guidance). Not served yet: the EDM
 * ablation presets ({@code GeneralizedEdmSampler}), DDIM, DDPM, the score-SDE predictor–corrector and
 * probability-flow samplers and NCSN — they still run their loops inside {@code sample} and have no
 * row-set transitions. Class-conditional models are served: each row carries its class into the
 * batched evaluation ({@link io.sedm.serve.RowLabels}).
 */
package io.sedm.serve;
