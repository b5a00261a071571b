package io.sedm.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The engine's meters in a Micrometer registry (Prometheus names in brackets): queue depth and rows
 * in flight [{@code sedm_queue_depth}, {@code sedm_active_rows}], rows per evaluation
 * [{@code sedm_rows_per_evaluation}], evaluations and their time [{@code sedm_evaluation_seconds}, whose
 * {@code _count} rate is evaluations/s], images [{@code sedm_images_total}, rate = images/s], request
 * latency and queue wait histograms [{@code sedm_request_seconds}, {@code sedm_queue_wait_seconds}] and
 * outcomes [{@code sedm_requests_total{outcome=…}}: completed, rejected, cancelled, timed_out, failed].
 */
public final class EngineMetrics implements EngineObserver {
    private final MeterRegistry registry;
    private final DistributionSummary rowsPerEvaluation;
    private final Timer evaluation;
    private final Counter images;
    private final Timer latency;
    private final Timer queueWait;
    private final Counter completed;
    private final Counter rejected;
    private final Counter cancelled;
    private final Counter timedOut;
    private final Counter failed;

    public EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.rowsPerEvaluation = DistributionSummary.builder("sedm.rows.per.evaluation")
                .description("rows sharing one denoiser evaluation")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(4096.0)
                .register(registry);
        this.evaluation = Timer.builder("sedm.evaluation")
                .description("one denoiser evaluation over the rows in flight")
                .register(registry);
        this.images =
                Counter.builder("sedm.images").description("images produced").register(registry);
        this.latency = Timer.builder("sedm.request")
                .description("request latency, submission to result")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        this.queueWait = Timer.builder("sedm.queue.wait")
                .description("time from submission to the first evaluation of a request")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        this.completed = outcome("completed");
        this.rejected = outcome("rejected");
        this.cancelled = outcome("cancelled");
        this.timedOut = outcome("timed_out");
        this.failed = outcome("failed");
    }

    private Counter outcome(String outcome) {
        return Counter.builder("sedm.requests")
                .description("requests by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** Registers the queue-depth and rows-in-flight gauges of {@code engine}. */
    public void bind(SamplingEngine engine) {
        Gauge.builder("sedm.queue.depth", engine, SamplingEngine::queueDepth)
                .description("requests waiting for their first row to start")
                .register(registry);
        Gauge.builder("sedm.active.rows", engine, SamplingEngine::activeRows)
                .description("rows in flight")
                .register(registry);
        Gauge.builder("sedm.max.rows", engine, e -> e.config().maxRows())
                .description("rows per evaluation at most")
                .register(registry);
    }

    @Override
    public void evaluation(int rows, int maxRows, long nanos) {
        rowsPerEvaluation.record(rows);
        evaluation.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void completed(int count, long queuedNanos, long totalNanos) {
        images.increment(count);
        completed.increment();
        latency.record(totalNanos, TimeUnit.NANOSECONDS);
        queueWait.record(queuedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void rejected(String reason) {
        rejected.increment();
    }

    @Override
    public void cancelled(String reason) {
        cancelled.increment();
    }

    @Override
    public void timedOut() {
        timedOut.increment();
    }

    @Override
    public void failed(Throwable cause) {
        failed.increment();
    }
}
