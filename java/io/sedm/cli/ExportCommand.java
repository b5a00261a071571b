package io.sedm.cli;

import io.sedm.imports.OfficialExport;
import io.sedm.train.Checkpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sedm export}: a sedm checkpoint as the state dict the official code loads. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = {
            "Export a sedm checkpoint as a state dict the official code loads: a denoiser as NVlabs/edm's",
            "preconditioned network (net.load_state_dict(torch.load(FILE)); scripts/edm_export_load.py makes",
            "an EDM snapshot .pkl of it), a classifier / discriminator as DG's EncoderUNetModel.",
            "FILE.safetensors is written as safetensors, any other name in torch.save's format."
        })
public final class ExportCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SIDECAR.json", description = "the sedm checkpoint")
    Path checkpoint;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE.pt|FILE.safetensors",
            description = "the file to write")
    Path out;

    @Override
    public Integer call() {
        OfficialExport.write(Checkpoint.read(checkpoint), out);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("exported " + checkpoint + " -> " + out);
        stdout.flush();
        return 0;
    }
}
