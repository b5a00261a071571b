package io.sedm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading generated image sets: the formats sedm sample writes, padding, clipping and every refusal. */
class SampleImagesTest {
    @TempDir
    Path dir;

    @Test
    void floatNchwIsClippedAndUint8NhwcIsMappedLikeTheRealImages() {
        float[] v = new float[2 * 32 * 32];
        v[0] = 1.7f;
        v[1] = -3f;
        v[2] = 0.25f;
        Path f = dir.resolve("s.npy");
        Npy.write(f, Npy.Array.ofFloats(v, 2, 1, 32, 32));
        ImageDataset d = SampleImages.load(f.toString());
        assertThat(d.size()).isEqualTo(2);
        assertThat(d.pixels()[0]).isEqualTo(1f);
        assertThat(d.pixels()[1]).isEqualTo(-1f);
        assertThat(d.pixels()[2]).isEqualTo(0.25f);

        byte[] b = new byte[3 * 32 * 32];
        b[5] = (byte) 255;
        Path u = dir.resolve("u.npy");
        Npy.write(u, Npy.Array.ofBytes(b, 3, 32, 32, 1));
        ImageDataset e = SampleImages.load(u.toString());
        assertThat(e.size()).isEqualTo(3);
        assertThat(e.pixels()[5]).isEqualTo(1f);
        assertThat(e.pixels()[4]).isEqualTo(-1f);
    }

    @Test
    void a28PixelSetIsPaddedExactlyAsFashionMnistPadsTheRealImages() {
        Assumptions.assumeTrue(FashionMnist.available(FashionMnist.directory()), "Fashion-MNIST not installed");
        ImageDataset real28 = FashionMnist.load(FashionMnist.directory(), false, 4, 28);
        ImageDataset real32 = FashionMnist.load(FashionMnist.directory(), false, 4, 32);
        Path f = dir.resolve("r28.npy");
        Npy.write(f, Npy.Array.ofFloats(real28.pixels(), 4, 1, 28, 28));
        assertThat(SampleImages.load(f.toString()).pixels()).containsExactly(real32.pixels());
        // a run folder is read through its samples.npy; [N, H, W] is read as one channel
        Path run = dir.resolve("run");
        Npy.write(mkdirs(run).resolve("samples.npy"), Npy.Array.ofFloats(real32.pixels(), 4, 32, 32));
        assertThat(SampleImages.load(run.toString()).pixels()).containsExactly(real32.pixels());
        assertThat(SampleImages.load("fashion-mnist:test:4").pixels()).containsExactly(real32.pixels());
    }

    static Path mkdirs(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void badInputsAreRefusedNamingTheInputAndTheProblem() {
        Path missing = dir.resolve("none.npy");
        assertThatThrownBy(() -> SampleImages.load(missing.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> SampleImages.load(dir.toString())).hasMessageContaining("without samples.npy");

        float[] v = new float[3 * 32 * 32];
        v[2 * 1024 + 7] = Float.NaN;
        Path nan = dir.resolve("nan.npy");
        Npy.write(nan, Npy.Array.ofFloats(v, 3, 1, 32, 32));
        assertThatThrownBy(() -> SampleImages.load(nan.toString()))
                .hasMessageContaining(nan.toString())
                .hasMessageContaining("image 2 has a non-finite value (NaN) at pixel 7");

        Path rgb = dir.resolve("rgb.npy");
        Npy.write(rgb, Npy.Array.ofFloats(new float[2 * 3 * 32 * 32], 2, 3, 32, 32));
        assertThatThrownBy(() -> SampleImages.load(rgb.toString())).hasMessageContaining("one channel");

        Path size = dir.resolve("size.npy");
        Npy.write(size, Npy.Array.ofFloats(new float[2 * 16 * 16], 2, 1, 16, 16));
        assertThatThrownBy(() -> SampleImages.load(size.toString()))
                .hasMessageContaining("expected 32×32 or 28×28 images, got 16×16");

        Path flat = dir.resolve("flat.npy");
        Npy.write(flat, Npy.Array.ofFloats(new float[10], 10));
        assertThatThrownBy(() -> SampleImages.load(flat.toString())).hasMessageContaining("[N, 1, H, W]");

        Path empty = dir.resolve("empty.npy");
        Npy.write(empty, Npy.Array.ofFloats(new float[0], 0, 1, 32, 32));
        assertThatThrownBy(() -> SampleImages.load(empty.toString())).hasMessageContaining("holds no images");

        Path text = dir.resolve("text.npy");
        try {
            Files.writeString(text, "not an array");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownBy(() -> SampleImages.load(text.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.toString());

        assertThatThrownBy(() -> SampleImages.load("fashion-mnist:valid")).hasMessageContaining("fashion-mnist:test");
    }
}
