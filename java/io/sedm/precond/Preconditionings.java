package io.sedm.precond;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.schedule.IddpmSchedule;
import java.util.Iterator;
import java.util.List;

/**
 * The {@code "preconditioning"} object of a checkpoint sidecar, the four parameterisations
 * NVlabs/edm's snapshots use (training/networks.py VPPrecond, VEPrecond, iDDPMPrecond,
 * EDMPrecond; Karras et al. 2022 Table 1), with their constructor arguments under EDM's names:
 * <pre>
 * {"kind": "vp", "beta_d": 19.9, "beta_min": 0.1, "M": 1000, "epsilon_t": 1e-5}
 * {"kind": "ve", "sigma_min": 0.02, "sigma_max": 100}
 * {"kind": "iddpm", "C_1": 0.001, "C_2": 0.008, "M": 1000}
 * {"kind": "edm", "sigma_data": 0.5, "sigma_min": 0, "sigma_max": "Infinity"}
 * </pre>
 * Values the {@link Preconditioning} records cannot represent (a VE range other than EDM's
 * default, an ε_t other than 1e−5) are refused by name rather than silently changed.
 */
public final class Preconditionings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Preconditionings() {}

    /** EDM's preconditioning with σ_data = 0.5 (what {@code sedm train} uses) for a missing node. */
    public static Preconditioning fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Preconditioning.Edm(0.5);
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("must be an object with a \"kind\", got " + node);
        }
        String kind = node.path("kind").asText("");
        return switch (kind) {
            case "vp" -> {
                keys(node, "beta_d", "beta_min", "M", "epsilon_t");
                require(number(node, "epsilon_t") == 1e-5, "VP epsilon_t must be 1e-5 (EDM's default)");
                int m = integer(node, "M");
                require(m >= 2, "VP M must be >= 2");
                yield new Preconditioning.Vp(number(node, "beta_d"), number(node, "beta_min"), m);
            }
            case "ve" -> {
                keys(node, "sigma_min", "sigma_max");
                require(
                        number(node, "sigma_min") == 0.02 && number(node, "sigma_max") == 100,
                        "VE sigma_min/sigma_max must be EDM's 0.02/100, got " + number(node, "sigma_min") + "/"
                                + number(node, "sigma_max"));
                yield new Preconditioning.Ve();
            }
            case "iddpm" -> {
                keysOptional(node, List.of("C_1", "C_2", "M"), List.of("u"));
                int m = integer(node, "M");
                require(m >= 2, "iDDPM M must be >= 2");
                double[] table = IddpmSchedule.uTable(m, number(node, "C_1"), number(node, "C_2"));
                if (node.has("u")) {
                    // The snapshot's own table (EDM computes it in float32): round_sigma then snaps
                    // to exactly the levels the official sampler uses.
                    JsonNode u = node.get("u");
                    require(u.isArray() && u.size() == m + 1, "iDDPM \"u\" must hold M + 1 = " + (m + 1) + " numbers");
                    for (int j = 0; j <= m; j++) {
                        double v = u.get(j).asDouble();
                        // EDM's float32 recursion loses up to 4.8e-4 relative at the smallest levels
                        // (1 + u² − 1 cancels in float32; measured on an iDDPMPrecond snapshot); a
                        // different C_1, C_2 or M moves the levels by far more than 2e-3.
                        require(
                                Math.abs(v - table[j]) <= 2e-3 * table[j] + 1e-6,
                                "iDDPM u[" + j + "] = " + v + " is not the table of C_1, C_2, M (" + table[j] + ")");
                        table[j] = v;
                    }
                }
                yield new Preconditioning.Iddpm(table);
            }
            case "edm" -> {
                keys(node, "sigma_data", "sigma_min", "sigma_max");
                require(
                        number(node, "sigma_min") == 0 && number(node, "sigma_max") == Double.POSITIVE_INFINITY,
                        "EDM sigma_min/sigma_max must be 0/Infinity (EDM's defaults)");
                double sd = number(node, "sigma_data");
                require(sd > 0, "EDM sigma_data must be > 0");
                yield new Preconditioning.Edm(sd);
            }
            case "ddpm" -> {
                keys(node, "T", "beta_start", "beta_end");
                int t = integer(node, "T");
                require(t >= 2, "DDPM T must be >= 2");
                double b0 = number(node, "beta_start");
                double b1 = number(node, "beta_end");
                require(b0 > 0 && b1 >= b0 && b1 < 1, "DDPM betas need 0 < beta_start <= beta_end < 1");
                yield Preconditioning.Ddpm.linear(t, b0, b1);
            }
            default ->
                throw new IllegalArgumentException("\"kind\" must be vp, ve, iddpm, ddpm or edm, got \"" + kind + "\"");
        };
    }

    /** The sidecar object of one of the four parameterisations (the inverse of {@link #fromJson}). */
    public static ObjectNode toJson(Preconditioning p) {
        ObjectNode n = JSON.createObjectNode();
        switch (p) {
            case Preconditioning.Vp vp ->
                n.put("kind", "vp")
                        .put("beta_d", vp.betaD())
                        .put("beta_min", vp.betaMin())
                        .put("M", vp.m())
                        .put("epsilon_t", 1e-5);
            case Preconditioning.Ve ve ->
                n.put("kind", "ve").put("sigma_min", 0.02).put("sigma_max", 100.0);
            case Preconditioning.Iddpm i -> {
                n.put("kind", "iddpm")
                        .put("C_1", IddpmSchedule.C1)
                        .put("C_2", IddpmSchedule.C2)
                        .put("M", i.u().length - 1);
                var u = n.putArray("u");
                for (double v : i.u()) u.add(v);
            }
            case Preconditioning.Edm e ->
                n.put("kind", "edm")
                        .put("sigma_data", e.sigmaData())
                        .put("sigma_min", 0.0)
                        .put("sigma_max", "Infinity");
            case Preconditioning.Ddpm d -> {
                // sedm trains DDPM only on the linear β schedule 1e-4 … 0.02 (DenoisingLoss.ddpm)
                int t = d.sigmas().length;
                if (!java.util.Arrays.equals(
                        d.sigmas(), Preconditioning.Ddpm.linear(t, 1e-4, 0.02).sigmas())) {
                    throw new IllegalArgumentException("no sidecar form for a DDPM table other than linear 1e-4..0.02");
                }
                n.put("kind", "ddpm").put("T", t).put("beta_start", 1e-4).put("beta_end", 0.02);
            }
            default -> throw new IllegalArgumentException("no sidecar form for " + p);
        }
        return n;
    }

    private static void keys(JsonNode node, String... keys) {
        keysOptional(node, List.of(keys), List.of());
    }

    private static void keysOptional(JsonNode node, List<String> keys, List<String> optional) {
        List<String> valid = new java.util.ArrayList<>(keys);
        valid.addAll(optional);
        valid.add("kind");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            require(valid.contains(k), "unknown key \"" + k + "\" (valid: " + String.join(", ", valid) + ")");
        }
        for (String k : keys) {
            require(node.has(k), "missing key \"" + k + "\"");
        }
    }

    private static double number(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "Infinity", "inf" -> Double.POSITIVE_INFINITY;
                default -> throw new IllegalArgumentException("\"" + key + "\" must be a number, got " + v);
            };
        }
        require(v.isNumber(), "\"" + key + "\" must be a number, got " + v);
        return v.asDouble();
    }

    private static int integer(JsonNode node, String key) {
        JsonNode v = node.get(key);
        require(v.canConvertToExactIntegral(), "\"" + key + "\" must be an integer, got " + v);
        return v.asInt();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
