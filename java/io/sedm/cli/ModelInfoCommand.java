package io.sedm.cli;

import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.EdmNetworkConfigs;
import io.sedm.train.NetworkConfig;
import io.sedm.train.SongUNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sedm model-info}: builds a network on the CPU and prints its parameter count and tensors. */
@Command(
        name = "model-info",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "Print the parameter count (and optionally the tensor list) of a network config.")
public final class ModelInfoCommand implements Callable<Integer> {

    @Option(
            names = "--preset",
            defaultValue = "ddpmpp-cifar10",
            paramLabel = "NAME",
            description = "ddpmpp-cifar10 | ncsnpp-cifar10 | ddpmpp-fmnist | dg-trunk | dg-classifier | "
                    + "dg-discriminator | an official EDM network: edm-cifar10-32x32-{cond,uncond}-{vp,ve}, "
                    + "edm-ffhq-64x64-uncond-{vp,ve}, edm-afhqv2-64x64-uncond-{vp,ve}, edm-imagenet-64x64-cond-adm")
    String preset;

    @Option(
            names = "--config",
            paramLabel = "FILE|JSON",
            description = "a network config (JSON text or file); overrides --preset")
    String config;

    @Option(names = "--tensors", description = "also list every named tensor with its shape")
    boolean tensors;

    @Option(names = "--dry-run", description = "print the resolved config JSON and exit")
    boolean dryRun;

    /** The config a preset name stands for. */
    static NetworkConfig preset(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (key.startsWith("edm-")) {
            return EdmNetworkConfigs.byName(key).network();
        }
        return switch (key) {
            case "ddpmpp-cifar10" -> SongUNetConfig.ddpmppCifar10();
            case "ncsnpp-cifar10" -> SongUNetConfig.ncsnppCifar10();
            case "ddpmpp-fmnist" -> SongUNetConfig.fashionMnist();
            case "dg-trunk" -> AdmEncoderConfig.dgTrunk32();
            case "dg-classifier" -> AdmEncoderConfig.dgTrunk32().asClassifier(1000);
            case "dg-discriminator" -> AdmEncoderConfig.dgDiscriminator();
            default ->
                throw new IllegalArgumentException("--preset must be ddpmpp-cifar10, ncsnpp-cifar10, ddpmpp-fmnist, "
                        + "dg-trunk, dg-classifier, dg-discriminator or an official EDM network ("
                        + String.join(
                                ", ",
                                EdmNetworkConfigs.all().stream()
                                        .map(EdmNetworkConfigs.EdmNetwork::name)
                                        .toList())
                        + "); got '" + name + "'");
        };
    }

    /** The config JSON: a preset, a JSON object, a config file, or a checkpoint sidecar (its network). */
    static String configJson(String config, String preset) throws java.io.IOException {
        if (config == null) return preset(preset).toJson();
        if (config.trim().startsWith("{"))
            return io.sedm.train.NetworkConfig.fromJson(config).toJson();
        Path p = Path.of(config);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("--config " + config + ": neither a JSON object nor an existing file");
        }
        String text = Files.readString(p);
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("--config " + config + ": not a JSON object");
        }
        if (node.has("format"))
            return io.sedm.train.Checkpoint.read(p).network().toJson();
        return io.sedm.train.NetworkConfig.fromJson(text).toJson();
    }

    @Override
    public Integer call() throws Exception {
        String json = configJson(config, preset);
        try (Network net = Network.create(json, Device.CPU)) {
            if (dryRun) {
                System.out.println(net.config());
                return 0;
            }
            System.out.printf(Locale.ROOT, "%s%nparameters: %,d%n", net.config(), net.parameterCount());
            if (tensors) {
                for (Network.TensorInfo t : net.tensors()) {
                    System.out.println(t.name() + " " + java.util.Arrays.toString(t.shape())
                            + (t.isParameter() ? "" : " (buffer)"));
                }
            }
        }
        return 0;
    }
}
