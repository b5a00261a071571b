package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.train.Checkpoint;
import io.sedm.train.TrainOptions;
import io.sedm.train.VlbBitsPerDim;
import io.sedm.train.VlbTerms;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sedm vlb}: the DDPM variational bound in bits/dim of the first Fashion-MNIST test images
 * ({@link VlbBitsPerDim}, improved-diffusion's calc_bpd_loop) under a checkpoint trained with
 * {@code --loss ddpm} (fixed variance β̃ or β) or {@code --loss hybrid} (learned range). The images
 * are the model's 32×32 inputs (28×28 padded with black), d = 1024.
 */
@Command(
        name = "vlb",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "DDPM variational bound (bits/dim) of Fashion-MNIST test images under a --loss ddpm|hybrid"
                + " checkpoint: Σ_t KL + decoder NLL + prior KL, mean ± s.e. over images, as JSON.")
final class VlbCommand implements Callable<Integer> {
    @Option(names = "--denoiser", required = true, paramLabel = "SIDECAR", description = "denoiser checkpoint")
    String denoiser;

    @Option(names = "--images", defaultValue = "16", paramLabel = "INT", description = "the first N test images")
    int images;

    @Option(
            names = "--variance",
            defaultValue = "learned",
            paramLabel = "learned|small|large",
            description = "ln Σ_θ: the network's learned range (hybrid), β̃_t or β_t")
    String variance;

    @Option(
            names = "--stride",
            defaultValue = "1",
            paramLabel = "INT",
            description = "1 = every t (exact sum); k > 1 = one random t per block of k, weighted k (unbiased)")
    int stride;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "INT", description = "images per network pass")
    int batch;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "INT", description = "seeds the noise of every t")
    long seed;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public Integer call() {
        TrainCommand.require(images >= 1 && images <= 10000, "--images must be in [1, 10000], got " + images);
        TrainCommand.require(stride >= 1, "--stride must be >= 1, got " + stride);
        TrainCommand.require(batch >= 1, "--batch must be >= 1, got " + batch);
        VlbTerms.Variance v = switch (variance) {
            case "learned" -> VlbTerms.Variance.LEARNED_RANGE;
            case "small" -> VlbTerms.Variance.FIXED_SMALL;
            case "large" -> VlbTerms.Variance.FIXED_LARGE;
            default ->
                throw new IllegalArgumentException(
                        "--variance must be learned, small or large, got '" + variance + "'");
        };
        compute.apply();
        Device dev = Device.parse(compute.device());
        Checkpoint ckpt = Checkpoint.read(java.nio.file.Path.of(denoiser), Checkpoint.Kind.DENOISER, "--denoiser");
        TrainOptions training = ckpt.training(TrainOptions.class);
        TrainCommand.require(
                training.loss().equals("ddpm") || training.loss().equals("hybrid"),
                "--denoiser " + denoiser + " was trained with --loss " + training.loss()
                        + "; the bound needs an ε-network of the DDPM chain (--loss ddpm or hybrid)");
        int resolution = ckpt.network() instanceof io.sedm.train.SongUNetConfig u ? u.imgResolution() : 0;
        TrainCommand.require(
                resolution >= 28 && (resolution - 28) % 2 == 0,
                "--denoiser " + denoiser + " is a network for " + resolution
                        + "² images; the bound is over Fashion-MNIST"
                        + " test images (28² padded to the network's resolution)");
        ImageDataset test = FashionMnist.load(FashionMnist.directory(), false, images, resolution);
        VlbTerms terms = new VlbTerms(io.sedm.schedule.BetaSchedule.linear(1000));
        int n = test.size(), dims = test.imageSize();
        double[] total = new double[n], prior = new double[n], decoder = new double[n], kl = new double[n];
        long start = System.nanoTime();
        try (Network net = ckpt.loadDenoiser(dev)) {
            VlbBitsPerDim.Model model = VlbBitsPerDim.network(
                    net, io.sedm.runtime.DType.valueOf(ckpt.network().dtype().toUpperCase(Locale.ROOT)));
            for (int first = 0; first < n; first += batch) {
                int b = Math.min(batch, n - first);
                double[] x0 = new double[b * dims];
                for (int i = 0; i < x0.length; i++) x0[i] = test.pixels()[first * dims + i];
                long[] shape = {b, test.channels(), test.height(), test.width()};
                VlbBitsPerDim.Result r = VlbBitsPerDim.evaluate(terms, v, model, x0, shape, seed + first, stride);
                System.arraycopy(r.total(), 0, total, first, b);
                System.arraycopy(r.prior(), 0, prior, first, b);
                System.arraycopy(r.decoder(), 0, decoder, first, b);
                System.arraycopy(r.kl(), 0, kl, first, b);
            }
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("denoiser", denoiser).put("loss", training.loss()).put("variance", variance);
        out.put("images", n).put("stride", stride).put("seed", seed);
        put(out, "bpd", total);
        put(out, "prior_bpd", prior);
        put(out, "decoder_bpd", decoder);
        put(out, "kl_bpd", kl);
        var per = out.putArray("per_image_bpd"); // for paired comparisons on the same images and noise
        for (double x : total) per.add(x);
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        System.out.println(out.toPrettyString());
        return 0;
    }

    /** mean and standard error over images. */
    private static void put(ObjectNode out, String key, double[] xs) {
        double m = 0;
        for (double x : xs) m += x;
        m /= xs.length;
        double ss = 0;
        for (double x : xs) ss += (x - m) * (x - m);
        double se = xs.length > 1 ? Math.sqrt(ss / (xs.length - 1) / xs.length) : Double.NaN;
        out.putObject(key).put("mean", m).put("se", se);
    }
}
