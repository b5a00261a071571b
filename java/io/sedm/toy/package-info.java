/**
 * What a score model learns, on 2-D toy data (docs/ALGORITHMS.md §17): the score-matching
 * objectives (explicit with the exact Jacobian trace, sliced with variance reduction, denoising;
 * {@link io.sedm.toy.ScoreObjective}, {@link io.sedm.toy.ScoreMatching}), an NCSN-style
 * σ-conditioned score network and its trainer ({@link io.sedm.toy.ScoreModel},
 * {@link io.sedm.toy.ScoreTrainer}), the samplers through the Denoiser contract — EDM Heun/Euler,
 * plain and annealed Langevin ({@link io.sedm.toy.ToySamplers}) — and the pictures
 * ({@link io.sedm.toy.ToyPlots}, JFreeChart PNG) that {@code sedm toy} draws.
 */
package io.sedm.toy;
