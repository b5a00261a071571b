package io.sedm.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sedm.precond.Preconditioning;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A checkpoint sidecar ({@code name.json}, format {@value DenoiserTrainer#FORMAT}) read once and
 * validated: its kind (denoiser, classifier or discriminator), the fields that kind needs, and
 * that every file it names lies in the sidecar's own folder (a sidecar cannot point outside
 * itself: {@code "ema": "../../etc/passwd"} is refused). The one way checkpoints are loaded:
 * {@link #loadDenoiser}, {@link #loadTrunk}, {@link #loadHead}, and the trainers' resume.
 */
public final class Checkpoint {

    /** What a checkpoint holds. */
    public enum Kind {
        DENOISER,
        CLASSIFIER,
        DISCRIMINATOR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Path sidecar;
    private final Path dir;
    private final JsonNode side;
    private final Kind kind;
    private final NetworkConfig network;
    private final Preconditioning preconditioning;

    private Checkpoint(Path sidecar, JsonNode side) {
        this.sidecar = sidecar;
        this.dir = sidecar.toAbsolutePath().normalize().getParent();
        this.side = side;
        String k = side.path("kind").asText("");
        this.kind = switch (k) {
            case "denoiser" -> Kind.DENOISER;
            case "classifier" -> Kind.CLASSIFIER;
            case "discriminator" -> Kind.DISCRIMINATOR;
            default -> throw bad("unknown kind '" + k + "' (denoiser, classifier or discriminator)");
        };
        JsonNode net = side.get("network");
        if (net == null || !net.isObject()) throw bad("missing the \"network\" object (the architecture)");
        try {
            this.network = NetworkConfig.fromJson(net.toString());
        } catch (RuntimeException e) {
            throw bad("bad \"network\": " + e.getMessage());
        }
        boolean encoder = network instanceof AdmEncoderConfig;
        switch (kind) {
            case DENOISER -> {
                if (encoder) throw bad("a denoiser checkpoint with an encoder network (" + network.kind() + ")");
                // sampling needs the EMA alone; a shipped or imported model carries only that
                requireFiles("ema");
                if (!imported() && side.path("files").has("net")) requireFiles("net", "optimizer");
            }
            case CLASSIFIER -> {
                if (!(network instanceof AdmEncoderConfig a) || !a.kind().equals("classifier")) {
                    throw bad("a classifier checkpoint whose network is a " + network.kind());
                }
                requireFiles("net");
            }
            case DISCRIMINATOR -> {
                if (!(network instanceof AdmEncoderConfig a) || !a.kind().equals("discriminator")) {
                    throw bad("a discriminator checkpoint whose network is a " + network.kind());
                }
                requireFiles("net");
            }
        }
        if (!side.path("step").canConvertToExactIntegral() || side.path("step").asLong() < 0) {
            throw bad("missing or negative \"step\"");
        }
        JsonNode training = side.get("training");
        if (!imported() && (training == null || !training.isObject())) {
            throw bad("missing the \"training\" options object");
        }
        try {
            this.preconditioning = io.sedm.precond.Preconditionings.fromJson(side.get("preconditioning"));
        } catch (IllegalArgumentException e) {
            throw bad("bad \"preconditioning\": " + e.getMessage());
        }
    }

    /**
     * Whether {@code sedm import} wrote this checkpoint from another program's file (it then has
     * an {@code "imported"} provenance object, the weights under {@code "ema"}, and no optimizer
     * state nor training options).
     */
    public boolean imported() {
        return side.path("imported").isObject();
    }

    /**
     * Whether the run can continue from here: the raw weights and the optimizer state are present
     * (a shipped model keeps only the EMA; an imported one has neither).
     */
    public boolean resumable() {
        return !imported()
                && side.path("files").has("net")
                && side.path("files").has("optimizer");
    }

    /**
     * How the network becomes a denoiser: the sidecar's {@code "preconditioning"} (written by
     * {@code sedm import}: VP, VE, iDDPM or EDM), else EDM's with σ_data = 0.5, which is what
     * {@code sedm train} uses.
     */
    public Preconditioning preconditioning() {
        return preconditioning;
    }

    /** The number of classes of a class-conditional denoiser (EDM's {@code label_dim}); 0 = unconditional. */
    public int labelDim() {
        return switch (network) {
            case SongUNetConfig u -> u.labelDim();
            case DhariwalUNetConfig d -> d.labelDim();
            default -> 0;
        };
    }

    /** Reads and validates {@code sidecar}; every problem throws {@link IllegalArgumentException} naming the file. */
    public static Checkpoint read(Path sidecar) {
        JsonNode side;
        try {
            side = DenoiserTrainer.JSON.readTree(Files.readString(sidecar));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("checkpoint " + sidecar + ": no such file", e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "checkpoint " + sidecar + ": corrupt JSON (is it a .json sidecar?): " + e.getOriginalMessage(), e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(
                    "checkpoint " + sidecar + ": not a text file (pass the .json sidecar, "
                            + "not the .safetensors weights)",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + sidecar + ": " + e.getMessage(), e);
        }
        if (side == null
                || !side.isObject()
                || !DenoiserTrainer.FORMAT.equals(side.path("format").asText())) {
            throw new IllegalArgumentException("checkpoint " + sidecar
                    + ": not a sedm checkpoint sidecar (format must be " + DenoiserTrainer.FORMAT + ")");
        }
        return new Checkpoint(sidecar, side);
    }

    /** Reads {@code sidecar} and requires {@code kind}; {@code flag} names the option in the message. */
    public static Checkpoint read(Path sidecar, Kind kind, String flag) {
        return read(sidecar).require(kind, flag);
    }

    /** This checkpoint if it is of {@code expected} kind, else "X is a classifier checkpoint; --flag needs a denoiser". */
    public Checkpoint require(Kind expected, String flag) {
        if (kind != expected) {
            throw new IllegalArgumentException(
                    sidecar + " is a " + kind.label() + " checkpoint; " + flag + " needs a " + expected.label());
        }
        return this;
    }

    private IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("checkpoint " + sidecar + ": " + why);
    }

    private void requireFiles(String... keys) {
        for (String k : keys) file(k);
    }

    public Path sidecar() {
        return sidecar;
    }

    /** The folder holding the sidecar and its weight files. */
    public Path directory() {
        return dir;
    }

    public Kind kind() {
        return kind;
    }

    public NetworkConfig network() {
        return network;
    }

    public long step() {
        return side.path("step").asLong();
    }

    public long imagesSeen() {
        return side.path("images_seen").asLong();
    }

    /** The recorded training options object (TrainOptions or the classifier/discriminator Options). */
    public JsonNode training() {
        return side.get("training");
    }

    /** The recorded training options as {@code type}; malformed ones throw naming the file. */
    public <T> T training(Class<T> type) {
        try {
            return DenoiserTrainer.JSON.treeToValue(training(), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw bad("bad training options: "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                            ? j.getOriginalMessage()
                            : e.getMessage()));
        }
    }

    /** The whole sidecar. */
    public JsonNode json() {
        return side;
    }

    /**
     * The file the sidecar names under {@code files.key}, resolved inside the sidecar's folder: a
     * bare file name only — absolute paths, separators and {@code ..} are refused.
     */
    public Path file(String key) {
        JsonNode n = side.path("files").path(key);
        if (!n.isTextual() || n.asText().isEmpty()) throw bad("missing \"files\".\"" + key + "\"");
        String name = n.asText();
        Path p;
        try {
            p = Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw bad("\"files\".\"" + key + "\" is not a valid file name: " + name);
        }
        Path resolved = dir.resolve(p).normalize();
        if (p.isAbsolute()
                || p.getNameCount() != 1
                || name.contains("/")
                || name.contains("\\")
                || name.equals("..")
                || name.equals(".")
                || !resolved.getParent().equals(dir)) {
            throw bad("\"files\".\"" + key + "\" = \"" + name + "\" points outside the checkpoint's folder; "
                    + "a checkpoint may only name files next to its sidecar");
        }
        return resolved;
    }

    /** The EMA weights of a denoiser checkpoint, eval mode (what gets sampled). */
    public Network loadDenoiser(Device device) {
        require(Kind.DENOISER, "a denoiser");
        return load(network, file("ema"), true, device, false);
    }

    /** The frozen encoder trunk of a classifier checkpoint (loaded non-strictly), eval mode. */
    public Network loadTrunk(Device device) {
        require(Kind.CLASSIFIER, "a classifier trunk");
        return load(((AdmEncoderConfig) network).asTrunk(), file("net"), false, device, true);
    }

    /** The trained head of a discriminator checkpoint, eval mode, frozen. */
    public Network loadHead(Device device) {
        require(Kind.DISCRIMINATOR, "a discriminator head");
        return load(network, file("net"), true, device, true);
    }

    private static Network load(NetworkConfig cfg, Path weights, boolean strict, Device device, boolean freeze) {
        Network n = cfg.build(device);
        try {
            n.load(weights, strict);
            n.setTraining(false);
            if (freeze) n.setRequiresGrad(false);
            return n;
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
    }
}
