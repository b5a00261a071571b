package io.sedm.cli;

import io.sedm.data.ImageDataset;
import io.sedm.eval.FeatureNetwork;
import io.sedm.eval.ReferenceFeatures;
import io.sedm.eval.SampleImages;
import io.sedm.eval.SampleQuality;
import io.sedm.runtime.Device;
import io.sedm.train.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sedm eval}: sample quality of generated Fashion-MNIST images ({@link SampleQuality}) in the
 * space of the project's own feature classifier ({@link FeatureNetwork}). Each input is one run
 * (one seed range); with one input, {@code --splits K} cuts it into K disjoint contiguous ranges.
 * Prints a table; {@code --json FILE} also writes the report as JSON (atomically).
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "FD (vs test set and cached training statistics), precision/recall, density/coverage and"
                + " class histogram of generated images, mean ± s.e. over seed ranges.")
public final class EvalCommand implements Callable<Integer> {
    @Parameters(
            arity = "1..*",
            paramLabel = "INPUT",
            description = "sample run folder, .npy/.npz of images, or fashion-mnist:test[:N] / fashion-mnist:train[:N]")
    List<String> inputs;

    @Option(
            names = "--splits",
            defaultValue = "1",
            paramLabel = "INT",
            description = "with one INPUT: cut it into this many disjoint seed ranges, in [1, 10]")
    int splits;

    @Mixin
    FeatureOptions featureOptions = new FeatureOptions();

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON")
    Path json;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Option(names = "--quiet", description = "no progress lines on stderr")
    boolean quiet;

    @Override
    public Integer call() {
        TrainCommand.require(splits >= 1 && splits <= 10, "--splits must be in [1, 10], got " + splits);
        TrainCommand.require(
                splits == 1 || inputs.size() == 1, "--splits needs exactly one INPUT, got " + inputs.size());
        TrainCommand.requireFolderOf(json, "--json");
        // Read and check every input before computing anything.
        List<SampleQuality.Named> sets = new ArrayList<>();
        for (String in : inputs) {
            ImageDataset images = SampleImages.load(in);
            sets.addAll(SampleQuality.split(in, images, splits));
        }
        Path sidecar = featureOptions.validate();
        compute.apply();
        Device dev = Device.parse(compute.device());
        SampleQuality.Report report;
        try (FeatureNetwork net = FeatureNetwork.load(sidecar, dev)) {
            ReferenceFeatures ref = featureOptions.reference(net, this::note);
            note("measuring " + sets.size() + " run(s)");
            report = SampleQuality.evaluate(net, ref, sets, featureOptions.k);
        }
        if (json != null) {
            RunDirectory.writeAtomically(json, SampleQuality.json(report).toPrettyString() + "\n");
        }
        System.out.print(SampleQuality.table(report));
        return 0;
    }

    private void note(String line) {
        if (!quiet) System.err.println("eval: " + line);
    }
}
