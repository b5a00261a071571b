/**
 * Preconditioning: the coefficients that turn a raw network F into a denoiser
 * {@code D(x; σ) = c_skip x + c_out F(c_in x; c_noise)} (Karras et al. 2022, eq. 7).
 *
 * <ul>
 *   <li>{@code Preconditioning.Edm} — EDM Table 1, "Ours" column (σ_data = 0.5).</li>
 *   <li>{@code Preconditioning.Vp} — the VP SDE of Song et al. 2021 (eq. 11) in EDM form, Table 1
 *       "VP" column; σ ∈ [σ_vp(1e−5), σ_vp(1)] = [0.0010005, 152.167].</li>
 *   <li>{@code Preconditioning.Ve} — the VE SDE (Song et al. 2021, eq. 9), Table 1 "VE" column.</li>
 *   <li>{@code Preconditioning.Iddpm} — improved DDPM (Nichol &amp; Dhariwal 2021) through EDM's
 *       iDDPMPrecond, Table 1 "iDDPM" column, with its u-table round_sigma.</li>
 *   <li>{@code Preconditioning.Ddpm} — DDPM's ε-prediction (Ho et al. 2020, eq. 14) with a discrete
 *       linear β chain.</li>
 *   <li>{@link io.sedm.precond.TrainingNoise} — the training σ distributions and loss weights λ(σ)
 *       (EDM eq. 8 and Table 1).</li>
 * </ul>
 */
package io.sedm.precond;
