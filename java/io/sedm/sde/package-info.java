/**
 * Stochastic differential equations of score-based models (Song et al., "Score-Based Generative
 * Modeling through SDEs", ICLR 2021) and the clocks that relate them to EDM's σ.
 *
 * <ul>
 *   <li>{@link io.sedm.sde.ScoreSde} — VE (eq. 9), VP (eq. 11) and sub-VP (eq. 17) SDEs: drift,
 *       diffusion, marginals (Appendix B), prior, reverse-SDE (eq. 6) and probability-flow ODE
 *       (eq. 13) drifts, and the discretisations of Appendix E (reverse diffusion, ancestral).</li>
 *   <li>{@link io.sedm.sde.VpTime} — EDM σ ↔ VP time τ with β ∈ [0.1, 20] (Discriminator Guidance,
 *       Kim et al. 2023, {@code classifier_lib.py}); the DG training importance sampler of τ; and the
 *       cosine-VP clock (Nichol &amp; Dhariwal 2021, eq. 17).</li>
 * </ul>
 */
package io.sedm.sde;
