/**
 * Official checkpoints in and out: NVlabs/edm network snapshots (through a project Python script
 * that unpickles them with the user's EDM tree) and Discriminator Guidance's {@code torch.save}
 * state dicts (read natively, {@link io.sedm.runtime.StateDict}) become sedm checkpoints; export
 * writes the official names back. {@link io.sedm.imports.WeightMapping} is the one place that
 * matches names and shapes: unknown keys, missing keys and wrong shapes are all named in one
 * error, and nothing is written unless every tensor maps.
 */
package io.sedm.imports;
