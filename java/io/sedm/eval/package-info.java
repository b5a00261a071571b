/**
 * Sample-quality and likelihood measurements in double precision.
 * <ul>
 *   <li>{@link io.sedm.eval.FrechetDistance} and {@link io.sedm.eval.FeatureStatistics} — the
 *       Fréchet distance between Gaussian fits of two feature sets (FID when the features are
 *       Inception pool features; docs/ALGORITHMS.md §10), via {@link io.sedm.eval.SymmetricEigen};
 *       statistics cache as .npz with EDM's {@code mu}/{@code sigma} keys.</li>
 *   <li>{@link io.sedm.eval.PrecisionRecall} (Kynkäänniemi et al. 2019) and
 *       {@link io.sedm.eval.DensityCoverage} (Naeem et al. 2020), k-NN manifold metrics, k = 3.</li>
 *   <li>{@link io.sedm.eval.ClassHistogram} — predicted-class histogram and KL to uniform.</li>
 *   <li>{@link io.sedm.eval.Runs} — mean ± s.e., min and max of a metric over independent seed
 *       ranges.</li>
 *   <li>{@link io.sedm.eval.Likelihood} — log-likelihood and bits/dim through the probability-flow
 *       ODE with a Hutchinson divergence (Song et al. 2021; docs/ALGORITHMS.md §11.4).</li>
 * </ul>
 * <p>The Fashion-MNIST evaluation behind {@code sedm eval}: {@link io.sedm.eval.FeatureNetwork} (the
 * project's own clean classifier, pooled trunk features; trained by
 * {@link io.sedm.eval.FeatureClassifierTrainer}), {@link io.sedm.eval.ReferenceFeatures} (60k training
 * statistics and 10k test features, cached as .npz), {@link io.sedm.eval.SampleImages} (generated sets
 * from .npy/.npz or sample run folders) and {@link io.sedm.eval.SampleQuality} (every metric per seed
 * range, mean ± s.e. over the ranges, JSON and a table).
 *
 * <p>The metric classes take features as {@code double[n][d]} rows or a row-major flat array plus d and
 * know nothing of the network that made them. Low-dimensional two-sample discrepancies live in
 * {@link io.sedm.eval.toy}.
 */
package io.sedm.eval;
