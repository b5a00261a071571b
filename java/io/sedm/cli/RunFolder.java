package io.sedm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * An output folder written all-or-nothing: files go under {@code NAME.tmp}, {@link #commit()}
 * gives each mode 0644 and renames them together; {@link #close()} without a commit removes what
 * this run wrote (and the folder, when this run created it). A lock file {@code .sedm.lock}
 * holding the writer's pid keeps two runs out of one folder; a lock whose process is gone is
 * taken over, and that dead run's {@code *.tmp} files are removed.
 */
final class RunFolder implements AutoCloseable {
    static final String LOCK = ".sedm.lock";

    private final Path dir;
    private final boolean created;
    private final List<String> names = new ArrayList<>();
    private boolean committed;

    private RunFolder(Path dir, boolean created) {
        this.dir = dir;
        this.created = created;
    }

    /** Creates (if needed) and locks {@code dir}; throws IllegalArgumentException if another live run holds it. */
    static RunFolder open(Path dir, String flag) {
        try {
            boolean created = !Files.exists(dir);
            if (!created && !Files.isDirectory(dir)) {
                throw new IllegalArgumentException(flag + " " + dir + " exists and is not a folder");
            }
            Files.createDirectories(dir);
            Path lock = dir.resolve(LOCK);
            long me = ProcessHandle.current().pid();
            try {
                Files.writeString(Files.createFile(lock), Long.toString(me), StandardCharsets.US_ASCII);
            } catch (FileAlreadyExistsException e) {
                long owner = readPid(lock);
                if (owner != me
                        && owner > 0
                        && ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new IllegalArgumentException(flag + " " + dir + " is being written by another run (pid "
                            + owner + ", lock " + lock + "); choose another folder or wait for it");
                }
                if (owner == me) {
                    throw new IllegalArgumentException(flag + " " + dir + " is already being written by this process");
                }
                Files.writeString(lock, Long.toString(me), StandardCharsets.US_ASCII);
            }
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "*.tmp")) {
                for (Path p : stale) {
                    Files.deleteIfExists(p);
                }
            }
            return new RunFolder(dir, created);
        } catch (IOException e) {
            throw new UncheckedIOException(flag + " " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long readPid(Path lock) throws IOException {
        try {
            return Long.parseLong(
                    Files.readString(lock, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    Path dir() {
        return dir;
    }

    /** Where to write {@code name} during the run; it appears under {@code name} at {@link #commit()}. */
    Path file(String name) {
        names.add(name);
        return dir.resolve(name + ".tmp");
    }

    /**
     * Gives every file mode 0644 and renames it to its final name; removes the {@code outputs} a
     * previous run left that this run did not write (so the folder holds one run's files); then
     * releases the lock.
     */
    void commit(String... outputs) throws IOException {
        for (String old : outputs) {
            if (!names.contains(old)) {
                Files.deleteIfExists(dir.resolve(old));
            }
        }
        for (String name : names) {
            Path tmp = dir.resolve(name + ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the default mode stands
            }
        }
        for (String name : names) {
            Files.move(
                    dir.resolve(name + ".tmp"),
                    dir.resolve(name),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        committed = true;
        Files.deleteIfExists(dir.resolve(LOCK));
    }

    /** Without a commit: removes this run's files, its lock, and the folder if this run created it and it is empty. */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        try {
            for (String name : names) {
                Files.deleteIfExists(dir.resolve(name + ".tmp"));
            }
            Files.deleteIfExists(dir.resolve(LOCK));
            if (created) {
                try (var left = Files.list(dir)) {
                    if (left.findAny().isEmpty()) {
                        Files.deleteIfExists(dir);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cleaning up " + dir + ": " + e.getMessage(), e);
        }
    }
}
