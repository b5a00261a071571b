package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.data.Npy;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.ClassifierTrainer;
import io.sedm.train.DiscriminatorTrainer;
import io.sedm.train.RunDirectory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sedm train-discriminator}: DG's discriminator head on real Fashion-MNIST vs generated
 * images (an .npz/.npy of uint8 NHWC, e.g. written by {@code sedm sample}) with the frozen trunk of
 * a classifier checkpoint (ALGORITHMS.md §8).
 */
@Command(name = "train-discriminator", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Train the Discriminator Guidance head on real vs generated images.")
public final class TrainDiscriminatorCommand implements Callable<Integer> {
    @Option(names = "--outdir", defaultValue = "runs", paramLabel = "DIR") Path outdir;
    @Option(names = "--desc", defaultValue = "discriminator", paramLabel = "NAME") String desc;
    @Option(names = "--classifier", required = true, paramLabel = "SIDECAR", description = "classifier checkpoint (.json)") Path classifier;
    @Option(names = "--fake", required = true, paramLabel = "FILE", description = "generated images, uint8 NHWC .npz/.npy") Path fake;
    @Option(names = "--data-limit", defaultValue = "0", paramLabel = "INT", description = "real images used (0 = all)") int dataLimit;
    @Option(names = "--batch", defaultValue = "128", paramLabel = "INT", description = "real (and fake) images per step") int batch;
    @Option(names = "--lr", defaultValue = "3e-4", paramLabel = "FLOAT") double lr;
    @Option(names = "--weight-decay", defaultValue = "1e-7", paramLabel = "FLOAT") double weightDecay;
    @Option(names = "--steps", defaultValue = "20000", paramLabel = "INT") long steps;
    @Option(names = "--log-every", defaultValue = "100", paramLabel = "INT") long logEvery;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT") long seed;
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda[:N]") String device;
    @Option(names = "--resume", paramLabel = "SIDECAR", description = "start from a saved head's weights") Path resume;
    @Option(names = "--dry-run", description = "print the resolved options JSON and exit") boolean dryRun;

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper();
        DiscriminatorTrainer.Options opts = new DiscriminatorTrainer.Options(batch, lr, weightDecay, 1e-5, seed, steps);
        var resolved = json.createObjectNode();
        resolved.set("training", json.valueToTree(opts));
        resolved.put("classifier", classifier.toString()).put("fake", fake.toString()).put("device", device);
        if (dryRun) {
            System.out.println(resolved.toPrettyString());
            return 0;
        }
        Device dev = Device.parse(device);
        ImageDataset real = FashionMnist.load(FashionMnist.directory(), true, dataLimit, 32);
        Npy.Array a = fake.toString().endsWith(".npz") ? Npy.readNpz(fake).values().iterator().next() : Npy.read(fake);
        ImageDataset generated = Npy.imagesFromNhwc(a);
        RunDirectory run = RunDirectory.create(outdir, desc);
        try (Network trunk = ClassifierTrainer.loadTrunk(classifier, dev)) {
            var side = json.readTree(java.nio.file.Files.readString(classifier)).path("network");
            int width = side.path("model_channels").asInt();
            var mult = side.path("channel_mult");
            int feats = width * mult.get(mult.size() - 1).asInt();
            int res = side.path("img_resolution").asInt() >> (mult.size() - 1);
            AdmEncoderConfig head = new AdmEncoderConfig("discriminator", res, feats, 128, new int[] {1}, 2, new int[] {res},
                    64, true, true, true, 0.0, 999.0, 1, seed);
            resolved.set("network", json.readTree(head.toJson()));
            run.writeOptions(resolved.toPrettyString());
            try (DiscriminatorTrainer t = new DiscriminatorTrainer(trunk, head, opts, real, generated, dev)) {
                if (resume != null) {
                    var rs = json.readTree(java.nio.file.Files.readString(resume));
                    t.head().load(resume.toAbsolutePath().getParent().resolve(rs.path("files").path("net").asText()), true);
                }
                double acc = 0;
                for (long s = 1; s <= steps; s++) {
                    acc += t.trainStep();
                    if (s % logEvery == 0 || s == steps) {
                        run.log(String.format(java.util.Locale.ROOT, "step %d bce %.4f", s, acc / logEvery));
                        acc = 0;
                    }
                }
                System.out.println("saved " + t.save(run.path(), "discriminator"));
            }
        }
        return 0;
    }
}
