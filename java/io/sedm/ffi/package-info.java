/**
 * The hand-written native layer: loading {@code libsedm}, the ABI check and the status checker.
 * The generated jextract bindings live in {@code io.sedm.ffi.bindings} (folder {@code bindings/})
 * and are used only from here and from {@code io.sedm.runtime}.
 */
package io.sedm.ffi;
