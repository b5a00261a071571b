package io.sedm.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.train.MlpConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Header integers (shapes, data offsets) must be exact non-negative 64-bit integers. */
class SafetensorsHeaderTest {

    @TempDir
    Path dir;

    /** The file with the first {@code "data_offsets":[a,b]} end value replaced by {@code value}. */
    private static byte[] withOffset(byte[] file, String value) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8).strip();
        String edited = header.replaceFirst("(\"data_offsets\":\\[\\d+),\\d+\\]", "$1," + value + "]");
        if (edited.equals(header)) {
            throw new AssertionError("no data_offsets in " + header);
        }
        StringBuilder padded = new StringBuilder(edited);
        while (padded.length() % 8 != 0) {
            padded.append(' ');
        }
        byte[] h = padded.toString().getBytes(StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(file, 8 + (int) n, file.length);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data);
        return out.array();
    }

    @Test
    void nonIntegerNegativeAndOverflowingOffsetsAreIoErrorsNamingFileAndField() throws IOException {
        try (Network net = new MlpConfig(2, 4, 1, 4, 0).build(Device.CPU)) {
            Path good = dir.resolve("good.safetensors");
            net.save(good, java.util.Map.of());
            byte[] bytes = Files.readAllBytes(good);
            String[][] cases = {
                {"1.5", "must be a non-negative integer"},
                {"-8", "is negative"},
                {"18446744073709551615", "past the 64-bit range"},
                {"1e3", "must be a non-negative integer"}
            };
            for (String[] c : cases) {
                Path bad = dir.resolve("bad.safetensors");
                Files.write(bad, withOffset(bytes, c[0]));
                assertThatThrownBy(() -> net.load(bad, true))
                        .as(c[0])
                        .isInstanceOf(NativeIoException.class)
                        .hasMessageContaining("bad.safetensors")
                        .hasMessageContaining(".data_offsets[1]")
                        .hasMessageContaining(c[1]);
            }
            // past double range the JSON parser itself refuses the number
            Path huge = dir.resolve("huge.safetensors");
            Files.write(huge, withOffset(bytes, "1e400"));
            assertThatThrownBy(() -> net.load(huge, true))
                    .isInstanceOf(NativeIoException.class)
                    .hasMessageContaining("huge.safetensors")
                    .hasMessageContaining("corrupt header")
                    .hasMessageContaining("overflow");
        }
    }
}
