package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sidecar validation, path containment and retention: pure Java, no native library needed. */
class CheckpointSidecarTest {
    @TempDir
    Path dir;

    ObjectNode sidecar(String kind, String network) throws IOException {
        ObjectNode s = DenoiserTrainer.JSON.createObjectNode();
        s.put("format", DenoiserTrainer.FORMAT).put("kind", kind).put("step", 3).put("images_seen", 12);
        if (network != null) s.set("network", DenoiserTrainer.JSON.readTree(network));
        s.putObject("training").put("lr", 1e-3);
        s.putObject("files")
                .put("net", "c-net.safetensors")
                .put("ema", "c-ema.safetensors")
                .put("optimizer", "c-adam.safetensors");
        return s;
    }

    Path write(ObjectNode s) throws IOException {
        Path p = dir.resolve("c.json");
        Files.writeString(p, s.toPrettyString());
        return p;
    }

    static final String UNET = SongUNetConfig.tiny(8, 1).toJson();
    static final String CLASSIFIER =
            AdmEncoderConfig.dgTrunk32().asClassifier(10).toJson();

    @Test
    void aValidDenoiserSidecarResolvesItsFilesNextToIt() throws IOException {
        Checkpoint c = Checkpoint.read(write(sidecar("denoiser", UNET)), Checkpoint.Kind.DENOISER, "--denoiser");
        assertThat(c.kind()).isEqualTo(Checkpoint.Kind.DENOISER);
        assertThat(c.step()).isEqualTo(3);
        assertThat(c.file("ema")).isEqualTo(dir.toAbsolutePath().normalize().resolve("c-ema.safetensors"));
        assertThat(c.network()).isInstanceOf(SongUNetConfig.class);
    }

    @Test
    void aShippedDenoiserKeepsOnlyItsEmaAndCannotBeResumed() throws IOException {
        ObjectNode s = sidecar("denoiser", UNET);
        ((ObjectNode) s.get("files")).remove(List.of("net", "optimizer"));
        Path p = write(s);
        Checkpoint c = Checkpoint.read(p, Checkpoint.Kind.DENOISER, "--denoiser");
        assertThat(c.resumable()).isFalse();
        assertThat(c.file("ema")).isEqualTo(dir.toAbsolutePath().normalize().resolve("c-ema.safetensors"));
        assertThat(Checkpoint.read(write(sidecar("denoiser", UNET))).resumable())
                .isTrue();
        // raw weights without their optimizer state is a damaged run folder, not a shipped model
        ObjectNode half = sidecar("denoiser", UNET);
        ((ObjectNode) half.get("files")).remove("optimizer");
        Path h = write(half);
        assertThatThrownBy(() -> Checkpoint.read(h)).hasMessageContaining("missing \"files\".\"optimizer\"");
    }

    @Test
    void fileEntriesCannotPointOutsideTheSidecarsFolder() throws IOException {
        for (String evil : List.of("../../../../etc/passwd", "/etc/passwd", "sub/x.safetensors", "..", ".")) {
            ObjectNode s = sidecar("denoiser", UNET);
            ((ObjectNode) s.get("files")).put("ema", evil);
            Path p = write(s);
            assertThatThrownBy(() -> Checkpoint.read(p))
                    .as(evil)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("points outside the checkpoint's folder")
                    .hasMessageContaining(p.toString());
        }
    }

    @Test
    void aSidecarOfTheWrongKindNamesBothKinds() throws IOException {
        ObjectNode s = sidecar("classifier", CLASSIFIER);
        ((ObjectNode) s.get("files")).remove("ema");
        Path p = write(s);
        assertThatThrownBy(() -> Checkpoint.read(p, Checkpoint.Kind.DENOISER, "--denoiser"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(p + " is a classifier checkpoint; --denoiser needs a denoiser");
    }

    @Test
    void missingOrMalformedFieldsAreIllegalArgumentsNamingTheFile() throws IOException {
        Path noNetwork = write(sidecar("denoiser", null));
        assertThatThrownBy(() -> Checkpoint.read(noNetwork))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(noNetwork.toString())
                .hasMessageContaining("\"network\"");
        Path arrayNetwork = write(sidecar("denoiser", "[1, 2]"));
        assertThatThrownBy(() -> Checkpoint.read(arrayNetwork))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"network\"");
        Path badKind = write(sidecar("gan", UNET));
        assertThatThrownBy(() -> Checkpoint.read(badKind))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown kind 'gan'");
        Path encoderAsDenoiser = write(sidecar("denoiser", CLASSIFIER));
        assertThatThrownBy(() -> Checkpoint.read(encoderAsDenoiser))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder network");
        Path weights = dir.resolve("w.safetensors");
        Files.write(weights, new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0});
        assertThatThrownBy(() -> Checkpoint.read(weights))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(weights.toString());
    }

    void fakeCheckpoint(Path d, long step) throws IOException {
        String stem = String.format("checkpoint-%08d", step);
        Files.writeString(d.resolve(stem + ".json"), "{}");
        for (String s : List.of("-net", "-ema", "-adam")) Files.writeString(d.resolve(stem + s + ".safetensors"), "x");
    }

    @Test
    void retentionKeepsTheNewestTheMilestonesAndTheResumedFromCheckpoint() throws IOException {
        for (long s = 1; s <= 9; s++) fakeCheckpoint(dir, s);
        Path resumedFrom = dir.resolve("checkpoint-00000001.json");
        new CheckpointRetention(2, 4, resumedFrom).apply(dir);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".json"))
                            .sorted()
                            .toList())
                    .containsExactly(
                            "checkpoint-00000001.json",
                            "checkpoint-00000004.json",
                            "checkpoint-00000008.json",
                            "checkpoint-00000009.json");
        }
        assertThat(dir.resolve("checkpoint-00000003-ema.safetensors")).doesNotExist();
        assertThat(dir.resolve("checkpoint-00000004-ema.safetensors")).exists();
        assertThatThrownBy(() -> new CheckpointRetention(0, 0, null)).hasMessageContaining("--keep-last");
    }

    @Test
    void atomicWritesLeaveMode0644AndNoTempFile() throws IOException {
        Path f = dir.resolve("x.json");
        RunDirectory.writeAtomically(f, "{}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-r--r--");
        assertThatThrownBy(() -> RunDirectory.writeAtomically(dir.resolve("y.bin"), tmp -> {
                    throw new IllegalStateException("disk full");
                }))
                .hasMessage("disk full");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("x.json");
        }
    }
}
