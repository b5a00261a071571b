package io.sedm.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.runtime.Network;
import io.sedm.train.NetworkConfig;
import io.sedm.train.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes an imported network as a sedm checkpoint: {@code name.safetensors} (weights) and, last,
 * the sidecar {@code name.json} ({@code format}, {@code kind}, {@code network}, {@code files},
 * {@code step} 0, the {@code "imported"} provenance and, for denoisers, {@code "preconditioning"}),
 * each file atomically (temp file + rename), so a sidecar always refers to complete weights.
 */
final class ImportedCheckpoint {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The sidecar format sedm's checkpoints have (DenoiserTrainer.FORMAT). */
    static final String FORMAT = "sedm-checkpoint-1";

    private ImportedCheckpoint() {}

    /** The sidecar must end in .json and not exist yet; its folder is created. */
    static void checkTarget(Path sidecar) {
        String name = sidecar.getFileName().toString();
        if (!name.endsWith(".json") || name.length() == 5) {
            throw new ImportException("--out " + sidecar + " must name the sidecar NAME.json to write");
        }
        if (Files.exists(sidecar)) {
            throw new ImportException("--out " + sidecar + " exists; choose another name (nothing was written)");
        }
    }

    static Path weightsFor(Path sidecar) {
        String name = sidecar.getFileName().toString();
        return sidecar.resolveSibling(name.substring(0, name.length() - 5) + ".safetensors");
    }

    /** Writes the weights of {@code net}, then the sidecar; returns the sidecar. */
    static Path write(
            Path sidecar, String kind, NetworkConfig config, Network net, ObjectNode precond, ObjectNode provenance) {
        checkTarget(sidecar);
        Path dir = sidecar.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ImportException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Path weights = weightsFor(sidecar);
        RunDirectory.writeAtomically(
                weights,
                tmp -> net.save(
                        tmp, Map.of("imported_from", provenance.path("from").asText())));
        ObjectNode side = JSON.createObjectNode();
        side.put("format", FORMAT);
        side.put("kind", kind);
        try {
            side.set("network", JSON.readTree(config.toJson()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (precond != null) {
            side.set("preconditioning", precond);
        }
        side.put("step", 0);
        side.put("images_seen", 0);
        side.putObject("files")
                .put("net", weights.getFileName().toString())
                .put("ema", weights.getFileName().toString());
        side.set("imported", provenance);
        RunDirectory.writeAtomically(sidecar, side.toPrettyString());
        return sidecar;
    }
}
