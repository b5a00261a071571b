package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.data.FashionMnist;
import io.sedm.data.Npy;
import io.sedm.train.SongUNetConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code sedm sample --guidance/--inpaint-mask/--colorize} and {@code sedm train --cond}: happy paths and every refusal. */
class GuidanceCliTest {
    /** Four classes at (±1, ±1), c = 0.75 (the mixture of io.sedm.guidance.GuidanceTest). */
    static final String FOUR =
            "{\"weights\": [0.25, 0.25, 0.25, 0.25], \"means\": [[1, 1], [-1, 1], [-1, -1], [1, -1]],"
                    + " \"variances\": [0.5625, 0.5625, 0.5625, 0.5625]}";

    @TempDir
    static Path shared;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Path four() throws IOException {
        Path f = shared.resolve("four.json");
        if (!Files.exists(f)) Files.writeString(f, FOUR);
        return f;
    }

    static double[] samples(Path outdir) {
        return Npy.read(outdir.resolve("samples.npy")).toDoubles();
    }

    /** Share of 2-D samples in class 2's quadrant (x < 0, y < 0), its Bayes region. */
    static double quadrantShare(double[] x) {
        int hits = 0;
        for (int i = 0; i < x.length / 2; i++) if (x[2 * i] < 0 && x[2 * i + 1] < 0) hits++;
        return hits / (x.length / 2.0);
    }

