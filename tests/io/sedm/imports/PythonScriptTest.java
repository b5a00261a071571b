package io.sedm.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The one lookup of a Python with torch (sedm import's --python default, the harness, the tests). */
class PythonScriptTest {
    @Test
    void aNamedPythonThatCannotImportTorchIsNamedWithTheReason() {
        assertThatThrownBy(() -> PythonScript.torchPython("/nonexistent/python3"))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("/nonexistent/python3 (cannot start")
                .hasMessageContaining("--python EXE");
        assertThatThrownBy(() -> PythonScript.torchPython("/bin/false"))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("/bin/false (exit 1)");
        assertThat(PythonScript.torchPythonOrNull("/bin/false")).isNull();
    }

    @Test
    void theDefaultIsTheFirstCandidateThatImportsTorch() throws Exception {
        String py = PythonScript.torchPythonOrNull(null);
        Assumptions.assumeTrue(py != null, "no python3 with torch on this machine (Debian: python3-torch)");
        assertThat(PythonScript.CANDIDATES).contains(py);
        for (String c : PythonScript.CANDIDATES) {
            if (c.equals(py)) {
                break;
            }
            // every candidate before the chosen one cannot import torch
            assertThat(PythonScript.torchPythonOrNull(c)).isNull();
        }
        Process p = new ProcessBuilder(py, "-c", "import torch").start();
        assertThat(p.waitFor()).isZero();
    }
}
