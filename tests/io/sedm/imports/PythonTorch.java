package io.sedm.imports;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Python side of the import tests: a python3 with torch (Debian's python3-torch, installed by
 * scripts/setup.sh) that writes the fixtures in the official formats with the project's own
 * scripts/make_fixtures.py, and reads back what sedm exports. Tests that need it skip with the
 * reason when no such Python exists; tests that need the official source trees read their paths
 * from -Dsedm.edm.src / -Dsedm.dg.src and skip when those are not given.
 */
final class PythonTorch {
    private static String found;

    private PythonTorch() {}

    /** -Dsedm.python, else sedm's own lookup (PythonScript.torchPython); skips the test if none. */
    static synchronized String python() {
        if (found != null) {
            return found;
        }
        found = PythonScript.torchPythonOrNull(System.getProperty("sedm.python"));
        if (found == null) {
            Assumptions.abort("no python3 with torch and numpy (Debian: python3-torch; scripts/setup.sh installs it): "
                    + "the fixtures in torch.save's format are made by it");
        }
        return found;
    }

    /** Runs python with args from the project root; asserts exit 0; returns stdout+stderr. */
    static String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(600, TimeUnit.SECONDS)).as("python finished").isTrue();
        assertThat(p.exitValue())
                .as("python " + String.join(" ", args) + ":\n" + out)
                .isZero();
        return out;
    }

    /** Runs a Python program given as text. */
    static String script(Path dir, String code) throws IOException, InterruptedException {
        Path f = Files.createTempFile(dir, "fixture", ".py");
        Files.writeString(f, code);
        return run(f.toString());
    }

    /** The project's scripts/ folder. */
    static Path scripts() {
        return Path.of("scripts").toAbsolutePath();
    }

    static Path resource(String name) {
        try {
            return Path.of(PythonTorch.class.getResource("/imports/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource imports/" + name, e);
        }
    }

    /** A plain-torch state dict (OrderedDict with _metadata) with the names and shapes of a committed key list. */
    static Path plain(Path dir, String keys, String name, int seed) throws IOException, InterruptedException {
        Path out = dir.resolve(name);
        run(
                scripts().resolve("make_fixtures.py").toString(),
                "plain",
                "--keys",
                resource(keys).toString(),
                "--out",
                out.toString(),
                "--seed",
                Integer.toString(seed));
        return out;
    }

    /** -Dsedm.edm.src / -Dsedm.dg.src, or skip. */
    static Path officialTree(String property, String what) {
        String v = System.getProperty(property);
        Assumptions.assumeTrue(
                v != null && Files.isDirectory(Path.of(v)),
                "needs a checkout of " + what + ": pass -D" + property + "=DIR (not in CI)");
        return Path.of(v);
    }
}