    @Test
    void guidanceOnTheExactMixtureRaisesTheClassShare(@TempDir Path dir) throws Exception {
        String[] common = {"sample", "--denoiser", "gmm:" + four(), "--seeds", "0-399", "--steps", "32", "--quiet"};
        Result plain = run(Stream.concat(
                        Stream.of(common),
                        Stream.of("--outdir", dir.resolve("plain").toString()))
                .toArray(String[]::new));
        assertThat(plain.code()).as(plain.err()).isZero();
        for (String g : new String[] {"cfg", "classifier"}) {
            Path out = dir.resolve(g);
            Result r = run(Stream.concat(
                            Stream.of(common),
                            Stream.of(
                                    "--guidance",
                                    g,
                                    "--guidance-scale",
                                    "4",
                                    "--class",
                                    "2",
                                    "--outdir",
                                    out.toString()))
                    .toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            double share = quadrantShare(samples(out));
            System.out.printf("sedm sample --guidance %s --guidance-scale 4: class-2 share %.3f%n", g, share);
            assertThat(share).isGreaterThanOrEqualTo(0.9);
            assertThat(Npy.read(out.resolve("labels.npy")).toDoubles()).containsOnly(2.0);
            JsonNode options =
                    new ObjectMapper().readTree(out.resolve("options.json").toFile());
            assertThat(options.at("/control/guidance").asText()).isEqualTo(g);
            assertThat(options.at("/control/guidanceScale").asDouble()).isEqualTo(4.0);
        }
        double unguided = quadrantShare(samples(dir.resolve("plain")));
        System.out.printf("unguided class-2 share %.3f%n", unguided);
        assertThat(unguided).isBetween(0.15, 0.35); // 1/4 ± 4.6 s.e. (s.e. 0.022 at n = 400)
    }

    @Test
    void inpaintingAMixtureKeepsTheKnownValuesExactly(@TempDir Path dir) throws Exception {
        Path mask = dir.resolve("mask.npy");
        Npy.write(mask, Npy.Array.ofDoubles(new double[] {1, 0}, 2));
        Path known = dir.resolve("known.npy");
        Npy.write(known, Npy.Array.ofDoubles(new double[] {-0.8125, 0}, 1, 2));
        Path out = dir.resolve("inpaint");
        for (String sampler : new String[] {"edm", "pc-ve"}) {
            Result r = run(
                    "sample",
                    "--denoiser",
                    "gmm:" + four(),
                    "--sampler",
                    sampler,
                    "--steps",
                    "32",
                    "--seeds",
                    "0-63",
                    "--inpaint-mask",
                    mask.toString(),
                    "--known",
                    known.toString(),
                    "--dtype",
                    "float64",
                    "--outdir",
                    out.resolve(sampler).toString(),
                    "--quiet");
            assertThat(r.code()).as(r.err()).isZero();
            double[] x = samples(out.resolve(sampler));
            for (int i = 0; i < 64; i++) assertThat(x[2 * i]).isEqualTo(-0.8125);
        }
    }

    /** The wrappers compose: SEDM-G++ with the oracle discriminator, classifier-free guidance and inpainting at once. */
    @Test
    void guidanceInpaintingAndDiscriminatorGuidanceCompose(@TempDir Path dir) throws Exception {
        Path mask = dir.resolve("mask.npy");
        Npy.write(mask, Npy.Array.ofDoubles(new double[] {0, 1}, 2));
        Path known = dir.resolve("known.npy");
        Npy.write(known, Npy.Array.ofDoubles(new double[] {0, -1.25}, 1, 2));
        Result r = run(
                "sample",
                "--denoiser",
                "gmm:" + four(),
                "--sampler",
                "sedm-gpp",
                "--discriminator",
                "oracle:" + four(),
                "--guidance",
                "cfg",
                "--class",
                "2",
                "--inpaint-mask",
                mask.toString(),
                "--known",
                known.toString(),
                "--seeds",
                "0-99",
                "--dtype",
                "float64",
                "--outdir",
                dir.resolve("all").toString(),
                "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        double[] x = samples(dir.resolve("all"));
        int left = 0;
        for (int i = 0; i < 100; i++) {
            assertThat(x[2 * i + 1]).isEqualTo(-1.25);
            if (x[2 * i] < 0) left++;
        }
        assertThat(left).isGreaterThanOrEqualTo(80); // class 2 lies at x < 0 (W = 2, its own quadrant given y)
    }

    @Test
    void conditionalTrainingThenEveryGuidanceAndInverseProblemOnANetwork(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(FashionMnist.available(FashionMnist.directory()), "Fashion-MNIST not installed");
        Path runs = dir.resolve("runs");
        String unet = SongUNetConfig.tiny(32, 1).toJson();
        String[] train = {
            "train",
            "--outdir",
            runs.toString(),
            "--arch",
            unet,
            "--data-limit",
            "16",
            "--batch",
            "4",
            "--steps",
            "1",
            "--snap",
            "1",
            "--lr-rampup-kimg",
            "0",
            "--threads",
            "1",
            "--quiet"
        };
        Result cond =
                run(Stream.concat(Stream.of(train), Stream.of("--desc", "cond", "--cond", "--label-dropout", "0.2"))
                        .toArray(String[]::new));
        assertThat(cond.code()).as(cond.err()).isZero();
        Path condCkpt = runs.resolve("00001-cond/checkpoint-00000001.json");
        JsonNode sidecar = new ObjectMapper().readTree(condCkpt.toFile());
        assertThat(sidecar.toString()).contains("\"label_dim\":10").contains("\"label_dropout\":0.2");
        Result uncond = run(
                Stream.concat(Stream.of(train), Stream.of("--desc", "uncond")).toArray(String[]::new));
        assertThat(uncond.code()).as(uncond.err()).isZero();
        Path uncondCkpt = runs.resolve("00002-uncond/checkpoint-00000001.json");
        Result cls = run(
                "train-classifier",
                "--data-limit",
                "16",
                "--batch",
                "2",
                "--width",
                "8",
                "--depth",
                "1",
                "--steps",
                "1",
                "--eval-images",
                "0",
                "--outdir",
                runs.toString(),
                "--threads",
                "1",
                "--quiet");
        assertThat(cls.code()).as(cls.err()).isZero();
        Path classifier = runs.resolve("00003-classifier/classifier.json");

        String[] sample = {"sample", "--seeds", "0-1", "--steps", "4", "--allow-unusual", "--threads", "1", "--quiet"};
        Result cfg = run(cat(
                sample,
                "--denoiser",
                "checkpoint:" + condCkpt,
                "--guidance",
                "cfg",
                "--guidance-scale",
                "3",
                "--class",
                "3",
                "--outdir",
                dir.resolve("cfg").toString()));
        assertThat(cfg.code()).as(cfg.err()).isZero();
        assertThat(Npy.read(dir.resolve("cfg/labels.npy")).toDoubles()).containsOnly(3.0);
        Result cg = run(cat(
                sample,
                "--denoiser",
                "checkpoint:" + uncondCkpt,
                "--sampler",
                "ddim",
                "--guidance",
                "classifier",
                "--classifier",
                classifier.toString(),
                "--class",
                "5",
                "--outdir",
                dir.resolve("classifier").toString()));
        assertThat(cg.code()).as(cg.err()).isZero();
        assertThat(Npy.read(dir.resolve("classifier/labels.npy")).toDoubles()).containsOnly(5.0);

        // inpainting with a PNG mask: the left half of every image is known
        BufferedImage png = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 16; x++) png.getRaster().setSample(x, y, 0, 255);
        Path mask = dir.resolve("mask.png");
        ImageIO.write(png, "png", mask.toFile());
        double[] knownValues = new double[32 * 32];
        for (int k = 0; k < knownValues.length; k++) knownValues[k] = (k % 7) / 8.0 - 0.5;
        Path known = dir.resolve("known.npy");
        Npy.write(known, Npy.Array.ofDoubles(knownValues, 1, 1, 32, 32));
        Result inpaint = run(cat(
                sample,
                "--denoiser",
                "checkpoint:" + uncondCkpt,
                "--inpaint-mask",
                mask.toString(),
                "--known",
                known.toString(),
                "--dtype",
                "float64",
                "--outdir",
                dir.resolve("inpaint").toString()));
        assertThat(inpaint.code()).as(inpaint.err()).isZero();
        double[] x = samples(dir.resolve("inpaint"));
        double worst = 0;
        for (int i = 0; i < 2; i++) {
            for (int y = 0; y < 32; y++) {
                for (int c = 0; c < 16; c++) {
                    worst = Math.max(worst, Math.abs(x[i * 1024 + y * 32 + c] - knownValues[y * 32 + c]));
                }
            }
        }
        assertThat(worst).isZero();

        // the refusals that need a network
        Path gray = dir.resolve("gray.npy");
        Npy.write(gray, Npy.Array.ofDoubles(new double[32 * 32], 1, 32, 32));
        Object[][] refused = {
            {cat(sample, "--denoiser", "checkpoint:" + uncondCkpt, "--guidance", "cfg"), "is an unconditional model"},
            {cat(sample, "--denoiser", "checkpoint:" + uncondCkpt, "--class", "3"), "use --guidance classifier"},
            {
                cat(sample, "--denoiser", "checkpoint:" + uncondCkpt, "--guidance", "classifier"),
                "--guidance classifier needs --classifier"
            },
            {
                cat(sample, "--denoiser", "checkpoint:" + uncondCkpt, "--colorize", gray.toString()),
                "--colorize needs 3-channel image samples"
            },
            {
                cat(sample, "--denoiser", "checkpoint:" + condCkpt, "--guidance", "cfg", "--class", "10"),
                "--class 10 is out of range"
            },
        };
        for (Object[] c : refused) {
            Result r = run((String[]) c[0]);
            assertThat(r.code()).as(String.join(" ", (String[]) c[0])).isNotZero();
            assertThat(r.err()).contains((String) c[1]);
        }
        // a conditional model trained without label dropout has no trained ∅
        Result noDrop = run(Stream.concat(Stream.of(train), Stream.of("--desc", "nodrop", "--cond"))
                .toArray(String[]::new));
        assertThat(noDrop.code()).as(noDrop.err()).isZero();
        Result r = run(cat(
                sample,
                "--denoiser",
                "checkpoint:" + runs.resolve("00004-nodrop/checkpoint-00000001.json"),
                "--guidance",
                "cfg"));
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("label_dropout 0");
    }

    static String[] cat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    static Stream<Arguments> refusals() throws Exception {
        String m = "gmm:" + four();
        Path mask = shared.resolve("mask2.npy");
        Npy.write(mask, Npy.Array.ofDoubles(new double[] {1, 0}, 2));
        Path wrongMask = shared.resolve("mask3.npy");
        Npy.write(wrongMask, Npy.Array.ofDoubles(new double[] {1, 0, 1}, 3));
        Path empty = shared.resolve("mask0.npy");
        Npy.write(empty, Npy.Array.ofDoubles(new double[] {0, 0}, 2));
        Path known = shared.resolve("known2.npy");
        Npy.write(known, Npy.Array.ofDoubles(new double[] {0.5, 0}, 1, 2));
        Path wrongKnown = shared.resolve("known5.npy");
        Npy.write(wrongKnown, Npy.Array.ofDoubles(new double[5], 5));
        Path intKnown = shared.resolve("knownint.npy");
        Npy.write(intKnown, Npy.Array.ofLongs(new long[2], 2));
        List<Arguments> cases = new ArrayList<>();
        String[] b = {"sample", "--denoiser", m, "--seeds", "0-3", "--steps", "4", "--quiet"};
        cases.add(Arguments.of(cat(b, "--guidance", "magic"), "--guidance must be cfg or classifier"));
        cases.add(Arguments.of(cat(b, "--guidance", "cfg", "--guidance-scale", "-1"), "must be finite and >= 0"));
        cases.add(Arguments.of(cat(b, "--guidance-scale", "2"), "--guidance-scale needs --guidance"));
        cases.add(Arguments.of(cat(b, "--class", "1"), "--class needs a class-conditional checkpoint"));
        cases.add(Arguments.of(cat(b, "--guidance", "cfg", "--class", "7"), "--class 7 is out of range"));
        cases.add(Arguments.of(cat(b, "--inpaint-mask", mask.toString()), "--inpaint-mask needs --known"));
        cases.add(Arguments.of(cat(b, "--known", known.toString()), "--known needs --inpaint-mask"));
        cases.add(Arguments.of(
                cat(b, "--inpaint-mask", mask.toString(), "--known", known.toString(), "--colorize", known.toString()),
                "run one at a time"));
        cases.add(Arguments.of(
                cat(b, "--inpaint-mask", wrongMask.toString(), "--known", known.toString()), "has shape [3]"));
        cases.add(Arguments.of(
                cat(b, "--inpaint-mask", empty.toString(), "--known", known.toString()), "marks no pixel as known"));
        cases.add(Arguments.of(
                cat(b, "--inpaint-mask", mask.toString(), "--known", wrongKnown.toString()),
                "need 2 values (one sample for all seeds) or 4 × 2"));
        cases.add(Arguments.of(
                cat(b, "--inpaint-mask", mask.toString(), "--known", intKnown.toString()), "float32 or float64"));
        cases.add(Arguments.of(
                cat(b, "--inpaint-mask", shared.resolve("nope.npy").toString(), "--known", known.toString()),
                "--inpaint-mask: no such file"));
        cases.add(Arguments.of(cat(b, "--colorize", known.toString()), "--colorize needs 3-channel image samples"));
        cases.add(Arguments.of(
                new String[] {"train", "--label-dropout", "0.1", "--dry-run"}, "--label-dropout needs --cond"));
        cases.add(Arguments.of(
                new String[] {"train", "--cond", "--label-dropout", "1.5", "--dry-run"},
                "--label-dropout must be in [0, 1)"));
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void badInputIsRefusedWithAClearMessage(String[] args, String message) {
        Result r = run(args);
        assertThat(r.code()).as(r.out()).isNotZero();
        assertThat(r.err()).contains(message);
    }
}
