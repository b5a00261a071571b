package io.sedm.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * An architecture a native {@link Network} can be built from, as a record that round-trips
 * through the JSON config of {@code sedm_module_create} (snake_case keys plus {@code "kind"}).
 * The records own every default: the native side requires every key and rejects unknown ones.
 */
public sealed interface NetworkConfig
        permits SongUNetConfig, DhariwalUNetConfig, AdmEncoderConfig, MlpConfig, LinearScoreConfig {

    ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The parameter dtype a config gets when it names none. */
    String DEFAULT_DTYPE = "float32";

    /** {@code dtype} when it is "float32" or "float64". */
    static String checkDType(String dtype) {
        if (!"float32".equals(dtype) && !"float64".equals(dtype)) {
            throw new IllegalArgumentException("dtype must be float32 or float64, got " + dtype);
        }
        return dtype;
    }

    /** The parameter dtype, "float32" or "float64". */
    String dtype();

    /** This config with parameters of {@code dtype} ("float32" or "float64"). */
    NetworkConfig withDType(String dtype);

    /** The {@code "kind"} key of the native config. */
    String kind();

    /** The width of the one-hot class-label input (0: unconditional; the U-Nets override it). */
    default int labelDim() {
        return 0;
    }

    /** The native config JSON. */
    default String toJson() {
        ObjectNode node = JSON.valueToTree(this);
        node.remove("kind");
        ObjectNode out = JSON.createObjectNode();
        out.put("kind", kind());
        out.setAll(node);
        return out.toString();
    }

    /** Builds the network on {@code device}. */
    default Network build(Device device) {
        return Network.create(toJson(), device);
    }

    /**
     * Parses a config JSON written by {@link #toJson()}. Keys added after a config may have been
     * written ({@code dtype}, {@code channel_mult_noise}, {@code pool}, an encoder's
     * {@code out_channels} and {@code num_classes}) get their defaults; any other missing key, and any unknown key, is an
     * error that names the key and lists the valid ones.
     */
    static NetworkConfig fromJson(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("network config is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("network config must be a JSON object, got " + json);
        }
        String kind = node.path("kind").asText("");
        ObjectNode rest = object.deepCopy();
        rest.remove("kind");
        if (!rest.has("dtype")) {
            rest.put("dtype", DEFAULT_DTYPE);
        }
        Class<? extends NetworkConfig> type = switch (kind) {
            case "unet" -> {
                if (!rest.has("channel_mult_noise")) {
                    rest.put("channel_mult_noise", SongUNetConfig.DEFAULT_CHANNEL_MULT_NOISE);
                }
                // U-Net keys added with NCSN++ support: EDM's DDPM++ defaults.
                if (!rest.has("encoder_type")) {
                    rest.put("encoder_type", SongUNetConfig.STANDARD);
                }
                if (!rest.has("decoder_type")) {
                    rest.put("decoder_type", SongUNetConfig.STANDARD);
                }
                if (!rest.has("resample_filter")) {
                    var filter = rest.putArray("resample_filter");
                    for (int tap : SongUNetConfig.BOX_FILTER) {
                        filter.add(tap);
                    }
                }
                if (!rest.has("label_dropout")) {
                    rest.put("label_dropout", 0.0);
                }
                yield SongUNetConfig.class;
            }
            case "dhariwal_unet" -> DhariwalUNetConfig.class;
            case "mlp" -> MlpConfig.class;
            case "linear" -> LinearScoreConfig.class;
            case "encoder", "classifier", "discriminator" -> {
                rest.put("kind", kind);
                if (!rest.has("pool")) {
                    rest.put("pool", AdmEncoderConfig.defaultPool(kind));
                }
                if (!rest.has("num_classes")) {
                    rest.put("num_classes", 0);
                }
                if (rest.path("pool").asText().equals("none") && !rest.has("out_channels")) {
                    rest.put("out_channels", 0);
                }
                yield AdmEncoderConfig.class;
            }
            default ->
                throw new IllegalArgumentException("network config \"kind\" must be unet, dhariwal_unet, mlp, linear, "
                        + "encoder, classifier or discriminator, got \"" + kind + "\"");
        };
        List<String> valid = keys(type);
        for (var it = rest.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!valid.contains(key)) {
                throw new IllegalArgumentException("network config (kind " + kind + ") has the unknown key \"" + key
                        + "\"; valid keys: " + String.join(", ", valid));
            }
        }
        for (String key : valid) {
            if (!key.equals("kind") && !rest.has(key)) {
                throw new IllegalArgumentException("network config (kind " + kind + ") is missing the key \"" + key
                        + "\"; valid keys: " + String.join(", ", valid));
            }
        }
        try {
            return JSON.treeToValue(rest, type);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(
                    "network config (kind " + kind + ") has the unknown key \"" + e.getPropertyName()
                            + "\"; valid keys: " + String.join(", ", keys(type)),
                    e);
        } catch (MismatchedInputException e) {
            String key = e.getPath().isEmpty()
                    ? "?"
                    : e.getPath().get(e.getPath().size() - 1).getFieldName();
            String problem = e.getOriginalMessage().startsWith("Missing")
                            || e.getOriginalMessage().startsWith("Null")
                    ? "is missing the key \"" + key + "\""
                    : "has a bad value for \"" + key + "\" (" + e.getOriginalMessage() + ")";
            throw new IllegalArgumentException(
                    "network config (kind " + kind + ") " + problem + "; valid keys: " + String.join(", ", keys(type)),
                    e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("network config (kind " + kind + "): " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("network config (kind " + kind + "): " + cause.getMessage(), e);
        }
    }

    /** The JSON keys of a config record: "kind" and its components in snake_case. */
    static List<String> keys(Class<? extends NetworkConfig> type) {
        var naming = new PropertyNamingStrategies.SnakeCaseStrategy();
        List<String> keys = new ArrayList<>(List.of("kind"));
        for (var c : type.getRecordComponents()) {
            String key = naming.translate(c.getName());
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        return keys;
    }
}
