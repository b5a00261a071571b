package io.sedm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @Test
    void loadsRealImagesScaledAndPadded() {
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, 0);
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(test.images()).hasSize(10_000 * 1024);
        // every class appears exactly 1000 times in the test split (Xiao et al. 2017)
        int[] counts = new int[10];
        for (int y : test.labels()) {
            counts[y]++;
        }
        assertThat(counts).containsOnly(1000);
        double min = Arrays.stream(test.images()).min().orElseThrow();
        double max = Arrays.stream(test.images()).max().orElseThrow();
        assertThat(min).isEqualTo(-1.0);
        assertThat(max).isEqualTo(1.0);
        // the 2-pixel border is padding (-1)
        double[] first = test.image(0);
        for (int c = 0; c < 32; c++) {
            assertThat(first[c]).isEqualTo(-1.0);
            assertThat(first[31 * 32 + c]).isEqualTo(-1.0);
        }
        assertThat(test.labels()[0]).isEqualTo(9); // the first test item is an ankle boot
    }

    @Test
    void idxErrorsNameTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nothing.gz");
        assertThatThrownBy(() -> IdxFile.read(missing)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("missing file").hasMessageContaining("nothing.gz");

        Path badMagic = dir.resolve("bad.gz");
        writeGz(badMagic, ByteBuffer.allocate(8).putInt(0x00000D03).putInt(1).array());
        assertThatThrownBy(() -> IdxFile.read(badMagic)).hasMessageContaining("bad.gz is not an unsigned-byte IDX file");

        Path truncated = dir.resolve("short.gz");
        writeGz(truncated, ByteBuffer.allocate(12).putInt(0x00000801).putInt(100).putInt(7).array());
        assertThatThrownBy(() -> IdxFile.read(truncated)).hasMessageContaining("short.gz is truncated");

        Path ok = dir.resolve("ok.gz");
        writeGz(ok, ByteBuffer.allocate(11).putInt(0x00000801).putInt(3).put((byte) 1).put((byte) 2).put((byte) 250).array());
        IdxFile f = IdxFile.read(ok);
        assertThat(f.shape()).containsExactly(3);
        assertThat(f.data()[2] & 0xFF).isEqualTo(250);
    }

    private static void writeGz(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }
}
