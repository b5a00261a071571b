package io.sedm.serve;

import io.sedm.guidance.DiscriminatorGuidance;
import io.sedm.runtime.DType;
import io.sedm.runtime.Generator;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.EdmSampler;
import io.sedm.sampler.Latents;
import io.sedm.sampler.StepListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sampling engine: a bounded request queue and one scheduler thread that runs one denoiser
 * evaluation per tick over the rows of many requests, each row set ({@link EdmSampler.Rows}) at its
 * own step and stage of its own schedule. The step arithmetic is the samplers' own
 * ({@link EdmSampler.Rows} is what {@link EdmSampler#sample} drives too); the engine only decides
 * which rows share an evaluation, gathers their inputs into one batch and scatters the results.
 *
 * <p><b>Scheduling.</b> In {@link EngineConfig.Mode#CONTINUOUS} mode every tick: (1) drop requests
 * that were cancelled or passed their deadline; (2) admit rows oldest request first into the free
 * slots (a request larger than the free slots is admitted in chunks, each its own row set with its
 * own seeds, so its images do not change); (3) evaluate D once over every row in flight; (4) run one
 * discriminator evaluation over the rows whose DG window is open; (5) hand finished row sets to
 * their requests. Every row in flight advances every tick, so no admitted request starves; admission
 * is first come, first served. {@link EngineConfig.Mode#REQUEST_BATCHING} is the request-level
 * baseline (see there).
 *
 * <p><b>Independence.</b> A row set draws its latents and churn noise from its own per-seed Philox
 * generator ({@link Generator}, {@link Latents}), so image b depends only on seeds[b]; with the exact
 * mixture denoiser the result is bitwise the solo {@link EdmSampler#sample} run, with a network up to
 * the network's batch-size round-off. One caveat inherited from DG's reference: the DG window test
 * uses the minimum τ of a row set, so with boosting (per-row σ̂) a request split into chunks can open
 * the window at another step than a solo run of all its seeds would.
 *
 * <p>All native work runs on the scheduler thread (one platform thread per device, docs/STYLE.md).
 */
public final class SamplingEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SamplingEngine.class);

    private final EngineConfig config;
    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final EngineObserver observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Requests with rows not yet admitted, oldest first (a partly admitted request stays at the head). */
    private final Deque<Job> queue = new ArrayDeque<>();
    /** Requests with rows in flight or waiting, touched only by the scheduler. */
    private final List<Job> running = new ArrayList<>();
    /** How many ticks DG-waiting rows may be passed over before the discriminator runs anyway. */
    static final int MAX_DEFERRED_TICKS = 2;
    /** Ticks since the last discriminator call, per model; touched only by the scheduler. */
    private final Map<ServedModel, Integer> deferredTicks = new java.util.HashMap<>();
    /** Row sets in flight, oldest first; touched only by the scheduler. */
    private final List<Group> active = new ArrayList<>();

    private final AtomicLong ids = new AtomicLong();
    /** Accepted requests not yet released, by their future (for {@link #cancel}). */
    private final Map<CompletableFuture<Samples>, Job> jobs = new java.util.concurrent.ConcurrentHashMap<>();

    private final Thread scheduler;
    private volatile boolean accepting = true;
    private volatile long graceEndNanos = Long.MAX_VALUE;
    private volatile int queuedRequests;
    private volatile int activeRows;
    /** Exponential moving average of one evaluation's duration, for Retry-After. */
    private volatile double evaluationNanos = 0;

    public SamplingEngine(EngineConfig config, List<ServedModel> served, EngineObserver observer) {
        if (config == null || served == null || served.isEmpty()) {
            throw new IllegalArgumentException("the engine needs a config and at least one model");
        }
        for (ServedModel m : served) {
            if (models.put(m.name(), m) != null) {
                throw new IllegalArgumentException("two models are named " + m.name());
            }
        }
        this.config = config;
        this.observer = observer == null ? EngineObserver.NONE : observer;
        this.scheduler = Thread.ofPlatform().name("sedm-engine").daemon(true).unstarted(this::schedule);
        this.scheduler.start();
    }

    public SamplingEngine(EngineConfig config, ServedModel... served) {
        this(config, List.of(served), EngineObserver.NONE);
    }

    public EngineConfig config() {
        return config;
    }

    public List<ServedModel> models() {
        return List.copyOf(models.values());
    }

    /** Requests waiting for their first row to start (bounded by {@link EngineConfig#maxQueued()}). */
    public int queueDepth() {
        return queuedRequests;
    }

    /** Rows in flight. */
    public int activeRows() {
        return activeRows;
    }

    /** Whether new requests are accepted (false once shutting down). */
    public boolean accepting() {
        return accepting && scheduler.isAlive();
    }

    /**
     * Queues a request. The future completes with the samples, or exceptionally with a
     * {@link TimeoutException} (deadline), a {@link CancellationException} whose message says why
     * (shutdown), or the model's error. Cancelling the future frees its rows at the next tick.
     *
     * @throws IllegalArgumentException the request does not fit the engine (unknown model, too many
     *                                  images, DG without a discriminator)
     * @throws EngineFullException      the queue is full or the engine is shutting down
     */
    public CompletableFuture<Samples> submit(SampleRequest request) {
        ServedModel model = models.get(request.model());
        if (model == null) {
            throw new IllegalArgumentException(
                    "unknown model '" + request.model() + "'; this engine serves " + models.keySet());
        }
        if (request.images() > config.maxImages()) {
            throw new IllegalArgumentException("a request may ask for at most " + config.maxImages()
                    + " images, this one asks for " + request.images());
        }
        if (request.options().guidance().active() && model.discriminator() == null) {
            throw new IllegalArgumentException("model " + model.name()
                    + " has no discriminator, so Discriminator Guidance (edm-gpp, sedm-gpp) cannot run on it");
        }
        int[] classes = classes(request, model);
        EdmSampler sampler = new EdmSampler(request.options(), model.discriminator());
        long now = System.nanoTime();
        Duration deadline = request.deadline() != null ? request.deadline() : config.defaultDeadline();
        Job job = new Job(ids.incrementAndGet(), request, model, sampler, classes, now, now + deadline.toNanos());
        lock.lock();
        try {
            if (!accepting) {
                observer.rejected("shutting down");
                throw new EngineFullException("the engine is shutting down", 5);
            }
            if (queuedRequests >= config.maxQueued()) {
                observer.rejected("queue full");
                throw new EngineFullException(
                        "the queue is full (" + config.maxQueued() + " requests waiting); retry later",
                        retryAfterSeconds());
            }
            queue.addLast(job);
            jobs.put(job.future, job);
            queuedRequests = queuedRequests + 1;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        return job.future;
    }

    /**
     * The class of each image: none for an unconditional model (which refuses labels), the request's
     * classes checked against label_dim, or EDM's random class per seed when the request gives none.
     */
    static int[] classes(SampleRequest request, ServedModel model) {
        int[] given = request.classes();
        int labelDim = model.labelDim();
        if (labelDim == 0) {
            if (given != null) {
                throw new IllegalArgumentException("model " + model.name()
                        + " is unconditional (label_dim 0); a request for it takes no class labels");
            }
            return null;
        }
        if (given == null) {
            return RowLabels.randomClasses(request.seeds(), labelDim);
        }
        for (int c : given) {
            if (c >= labelDim) {
                throw new IllegalArgumentException("class " + c + " is out of range: model " + model.name() + " has "
                        + labelDim + " classes [0, " + (labelDim - 1) + "]");
            }
        }
        return given;
    }

    /**
     * Cancels the request whose future is {@code future} with {@code reason} (e.g. "client
     * disconnected"): the future completes with a {@link CancellationException} carrying the reason, the
     * cancelled metric counts it, and its rows leave the batch at the next tick. Returns false when the
     * request had already finished. Safe from any thread.
     */
    public boolean cancel(CompletableFuture<Samples> future, String reason) {
        Job j = jobs.get(future);
        if (j == null || future.isDone()) {
            return false;
        }
        j.cancelReason = reason;
        if (!future.completeExceptionally(new CancellationException(reason))) {
            return false;
        }
        countCancelled(j);
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** A rough wait until a queue slot frees: the queued row evaluations at the recent speed, at least 1 s. */
    private long retryAfterSeconds() {
        double rowEvaluations = 0;
        for (Job j : queue) {
            rowEvaluations += (double) j.request.images() * j.request.nfe();
        }
        double seconds = rowEvaluations / config.maxRows() * evaluationNanos / 1e9;
        return Math.max(1, Math.min(3600, (long) Math.ceil(seconds)));
    }

    /**
     * Stops accepting requests; queued and running ones may finish within {@code grace}, then the rest
     * are cancelled with a reason. Returns at once; {@link #awaitTermination} waits.
     */
    public void shutdown(Duration grace) {
        lock.lock();
        try {
            accepting = false;
            long end = System.nanoTime() + grace.toNanos();
            graceEndNanos = Math.min(graceEndNanos, end < 0 ? Long.MAX_VALUE : end);
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the scheduler to end; true if it did within {@code timeout}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return scheduler.join(timeout);
    }

    /** Shuts down with no grace (cancels everything with a reason) and waits for the scheduler. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
        boolean interrupted = false;
        while (scheduler.isAlive()) {
            try {
                scheduler.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the scheduler -------------------------------------------------------------------------

    private void schedule() {
        try {
            while (true) {
                lock.lock();
                try {
                    dropFinished(System.nanoTime());
                    if (!accepting && System.nanoTime() >= graceEndNanos) {
                        cancelAll("the engine shut down before the request finished");
                    }
                    if (!accepting && queue.isEmpty() && active.isEmpty()) {
                        return;
                    }
                    long waitNanos = admit(System.nanoTime());
                    if (active.isEmpty()) {
                        long untilGrace = accepting ? Long.MAX_VALUE : graceEndNanos - System.nanoTime();
                        wake.awaitNanos(Math.max(1, Math.min(Math.min(waitNanos, untilGrace), nextDeadline())));
                        continue;
                    }
                } finally {
                    lock.unlock();
                }
                tick();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("the engine's scheduler stopped", e);
        } finally {
            accepting = false;
            lock.lock();
            try {
                cancelAll("the engine stopped");
            } finally {
                lock.unlock();
            }
        }
    }

    /** Nanoseconds until the nearest deadline of a queued request (to wake and time it out). */
    private long nextDeadline() {
        long now = System.nanoTime();
        long min = Long.MAX_VALUE;
        for (Job j : queue) {
            min = Math.min(min, j.deadlineNanos - now);
        }
        return Math.max(1, min);
    }

    /**
     * Counts a cancelled request once: {@link #cancel} and the scheduler's {@link #dropFinished} may
     * both see it (the scheduler can observe the completed future before cancel() gets to count).
     */
    private void countCancelled(Job j) {
        if (j.counted.compareAndSet(false, true)) {
            String reason = j.cancelReason;
            observer.cancelled(reason != null ? reason : "cancelled by the caller");
        }
    }

    /** Releases requests that were cancelled by their caller or passed their deadline. */
    private void dropFinished(long now) {
        List<Job> all = new ArrayList<>(running);
        for (Job j : queue) {
            if (!all.contains(j)) {
                all.add(j);
            }
        }
        for (Job j : all) {
            if (j.future.isCancelled()) {
                countCancelled(j);
                release(j);
            } else if (now > j.deadlineNanos && !j.future.isDone()) {
                j.future.completeExceptionally(new TimeoutException("request " + j.id + " passed its deadline of "
                        + Duration.ofNanos(j.deadlineNanos - j.submittedNanos).toMillis() + " ms with "
                        + j.imagesDone + " of " + j.request.images() + " images done"));
                observer.timedOut();
                release(j);
            } else if (j.future.isDone()) {
                release(j);
            }
        }
    }

    private void cancelAll(String reason) {
        List<Job> all = new ArrayList<>(running);
        for (Job j : queue) {
            if (!all.contains(j)) {
                all.add(j);
            }
        }
        for (Job j : all) {
            if (j.future.completeExceptionally(new CancellationException(reason))) {
                observer.cancelled(reason);
            }
            release(j);
        }
    }

    /** Closes a request's row sets and removes it from the queue and the running list. */
    private void release(Job j) {
        for (int k = active.size() - 1; k >= 0; k--) {
            Group g = active.get(k);
            if (g.job == j) {
                active.remove(k);
                g.close();
            }
        }
        if (queue.remove(j) && !j.started) {
            queuedRequests = queuedRequests - 1;
        }
        running.remove(j);
        jobs.remove(j.future);
        activeRows = countRows();
    }

    private int countRows() {
        int rows = 0;
        for (Group g : active) {
            rows += g.rows.batch();
        }
        return rows;
    }

    /**
     * Moves rows from the queue into free slots; returns how long to wait before trying again when
     * nothing could be admitted (request batching waiting for its batch to fill).
     */
    private long admit(long now) {
        int free = config.maxRows() - countRows();
        if (config.mode() == EngineConfig.Mode.REQUEST_BATCHING) {
            if (!active.isEmpty() || queue.isEmpty()) {
                return Long.MAX_VALUE;
            }
            int queuedRows = 0;
            for (Job j : queue) {
                queuedRows += j.request.images() - j.admitted;
            }
            long waited = now - queue.peekFirst().submittedNanos;
            long delay = config.maxBatchDelay().toNanos();
            if (queuedRows < config.maxRows() && waited < delay && accepting) {
                return delay - waited;
            }
            // whole requests in arrival order while they fit (a request larger than the batch goes in parts)
            while (!queue.isEmpty() && free > 0) {
                Job j = queue.peekFirst();
                int left = j.request.images() - j.admitted;
                if (left > free && free < config.maxRows()) {
                    break;
                }
                free -= start(j, Math.min(left, free));
            }
            return Long.MAX_VALUE;
        }
        while (free > 0 && !queue.isEmpty()) {
            Job j = queue.peekFirst();
            free -= start(j, Math.min(free, j.request.images() - j.admitted));
        }
        return Long.MAX_VALUE;
    }

    /** Admits the next {@code n} rows of {@code j} as one row set; returns n. */
    private int start(Job j, int n) {
        if (!j.started) {
            j.started = true;
            queuedRequests = queuedRequests - 1;
            running.add(j);
        }
        int offset = j.admitted;
        j.admitted += n;
        if (j.admitted == j.request.images()) {
            queue.pollFirst();
        }
        try {
            active.add(new Group(j, offset, n));
        } catch (RuntimeException e) {
            fail(j, e);
        }
        activeRows = countRows();
        return n;
    }

    private void fail(Job j, Throwable e) {
        if (j.future.completeExceptionally(e)) {
            observer.failed(e);
        }
        release(j);
    }

    /** One denoiser evaluation over every row in flight (per model), then DG over the open rows, then results. */
    private void tick() {
        Map<ServedModel, List<Group>> byModel = new LinkedHashMap<>();
        for (Group g : active) {
            byModel.computeIfAbsent(g.job.model, m -> new ArrayList<>()).add(g);
        }
        for (Map.Entry<ServedModel, List<Group>> e : byModel.entrySet()) {
            List<Group> groups = e.getValue();
            try {
                step(e.getKey(), groups);
            } catch (RuntimeException ex) {
                LOG.warn("an evaluation of model {} failed", e.getKey().name(), ex);
                for (Group g : groups) {
                    fail(g.job, ex);
                }
                continue;
            }
            for (Group g : groups) {
                if (g.rows.stage() == EdmSampler.Stage.DONE) {
                    finish(g);
                }
            }
            List<Job> jobs = new ArrayList<>();
            for (Group g : groups) {
                if (!jobs.contains(g.job)) {
                    jobs.add(g.job);
                }
            }
            for (Job j : jobs) {
                if (j.request.progress() != null && !j.future.isDone()) {
                    j.request
                            .progress()
                            .onProgress(new SampleRequest.Progress(
                                    j.id,
                                    j.rowEvaluations,
                                    (long) j.request.nfe() * j.request.images(),
                                    j.imagesDone,
                                    j.request.images()));
                }
                if (j.imagesDone == j.request.images()) {
                    complete(j);
                }
            }
        }
    }

    /**
     * One tick for one model: D over the row sets that wait for it; closed DG windows answered at
     * once; then the discriminator over the row sets whose window is open — at once in request
     * batching (its rows move in lockstep), and in continuous batching only when they hold at least
     * half the rows in flight or nothing else waits for D. Rows of different requests are at
     * different stages, so evaluating DG after every D tick would pay a discriminator call on almost
     * every tick for a few rows; deferring lets the waiting rows share one call (a DG call costs
     * 2–3 D calls on this CPU). A row waits at most {@link #MAX_DEFERRED_TICKS} ticks for its DG call.
     * Deferral changes when a row's DG runs, never its inputs or result.
     */
    private void step(ServedModel model, List<Group> groups) {
        List<Group> denoise = new ArrayList<>();
        for (Group g : groups) {
            if (g.rows.stage().needsDenoiser()) {
                denoise.add(g);
            }
        }
        if (!denoise.isEmpty()) {
            evaluate(model, denoise);
        }
        List<Group> waiting = answerClosedWindows(groups);
        if (waiting.isEmpty()) {
            return;
        }
        int waitingRows = 0;
        int allRows = 0;
        boolean denoiseNext = false;
        for (Group g : groups) {
            allRows += g.rows.batch();
            if (g.rows.stage().needsGuidance()) {
                waitingRows += g.rows.batch();
            } else if (g.rows.stage().needsDenoiser()) {
                denoiseNext = true;
            }
        }
        int deferred = deferredTicks.getOrDefault(model, 0);
        if (config.mode() == EngineConfig.Mode.REQUEST_BATCHING
                || !denoiseNext
                || 2 * waitingRows >= allRows
                || deferred >= MAX_DEFERRED_TICKS) {
            deferredTicks.put(model, 0);
            guide(model, waiting);
        } else {
            deferredTicks.put(model, deferred + 1);
        }
    }

    /** Answers the row sets waiting for DG outside their window; returns those inside it. */
    private static List<Group> answerClosedWindows(List<Group> groups) {
        List<Group> open = new ArrayList<>();
        for (Group g : groups) {
            if (!g.rows.stage().needsGuidance()) {
                continue;
            }
            if (g.job.sampler.discriminatorGuidance().isOpen(g.rows.inputSigma())) {
                open.add(g);
            } else {
                try (DiscriminatorGuidance.Evaluation closed =
                        DiscriminatorGuidance.Evaluation.closed(g.rows.batch())) {
                    g.rows.guided(closed);
                }
            }
        }
        return open;
    }

    private void evaluate(ServedModel model, List<Group> groups) {
        int rows = 0;
        for (Group g : groups) {
            rows += g.rows.batch();
        }
        long[] shape = batchShape(model, rows);
        double[] sigma = new double[rows];
        long t0 = System.nanoTime();
        try (Tensor in = Tensor.empty(shape, DType.FLOAT64, model.device());
                Tensor out = Tensor.empty(shape, DType.FLOAT64, model.device())) {
            int offset = 0;
            for (Group g : groups) {
                int n = g.rows.batch();
                try (Tensor view = in.slice(offset, n)) {
                    view.copyFrom(g.rows.input());
                }
                System.arraycopy(g.rows.inputSigma(), 0, sigma, offset, n);
                offset += n;
            }
            selectLabels(model, groups, rows);
            model.denoiser().denoise(in, sigma, out);
            offset = 0;
            for (Group g : groups) {
                int n = g.rows.batch();
                try (Tensor view = out.slice(offset, n)) {
                    g.rows.denoisedBuffer().copyFrom(view);
                }
                g.rows.denoised(StepListener.NONE);
                g.job.rowEvaluations += n;
                offset += n;
            }
        }
        long nanos = System.nanoTime() - t0;
        evaluationNanos = evaluationNanos == 0 ? nanos : 0.9 * evaluationNanos + 0.1 * nanos;
        observer.evaluation(rows, config.maxRows(), nanos);
    }

    /** One discriminator evaluation over the row sets {@code open} (each inside its DG window). */
    private void guide(ServedModel model, List<Group> open) {
        int rows = 0;
        for (Group g : open) {
            rows += g.rows.batch();
        }
        long[] shape = batchShape(model, rows);
        double[] sigma = new double[rows];
        try (Tensor in = Tensor.empty(shape, DType.FLOAT64, model.device())) {
            int offset = 0;
            for (Group g : open) {
                int n = g.rows.batch();
                try (Tensor view = in.slice(offset, n)) {
                    view.copyFrom(g.rows.input());
                }
                System.arraycopy(g.rows.inputSigma(), 0, sigma, offset, n);
                offset += n;
            }
            selectLabels(model, open, rows);
            // the window was tested per row set above; the evaluation itself depends on no window
            try (DiscriminatorGuidance.Evaluation all =
                    open.get(0).job.sampler.discriminatorGuidance().evaluateOpen(in, sigma)) {
                offset = 0;
                for (Group g : open) {
                    int n = g.rows.batch();
                    try (DiscriminatorGuidance.Evaluation mine = all.rows(offset, n)) {
                        g.rows.guided(mine);
                    }
                    offset += n;
                }
            }
        }
    }

    /** A conditional model: each row brings its own class into the batch, in the batch's row order. */
    private static void selectLabels(ServedModel model, List<Group> groups, int rows) {
        if (model.labels() == null) {
            return;
        }
        int[] classes = new int[rows];
        int offset = 0;
        for (Group g : groups) {
            int n = g.rows.batch();
            System.arraycopy(g.job.classes, g.offset, classes, offset, n);
            offset += n;
        }
        model.labels().select(classes);
    }

    private static long[] batchShape(ServedModel model, int rows) {
        long[] sample = model.sampleShape();
        long[] shape = new long[sample.length + 1];
        shape[0] = rows;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }

    /** A row set is done: copy its images into the request. */
    private void finish(Group g) {
        Job j = g.job;
        active.remove(g);
        try (Tensor result = g.rows.take()) {
            double[] v = result.toDoubleArray();
            for (int k = 0; k < v.length; k++) {
                if (!Double.isFinite(v[k])) {
                    long per = j.model.sampleSize();
                    throw new IllegalStateException(
                            "the sample of seed " + j.request.seeds()[g.offset + (int) (k / per)] + " became " + v[k]
                                    + "; check the model and the sampler options");
                }
            }
            System.arraycopy(v, 0, j.values, Math.toIntExact(g.offset * j.model.sampleSize()), v.length);
            j.imagesDone += g.rows.batch();
        } catch (RuntimeException e) {
            g.close();
            fail(j, e);
            return;
        }
        g.close();
        activeRows = countRows();
    }

    /** Every image of {@code j} is in: hand out the samples. */
    private void complete(Job j) {
        long now = System.nanoTime();
        running.remove(j);
        jobs.remove(j.future);
        Samples s = new Samples(
                j.id,
                j.request.seeds(),
                j.model.sampleShape(),
                j.values,
                j.firstRowNanos - j.submittedNanos,
                now - j.submittedNanos,
                j.classes);
        if (j.future.complete(s)) {
            observer.completed(j.request.images(), s.queuedNanos(), s.totalNanos());
        }
    }

    /** One request's bookkeeping. */
    private static final class Job {
        final long id;
        final SampleRequest request;
        final ServedModel model;
        final EdmSampler sampler;
        /** One class per image (a conditional model), or null. */
        final int[] classes;

        final long submittedNanos;
        final long deadlineNanos;
        final CompletableFuture<Samples> future = new CompletableFuture<>();
        final double[] values;
        boolean started;
        /** Whether its cancellation was counted (exactly once, see {@link #countCancelled}). */
        final java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean();
        /** The reason {@link #cancel} gave, or null (a caller's {@code future.cancel}). */
        volatile String cancelReason;

        int admitted;
        int imagesDone;
        long rowEvaluations;
        long firstRowNanos;

        Job(
                long id,
                SampleRequest request,
                ServedModel model,
                EdmSampler sampler,
                int[] classes,
                long now,
                long deadline) {
            this.id = id;
            this.request = request;
            this.model = model;
            this.sampler = sampler;
            this.classes = classes;
            this.submittedNanos = now;
            this.deadlineNanos = deadline;
            this.values = new double[Math.toIntExact(request.images() * model.sampleSize())];
        }
    }

    /** Rows {@code [offset, offset + n)} of a request: their generator and row set. */
    private static final class Group implements AutoCloseable {
        final Job job;
        final int offset;
        final Generator noise;
        final EdmSampler.Rows rows;

        Group(Job job, int offset, int n) {
            this.job = job;
            this.offset = offset;
            if (offset == 0) {
                job.firstRowNanos = System.nanoTime();
            }
            long[] seeds = Arrays.copyOfRange(job.request.seeds(), offset, offset + n);
            long[] shape = batchShape(job.model, n);
            double[] sigmas = job.request.sigmas();
            Generator g = Generator.ofSeeds(seeds);
            try (Tensor z = Latents.draw(g, shape, job.model.device());
                    Tensor x0 = Latents.scaled(z, sigmas[0])) {
                this.rows = job.sampler.rows(x0, sigmas, g, job.model.denoiser()::roundSigma);
            } catch (RuntimeException e) {
                g.close();
                throw e;
            }
            this.noise = g;
        }

        @Override
        public void close() {
            rows.close();
            noise.close();
        }
    }

    /** For tests and logs. */
    @Override
    public String toString() {
        return "SamplingEngine[" + config.mode() + ", " + activeRows + "/" + config.maxRows() + " rows, "
                + queuedRequests + " queued]";
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
