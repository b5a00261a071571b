package io.sedm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.train.SongUNetConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sedm train --loss hybrid} end to end on 8×8 images and a tiny U-Net: the checkpoint holds a
 * learned-variance network (out_channels doubled) that {@code sedm sample --sampler ddpm --variance
 * learned} samples; bad combinations are refused by name.
 */
class HybridTrainingTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void hybridTrainingWritesALearnedVarianceCheckpointThatTheDdpmSamplerSamples() throws Exception {
        Path data = TrainCommandTest.tinyImages(dir);
        Path runs = dir.resolve("runs");
        String arch = SongUNetConfig.tiny(8, 1).toJson();
        CliRun.Result r = CliRun.run(
                "train",
                "--arch",
                arch,
                "--data",
                data.toString(),
                "--loss",
                "hybrid",
                "--t-sampling",
                "importance",
                "--batch",
                "4",
                "--steps",
                "3",
                "--lr",
                "2e-3",
                "--outdir",
                runs.toString(),
                "--threads",
                "1",
                "--quiet");
        assertThat(r.rc()).as(r.err()).isZero();
        Path ckpt = runs.resolve("00001-train").resolve("checkpoint-00000003.json");
        JsonNode side = JSON.readTree(ckpt.toFile());
        assertThat(side.at("/network/out_channels").asInt()).isEqualTo(2);
        assertThat(side.at("/training/loss").asText()).isEqualTo("hybrid");
        assertThat(side.at("/training/tSampling").asText()).isEqualTo("importance");

        Path out = dir.resolve("samples");
        CliRun.Result s = CliRun.run(
                "sample",
                "--denoiser",
                "checkpoint:" + ckpt,
                "--allow-unusual", // three steps of training do not make a denoiser: the wiring is under test
                "--sampler",
                "ddpm",
                "--variance",
                "learned",
                "--steps",
                "10",
                "--seeds",
                "0-1",
                "--outdir",
                out.toString(),
                "--threads",
                "1",
                "--quiet");
        assertThat(s.rc()).as(s.err() + s.out()).isZero();
        io.sedm.data.Npy.Array samples = io.sedm.data.Npy.read(out.resolve("samples.npy"));
        assertThat(samples.shape()).containsExactly(2, 1, 8, 8);
        assertThat(java.util.Arrays.stream(samples.toDoubles()).allMatch(Double::isFinite))
                .isTrue();

        CliRun.Result v =
                CliRun.run("vlb", "--denoiser", ckpt.toString(), "--images", "2", "--stride", "250", "--threads", "1");
        // the tiny net was trained on 8×8 images: the 32×32 test set does not fit it
        assertThat(v.rc()).isNotZero();
        assertThat(v.err()).contains("is a network for 8² images");
    }

    @Test
    void hybridRefusesAFixedVarianceNetworkAndAnUnknownTSampling() {
        Path data = TrainCommandTest.tinyImages(dir);
        String arch = SongUNetConfig.tiny(8, 1).withOutChannels(3).toJson();
        CliRun.Result r = CliRun.run(
                "train",
                "--arch",
                arch,
                "--data",
                data.toString(),
                "--loss",
                "hybrid",
                "--steps",
                "1",
                "--outdir",
                dir.resolve("runs").toString(),
                "--threads",
                "1",
                "--quiet");
        assertThat(r.rc()).isNotZero();
        assertThat(r.err()).contains("out_channels must be 2·in_channels");
        CliRun.Result t = CliRun.run(
                "train",
                "--arch",
                SongUNetConfig.tiny(8, 1).toJson(),
                "--data",
                data.toString(),
                "--loss",
                "hybrid",
                "--t-sampling",
                "sometimes",
                "--steps",
                "1",
                "--outdir",
                dir.resolve("runs").toString(),
                "--quiet");
        assertThat(t.rc()).isNotZero();
        assertThat(t.err()).contains("--t-sampling must be uniform or importance");
    }
}
