package io.sedm.runtime;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import io.sedm.ffi.bindings.sedm_adam_options;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Adam (Kingma &amp; Ba 2015, Algorithm 1, with torch.optim.Adam's arithmetic and L2 weight decay)
 * over the parameters of one or more {@link Network}s, one {@code sedm_adam} handle. Gradients
 * are sanitised as in EDM (nan → 0, ±inf → ±1e5) and optionally clipped to a global norm. The
 * learning rate is given on every {@link #step}, so schedules (warm-up) live in Java.
 */
public final class Adam implements AutoCloseable {
    static {
        NativeLibrary.ensureLoaded();
    }

    /**
     * @param maxGradNorm global-norm clipping threshold, 0 = off
     * @param sanitizeGradients nan → 0, ±inf → ±1e5 before the step
     */
    public record Options(
            double beta1, double beta2, double eps, double weightDecay, double maxGradNorm, boolean sanitizeGradients) {
        public Options {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
            if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("maxGradNorm must be >= 0, got " + maxGradNorm);
        }

        /** EDM's settings: β = (0.9, 0.999), ε = 1e-8, no decay, no clipping, sanitising on. */
        public static Options defaults() {
            return new Options(0.9, 0.999, 1e-8, 0.0, 0.0, true);
        }

        public Options withWeightDecay(double wd) {
            return new Options(beta1, beta2, eps, wd, maxGradNorm, sanitizeGradients);
        }

        public Options withMaxGradNorm(double norm) {
            return new Options(beta1, beta2, eps, weightDecay, norm, sanitizeGradients);
        }
    }

    private final NativeHandle handle;

    private Adam(MemorySegment address) {
        this.handle = new NativeHandle(this, "Adam", address, Sedm::sedm_adam_destroy);
    }

    /** Adam over every parameter of {@code modules}. */
    public static Adam create(Options options, Network... modules) {
        if (modules.length == 0) {
            throw new IllegalArgumentException("at least one module is needed");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(sedm_adam_options.layout());
            Status.check(Sedm.sedm_adam_options_init(opts));
            sedm_adam_options.beta1(opts, options.beta1());
            sedm_adam_options.beta2(opts, options.beta2());
            sedm_adam_options.eps(opts, options.eps());
            sedm_adam_options.weight_decay(opts, options.weightDecay());
            sedm_adam_options.max_grad_norm(opts, options.maxGradNorm());
            sedm_adam_options.sanitize_gradients(opts, options.sanitizeGradients());
            MemorySegment mods = arena.allocate(ValueLayout.ADDRESS, modules.length);
            for (int i = 0; i < modules.length; i++) {
                mods.setAtIndex(ValueLayout.ADDRESS, i, modules[i].address());
            }
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_adam_create(mods, modules.length, opts, out));
            return new Adam(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** One step at learning rate {@code lr}; returns the global gradient norm (after sanitising). */
    public double step(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be finite and >= 0, got " + lr);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment norm = arena.allocate(ValueLayout.JAVA_DOUBLE);
            Status.check(Sedm.sedm_adam_step(handle.address(), lr, MemorySegment.NULL, norm));
            return norm.get(ValueLayout.JAVA_DOUBLE, 0);
        }
    }

    /** Steps taken (restored by {@link #load}). */
    public long stepCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            Status.check(Sedm.sedm_adam_step_count(handle.address(), out));
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Moments and step count as safetensors, written atomically. */
    public void save(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            Status.check(Sedm.sedm_adam_save(handle.address(), arena.allocateFrom(path.toString())));
        }
    }

    /** Restores what {@link #save} wrote; a mismatching or corrupt file throws {@link NativeIoException}. */
    public void load(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            Status.check(
                    Sedm.sedm_adam_load(handle.address(), arena.allocateFrom(path.toString()), MemorySegment.NULL));
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
