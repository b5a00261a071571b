package io.sedm.cli;

import io.sedm.eval.FeatureNetwork;
import io.sedm.eval.ReferenceFeatures;
import io.sedm.eval.Runs;
import io.sedm.eval.SampleQuality;
import io.sedm.runtime.Device;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.StepListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The demo's learned section: the shipped Fashion-MNIST denoiser sampled with EDM, EDM-G++ and
 * SEDM-G++ (Heun, the published presets, the same seeds), each measured by {@link SampleQuality}
 * over three disjoint seed ranges. The model folder holds {@code denoiser.json},
 * {@code classifier.json} and {@code discriminator.json} sidecars with the weights they name.
 */
final class LearnedDemo {
    /** Where the shipped default model lives, relative to a checkout. */
    static final String DEFAULT_MODELS = "models/fmnist-default";

    private LearnedDemo() {}

    /** Whether {@code dir} holds the three sidecars. */
    static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve("denoiser.json"))
                && Files.isRegularFile(dir.resolve("classifier.json"))
                && Files.isRegularFile(dir.resolve("discriminator.json"));
    }

    /**
     * Samples and measures; writes {@code learned-<sampler>.png} through {@code folder} and prints
     * one table row per sampler. Returns the report entries (per sampler: seconds, metric → mean/se).
     */
    static Map<String, Object> run(
            Path dir, int samples, int batch, int steps, FeatureOptions features, Device dev, RunFolder folder)
            throws Exception {
        Map<String, EdmSampler.Options> samplers = new LinkedHashMap<>();
        samplers.put("edm", EdmSampler.Options.edm());
        samplers.put("edm-gpp", EdmSampler.Options.edmGpp());
        samplers.put("sedm-gpp", EdmSampler.Options.sedmGpp());
        long[] seeds = LongStream.range(0, samples).toArray();
        Map<String, Object> report = new LinkedHashMap<>();
        Path sidecar = features.validate();
        try (SampleCommand.Models m = SampleCommand.load(
                        dir.resolve("denoiser.json").toString(),
                        null,
                        dir.resolve("classifier.json").toString(),
                        dir.resolve("discriminator.json").toString(),
                        dev);
                FeatureNetwork net = FeatureNetwork.load(sidecar, dev)) {
            ReferenceFeatures ref = features.reference(net, line -> System.err.println("demo: " + line));
            double[] sigmas = StudyCommand.sigmas(steps, m.denoiser());
            System.out.printf(
                    Locale.ROOT,
                    "learned default model (%s), %d samples per sampler, Heun %d NFE; against the first %s"
                            + " reference images, mean ± s.e. over 3 seed ranges:%n",
                    dir,
                    samples,
                    2 * steps - 1,
                    features.referenceImages == 0 ? "60k/10k" : Integer.toString(features.referenceImages));
            System.out.printf("%-10s %-20s %-16s %-16s %s%n", "sampler", "fd_train", "precision", "recall", "time");
            for (Map.Entry<String, EdmSampler.Options> s : samplers.entrySet()) {
                long t0 = System.nanoTime();
                double[] x = m.sample(
                        "demo learned " + s.getKey(),
                        new EdmSampler(s.getValue(), m.discriminator()),
                        sigmas,
                        seeds,
                        new long[] {1, 32, 32},
                        batch,
                        dev,
                        StepListener.NONE,
                        false);
                double seconds = (System.nanoTime() - t0) / 1e9;
                SampleQuality.Report r = StudyCommand.measure(net, ref, s.getKey(), x, 3, features.k);
                ImageGrid.write(folder.file("learned-" + s.getKey() + ".png"), x, Math.min(samples, 64), 1, 32, 32);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("seconds", seconds);
                for (Map.Entry<String, Runs> e : r.summary().entrySet()) {
                    entry.put(
                            e.getKey(),
                            Map.of(
                                    "mean",
                                    e.getValue().mean(),
                                    "se",
                                    e.getValue().standardError()));
                }
                report.put(s.getKey(), entry);
                System.out.printf(
                        Locale.ROOT,
                        "%-10s %-20s %-16s %-16s %.1f s%n",
                        s.getKey(),
                        pm(r.summary().get("fd_train")),
                        pm(r.summary().get("precision")),
                        pm(r.summary().get("recall")),
                        seconds);
            }
        } catch (IOException e) {
            throw new IOException("demo: the learned model in " + dir + ": " + e.getMessage(), e);
        }
        return report;
    }

    private static String pm(Runs r) {
        return String.format(Locale.ROOT, "%.4g ± %.2g", r.mean(), r.standardError());
    }
}
