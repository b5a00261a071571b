package io.sedm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;

/**
 * An architecture a native {@link Network} can be built from, as a record that round-trips
 * through the JSON config of {@code sedm_module_create} (snake_case keys plus {@code "kind"}).
 */
public sealed interface NetworkConfig permits SongUNetConfig, AdmEncoderConfig, MlpConfig {

    ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** The {@code "kind"} key of the native config. */
    String kind();

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

    /** Parses a config JSON written by {@link #toJson()}. */
    static NetworkConfig fromJson(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            String kind = node.path("kind").asText("");
            ObjectNode rest = ((ObjectNode) node).deepCopy();
            rest.remove("kind");
            return switch (kind) {
                case "unet" -> JSON.treeToValue(rest, SongUNetConfig.class);
                case "mlp" -> JSON.treeToValue(rest, MlpConfig.class);
                case "encoder", "classifier", "discriminator" -> {
                    rest.put("kind", kind);
                    yield JSON.treeToValue(rest, AdmEncoderConfig.class);
                }
                default -> throw new IllegalArgumentException("unknown network kind '" + kind + "'");
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("network config is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
