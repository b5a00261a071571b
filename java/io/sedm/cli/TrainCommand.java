package io.sedm.cli;

import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.train.DenoiserTrainer;
import io.sedm.train.NetworkConfig;
import io.sedm.train.RunDirectory;
import io.sedm.train.TrainOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sedm train}: trains a denoiser with EDM's loop (NVlabs/edm train.py; ALGORITHMS.md §3)
 * into a numbered run folder ({@code runs/00001-name/}) holding options.json, log.txt and
 * checkpoints (safetensors + JSON sidecar). {@code --resume} continues a checkpoint exactly.
 */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Train a diffusion denoiser (EDM / VP / VE / DDPM loss) on Fashion-MNIST or an .npz of images.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--outdir", defaultValue = "runs", paramLabel = "DIR", description = "where run folders are created")
    Path outdir;
    @Option(names = "--desc", defaultValue = "train", paramLabel = "NAME", description = "run folder name suffix")
    String desc;
    @Option(names = "--arch", defaultValue = "ddpmpp-fmnist", paramLabel = "PRESET|JSON|FILE",
            description = "network preset (ddpmpp-fmnist, ddpmpp-cifar10) or a config JSON / file")
    String arch;
    @Option(names = "--data", defaultValue = "fashion-mnist", paramLabel = "NAME|FILE", description = "fashion-mnist or a uint8 NHWC .npz/.npy")
    String data;
    @Option(names = "--data-limit", defaultValue = "0", paramLabel = "INT", description = "use only the first images (0 = all)")
    int dataLimit;
    @Option(names = "--resolution", defaultValue = "32", paramLabel = "INT", description = "padded image side (Fashion-MNIST)")
    int resolution;
    @Option(names = "--xflip", description = "add x-flipped copies of the images")
    boolean xflip;
    @Option(names = "--loss", defaultValue = "edm", paramLabel = "edm|vp|ve|ddpm|ncsn", description = "training loss (ncsn: NCSNv2 DSM over 232 levels 50 → 0.01)")
    String loss;
    @Option(names = "--batch", defaultValue = "128", paramLabel = "INT", description = "images per optimizer step")
    int batch;
    @Option(names = "--rounds", defaultValue = "1", paramLabel = "INT", description = "gradient accumulation rounds per step")
    int rounds;
    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "FLOAT", description = "peak learning rate")
    double lr;
    @Option(names = "--lr-rampup-kimg", defaultValue = "10000", paramLabel = "FLOAT", description = "linear lr warm-up, kimg")
    double lrRampupKimg;
    @Option(names = "--ema-kimg", defaultValue = "500", paramLabel = "FLOAT", description = "EMA half-life, kimg")
    double emaKimg;
    @Option(names = "--ema-rampup", defaultValue = "0.05", paramLabel = "FLOAT", description = "EMA ramp-up ratio (0 = off)")
    double emaRampup;
    @Option(names = "--grad-clip", defaultValue = "0", paramLabel = "FLOAT", description = "global-norm clipping (0 = off)")
    double gradClip;
    @Option(names = "--steps", defaultValue = "100000", paramLabel = "INT", description = "optimizer steps")
    long steps;
    @Option(names = "--snap", defaultValue = "5000", paramLabel = "INT", description = "steps between checkpoints")
    long snap;
    @Option(names = "--log-every", defaultValue = "100", paramLabel = "INT", description = "steps between log lines")
    long logEvery;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT", description = "random seed")
    long seed;
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda[:N]", description = "where to train")
    String device;
    @Option(names = "--resume", paramLabel = "SIDECAR", description = "continue from a checkpoint's .json sidecar")
    Path resume;
    @Option(names = "--dry-run", description = "print the resolved options JSON and exit")
    boolean dryRun;

    TrainOptions options() {
        return new TrainOptions(loss, -1.2, 1.2, 0.5, batch, rounds, lr, lrRampupKimg * 1000, emaKimg * 1000, emaRampup,
                gradClip, 0, seed, steps, snap, logEvery, data, dataLimit, resolution, xflip);
    }

    static NetworkConfig network(String arch) throws java.io.IOException {
        String t = arch.trim();
        if (t.startsWith("{")) return NetworkConfig.fromJson(t);
        if (t.endsWith(".json")) return NetworkConfig.fromJson(java.nio.file.Files.readString(Path.of(t)));
        return ModelInfoCommand.preset(t);
    }

    @Override
    public Integer call() throws Exception {
        TrainOptions opts = options();
        NetworkConfig net = network(arch);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var resolved = json.createObjectNode();
        resolved.set("network", json.readTree(net.toJson()));
        resolved.set("training", json.valueToTree(opts));
        resolved.put("device", device);
        if (resume != null) resolved.put("resume", resume.toString());
        if (dryRun) {
            System.out.println(resolved.toPrettyString());
            return 0;
        }
        Device dev = Device.parse(device);
        ImageDataset images = DenoiserTrainer.loadData(opts);
        RunDirectory run = RunDirectory.create(outdir, desc);
        run.writeOptions(resolved.toPrettyString());
        try (DenoiserTrainer t = resume != null ? DenoiserTrainer.resume(resume, opts, images, dev)
                : DenoiserTrainer.create(net, opts, images, dev)) {
            System.out.println("run folder: " + run.path() + (resume != null ? " (resumed at step " + t.step() + ")" : ""));
            t.run(run, null);
        }
        return 0;
    }
}
