package io.sedm.toy;

import io.sedm.ffi.bindings.Sedm;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The score-matching objectives for a score network s_θ (docs/ALGORITHMS.md §17), each the
 * per-sample term l(x) of {@code sedm_score_matching_loss}:
 * <pre>
 *   ESM  (Hyvärinen 2005, eq. 4):                 ½‖s(x)‖² + tr ∇ₓs(x)
 *   SSM  (Song, Garg, Shi &amp; Ermon 2019, eq. 8):  ½‖s(x)‖² + vᵀ∇ₓs(x) v,   v ~ N(0, I)
 *   DSM  (Vincent 2011, eq. 4):                   ½‖s(x̃) − ∇log q_σ(x̃ | x)‖²,   x̃ = x + σz
 * </pre>
 */
public enum ScoreObjective {
    /** Explicit score matching with the exact Jacobian trace (low dimension). */
    ESM("esm", Sedm.SEDM_SCORE_MATCHING_EXPLICIT()),
    /** Sliced score matching with variance reduction (SSM-VR), one Gaussian projection per sample. */
    SSM("ssm", Sedm.SEDM_SCORE_MATCHING_SLICED_VR()),
    /** Denoising score matching. */
    DSM("dsm", Sedm.SEDM_SCORE_MATCHING_DENOISING());

    private final String cliName;
    private final int code;

    ScoreObjective(String cliName, int code) {
        this.cliName = cliName;
        this.code = code;
    }

    public String cliName() {
        return cliName;
    }

    /** The {@code SEDM_SCORE_MATCHING_*} code of sedm.h. */
    public int code() {
        return code;
    }

    /** The objective named {@code name} (esm, ssm, dsm; case-insensitive). */
    public static ScoreObjective parse(String name) {
        for (ScoreObjective o : values()) {
            if (o.cliName.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown objective \"" + name + "\"; expected one of "
                + Arrays.stream(values()).map(ScoreObjective::cliName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return cliName.toUpperCase(Locale.ROOT);
    }
}
