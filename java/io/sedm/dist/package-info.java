/**
 * Scale-out on libtorch's c10d (issue 12): {@link io.sedm.dist.ProcessGroup} (Gloo on the CPU, NCCL on
 * CUDA builds) with torchrun's rendezvous ({@link io.sedm.dist.Rendezvous}), data-parallel gradients
 * ({@link io.sedm.dist.DataParallel}, {@link io.sedm.dist.GradientReducer}), the split of a global
 * batch or of sampling batches over ranks ({@link io.sedm.dist.Shard}) and local worker processes
 * ({@link io.sedm.dist.LocalLauncher}). No transport of the project's own: every byte between ranks
 * goes through c10d.
 */
package io.sedm.dist;
