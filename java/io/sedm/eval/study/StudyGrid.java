package io.sedm.eval.study;

import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.EpsilonScaling;
import io.sedm.sampler.Solver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The grid of the SEDM-G++ thesis study at this scale: EDM-family solver runs crossed with the
 * Discriminator Guidance weight w1 and the Epsilon Scaling factor λ (uniform, κ = 0).
 *
 * <p>Why these values (the defaults of {@link #thesis()}):
 * <ul>
 *   <li>Runs: Euler at NFE 13, 21 and 35 and Heun at 35 NFE (18 σ levels) are the settings of the
 *       EDM-ES table (Ning et al. 2024, Table 5; docs/ALGORITHMS.md §6.1) and of the thesis'
 *       Euler figures (§9).
 *   <li>λ ∈ {1, 1.0005, 1.002, 1.004, 1.006}: 1 is ES off; the published optima for EDM on CIFAR-10
 *       lie in [0.9985, 1.0070] with Heun-35 at 1.0005 and Euler at 1.0034–1.0048, and the thesis'
 *       SEDM-G++ uses 1.0004 — the grid brackets all of them.
 *   <li>w1 ∈ {0, 1, 1.67, 2}: 0 is DG off; 2 is DG's default for EDM-G++, 1.67 the thesis'
 *       SEDM-G++ headline, 1 the midpoint that shows the trend.
 * </ul>
 *
 * @param runs      solver runs (each a row of heatmaps)
 * @param dgWeights w1 values (rows of each heatmap)
 * @param esScales  λ values (columns of each heatmap)
 */
public record StudyGrid(List<Run> runs, double[] dgWeights, double[] esScales) {

    /** One solver run: the ODE solver and its σ levels N (NFE = N for Euler, 2N − 1 for Heun). */
    public record Run(Solver solver, int steps) {
        public Run {
            if (steps < 2) {
                throw new IllegalArgumentException("a run needs at least 2 σ levels, got " + steps);
            }
        }

        /** Network evaluations per image (docs/ALGORITHMS.md §4). */
        public int nfe() {
            return solver == Solver.HEUN ? 2 * steps - 1 : steps;
        }

        /** "euler-13" or "heun-35": solver and NFE. */
        public String label() {
            return solver.name().toLowerCase(Locale.ROOT) + "-" + nfe();
        }

        /** The run for {@code solver} at {@code nfe} evaluations; Heun needs an odd NFE ≥ 3. */
        public static Run ofNfe(Solver solver, int nfe) {
            if (solver == Solver.HEUN) {
                if (nfe < 3 || nfe % 2 == 0) {
                    throw new IllegalArgumentException("Heun's NFE is 2N − 1: odd and >= 3, got " + nfe);
                }
                return new Run(solver, (nfe + 1) / 2);
            }
            return new Run(solver, nfe);
        }

        /** Parses "euler-13" / "heun-35". */
        public static Run parse(String s) {
            String[] p = s.trim().toLowerCase(Locale.ROOT).split("-");
            if (p.length != 2) {
                throw new IllegalArgumentException("a run is SOLVER-NFE such as euler-13 or heun-35, got '" + s + "'");
            }
            Solver solver = switch (p[0]) {
                case "euler" -> Solver.EULER;
                case "heun" -> Solver.HEUN;
                default -> throw new IllegalArgumentException("solver must be euler or heun, got '" + p[0] + "'");
            };
            try {
                return ofNfe(solver, Integer.parseInt(p[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("NFE must be an integer, got '" + p[1] + "'", e);
            }
        }
    }

    /** One cell of the grid: a run with one (w1, λ). */
    public record Cell(Run run, double w1, double lambda) {
        /** The EDM-family sampler options: no churn, uniform ES λ, DG on the predictor with DG's window. */
        public EdmSampler.Options options() {
            return EdmSampler.Options.edm()
                    .withSolver(run.solver())
                    .withEpsilonScaling(lambda == 1.0 ? EpsilonScaling.none() : EpsilonScaling.constant(lambda))
                    .withGuidance(EdmSampler.Guidance.firstOrder(w1));
        }

        /** The thesis' name of the sampler this cell is: EDM, EDM-ES, EDM-G++ or SEDM-G++. */
        public String family() {
            if (w1 == 0) return lambda == 1.0 ? "EDM" : "EDM-ES";
            return lambda == 1.0 ? "EDM-G++" : "SEDM-G++";
        }
    }

    public StudyGrid {
        runs = List.copyOf(runs);
        dgWeights = dgWeights.clone();
        esScales = esScales.clone();
        if (runs.isEmpty() || dgWeights.length == 0 || esScales.length == 0) {
            throw new IllegalArgumentException("the grid needs at least one run, one w1 and one λ");
        }
        for (double w : dgWeights) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("DG weights must be finite and >= 0, got " + w);
            }
        }
        for (double l : esScales) {
            if (!(l > 0) || !Double.isFinite(l)) {
                throw new IllegalArgumentException("ES scales λ must be finite and > 0, got " + l);
            }
        }
    }

    /** The thesis grid (see the class comment). */
    public static StudyGrid thesis() {
        return new StudyGrid(
                List.of(
                        new Run(Solver.EULER, 13),
                        new Run(Solver.EULER, 21),
                        new Run(Solver.EULER, 35),
                        new Run(Solver.HEUN, 18)),
                new double[] {0, 1, 1.67, 2},
                new double[] {1, 1.0005, 1.002, 1.004, 1.006});
    }

    /** Whether any cell needs a discriminator. */
    public boolean guided() {
        return Arrays.stream(dgWeights).anyMatch(w -> w != 0);
    }

    /** Every cell, run-major, then w1, then λ. */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        for (Run r : runs) {
            for (double w : dgWeights) {
                for (double l : esScales) {
                    out.add(new Cell(r, w, l));
                }
            }
        }
        return out;
    }

    @Override
    public double[] dgWeights() {
        return dgWeights.clone();
    }

    @Override
    public double[] esScales() {
        return esScales.clone();
    }
}
