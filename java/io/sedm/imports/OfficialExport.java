package io.sedm.imports;

import com.fasterxml.jackson.databind.JsonNode;
import io.sedm.precond.Preconditioning;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.StateDict;
import io.sedm.runtime.Tensor;
import io.sedm.train.Checkpoint;
import io.sedm.train.SongUNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The other way: a sedm checkpoint as the state dict the official code loads. A denoiser becomes
 * the {@code state_dict()} of EDM's preconditioner ({@code model.} + sedm's names, the
 * {@code resample_filter} buffers of every up/down convolution, iDDPM's {@code u}); a classifier or
 * discriminator keeps DG's names. {@code .safetensors} or, for any other name, {@code torch.save}'s
 * format; {@code scripts/edm_export_load.py} turns the first kind into an EDM network pickle.
 */
public final class OfficialExport {
    private OfficialExport() {}

    /** Writes {@code checkpoint}'s network (its EMA weights for a denoiser) to {@code out}, atomically. */
    public static void write(Checkpoint checkpoint, Path out) {
        if (Files.isDirectory(out)) {
            throw new ImportException("--out " + out + " is a folder; name the file to write (.pt or .safetensors)");
        }
        try (StateDict dict = StateDict.create()) {
            switch (checkpoint.kind()) {
                case DENOISER -> {
                    if (!(checkpoint.network() instanceof SongUNetConfig)
                            && !checkpoint.network().kind().equals("dhariwal_unet")) {
                        throw new ImportException(checkpoint.sidecar() + ": only U-Net denoisers have an EDM form, not "
                                + checkpoint.network().kind());
                    }
                    try (Network net = checkpoint.loadDenoiser(Device.CPU)) {
                        for (Network.TensorInfo t : net.tensors()) {
                            try (Tensor v = net.get(t.name())) {
                                dict.put("model." + t.name(), v);
                            }
                        }
                        addFilters(checkpoint, net, dict);
                    }
                    if (checkpoint.preconditioning() instanceof Preconditioning.Iddpm i) {
                        float[] u = new float[i.u().length];
                        for (int j = 0; j < u.length; j++) u[j] = (float) i.u()[j];
                        try (Tensor t = Tensor.of(u, new long[] {u.length}, Device.CPU)) {
                            dict.put("u", t);
                        }
                    }
                }
                case CLASSIFIER, DISCRIMINATOR -> {
                    try (Network net = checkpoint.kind() == Checkpoint.Kind.CLASSIFIER
                            ? loadFull(checkpoint)
                            : checkpoint.loadHead(Device.CPU)) {
                        for (Network.TensorInfo t : net.tensors()) {
                            try (Tensor v = net.get(t.name())) {
                                dict.put(t.name(), v);
                            }
                        }
                    }
                }
            }
            dict.save(out, StateDict.Format.of(out));
        }
    }

    private static Network loadFull(Checkpoint c) {
        Network n = c.network().build(Device.CPU);
        try {
            n.load(c.file("net"), true);
            return n;
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
    }

    /**
     * EDM's Conv2d registers {@code resample_filter} for every convolution with up or down: an
     * imported checkpoint lists them; for sedm's own DDPM++ they are the {@code conv0} and
     * {@code skip} of every {@code *_down} / {@code *_up} block (training/networks.py UNetBlock).
     */
    private static void addFilters(Checkpoint c, Network net, StateDict dict) {
        Set<String> names = new LinkedHashSet<>();
        JsonNode listed = c.json().path("imported").path("resample_filters");
        if (listed.isArray()) {
            listed.forEach(n -> names.add(n.asText()));
        } else {
            for (Network.TensorInfo t : net.tensors()) {
                String n = t.name();
                int cut = n.indexOf(".conv0.");
                if (cut > 0
                        && (n.substring(0, cut).endsWith("_down")
                                || n.substring(0, cut).endsWith("_up"))) {
                    String block = "model." + n.substring(0, cut);
                    names.add(block + ".conv0.resample_filter");
                    names.add(block + ".skip.resample_filter");
                }
            }
        }
        double[] r = resampleFilter(c);
        double[] f = EdmSnapshot.filterTensor(r);
        float[] ff = new float[f.length];
        for (int i = 0; i < f.length; i++) ff[i] = (float) f[i];
        try (Tensor t = Tensor.of(ff, new long[] {1, 1, r.length, r.length}, Device.CPU)) {
            for (String n : names) dict.put(n, t);
        }
    }

    private static double[] resampleFilter(Checkpoint c) {
        JsonNode r = c.json().path("network").path("resample_filter");
        if (!r.isArray()) r = c.json().path("imported").path("model_kwargs").path("resample_filter");
        if (!r.isArray() || r.isEmpty()) return new double[] {1, 1};
        double[] out = new double[r.size()];
        for (int i = 0; i < out.length; i++) out[i] = r.get(i).asDouble();
        return out;
    }
}
