package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sedm toy: the happy path writes every picture as a valid 640×640 PNG; bad options are one-line errors. */
class ToyCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesEveryPictureAndAReport() throws Exception {
        Path out = dir.resolve("toy");
        CliRun.Result r = CliRun.run(
                "toy",
                "--set",
                "moons",
                "--objective",
                "ssm",
                "--steps",
                "60",
                "--samples",
                "200",
                "--langevin-steps",
                "5",
                "--edm-steps",
                "6",
                "--outdir",
                out.toString());
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("wall").contains("annealed-langevin");
        for (String name : ToyCommand.OUTPUTS) {
            Path p = out.resolve(name);
            assertThat(p).isNotEmptyFile();
            if (name.endsWith(".png")) {
                byte[] head = Files.readAllBytes(p);
                assertThat(head).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
                BufferedImage img = ImageIO.read(p.toFile());
                assertThat(img).as(name).isNotNull();
                assertThat(img.getWidth()).isEqualTo(640);
                assertThat(img.getHeight()).isEqualTo(640);
            }
        }
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".tmp") || n.endsWith(".part")))
                    .isEmpty();
        }
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.get("objective").asText()).isEqualTo("ssm");
        assertThat(report.get("sliced_w1").get("edm-heun").get("mean").asDouble())
                .isFinite()
                .isPositive();
    }

    @Test
    void badOptionsAreOneLineErrorsAndWriteNothing() {
        Path out = dir.resolve("bad");
        String o = out.toString();
        CliRun.Result set = CliRun.run("toy", "--set", "spiral", "--outdir", o);
        assertThat(set.rc()).isEqualTo(2);
        assertThat(set.err())
                .contains("unknown toy set \"spiral\"; expected one of gaussians8, checkerboard, moons, swiss-roll");
        CliRun.Result obj = CliRun.run("toy", "--objective", "mle", "--outdir", o);
        assertThat(obj.rc()).isEqualTo(2);
        assertThat(obj.err()).contains("unknown objective \"mle\"; expected one of esm, ssm, dsm");
        CliRun.Result steps = CliRun.run("toy", "--steps", "0", "--outdir", o);
        assertThat(steps.rc()).isEqualTo(2);
        assertThat(steps.err()).contains("--steps must be in [1, 1000000], got 0");
        CliRun.Result sigma = CliRun.run("toy", "--sigma-min", "50", "--outdir", o);
        assertThat(sigma.rc()).isEqualTo(2);
        assertThat(sigma.err()).contains("--sigma-min 50.0 must be below σ_1");
        CliRun.Result notNumber = CliRun.run("toy", "--steps", "many", "--outdir", o);
        assertThat(notNumber.rc()).isEqualTo(2);
        assertThat(notNumber.err()).contains("--steps");
        assertThat(out).doesNotExist();
    }
}
