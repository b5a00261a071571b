package io.sedm.toy;

import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.AnnealedLangevinSampler;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.Solver;
import io.sedm.sampler.StepListener;
import io.sedm.schedule.EdmSchedule;
import io.sedm.schedule.NcsnSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * The samplers of {@code sedm toy}, all through the {@link Denoiser} contract, with the path of
 * every sample recorded (for the trajectory pictures):
 * <ul>
 *   <li>plain Langevin dynamics at one level σ (Song &amp; Ermon 2019, eq. 4):
 *       x ← x + ε s(x, σ) + √(2ε) z, run as {@link AnnealedLangevinSampler} on the one-level
 *       schedule (σ, 0), whose step γ = ε·σ²/σ² is then ε itself;</li>
 *   <li>annealed Langevin dynamics (Song &amp; Ermon 2019, Algorithm 1): {@link AnnealedLangevinSampler}
 *       over the ladder with γ_i = ε·σ_i²/σ_L² and T steps a level, then Tweedie's denoising step;</li>
 *   <li>EDM's Heun and Euler probability-flow samplers (Karras et al. 2022, Algorithm 1) on the
 *       ρ = 7 schedule between the ladder's ends.</li>
 * </ul>
 */
public final class ToySamplers {
    private ToySamplers() {}

    /** The final points (rows of 2) and each sample's path: {@code paths.get(k)[b]} = point b at record k. */
    public record Run(double[] x, List<double[]> paths) {}

    /** The sampler names, in drawing order. */
    public static final List<String> NAMES = List.of("edm-heun", "edm-euler", "langevin", "annealed-langevin");

    /**
     * Runs sampler {@code name} from {@code start} (n rows of 2) with per-sample seeds.
     *
     * @param ladder       the model's σ_1 &gt; … &gt; σ_L
     * @param epsilon      Langevin's ε (step at σ_L)
     * @param stepsPerLevel annealed Langevin's T; plain Langevin runs L·T steps at σ_L
     * @param edmSteps     EDM's N
     */
    public static Run run(
            String name,
            Denoiser model,
            double[] start,
            double[] ladder,
            double epsilon,
            int stepsPerLevel,
            int edmSteps,
            long seed) {
        int n = start.length / 2;
        List<double[]> paths = new ArrayList<>();
        try (Tensor x0 = Tensor.of(start, new long[] {n, 2}, Device.CPU);
                Generator noise = Generator.ofSeedRange(seed * 1_000_003L, n)) {
            StepListener record = step -> paths.add(step.x().toDoubleArray());
            Tensor out;
            switch (name) {
                case "edm-heun", "edm-euler" -> {
                    EdmSampler.Options o =
                            EdmSampler.Options.edm().withSolver(name.equals("edm-heun") ? Solver.HEUN : Solver.EULER);
                    double[] sigmas = EdmSchedule.sigmas(edmSteps, ladder[ladder.length - 1], ladder[0], 7.0);
                    out = new EdmSampler(o).sample(model, x0, sigmas, noise, record);
                }
                case "annealed-langevin" -> {
                    double[] sigmas = NcsnSchedule.sigmas(ladder[0], ladder[ladder.length - 1], ladder.length);
                    out = new AnnealedLangevinSampler(epsilon, stepsPerLevel, true)
                            .sample(model, x0, sigmas, noise, record);
                }
                case "langevin" ->
                    out = plainLangevin(
                            model, x0, ladder[ladder.length - 1], epsilon, ladder.length * stepsPerLevel, noise, paths);
                default ->
                    throw new IllegalArgumentException(
                            "unknown sampler \"" + name + "\"; expected one of " + String.join(", ", NAMES));
            }
            try (out) {
                double[] x = out.toDoubleArray();
                paths.add(x);
                return new Run(x, paths);
            }
        }
    }

    /**
     * Plain Langevin dynamics at one level: {@code steps} steps of x ← x + ε s + √(2ε) z, run in
     * chunks of one-level {@link AnnealedLangevinSampler} calls (no final denoising) so the path
     * can be recorded between them.
     */
    public static Tensor plainLangevin(
            Denoiser model, Tensor x0, double sigma, double epsilon, int steps, Generator noise, List<double[]> paths) {
        int chunks = Math.min(steps, 20);
        Tensor x = x0.copy();
        int done = 0;
        for (int c = 0; c < chunks; c++) {
            int t = (int) ((long) steps * (c + 1) / chunks) - done;
            done += t;
            if (paths != null) {
                paths.add(x.toDoubleArray());
            }
            Tensor next = new AnnealedLangevinSampler(epsilon, t, false)
                    .sample(model, x, new double[] {sigma, 0.0}, noise, StepListener.NONE);
            x.close();
            x = next;
        }
        return x;
    }
}
