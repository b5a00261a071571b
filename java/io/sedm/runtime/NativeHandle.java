package io.sedm.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ownership of one native handle: the C destroy function runs exactly once, either from
 * {@link #close()} or, as a safety net that logs a leak, from the {@link Cleaner} once the
 * owning object became unreachable without being closed. Public for the handle classes of other
 * packages ({@code io.sedm.dist}); it is not meant for users.
 */
public final class NativeHandle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NativeHandle.class);
    private static final Cleaner CLEANER = Cleaner.create();
    /** {@code -Dsedm.leakTrace=true}: remember where each handle was created and log it with a leak. */
    private static final boolean TRACE = Boolean.getBoolean("sedm.leakTrace");

    private final State state;
    private final Cleaner.Cleanable cleanable;

    public NativeHandle(Object owner, String kind, MemorySegment address, Consumer<MemorySegment> destroy) {
        this.state = new State(kind, address, destroy, TRACE ? new Throwable(kind + " created here") : null);
        this.cleanable = CLEANER.register(owner, state);
    }

    /** The native address; throws {@link IllegalStateException} once closed. */
    public MemorySegment address() {
        if (state.closed.get()) {
            throw new IllegalStateException(state.kind + " is closed");
        }
        return state.address;
    }

    public boolean isClosed() {
        return state.closed.get();
    }

    @Override
    public void close() {
        state.explicit = true;
        cleanable.clean();
    }

    private static final class State implements Runnable {
        private final String kind;
        private final MemorySegment address;
        private final Consumer<MemorySegment> destroy;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Throwable origin;
        private volatile boolean explicit;

        State(String kind, MemorySegment address, Consumer<MemorySegment> destroy, Throwable origin) {
            this.kind = kind;
            this.address = address;
            this.destroy = destroy;
            this.origin = origin;
        }

        @Override
        public void run() {
            if (closed.compareAndSet(false, true)) {
                if (!explicit) {
                    if (origin != null) {
                        LOG.warn("leaked {} (never closed); freed by the cleaner", kind, origin);
                    } else {
                        LOG.warn(
                                "leaked {} (never closed); freed by the cleaner (-Dsedm.leakTrace=true shows where it was created)",
                                kind);
                    }
                }
                destroy.accept(address);
            }
        }
    }
}
