package example;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.runtime.Device;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.schedule.EdmSchedule;
import io.sedm.serve.EngineConfig;
import io.sedm.serve.SampleRequest;
import io.sedm.serve.Samples;
import io.sedm.serve.SamplingEngine;
import io.sedm.serve.ServedModel;
import java.util.concurrent.CompletableFuture;

/** The sampling engine embedded in a JVM program: a model, an engine, two concurrent requests. */
public final class Embed {
    public static void main(String[] args) throws Exception {
        // the exact denoiser of a 2-D Gaussian mixture: a model that needs no weights file
        try (GaussianMixtureDenoiser model = GaussianMixtureDenoiser.of(GaussianMixture.fixture2d(), Device.CPU);
                SamplingEngine engine = new SamplingEngine(
                        EngineConfig.defaults(), new ServedModel("toy", model, null, new long[] {2}, Device.CPU))) {
            CompletableFuture<Samples> edm = engine.submit(SampleRequest.of(
                    "toy", EdmSampler.Options.edm(), EdmSchedule.sigmas(18, 0.002, 80, 7), 0, 1, 2, 3));
            CompletableFuture<Samples> es = engine.submit(SampleRequest.of(
                    "toy", EdmSampler.Options.edmEs(), EdmSchedule.sigmas(7, 0.002, 80, 7), 10, 11));
            for (Samples s : new Samples[] {edm.get(), es.get()}) {
                System.out.printf("request %d: %d samples in %d ms, first = (%.4f, %.4f)%n",
                        s.request(), s.images(), s.totalNanos() / 1_000_000, s.values()[0], s.values()[1]);
            }
        }
    }
}
