package io.sedm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFormatsTest {
    @TempDir
    Path dir;

    @Test
    void fashionMnistLoadsPaddedAndScaled() {
        Assumptions.assumeTrue(FashionMnist.available(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist not installed");
        ImageDataset d = FashionMnist.load(FashionMnist.DEFAULT_DIR, false, 100, 32);
        assertThat(d.size()).isEqualTo(100);
        assertThat(d.height()).isEqualTo(32);
        assertThat(d.pixels()[0]).isEqualTo(-1f); // padding = black
        float min = 1, max = -1;
        for (float v : d.pixels()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isEqualTo(-1f);
        assertThat(max).isLessThanOrEqualTo(1f).isGreaterThan(0.9f);
        for (int l : d.labels()) assertThat(l).isBetween(0, 9);
    }

    @Test
    void badIdxFilesGiveClearErrors() throws IOException {
        Path wrongMagic = dir.resolve("x-images.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(wrongMagic))) {
            o.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 1});
        }
        assertThatThrownBy(() -> FashionMnist.readImages(wrongMagic, 0))
                .hasMessageContaining(wrongMagic.toString())
                .hasMessageContaining("magic");
        Path truncated = dir.resolve("t-images.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(truncated))) {
            o.write(new byte[] {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3});
        }
        assertThatThrownBy(() -> FashionMnist.readImages(truncated, 0)).hasMessageContaining("truncated");
        Path notGzip = dir.resolve("n-images.gz");
        Files.write(notGzip, new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> FashionMnist.readImages(notGzip, 0)).hasMessageContaining("gzip");
    }

    @Test
    void npyAndNpzRoundTrip() throws IOException {
        Npy.Array f = Npy.Array.ofFloats(new float[] {1.5f, -2f, 3f, 0f, 5f, 6f}, 2, 3);
        Path p = dir.resolve("a.npy");
        Npy.write(p, f);
        Npy.Array back = Npy.read(p);
        assertThat(back.shape()).containsExactly(2, 3);
        assertThat(back.toDoubles()).containsExactly(1.5, -2, 3, 0, 5, 6);
        assertThat(Files.size(p) % 64).isEqualTo(6 * 4 % 64); // header padded to 64 bytes
        Npy.Array u8 = Npy.Array.ofBytes(new byte[] {0, (byte) 255, 127, 1}, 1, 2, 2, 1);
        Path z = dir.resolve("b.npz");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(z))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("arr_0.npy"));
            Npy.write(zip, u8);
            zip.closeEntry();
        }
        ImageDataset img = Npy.imagesFromNhwc(Npy.readNpz(z).get("arr_0"));
        assertThat(img.pixels()).containsExactly(-1f, 1f, (float) (127 / 127.5 - 1), (float) (1 / 127.5 - 1));
        Files.write(dir.resolve("bad.npy"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Npy.read(dir.resolve("bad.npy"))).hasMessageContaining("bad.npy");
    }
}
