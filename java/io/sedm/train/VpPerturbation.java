package io.sedm.train;

import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import io.sedm.sde.VpTime;
import java.util.SplittableRandom;

/**
 * The VP perturbation Discriminator Guidance trains in (Kim et al. 2023; alsdudrla10/DG
 * classifier_lib.py; docs/ALGORITHMS.md §7.2, §8): β(τ) linear from β_0 = 0.1 to β_1 = 20,
 * B(τ) = ½τ²(β_1 − β_0) + β_0τ, x_τ = a(τ)·x_0 + √(1 − a²)·z with a(τ) = exp(−B(τ)/2), and the
 * importance sampler with density ∝ β(τ)/(1 − e^{−B(τ)}) on [τ_min, 1] drawn by inverse CDF
 * ({@link VpTime#importanceTau}).
 */
public final class VpPerturbation {
    private VpPerturbation() {}

    /** n importance-sampled VP times in [τ_min, 1]. */
    public static double[] importanceTaus(SplittableRandom rng, int n, double tauMin) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = VpTime.importanceTau(rng.nextDouble(), tauMin);
        return t;
    }

    /** out = a(τ_b)·x0 + √(1 − a(τ_b)²)·z per sample. */
    public static void perturb(Tensor out, Tensor x0, Tensor z, double[] tau) {
        int b = tau.length;
        double[] c = new double[2 * b];
        for (int i = 0; i < b; i++) {
            double a = VpTime.signal(tau[i]);
            c[i] = a;
            c[b + i] = Math.sqrt(Math.max(0, 1 - a * a));
        }
        Ops.combine(out, c, x0, z);
    }
}
