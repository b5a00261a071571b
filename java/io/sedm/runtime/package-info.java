/**
 * Idiomatic Java over libsedm: {@link io.sedm.runtime.Tensor} and
 * {@link io.sedm.runtime.Generator} own one native handle each (final, {@code AutoCloseable},
 * idempotent close, a {@link java.lang.ref.Cleaner} that logs leaks), {@link io.sedm.runtime.Ops}
 * holds the fused solver-step kernel and per-sample reductions, and native failures arrive as
 * typed {@link io.sedm.runtime.SedmException}s carrying the native message.
 */
package io.sedm.runtime;
