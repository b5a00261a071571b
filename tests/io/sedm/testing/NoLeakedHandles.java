package io.sedm.testing;

import io.sedm.runtime.NativeRuntime;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves native handles alive: the live-handle counter must be back
 * where it was before the class ran. Registered for every test class by autodetection
 * (junit-platform.properties + META-INF/services).
 */
public final class NoLeakedHandles implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeakedHandles.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", NativeRuntime.liveHandles());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        long before = context.getStore(NS).get("before", Long.class);
        long after = NativeRuntime.liveHandles();
        if (after != before) {
            throw new AssertionError(context.getDisplayName() + " left " + (after - before)
                    + " native handle(s) alive (live handles " + before + " before, " + after
                    + " after); run with -Dsedm.leakTrace=true to see where they were created");
        }
    }
}
