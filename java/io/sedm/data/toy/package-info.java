/**
 * Analytic fixtures and seeded toy data, where the right answer is known.
 *
 * <ul>
 *   <li>{@link io.sedm.data.toy.GaussianMixture} — isotropic Gaussian mixtures in any dimension with
 *       the exact noised log-density, score, denoiser (Tweedie, Efron 2011; EDM eq. 3) and
 *       log-ratio gradient at every σ (docs/ALGORITHMS.md §14.1).</li>
 *   <li>{@link io.sedm.data.toy.GaussianScalarRecursion} — EDM / ES / EDM-G++ / SEDM-G++ on
 *       Gaussian data as a scalar recursion (docs/ALGORITHMS.md §14.2).</li>
 *   <li>{@link io.sedm.data.toy.ToyDatasets} — the (x, z) projection of scikit-learn's
 *       {@code make_swiss_roll} (Pedregosa et al. 2011, after Marsland 2009), two moons
 *       ({@code make_moons}), the checkerboard and the ring of 8 Gaussians popularised by FFJORD
 *       (Grathwohl et al. 2019), and draws from isotropic mixtures.</li>
 * </ul>
 */
package io.sedm.data.toy;
