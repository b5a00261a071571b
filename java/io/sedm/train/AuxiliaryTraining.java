package io.sedm.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sedm.data.ImageDataset;
import io.sedm.dist.DataParallel;
import io.sedm.dist.ProcessGroup;
import io.sedm.dist.Shard;
import io.sedm.runtime.Adam;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@link ClassifierTrainer} and {@link DiscriminatorTrainer} share: the trained network and
 * its Adam, the step, the run info, checkpoints (save, restore), closing, and noisy batches.
 */
abstract sealed class AuxiliaryTraining implements AuxiliaryTrainer permits ClassifierTrainer, DiscriminatorTrainer {
    private final Checkpoint.Kind kind;
    private final NetworkConfig config;
    private final Object options;
    /** The network Adam trains (the classifier, or the discriminator's head). */
    final Network net;

    /** Adam over {@link #net}. */
    final Adam adam;

    long step;
    private JsonNode runInfo;
    /** Non-null when this trainer is one rank of a data-parallel run. */
    DataParallel dp;

    AuxiliaryTraining(
            Checkpoint.Kind kind, AdmEncoderConfig config, Object options, double weightDecay, Device device) {
        this.kind = kind;
        this.config = config;
        this.options = options;
        this.net = config.build(device);
        this.adam = Adam.create(Adam.Options.defaults().withWeightDecay(weightDecay), net);
    }

    /** The checks both trainers' {@code Options} records make. */
    static void checkOptions(int batchSize, double lr, double weightDecay, double tauMin, long steps) {
        if (batchSize < 1 || !(lr >= 0) || !(weightDecay >= 0) || !(tauMin > 0 && tauMin < 1) || steps < 0) {
            throw new IllegalArgumentException("batchSize ≥ 1, lr ≥ 0, weightDecay ≥ 0, tauMin in (0, 1), steps ≥ 0");
        }
    }

    @Override
    public void distribute(ProcessGroup group, long bucketBytes) {
        if (dp != null) throw new IllegalStateException("this trainer is already distributed");
        Shard.of(((AuxiliaryTrainer.Settings) options).batchSize(), group.rank(), group.worldSize());
        dp = DataParallel.join(group, bucketBytes, net);
    }

    @Override
    public boolean isLeader() {
        return dp == null || dp.isLeader();
    }

    @Override
    public boolean agree(boolean mine) {
        return dp == null ? mine : dp.any(mine);
    }

    /** This rank's slice of a batch of {@code b} (all of it in one process). */
    Shard shard(int b) {
        return dp == null ? new Shard(0, b) : dp.shard(b);
    }

    /**
     * Data-parallel: averages the gradients over the ranks and returns the sum of every rank's
     * per-sample loss terms ({@code terms} holds this rank's, zeros elsewhere), added in sample order
     * as one process adds them.
     */
    double reduce(double[] terms) {
        dp.averageGradients();
        double total = 0;
        for (double v : dp.sum(terms)) total += v;
        return total;
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public void setRunInfo(JsonNode info) {
        this.runInfo = info;
    }

    /**
     * Weights {@code name.safetensors}, Adam moments {@code name-adam.safetensors} and the sidecar
     * {@code name.json} (format, kind, step, network, training, run, files); returns the sidecar.
     */
    @Override
    public Path save(Path dir, String name) {
        RunDirectory.writeAtomically(
                dir.resolve(name + ".safetensors"), tmp -> net.save(tmp, Map.of("step", Long.toString(step))));
        var side = DenoiserTrainer.JSON.createObjectNode();
        side.put("format", DenoiserTrainer.FORMAT).put("kind", kind.label()).put("step", step);
        side.set("network", readTree(config.toJson()));
        side.set("training", DenoiserTrainer.JSON.valueToTree(options));
        RunDirectory.writeAtomically(dir.resolve(name + "-adam.safetensors"), adam::save);
        if (runInfo != null) side.set("run", runInfo);
        side.putObject("files").put("net", name + ".safetensors").put("optimizer", name + "-adam.safetensors");
        Path sidecar = dir.resolve(name + ".json");
        RunDirectory.writeAtomically(sidecar, side.toPrettyString());
        return sidecar;
    }

    @Override
    public void restore(Checkpoint ckpt) {
        ckpt.require(kind, "--resume");
        net.load(ckpt.file("net"), true);
        if (ckpt.json().path("files").has("optimizer")) adam.load(ckpt.file("optimizer"));
        step = ckpt.step();
    }

    @Override
    public void close() {
        if (dp != null) dp.close();
        adam.close();
        net.close();
    }

    /**
     * {@code use} applied to the images {@code idx} of {@code data} perturbed to VP times {@code
     * tau} with the noise of {@code seeds}; the tensors are freed afterwards.
     */
    static <R> R withNoisy(
            ImageDataset data, int[] idx, long[] seeds, double[] tau, Device device, Function<Tensor, R> use) {
        try (Tensor y = data.batch(idx, device);
                Tensor z = y.emptyLike();
                Generator g = Generator.ofSeeds(seeds)) {
            g.normal(z);
            VpPerturbation.perturb(z, y, z, tau);
            return use.apply(z);
        }
    }

    static JsonNode readTree(String json) {
        try {
            return DenoiserTrainer.JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
