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
    /** Where sedm looks for a Python with torch when none is named: PATH's python3, then Debian's. */
    public static final List<String> CANDIDATES = List.of("python3", "/usr/bin/python3");

    private static final String PROBE = "import torch, numpy";

    private PythonScript() {}

    /**
     * The Python to run the scripts with: {@code explicit} when given (it must import torch and
     * numpy), else the first of {@link #CANDIDATES} that does (on a machine with pyenv, PATH's
     * {@code python3} may be a shim without torch while Debian's {@code /usr/bin/python3} has
     * python3-torch). Throws, naming every interpreter tried and why it failed, when none can.
     */
    public static String torchPython(String explicit) {
        List<String> tried = explicit != null ? List.of(explicit) : CANDIDATES;
        List<String> why = new ArrayList<>();
        for (String c : tried) {
            String problem = probe(c);
            if (problem == null) {
                return c;
            }
            why.add(c + " (" + problem + ")");
        }
        throw new ImportException("no Python that can `" + PROBE + "`: tried " + String.join(", ", why)
                + "; install python3-torch (Debian) or name one with --python EXE");
    }

    /** {@link #torchPython} or null instead of the exception (for callers that skip without one). */
    public static String torchPythonOrNull(String explicit) {
        try {
            return torchPython(explicit);
        } catch (ImportException e) {
            return null;
        }
    }

    /** Null when {@code python} imports torch and numpy, else the reason it does not. */
    private static String probe(String python) {
        Process p;
        try {
            p = new ProcessBuilder(python, "-c", PROBE)
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            return "cannot start: " + e.getMessage();
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "did not answer within 120 s";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String last = out.contains("\n") ? out.substring(out.lastIndexOf('\n') + 1) : out;
            return last.isEmpty() ? "exit " + p.exitValue() : last;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

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
