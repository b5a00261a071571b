package io.sedm.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.NativeIoException;
import io.sedm.runtime.StateDict;
import io.sedm.runtime.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sedm's reader of torch.save archives against files torch itself wrote (values known in closed
 * form, so equality is exact), its writer against torch.load, and every malformed input.
 */
class StateDictTest {
    @TempDir
    Path dir;

    @Test
    void readsWhatTorchSaveWroteExactly() throws Exception {
        Path f = dir.resolve("sd.pt");
        PythonTorch.script(dir, """
                import collections, torch, sys
                sd = collections.OrderedDict()
                sd._metadata = collections.OrderedDict([("", {"version": 1})])
                base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
                sd["a.weight"] = base
                sd["a.t"] = base.t()              # non-contiguous view of the same storage
                sd["b.slice"] = base[1:, 2:]      # offset view
                sd["c.f64"] = torch.linspace(0, 1, 5, dtype=torch.float64)
                sd["d.i64"] = torch.tensor([-3, 2**40], dtype=torch.int64)
                sd["e.param"] = torch.nn.Parameter(torch.full((2,), 0.5))
                sd["f.scalar"] = torch.tensor(7.0)
                torch.save(sd, "%s")
                """.formatted(f));
        try (StateDict sd = StateDict.load(f, StateDict.Format.TORCH)) {
            assertThat(sd.names())
                    .containsExactly("a.weight", "a.t", "b.slice", "c.f64", "d.i64", "e.param", "f.scalar");
            try (Tensor a = sd.get(0);
                    Tensor t = sd.get(1);
                    Tensor s = sd.get(2);
                    Tensor d = sd.get(3);
                    Tensor i = sd.get(4);
                    Tensor p = sd.get(5);
                    Tensor sc = sd.get(6)) {
                assertThat(a.shape()).containsExactly(3, 4);
                assertThat(a.toDoubleArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
                assertThat(t.shape()).containsExactly(4, 3);
                assertThat(t.toDoubleArray()).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
                assertThat(s.toDoubleArray()).containsExactly(6, 7, 10, 11);
                assertThat(d.dtype()).isEqualTo(DType.FLOAT64);
                assertThat(d.toDoubleArray()).containsExactly(0, 0.25, 0.5, 0.75, 1);
                assertThat(i.dtype()).isEqualTo(DType.INT64);
                assertThat(i.shape()).containsExactly(2);
                assertThat(p.toDoubleArray()).containsExactly(0.5, 0.5);
                assertThat(sc.shape()).isEmpty();
                assertThat(sc.toDoubleArray()).containsExactly(7);
            }
        }
    }

    @Test
    void writesWhatTorchLoadReadsAndRoundTrips() throws Exception {
        Path f = dir.resolve("out.pt");
        try (StateDict sd = StateDict.create();
                Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, Device.CPU);
                Tensor b = Tensor.of(new double[] {-1.5}, new long[] {1}, Device.CPU)) {
            sd.put("x.weight", a);
            sd.put("y", b);
            sd.save(f, StateDict.Format.TORCH);
        }
        String out = PythonTorch.script(dir, """
                import torch
                sd = torch.load("%s")
                assert list(sd) == ["x.weight", "y"], list(sd)
                assert sd["x.weight"].dtype == torch.float32 and sd["x.weight"].tolist() == [[1, 2, 3], [4, 5, 6]]
                assert sd["y"].dtype == torch.float64 and sd["y"].tolist() == [-1.5]
                m = torch.nn.Linear(3, 2, bias=False)
                m.load_state_dict({"weight": sd["x.weight"]})
                print("ok")
                """.formatted(f));
        assertThat(out).contains("ok");
        try (StateDict back = StateDict.load(f, StateDict.Format.TORCH);
                Tensor a = back.get(0)) {
            assertThat(back.names()).containsExactly("x.weight", "y");
            assertThat(a.toDoubleArray()).containsExactly(1, 2, 3, 4, 5, 6);
        }
        assertThat(Files.list(dir).filter(p -> p.toString().contains(".tmp"))).isEmpty();
    }

    @Test
    void namesEveryMalformedInput() throws Exception {
        Path notZip = dir.resolve("not-zip.pt");
        Files.writeString(notZip, "hello, this is not an archive");
        assertThatThrownBy(() -> StateDict.load(notZip, StateDict.Format.TORCH))
                .isInstanceOf(NativeIoException.class)
                .hasMessageContaining(notZip.toString())
                .hasMessageContaining("not a torch.save zip archive");
        assertThatThrownBy(() -> StateDict.load(dir.resolve("absent.pt"), StateDict.Format.TORCH))
                .isInstanceOf(NativeIoException.class)
                .hasMessageContaining("absent.pt");

        Path good = dir.resolve("good.pt");
        Path module = dir.resolve("module.pt");
        Path ints = dir.resolve("ints.pt");
        Path legacy = dir.resolve("legacy.pt");
        PythonTorch.script(dir, """
                import torch
                torch.save({"w": torch.ones(64, 64)}, "%s")
                torch.save(torch.nn.Linear(2, 2), "%s")
                torch.save({"w": 3}, "%s")
                torch.save({"w": torch.ones(2)}, "%s", _use_new_zipfile_serialization=False)
                """.formatted(good, module, ints, legacy));
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.pt");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> StateDict.load(truncated, StateDict.Format.TORCH))
                .isInstanceOf(NativeIoException.class)
                .hasMessageContaining("truncated.pt");
        assertThatThrownBy(() -> StateDict.load(module, StateDict.Format.TORCH))
                .isInstanceOf(NativeIoException.class)
                .hasMessageContaining("refusing to build the Python object torch.nn.modules.linear.Linear");
        assertThatThrownBy(() -> StateDict.load(ints, StateDict.Format.TORCH))
                .isInstanceOf(NativeIoException.class)
                .hasMessageContaining("entry 'w' is a int, not a tensor");
        assertThatThrownBy(() -> StateDict.load(legacy, StateDict.Format.TORCH))
                .isInstanceOf(NativeIoException.class)
                .hasMessageContaining("legacy format");
    }
}
