package io.sedm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sedm.cli.ServeCommand;
import io.sedm.data.toy.GaussianMixture;
import io.sedm.guidance.GaussianMixtureOracle;
import io.sedm.runtime.Device;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.GaussianMixtureDenoiser;
import io.sedm.schedule.EdmSchedule;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sedm serve} on an ephemeral loopback port, spoken to with java.net.http. */
class ServeCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    ServeCommand.Running start(String... extra) throws Exception {
        Path model = dir.resolve("model.json");
        Path data = dir.resolve("data.json");
        Files.writeString(model, GaussianMixture.fixture2dWrongModel().toJson());
        Files.writeString(data, GaussianMixture.fixture2d().toJson());
        Path image = dir.resolve("image.json");
        Files.writeString(image, GaussianMixture.gaussian(0.5, 16).toJson());
        List<String> args = new ArrayList<>(List.of(
                "--model",
                "gmm=gmm:" + model,
                "--discriminator",
                "gmm=oracle:" + data,
                "--model",
                "img=gmm:" + image,
                "--shape",
                "img=1,4,4",
                "--port",
                "0",
                "--threads",
                "1"));
        args.addAll(List.of(extra));
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        return cmd.start();
    }

    static HttpResponse<byte[]> post(ServeCommand.Running s, String body) throws Exception {
        return CLIENT.send(request(s, body), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpRequest request(ServeCommand.Running s, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/samples"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static HttpResponse<String> get(ServeCommand.Running s, String path) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String metrics(ServeCommand.Running s) {
        try {
            return get(s, "/metrics").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String error(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body()).get("error").asText();
    }

    @Test
    void samplesOverHttpAreTheSoloRunsAndEveryEndpointAnswers() throws Exception {
        try (ServeCommand.Running s = start()) {
            HttpResponse<byte[]> r = post(s, """
                    {"model": "gmm", "sampler": "sedm-gpp", "steps": 9, "seeds": "3-6", "format": "json"}""");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("seeds").toString()).isEqualTo("[3,4,5,6]");
            double[] got = new double[8];
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < 2; k++) {
                    got[2 * i + k] = body.get("samples").get(i).get(k).asDouble();
                }
            }
            // the served images are the CLI's batch run of the same seeds, to the last bit (JSON keeps doubles exact)
            try (GaussianMixtureDenoiser m =
                            GaussianMixtureDenoiser.of(GaussianMixture.fixture2dWrongModel(), Device.CPU);
                    GaussianMixtureDenoiser d = GaussianMixtureDenoiser.of(GaussianMixture.fixture2d(), Device.CPU)) {
                double[] want = SamplingEngineTest.solo(
                        EdmSampler.Options.sedmGpp(),
                        m,
                        new GaussianMixtureOracle(d.density(), m.density()),
                        EdmSchedule.sigmas(9, 0.002, 80, 7),
                        new long[] {3, 4, 5, 6},
                        new long[] {2});
                assertThat(got).containsExactly(want);
            }

            HttpResponse<byte[]> png = post(s, """
                    {"model": "img", "steps": 5, "seeds": [0, 1, 2, 3]}""");
            assertThat(png.statusCode()).isEqualTo(200);
            assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
            var image = ImageIO.read(new ByteArrayInputStream(png.body()));
            assertThat(image.getWidth()).isEqualTo(8); // 2 × 2 grid of 4 × 4
            assertThat(image.getHeight()).isEqualTo(8);

            HttpResponse<byte[]> npy = post(s, """
                    {"model": "img", "steps": 5, "seeds": "0-2", "format": "npy"}""");
            assertThat(npy.statusCode()).isEqualTo(200);
            assertThat(new String(npy.body(), 1, 5, java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("NUMPY");
            assertThat(new String(npy.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .contains("'shape': (3, 1, 4, 4)");

            JsonNode models = JSON.readTree(get(s, "/v1/models").body());
            assertThat(models.get("models").get(0).get("samplers").toString())
                    .isEqualTo("[\"edm\",\"edm-es\",\"edm-gpp\",\"sedm-gpp\"]");
            assertThat(models.get("models").get(1).get("sampleShape").toString())
                    .isEqualTo("[1,4,4]");
            assertThat(get(s, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(s, "/health/ready").statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(get(s, "/openapi.json").body())
                            .at("/paths/~1v1~1samples/post/responses")
                            .has("429"))
                    .isTrue();
            String metrics = get(s, "/metrics").body();
            assertThat(metrics)
                    .contains("sedm_queue_depth ")
                    .contains("sedm_active_rows ")
                    .contains("sedm_requests_total{outcome=\"completed\"} 3.0")
                    .contains("sedm_images_total 11.0")
                    .contains("sedm_rows_per_evaluation_count")
                    .contains("sedm_evaluation_seconds_count")
                    .contains("sedm_request_seconds_bucket");
        }
    }

    @Test
    void malformedAndOversizedRequestsGetTheCliMessages() throws Exception {
        try (ServeCommand.Running s = start("--max-images", "8", "--max-body-bytes", "1024")) {
            record Case(String body, int status, String message) {}
            List<Case> cases = List.of(
                    new Case("{\"steps\": ", 400, "the body is not JSON"),
                    new Case("[1, 2]", 400, "the body must be a JSON object"),
                    new Case("{\"model\": \"gmm\", \"stepz\": 5}", 400, "unknown field 'stepz'"),
                    new Case("{\"model\": \"gmm\", \"steps\": 1}", 400, "--steps must be in [2, 10000]"),
                    new Case(
                            "{\"model\": \"gmm\", \"sampler\": \"edm\", \"es-scale\": 1.001}",
                            400,
                            "--es-scale does not apply to --sampler edm"),
                    new Case(
                            "{\"model\": \"gmm\", \"sampler\": \"edm-es\", \"es-scale\": 1.5}",
                            400,
                            "--es-scale 1.5 is outside the usual range [0.99, 1.02]"),
                    new Case("{\"model\": \"gmm\", \"sampler\": \"ddim\"}", 400, "--sampler ddim is not served yet"),
                    new Case("{\"model\": \"img\", \"sampler\": \"sedm-gpp\"}", 400, "model img has none"),
                    new Case("{\"model\": \"nope\"}", 400, "unknown model 'nope'"),
                    new Case("{\"steps\": 5}", 400, "model is required"),
                    new Case("{\"model\": \"gmm\", \"seeds\": \"0-8\"}", 400, "at most 8"),
                    new Case("{\"model\": \"gmm\", \"seeds\": \"-1\"}", 400, "seeds must be non-negative"),
                    new Case("{\"model\": \"gmm\", \"seeds\": [1.5]}", 400, "seeds must be non-negative integers"),
                    new Case("{\"model\": \"gmm\", \"format\": \"png\"}", 400, "format png needs image samples"),
                    new Case("{\"model\": \"gmm\", \"deadline-ms\": 0}", 400, "deadline-ms must be an integer"),
                    new Case(
                            "{\"model\": \"gmm\", \"seeds\": \"" + "1,".repeat(600) + "1\"}",
                            413,
                            "at most 1024 are accepted"));
            for (Case c : cases) {
                HttpResponse<byte[]> r = post(s, c.body());
                assertThat(r.statusCode()).as(c.body()).isEqualTo(c.status());
                assertThat(error(r)).as(c.body()).contains(c.message());
            }
            assertThat(get(s, "/metrics").body()).contains("sedm_requests_total{outcome=\"completed\"} 0.0");
        }
    }

    @Test
    void badFlagsAreOneLineErrorsNamingTheFlag() throws Exception {
        Path model = dir.resolve("model.json");
        Files.writeString(model, GaussianMixture.fixture2d().toJson());
        record Case(String[] args, String message) {}
        List<Case> cases = List.of(
                new Case(
                        new String[] {"--model", "m=gmm:" + model, "--max-rows", "0"},
                        "--max-rows must be in [1, 65536]"),
                new Case(new String[] {"--model", "m=gmm:" + dir.resolve("none.json")}, "--model m: no such file"),
                new Case(new String[] {"--model", "gmm:" + model}, "--model must be NAME=SPEC"),
                new Case(
                        new String[] {"--model", "m=gmm:" + model, "--discriminator", "x=oracle:" + model},
                        "no --model is named x"),
                new Case(new String[] {"--model", "m=gmm:" + model, "--batching", "dynamic"}, "--batching must be"));
        for (Case c : cases) {
            java.io.StringWriter err = new java.io.StringWriter();
            CommandLine cl = io.sedm.cli.Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err));
            String[] args = new String[c.args().length + 1];
            args[0] = "serve";
            System.arraycopy(c.args(), 0, args, 1, c.args().length);
            assertThat(cl.execute(args)).as(err.toString()).isEqualTo(2);
            assertThat(err.toString()).contains(c.message());
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndShutdownCancelsWithAReason() throws Exception {
        ServeCommand.Running s = start("--max-rows", "1", "--max-queued", "1", "--grace-s", "0");
        // Heun with 10000 steps: ~20000 evaluations, seconds on this machine, far longer than the test needs
        String slow = "{\"model\": \"gmm\", \"steps\": 10000, \"seeds\": [1]}";
        CompletableFuture<HttpResponse<byte[]>> running =
                CLIENT.sendAsync(request(s, slow), HttpResponse.BodyHandlers.ofByteArray());
        SamplingEngineTest.waitFor(() -> s.engine().activeRows() == 1);
        CompletableFuture<HttpResponse<byte[]>> queued =
                CLIENT.sendAsync(request(s, slow), HttpResponse.BodyHandlers.ofByteArray());
        SamplingEngineTest.waitFor(() -> s.engine().queueDepth() == 1);
        HttpResponse<byte[]> full = post(s, slow);
        assertThat(full.statusCode()).isEqualTo(429);
        assertThat(full.headers().firstValue("Retry-After")).isPresent();
        assertThat(Long.parseLong(full.headers().firstValue("Retry-After").get()))
                .isPositive();
        assertThat(error(full)).contains("the queue is full");
        assertThat(get(s, "/health/ready").statusCode()).isEqualTo(503);
        String metrics = get(s, "/metrics").body();
        assertThat(metrics).contains("sedm_requests_total{outcome=\"rejected\"} 1.0");
        assertThat(metrics).contains("sedm_queue_depth 1.0");

        s.close(); // grace 0: both are cancelled, each client told why
        for (CompletableFuture<HttpResponse<byte[]>> f : List.of(running, queued)) {
            HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(error(r)).isEqualTo("cancelled: the engine shut down before the request finished");
        }
    }

    @Test
    void aClientThatHangsUpCancelsItsRequestAndFreesItsRows() throws Exception {
        try (ServeCommand.Running s = start("--max-rows", "4")) {
            String slow = "{\"model\": \"gmm\", \"steps\": 10000, \"seeds\": \"0-3\", \"format\": \"json\"}";
            // a client of its own, so that aborting closes its connection and no other exchange shares it
            HttpClient aborting =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            CompletableFuture<HttpResponse<byte[]>> hungUp =
                    aborting.sendAsync(request(s, slow), HttpResponse.BodyHandlers.ofByteArray());
            SamplingEngineTest.waitFor(() -> s.engine().activeRows() == 4);
            long t0 = System.nanoTime();
            hungUp.cancel(true); // java.net.http aborts the exchange and closes the connection
            aborting.close();
            SamplingEngineTest.waitFor(() -> s.engine().activeRows() == 0);
            long freedMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("ServeCommandTest: rows freed " + freedMs + " ms after the client hung up");
            assertThat(get(s, "/metrics").body())
                    .contains("sedm_requests_total{outcome=\"cancelled\"} 1.0")
                    .contains("sedm_requests_total{outcome=\"completed\"} 0.0");
            // the server still answers, on kept-alive connections too (the probe ends with its request)
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> r =
                        post(s, "{\"model\": \"gmm\", \"steps\": 5, \"seeds\": [1], \"format\": \"json\"}");
                assertThat(r.statusCode()).isEqualTo(200);
            }
            // the engine counts a completion right after handing out the result, so the client may be first
            SamplingEngineTest.waitFor(() -> metrics(s).contains("sedm_requests_total{outcome=\"completed\"} 2.0"));
            assertThat(metrics(s)).contains("sedm_requests_total{outcome=\"cancelled\"} 1.0");
        }
    }

    /** A class-conditional tiny SongUNet (label_dim 3) written as an imported checkpoint: weights + sidecar. */
    static Path conditionalCheckpoint(Path dir) throws Exception {
        io.sedm.train.SongUNetConfig config =
                io.sedm.train.SongUNetConfig.tiny(8, 1).withLabelDim(3);
        Path weights = dir.resolve("cond.safetensors");
        try (io.sedm.runtime.Network net = config.build(Device.CPU)) {
            NetworkBatchingTest.randomize(net, 41);
            ConditionalBatchingTest.strongLabels(net);
            net.save(weights, java.util.Map.of());
        }
        com.fasterxml.jackson.databind.node.ObjectNode side = JSON.createObjectNode();
        side.put("format", "sedm-checkpoint-1");
        side.put("kind", "denoiser");
        side.set("network", JSON.readTree(config.toJson()));
        side.put("step", 0);
        side.putObject("files").put("ema", "cond.safetensors");
        side.putObject("imported").put("from", "ServeCommandTest");
        Path sidecar = dir.resolve("cond.json");
        Files.writeString(sidecar, side.toPrettyString());
        return sidecar;
    }

    @Test
    void classLabelsAreServedAndCheckedAgainstTheModel() throws Exception {
        Path cond = conditionalCheckpoint(dir);
        try (ServeCommand.Running s = start("--model", "cond=checkpoint:" + cond)) {
            JsonNode models = JSON.readTree(get(s, "/v1/models").body()).get("models");
            assertThat(models.toString()).contains("\"name\":\"cond\"").contains("\"labelDim\":3");
            HttpResponse<byte[]> r = post(s, """
                    {"model": "cond", "steps": 4, "seeds": [5, 6, 7], "classes": [2, 0, 1], "format": "json"}""");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("classes").toString()).isEqualTo("[2,0,1]");
            r = post(s, """
                    {"model": "cond", "steps": 4, "seeds": [5, 6], "class": 1, "format": "json"}""");
            assertThat(JSON.readTree(r.body()).get("classes").toString()).isEqualTo("[1,1]");
            r = post(s, """
                    {"model": "cond", "steps": 4, "seeds": "0-5", "format": "json"}""");
            int[] random = RowLabels.randomClasses(new long[] {0, 1, 2, 3, 4, 5}, 3);
            assertThat(JSON.readTree(r.body()).get("classes").toString())
                    .isEqualTo(java.util.Arrays.toString(random).replace(" ", ""));
            record Bad(String body, String message) {}
            for (Bad b : List.of(
                    new Bad(
                            "{\"model\": \"gmm\", \"class\": 1}",
                            "class: model gmm is unconditional (label_dim 0) and takes no class labels"),
                    new Bad(
                            "{\"model\": \"cond\", \"class\": 3}",
                            "class must be an integer in [0, 2] (the model has 3 classes), got 3"),
                    new Bad(
                            "{\"model\": \"cond\", \"class\": \"shirt\"}",
                            "class must be an integer in [0, 2] (the model has 3 classes), got \"shirt\""),
                    new Bad(
                            "{\"model\": \"cond\", \"seeds\": [1, 2], \"classes\": [0]}",
                            "classes must be a list of 2 integers (one per image, as many as seeds), got [0]"),
                    new Bad(
                            "{\"model\": \"cond\", \"seeds\": [1, 2], \"classes\": [0, -1]}",
                            "classes[1] must be an integer in [0, 2] (the model has 3 classes), got -1"),
                    new Bad(
                            "{\"model\": \"cond\", \"class\": 0, \"classes\": [0]}",
                            "give either class (one for every image) or classes (one per image), not both"))) {
                HttpResponse<byte[]> bad = post(s, b.body());
                assertThat(bad.statusCode()).as(b.body()).isEqualTo(400);
                assertThat(error(bad)).as(b.body()).isEqualTo(b.message());
            }
        }
    }
}
