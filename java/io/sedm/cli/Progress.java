package io.sedm.cli;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work on stderr, as a tqdm user expects: count, rate, ETA and a short message
 * (current loss, images written). On a terminal it redraws one line (me.tongfei:progressbar); when
 * stderr is not a terminal (CI, a pipe, a log file) it prints a plain line at most every
 * {@code plainEvery} and at the end, so logs stay readable. Never writes to a run's log.txt.
 * {@code -Dsedm.progress=false} or {@code --quiet} turns it off.
 */
public final class Progress implements AutoCloseable {
    private final String task;
    private final long total;
    private final String unit;
    private final ProgressBar bar;
    private final PrintStream plain;
    private final long startNanos = System.nanoTime();
    private final long plainEveryNanos;
    private long lastPlainNanos;
    private long current;
    private String message = "";
    private long printedPosition = -1;
    private boolean closed;

    private Progress(String task, long total, String unit, boolean enabled, Duration plainEvery) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.plainEveryNanos = plainEvery.toNanos();
        this.lastPlainNanos = startNanos;
        boolean on = enabled && !"false".equals(System.getProperty("sedm.progress"));
        boolean terminal = on && System.console() != null && System.console().isTerminal();
        if (terminal) {
            bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(total)
                    .setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .showSpeed(new DecimalFormat("0.00"))
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .build();
            plain = null;
        } else {
            bar = null;
            plain = on ? System.err : null;
        }
    }

    /** A progress display of {@code total} units (steps, images) named {@code task}. */
    public static Progress start(String task, long total, String unit, boolean enabled) {
        return new Progress(task, total, unit, enabled, Duration.ofSeconds(10));
    }

    /** Sets the absolute position and the trailing message (for example "loss 0.0312"). */
    public void update(long position, String extraMessage) {
        current = position;
        message = extraMessage == null ? "" : extraMessage;
        if (bar != null) {
            bar.stepTo(position);
            bar.setExtraMessage(message.isEmpty() ? "" : ", " + message);
        } else if (plain != null) {
            long now = System.nanoTime();
            if (now - lastPlainNanos >= plainEveryNanos) {
                lastPlainNanos = now;
                printedPosition = current;
                plain.println(line(now));
            }
        }
    }

    /** Advances by {@code n} units. */
    public void step(long n, String extraMessage) {
        update(current + n, extraMessage);
    }

    /** One plain progress line: {@code task: 40/100 steps (40%), 3.1 steps/s, ETA 0:19, loss 0.03}. */
    String line(long nowNanos) {
        double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        double rate = current / seconds;
        StringBuilder sb = new StringBuilder(task).append(": ").append(current);
        if (total > 0) {
            sb.append('/').append(total);
        }
        sb.append(' ').append(unit);
        if (total > 0) {
            sb.append(String.format(" (%d%%)", Math.round(100.0 * current / total)));
        }
        sb.append(String.format(", %.3g %s/s", rate, unit));
        if (total > 0 && rate > 0 && current < total) {
            sb.append(", ETA ").append(clock((long) Math.ceil((total - current) / rate)));
        }
        sb.append(", elapsed ").append(clock((long) seconds));
        if (!message.isEmpty()) {
            sb.append(", ").append(message);
        }
        return sb.toString();
    }

    static String clock(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        return h > 0 ? String.format("%d:%02d:%02d", h, m, s) : String.format("%d:%02d", m, s);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar != null) {
            bar.close();
        } else if (plain != null && printedPosition != current) {
            plain.println(line(System.nanoTime()));
        }
    }
}
