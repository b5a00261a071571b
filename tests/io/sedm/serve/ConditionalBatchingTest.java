package io.sedm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.precond.Preconditioning;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.EdmSampler;
import io.sedm.schedule.EdmSchedule;
import io.sedm.train.NetworkDenoiser;
import io.sedm.train.SongUNetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Class labels travel with their rows: a tiny class-conditional SongUNet (label_dim 3, random
 * weights) serves three requests of different classes co-batched in 5-row evaluations, and each
 * request's images equal its solo run with its own labels bound, up to float32 batch-size round-off.
 */
class ConditionalBatchingTest {
    static final int LABEL_DIM = 3;
    static final long[] SHAPE = {1, 8, 8};

    /** The solo run of {@code r}: the same network with {@code r}'s one-hot labels bound for the whole batch. */
    static double[] solo(Network net, SampleRequest r, int[] classes) {
        float[] oneHot = new float[classes.length * LABEL_DIM];
        for (int i = 0; i < classes.length; i++) {
            oneHot[i * LABEL_DIM + classes[i]] = 1f;
        }
        try (Tensor labels = Tensor.of(oneHot, new long[] {classes.length, LABEL_DIM}, Device.CPU)) {
            NetworkDenoiser d = new NetworkDenoiser(net, new Preconditioning.Edm(0.5), labels);
            return SamplingEngineTest.solo(r.options(), d, null, r.sigmas(), r.seeds(), SHAPE);
        }
    }

