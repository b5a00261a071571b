package io.sedm.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.StateDict;
import io.sedm.runtime.Tensor;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DG's state dicts (names and shapes as DG's own create_classifier makes them, captured in
 * tests-resources/imports/dg-*.keys.json by scripts/make_fixtures.py keys; values from plain torch)
 * imported, exported back and every error path. The values must round-trip bit for bit.
 */
class DgImportTest {
    @TempDir
    Path dir;

    @Test
    void conditionalDiscriminatorImportsWithItsLabelEmbeddingAndExportsBack() throws Exception {
        Path pt = PythonTorch.plain(dir, "dg-disc-cond.keys.json", "disc.pt", 3);
        Path sidecar = OfficialImport.dg(pt, OfficialImport.DgKind.DISCRIMINATOR, 32, dir.resolve("out/disc.json"));
        Checkpoint c = Checkpoint.read(sidecar);
        assertThat(c.kind()).isEqualTo(Checkpoint.Kind.DISCRIMINATOR);
        assertThat(c.imported()).isTrue();
        AdmEncoderConfig cfg = (AdmEncoderConfig) c.network();
        assertThat(cfg.numClasses()).isEqualTo(1000);
        assertThat(cfg.inChannels()).isEqualTo(256);
        assertThat(cfg.modelChannels()).isEqualTo(64);
        assertThat(cfg.numResBlocks()).isEqualTo(1);

        Path back = dir.resolve("back.pt");
        OfficialExport.write(c, back);
        try (StateDict a = StateDict.load(pt, StateDict.Format.TORCH);
                StateDict b = StateDict.load(back, StateDict.Format.TORCH)) {
            assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
            for (int i = 0; i < a.size(); i++) {
                int j = b.names().indexOf(a.name(i));
                try (Tensor x = a.get(i);
                        Tensor y = b.get(j)) {
                    assertThat(y.toDoubleArray()).as(a.name(i)).containsExactly(x.toDoubleArray());
                }
            }
        }
        // The label embedding acts: the same features with two classes give two logits.
        try (Network head = c.loadHead(Device.CPU);
                Tensor feats = Tensor.zeros(new long[] {2, 256, 8, 8}, io.sedm.runtime.DType.FLOAT32, Device.CPU);
                Tensor labels = Tensor.of(oneHot(10, 1, 7), new long[] {2, 10}, Device.CPU);
                Tensor logit = head.forward(feats, new double[] {0.5, 0.5}, labels, false)) {
            double[] l = logit.toDoubleArray();
            assertThat(l[0]).isNotEqualTo(l[1]);
        }
    }

    @Test
    void classifierAndUnconditionalHeadImport() throws Exception {
        Path cls = PythonTorch.plain(dir, "dg-cls-small.keys.json", "cls.pt", 1);
        Path disc = PythonTorch.plain(dir, "dg-disc.keys.json", "disc.pt", 2);
        Checkpoint c =
                Checkpoint.read(OfficialImport.dg(cls, OfficialImport.DgKind.CLASSIFIER, 32, dir.resolve("cls.json")));
        Checkpoint d = Checkpoint.read(
                OfficialImport.dg(disc, OfficialImport.DgKind.DISCRIMINATOR, 32, dir.resolve("d.json")));
        AdmEncoderConfig cc = (AdmEncoderConfig) c.network();
        assertThat(cc.channelMult()).containsExactly(1, 2, 4);
        assertThat(cc.outChannels()).isEqualTo(10);
        assertThat(((AdmEncoderConfig) d.network()).numClasses()).isZero();
        try (Network trunk = c.loadTrunk(Device.CPU)) {
            assertThat(trunk.tensors()).isNotEmpty();
        }
    }

    @Test
    void everyErrorIsNamedAndNothingIsWritten() throws Exception {
        Path pt = PythonTorch.plain(dir, "dg-disc.keys.json", "disc.pt", 2);
        Path bad = dir.resolve("bad.pt");
        PythonTorch.script(dir, """
                import torch, collections
                sd = torch.load("%s")
                sd["extra.weight"] = torch.zeros(3)
                del sd["middle_block.0.in_layers.0.bias"]
                sd["middle_block.2.out_layers.3.weight"] = torch.zeros(64, 64, 1, 1)
                torch.save(sd, "%s")
                """.formatted(pt, bad));
        Path out = dir.resolve("o/x.json");
        assertThatThrownBy(() -> OfficialImport.dg(bad, OfficialImport.DgKind.DISCRIMINATOR, 32, out))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("1 unknown key: extra.weight")
                .hasMessageContaining("1 missing key: middle_block.0.in_layers.0.bias")
                .hasMessageContaining(
                        "1 wrong shape: middle_block.2.out_layers.3.weight: file [64, 64, 1, 1], sedm [64, 64, 3, 3]")
                .hasMessageContaining("nothing was written");
        assertThat(out.getParent()).doesNotExist();

        Path corrupt = dir.resolve("corrupt.pt");
        Files.write(corrupt, java.util.Arrays.copyOf(Files.readAllBytes(pt), 1000));
        assertThatThrownBy(() -> OfficialImport.dg(corrupt, OfficialImport.DgKind.DISCRIMINATOR, 32, out))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("corrupt.pt")
                .hasMessageContaining("nothing was written");
        assertThatThrownBy(() -> OfficialImport.dg(pt, OfficialImport.DgKind.CLASSIFIER, 32, out))
                .isInstanceOf(ImportException.class)
                .hasMessageContaining("nothing was written");
        assertThat(out.getParent()).doesNotExist();

        Path exists = dir.resolve("exists.json");
        Files.writeString(exists, "{}");
        assertThatThrownBy(() -> OfficialImport.dg(pt, OfficialImport.DgKind.DISCRIMINATOR, 32, exists))
                .hasMessageContaining("exists");
        assertThat(Files.readString(exists)).isEqualTo("{}");
    }

    static float[] oneHot(int dim, int... classes) {
        float[] v = new float[classes.length * dim];
        for (int i = 0; i < classes.length; i++) v[i * dim + classes[i]] = 1f;
        return v;
    }
}
