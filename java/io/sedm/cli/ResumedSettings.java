package io.sedm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import picocli.CommandLine.ParseResult;

/**
 * A resumed run keeps the settings its checkpoint records: those are the defaults, a flag that
 * would change one is refused (with every conflict listed), a flag that repeats one is accepted,
 * and harmless run-length flags (--steps, --snap, --log-every, …) are taken and reported.
 */
final class ResumedSettings {
    private final ParseResult parsed;
    private final String checkpoint;
    private final List<String> conflicts = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    ResumedSettings(ParseResult parsed, String checkpoint) {
        this.parsed = parsed;
        this.checkpoint = checkpoint;
    }

    boolean given(String flag) {
        return parsed != null && parsed.hasMatchedOption(flag);
    }

    /** A setting of the run: the recorded value, refused if {@code flag} was given with another value. */
    <T> T keep(String flag, T recorded, T given) {
        if (given(flag) && !same(recorded, given)) {
            conflicts.add(flag + " " + given + " (the checkpoint has " + recorded + ")");
        }
        return recorded;
    }

    /** A harmless setting: the flag's value when given (and noted), else the recorded one. */
    <T> T override(String flag, T recorded, T given) {
        if (given(flag) && !same(recorded, given)) {
            notes.add(flag + " " + given + " (was " + recorded + ")");
            return given;
        }
        return recorded;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
        return Objects.equals(a, b);
    }

    /** Throws listing every conflicting flag, if any. */
    void check() {
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("--resume " + checkpoint + " continues that run with its own settings; "
                    + String.join(", ", conflicts) + (conflicts.size() == 1 ? " conflicts" : " conflict")
                    + " with it. Drop the flag, or start a new run to change it");
        }
    }

    /** The harmless changes, for the log ("resumed with --steps 8 (was 4)"), or "" when none. */
    String notes() {
        return String.join(", ", notes);
    }
}
