package io.sedm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sedm.data.toy.GaussianMixture;
import io.sedm.guidance.Discriminator;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.NativeRuntime;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.sampler.Latents;
import io.sedm.sampler.Solver;
import io.sedm.schedule.EdmSchedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine against the solo sampler run on the exact mixture denoiser (docs/ALGORITHMS.md §14.1):
 * every request's images are bitwise those of {@link EdmSampler#sample} over the same seeds, however
 * the requests were chunked and co-batched; and the engine's limits (queue, cancellation, deadlines,
 * shutdown, leaks).
 */
class SamplingEngineTest {
    static GaussianMixtureDenoiser model;
    static GaussianMixtureDenoiser data;
    static GaussianMixtureOracle oracle;

    @BeforeAll
    static void load() {
        // the model is the §14.1 "wrong" mixture B; DG's oracle turns its score into A's
        model = GaussianMixtureDenoiser.of(GaussianMixture.fixture2dWrongModel(), Device.CPU);
        data = GaussianMixtureDenoiser.of(GaussianMixture.fixture2d(), Device.CPU);
        oracle = new GaussianMixtureOracle(data.density(), model.density());
    }

    @AfterAll
    static void close() {
        model.close();
        data.close();
    }

    static ServedModel served(Denoiser d) {
        return new ServedModel("gmm", d, oracle, new long[] {2}, Device.CPU);
    }

