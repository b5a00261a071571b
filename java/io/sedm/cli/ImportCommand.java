package io.sedm.cli;

import io.sedm.imports.EdmSnapshot;
import io.sedm.imports.ImportException;
import io.sedm.imports.OfficialImport;
import io.sedm.imports.PythonScript;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sedm import}: an official EDM snapshot or DG state dict into a sedm checkpoint. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = {
            "Import an official checkpoint as a sedm checkpoint (NAME.safetensors + NAME.json sidecar).",
            "  edm:  an NVlabs/edm network snapshot (.pkl, e.g. edm-cifar10-32x32-cond-vp.pkl). EDM snapshots are",
            "        Python pickles embedding EDM's classes: reading one needs python3 with torch (Debian:",
            "        python3-torch) and a checkout of NVlabs/edm, given with --edm-src (nothing of it is copied).",
            "        A folder written by scripts/edm_import.py (config.json + state.pt) is read without Python.",
            "  dg-classifier, dg-discriminator:  Discriminator Guidance's torch.save state dicts",
            "        (32x32_classifier.pt; discriminator_60.pt unconditional, discriminator_250.pt conditional),",
            "        read natively (no Python).",
            "Unknown, missing or wrongly shaped tensors are named and nothing is written."
        })
public final class ImportCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "edm|dg-classifier|dg-discriminator", description = "what FILE is")
    String format;

    @Parameters(index = "1", paramLabel = "FILE", description = "the snapshot .pkl / edm_import.py folder / .pt file")
    Path file;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "NAME.json",
            description = "the sidecar to write (must not exist)")
    Path out;

    @Option(
            names = "--edm-src",
            paramLabel = "DIR",
            description = "edm: a checkout of NVlabs/edm (dnnlib/, torch_utils/, training/) to unpickle with")
    Path edmSrc;

    @Option(
            names = "--python",
            paramLabel = "EXE",
            description = "edm: the Python with torch that runs scripts/edm_import.py (default: the first of "
                    + "python3 on PATH, /usr/bin/python3 that can import torch and numpy)")
    String python;

    @Option(
            names = "--resolution",
            defaultValue = "32",
            paramLabel = "INT",
            description = "dg-classifier: the classifier's image size (DG: 32 for CIFAR-10, 64 for ImageNet-64)")
    int resolution;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        Path sidecar = switch (format) {
            case "edm" -> importEdm();
            case "dg-classifier" -> OfficialImport.dg(file, OfficialImport.DgKind.CLASSIFIER, resolution, out);
            case "dg-discriminator" -> OfficialImport.dg(file, OfficialImport.DgKind.DISCRIMINATOR, resolution, out);
            default ->
                throw new ImportException(
                        "the format must be edm, dg-classifier or dg-discriminator, got '" + format + "'");
        };
        stdout.println("imported " + file + " -> " + sidecar);
        stdout.flush();
        return 0;
    }

    private Path importEdm() throws IOException {
        if (Files.isDirectory(file)) {
            return OfficialImport.edm(EdmSnapshot.read(file), out, file.toString());
        }
        if (!Files.isRegularFile(file)) {
            throw new ImportException(file + ": no such file");
        }
        if (edmSrc == null) {
            throw new ImportException("importing the pickle " + file + " needs --edm-src DIR, a checkout of "
                    + "NVlabs/edm (its classes are inside the pickle); nothing was written");
        }
        String py = PythonScript.torchPython(python);
        Path work = Files.createTempDirectory("sedm-import-");
        try {
            PythonScript.run(
                    py,
                    "edm_import.py",
                    List.of("--edm-src", edmSrc.toString(), "--pkl", file.toString(), "--out", work.toString()),
                    3600);
            return OfficialImport.edm(EdmSnapshot.read(work), out, file.toString());
        } finally {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
