/**
 * Sample-based discrepancies for low-dimensional (toy) generative-model checks, each returning
 * an {@link io.sedm.eval.toy.Estimate} (value and standard error, with what the error covers
 * stated per estimator):
 * <ul>
 *   <li>{@link io.sedm.eval.toy.SlicedWasserstein} — sliced Wasserstein-p over random directions
 *       (Rabin, Peyré, Delon &amp; Bernot 2011; Bonneel, Rabin, Peyré &amp; Pfister 2015, "Sliced and
 *       Radon Wasserstein barycenters of measures", J. Math. Imaging Vis. 51); s.e. of the
 *       projection sampling only.</li>
 *   <li>{@link io.sedm.eval.toy.Mmd} — unbiased MMD² with an RBF kernel and the median heuristic
 *       (Gretton, Borgwardt, Rasch, Schölkopf &amp; Smola 2012, "A kernel two-sample test",
 *       JMLR 13); two-sample jackknife s.e.</li>
 *   <li>{@link io.sedm.eval.toy.EnergyDistance} — energy distance U-statistic (Székely &amp; Rizzo
 *       2013, "Energy statistics: a class of statistics based on distances", J. Stat. Plan.
 *       Inference 143); two-sample jackknife s.e.</li>
 *   <li>{@link io.sedm.eval.toy.MixtureNll} — mean negative log-likelihood under a known isotropic
 *       Gaussian mixture (an entropy / cross-entropy estimate); s.e. std/√n.</li>
 * </ul>
 */
package io.sedm.eval.toy;