    static long[] seeds(long first, int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = first + 7 * i;
        }
        return s;
    }

    /** The batch run of the CLI (Batches): one generator over all seeds, x_0 = σ_0·z, EdmSampler.sample. */
    static double[] solo(EdmSampler.Options o, Denoiser d, double[] sigmas, long[] seeds, long[] sample) {
        return solo(o, d, oracle, sigmas, seeds, sample);
    }

    static double[] solo(
            EdmSampler.Options o, Denoiser d, Discriminator disc, double[] sigmas, long[] seeds, long[] sample) {
        EdmSampler sampler = new EdmSampler(o, o.guidance().active() ? disc : null);
        long[] shape = new long[sample.length + 1];
        shape[0] = seeds.length;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        try (Generator g = Generator.ofSeeds(seeds);
                Tensor z = Latents.draw(g, shape, Device.CPU);
                Tensor x0 = Latents.scaled(z, sigmas[0]);
                Tensor x = sampler.sample(d, x0, sigmas, g)) {
            return x.toDoubleArray();
        }
    }

    /** A mix of the served presets: NFE 13/35 Heun, Euler with churn, ES, DG (oracle), sizes 1–9. */
    static List<SampleRequest> mixedRequests() {
        List<SampleRequest> r = new ArrayList<>();
        r.add(SampleRequest.of("gmm", EdmSampler.Options.edm(), EdmSchedule.sigmas(7, 0.002, 80, 7), seeds(1, 5)));
        r.add(SampleRequest.of(
                "gmm", EdmSampler.Options.sedmGpp(), EdmSchedule.sigmas(18, 0.002, 80, 7), seeds(100, 9)));
        r.add(SampleRequest.of(
                "gmm",
                EdmSampler.Options.edmEs().withSolver(Solver.EULER).withChurn(10, 0.05, 50, 1.003),
                EdmSchedule.sigmas(12, 0.002, 80, 7),
                seeds(200, 3)));
        r.add(SampleRequest.of("gmm", EdmSampler.Options.edmGpp(), EdmSchedule.sigmas(5, 0.002, 80, 7), seeds(300, 1)));
        r.add(SampleRequest.of(
                "gmm",
                EdmSampler.Options.sedmGpp().withChurn(5, 0.05, 50, 1.0).withGuidance(1.67, 0.5),
                EdmSchedule.sigmas(9, 0.002, 80, 7),
                seeds(400, 6)));
        return r;
    }

    static void assertBitwiseSolo(EngineConfig config, int expectedMaxRows) throws Exception {
        List<SampleRequest> requests = mixedRequests();
        List<CompletableFuture<Samples>> futures = new ArrayList<>();
        int[] maxRows = new int[1];
        EngineObserver rows = new EngineObserver() {
            @Override
            public void evaluation(int n, int max, long nanos) {
                maxRows[0] = Math.max(maxRows[0], n);
            }
        };
        try (SamplingEngine engine = new SamplingEngine(config, List.of(served(model)), rows)) {
            for (SampleRequest r : requests) {
                futures.add(engine.submit(r));
            }
            for (int k = 0; k < requests.size(); k++) {
                SampleRequest r = requests.get(k);
                Samples got = futures.get(k).get(60, TimeUnit.SECONDS);
                double[] want = solo(r.options(), model, r.sigmas(), r.seeds(), new long[] {2});
                // same per-row arithmetic, per-seed noise, per-row exact denoiser: equal to the last bit
                assertThat(got.values()).as("request %d (%s)", k, r.options()).containsExactly(want);
                assertThat(got.seeds()).containsExactly(r.seeds());
            }
        }
        // evaluations were full: with 7 rows the 9-row request runs in chunks beside others; with 16,
        // no request has more than 9 rows, so an evaluation of 10 or more held several requests
        assertThat(maxRows[0]).isGreaterThanOrEqualTo(expectedMaxRows);
    }

    @Test
    void continuousBatchingGivesEachRequestItsSoloImagesBitwise() throws Exception {
        // 7 rows per evaluation: requests are split into chunks and share evaluations at different steps
        assertBitwiseSolo(EngineConfig.defaults().withMaxRows(7), 7);
    }

    @Test
    void requestBatchingBaselineGivesTheSameImages() throws Exception {
        assertBitwiseSolo(EngineConfig.defaults().withMaxRows(16).withRequestBatching(Duration.ofMillis(200)), 10);
    }

    @Test
    void progressReachesEveryEvaluation() throws Exception {
        List<SampleRequest.Progress> seen = new ArrayList<>();
        SampleRequest r = SampleRequest.of(
                        "gmm", EdmSampler.Options.edm(), EdmSchedule.sigmas(6, 0.002, 80, 7), seeds(5, 3))
                .withProgress(seen::add);
        try (SamplingEngine engine = new SamplingEngine(EngineConfig.defaults(), served(model))) {
            engine.submit(r).get(30, TimeUnit.SECONDS);
        }
        // Heun with N = 6: 2N − 1 = 11 evaluations of 3 rows
        assertThat(seen).hasSize(11);
        assertThat(seen.getLast().rowEvaluations()).isEqualTo(33);
        assertThat(seen.getLast().totalRowEvaluations()).isEqualTo(33);
        assertThat(seen.getLast().imagesDone()).isEqualTo(3);
    }

    /** The mixture denoiser behind a gate: evaluations block until the test opens it. */
    static final class Gated implements Denoiser {
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final long sleepMillis;

        Gated(long sleepMillis) {
            this.sleepMillis = sleepMillis;
        }

        @Override
        public void denoise(Tensor x, double[] sigma, Tensor out) {
            entered.countDown();
            try {
                open.await();
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            model.denoise(x, sigma, out);
        }
    }

    static SampleRequest small(long seed) {
        return SampleRequest.of("gmm", EdmSampler.Options.edm(), EdmSchedule.sigmas(4, 0.002, 80, 7), seed);
    }

    @Test
    void aFullQueueRefusesWithARetryHint() throws Exception {
        Gated gate = new Gated(0);
        EngineConfig config = EngineConfig.defaults().withMaxRows(1).withMaxQueued(2);
        try (SamplingEngine engine = new SamplingEngine(config, served(gate))) {
            CompletableFuture<Samples> first = engine.submit(small(1));
            assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue(); // request 1 holds the only row
            CompletableFuture<Samples> second = engine.submit(small(2));
            CompletableFuture<Samples> third = engine.submit(small(3));
            assertThat(engine.queueDepth()).isEqualTo(2);
            assertThatThrownBy(() -> engine.submit(small(4)))
                    .isInstanceOf(EngineFullException.class)
                    .hasMessageContaining("queue is full (2 requests waiting)")
                    .satisfies(e -> assertThat(((EngineFullException) e).retryAfterSeconds())
                            .isPositive());
            gate.open.countDown();
            for (CompletableFuture<Samples> f : List.of(first, second, third)) {
                assertThat(f.get(30, TimeUnit.SECONDS).images()).isEqualTo(1);
            }
            assertThat(engine.queueDepth()).isZero();
            // room again
            assertThat(engine.submit(small(5)).get(30, TimeUnit.SECONDS).images())
                    .isEqualTo(1);
        }
    }

    @Test
    void cancelledRequestsFreeTheirRowsAndOthersGoOn() throws Exception {
        Gated gate = new Gated(0);
        try (SamplingEngine engine = new SamplingEngine(EngineConfig.defaults().withMaxRows(2), served(gate))) {
            CompletableFuture<Samples> running = engine.submit(small(1));
            assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Samples> queued = engine.submit(small(2).withDeadline(Duration.ofMinutes(1)));
            CompletableFuture<Samples> kept = engine.submit(small(3));
            assertThat(running.cancel(true)).isTrue();
            assertThat(queued.cancel(true)).isTrue();
            gate.open.countDown();
            Samples s = kept.get(30, TimeUnit.SECONDS);
            assertThat(s.values())
                    .containsExactly(
                            solo(EdmSampler.Options.edm(), model, small(3).sigmas(), new long[] {3}, new long[] {2}));
            assertThatThrownBy(() -> running.get()).isInstanceOf(CancellationException.class);
            waitFor(() -> engine.activeRows() == 0 && engine.queueDepth() == 0);
        }
    }

    @Test
    void cancelWithAReasonCountsOnceAndFreesTheRows() throws Exception {
        Gated gate = new Gated(0);
        List<String> reasons = java.util.Collections.synchronizedList(new ArrayList<>());
        EngineObserver observer = new EngineObserver() {
            @Override
            public void cancelled(String reason) {
                reasons.add(reason);
            }
        };
        try (SamplingEngine engine =
                new SamplingEngine(EngineConfig.defaults().withMaxRows(2), List.of(served(gate)), observer)) {
            CompletableFuture<Samples> running = engine.submit(small(1));
            assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.cancel(running, "client disconnected")).isTrue();
            assertThat(engine.cancel(running, "client disconnected")).isFalse();
            gate.open.countDown();
            // get() wraps it; what the HTTP layer's handle() sees is the engine's own exception
            Throwable seen = running.handle((v, e) -> e).get(10, TimeUnit.SECONDS);
            assertThat(seen).isInstanceOf(CancellationException.class).hasMessage("client disconnected");
            waitFor(() -> engine.activeRows() == 0);
            Samples after = engine.submit(small(3)).get(30, TimeUnit.SECONDS);
            assertThat(after.values())
                    .containsExactly(
                            solo(EdmSampler.Options.edm(), model, small(3).sigmas(), new long[] {3}, new long[] {2}));
            assertThat(engine.cancel(CompletableFuture.completedFuture(after), "late"))
                    .isFalse();
        }
        assertThat(reasons).containsExactly("client disconnected");
    }

    @Test
    void deadlinesEndRunningAndQueuedRequests() throws Exception {
        Gated slow = new Gated(15);
        slow.open.countDown();
        EngineConfig config = EngineConfig.defaults().withMaxRows(1);
        try (SamplingEngine engine = new SamplingEngine(config, served(slow))) {
            // 35 evaluations of ≥ 15 ms cannot finish in 100 ms; the one queued behind it neither
            SampleRequest longOne = SampleRequest.of(
                            "gmm", EdmSampler.Options.edm(), EdmSchedule.sigmas(18, 0.002, 80, 7), 1)
                    .withDeadline(Duration.ofMillis(100));
            CompletableFuture<Samples> running = engine.submit(longOne);
            CompletableFuture<Samples> queued = engine.submit(small(2).withDeadline(Duration.ofMillis(60)));
            assertThatThrownBy(() -> running.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("passed its deadline of 100 ms");
            assertThatThrownBy(() -> queued.get(30, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("0 of 1 images done");
            waitFor(() -> engine.activeRows() == 0 && engine.queueDepth() == 0);
        }
    }

    @Test
    void shutdownDrainsWithinTheGraceAndCancelsWithAReasonAfterIt() throws Exception {
        List<CompletableFuture<Samples>> drained = new ArrayList<>();
        SamplingEngine engine = new SamplingEngine(EngineConfig.defaults().withMaxRows(3), served(model));
        for (int k = 0; k < 6; k++) {
            drained.add(engine.submit(small(k)));
        }
        engine.shutdown(Duration.ofMinutes(1));
        assertThatThrownBy(() -> engine.submit(small(9)))
                .isInstanceOf(EngineFullException.class)
                .hasMessageContaining("shutting down");
        assertThat(engine.awaitTermination(Duration.ofSeconds(30))).isTrue();
        for (CompletableFuture<Samples> f : drained) {
            assertThat(f).isCompleted();
            assertThat(f.get().images()).isEqualTo(1);
        }

        Gated gate = new Gated(0);
        SamplingEngine stuck = new SamplingEngine(EngineConfig.defaults().withMaxRows(1), served(gate));
        CompletableFuture<Samples> inFlight = stuck.submit(small(1));
        CompletableFuture<Samples> waiting = stuck.submit(small(2));
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        stuck.shutdown(Duration.ZERO);
        gate.open.countDown();
        assertThat(stuck.awaitTermination(Duration.ofSeconds(30))).isTrue();
        for (CompletableFuture<Samples> f : List.of(inFlight, waiting)) {
            assertThat(f).isCancelled();
            assertThat(f.handle((r, e) -> e).join())
                    .isInstanceOf(CancellationException.class)
                    .hasMessage("the engine shut down before the request finished");
        }
    }

    @Test
    void refusesWhatItCannotServe() {
        try (SamplingEngine engine = new SamplingEngine(
                EngineConfig.defaults().withMaxImages(4),
                new ServedModel("plain", model, null, new long[] {2}, Device.CPU))) {
            double[] sigmas = EdmSchedule.sigmas(4, 0.002, 80, 7);
            assertThatThrownBy(() -> engine.submit(SampleRequest.of("other", EdmSampler.Options.edm(), sigmas, 1)))
                    .hasMessageContaining("unknown model 'other'; this engine serves [plain]");
            assertThatThrownBy(() ->
                            engine.submit(SampleRequest.of("plain", EdmSampler.Options.edm(), sigmas, 1, 2, 3, 4, 5)))
                    .hasMessageContaining("at most 4 images, this one asks for 5");
            assertThatThrownBy(() -> engine.submit(SampleRequest.of("plain", EdmSampler.Options.sedmGpp(), sigmas, 1)))
                    .hasMessageContaining("has no discriminator");
        }
    }

    @Test
    void tenThousandRequestsLeaveNoNativeHandleAlive() throws Exception {
        long before = NativeRuntime.liveHandles();
        double[] sigmas = EdmSchedule.sigmas(2, 0.002, 80, 7);
        try (SamplingEngine engine =
                new SamplingEngine(EngineConfig.defaults().withMaxRows(64).withMaxQueued(10_000), served(model))) {
            List<CompletableFuture<Samples>> all = new ArrayList<>();
            int cancelled = 0;
            for (int k = 0; k < 10_000; k++) {
                EdmSampler.Options o = k % 3 == 0
                        ? EdmSampler.Options.sedmGpp().withChurn(5, 0.05, 50, 1.0)
                        : EdmSampler.Options.edm().withSolver(Solver.EULER);
                all.add(engine.submit(SampleRequest.of("gmm", o, sigmas, k)));
                if (k % 97 == 0 && all.get(k).cancel(true)) {
                    cancelled++; // some cancelled, before or while they run
                }
            }
            int done = 0;
            for (CompletableFuture<Samples> f : all) {
                try {
                    f.get(120, TimeUnit.SECONDS);
                    done++;
                } catch (CancellationException e) {
                    // counted below
                }
            }
            assertThat(done).isEqualTo(10_000 - cancelled);
            waitFor(() -> engine.activeRows() == 0 && engine.queueDepth() == 0);
        }
        assertThat(NativeRuntime.liveHandles()).isEqualTo(before);
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(5);
        }
    }
}
