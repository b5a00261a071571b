package io.sedm.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sedm.data.FashionMnist;
import io.sedm.data.ImageDataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sample quality of generated Fashion-MNIST images in a {@link FeatureNetwork}'s space
 * (docs/ALGORITHMS.md §10): per run (a set of samples from one seed range) the Fréchet distance
 * against the 10k test features and against the 60k training statistics, precision/recall
 * (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020) with k = 3 against test
 * features, and the classifier's class histogram with its KL to uniform; over the runs each metric
 * as mean ± s.e. with min and max ({@link Runs}; the thesis and EDM report the min and mean of three
 * seed ranges).
 *
 * <p><b>Real sets for the k-NN metrics.</b> Precision/recall and density/coverage depend on the
 * set sizes, so run r of M samples is compared with M test features: rows [r·M, (r + 1)·M) when
 * all runs fit into the 10k test images disjointly (independent runs), else the first M rows
 * (at most 10 000).
 */
public final class SampleQuality {
    private SampleQuality() {}

    /** The metric names, in table order. */
    public static final List<String> METRICS =
            List.of("fd_test", "fd_train", "precision", "recall", "density", "coverage", "kl_uniform");

    /** One run's measurements. */
    public record Metrics(
            String name,
            int count,
            double fdTest,
            double fdTrain,
            double precision,
            double recall,
            double density,
            double coverage,
            ClassHistogram classes) {

        /** The value of one of {@link #METRICS}. */
        public double get(String metric) {
            return switch (metric) {
                case "fd_test" -> fdTest;
                case "fd_train" -> fdTrain;
                case "precision" -> precision;
                case "recall" -> recall;
                case "density" -> density;
                case "coverage" -> coverage;
                case "kl_uniform" -> classes.klToUniform();
                default -> throw new IllegalArgumentException("unknown metric " + metric);
            };
        }
    }

    /**
     * The report: every run, each metric over the runs, and the reference facts.
     *
     * @param floor        FD(test features, training statistics)
     * @param testAccuracy the feature classifier's test accuracy
     */
    public record Report(
            List<Metrics> runs,
            Map<String, Runs> summary,
            int k,
            int featureDim,
            String featureId,
            double floor,
            double testAccuracy) {}

    /** A named set of generated images. */
    public record Named(String name, ImageDataset images) {}

    /** Measures every set against {@code ref} with k-NN metrics of neighbourhood size {@code k}. */
    public static Report evaluate(FeatureNetwork net, ReferenceFeatures ref, List<Named> sets, int k) {
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("need at least one set of samples");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int total = 0;
        for (Named s : sets) {
            if (s.images().size() <= k) {
                throw new IllegalArgumentException(
                        s.name() + ": " + s.images().size() + " images; the k-NN metrics need more than k = " + k);
            }
            total += s.images().size();
        }
        boolean disjoint = total <= ref.testFeatures().length;
        List<Metrics> runs = new ArrayList<>();
        int offset = 0;
        for (Named s : sets) {
            FeatureNetwork.Outputs o = net.apply(s.images());
            int m = Math.min(o.features().length, ref.testFeatures().length);
            int from = disjoint ? offset : 0;
            double[][] real = java.util.Arrays.copyOfRange(ref.testFeatures(), from, from + m);
            offset += m;
            runs.add(measure(s.name(), o, ref, real, k, net.numClasses()));
        }
        Map<String, Runs> summary = new LinkedHashMap<>();
        for (String metric : METRICS) {
            double[] v = new double[runs.size()];
            for (int i = 0; i < v.length; i++) v[i] = runs.get(i).get(metric);
            summary.put(metric, Runs.of(v));
        }
        return new Report(runs, summary, k, net.dim(), net.id(), ref.floor(), ref.testAccuracy());
    }

    /** One run: FDs against the test and training statistics, k-NN metrics against {@code real}. */
    static Metrics measure(
            String name, FeatureNetwork.Outputs fake, ReferenceFeatures ref, double[][] real, int k, int classes) {
        FeatureStatistics stats = FeatureStatistics.of(fake.features());
        PrecisionRecall pr = PrecisionRecall.of(real, fake.features(), k);
        DensityCoverage dc = DensityCoverage.of(real, fake.features(), k);
        return new Metrics(
                name,
                fake.features().length,
                FrechetDistance.between(stats, ref.test()),
                FrechetDistance.between(stats, ref.train()),
                pr.precision(),
                pr.recall(),
                dc.density(),
                dc.coverage(),
                ClassHistogram.of(fake.predicted(), classes));
    }

