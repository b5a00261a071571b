package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.eval.Likelihood;
import io.sedm.eval.Runs;
import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.train.RunDirectory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sedm likelihood}: negative log-likelihood in bits/dim of Fashion-MNIST images under a
 * denoiser, through the probability-flow ODE with Hutchinson's trace estimator ({@link
 * Likelihood}), with uniform dequantisation of the 8-bit pixels as score_sde does. The images are
 * the model's 32×32 inputs (28×28 padded with black), so d = 1024 and the constant border counts
 * as data; the figure is comparable between models of this project, not with 28×28 results.
 */
@Command(
        name = "likelihood",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description =
                "Bits/dim of Fashion-MNIST test images under a denoiser checkpoint (or gmm:FILE of dimension 1024) (probability-flow ODE, Hutchinson"
                        + " trace, uniform dequantisation), mean ± s.e. over images.")
final class LikelihoodCommand implements Callable<Integer> {
    @Option(
            names = "--denoiser",
            required = true,
            paramLabel = "SIDECAR|gmm:FILE",
            description = "denoiser checkpoint, or an exact mixture of dimension 1024")
    String denoiser;

    @Option(
            names = "--images",
            defaultValue = "500",
            paramLabel = "INT",
            description = "the first N test images, in [1, 10000]")
    int images;

    @Option(names = "--steps", defaultValue = "32", paramLabel = "INT", description = "ODE steps on a log σ grid")
    int steps;

    @Option(names = "--solver", defaultValue = "rk4", paramLabel = "rk4|heun", description = "ODE integrator")
    String solver;

    @Option(
            names = "--probe",
            defaultValue = "rademacher",
            paramLabel = "rademacher|gaussian",
            description = "Hutchinson probe")
    String probe;

    @Option(names = "--batch", defaultValue = "50", paramLabel = "INT", description = "images per batch")
    int batch;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT", description = "seed of dequantisation and probes")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the result as JSON")
    Path json;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Option(names = "--quiet", description = "no progress display on stderr")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        TrainCommand.require(images >= 1 && images <= 10_000, "--images must be in [1, 10000], got " + images);
        TrainCommand.require(steps >= 1 && steps <= 10_000, "--steps must be in [1, 10000], got " + steps);
        TrainCommand.require(batch >= 1 && batch <= 10_000, "--batch must be in [1, 10000], got " + batch);
        Likelihood.Options options = Likelihood.Options.defaults()
                .withSteps(steps)
                .withSolver(
                        switch (solver.toLowerCase(Locale.ROOT)) {
                            case "rk4" -> Likelihood.Solver.RK4;
                            case "heun" -> Likelihood.Solver.HEUN;
                            default ->
                                throw new IllegalArgumentException("--solver must be rk4 or heun, got " + solver);
                        })
                .withProbe(
                        switch (probe.toLowerCase(Locale.ROOT)) {
                            case "rademacher" -> Likelihood.Probe.RADEMACHER;
                            case "gaussian" -> Likelihood.Probe.GAUSSIAN;
                            default ->
                                throw new IllegalArgumentException(
                                        "--probe must be rademacher or gaussian, got " + probe);
                        });
        TrainCommand.requireFolderOf(json, "--json");
        compute.apply();
        Device dev = Device.parse(compute.device());
        ImageDataset test = FashionMnist.load(FashionMnist.directory(), false, images, 32);
        Likelihood likelihood = new Likelihood(options);
        double[] bpd = new double[test.size()];
        long t0 = System.nanoTime();
        try (SampleCommand.Models m = SampleCommand.load(denoiser, null, null, null, dev);
                Progress bar = Progress.start("likelihood", test.size(), "img", !quiet)) {
            TrainCommand.require(
                    Arrays.stream(m.natural()).reduce(1, (a, b) -> a * b) == 1024,
                    "--denoiser " + denoiser + " models " + Arrays.toString(m.natural())
                            + "; Fashion-MNIST images have 1 × 32 × 32 = 1024 values");
            for (int start = 0; start < test.size(); start += batch) {
                int[] idx = IntStream.range(start, Math.min(test.size(), start + batch))
                        .toArray();
                if (m.labels() != null)
                    m.labels().use(Arrays.stream(idx).map(k -> test.labels()[k]).toArray());
                try (Tensor x = test.batch(idx, Device.CPU);
                        Tensor levels = levels(x);
                        Generator u = Generator.ofSeedRange(seed * 1_000_003L + start, idx.length);
                        Tensor dequantized = Likelihood.dequantize(levels, u);
                        Tensor flat = dequantized.reshape(shape(idx.length, m.natural()));
                        Tensor x0 = flat.to(dev, DType.FLOAT64);
                        Generator probes = Generator.ofSeedRange(seed * 1_000_003L + 500_000 + start, idx.length)) {
                    double[] b = likelihood.evaluate(m.denoiser(), x0, probes).bitsPerDim(Likelihood.BIN_WIDTH_8BIT);
                    System.arraycopy(b, 0, bpd, start, b.length);
                }
                bar.step(idx.length, "");
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Runs r = Runs.of(bpd);
        System.out.printf(
                Locale.ROOT,
                "bits/dim %.4f ± %.4f (s.e. over %d test images; 32×32 incl. the padding; %s-%d, %s probe; %.1f s)%n",
                r.mean(),
                r.standardError(),
                bpd.length,
                options.solver().name().toLowerCase(Locale.ROOT),
                steps,
                options.probe().name().toLowerCase(Locale.ROOT),
                seconds);
        if (json != null) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("denoiser", denoiser);
            o.put("images", bpd.length);
            o.put("bits_per_dim", r.mean());
            o.put("standard_error", r.standardError());
            o.put("solver", options.solver().name().toLowerCase(Locale.ROOT));
            o.put("steps", steps);
            o.put("probe", options.probe().name().toLowerCase(Locale.ROOT));
            o.put("seed", seed);
            o.put("seconds", seconds);
            o.set("per_image", new ObjectMapper().valueToTree(bpd));
            RunDirectory.writeAtomically(json, o.toPrettyString() + "\n");
        }
        return 0;
    }

    private static long[] shape(int batch, long[] natural) {
        long[] s = new long[natural.length + 1];
        s[0] = batch;
        System.arraycopy(natural, 0, s, 1, natural.length);
        return s;
    }

    /** The 8-bit levels k = round((x + 1)·127.5) of images in [−1, 1] (EDM's pixel map). */
    private static Tensor levels(Tensor x) {
        double[] v = x.toDoubleArray();
        double[] k = new double[v.length];
        for (int i = 0; i < v.length; i++) k[i] = Math.rint((v[i] + 1) * 127.5);
        return Tensor.of(k, x.shape(), Device.CPU);
    }
}
