package io.sedm.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The networks of the official NVlabs/edm snapshots ({@code edm-<dataset>-<res>-<cond>-<arch>.pkl}),
 * from the training options of NVlabs/edm README.md ("exact training configurations") applied to
 * train.py: {@code --arch=ddpmpp} → DDPM++ SongUNet (VP preconditioning), {@code ncsnpp} → NCSN++
 * SongUNet (VE), {@code adm} → DhariwalUNet (EDM). Every CIFAR-10/FFHQ/AFHQv2 model was trained
 * with augmentation ({@code augment_dim} 9); ImageNet without.
 */
public final class EdmNetworkConfigs {

    private EdmNetworkConfigs() {}

    /**
     * One official network.
     *
     * @param name         the snapshot's name without ".pkl"
     * @param network      the network inside its preconditioner ({@code net.model})
     * @param precond      "vp", "ve" or "edm" (EDM's VPPrecond, VEPrecond, EDMPrecond)
     * @param parameters   its parameter count, from NVlabs/edm's training/networks.py (counted by
     *                     running it; see NetworkArchitectureTest)
     */
    public record EdmNetwork(String name, NetworkConfig network, String precond, long parameters) {}

    private static final Map<String, EdmNetwork> ALL = build();

    private static Map<String, EdmNetwork> build() {
        SongUNetConfig cifar = SongUNetConfig.ddpmppCifar10();
        // --cres=1,2,2,2 at 64×64, --dropout=0.05 (FFHQ) / 0.25 (AFHQv2)
        SongUNetConfig ffhq =
                cifar.withImgResolution(64).withChannelMult(1, 2, 2, 2).withDropout(0.05);
        SongUNetConfig afhq = ffhq.withDropout(0.25);
        Map<String, EdmNetwork> m = new LinkedHashMap<>();
        List.of(
                        new EdmNetwork("edm-cifar10-32x32-cond-vp", cifar.withLabelDim(10), "vp", 55_735_299L),
                        new EdmNetwork(
                                "edm-cifar10-32x32-cond-ve", cifar.asNcsnpp().withLabelDim(10), "ve", 56_400_643L),
                        new EdmNetwork("edm-cifar10-32x32-uncond-vp", cifar, "vp", 55_733_891L),
                        new EdmNetwork("edm-cifar10-32x32-uncond-ve", cifar.asNcsnpp(), "ve", 56_397_827L),
                        new EdmNetwork("edm-ffhq-64x64-uncond-vp", ffhq, "vp", 61_805_571L),
                        new EdmNetwork("edm-ffhq-64x64-uncond-ve", ffhq.asNcsnpp(), "ve", 62_761_091L),
                        new EdmNetwork("edm-afhqv2-64x64-uncond-vp", afhq, "vp", 61_805_571L),
                        new EdmNetwork("edm-afhqv2-64x64-uncond-ve", afhq.asNcsnpp(), "ve", 62_761_091L),
                        new EdmNetwork(
                                "edm-imagenet-64x64-cond-adm", DhariwalUNetConfig.imagenet64(), "edm", 295_899_267L))
                .forEach(n -> m.put(n.name(), n));
        return m;
    }

    /** Every official network, in the order of EDM's README. */
    public static List<EdmNetwork> all() {
        return List.copyOf(ALL.values());
    }

    /** The official network called {@code name} (with or without ".pkl"; case-insensitive). */
    public static EdmNetwork byName(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (key.endsWith(".pkl")) {
            key = key.substring(0, key.length() - 4);
        }
        EdmNetwork n = ALL.get(key);
        if (n == null) {
            throw new IllegalArgumentException(
                    "no official EDM network '" + name + "'; known: " + String.join(", ", ALL.keySet()));
        }
        return n;
    }
}
