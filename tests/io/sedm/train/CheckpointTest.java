package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.NativeIoException;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    static final SongUNetConfig TINY =
            SongUNetConfig.tiny(8, 1).withAttnResolutions(4).withDropout(0.1).withInitSeed(3);

    static ImageDataset randomImages(int n, int res) {
        SplittableRandom r = new SplittableRandom(5);
        float[] px = new float[n * res * res];
        for (int i = 0; i < px.length; i++) px[i] = (float) (r.nextDouble() * 2 - 1);
        return new ImageDataset(px, null, 1, res, res, 0);
    }

    static float[] output(Network net, long seed) {
        try (Tensor x = Tensor.zeros(new long[] {2, 1, 8, 8}, io.sedm.runtime.DType.FLOAT32, Device.CPU);
                Generator g = Generator.ofSeeds(seed, seed + 1)) {
            g.normal(x);
            try (Tensor f = net.forward(x, new double[] {-0.3, 0.7}, null, false)) {
                return f.toFloatArray();
            }
        }
    }

    @Test
    void saveThenLoadGivesIdenticalOutputs() {
        Path file = dir.resolve("w.safetensors");
        try (Network a = TINY.build(Device.CPU);
                Network b = TINY.withInitSeed(99).build(Device.CPU)) {
            a.setTraining(false);
            b.setTraining(false);
            try (Tensor w = a.get("enc.8x8_conv.weight");
                    Tensor v = w.reshape(1, 8, 1, 3, 3);
                    Tensor s = v.slice(0, 1);
                    Tensor t = s.reshape(1, 8, 3, 3)) {
                a.set("dec.8x8_aux_conv.weight", t);
            }
            assertThat(output(a, 1)).isNotEqualTo(output(b, 1));
            a.save(file, Map.of("note", "test"));
            b.load(file, true);
            assertThat(output(b, 1)).containsExactly(output(a, 1)); // bit-identical: same weights, same ops
        }
        assertThat(dir.toFile().list()).containsExactly("w.safetensors"); // no temp file left behind
    }

    @Test
    void corruptTruncatedOrMismatchedFilesGiveClearErrorsNamingTheFile() throws IOException {
        Path good = dir.resolve("good.safetensors");
        try (Network a = TINY.build(Device.CPU)) {
            a.save(good, null);
        }
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 100));
        Path flipped = dir.resolve("flipped.safetensors");
        Files.write(flipped, bytes);
        try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw")) {
            f.seek(bytes.length - 7);
            f.write(bytes[bytes.length - 7] ^ 0x40);
        }
        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(
                garbage,
                new byte[] {12, 0, 0, 0, 0, 0, 0, 0, '{', 'x', 'y', 'z', 'z', 'y', 'z', 'z', 'y', 'z', '}', ' '});
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        try (Network a = TINY.build(Device.CPU);
                Network other = SongUNetConfig.tiny(8, 3).build(Device.CPU)) {
            for (Path p : new Path[] {truncated, flipped, garbage, tiny, dir.resolve("missing.safetensors")}) {
                assertThatThrownBy(() -> a.load(p, true))
                        .isInstanceOf(NativeIoException.class)
                        .hasMessageContaining(p.toString());
            }
            assertThatThrownBy(() -> a.load(flipped, true)).hasMessageContaining("CRC");
            assertThatThrownBy(() -> other.load(good, true))
                    .isInstanceOf(NativeIoException.class)
                    .hasMessageContaining(good.toString())
                    .hasMessageContaining("shape");
        }
    }

    @Test
    void resumeContinuesWithTheSameLossCurveAsAnUninterruptedRun() {
        ImageDataset data = randomImages(64, 8);
        TrainOptions opts = TrainOptions.defaults()
                .withBatch(8, 2)
                .withSchedule(2e-3, 64, 200, 0.05)
                .withRun(11, 6, 0, 1);
        double[] straight = new double[6];
        try (DenoiserTrainer t = DenoiserTrainer.create(TINY, opts, data, Device.CPU)) {
            for (int i = 0; i < 6; i++) straight[i] = t.trainStep();
        }
        double[] resumed = new double[6];
        Path sidecar;
        try (DenoiserTrainer t = DenoiserTrainer.create(TINY, opts, data, Device.CPU)) {
            for (int i = 0; i < 3; i++) resumed[i] = t.trainStep();
            sidecar = t.save(dir, "ckpt");
        }
        try (DenoiserTrainer t = DenoiserTrainer.resume(sidecar, data, Device.CPU)) {
            assertThat(t.step()).isEqualTo(3);
            for (int i = 3; i < 6; i++) resumed[i] = t.trainStep();
        }
        // Exact: same weights, optimizer moments, EMA and per-step random streams (dropout included).
        assertThat(resumed).containsExactly(straight);
        assertThat(straight[0]).isNotEqualTo(straight[5]);
    }

    @Test
    void aBrokenSidecarNamesTheFile() throws IOException {
        Path side = dir.resolve("bad.json");
        Files.writeString(side, "{\"format\": ");
        assertThatThrownBy(() -> DenoiserTrainer.resume(side, randomImages(8, 8), Device.CPU))
                .hasMessageContaining(side.toString());
    }
}
