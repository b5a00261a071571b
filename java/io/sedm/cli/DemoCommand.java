package io.sedm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.runtime.NativeRuntime;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.sampler.StepListener;
import io.sedm.schedule.EdmSchedule;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main job on an embedded default: Discriminator Guidance correcting a biased model on real
 * Fashion-MNIST images, with no trained network involved.
 *
 * <p>The "data" is the empirical distribution of {@code --images} real training images, smoothed
 * by a tiny isotropic Gaussian (c = {@code --component-std}); its exact denoiser is the ideal
 * denoiser of EDM (Karras et al. 2022, §2). The "model" is the same mixture with class
 * {@code --biased-class} over-weighted {@code --bias}×, as a model that over-produces one class
 * would. EDM samples the model; SEDM-G++ samples the model guided by the oracle discriminator
 * ln p_data − ln p_model (docs/ALGORITHMS.md §14.3) with the headline λ and w1, and EDM-G++ with
 * w = 1 on both Heun stages recovers the data exactly (§9 test (e)). Class shares of the samples
 * (label of the nearest training image) show how far each moves from the model to the data.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Sample Fashion-MNIST with EDM, SEDM-G++ and exact-guidance EDM-G++ from a biased ideal "
                + "denoiser; write PNG grids and class shares to --outdir.")
final class DemoCommand implements Callable<Integer> {
    private static final int PIXELS = 32 * 32;

    @Option(names = "--outdir", defaultValue = "runs/demo", paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(
            names = "--images",
            defaultValue = "1000",
            paramLabel = "INT",
            description = "real training images in the data mixture, 10..60000")
    int images;

    @Option(
            names = "--component-std",
            defaultValue = "0.02",
            paramLabel = "FLOAT",
            description = "std c of each mixture component, > 0")
    double componentStd;

    @Option(
            names = "--biased-class",
            defaultValue = "0",
            paramLabel = "0..9",
            description = "the class the model over-produces (0 = T-shirt/top)")
    int biasedClass;

    @Option(
            names = "--bias",
            defaultValue = "8",
            paramLabel = "FLOAT",
            description = "its weight factor in the model, > 0")
    double bias;

    @Option(
            names = "--samples",
            defaultValue = "64",
            paramLabel = "INT",
            description = "samples per sampler (seeds 0..n-1)")
    int samples;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "INT", description = "batch size")
    int batch;

    @Option(names = "--steps", defaultValue = "18", paramLabel = "INT", description = "σ levels N (Heun NFE = 2N − 1)")
    int steps;

    @Option(
            names = "--models",
            paramLabel = "DIR",
            description = "the learned default model (denoiser.json, classifier.json, discriminator.json);"
                    + " default: " + LearnedDemo.DEFAULT_MODELS + " of this checkout")
    Path models;

    @Option(
            names = "--learned-samples",
            defaultValue = "60",
            paramLabel = "INT",
            description = "samples per sampler of the learned model (0 = skip that section)")
    int learnedSamples;

    @Option(
            names = "--reference-images",
            defaultValue = "2000",
            paramLabel = "INT",
            description = "real training/test images of the learned section's FD reference (0 = all 60k/10k)")
    int referenceImages;