    /** Splits {@code images} into {@code parts} contiguous, disjoint, nearly equal ranges (seed ranges). */
    public static List<Named> split(String name, ImageDataset images, int parts) {
        if (parts < 1 || parts > images.size()) {
            throw new IllegalArgumentException("cannot split " + images.size() + " images into " + parts + " parts");
        }
        List<Named> out = new ArrayList<>();
        int n = images.size();
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            out.add(new Named(
                    parts == 1 ? name : name + "[" + from + ":" + to + "]",
                    ReferenceFeatures.slice(images, from, to - from)));
        }
        return out;
    }

    /** The report as JSON. */
    public static ObjectNode json(Report r) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("k", r.k())
                .put("feature_dim", r.featureDim())
                .put("feature_network", r.featureId())
                .put("classifier_test_accuracy", r.testAccuracy())
                .put("floor_fd_test_vs_train", r.floor());
        ArrayNode runs = root.putArray("runs");
        for (Metrics x : r.runs()) {
            ObjectNode o = runs.addObject();
            o.put("name", x.name()).put("count", x.count());
            for (String metric : METRICS) o.put(metric, x.get(metric));
            ArrayNode h = o.putArray("class_frequencies");
            for (double f : x.classes().frequencies()) h.add(f);
        }
        ObjectNode s = root.putObject("summary");
        for (Map.Entry<String, Runs> e : r.summary().entrySet()) {
            Runs v = e.getValue();
            ObjectNode o = s.putObject(e.getKey());
            o.put("mean", v.mean()).put("min", v.min()).put("max", v.max()).put("runs", v.count());
            if (Double.isFinite(v.standardError())) o.put("se", v.standardError());
            else o.putNull("se");
        }
        return root;
    }

    /** A plain table: one row per metric, a column per run, then mean ± s.e. and min; then class shares. */
    public static String table(Report r) {
        StringBuilder b = new StringBuilder();
        int w = 12;
        b.append(String.format(Locale.ROOT, "%-12s", "metric"));
        for (int i = 0; i < r.runs().size(); i++) b.append(String.format(Locale.ROOT, "%" + w + "s", "run " + i));
        b.append(String.format(Locale.ROOT, "%22s%" + w + "s%n", "mean ± s.e.", "min"));
        for (String metric : METRICS) {
            b.append(String.format(Locale.ROOT, "%-12s", metric));
            for (Metrics x : r.runs()) b.append(String.format(Locale.ROOT, "%" + w + ".4g", x.get(metric)));
            Runs v = r.summary().get(metric);
            String se = Double.isFinite(v.standardError())
                    ? String.format(Locale.ROOT, "%.4g ± %.2g", v.mean(), v.standardError())
                    : String.format(Locale.ROOT, "%.4g", v.mean());
            b.append(String.format(Locale.ROOT, "%22s%" + w + ".4g%n", se, v.min()));
        }
        b.append(String.format(Locale.ROOT, "%nclass shares (classifier):%n%-12s", "run"));
        for (int c = 0; c < r.runs().getFirst().classes().numClasses(); c++) {
            String label = c < FashionMnist.CLASS_NAMES.length ? FashionMnist.CLASS_NAMES[c] : "c" + c;
            b.append(String.format(Locale.ROOT, "%8.7s", label));
        }
        b.append('\n');
        for (int i = 0; i < r.runs().size(); i++) {
            b.append(String.format(Locale.ROOT, "%-12s", "run " + i));
            for (double f : r.runs().get(i).classes().frequencies()) b.append(String.format(Locale.ROOT, "%8.3f", f));
            b.append('\n');
        }
        b.append(String.format(
                Locale.ROOT,
                "%nruns: %s%nfeature network %s (d = %d), test accuracy %.4f; floor FD(test, train) = %.4g; k = %d%n",
                String.join(
                        ", ",
                        r.runs().stream()
                                .map(x -> x.name() + " (" + x.count() + ")")
                                .toList()),
                r.featureId(),
                r.featureDim(),
                r.testAccuracy(),
                r.floor(),
                r.k()));
        return b.toString();
    }
}
