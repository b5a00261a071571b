package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.ClassifierTrainer;
import io.sedm.train.RunDirectory;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sedm train-classifier}: the noise-aware ADM classifier whose trunk DG freezes (ALGORITHMS.md §7.4). */
@Command(name = "train-classifier", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Train the noise-aware classifier (ADM encoder + attention pool) on Fashion-MNIST labels.")
public final class TrainClassifierCommand implements Callable<Integer> {
    @Option(names = "--outdir", defaultValue = "runs", paramLabel = "DIR") java.nio.file.Path outdir;
    @Option(names = "--desc", defaultValue = "classifier", paramLabel = "NAME") String desc;
    @Option(names = "--width", defaultValue = "128", paramLabel = "INT", description = "model_channels of the trunk") int width;
    @Option(names = "--depth", defaultValue = "2", paramLabel = "INT", description = "res-blocks per level") int depth;
    @Option(names = "--data-limit", defaultValue = "0", paramLabel = "INT", description = "first images only (0 = all)") int dataLimit;
    @Option(names = "--batch", defaultValue = "128", paramLabel = "INT") int batch;
    @Option(names = "--lr", defaultValue = "3e-4", paramLabel = "FLOAT") double lr;
    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "FLOAT") double weightDecay;
    @Option(names = "--steps", defaultValue = "20000", paramLabel = "INT") long steps;
    @Option(names = "--log-every", defaultValue = "100", paramLabel = "INT") long logEvery;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT") long seed;
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda[:N]") String device;
    @Option(names = "--resume", paramLabel = "SIDECAR", description = "start from a saved classifier's weights") java.nio.file.Path resume;
    @Option(names = "--dry-run", description = "print the resolved options JSON and exit") boolean dryRun;

    AdmEncoderConfig config() {
        return new AdmEncoderConfig("classifier", 32, 1, width, new int[] {1, 2, 4}, depth, new int[] {32, 16, 8}, 64,
                true, true, true, 0.0, 999.0, 10, seed);
    }

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ClassifierTrainer.Options opts = new ClassifierTrainer.Options(batch, lr, weightDecay, 1e-5, seed, steps);
        var resolved = json.createObjectNode();
        resolved.set("network", json.readTree(config().toJson()));
        resolved.set("training", json.valueToTree(opts));
        resolved.put("device", device).put("data", "fashion-mnist").put("data_limit", dataLimit);
        if (dryRun) {
            System.out.println(resolved.toPrettyString());
            return 0;
        }
        ImageDataset data = FashionMnist.load(FashionMnist.directory(), true, dataLimit, 32);
        ImageDataset test = FashionMnist.load(FashionMnist.directory(), false, 2000, 32);
        RunDirectory run = RunDirectory.create(outdir, desc);
        run.writeOptions(resolved.toPrettyString());
        try (ClassifierTrainer t = new ClassifierTrainer(config(), opts, data, Device.parse(device))) {
            if (resume != null) {
                var side = json.readTree(java.nio.file.Files.readString(resume));
                t.network().load(resume.toAbsolutePath().getParent().resolve(side.path("files").path("net").asText()), true);
            }
            double acc = 0;
            for (long s = 1; s <= steps; s++) {
                acc += t.trainStep();
                if (s % logEvery == 0 || s == steps) {
                    run.log(String.format(java.util.Locale.ROOT, "step %d ce %.4f", s, acc / logEvery));
                    acc = 0;
                }
            }
            run.log(String.format(java.util.Locale.ROOT, "test accuracy tau=0.01: %.4f", t.accuracy(test, 0.01, 2000)));
            System.out.println("saved " + t.save(run.path(), "classifier"));
        }
        return 0;
    }
}