    @Option(
            names = "--cache",
            paramLabel = "DIR",
            description = "folder of cached reference statistics (default: ~/.cache/sedm/eval)")
    Path cache;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--quiet", description = "no progress display on stderr")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        require(images >= 10 && images <= 60000, "--images must be in [10, 60000], got " + images);
        require(componentStd > 0 && Double.isFinite(componentStd), "--component-std must be > 0, got " + componentStd);
        require(biasedClass >= 0 && biasedClass <= 9, "--biased-class must be in 0..9, got " + biasedClass);
        require(bias > 0 && Double.isFinite(bias), "--bias must be > 0, got " + bias);
        require(samples >= 1 && samples <= 100_000, "--samples must be in [1, 100000], got " + samples);
        require(batch >= 1 && batch <= 65536, "--batch must be in [1, 65536], got " + batch);
        require(steps >= 2 && steps <= 10_000, "--steps must be in [2, 10000], got " + steps);
        require(
                learnedSamples == 0 || (learnedSamples >= 12 && learnedSamples <= 100_000),
                "--learned-samples must be 0 or in [12, 100000], got " + learnedSamples);
        require(referenceImages >= 0, "--reference-images must be >= 0, got " + referenceImages);
        compute.apply();
        Device dev = Device.parse(compute.device());
        System.out.println(NativeRuntime.buildInfo() + "; device " + dev);
        Path modelDir = models != null ? models : FeatureOptions.inCheckout(LearnedDemo.DEFAULT_MODELS);
        require(
                models == null || learnedSamples == 0 || LearnedDemo.present(models),
                "--models " + models + ": needs denoiser.json, classifier.json and discriminator.json");
        ImageDataset data = FashionMnist.load(FashionMnist.directory(), true, images, 32);
        int n = data.size();
        double[][] means = new double[n][];
        double[] variances = new double[n];
        double[] dataWeights = new double[n];
        double[] modelWeights = new double[n];
        for (int i = 0; i < n; i++) {
            means[i] = new double[PIXELS];
            for (int j = 0; j < PIXELS; j++) {
                means[i][j] = data.pixels()[i * PIXELS + j];
            }
            variances[i] = componentStd * componentStd;
            dataWeights[i] = 1.0;
            modelWeights[i] = data.labels()[i] == biasedClass ? bias : 1.0;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put(
                "options",
                Map.of(
                        "images",
                        n,
                        "component_std",
                        componentStd,
                        "biased_class",
                        biasedClass,
                        "bias",
                        bias,
                        "samples",
                        samples,
                        "batch",
                        batch,
                        "steps",
                        steps,
                        "device",
                        dev.toString()));
        double[] sigmas = EdmSchedule.sigmas(steps);
        long[] seeds = java.util.stream.LongStream.range(0, samples).toArray();
        double[] dataShare = classShares(data.labels(), dataWeights);
        double[] modelShare = classShares(data.labels(), modelWeights);
        report.put("data", dataShare);
        report.put("model", modelShare);
        EdmSampler.Options edm = EdmSampler.Options.edm();
        Map<String, EdmSampler.Options> runs = new LinkedHashMap<>();
        runs.put("edm", edm);
        runs.put("sedm-gpp", EdmSampler.Options.sedmGpp());
        runs.put("edm-gpp-exact", edm.withGuidance(1.0, 1.0).withWindow(0.0, 1.0));
        try (RunFolder folder = RunFolder.open(out, "--outdir");
                GaussianMixtureDenoiser model = GaussianMixtureDenoiser.of(modelWeights, means, variances, dev);
                GaussianMixtureDenoiser truth = GaussianMixtureDenoiser.of(dataWeights, means, variances, dev)) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(truth.density(), model.density());
            if (learnedSamples > 0 && LearnedDemo.present(modelDir)) {
                FeatureOptions features = new FeatureOptions();
                features.referenceImages = referenceImages;
                features.cache = cache;
                report.put("learned", LearnedDemo.run(modelDir, learnedSamples, batch, steps, features, dev, folder));
                System.out.println();
            } else if (learnedSamples > 0) {
                System.out.println("(no learned default model in " + modelDir
                        + " yet: scripts/dg-pipeline.sh trains one; the exact-mixture section follows)");
            }
            System.out.println("exact mixture of " + n + " real images, class " + biasedClass + " over-weighted " + bias
                    + "x in the model:");
            System.out.printf("%-22s %s%n", "", header());
            System.out.printf("%-22s %s%n", "data (real images)", row(dataShare));
            System.out.printf("%-22s %s%n", "model (biased)", row(modelShare));
            for (Map.Entry<String, EdmSampler.Options> run : runs.entrySet()) {
                long t0 = System.nanoTime();
                double[] x = Batches.run(
                        "demo " + run.getKey(),
                        new EdmSampler(run.getValue(), oracle),
                        model,
                        sigmas,
                        seeds,
                        new long[] {1, 32, 32},
                        batch,
                        dev,
                        null,
                        StepListener.NONE,
                        !quiet);
                double seconds = (System.nanoTime() - t0) / 1e9;
                int[] cls = nearestLabels(x, data);
                double[] share = classShares(cls, null);
                ImageGrid.write(folder.file(run.getKey() + ".png"), x, Math.min(samples, 64), 1, 32, 32);
                System.out.printf("%-22s %s   (%.1f s)%n", run.getKey(), row(share), seconds);
                report.put(
                        run.getKey(),
                        Map.of(
                                "class_shares",
                                share,
                                "seconds",
                                seconds,
                                "lambda",
                                run.getValue().epsilonScaling().b(),
                                "w1",
                                run.getValue().guidance().w1(),
                                "w2",
                                run.getValue().guidance().w2()));
            }
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(folder.file("report.json").toFile(), report);
            folder.commit();
        }
        System.out.printf(
                "class %d (%s) share: data %.3f, model %.3f — see %s/{edm,sedm-gpp,edm-gpp-exact}.png and report.json%n",
                biasedClass,
                FashionMnist.CLASS_NAMES[biasedClass],
                dataShare[biasedClass],
                modelShare[biasedClass],
                out);
        return 0;
    }

    /** Label of the nearest training image (L2) for every sample. */
    private static int[] nearestLabels(double[] x, ImageDataset data) {
        int count = x.length / PIXELS;
        int[] labels = new int[count];
        for (int s = 0; s < count; s++) {
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < data.size(); i++) {
                double d = 0;
                for (int j = 0; j < PIXELS && d < best; j++) {
                    double e = x[s * PIXELS + j] - data.pixels()[i * PIXELS + j];
                    d += e * e;
                }
                if (d < best) {
                    best = d;
                    labels[s] = data.labels()[i];
                }
            }
        }
        return labels;
    }

    private static double[] classShares(int[] labels, double[] weights) {
        double[] share = new double[10];
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
            double w = weights == null ? 1.0 : weights[i];
            share[labels[i]] += w;
            total += w;
        }
        for (int k = 0; k < 10; k++) {
            share[k] /= total;
        }
        return share;
    }

    private static String header() {
        StringBuilder sb = new StringBuilder();
        for (String name : new String[] {
            "tshirt", "trouser", "pullov", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"
        }) {
            sb.append(String.format(Locale.ROOT, "%8s", name));
        }
        return sb.toString();
    }

    private static String row(double[] share) {
        StringBuilder sb = new StringBuilder();
        for (double s : share) {
            sb.append(String.format(Locale.ROOT, "%8.3f", s));
        }
        return sb.toString();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
