package io.sedm.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One numbered output folder per run, as NVlabs/edm does: {@code runs/00001-name/} holding the
 * resolved options, the log and the checkpoints.
 */
public record RunDirectory(Path path) {
    private static final Pattern NUMBERED = Pattern.compile("^(\\d+)-.*");

    /** Creates {@code root/NNNNN-description} with the next free number. */
    public static RunDirectory create(Path root, String description) {
        try {
            Files.createDirectories(root);
            int next = 0;
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Matcher m = NUMBERED.matcher(p.getFileName().toString());
                    if (m.matches()) next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
                }
            }
            String safe = description.replaceAll("[^A-Za-z0-9._-]", "_");
            for (int id = Math.max(next, 1); ; id++) {
                Path dir = root.resolve(String.format("%05d-%s", id, safe));
                try {
                    Files.createDirectory(dir);
                    return new RunDirectory(dir);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process took this number; try the next
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run folder under " + root + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code text} to {@code name} atomically (temp file in the same folder, then rename), mode 0644. */
    public static void writeAtomically(Path file, String text) {
        writeAtomically(file, tmp -> {
            try {
                Files.writeString(tmp, text);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + tmp + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Lets {@code writer} write a temp file next to {@code file}, then renames it into place, so
     * {@code file} is either absent, the old version or complete. Every output gets mode 0644
     * (where the file system has POSIX modes) whatever wrote it; a failed write leaves no temp file.
     */
    public static void writeAtomically(Path file, java.util.function.Consumer<Path> writer) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(tmp);
            writer.accept(tmp);
            try {
                Files.setPosixFilePermissions(
                        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException noPosix) {
                // not a POSIX file system: keep its default
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Removes the run folder and everything in it (a run that failed before its first step). */
    public void delete() {
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator)
                Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: the caller is already reporting the real failure
        }
    }

    public void writeOptions(String json) {
        writeAtomically(path.resolve("options.json"), json);
    }

    /** Appends a time-stamped line to log.txt. */
    public void log(String line) {
        try {
            Files.writeString(
                    path.resolve("log.txt"),
                    Instant.now() + " " + line + System.lineSeparator(),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + path.resolve("log.txt") + ": " + e.getMessage(), e);
        }
    }
}
