package io.sedm.cli;

import io.sedm.data.FashionMnist;
import io.sedm.eval.FeatureNetwork;
import io.sedm.eval.ReferenceFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The feature network and its reference statistics: options shared by {@code eval} and {@code study}. */
final class FeatureOptions {
    /** The feature network shipped in the repository. */
    static final String DEFAULT_FEATURES = "models/fmnist-features/classifier.json";

    @Option(
            names = "--features",
            paramLabel = "SIDECAR",
            description = "feature classifier checkpoint (default: " + DEFAULT_FEATURES + " of this checkout)")
    Path features;

    @Option(
            names = "--cache",
            paramLabel = "DIR",
            description = "folder of cached reference statistics (default: ~/.cache/sedm/eval)")
    Path cache;

    @Option(names = "--k", defaultValue = "3", paramLabel = "INT", description = "k of the k-NN metrics, in [1, 50]")
    int k = 3;

    @Option(
            names = "--reference-images",
            defaultValue = "0",
            paramLabel = "INT",
            description = "use only the first N training and test images as the reference (0 = all 60k/10k;"
                    + " for quick looks — such FDs are not comparable with full ones)")
    int referenceImages;

    /** Checks the options; returns the feature checkpoint's sidecar. */
    Path validate() {
        TrainCommand.require(k >= 1 && k <= 50, "--k must be in [1, 50], got " + k);
        TrainCommand.require(referenceImages >= 0, "--reference-images must be >= 0, got " + referenceImages);
        Path sidecar = features != null ? features : defaultFeatures();
        TrainCommand.require(
                Files.isRegularFile(sidecar),
                "--features " + sidecar + ": no such file (train one with sedm train-features)");
        return sidecar;
    }

    /** The reference features of {@code net}, from the cache or computed (and cached). */
    ReferenceFeatures reference(FeatureNetwork net, Consumer<String> log) {
        Path dir = cache != null ? cache : Path.of(System.getProperty("user.home"), ".cache", "sedm", "eval");
        if (referenceImages == 0) {
            return ReferenceFeatures.load(net, dir, log);
        }
        Path data = FashionMnist.directory();
        return ReferenceFeatures.load(
                net,
                dir,
                "fmnist-first" + referenceImages,
                () -> FashionMnist.load(data, true, referenceImages, 32),
                FashionMnist.load(data, false, referenceImages, 32),
                log);
    }

    /** The default feature checkpoint: relative to the working folder, else to the checkout holding the jar. */
    static Path defaultFeatures() {
        return inCheckout(DEFAULT_FEATURES);
    }

    /**
     * A path of the repository ({@code models/...}): relative to the working folder when it exists
     * there, else relative to the checkout that holds the running jar, else the plain relative path.
     */
    static Path inCheckout(String relative) {
        Path here = Path.of(relative);
        if (Files.exists(here)) return here;
        try {
            Path jar = Path.of(FeatureOptions.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                if (Files.exists(p.resolve(relative))) return p.resolve(relative);
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall through to the plain relative path, whose absence the caller reports
        }
        return here;
    }
}
