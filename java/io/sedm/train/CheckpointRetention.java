package io.sedm.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which checkpoints of a run folder stay: the newest {@code keepLast}, every {@code keepEvery}-th
 * step as a milestone (0 = none), and always {@code protect} (the checkpoint a run resumed from).
 * Applied only after a new checkpoint is complete; a removed checkpoint loses its sidecar first,
 * so no sidecar ever names missing weights.
 *
 * @param keepLast  newest checkpoints kept, ≥ 1
 * @param keepEvery milestone period in steps, 0 = off
 * @param protect   a sidecar never removed (may be null)
 */
public record CheckpointRetention(int keepLast, long keepEvery, Path protect) {
    static final Pattern NAME = Pattern.compile("^(checkpoint-(\\d{8,}))\\.json$");

    public CheckpointRetention {
        if (keepLast < 1) throw new IllegalArgumentException("--keep-last must be >= 1, got " + keepLast);
        if (keepEvery < 0) throw new IllegalArgumentException("--keep-every must be >= 0, got " + keepEvery);
    }

    /** Removes the checkpoints of {@code dir} this policy does not keep; returns the removed sidecars. */
    public List<Path> apply(Path dir) {
        TreeMap<Long, Path> byStep = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) byStep.put(Long.parseLong(m.group(2)), p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<Path> removed = new ArrayList<>();
        int rank = byStep.size();
        for (var e : byStep.entrySet()) {
            rank--; // 0 for the newest
            long step = e.getKey();
            Path side = e.getValue();
            boolean keep = rank < keepLast || (keepEvery > 0 && step % keepEvery == 0) || isProtected(side);
            if (keep) continue;
            String stem = side.getFileName().toString().replaceFirst("\\.json$", "");
            try {
                Files.deleteIfExists(side);
                for (String suffix : new String[] {"-net.safetensors", "-ema.safetensors", "-adam.safetensors"}) {
                    Files.deleteIfExists(dir.resolve(stem + suffix));
                }
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot remove old checkpoint " + side + ": " + ex.getMessage(), ex);
            }
            removed.add(side);
        }
        return removed;
    }

    private boolean isProtected(Path side) {
        if (protect == null) return false;
        try {
            return Files.exists(protect) && Files.isSameFile(protect, side);
        } catch (IOException e) {
            return true; // when unsure, keep it
        }
    }
}
