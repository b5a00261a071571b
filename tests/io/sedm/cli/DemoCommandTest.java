package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    @Test
    void demoWritesGridsAndAReportAndExactGuidanceRecoversTheData(@TempDir Path dir) throws Exception {
        int rc = Main.commandLine()
                .execute(
                        "demo",
                        "--outdir",
                        dir.toString(),
                        "--images",
                        "60",
                        "--samples",
                        "48",
                        "--batch",
                        "16",
                        "--steps",
                        "12",
                        "--bias",
                        "20",
                        "--learned-samples",
                        "0");
        assertThat(rc).isZero();
        for (String name : new String[] {"edm.png", "sedm-gpp.png", "edm-gpp-exact.png", "report.json"}) {
            assertThat(dir.resolve(name)).isNotEmptyFile();
        }
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        double data = report.get("data").get(0).asDouble();
        double model = report.get("model").get(0).asDouble();
        double edm = report.get("edm").get("class_shares").get(0).asDouble();
        double exact = report.get("edm-gpp-exact").get("class_shares").get(0).asDouble();
        assertThat(model).isGreaterThan(0.5); // the bias makes class 0 the majority of the model
        // 48 samples: a share's s.e. is <= 0.5/sqrt(48) = 0.072; the gaps below are > 4 s.e.
        assertThat(edm).isGreaterThan(data + 0.3);
        assertThat(exact).isLessThan(edm - 0.3);
        assertThat(Files.size(dir.resolve("edm.png"))).isGreaterThan(1000);
        try (var files = Files.list(dir)) { // renamed together from *.tmp, lock released, mode 0644 like every output
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("edm.png", "sedm-gpp.png", "edm-gpp-exact.png", "report.json");
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve("report.json"))))
                .isEqualTo("rw-r--r--");
    }
}
