package io.sedm.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.precond.Preconditionings;
import io.sedm.runtime.Tensor;
import io.sedm.schedule.IddpmSchedule;
import io.sedm.train.NetworkConfig;
import io.sedm.train.SongUNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An NVlabs/edm network snapshot as {@code scripts/edm_import.py} unpacks it: {@code config.json}
 * (the preconditioner's and the network's class names and resolved constructor arguments) and
 * {@code state.pt} ({@code net.state_dict()}, official names). This class turns the first into a
 * sedm {@link NetworkConfig} and sidecar preconditioning, and the official names into sedm's:
 * sedm's parameter names are EDM's names inside the preconditioner, so {@code model.} is
 * stripped; the {@code resample_filter} buffers (a function of the config, training/networks.py
 * Conv2d: {@code f = outer(r, r) / sum(r)²}) and iDDPM's {@code u} table are checked and not stored
 * as tensors.
 */
public record EdmSnapshot(Path dir, JsonNode config) {
    /** Python's json writes float('inf') as Infinity (EDMPrecond's sigma_max). */
    static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** EDM model arguments sedm need not hold: training-only ones. */
    static final Set<String> TRAINING_ONLY = Set.of("label_dropout");

    /** EDM model arguments with the value the DDPM++ U-Net of sedm has built in, if this sedm lacks the key. */
    static final Map<String, JsonNode> BUILT_IN = Map.of(
            "encoder_type", JSON.getNodeFactory().textNode("standard"),
            "decoder_type", JSON.getNodeFactory().textNode("standard"),
            "resample_filter", JSON.createArrayNode().add(1).add(1));

    /** Reads {@code dir/config.json}; {@code dir/state.pt} is read by the importer. */
    public static EdmSnapshot read(Path dir) {
        Path cfg = dir.resolve("config.json");
        try {
            JsonNode node = JSON.readTree(Files.readString(cfg));
            if (node == null || !node.isObject() || !node.has("precond") || !node.has("model")) {
                throw new ImportException(cfg + ": not an edm_import.py config (needs precond, model, *_kwargs)");
            }
            return new EdmSnapshot(dir, node);
        } catch (NoSuchFileException e) {
            throw new ImportException(cfg + ": no such file (run scripts/edm_import.py first)", e);
        } catch (IOException e) {
            throw new ImportException(cfg + ": " + e.getMessage(), e);
        }
    }

    public Path stateFile() {
        return dir.resolve("state.pt");
    }

    public String precondClass() {
        return config.path("precond").asText();
    }

    public String modelClass() {
        return config.path("model").asText();
    }

    JsonNode modelKwargs() {
        return config.path("model_kwargs");
    }

    JsonNode precondKwargs() {
        return config.path("precond_kwargs");
    }

