/**
 * Seeded two-dimensional toy distributions for checking samplers and training loops at a scale
 * where the answer can be seen and measured: the (x, z) projection of scikit-learn's
 * {@code make_swiss_roll} (Pedregosa et al. 2011, after Marsland 2009), two moons
 * ({@code make_moons}), the checkerboard and ring of 8 Gaussians popularised by FFJORD
 * (Grathwohl et al. 2019) and score-based model tutorials, and isotropic Gaussian mixtures
 * whose density is known in closed form (see {@code io.sedm.eval.toy.MixtureNll}).
 */
package io.sedm.data.toy;
