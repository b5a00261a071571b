/**
 * Noise schedules: σ arrays that end in 0 (k-diffusion's convention) and discrete β chains. Every
 * sampler's schedule is built here (k-diffusion's {@code get_sigmas_*}), never inside a sampler:
 * {@code EdmSchedule.sigmas}, {@code AblationDiscretization#sigmas}, {@code BetaSchedule#sigmas}
 * (DDPM chains, respaced), {@code NcsnSchedule.sigmas}, and {@code ScoreSde#sigmas} in io.sedm.sde.
 *
 * <ul>
 *   <li>{@link io.sedm.schedule.EdmSchedule} — Karras et al. 2022, eq. 5 (ρ-schedule, ρ = 7).</li>
 *   <li>{@link io.sedm.schedule.VpSchedule} — EDM Table 1 VP σ(t) = √(e^{½β_d t² + β_min t} − 1) and its
 *       inverse; β re-derived from a σ range for the generalised sampler (EDM Appendix C.3).</li>
 *   <li>{@link io.sedm.schedule.IddpmSchedule} — EDM's iDDPMPrecond u-table (EDM Appendix C.3.4).</li>
 *   <li>{@link io.sedm.schedule.BetaSchedule} — DDPM linear β (Ho et al. 2020) and iDDPM cosine ᾱ
 *       (Nichol &amp; Dhariwal 2021, eq. 17), the σ levels of a (respaced) chain, posterior q(x_{t−1}|x_t, x_0) (Ho et al. eq. 6–7),
 *       learned-range variance (iDDPM eq. 15).</li>
 *   <li>{@link io.sedm.schedule.Respacing} — iDDPM §4 "use S of the T steps".</li>
 *   <li>{@link io.sedm.schedule.NcsnSchedule} — NCSN geometric levels (Song &amp; Ermon 2019) and
 *       NCSNv2 techniques 1–2 (Song &amp; Ermon 2020).</li>
 *   <li>{@link io.sedm.schedule.AblationDiscretization} — the vp/ve/iddpm/edm time steps of EDM's
 *       generalised sampler (docs/ALGORITHMS.md §5), with their parameters and the model-range clamp.</li>
 * </ul>
 */
package io.sedm.schedule;
