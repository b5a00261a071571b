package io.sedm.serve;

import io.sedm.guidance.Discriminator;
import io.sedm.runtime.Device;
import io.sedm.runtime.NativeRuntime;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.EdmSampler;
import io.sedm.schedule.EdmSchedule;
import io.sedm.train.AdmEncoderConfig;
import io.sedm.train.NetworkDenoiser;
import io.sedm.train.NetworkDiscriminator;
import io.sedm.train.SongUNetConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine's load test (scripts/loadtest.sh): open-loop Poisson arrivals of a mixed workload —
 * NFE 13 / 35 / 79 (Heun with N = 7 / 18 / 40), EDM or SEDM-G++ with equal odds, 1–16 images per
 * request uniformly — against (a) request-level dynamic batching and (b) step-level continuous
 * batching, at the same arrival sequence; then an overload run at 3× capacity.
 *
 * <p>The model is a tiny SongUNet (8×8×1, 8 channels, {@link SongUNetConfig#tiny}) and a tiny ADM
 * trunk + discriminator head for DG, all with random weights (every tensor uniform in ±0.1, fixed
 * seeds): the cost of an evaluation is what matters here, not the images. In-process (no HTTP), so
 * the numbers are the scheduler's, not the JSON encoder's.
 *
 * <p>Arguments: {@code [seconds per run] [max rows] [load factor]} (defaults 40, 32, 0.9), and the
 * flags {@code --rate R} (requests/s at 1.0×, instead of the capacity a saturated burst measures),
 * {@code --only equal,light,overload}, {@code --http URL [--label NAME]} (the workload over loopback
 * HTTP to a running {@code sedm serve}, see {@link #runHttp}) and {@code --write-models DIR} (the
 * checkpoints that server loads).
 */
public final class LoadTest {
    private LoadTest() {}

    static final int[] STEPS = {7, 18, 40}; // Heun NFE 2N − 1 = 13, 35, 79

    /** Redraws every weight uniformly in ±0.1 (the network's own init zeroes the output layers). */
    static void randomize(Network net, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Network.TensorInfo info : net.tensors()) {
            long numel = Arrays.stream(info.shape()).reduce(1, (a, b) -> a * b);
            float[] v = new float[Math.toIntExact(numel)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (0.1 * (2 * r.nextDouble() - 1));
            }
            try (Tensor t = Tensor.of(v, info.shape(), Device.CPU)) {
                net.set(info.name(), t);
            }
        }
    }

    /** One arrival of the workload; {@code sampler} and {@code steps} are its HTTP form. */
    record Arrival(double atSeconds, SampleRequest request, String sampler, int steps) {
        /** The request as {@code POST /v1/samples} takes it (.npy out: the smallest encoding). */
        String json() {
            StringBuilder b = new StringBuilder("{\"model\": \"net\", \"sampler\": \"")
                    .append(sampler)
                    .append("\", \"steps\": ")
                    .append(steps)
                    .append(", \"format\": \"npy\", \"seeds\": [");
            long[] seeds = request.seeds();
            for (int i = 0; i < seeds.length; i++) {
                b.append(i == 0 ? "" : ", ").append(seeds[i]);
            }
            return b.append("]}").toString();
        }
    }

    /** The arrivals of one run: Poisson at {@code rate} requests/s for {@code seconds}. */
    static List<Arrival> workload(double rate, double seconds, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Arrival> out = new ArrayList<>();
        double t = 0;
        long nextSeed = 0;
        while (true) {
            t += -Math.log(1 - r.nextDouble()) / rate;
            if (t >= seconds) {
                return out;
            }
            int n = STEPS[r.nextInt(3)];
            boolean guided = !r.nextBoolean();
            EdmSampler.Options o = guided ? EdmSampler.Options.sedmGpp() : EdmSampler.Options.edm();
            int images = 1 + r.nextInt(16);
            long[] seeds = new long[images];
            for (int i = 0; i < images; i++) {
                seeds[i] = nextSeed++;
            }
            out.add(new Arrival(
                    t,
                    SampleRequest.of("net", o, EdmSchedule.sigmas(n, 0.002, 80, 7), seeds),
                    guided ? "sedm-gpp" : "edm",
                    n));
        }
    }

    /** What one run measured. */
    record Result(
            String name,
            int offered,
            int accepted,
            int rejected,
            int completed,
            int cancelled,
            int timedOut,
            int failed,
            int lost,
            long images,
            double seconds,
            double[] latencyMs,
            int maxQueue,
            double meanRows,
            long heapStartMb,
            long heapEndMb,
            long heapMaxMb,
            long offeredImages,
            double arrivalSeconds) {
        /** Images of every arrival per second of arrivals. */
        double offeredImagesPerSecond() {
            return offeredImages / arrivalSeconds;
        }

        double imagesPerSecond() {
            return images / seconds;
        }

        double percentile(double p) {
            if (latencyMs.length == 0) {
                return Double.NaN;
            }
            double[] s = latencyMs.clone();
            Arrays.sort(s);
            return s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)];
        }
    }

    static long usedHeapMb(boolean gc) {
        if (gc) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    /** Runs the arrivals open-loop against a fresh engine; waits (bounded) for every accepted request. */
    static Result run(String name, EngineConfig config, ServedModel model, List<Arrival> arrivals) throws Exception {
        long[] rowSum = new long[2];
        EngineObserver counting = new EngineObserver() {
            @Override
            public void evaluation(int rows, int maxRows, long nanos) {
                rowSum[0] += rows;
                rowSum[1]++;
            }
        };
        long heapStart = usedHeapMb(true);
        long heapMax = heapStart;
        int maxQueue = 0;
        List<CompletableFuture<Samples>> accepted = new ArrayList<>();
        int rejected = 0;
        long t0 = System.nanoTime();
        try (SamplingEngine engine = new SamplingEngine(config, List.of(model), counting)) {
            long lastSample = 0;
            for (Arrival a : arrivals) {
                long at = t0 + (long) (a.atSeconds() * 1e9);
                long wait;
                while ((wait = at - System.nanoTime()) > 0) {
                    Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(wait) + 1, 50));
                    maxQueue = Math.max(maxQueue, engine.queueDepth());
                }
                try {
                    accepted.add(engine.submit(a.request()));
                } catch (EngineFullException e) {
                    rejected++;
                }
                maxQueue = Math.max(maxQueue, engine.queueDepth());
                if (System.nanoTime() - lastSample > 1_000_000_000L) {
                    heapMax = Math.max(heapMax, usedHeapMb(false));
                    lastSample = System.nanoTime();
                }
            }
            // drain: every accepted request must end (result, or an exception that says why)
            long drainEnd = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            for (CompletableFuture<Samples> f : accepted) {
                long left = drainEnd - System.nanoTime();
                try {
                    f.get(Math.max(1, left), TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException | CancellationException e) {
                    // classified below
                }
                heapMax = Math.max(heapMax, usedHeapMb(false));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int completed = 0;
            int cancelled = 0;
            int timedOut = 0;
            int failed = 0;
            int lost = 0;
            long images = 0;
            List<Double> latency = new ArrayList<>();
            for (CompletableFuture<Samples> f : accepted) {
                if (!f.isDone()) {
                    lost++;
                } else if (f.isCancelled()) {
                    Throwable why = f.handle((r, e) -> e).join();
                    if (why.getMessage() == null || why.getMessage().isBlank()) {
                        lost++; // cancelled without a reason
                    } else {
                        cancelled++;
                    }
                } else if (f.isCompletedExceptionally()) {
                    Throwable why = f.handle((r, e) -> e).join();
                    if (why instanceof TimeoutException) {
                        timedOut++;
                    } else {
                        failed++;
                    }
                } else {
                    Samples s = f.join();
                    completed++;
                    images += s.images();
                    latency.add(s.totalNanos() / 1e6);
                }
            }
            return new Result(
                    name,
                    arrivals.size(),
                    accepted.size(),
                    rejected,
                    completed,
                    cancelled,
                    timedOut,
                    failed,
                    lost,
                    images,
                    seconds,
                    latency.stream().mapToDouble(Double::doubleValue).toArray(),
                    maxQueue,
                    rowSum[1] == 0 ? 0 : (double) rowSum[0] / rowSum[1],
                    heapStart,
                    usedHeapMb(true),
                    heapMax,
                    arrivals.stream().mapToLong(a -> a.request().images()).sum(),
                    arrivals.isEmpty() ? 1 : arrivals.getLast().atSeconds());
        }
    }

    /**
     * Runs the arrivals open-loop against a {@code sedm serve} at {@code base} over loopback HTTP
     * (java.net.http, one request per arrival, sent at its arrival time whatever is in flight). Outcomes
     * by status: 200 completed (latency = send to last byte, client side); 429/503 with Retry-After
     * rejected (without it: counted as lost, the server must say when to retry); 503 "cancelled: …",
     * 504, 500 ended with a reason; no answer within the drain bound: lost. Rows per evaluation and the
     * queue depth come from the server's /metrics (the queue sampled every ~100 ms); the heap columns
     * are the server's, not measured here (−1).
     */
    static Result runHttp(String name, String base, List<Arrival> arrivals) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .executor(pool)
                .build()) {
            double[] rowsBefore = scrapeRows(client, base);
            int[] maxQueue = {0};
            List<CompletableFuture<long[]>> sent = new ArrayList<>();
            long t0 = System.nanoTime();
            long lastScrape = 0;
            for (Arrival a : arrivals) {
                long at = t0 + (long) (a.atSeconds() * 1e9);
                long wait;
                while ((wait = at - System.nanoTime()) > 0) {
                    Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(wait) + 1, 20));
                    if (System.nanoTime() - lastScrape > 100_000_000L) {
                        maxQueue[0] = Math.max(maxQueue[0], (int) metric(client, base, "sedm_queue_depth"));
                        lastScrape = System.nanoTime();
                    }
                }
                java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(base + "/v1/samples"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofMinutes(5))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(a.json()))
                        .build();
                long sentAt = System.nanoTime();
                int images = a.request().images();
                // {outcome, images, nanos}: 0 completed, 1 rejected with Retry-After, 2 ended with a
                // reason (cancelled/504), 3 failed (500), 4 lost (no Retry-After, other status, no answer)
                sent.add(client.sendAsync(req, java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                        .handle((r, e) -> {
                            long nanos = System.nanoTime() - sentAt;
                            if (e != null || r == null) {
                                return new long[] {4, images, nanos};
                            }
                            int st = r.statusCode();
                            boolean retryAfter =
                                    r.headers().firstValue("Retry-After").isPresent();
                            String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
                            if (st == 200) {
                                return new long[] {0, images, nanos};
                            } else if ((st == 429 || st == 503) && retryAfter) {
                                return new long[] {1, images, nanos};
                            } else if ((st == 503 && body.contains("cancelled: ")) || st == 504) {
                                return new long[] {2, images, nanos};
                            } else if (st == 500 && body.contains("error")) {
                                return new long[] {3, images, nanos};
                            }
                            return new long[] {4, images, nanos};
                        }));
            }
            long drainEnd = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            for (CompletableFuture<long[]> f : sent) {
                try {
                    f.get(Math.max(1, drainEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // lost, below
                }
                maxQueue[0] = Math.max(maxQueue[0], (int) metric(client, base, "sedm_queue_depth"));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double[] rowsAfter = scrapeRows(client, base);
            int[] count = new int[5];
            long images = 0;
            List<Double> latency = new ArrayList<>();
            for (CompletableFuture<long[]> f : sent) {
                long[] o = f.isDone() ? f.join() : new long[] {4, 0, 0};
                count[(int) o[0]]++;
                if (o[0] == 0) {
                    images += o[1];
                    latency.add(o[2] / 1e6);
                }
            }
            double evaluations = rowsAfter[1] - rowsBefore[1];
            return new Result(
                    name,
                    arrivals.size(),
                    arrivals.size() - count[1],
                    count[1],
                    count[0],
                    count[2],
                    0,
                    count[3],
                    count[4],
                    images,
                    seconds,
                    latency.stream().mapToDouble(Double::doubleValue).toArray(),
                    maxQueue[0],
                    evaluations == 0 ? 0 : (rowsAfter[0] - rowsBefore[0]) / evaluations,
                    -1,
                    -1,
                    -1,
                    arrivals.stream().mapToLong(a -> a.request().images()).sum(),
                    arrivals.isEmpty() ? 1 : arrivals.getLast().atSeconds());
        } finally {
            pool.shutdownNow();
        }
    }

    /** {rows summed over evaluations, evaluations} from the server's rows-per-evaluation histogram. */
    static double[] scrapeRows(java.net.http.HttpClient client, String base) throws Exception {
        return new double[] {
            metric(client, base, "sedm_rows_per_evaluation_sum"), metric(client, base, "sedm_rows_per_evaluation_count")
        };
    }

    /** One unlabelled sample of the server's Prometheus text. */
    static double metric(java.net.http.HttpClient client, String base, String name) throws Exception {
        String text = client.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new IllegalStateException("the server's /metrics has no " + name);
    }

    /**
     * Writes the load test's model as checkpoints {@code sedm serve} loads: the tiny SongUNet as an
     * imported denoiser (so the server evaluates it in EDM's float32 order, see NetworkDenoiser), an ADM
     * classifier whose trunk feeds DG (the same trunk architecture as in-process) and the DG head — all
     * with the same kind of random weights as the in-process run (not the same values: the classifier
     * has head tensors the in-process trunk lacks, so the draw order differs).
     */
    static void writeModels(java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        AdmEncoderConfig classifier = new AdmEncoderConfig(
                "classifier",
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
                10,
                21,
                "attention",
                "float32");
        writeCheckpoint(dir, "net", "denoiser", SongUNetConfig.tiny(8, 1), 1);
        writeCheckpoint(dir, "cls", "classifier", classifier, 2);
        writeCheckpoint(dir, "disc", "discriminator", headConfig(), 3);
    }

    private static void writeCheckpoint(
            java.nio.file.Path dir, String name, String kind, io.sedm.train.NetworkConfig config, long seed)
            throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (Network net = config.build(Device.CPU)) {
            randomize(net, seed);
            net.save(dir.resolve(name + ".safetensors"), java.util.Map.of());
        }
        com.fasterxml.jackson.databind.node.ObjectNode side = json.createObjectNode();
        side.put("format", "sedm-checkpoint-1");
        side.put("kind", kind);
        side.set("network", json.readTree(config.toJson()));
        side.put("step", 0);
        side.putObject("files").put("net", name + ".safetensors").put("ema", name + ".safetensors");
        side.putObject("imported").put("from", "io.sedm.serve.LoadTest (random weights)");
        java.nio.file.Files.writeString(dir.resolve(name + ".json"), side.toPrettyString());
    }

    static AdmEncoderConfig trunkConfig() {
        return new AdmEncoderConfig(
                "encoder", 8, 1, 8, new int[] {1, 2}, 1, new int[] {8, 4}, 8, true, true, true, 0.0, 999.0, 0, 21);
    }

    static AdmEncoderConfig headConfig() {
        return new AdmEncoderConfig(
                "discriminator", 4, 16, 8, new int[] {1}, 1, new int[] {4}, 8, true, true, true, 0.0, 999.0, 1, 22);
    }

    static String row(Result r) {
        return String.format(
                Locale.ROOT,
                "| %-25s | %5.1f | %5d | %5d | %5d | %6.1f | %8.0f | %8.0f | %8.0f | %5.1f | %4d | %d/%d/%d/%d |",
                r.name(),
                r.offeredImagesPerSecond(),
                r.offered(),
                r.accepted(),
                r.rejected(),
                r.imagesPerSecond(),
                r.percentile(0.50),
                r.percentile(0.95),
                r.percentile(0.99),
                r.meanRows(),
                r.maxQueue(),
                r.completed(),
                r.cancelled() + r.timedOut(),
                r.failed(),
                r.lost());
    }

    /** Milliseconds of one denoiser evaluation and one DG evaluation at several row counts (median of 15). */
    static void costTable(ServedModel model, int maxRows) {
        io.sedm.guidance.DiscriminatorGuidance dg =
                new io.sedm.guidance.DiscriminatorGuidance(model.discriminator(), 0.01, 1.0);
        StringBuilder line = new StringBuilder("evaluation cost (ms, median of 15): rows");
        for (int rows : new int[] {1, 4, 8, 16, maxRows}) {
            long[] shape = {rows, 1, 8, 8};
            double[] sigma = new double[rows];
            Arrays.fill(sigma, 1.0);
            double[] d = new double[15];
            double[] g = new double[15];
            try (io.sedm.runtime.Generator gen = io.sedm.runtime.Generator.ofSeedRange(0, rows);
                    Tensor x = io.sedm.sampler.Latents.draw(gen, shape, Device.CPU);
                    Tensor out = x.emptyLike()) {
                for (int k = 0; k < d.length; k++) {
                    long t = System.nanoTime();
                    model.denoiser().denoise(x, sigma, out);
                    d[k] = (System.nanoTime() - t) / 1e6;
                    t = System.nanoTime();
                    dg.evaluateOpen(x, sigma).close();
                    g[k] = (System.nanoTime() - t) / 1e6;
                }
            }
            Arrays.sort(d);
            Arrays.sort(g);
            line.append(String.format(Locale.ROOT, " | %d: D %.2f, DG %.2f", rows, d[7], g[7]));
        }
        System.out.println(line);
    }

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>();
        String http = null;
        String label = null;
        double rate = 0;
        java.util.Set<String> only = new java.util.HashSet<>();
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--write-models" -> {
                    writeModels(java.nio.file.Path.of(argv[++i]));
                    return;
                }
                case "--http" -> http = argv[++i];
                case "--label" -> label = argv[++i];
                case "--rate" -> rate = Double.parseDouble(argv[++i]);
                case "--only" -> only.addAll(List.of(argv[++i].split(",")));
                default -> args.add(argv[i]);
            }
        }
        double seconds = args.size() > 0 ? Double.parseDouble(args.get(0)) : 40;
        int maxRows = args.size() > 1 ? Integer.parseInt(args.get(1)) : 32;
        double load = args.size() > 2 ? Double.parseDouble(args.get(2)) : 0.9;
        if (http != null) {
            mainHttp(http, label == null ? "server" : label, rate, seconds, maxRows, load, only);
            return;
        }
        long handlesBefore = NativeRuntime.liveHandles();
        SongUNetConfig unet = SongUNetConfig.tiny(8, 1);
        AdmEncoderConfig trunkCfg = trunkConfig();
        AdmEncoderConfig headCfg = headConfig();
        try (Network net = unet.build(Device.CPU);
                Network trunk = trunkCfg.build(Device.CPU);
                Network head = headCfg.build(Device.CPU)) {
            randomize(net, 1);
            randomize(trunk, 2);
            randomize(head, 3);
            Discriminator disc = new NetworkDiscriminator(trunk, head);
            ServedModel model =
                    new ServedModel("net", NetworkDenoiser.edm(net), disc, new long[] {1, 8, 8}, Device.CPU);
            System.out.printf(
                    Locale.ROOT,
                    "model: SongUNet tiny 8x8x1 (%d parameters), DG trunk+head (%d + %d), random weights; "
                            + "libtorch threads %d%n",
                    net.parameterCount(),
                    trunk.parameterCount(),
                    head.parameterCount(),
                    NativeRuntime.threads());

            costTable(model, maxRows);

            EngineConfig continuous = EngineConfig.defaults()
                    .withMaxRows(maxRows)
                    .withMaxQueued(64)
                    .withMaxImages(16)
                    .withDefaultDeadline(Duration.ofMinutes(5));
            EngineConfig baseline = continuous.withRequestBatching(Duration.ofMillis(50));

            // capacity: a saturated burst through the continuous engine (images/s at full rows), unless
            // --rate R fixes the requests/s that the load factors multiply
            double capacityRps = rate;
            if (capacityRps <= 0) {
                List<Arrival> burst = workload(1e6, 40 / 1e6, 99);
                Result cap = run("calibration burst", continuous.withMaxQueued(1000), model, burst);
                double meanImages = 8.5;
                capacityRps = cap.imagesPerSecond() / meanImages;
                System.out.printf(
                        Locale.ROOT,
                        "capacity (continuous, saturated burst of %d requests): %.1f images/s = %.2f requests/s%n",
                        burst.size(),
                        cap.imagesPerSecond(),
                        capacityRps);
            } else {
                System.out.printf(Locale.ROOT, "rate fixed by --rate: %.3f requests/s at 1.0x%n", capacityRps);
            }

            List<Arrival> equal = workload(load * capacityRps, seconds, 7);
            List<Arrival> light = workload(0.3 * capacityRps, seconds, 8);
            List<Arrival> overload = workload(3 * capacityRps, seconds, 9);
            System.out.printf(
                    Locale.ROOT,
                    "workload: Poisson arrivals for %.0f s; NFE 13/35/79 (Heun N = 7/18/40), edm or sedm-gpp, 1-16 "
                            + "images; max rows %d, queue 64 requests, baseline max delay 50 ms%n",
                    seconds,
                    maxRows);
            List<Result> results = new ArrayList<>();
            if (only.isEmpty() || only.contains("equal")) {
                results.add(run(String.format(Locale.ROOT, "request-level @%.2fx", load), baseline, model, equal));
                results.add(run(String.format(Locale.ROOT, "continuous @%.2fx", load), continuous, model, equal));
            }
            if (only.isEmpty() || only.contains("light")) {
                results.add(run("request-level @0.3x", baseline, model, light));
                results.add(run("continuous @0.3x", continuous, model, light));
            }
            if (only.isEmpty() || only.contains("overload")) {
                results.add(run("request-level @3x (overload)", baseline, model, overload));
                results.add(run("continuous @3x (overload)", continuous, model, overload));
            }

            System.out.println();
            System.out.println(
                    "| run | offered img/s | requests | accepted | rejected | img/s | p50 ms | p95 ms | p99 ms | "
                            + "rows/eval | max queue | done/cancelled/failed/lost |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (Result r : results) {
                System.out.println(row(r));
            }
            if (results.size() < 6) {
                int lostSome = results.stream().mapToInt(Result::lost).sum();
                if (lostSome > 0) {
                    System.out.println("FAIL: " + lostSome + " accepted request(s) neither completed nor ended with a "
                            + "reason");
                    System.exit(1);
                }
                System.out.println("native handles alive: " + handlesBefore + " before");
                return;
            }
            Result over = results.getLast();
            System.out.printf(
                    Locale.ROOT,
                    "%noverload: queue max %d (bound 64); heap after GC %d MB at start, %d MB at end, %d MB peak "
                            + "sampled; %d accepted, %d lost%n",
                    over.maxQueue(),
                    over.heapStartMb(),
                    over.heapEndMb(),
                    over.heapMaxMb(),
                    over.accepted(),
                    over.lost());
            System.out.printf(
                    Locale.ROOT,
                    "continuous / request-level: images/s %.2f at %.1fx, %.2f at 3x; p99 %.0f vs %.0f ms at %.1fx, "
                            + "%.0f vs %.0f ms at 0.3x%n",
                    results.get(1).imagesPerSecond() / results.get(0).imagesPerSecond(),
                    load,
                    results.get(5).imagesPerSecond() / results.get(4).imagesPerSecond(),
                    results.get(1).percentile(0.99),
                    results.get(0).percentile(0.99),
                    load,
                    results.get(3).percentile(0.99),
                    results.get(2).percentile(0.99));
            int lost = results.stream().mapToInt(Result::lost).sum();
            if (lost > 0) {
                System.out.println("FAIL: " + lost + " accepted request(s) neither completed nor ended with a reason");
                System.exit(1);
            }
        }
        long handlesAfter = NativeRuntime.liveHandles();
        System.out.println("native handles alive: " + handlesBefore + " before, " + handlesAfter + " after");
        if (handlesAfter != handlesBefore) {
            System.exit(1);
        }
    }

    /**
     * HTTP mode: the runs of one server (its batching mode is the server's; the script starts one per
     * mode). Without {@code --rate} it first measures the capacity with a saturated burst, as in-process,
     * and prints {@code RATE=<requests/s>} for the script to hand the other server, so both modes see
     * the same arrival sequences. {@code --only equal,light,overload} picks runs (default all).
     */
    static void mainHttp(
            String base,
            String label,
            double rate,
            double seconds,
            int maxRows,
            double load,
            java.util.Set<String> only)
            throws Exception {
        if (rate <= 0) {
            List<Arrival> burst = workload(1e6, 40 / 1e6, 99);
            Result cap = runHttp("calibration burst", base, burst);
            rate = cap.imagesPerSecond() / 8.5;
            System.out.printf(
                    Locale.ROOT,
                    "capacity (%s over HTTP, saturated burst of %d requests, %d rejected): %.1f images/s = %.2f "
                            + "requests/s%n",
                    label,
                    burst.size(),
                    cap.rejected(),
                    cap.imagesPerSecond(),
                    rate);
        }
        System.out.printf(Locale.ROOT, "RATE=%.6f%n", rate);
        System.out.printf(
                Locale.ROOT,
                "workload: Poisson arrivals for %.0f s over loopback HTTP (JSON in, .npy out); NFE 13/35/79 (Heun N "
                        + "= 7/18/40), edm or sedm-gpp, 1-16 images; server max rows %d%n",
                seconds,
                maxRows);
        List<Result> results = new ArrayList<>();
        if (only.isEmpty() || only.contains("equal")) {
            results.add(runHttp(
                    String.format(Locale.ROOT, "%s @%.2fx (HTTP)", label, load),
                    base,
                    workload(load * rate, seconds, 7)));
        }
        if (only.isEmpty() || only.contains("light")) {
            results.add(runHttp(label + " @0.3x (HTTP)", base, workload(0.3 * rate, seconds, 8)));
        }
        if (only.isEmpty() || only.contains("overload")) {
            results.add(runHttp(label + " @3x (HTTP)", base, workload(3 * rate, seconds, 9)));
        }
        System.out.println();
        System.out.println(
                "| run | offered img/s | requests | accepted | rejected (429/503 + Retry-After) | img/s | p50 ms | p95 ms "
                        + "| p99 ms | rows/eval | max queue | done/cancelled/failed/lost |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.println(row(r));
        }
        int lost = results.stream().mapToInt(Result::lost).sum();
        if (lost > 0) {
            System.out.println("FAIL: " + lost + " request(s) got no answer, or a refusal without Retry-After, or "
                    + "an unexpected status");
            System.exit(1);
        }
    }
}
