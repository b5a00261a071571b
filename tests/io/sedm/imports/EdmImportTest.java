package io.sedm.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.precond.Preconditioning;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.StateDict;
import io.sedm.runtime.Tensor;
import io.sedm.train.Checkpoint;
import io.sedm.train.SongUNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EDM snapshot as scripts/edm_import.py unpacks it (config.json + state.pt): the key list and
 * config are those of a class-conditional DDPM++ (label_dim 10, 16×16) made by NVlabs/edm's own
 * VPPrecond(SongUNet), captured in tests-resources/imports/edm-ddpmpp-cond16.*; the values come
 * from plain torch. Import, the checked resample_filter buffers, export back to exactly EDM's key
 * set, and each error.
 */
class EdmImportTest {
    @TempDir
    Path dir;

    Path snapshot(int seed) throws Exception {
        Path snap = Files.createDirectories(dir.resolve("snap" + seed));
        Files.copy(PythonTorch.resource("edm-ddpmpp-cond16.config.json"), snap.resolve("config.json"));
        Path pt = PythonTorch.plain(dir, "edm-ddpmpp-cond16.keys.json", "raw" + seed + ".pt", seed);
        // Plain random tensors for everything but the resample_filter buffers, which must be EDM's
        // outer([1,1],[1,1])/4 (the config's filter).
        PythonTorch.script(dir, """
                import torch
                sd = torch.load("%s")
                for k in sd:
                    if k.endswith("resample_filter"):
                        sd[k] = torch.full((1, 1, 2, 2), 0.25)
                torch.save(sd, "%s")
                """.formatted(pt, snap.resolve("state.pt")));
        return snap;
    }

    @Test
    void conditionalDdpmppImportsAndExportsToEdmsExactKeySet() throws Exception {
        Path snap = snapshot(5);
        Path sidecar = OfficialImport.edm(EdmSnapshot.read(snap), dir.resolve("ck/net.json"), "test");
        Checkpoint c = Checkpoint.read(sidecar);
        assertThat(c.imported()).isTrue();
        assertThat(c.labelDim()).isEqualTo(10);
        assertThat(c.preconditioning()).isEqualTo(new Preconditioning.Vp(19.9, 0.1, 1000));
        SongUNetConfig u = (SongUNetConfig) c.network();
        assertThat(u.imgResolution()).isEqualTo(16);
        assertThat(u.modelChannels()).isEqualTo(32);
        assertThat(u.channelMult()).containsExactly(1, 2);
        assertThat(c.json().path("imported").path("resample_filters")).hasSize(4);

        Path back = dir.resolve("back.pt");
        OfficialExport.write(c, back);
        try (StateDict a = StateDict.load(snap.resolve("state.pt"), StateDict.Format.TORCH);
                StateDict b = StateDict.load(back, StateDict.Format.TORCH)) {
            assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
            for (int i = 0; i < a.size(); i++) {
                try (Tensor x = a.get(i);
                        Tensor y = b.get(b.names().indexOf(a.name(i)))) {
                    assertThat(y.toDoubleArray()).as(a.name(i)).containsExactly(x.toDoubleArray());
                }
            }
        }
        try (Network net = c.loadDenoiser(Device.CPU)) {
            assertThat(net.parameterCount()).isPositive();
        }
    }

    @Test
    void errorsNameTheProblemAndWriteNothing() throws Exception {
        Path snap = snapshot(6);
        Path out = dir.resolve("o/net.json");
        Path badFilter = Files.createDirectories(dir.resolve("bad-filter"));
        Files.copy(snap.resolve("config.json"), badFilter.resolve("config.json"));
        PythonTorch.script(dir, """
                import torch
                sd = torch.load("%s")
                k = [k for k in sd if k.endswith("resample_filter")][0]
                sd[k] = torch.full((1, 1, 2, 2), 0.3)
                torch.save(sd, "%s")
                """.formatted(snap.resolve("state.pt"), badFilter.resolve("state.pt")));
        assertThatThrownBy(() -> OfficialImport.edm(EdmSnapshot.read(badFilter), out, "t"))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("resample_filter")
                .hasMessageContaining("nothing was written");

        Path badKeys = Files.createDirectories(dir.resolve("bad-keys"));
        Files.copy(snap.resolve("config.json"), badKeys.resolve("config.json"));
        PythonTorch.script(dir, """
                import torch
                sd = torch.load("%s")
                sd["model.map_extra.weight"] = torch.zeros(2)
                del sd["model.map_label.weight"]
                torch.save(sd, "%s")
                """.formatted(snap.resolve("state.pt"), badKeys.resolve("state.pt")));
        assertThatThrownBy(() -> OfficialImport.edm(EdmSnapshot.read(badKeys), out, "t"))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("unknown key: model.map_extra.weight")
                .hasMessageContaining("missing key: model.map_label.weight");

        Path badConfig = Files.createDirectories(dir.resolve("bad-config"));
        Files.copy(snap.resolve("state.pt"), badConfig.resolve("state.pt"));
        Files.writeString(
                badConfig.resolve("config.json"),
                Files.readString(snap.resolve("config.json")).replace("\"VPPrecond\"", "\"FancyPrecond\""));
        assertThatThrownBy(() -> OfficialImport.edm(EdmSnapshot.read(badConfig), out, "t"))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("unknown EDM preconditioner FancyPrecond");
        assertThatThrownBy(() -> EdmSnapshot.read(dir.resolve("nowhere")))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("config.json: no such file");
        assertThat(out.getParent()).doesNotExist();
        List<Path> leftovers = new ArrayList<>();
        try (var s = Files.walk(dir)) {
            s.filter(p -> p.toString().contains(".tmp")).forEach(leftovers::add);
        }
        assertThat(leftovers).isEmpty();
    }
}