    /** The sedm network the snapshot's model is, float32, init_seed 0. */
    public NetworkConfig networkConfig() {
        String kind = switch (modelClass()) {
            case "SongUNet" -> "unet";
            case "DhariwalUNet" -> "dhariwal_unet";
            default ->
                throw new ImportException(
                        dir + ": unknown EDM network class " + modelClass() + " (EDM's are SongUNet and DhariwalUNet)");
        };
        Class<? extends NetworkConfig> type = kind.equals("unet") ? SongUNetConfig.class : dhariwal();
        List<String> sedmKeys = NetworkConfig.keys(type);
        ObjectNode out = JSON.createObjectNode();
        out.put("kind", kind);
        List<String> unsupported = new ArrayList<>();
        for (var e : modelKwargs().properties()) {
            String key = e.getKey();
            if (sedmKeys.contains(key)) {
                out.set(key, e.getValue());
            } else if (TRAINING_ONLY.contains(key)) {
                continue;
            } else if (BUILT_IN.containsKey(key) && BUILT_IN.get(key).equals(e.getValue())) {
                continue;
            } else {
                unsupported.add(key + " = " + e.getValue());
            }
        }
        if (!unsupported.isEmpty()) {
            throw new ImportException(
                    dir + ": this sedm's " + modelClass() + " has no equivalent of " + String.join(", ", unsupported));
        }
        out.put("init_seed", 0);
        out.put("dtype", "float32");
        try {
            return NetworkConfig.fromJson(out.toString());
        } catch (IllegalArgumentException e) {
            throw new ImportException(
                    dir + ": " + modelClass() + " arguments do not make a sedm network: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private Class<? extends NetworkConfig> dhariwal() {
        try {
            return (Class<? extends NetworkConfig>) Class.forName("io.sedm.train.DhariwalUNetConfig");
        } catch (ClassNotFoundException e) {
            throw new ImportException(dir + ": this sedm has no DhariwalUNet (ADM) architecture yet", e);
        }
    }

    /** The sidecar's {@code "preconditioning"} object for the snapshot's preconditioner. */
    public ObjectNode preconditioning(Tensor u) {
        JsonNode k = precondKwargs();
        ObjectNode p = JSON.createObjectNode();
        switch (precondClass()) {
            case "VPPrecond" ->
                p.put("kind", "vp")
                        .put("beta_d", k.path("beta_d").asDouble(19.9))
                        .put("beta_min", k.path("beta_min").asDouble(0.1))
                        .put("M", k.path("M").asInt(1000))
                        .put("epsilon_t", k.path("epsilon_t").asDouble(1e-5));
            case "VEPrecond" ->
                p.put("kind", "ve")
                        .put("sigma_min", k.path("sigma_min").asDouble(0.02))
                        .put("sigma_max", k.path("sigma_max").asDouble(100));
            case "iDDPMPrecond" -> {
                p.put("kind", "iddpm")
                        .put("C_1", k.path("C_1").asDouble(IddpmSchedule.C1))
                        .put("C_2", k.path("C_2").asDouble(IddpmSchedule.C2))
                        .put("M", k.path("M").asInt(IddpmSchedule.M));
                if (u == null) {
                    throw new ImportException(stateFile() + ": an iDDPMPrecond snapshot without its u buffer");
                }
                ArrayNode a = p.putArray("u");
                for (double v : u.toDoubleArray()) a.add(v);
            }
            case "EDMPrecond" -> {
                p.put("kind", "edm").put("sigma_data", k.path("sigma_data").asDouble(0.5));
                double lo = k.path("sigma_min").asDouble(0),
                        hi = k.path("sigma_max").asDouble(Double.POSITIVE_INFINITY);
                p.put("sigma_min", lo);
                if (Double.isInfinite(hi)) p.put("sigma_max", "Infinity");
                else p.put("sigma_max", hi);
            }
            default ->
                throw new ImportException(dir + ": unknown EDM preconditioner " + precondClass()
                        + " (VPPrecond, VEPrecond, iDDPMPrecond or EDMPrecond)");
        }
        try {
            Preconditionings.fromJson(p);
        } catch (IllegalArgumentException e) {
            throw new ImportException(dir + ": " + precondClass() + ": " + e.getMessage(), e);
        }
        return p;
    }

    /** The config's {@code resample_filter} (EDM's default [1, 1]). */
    public double[] resampleFilter() {
        JsonNode r = modelKwargs().path("resample_filter");
        if (!r.isArray() || r.isEmpty()) return new double[] {1, 1};
        double[] f = new double[r.size()];
        for (int i = 0; i < f.length; i++) f[i] = r.get(i).asDouble();
        return f;
    }

    /** training/networks.py Conv2d: {@code f = outer(r, r) / sum(r)²}, row-major [k, k]. */
    public static double[] filterTensor(double[] r) {
        double sum = 0;
        for (double v : r) sum += v;
        double[] f = new double[r.length * r.length];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < r.length; j++) {
                f[i * r.length + j] = r[i] * r[j] / (sum * sum);
            }
        }
        return f;
    }
}
