package io.sedm.imports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the project's Python scripts ({@code scripts/*.py}) with the user's Python
 * (Debian's {@code python3} with {@code python3-torch}, or the local PyTorch): the only place
 * sedm starts Python, and only for importing what needs the official source trees.
 */
public final class PythonScript {
    private PythonScript() {}

    /** The project's scripts folder: {@code -Dsedm.scripts}, else {@code scripts/} beside the working folder. */
    public static Path scriptsDir() {
        String prop = System.getProperty("sedm.scripts");
        if (prop != null) return Path.of(prop);
        Path here = Path.of("scripts").toAbsolutePath();
        if (Files.isDirectory(here)) return here;
        String home = System.getenv("SEDM_HOME");
        if (home != null) return Path.of(home, "scripts");
        return here;
    }

    /** Runs {@code python script args...}; a non-zero exit throws with the script's stderr. Returns stdout. */
    public static String run(String python, String script, List<String> args, long timeoutSeconds) {
        Path file = scriptsDir().resolve(script);
        if (!Files.isRegularFile(file)) {
            throw new ImportException("no " + file + " (run sedm from the project folder or set -Dsedm.scripts=DIR)");
        }
        List<String> cmd = new ArrayList<>(List.of(python, file.toString()));
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new ImportException("cannot start " + python + " (--python): " + e.getMessage(), e);
        }
        try {
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ImportException(script + " did not finish within " + timeoutSeconds + " s");
            }
            String stderr = new String(err, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                String last = stderr.contains("\n") ? stderr.substring(stderr.lastIndexOf('\n') + 1) : stderr;
                throw new ImportException(script + " failed (exit " + p.exitValue() + "): " + last);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ImportException(script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImportException(script + " was interrupted", e);
        }
    }
}
