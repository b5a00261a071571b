package io.sedm.imports;

import io.sedm.runtime.Network;
import io.sedm.runtime.StateDict;
import io.sedm.runtime.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Matches another program's tensors to a sedm network's, name by name and shape by shape, and
 * copies them in only when every one matches. The official names are turned into sedm names by
 * {@code rename} (null = not a network tensor: the caller has checked and consumed it, e.g. EDM's
 * {@code resample_filter} buffers); then every file tensor must name a sedm tensor of the same
 * shape and every sedm tensor must be given. All problems are collected into one
 * {@link ImportException}: unknown keys, missing keys, wrong shapes.
 */
public final class WeightMapping {
    /** At most this many names of each problem appear in a message. */
    static final int SHOWN = 12;

    private WeightMapping() {}

    /**
     * Validates {@code source} against {@code net} and, if everything maps, sets every tensor of
     * {@code net} (converted to its dtype). {@code officialName} (sedm → official) names missing
     * tensors in the message. Returns sedm name → official name.
     */
    public static Map<String, String> copyInto(
            StateDict source,
            Path file,
            Network net,
            Function<String, String> rename,
            Function<String, String> officialName) {
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (Network.TensorInfo t : net.tensors()) {
            expected.put(t.name(), t.shape());
        }
        List<String> unknown = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        Map<String, Integer> index = new LinkedHashMap<>();
        Map<String, String> official = new LinkedHashMap<>();
        java.util.Set<String> given = new java.util.HashSet<>();
        List<String> names = source.names();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String mapped = rename.apply(name);
            if (mapped == null) {
                continue;
            }
            long[] want = expected.get(mapped);
            if (want == null) {
                unknown.add(name);
                continue;
            }
            if (index.containsKey(mapped)) {
                unknown.add(name + " (a second tensor for " + mapped + ")");
                continue;
            }
            given.add(mapped);
            try (Tensor t = source.get(i)) {
                if (!Arrays.equals(t.shape(), want)) {
                    wrongShape.add(name + ": file " + Arrays.toString(t.shape()) + ", sedm " + Arrays.toString(want));
                    continue;
                }
            }
            index.put(mapped, i);
            official.put(mapped, name);
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!given.contains(name)) {
                missing.add(officialName.apply(name));
            }
        }
        if (!unknown.isEmpty() || !missing.isEmpty() || !wrongShape.isEmpty()) {
            throw new ImportException(
                    file + " does not fit the sedm network (" + net.tensors().size()
                            + " tensors); nothing was written:" + problems("unknown key", unknown)
                            + problems("missing key", missing) + problems("wrong shape", wrongShape));
        }
        for (var e : index.entrySet()) {
            try (Tensor t = source.get(e.getValue())) {
                net.set(e.getKey(), t);
            }
        }
        return official;
    }

    static String problems(String what, List<String> items) {
        if (items.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n  ")
                .append(items.size())
                .append(' ')
                .append(what)
                .append(items.size() == 1 ? "" : "s")
                .append(": ");
        b.append(String.join(", ", items.subList(0, Math.min(SHOWN, items.size()))));
        if (items.size() > SHOWN) {
            b.append(", … (").append(items.size() - SHOWN).append(" more)");
        }
        return b.toString();
    }
}
