package io.sedm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sedm.data.Npy;
import io.sedm.data.toy.GaussianMixture;
import io.sedm.guidance.Discriminator;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.sampler.Denoiser;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.serve.EngineConfig;
import io.sedm.serve.EngineFullException;
import io.sedm.serve.EngineMetrics;
import io.sedm.serve.OpenApi;
import io.sedm.serve.RowLabels;
import io.sedm.serve.SampleRequest;
import io.sedm.serve.Samples;
import io.sedm.serve.SamplingEngine;
import io.sedm.serve.ServedModel;
import io.sedm.train.Checkpoint;
import io.sedm.train.MlpConfig;
import io.sedm.train.NetworkDenoiser;
import io.sedm.train.NetworkDiscriminator;
import io.sedm.train.SongUNetConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import javax.imageio.ImageIO;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code sedm serve}: the {@link SamplingEngine} behind HTTP/JSON.
 *
 * <p>Why Javalin (7.2.3, on Jetty 12): a thin, well-kept layer over Jetty — the most used embeddable
 * Java server — with no annotation processing, reflection scanning or dependency-injection container,
 * so the whole server is the routes in {@link #start} and starts in milliseconds (tests start one per
 * test on an ephemeral port); async responses through {@code ctx.future} fit the engine's
 * {@code CompletableFuture}s without holding a thread per waiting request; request size limits,
 * graceful stop and error handlers are built in. Helidon SE or Vert.x would serve too but bring
 * their own runtime models; Spring Boot brings a container this CLI does not need.
 *
 * <p>Endpoints: {@code POST /v1/samples}, {@code GET /v1/models}, {@code GET /health/live},
 * {@code GET /health/ready}, {@code GET /metrics} (Prometheus via Micrometer), {@code GET /openapi.json}.
 * A request's sampler fields are the {@code sedm sample} flags without their dashes and are checked by
 * the same code ({@link SamplerOptions}), so the messages are the CLI's.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = "Serve sampling over HTTP/JSON with step-level continuous batching (EDM, EDM-ES, EDM-G++, "
                + "SEDM-G++).")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** The sampler fields of a request: the {@code sedm sample} flags the EDM family reads, without "--". */
    static final List<String> SAMPLER_FIELDS = List.of(
            "sampler",
            "steps",
            "solver",
            "sigma-min",
            "sigma-max",
            "rho",
            "s-churn",
            "s-min",
            "s-max",
            "s-noise",
            "es-scale",
            "es-slope",
            "dg-w1",
            "dg-w2",
            "dg-window",
            "dg-boosting");

    static final List<String> OTHER_FIELDS =
            List.of("model", "seeds", "class", "classes", "format", "deadline-ms", "allow-unusual");

    @Option(
            names = "--model",
            required = true,
            paramLabel = "NAME=gmm:FILE.json|NAME=checkpoint:SIDECAR.json",
            description = "a model to serve, as `sedm sample --denoiser` takes it; repeat for several")
    List<String> modelSpecs;

    @Option(
            names = "--discriminator",
            paramLabel = "NAME=oracle:FILE.json|NAME=net:SIDECAR.json",
            description = "DG's discriminator for model NAME (edm-gpp, sedm-gpp), as `sedm sample` takes it")
    List<String> discriminatorSpecs = new ArrayList<>();

    @Option(
            names = "--classifier",
            paramLabel = "NAME=SIDECAR.json",
            description = "the classifier trunk of model NAME's net: discriminator")
    List<String> classifierSpecs = new ArrayList<>();

    @Option(
            names = "--shape",
            paramLabel = "NAME=C,H,W",
            description = "per-sample shape of model NAME (its product must equal the model's dim); C,H,W allows PNG")
    List<String> shapeSpecs = new ArrayList<>();

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "address to listen on")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            paramLabel = "INT",
            description = "port, 0 = any free one (printed)")
    int port;

    @Option(
            names = "--max-rows",
            defaultValue = "64",
            paramLabel = "INT",
            description = "rows per network evaluation, in [1, 65536]")
    int maxRows;

    @Option(
            names = "--max-queued",
            defaultValue = "256",
            paramLabel = "INT",
            description = "requests waiting before new ones get 429, >= 1")
    int maxQueued;

    @Option(names = "--max-images", defaultValue = "64", paramLabel = "INT", description = "images per request, >= 1")
    int maxImages;

    @Option(
            names = "--deadline-ms",
            defaultValue = "600000",
            paramLabel = "INT",
            description = "deadline of a request that names none (its own deadline-ms may only be shorter)")
    long deadlineMs;

    @Option(
            names = "--batching",
            defaultValue = "continuous",
            paramLabel = "continuous|request",
            description = "continuous = step-level; request = request-level dynamic batching (the baseline)")
    String batching;

    @Option(
            names = "--max-batch-delay-ms",
            defaultValue = "50",
            paramLabel = "INT",
            description = "request batching: how long the first request waits for the batch to fill")
    long maxBatchDelayMs;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "65536",
            paramLabel = "INT",
            description = "largest request body accepted (413 beyond)")
    long maxBodyBytes;

    @Option(
            names = "--grace-s",
            defaultValue = "30",
            paramLabel = "INT",
            description = "on SIGTERM/Ctrl-C: seconds for running requests to finish before they are cancelled")
    long graceSeconds;

    @Mixin
    ComputeOptions compute;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    EngineConfig engineConfig() {
        if (!batching.equals("continuous") && !batching.equals("request")) {
            throw new IllegalArgumentException("--batching must be continuous or request, got '" + batching + "'");
        }
        if (maxRows < 1 || maxRows > 65536) {
            throw new IllegalArgumentException("--max-rows must be in [1, 65536], got " + maxRows);
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("--max-queued must be >= 1, got " + maxQueued);
        }
        if (maxImages < 1 || maxImages > SampleCommand.MAX_SEEDS) {
            throw new IllegalArgumentException(
                    "--max-images must be in [1, " + SampleCommand.MAX_SEEDS + "], got " + maxImages);
        }
        if (maxBatchDelayMs < 0) {
            throw new IllegalArgumentException("--max-batch-delay-ms must be >= 0, got " + maxBatchDelayMs);
        }
        if (graceSeconds < 0) {
            throw new IllegalArgumentException("--grace-s must be >= 0, got " + graceSeconds);
        }
        if (deadlineMs < 1) {
            throw new IllegalArgumentException("--deadline-ms must be >= 1, got " + deadlineMs);
        }
        if (maxBodyBytes < 256) {
            throw new IllegalArgumentException("--max-body-bytes must be >= 256, got " + maxBodyBytes);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        }
        EngineConfig c = new EngineConfig(
                maxRows,
                maxQueued,
                maxImages,
                Duration.ofMillis(deadlineMs),
                EngineConfig.Mode.CONTINUOUS,
                Duration.ofMillis(maxBatchDelayMs));
        return batching.equals("request") ? c.withRequestBatching(Duration.ofMillis(maxBatchDelayMs)) : c;
    }

    @Override
    public Integer call() throws Exception {
        Running running;
        try {
            running = start();
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("sedm serve: listening on http://%s:%d (models %s)%n", host, running.port(), running.modelNames());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            running.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }

    /** A started server: its port, and {@link #close} = graceful shutdown (drain within the grace, then cancel). */
    public static final class Running implements AutoCloseable {
        private final Javalin app;
        private final SamplingEngine engine;
        private final List<AutoCloseable> owned;
        private final Duration grace;
        private boolean closed;

        Running(Javalin app, SamplingEngine engine, List<AutoCloseable> owned, Duration grace) {
            this.app = app;
            this.engine = engine;
            this.owned = owned;
            this.grace = grace;
        }

        public int port() {
            return app.port();
        }

        public SamplingEngine engine() {
            return engine;
        }

        List<String> modelNames() {
            return engine.models().stream().map(ServedModel::name).toList();
        }

        /**
         * Stops accepting (readiness turns 503, new requests 503), lets running requests finish within
         * the grace, cancels the rest with a reason (their clients get 503 saying so), then stops HTTP.
         */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            engine.shutdown(grace);
            try {
                engine.awaitTermination(grace.plusSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            engine.close();
            app.stop();
            for (int k = owned.size() - 1; k >= 0; k--) {
                try {
                    owned.get(k).close();
                } catch (Exception e) {
                    LOG.warn("closing {}", owned.get(k), e);
                }
            }
        }
    }

    /** Loads the models, starts the engine and the HTTP server. */
    public Running start() throws Exception {
        compute.apply();
        EngineConfig config = engineConfig();
        Device device = Device.parse(compute.device());
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            List<ServedModel> models = loadModels(device, owned);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            EngineMetrics metrics = new EngineMetrics(registry);
            SamplingEngine engine = new SamplingEngine(config, models, metrics);
            metrics.bind(engine);
            Javalin app = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.startup.showOldJavalinVersionWarning = false;
                c.http.maxRequestSize = maxBodyBytes;
                c.http.asyncTimeout = config.defaultDeadline().toMillis() + 10_000;
                c.jetty.host = host;
                c.jetty.port = port;
                Http http = new Http(engine, maxBodyBytes);
                c.routes.post("/v1/samples", http::samples);
                c.routes.get("/v1/models", http::models);
                c.routes.get(
                        "/health/live",
                        ctx -> json(ctx, 200, JSON.createObjectNode().put("status", "live")));
                c.routes.get("/health/ready", http::ready);
                c.routes.get(
                        "/metrics",
                        ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                                .result(registry.scrape()));
                c.routes.get(
                        "/openapi.json",
                        ctx -> ctx.contentType("application/json").result(OpenApi.DOCUMENT));
                c.routes.exception(Exception.class, (e, ctx) -> {
                    LOG.warn("{} {} failed", ctx.method(), ctx.path(), e);
                    error(ctx, 500, "internal error: " + e.getMessage());
                });
            });
            try {
                app.start();
            } catch (RuntimeException e) {
                engine.close();
                throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
            }
            return new Running(app, engine, owned, Duration.ofSeconds(graceSeconds));
        } catch (Exception | Error e) {
            for (int k = owned.size() - 1; k >= 0; k--) {
                owned.get(k).close();
            }
            throw e;
        }
    }

    // ---- models ----------------------------------------------------------------------------

    private static Map<String, String> named(List<String> specs, String flag) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String s : specs) {
            int eq = s.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException(flag + " must be NAME=SPEC, got '" + s + "'");
            }
            String name = s.substring(0, eq);
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException(flag + " " + s + ": a model name is letters, digits, '.', '_', '-'");
            }
            if (out.put(name, s.substring(eq + 1)) != null) {
                throw new IllegalArgumentException(flag + " names " + name + " twice");
            }
        }
        return out;
    }

    private static String after(String prefixed) {
        return prefixed.substring(prefixed.indexOf(':') + 1);
    }

    private static void requireFile(String flag, String file) {
        if (!Files.isRegularFile(Path.of(file))) {
            throw new IllegalArgumentException(flag + ": no such file " + file);
        }
    }

    /** The models as {@code sedm sample} loads them (gmm:/checkpoint: denoisers, oracle:/net: discriminators). */
    private List<ServedModel> loadModels(Device dev, List<AutoCloseable> owned) {
        Map<String, String> denoisers = named(modelSpecs, "--model");
        Map<String, String> discriminators = named(discriminatorSpecs, "--discriminator");
        Map<String, String> classifiers = named(classifierSpecs, "--classifier");
        Map<String, String> shapes = named(shapeSpecs, "--shape");
        for (String n : discriminators.keySet()) {
            if (!denoisers.containsKey(n)) {
                throw new IllegalArgumentException("--discriminator " + n + "=…: no --model is named " + n);
            }
        }
        List<ServedModel> out = new ArrayList<>();
        for (Map.Entry<String, String> e : denoisers.entrySet()) {
            String name = e.getKey();
            String spec = e.getValue();
            Denoiser denoiser;
            long[] shape;
            GaussianMixtureDenoiser mixture = null;
            RowLabels labels = null;
            if (spec.startsWith("gmm:")) {
                requireFile("--model " + name, after(spec));
                mixture = GaussianMixtureDenoiser.of(GaussianMixture.read(Path.of(after(spec))), dev);
                owned.add(mixture);
                denoiser = mixture;
                shape = new long[] {mixture.dim()};
            } else if (spec.startsWith("checkpoint:")) {
                requireFile("--model " + name, after(spec));
                Checkpoint checkpoint =
                        Checkpoint.read(Path.of(after(spec)), Checkpoint.Kind.DENOISER, "--model " + name);
                shape = switch (checkpoint.network()) {
                    case SongUNetConfig u -> new long[] {u.inChannels(), u.imgResolution(), u.imgResolution()};
                    case MlpConfig m -> new long[] {m.inFeatures()};
                    default ->
                        throw new IllegalArgumentException(
                                "--model " + name + " is not a denoiser checkpoint (U-Net or MLP)");
                };
                Network net = checkpoint.loadDenoiser(dev);
                owned.add(net);
                if (checkpoint.labelDim() > 0) {
                    labels = new RowLabels(checkpoint.labelDim(), dev);
                    owned.add(labels);
                }
                // as `sedm sample` loads it: the checkpoint's preconditioning, float32 order for imports
                denoiser = new NetworkDenoiser(
                        net, checkpoint.preconditioning(), labels == null ? () -> null : labels, checkpoint.imported());
            } else {
                throw new IllegalArgumentException(
                        "--model must be NAME=gmm:FILE.json or NAME=checkpoint:SIDECAR.json, got '" + name + "=" + spec
                                + "'");
            }
            Discriminator disc = null;
            String d = discriminators.get(name);
            if (d != null && d.startsWith("oracle:")) {
                if (mixture == null) {
                    throw new IllegalArgumentException("--discriminator " + name
                            + "=oracle: needs a gmm: model (the oracle is the exact ratio of two mixtures)");
                }
                requireFile("--discriminator " + name, after(d));
                GaussianMixtureDenoiser data = GaussianMixtureDenoiser.fromJson(Path.of(after(d)), dev);
                owned.add(data);
                disc = new GaussianMixtureOracle(data.density(), mixture.density());
            } else if (d != null && d.startsWith("net:")) {
                String cls = classifiers.get(name);
                if (cls == null) {
                    throw new IllegalArgumentException(
                            "--discriminator " + name + "=net: needs --classifier " + name + "=SIDECAR.json");
                }
                requireFile("--discriminator " + name, after(d));
                requireFile("--classifier " + name, cls);
                Network trunk = Checkpoint.read(Path.of(cls), Checkpoint.Kind.CLASSIFIER, "--classifier")
                        .loadTrunk(dev);
                owned.add(trunk);
                Checkpoint headCheckpoint =
                        Checkpoint.read(Path.of(after(d)), Checkpoint.Kind.DISCRIMINATOR, "--discriminator");
                Network head = headCheckpoint.loadHead(dev);
                owned.add(head);
                int headClasses =
                        headCheckpoint.network() instanceof io.sedm.train.AdmEncoderConfig a ? a.numClasses() : 0;
                if (headClasses > 0 && labels == null) {
                    throw new IllegalArgumentException("--discriminator " + name + "=" + d
                            + " is class-conditional (a label embedding of " + headClasses
                            + " classes); it needs a class-conditional --model");
                }
                disc = headClasses > 0
                        ? new NetworkDiscriminator(trunk, head, labels)
                        : new NetworkDiscriminator(trunk, head);
            } else if (d != null) {
                throw new IllegalArgumentException("--discriminator must be NAME=oracle:FILE.json or "
                        + "NAME=net:SIDECAR.json, got '" + name + "=" + d + "'");
            }
            String reshaped = shapes.get(name);
            if (reshaped != null) {
                long[] dims = SampleCommand.parseShape(reshaped);
                long per = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
                long natural = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                if (per != natural) {
                    throw new IllegalArgumentException("--shape " + name + "=" + reshaped + " has " + per
                            + " elements but the model's sample has " + natural);
                }
                shape = dims;
            }
            out.add(new ServedModel(name, denoiser, disc, shape, dev, labels));
        }
        return out;
    }

    // ---- HTTP ------------------------------------------------------------------------------

    static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    static void error(Context ctx, int status, String message) {
        json(ctx, status, JSON.createObjectNode().put("error", message));
    }

    /** Holds the sampler flags for one parse. */
    @Command(name = "request")
    static final class RequestFlags {
        @Mixin
        SamplerOptions sampler;
    }

    /** A request that cannot be served as asked: 400 with the message. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    /** The parsed body of {@code POST /v1/samples}. */
    record Parsed(SampleRequest request, String format, SamplerPlan.Edm plan) {}

    /** The routes' logic. */
    static final class Http {
        private final SamplingEngine engine;
        private final long maxBody;

        Http(SamplingEngine engine, long maxBody) {
            this.engine = engine;
            this.maxBody = maxBody;
        }

        void ready(Context ctx) {
            boolean ready =
                    engine.accepting() && engine.queueDepth() < engine.config().maxQueued();
            json(
                    ctx,
                    ready ? 200 : 503,
                    JSON.createObjectNode()
                            .put("status", ready ? "ready" : engine.accepting() ? "queue full" : "shutting down")
                            .put("queued", engine.queueDepth())
                            .put("activeRows", engine.activeRows()));
        }

        void models(Context ctx) {
            ArrayNode list = JSON.createArrayNode();
            for (ServedModel m : engine.models()) {
                ObjectNode o = list.addObject();
                o.put("name", m.name());
                ArrayNode shape = o.putArray("sampleShape");
                for (long d : m.sampleShape()) {
                    shape.add(d);
                }
                o.put("device", m.device().toString());
                o.put("labelDim", m.labelDim());
                ArrayNode samplers = o.putArray("samplers");
                samplers.add("edm").add("edm-es");
                if (m.discriminator() != null) {
                    samplers.add("edm-gpp").add("sedm-gpp");
                }
            }
            ObjectNode body = JSON.createObjectNode();
            body.set("models", list);
            body.put("maxImages", engine.config().maxImages());
            body.put("maxRows", engine.config().maxRows());
            body.put("batching", engine.config().mode().name().toLowerCase(java.util.Locale.ROOT));
            json(ctx, 200, body);
        }

        void samples(Context ctx) {
            long length = ctx.contentLength();
            if (length > maxBody) {
                error(ctx, 413, "the request body has " + length + " bytes; at most " + maxBody + " are accepted");
                return;
            }
            byte[] bytes = ctx.bodyAsBytes();
            if (bytes.length > maxBody) {
                error(
                        ctx,
                        413,
                        "the request body has " + bytes.length + " bytes; at most " + maxBody + " are accepted");
                return;
            }
            Parsed parsed;
            try {
                parsed = parse(bytes);
            } catch (BadRequest | IllegalArgumentException e) {
                error(ctx, 400, e.getMessage());
                return;
            }
            CompletableFuture<Samples> future;
            try {
                future = engine.submit(parsed.request());
            } catch (EngineFullException e) {
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
                error(ctx, engine.accepting() ? 429 : 503, e.getMessage());
                return;
            } catch (IllegalArgumentException e) {
                error(ctx, 400, e.getMessage());
                return;
            }
            cancelOnDisconnect(ctx, future);
            ctx.future(() -> future.handle((samples, failure) -> {
                respond(ctx, parsed, samples, failure);
                return null;
            }));
        }

        /** The reason a request is cancelled with when its client goes away. */
        static final String DISCONNECTED = "client disconnected";

        /**
         * Cancels the request when its client closes the connection before the result.
         *
         * <p>Mechanism: Jetty's own read-readiness notification on the connection's {@link EndPoint}
         * ({@code tryFillInterested}), plus Jetty core's {@code Request.addFailureListener}. Why not the
         * servlet {@code AsyncListener.onError} or the failure listener alone: over HTTP/1.1 Jetty 12 does
         * not read from a connection whose request body has been consumed until the response is done (it
         * would otherwise buffer pipelined requests), so a client that closes while we sample is not
         * noticed — measured with Javalin 7.2.3 / Jetty 12.1.12: neither fired when the client closed, only
         * at server stop. So we ask the endpoint to tell us when the socket becomes readable: a read of −1
         * is the client's FIN or reset → cancel with {@link #DISCONNECTED}, which frees the rows at the next
         * tick. When the response completes first, Jetty's {@code HttpConnection.onCompleted} fails the
         * pending read itself ("Pending read in onCompleted") and the connection stays persistent, so the
         * probe never outlives its request. Bytes instead of −1 are a pipelined next request, which the
         * probe has consumed: it stops watching and the response closes the connection, which RFC 9112
         * §9.3.2 lets the client answer by retrying its unanswered request. The failure listener covers
         * what Jetty does notice itself (an HTTP/2 reset, an idle timeout, a failed write).
         *
         * <p>Every watched response closes its connection ({@code Connection: close}). On a quiet machine a
         * kept-alive connection reused at once by the client's next request lost that request (the client
         * saw "header parser received no bytes" in 3 runs of 3): the probe's read interest and the
         * connection's own one race when the response and the next request's bytes arrive together. A
         * sampling request lasts seconds, so one TCP handshake per request costs nothing measurable.
         */
        private void cancelOnDisconnect(Context ctx, CompletableFuture<Samples> future) {
            ctx.attribute(WATCHED, Boolean.TRUE);
            ServletContextRequest core = ServletContextRequest.getServletContextRequest(ctx.req());
            if (core == null) {
                return;
            }
            core.addFailureListener(t -> engine.cancel(future, DISCONNECTED));
            EndPoint endPoint = core.getConnectionMetaData().getConnection().getEndPoint();
            watch(endPoint, future, ctx);
        }

        private void watch(EndPoint endPoint, CompletableFuture<Samples> future, Context ctx) {
            if (future.isDone()) {
                return;
            }
            endPoint.tryFillInterested(new Callback() {
                @Override
                public void succeeded() {
                    if (future.isDone()) {
                        return;
                    }
                    int n;
                    try {
                        n = endPoint.fill(BufferUtil.allocate(1));
                    } catch (IOException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        engine.cancel(future, DISCONNECTED);
                    } else if (n == 0) {
                        watch(endPoint, future, ctx);
                    } else {
                        // a pipelined next request, whose first byte the probe consumed: stop watching;
                        // the response closes the connection (WATCHED)
                    }
                }

                @Override
                public void failed(Throwable x) {
                    // the response completed (Jetty fails a pending read then) or the connection closed
                    if (!endPoint.isOpen()) {
                        engine.cancel(future, DISCONNECTED);
                    }
                }

                @Override
                public InvocationType getInvocationType() {
                    return InvocationType.NON_BLOCKING;
                }
            });
        }

        /** Set on a request whose connection the disconnect probe watches: its response closes the connection. */
        static final String WATCHED = "sedm.watched";

        private void respond(Context ctx, Parsed parsed, Samples s, Throwable failure) {
            if (ctx.attribute(WATCHED) != null) {
                ctx.header("Connection", "close");
            }
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                if (cause instanceof TimeoutException) {
                    error(ctx, 504, cause.getMessage());
                } else if (cause instanceof CancellationException) {
                    error(ctx, 503, "cancelled: " + cause.getMessage());
                } else {
                    error(ctx, 500, "sampling failed: " + cause.getMessage());
                }
                return;
            }
            try {
                ctx.header("X-Request-Id", Long.toString(s.request()));
                ctx.header("X-Queue-Ms", Long.toString(s.queuedNanos() / 1_000_000));
                ctx.header("X-Total-Ms", Long.toString(s.totalNanos() / 1_000_000));
                long[] shape = s.sampleShape();
                switch (parsed.format()) {
                    case "png" -> {
                        ByteArrayOutputStream png = new ByteArrayOutputStream();
                        ImageIO.write(
                                ImageGrid.image(s.values(), s.images(), (int) shape[0], (int) shape[1], (int) shape[2]),
                                "png",
                                png);
                        ctx.status(200).contentType("image/png").result(png.toByteArray());
                    }
                    case "npy" -> {
                        long[] full = new long[shape.length + 1];
                        full[0] = s.images();
                        System.arraycopy(shape, 0, full, 1, shape.length);
                        float[] f = new float[s.values().length];
                        for (int i = 0; i < f.length; i++) {
                            f[i] = (float) s.values()[i];
                        }
                        ByteArrayOutputStream npy = new ByteArrayOutputStream();
                        Npy.write(npy, Npy.Array.ofFloats(f, full));
                        ctx.status(200).contentType("application/octet-stream").result(npy.toByteArray());
                    }
                    default -> {
                        ObjectNode body = JSON.createObjectNode();
                        body.put("request", s.request());
                        body.put("sampler", parsed.plan().sampler());
                        body.put("steps", parsed.plan().steps());
                        ArrayNode seeds = body.putArray("seeds");
                        for (long seed : s.seeds()) {
                            seeds.add(seed);
                        }
                        if (s.classes() != null) {
                            ArrayNode classes = body.putArray("classes");
                            for (int c : s.classes()) {
                                classes.add(c);
                            }
                        }
                        ArrayNode sh = body.putArray("shape");
                        for (long d : shape) {
                            sh.add(d);
                        }
                        ArrayNode samples = body.putArray("samples");
                        int per = s.values().length / s.images();
                        for (int i = 0; i < s.images(); i++) {
                            ArrayNode row = samples.addArray();
                            for (int k = 0; k < per; k++) {
                                row.add(s.values()[i * per + k]);
                            }
                        }
                        json(ctx, 200, body);
                    }
                }
            } catch (IOException e) {
                error(ctx, 500, "writing the response failed: " + e.getMessage());
            }
        }

        /** Parses and checks a request body; every message names the field and its allowed values. */
        Parsed parse(byte[] body) {
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (IOException e) {
                throw new BadRequest("the body is not JSON: "
                        + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                                ? j.getOriginalMessage()
                                : e.getMessage()));
            }
            if (root == null || !root.isObject()) {
                throw new BadRequest("the body must be a JSON object");
            }
            List<String> args = new ArrayList<>();
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                JsonNode v = root.get(field);
                if (SAMPLER_FIELDS.contains(field)) {
                    if (field.equals("dg-boosting")) {
                        if (!v.isBoolean()) {
                            throw new BadRequest("dg-boosting must be true or false, got " + v);
                        }
                        if (v.booleanValue()) {
                            args.add("--dg-boosting");
                        }
                    } else if (v.isNumber() || v.isTextual()) {
                        args.add("--" + field + "=" + v.asText());
                    } else {
                        throw new BadRequest(field + " must be a number or a string, got " + v);
                    }
                } else if (!OTHER_FIELDS.contains(field)) {
                    throw new BadRequest("unknown field '" + field + "'; a request takes " + OTHER_FIELDS + " and the "
                            + "sampler fields " + SAMPLER_FIELDS + " (the `sedm sample` flags without dashes)");
                }
            }
            ServedModel model = model(root);
            boolean allowUnusual = root.path("allow-unusual").asBoolean(false);
            RequestFlags flags = new RequestFlags();
            SamplerPlan plan;
            try {
                CommandLine.ParseResult parsed = new CommandLine(flags).parseArgs(args.toArray(String[]::new));
                plan = flags.sampler.plan(parsed, allowUnusual);
            } catch (CommandLine.ParameterException e) {
                throw new BadRequest(e.getMessage());
            }
            if (!(plan instanceof SamplerPlan.Edm edm)) {
                throw new BadRequest("--sampler " + plan.sampler() + " is not served yet; the engine serves edm, "
                        + "edm-es, edm-gpp and sedm-gpp (the samplers with row-set transitions)");
            }
            if (edm.guided() && model.discriminator() == null) {
                throw new BadRequest("--sampler " + edm.sampler() + " needs a discriminator and model " + model.name()
                        + " has none (start the server with --discriminator " + model.name() + "=…)");
            }
            SamplerPlan.Built built = edm.build(model.denoiser(), model.discriminator());
            EdmSampler.Options options = ((EdmSampler) built.sampler()).options();
            long[] seeds = seeds(root);
            if (seeds.length > engine.config().maxImages()) {
                throw new BadRequest("seeds names " + seeds.length + " images; a request may ask for at most "
                        + engine.config().maxImages());
            }
            String format = format(root, model);
            Duration deadline = null;
            if (root.has("deadline-ms")) {
                JsonNode d = root.get("deadline-ms");
                long max = engine.config().defaultDeadline().toMillis();
                if (!d.canConvertToLong() || d.asLong() < 1 || d.asLong() > max) {
                    throw new BadRequest("deadline-ms must be an integer in [1, " + max + "], got " + d);
                }
                deadline = Duration.ofMillis(d.asLong());
            }
            int[] classes = classes(root, model, seeds.length);
            return new Parsed(
                    new SampleRequest(model.name(), options, built.sigmas(), seeds, deadline, null, classes),
                    format,
                    edm);
        }

        /**
         * The request's class labels: {@code "class": C} for every image (the {@code --class} of
         * {@code sedm sample}) or {@code "classes": [..]} one per image; neither = EDM's random class per
         * seed on a conditional model. Checked against the model's label_dim here so the message names
         * the field.
         */
        private static int[] classes(JsonNode root, ServedModel model, int images) {
            if (root.has("class") && root.has("classes")) {
                throw new BadRequest("give either class (one for every image) or classes (one per image), not both");
            }
            if (!root.has("class") && !root.has("classes")) {
                return null;
            }
            String field = root.has("class") ? "class" : "classes";
            if (model.labelDim() == 0) {
                throw new BadRequest(field + ": model " + model.name()
                        + " is unconditional (label_dim 0) and takes no class labels");
            }
            int max = model.labelDim() - 1;
            JsonNode v = root.get(field);
            int[] out;
            if (field.equals("class")) {
                out = new int[] {classIndex(field, v, max)};
            } else {
                if (!v.isArray() || v.size() != images) {
                    throw new BadRequest("classes must be a list of " + images
                            + " integers (one per image, as many as seeds), got " + v);
                }
                out = new int[images];
                for (int i = 0; i < images; i++) {
                    out[i] = classIndex("classes[" + i + "]", v.get(i), max);
                }
            }
            return out;
        }

        private static int classIndex(String field, JsonNode v, int max) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > max) {
                throw new BadRequest(field + " must be an integer in [0, " + max + "] (the model has " + (max + 1)
                        + " classes), got " + v);
            }
            return v.asInt();
        }

        private ServedModel model(JsonNode root) {
            List<ServedModel> all = engine.models();
            if (!root.has("model")) {
                if (all.size() == 1) {
                    return all.getFirst();
                }
                throw new BadRequest("model is required: this server has "
                        + all.stream().map(ServedModel::name).toList());
            }
            String name = root.get("model").asText();
            return all.stream()
                    .filter(m -> m.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new BadRequest("unknown model '" + name + "'; this server has "
                            + all.stream().map(ServedModel::name).toList()));
        }

        private static long[] seeds(JsonNode root) {
            JsonNode s = root.get("seeds");
            if (s == null) {
                return new long[] {0};
            }
            if (s.isTextual()) {
                try {
                    return SampleCommand.parseSeeds(s.asText());
                } catch (IllegalArgumentException e) {
                    throw new BadRequest(e.getMessage().replace("--seeds", "seeds"));
                }
            }
            if (s.isArray() && !s.isEmpty()) {
                long[] out = new long[s.size()];
                for (int i = 0; i < out.length; i++) {
                    JsonNode v = s.get(i);
                    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
                        throw new BadRequest("seeds must be non-negative integers, got " + v + " at index " + i);
                    }
                    out[i] = v.asLong();
                }
                return out;
            }
            throw new BadRequest("seeds must be a list of non-negative integers or a string such as \"0-15\"");
        }

        private static String format(JsonNode root, ServedModel model) {
            long[] shape = model.sampleShape();
            boolean image = shape.length == 3 && (shape[0] == 1 || shape[0] == 3);
            String f = root.path("format").asText(image ? "png" : "json");
            if (!Set.of("png", "npy", "json").contains(f)) {
                throw new BadRequest("format must be png, npy or json, got '" + f + "'");
            }
            if (f.equals("png") && !image) {
                throw new BadRequest("format png needs image samples [C, H, W] with C = 1 or 3; model " + model.name()
                        + " has samples of shape " + Arrays.toString(shape) + " (ask for json or npy)");
            }
            return f;
        }
    }
}