    /**
     * With every weight in ±0.1 the class embedding barely reaches the output (a wrong label moved the
     * samples by ~1e-5, below what the tolerance could tell apart); redraw the embedding path
     * (map_label, map_layer0/1) in ±1 so that a label mix-up moves the samples far beyond the tolerance.
     */
    static void strongLabels(Network net) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        for (Network.TensorInfo info : net.tensors()) {
            if (!info.name().startsWith("map_")) {
                continue;
            }
            long numel = 1;
            for (long s : info.shape()) {
                numel *= s;
            }
            float[] v = new float[Math.toIntExact(numel)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (2 * r.nextDouble() - 1);
            }
            try (Tensor t = Tensor.of(v, info.shape(), Device.CPU)) {
                net.set(info.name(), t);
            }
        }
    }

    @Test
    void rowsCarryTheirClassIntoSharedEvaluations() throws Exception {
        try (Network net = SongUNetConfig.tiny(8, 1).withLabelDim(LABEL_DIM).build(Device.CPU);
                RowLabels labels = new RowLabels(LABEL_DIM, Device.CPU)) {
            NetworkBatchingTest.randomize(net, 41);
            strongLabels(net);
            NetworkDenoiser d = new NetworkDenoiser(net, new Preconditioning.Edm(0.5), labels);
            ServedModel model = new ServedModel("cond", d, null, SHAPE, Device.CPU, labels);
            List<SampleRequest> requests = List.of(
                    // one class per image, all three classes in one request
                    SampleRequest.of("cond", EdmSampler.Options.edm(), EdmSchedule.sigmas(7, 0.002, 80, 7), 1, 2, 3, 4)
                            .withClasses(0, 1, 2, 1),
                    // one class for every image
                    SampleRequest.of(
                                    "cond",
                                    EdmSampler.Options.edmEs(),
                                    EdmSchedule.sigmas(10, 0.002, 80, 7),
                                    10,
                                    11,
                                    12)
                            .withClasses(2),
                    // none given: EDM's random class per seed
                    SampleRequest.of(
                            "cond",
                            EdmSampler.Options.edm().withChurn(10, 0.05, 50, 1.003),
                            EdmSchedule.sigmas(8, 0.002, 80, 7),
                            20,
                            21,
                            22,
                            23,
                            24));
            List<CompletableFuture<Samples>> futures = new ArrayList<>();
            double maxDelta = 0;
            double maxAbs = 0;
            double minClassEffect = Double.MAX_VALUE;
            try (SamplingEngine engine =
                    new SamplingEngine(EngineConfig.defaults().withMaxRows(5), model)) {
                for (SampleRequest r : requests) {
                    futures.add(engine.submit(r));
                }
                for (int k = 0; k < requests.size(); k++) {
                    SampleRequest r = requests.get(k);
                    Samples s = futures.get(k).get(120, TimeUnit.SECONDS);
                    int[] want = r.classes() != null ? r.classes() : RowLabels.randomClasses(r.seeds(), LABEL_DIM);
                    assertThat(s.classes()).containsExactly(want);
                    double[] got = s.values();
                    double[] alone = solo(net, r, want);
                    for (int i = 0; i < got.length; i++) {
                        maxDelta = Math.max(maxDelta, Math.abs(got[i] - alone[i]));
                        maxAbs = Math.max(maxAbs, Math.abs(alone[i]));
                    }
                    // the labels matter: the same seeds with every class shifted by one differ by far more
                    int[] shifted = new int[want.length];
                    for (int i = 0; i < want.length; i++) {
                        shifted[i] = (want[i] + 1) % LABEL_DIM;
                    }
                    double[] other = solo(net, r, shifted);
                    double effect = 0;
                    for (int i = 0; i < got.length; i++) {
                        effect = Math.max(effect, Math.abs(other[i] - alone[i]));
                    }
                    minClassEffect = Math.min(minClassEffect, effect);
                }
            }
            System.out.printf(
                    "ConditionalBatchingTest: max |engine - solo| = %.3g over samples of max |x| = %.3g; "
                            + "changing the classes moves a request by >= %.3g%n",
                    maxDelta, maxAbs, minClassEffect);
            // the random draw covers more than one class for these seeds (else the test mixes fewer labels)
            assertThat(java.util.Arrays.stream(
                                    RowLabels.randomClasses(requests.get(2).seeds(), LABEL_DIM))
                            .distinct()
                            .count())
                    .isGreaterThan(1);
            // measured: 0 (bitwise) here; NetworkBatchingTest measures 3.5e-8 with DG. float32 convolutions may
            // sum in a batch-size-dependent order (relative round-off ~1e-7 per evaluation over ≤ 19
            // evaluations of a contracting ODE), so the bound is 1e-5 relative — and a label mix-up moves a
            // request by ≥ 2.4e-3, far above it, so a wrong label cannot pass
            assertThat(maxDelta).isLessThan(1e-5 * Math.max(1, maxAbs));
            assertThat(minClassEffect).isGreaterThan(1e-3);
        }
    }

    @Test
    void labelsAreCheckedAgainstTheModelsLabelDim() {
        try (Network net = SongUNetConfig.tiny(8, 1).withLabelDim(LABEL_DIM).build(Device.CPU);
                RowLabels labels = new RowLabels(LABEL_DIM, Device.CPU);
                Network plain = SongUNetConfig.tiny(8, 1).build(Device.CPU)) {
            ServedModel cond = new ServedModel(
                    "cond",
                    new NetworkDenoiser(net, new Preconditioning.Edm(0.5), labels),
                    null,
                    SHAPE,
                    Device.CPU,
                    labels);
            ServedModel uncond = new ServedModel("plain", NetworkDenoiser.edm(plain), null, SHAPE, Device.CPU);
            try (SamplingEngine engine = new SamplingEngine(EngineConfig.defaults(), cond, uncond)) {
                double[] sigmas = EdmSchedule.sigmas(3, 0.002, 80, 7);
                assertThatThrownBy(() -> engine.submit(SampleRequest.of("plain", EdmSampler.Options.edm(), sigmas, 1, 2)
                                .withClasses(0)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage(
                                "model plain is unconditional (label_dim 0); a request for it takes no class labels");
                assertThatThrownBy(() -> engine.submit(SampleRequest.of("cond", EdmSampler.Options.edm(), sigmas, 1, 2)
                                .withClasses(1, 3)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("class 3 is out of range: model cond has 3 classes [0, 2]");
                assertThatThrownBy(() -> SampleRequest.of("cond", EdmSampler.Options.edm(), sigmas, 1, 2, 3)
                                .withClasses(0, 1))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("classes must hold one class for every image or one per image (3), got 2");
                assertThatThrownBy(() -> SampleRequest.of("cond", EdmSampler.Options.edm(), sigmas, 1)
                                .withClasses(-1))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("classes must be >= 0, got -1");
                assertThat(engine.queueDepth() + engine.activeRows()).isZero();
            }
        }
    }
}
