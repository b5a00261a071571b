package io.sedm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.EdmSampler;
import io.sedm.schedule.EdmSchedule;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.NetworkDenoiser;
import io.sedm.train.NetworkDiscriminator;
import io.sedm.train.SongUNetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With a network the engine's images equal the solo run up to the network's batch-size round-off:
 * a tiny float32 SongUNet (8×8×1, 8 channels) and a tiny ADM trunk + DG head, all with random weights
 * (every tensor redrawn uniformly in ±0.1 with a fixed seed, so the zero-initialised output layers do
 * not make F ≡ 0), four requests (EDM, EDM-ES, churn, SEDM-G++ with the network discriminator) at
 * different step counts co-batched against each one alone.
 */
class NetworkBatchingTest {

    /** Random weights: the network's own init zeroes the output convolutions; redraw everything. */
    static void randomize(Network net, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Network.TensorInfo info : net.tensors()) {
            long numel = 1;
            for (long s : info.shape()) {
                numel *= s;
            }
            float[] v = new float[Math.toIntExact(numel)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (0.1 * (2 * r.nextDouble() - 1));
            }
            try (Tensor t = Tensor.of(v, info.shape(), Device.CPU)) {
                net.set(info.name(), t);
            }
        }
    }

    @Test
    void coBatchedImagesEqualSoloRunsUpToFloat32RoundOff() throws Exception {
        try (Network net = SongUNetConfig.tiny(8, 1).build(Device.CPU);
                Network trunk = new AdmEncoderConfig(
                                "encoder",
                                8,
                                1,
                                8,
                                new int[] {1, 2},
                                1,
                                new int[] {8, 4},
                                8,
                                true,
                                true,
                                true,
                                0.0,
                                999.0,
                                0,
                                21)
                        .build(Device.CPU);
                Network head = new AdmEncoderConfig(
                                "discriminator",
                                4,
                                16,
                                8,
                                new int[] {1},
                                1,
                                new int[] {4},
                                8,
                                true,
                                true,
                                true,
                                0.0,
                                999.0,
                                1,
                                22)
                        .build(Device.CPU)) {
            randomize(net, 11);
            randomize(trunk, 12);
            randomize(head, 13);
            NetworkDenoiser d = NetworkDenoiser.edm(net);
            NetworkDiscriminator disc = new NetworkDiscriminator(trunk, head);
            long[] shape = {1, 8, 8};
            List<SampleRequest> requests = List.of(
                    SampleRequest.of("net", EdmSampler.Options.edm(), EdmSchedule.sigmas(7, 0.002, 80, 7), 1, 2, 3),
                    SampleRequest.of(
                            "net",
                            EdmSampler.Options.edmEs(),
                            EdmSchedule.sigmas(18, 0.002, 80, 7),
                            10,
                            11,
                            12,
                            13,
                            14),
                    SampleRequest.of(
                            "net",
                            EdmSampler.Options.edm().withChurn(10, 0.05, 50, 1.003),
                            EdmSchedule.sigmas(10, 0.002, 80, 7),
                            20,
                            21),
                    SampleRequest.of(
                            "net", EdmSampler.Options.sedmGpp(), EdmSchedule.sigmas(6, 0.002, 80, 7), 30, 31, 32, 33));
            List<CompletableFuture<Samples>> futures = new ArrayList<>();
            double maxDelta = 0;
            double maxAbs = 0;
            try (SamplingEngine engine = new SamplingEngine(
                    EngineConfig.defaults().withMaxRows(6), new ServedModel("net", d, disc, shape, Device.CPU))) {
                for (SampleRequest r : requests) {
                    futures.add(engine.submit(r));
                }
                for (int k = 0; k < requests.size(); k++) {
                    SampleRequest r = requests.get(k);
                    double[] got = futures.get(k).get(120, TimeUnit.SECONDS).values();
                    double[] want = SamplingEngineTest.solo(r.options(), d, disc, r.sigmas(), r.seeds(), shape);
                    for (int i = 0; i < got.length; i++) {
                        maxDelta = Math.max(maxDelta, Math.abs(got[i] - want[i]));
                        maxAbs = Math.max(maxAbs, Math.abs(want[i]));
                    }
                }
            }
            System.out.printf(
                    "NetworkBatchingTest: max |engine - solo| = %.3g over samples of max |x| = %.3g%n",
                    maxDelta, maxAbs);
            // float32 convolutions summed in a batch-size-dependent order: relative round-off ~1e-7 per
            // evaluation, grown over ≤ 35 evaluations of an ODE whose steps contract; 1e-4 is > 100× that
            assertThat(maxDelta).isLessThan(1e-4 * Math.max(1, maxAbs));
        }
    }
}
