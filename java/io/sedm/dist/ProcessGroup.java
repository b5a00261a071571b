package io.sedm.dist;

import io.sedm.ffi.NativeLibrary;
import io.sedm.ffi.Status;
import io.sedm.ffi.bindings.Sedm;
import io.sedm.ffi.bindings.sedm_dist_options;
import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.NativeHandle;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * One c10d process group ({@code sedm_dist}): Gloo for CPU tensors, NCCL for CUDA tensors (CUDA
 * builds). Creating it is the rendezvous: rank 0 hosts a TCPStore at {@code MASTER_ADDR:MASTER_PORT}
 * and the call returns once all {@code WORLD_SIZE} ranks arrived. Collectives are matched by call
 * order: every rank must make the same calls in the same order.
 *
 * <p>Failures: a peer that dies fails the pending collective at once (its connection resets); one
 * that hangs fails it after {@link #timeout()}. Either throws {@link io.sedm.runtime.NativeIoException}
 * with a message naming this rank, the operation and the timeout; the group is then unusable.
 */
public final class ProcessGroup implements AutoCloseable {
    static {
        NativeLibrary.ensureLoaded();
    }

    /** Which c10d backend. */
    public enum Backend {
        /** CPU tensors, TCP (every build with Gloo headers). */
        GLOO,
        /** CUDA tensors, one GPU per rank (CUDA builds with NCCL). */
        NCCL;

        /** NCCL for a CUDA device, Gloo otherwise. */
        public static Backend forDevice(Device device) {
            return device.isCuda() ? NCCL : GLOO;
        }
    }

    /** The default for rendezvous and every collective: long enough for rank 0 to write a checkpoint. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private final NativeHandle handle;
    private final int rank;
    private final int worldSize;
    private final Duration timeout;
    private final Device device;

    private ProcessGroup(MemorySegment address, Rendezvous r, Duration timeout, Device device) {
        this.handle = new NativeHandle(this, "ProcessGroup", address, Sedm::sedm_dist_destroy);
        this.rank = r.rank();
        this.worldSize = r.worldSize();
        this.timeout = timeout;
        this.device = device;
    }

    /**
     * Joins the group {@code r} describes, with the backend for {@code device} (NCCL on CUDA, Gloo on
     * the CPU). On loopback Gloo binds to 127.0.0.1, else to this machine's hostname.
     */
    public static ProcessGroup join(Rendezvous r, Device device, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be > 0, got " + timeout);
        }
        Backend backend = Backend.forDevice(device);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment o = arena.allocate(sedm_dist_options.layout());
            Status.check(Sedm.sedm_dist_options_init(o));
            sedm_dist_options.backend(
                    o, backend == Backend.NCCL ? Sedm.SEDM_DIST_BACKEND_NCCL() : Sedm.SEDM_DIST_BACKEND_GLOO());
            sedm_dist_options.rank(o, r.rank());
            sedm_dist_options.world_size(o, r.worldSize());
            sedm_dist_options.master_addr(o, arena.allocateFrom(r.masterAddr()));
            sedm_dist_options.master_port(o, r.masterPort());
            sedm_dist_options.timeout_seconds(o, timeout.toMillis() / 1e3);
            sedm_dist_options.gloo_hostname(o, r.isLoopback() ? arena.allocateFrom("127.0.0.1") : MemorySegment.NULL);
            sedm_dist_options.cuda_device(o, device.isCuda() ? device.index() : 0);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Status.check(Sedm.sedm_dist_create(o, out));
            return new ProcessGroup(out.get(ValueLayout.ADDRESS, 0), r, timeout, device.isCuda() ? device : Device.CPU);
        }
    }

    public int rank() {
        return rank;
    }

    public int worldSize() {
        return worldSize;
    }

    /** Rank 0: the one that writes files and logs. */
    public boolean isLeader() {
        return rank == 0;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The device whose tensors this group's collectives take (CPU for Gloo). */
    public Device device() {
        return device;
    }

    /** "rank r of w", for messages. */
    public String who() {
        return "rank " + rank + " of " + worldSize;
    }

    /** Returns once every rank called it. */
    public void barrier() {
        Status.check(Sedm.sedm_dist_barrier(address()));
    }

    /** Every parameter and buffer of {@code net} := rank {@code root}'s. */
    public void broadcast(Network net, int root) {
        Status.check(Sedm.sedm_dist_broadcast_module(address(), net.address(), root));
    }

    /** {@code t} := the element-wise sum over the ranks (same shape and dtype everywhere). */
    public void allReduceSum(Tensor t) {
        Status.check(Sedm.sedm_dist_all_reduce_sum(address(), t.address()));
    }

    /** The element-wise sum over the ranks of {@code values} (float64, exact for a sum with zeros). */
    public double[] allReduceSum(double[] values) {
        try (Tensor t = Tensor.of(values, new long[] {values.length}, device)) {
            allReduceSum(t);
            return t.toDoubleArray();
        }
    }

    /** Whether {@code flag} is true on any rank (a collective: every rank calls it). */
    public boolean any(boolean flag) {
        return allReduceSum(new double[] {flag ? 1 : 0})[0] > 0;
    }

    /**
     * Gathers every rank's {@code input} (same shape and dtype on every rank) to rank {@code root}:
     * there a new tensor {@code [worldSize, input...]} in rank order; null on the other ranks.
     */
    public Tensor gather(Tensor input, int root) {
        if (rank != root) {
            Status.check(Sedm.sedm_dist_gather(address(), input.address(), MemorySegment.NULL, root));
            return null;
        }
        long[] in = input.shape();
        long[] shape = new long[in.length + 1];
        shape[0] = worldSize;
        System.arraycopy(in, 0, shape, 1, in.length);
        DType dtype = input.dtype();
        Tensor out = Tensor.empty(shape, dtype, input.device());
        try {
            Status.check(Sedm.sedm_dist_gather(address(), input.address(), out.address(), root));
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** The bucketed gradient all-reduce of {@code net}'s parameters; see {@link GradientReducer}. */
    public GradientReducer reducer(Network net, long bucketBytes) {
        return GradientReducer.create(this, net, bucketBytes);
    }

    MemorySegment address() {
        return handle.address();
    }

    @Override
    public void close() {
        handle.close();
    }
}
