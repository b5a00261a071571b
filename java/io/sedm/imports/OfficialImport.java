package io.sedm.imports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.runtime.Device;
import io.sedm.runtime.NativeIoException;
import io.sedm.runtime.Network;
import io.sedm.runtime.StateDict;
import io.sedm.runtime.Tensor;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.NetworkConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The imports: an unpacked EDM snapshot ({@link EdmSnapshot}) or one of Discriminator Guidance's
 * {@code torch.save} state dicts becomes a sedm checkpoint. Everything is validated before the
 * first byte is written (names, shapes, the checked buffers, the configs), and the weights then
 * the sidecar are each written atomically.
 */
public final class OfficialImport {
    private OfficialImport() {}

    /** DG's state dict kinds. */
    public enum DgKind {
        /** The ADM noise-aware classifier (32x32_classifier.pt): trunk + attention-pool head. */
        CLASSIFIER,
        /** A discriminator head on the trunk's 8×8 features (discriminator_60.pt / discriminator_250.pt). */
        DISCRIMINATOR
    }

    /** Imports an EDM snapshot unpacked by {@code scripts/edm_import.py} into {@code sidecar}. */
    public static Path edm(EdmSnapshot snap, Path sidecar, String from) {
        ImportedCheckpoint.checkTarget(sidecar);
        NetworkConfig config = snap.networkConfig();
        double[] filter = EdmSnapshot.filterTensor(snap.resampleFilter());
        List<String> filters = new ArrayList<>();
        Tensor[] u = new Tensor[1];
        try (StateDict state = load(snap.stateFile());
                Network net = config.build(Device.CPU)) {
            List<String> names = state.names();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (name.endsWith(".resample_filter")) {
                    try (Tensor t = state.get(i)) {
                        checkFilter(snap, name, t, filter);
                    }
                    filters.add(name);
                } else if (name.equals("u") && snap.precondClass().equals("iDDPMPrecond")) {
                    u[0] = state.get(i);
                }
            }
            Map<String, String> mapped = WeightMapping.copyInto(
                    state,
                    snap.stateFile(),
                    net,
                    name -> name.endsWith(".resample_filter") || (u[0] != null && name.equals("u"))
                            ? null
                            : name.startsWith("model.") ? name.substring("model.".length()) : name,
                    name -> "model." + name);
            ObjectNode precond = snap.preconditioning(u[0]);
            ObjectNode prov = ImportedCheckpoint.JSON.createObjectNode();
            prov.put("from", from);
            prov.put("format", "edm-snapshot");
            prov.put("precond", snap.precondClass());
            prov.put("model", snap.modelClass());
            prov.set("precond_kwargs", snap.precondKwargs());
            prov.set("model_kwargs", snap.modelKwargs());
            prov.put("tensors", mapped.size());
            ArrayNode f = prov.putArray("resample_filters");
            filters.forEach(f::add);
            if (snap.precondKwargs().path("use_fp16").asBoolean(false)) {
                prov.put("note", "use_fp16: EDM runs this network in float16 on CUDA; sedm runs it in float32");
            }
            return ImportedCheckpoint.write(sidecar, "denoiser", config, net, precond, prov);
        } finally {
            if (u[0] != null) u[0].close();
        }
    }

    private static void checkFilter(EdmSnapshot snap, String name, Tensor t, double[] filter) {
        int k = (int) Math.round(Math.sqrt(filter.length));
        long[] want = {1, 1, k, k};
        if (!java.util.Arrays.equals(t.shape(), want)) {
            throw new ImportException(snap.stateFile() + ": " + name + " has shape "
                    + java.util.Arrays.toString(t.shape()) + ", the config's resample_filter makes "
                    + java.util.Arrays.toString(want) + "; nothing was written");
        }
        double[] got = t.toDoubleArray();
        for (int i = 0; i < got.length; i++) {
            if (Math.abs(got[i] - filter[i]) > 1e-7) {
                throw new ImportException(snap.stateFile() + ": " + name + " is not the config's resample_filter "
                        + java.util.Arrays.toString(snap.resampleFilter()) + " (element " + i + " = " + got[i]
                        + ", expected " + filter[i] + "); nothing was written");
            }
        }
    }

    /**
     * Imports a DG state dict. The architecture is DG's (classifier_lib.py load_classifier /
     * load_discriminator with guided_diffusion/script_util.py create_classifier): widths, depth,
     * output size and the label embedding are read from the tensor shapes; {@code resolution} is
     * the classifier's image size (DG: 32 for CIFAR-10, 64 for ImageNet-64).
     */
    public static Path dg(Path file, DgKind kind, int resolution, Path sidecar) {
        ImportedCheckpoint.checkTarget(sidecar);
        try (StateDict state = load(file)) {
            AdmEncoderConfig config = dgConfig(file, state, kind, resolution);
            try (Network net = config.build(Device.CPU)) {
                Map<String, String> mapped = WeightMapping.copyInto(state, file, net, n -> n, n -> n);
                ObjectNode prov = ImportedCheckpoint.JSON.createObjectNode();
                prov.put("from", file.toString());
                prov.put("format", kind == DgKind.CLASSIFIER ? "dg-classifier" : "dg-discriminator");
                prov.put("tensors", mapped.size());
                return ImportedCheckpoint.write(
                        sidecar, kind == DgKind.CLASSIFIER ? "classifier" : "discriminator", config, net, null, prov);
            }
        }
    }

    /** guided_diffusion/script_util.py create_classifier's channel_mult for an image size. */
    static int[] dgChannelMult(int imageSize) {
        return switch (imageSize) {
            case 8 -> new int[] {1};
            case 16 -> new int[] {1, 2};
            case 32 -> new int[] {1, 2, 4};
            case 64 -> new int[] {1, 2, 3, 4};
            case 128 -> new int[] {1, 1, 2, 3, 4};
            case 256 -> new int[] {1, 1, 2, 2, 4, 4};
            default ->
                throw new ImportException(
                        "DG has no classifier for image size " + imageSize + " (8, 16, 32, 64, 128, 256)");
        };
    }

    static AdmEncoderConfig dgConfig(Path file, StateDict state, DgKind kind, int resolution) {
        List<String> names = state.names();
        long[] timeEmbed = shapeOf(file, state, names, "time_embed.0.weight");
        long[] stem = shapeOf(file, state, names, "input_blocks.0.0.weight");
        long[] proj = shapeOf(file, state, names, "out.2.c_proj.weight");
        int width = Math.toIntExact(timeEmbed[1]);
        int image = kind == DgKind.CLASSIFIER ? resolution : 8;
        int[] mult = dgChannelMult(image);
        int blocks = 0;
        for (String n : names) {
            if (n.startsWith("input_blocks.")) {
                String rest = n.substring("input_blocks.".length());
                blocks = Math.max(blocks, Integer.parseInt(rest.substring(0, rest.indexOf('.'))) + 1);
            }
        }
        int levels = mult.length;
        int depth = (blocks - 1 - (levels - 1)) / levels;
        if (depth < 1 || 1 + levels * depth + levels - 1 != blocks) {
            throw new ImportException(file + ": " + blocks + " input_blocks do not make DG's " + levels
                    + "-level encoder at image size " + image + " (is --resolution right?); nothing was written");
        }
        int classes = 0;
        int li = names.indexOf("label_emb.weight");
        if (li >= 0) {
            if (kind == DgKind.CLASSIFIER) {
                throw new ImportException(file + ": a classifier with a label embedding (label_emb.weight): "
                        + "DG's classifier is unconditional; is this a discriminator?");
            }
            try (Tensor t = state.get(li)) {
                classes = Math.toIntExact(t.shape()[0]);
            }
        }
        AdmEncoderConfig c = AdmEncoderConfig.dg(
                kind == DgKind.CLASSIFIER ? "classifier" : "discriminator",
                image,
                Math.toIntExact(stem[1]),
                width,
                mult,
                depth,
                new int[] {32, 16, 8},
                Math.toIntExact(proj[0]),
                0);
        return c.withNumClasses(classes);
    }

    private static long[] shapeOf(Path file, StateDict state, List<String> names, String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new ImportException(
                    file + ": missing key " + name + " (not a DG/ADM EncoderUNetModel state dict; has "
                            + names.size() + " tensors" + (names.isEmpty() ? "" : ", first " + names.get(0))
                            + "); nothing was written");
        }
        try (Tensor t = state.get(i)) {
            return t.shape();
        }
    }

    static StateDict load(Path file) {
        try {
            return StateDict.load(file, StateDict.Format.of(file));
        } catch (NativeIoException e) {
            throw new ImportException(e.getMessage() + "; nothing was written", e);
        }
    }
}
