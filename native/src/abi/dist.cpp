// Process groups of libtorch's c10d (Gloo on the CPU, NCCL on CUDA builds) and the bucketed
// data-parallel gradient reducer. No transport of our own: rendezvous is c10d's TCPStore (rank 0
// hosts it), every collective is a c10d ProcessGroup call.
//
// Why not c10d::Reducer (the engine of torch.nn.parallel.DistributedDataParallel): Debian's
// libtorch-dev 1.13 ships reducer.hpp without the distributed-autograd headers it includes, and
// its constructor changes between 1.13 and 2.x. The reducer here does the part this project
// needs with public API only: buckets in reverse registration order (DDP's default order), each
// flattened and all-reduced asynchronously; with arm(), Tensor::register_hook launches a bucket
// as soon as its last gradient arrives during backward (communication overlaps the rest of the
// backward pass); finish() launches what is left, waits, and writes the means back.
#include <torch/version.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>

#include "module.h"

#if SEDM_WITH_DIST
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if SEDM_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if SEDM_WITH_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

using sedm::require;

namespace {

#if SEDM_WITH_DIST
// libtorch 2.x moved the collectives of a concrete backend into c10d::Backend; in 1.13
// ProcessGroupGloo/NCCL derive from c10d::ProcessGroup. Both declare the same calls.
#if TORCH_VERSION_MAJOR >= 2
using Collectives = c10d::Backend;
#else
using Collectives = c10d::ProcessGroup;
#endif
#endif

std::string first_line(const std::string& text) {
    const auto cut = text.find('\n');
    return cut == std::string::npos ? text : text.substr(0, cut);
}

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", s);
    return buf;
}

}  // namespace

struct sedm_dist {
#if SEDM_WITH_DIST
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<Collectives> group;
#endif
    int32_t rank = 0;
    int32_t world = 1;
    int32_t backend = SEDM_DIST_BACKEND_GLOO;
    double timeout_seconds = 60;
    at::Device device{at::kCPU};

    std::string who() const { return "rank " + std::to_string(rank) + " of " + std::to_string(world); }

    /** Runs a collective's wait; any failure becomes SEDM_ERR_IO naming the operation and timeout. */
    template <typename F>
    void collective(const std::string& what, F&& f) const {
        try {
            f();
        } catch (const sedm::Error&) {
            throw;
        } catch (const c10::Error& e) {
            fail(what, e.what_without_backtrace());
        } catch (const std::exception& e) {
            fail(what, e.what());
        }
    }

    [[noreturn]] void fail(const std::string& what, const std::string& cause) const {
        sedm::fail(SEDM_ERR_IO, who() + ": " + what +
                                    " failed; a peer died, closed the group or did not answer within " +
                                    seconds(timeout_seconds) + " (" + first_line(cause) + ")");
    }
};

namespace {

sedm_dist& dist_of(sedm_dist* d) {
    require(d != nullptr, "d is NULL");
#if SEDM_WITH_DIST
    require(d->group.defined(), "the process group was not created");
#endif
    return *d;
}

#if SEDM_WITH_DIST
void wait(const sedm_dist& d, const c10::intrusive_ptr<c10d::Work>& work, const std::string& what) {
    d.collective(what, [&] { work->wait(); });
}

/** Every named tensor of m, grouped by dtype in first-seen order. */
std::vector<std::vector<at::Tensor>> by_dtype(const sedm_module& m) {
    std::vector<std::vector<at::Tensor>> groups;
    for (const auto& [name, t] : sedm::named_tensors(m)) {
        bool placed = false;
        for (auto& g : groups) {
            if (g.front().scalar_type() == t.scalar_type()) {
                g.push_back(t);
                placed = true;
                break;
            }
        }
        if (!placed) groups.push_back({t});
    }
    return groups;
}

at::Tensor flatten(const std::vector<at::Tensor>& tensors) {
    std::vector<at::Tensor> flat;
    flat.reserve(tensors.size());
    for (const auto& t : tensors) flat.push_back(t.detach().reshape({-1}));
    return at::cat(flat);
}

void unflatten_into(const at::Tensor& flat, const std::vector<at::Tensor>& tensors) {
    int64_t offset = 0;
    for (const auto& t : tensors) {
        const int64_t n = t.numel();
        t.detach().copy_(flat.narrow(0, offset, n).view(t.sizes()));
        offset += n;
    }
}

void require_on_group_device(const sedm_dist& d, const at::Tensor& t, const char* name) {
    require(t.device().type() == d.device.type(), std::string(name) + " is on " + t.device().str() + " but the " +
                                                      (d.backend == SEDM_DIST_BACKEND_NCCL ? "NCCL" : "Gloo") +
                                                      " group works on " + d.device.str());
    require(t.is_contiguous(), std::string(name) + " must be contiguous");
}
#endif

[[noreturn]] [[maybe_unused]] void no_dist() {
    sedm::fail(SEDM_ERR_UNSUPPORTED,
               "this libsedm was built without c10d (the libtorch found had no "
               "torch/csrc/distributed/c10d headers or no Gloo headers; on Debian install libgloo-dev and rebuild)");
}

}  // namespace

/** A module's parameters in buckets; see sedm.h. */
struct sedm_dist_reducer {
    struct Bucket {
        std::vector<size_t> members;  // indices into params
        at::Tensor flat;              // members' gradients, concatenated
        size_t pending = 0;           // members whose gradient has not arrived in the armed backward
        bool launched = false;
#if SEDM_WITH_DIST
        c10::intrusive_ptr<c10d::Work> work;
#endif
    };

    sedm_dist dist;                                // a copy: holds the group alive as long as the reducer
    std::shared_ptr<sedm::nn::NetworkImpl> owner;  // keeps the parameters alive
    std::vector<at::Tensor> params;
    std::vector<size_t> bucket_of;
    std::vector<int64_t> offset;  // of each parameter inside its bucket
    std::vector<Bucket> buckets;
    std::vector<bool> ready;
    std::vector<bool> has_grad;  // whether this rank had a gradient for it (unused parameters have none)
    std::vector<unsigned> hooks;
    std::mutex mutex;
    bool armed = false;
    size_t next = 0;  // the next bucket to launch: launches go strictly in bucket order on every rank
    int32_t launched_early = 0;
    std::string hook_error;

    at::Tensor view(size_t i) { return buckets[bucket_of[i]].flat.narrow(0, offset[i], params[i].numel()); }

    /** Copies parameter i's complete gradient (`incoming` added to what earlier backwards left). */
    void fill(size_t i, const at::Tensor& incoming) {
        torch::NoGradGuard no_grad;
        at::Tensor v = view(i);
        const at::Tensor& acc = params[i].grad();
        if (incoming.defined() && acc.defined()) {
            at::add_out(v, acc.reshape({-1}), incoming.reshape({-1}));
        } else if (incoming.defined()) {
            v.copy_(incoming.reshape({-1}));
        } else if (acc.defined()) {
            v.copy_(acc.reshape({-1}));
        } else {
            v.zero_();
        }
        has_grad[i] = incoming.defined() || acc.defined();
        ready[i] = true;
        buckets[bucket_of[i]].pending -= 1;
    }

    void launch_ready() {
#if SEDM_WITH_DIST
        while (next < buckets.size() && buckets[next].pending == 0) {
            Bucket& b = buckets[next++];
            std::vector<at::Tensor> v{b.flat};
            b.work = dist.group->allreduce(v);
            b.launched = true;
        }
#endif
    }

    /** Gradient hook of parameter i during backward (autograd's thread). Never throws. */
    void on_gradient(size_t i, const at::Tensor& grad) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!armed || ready[i]) return;
        try {
            fill(i, grad);
            const size_t before = next;
            launch_ready();
            launched_early += static_cast<int32_t>(next - before);
        } catch (const std::exception& e) {
            if (hook_error.empty()) hook_error = first_line(e.what());
        }
    }

    void reset() {
        armed = false;
        next = 0;
        launched_early = 0;
        hook_error.clear();
        std::fill(ready.begin(), ready.end(), false);
        std::fill(has_grad.begin(), has_grad.end(), false);
        for (auto& b : buckets) {
            b.pending = b.members.size();
            b.launched = false;
#if SEDM_WITH_DIST
            b.work.reset();
#endif
        }
    }

    ~sedm_dist_reducer() {
        for (size_t i = 0; i < hooks.size(); ++i) params[i].remove_hook(hooks[i]);
    }
};

extern "C" {

sedm_status sedm_dist_options_init(sedm_dist_options* o) {
    return sedm::guard(__func__, [&] {
        require(o != nullptr, "options is NULL");
        o->version = 1;
        o->backend = SEDM_DIST_BACKEND_GLOO;
        o->rank = 0;
        o->world_size = 1;
        o->master_addr = "127.0.0.1";
        o->master_port = 29500;
        o->timeout_seconds = 60;
        o->gloo_hostname = nullptr;
        o->cuda_device = 0;
    });
}

sedm_status sedm_dist_create(const sedm_dist_options* o, sedm_dist** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        require(o != nullptr, "options is NULL");
        require(o->version == 1, "sedm_dist_options.version must be 1, got " + std::to_string(o->version));
        require(o->world_size >= 1, "world_size must be >= 1, got " + std::to_string(o->world_size));
        require(
            o->rank >= 0 && o->rank < o->world_size,
            "rank must be in [0, world_size = " + std::to_string(o->world_size) + "), got " + std::to_string(o->rank));
        require(o->master_addr != nullptr && o->master_addr[0] != '\0', "master_addr is empty");
        require(o->master_port >= 1 && o->master_port <= 65535,
                "master_port must be in [1, 65535], got " + std::to_string(o->master_port));
        require(std::isfinite(o->timeout_seconds) && o->timeout_seconds > 0 && o->timeout_seconds <= 86400,
                "timeout_seconds must be in (0, 86400], got " + std::to_string(o->timeout_seconds));
        require(o->backend == SEDM_DIST_BACKEND_GLOO || o->backend == SEDM_DIST_BACKEND_NCCL,
                "unknown backend code " + std::to_string(o->backend));
#if !SEDM_WITH_DIST
        no_dist();
#else
        auto d = std::make_unique<sedm_dist>();
        d->rank = o->rank;
        d->world = o->world_size;
        d->backend = o->backend;
        d->timeout_seconds = o->timeout_seconds;
        const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(std::ceil(o->timeout_seconds * 1000)));
        const std::string where = std::string(o->master_addr) + ":" + std::to_string(o->master_port);
        try {
            c10d::TCPStoreOptions so;
            so.port = static_cast<std::uint16_t>(o->master_port);
            so.isServer = o->rank == 0;
            so.numWorkers = static_cast<std::size_t>(o->world_size);
            so.waitWorkers = true;
            so.timeout = timeout;
            d->store = c10::make_intrusive<c10d::TCPStore>(o->master_addr, so);
        } catch (const c10::Error& e) {
            sedm::fail(SEDM_ERR_IO, d->who() + ": rendezvous at " + where + " (TCPStore, hosted by rank 0) failed within " +
                                        seconds(o->timeout_seconds) + ": " + first_line(e.what_without_backtrace()));
        } catch (const std::exception& e) {
            sedm::fail(SEDM_ERR_IO, d->who() + ": rendezvous at " + where + " (TCPStore, hosted by rank 0) failed within " +
                                        seconds(o->timeout_seconds) + ": " + first_line(e.what()));
        }
        if (o->backend == SEDM_DIST_BACKEND_GLOO) {
#if SEDM_WITH_GLOO
            auto go = c10d::ProcessGroupGloo::Options::create(timeout);
            const bool named = o->gloo_hostname != nullptr && o->gloo_hostname[0] != '\0';
            d->collective("connecting the Gloo group (via " + where + ")", [&] {
                go->devices.push_back(named ? c10d::ProcessGroupGloo::createDeviceForHostname(o->gloo_hostname)
                                            : c10d::ProcessGroupGloo::createDefaultDevice());
                d->group = c10::make_intrusive<c10d::ProcessGroupGloo>(d->store, o->rank, o->world_size, go);
            });
#else
            no_dist();
#endif
        } else {
#if SEDM_WITH_NCCL
            sedm::require_cuda_device(o->cuda_device);
            c10::cuda::set_device(static_cast<c10::DeviceIndex>(o->cuda_device));
            d->device = at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(o->cuda_device));
            auto no = c10d::ProcessGroupNCCL::Options::create();
            no->timeout = timeout;
            d->collective("connecting the NCCL group (via " + where + ")", [&] {
                d->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(d->store, o->rank, o->world_size, no);
            });
#else
            sedm::fail(SEDM_ERR_UNSUPPORTED,
                       "the NCCL backend needs a CUDA build of libsedm (SEDM_WITH_CUDA with NCCL headers); "
                       "this build has Gloo only");
#endif
        }
        *out = sedm::adopt(d.release());
#endif
    });
}

sedm_status sedm_dist_rank(const sedm_dist* d, int32_t* out_rank, int32_t* out_world_size) {
    return sedm::guard(__func__, [&] {
        require(d != nullptr, "d is NULL");
        if (out_rank) *out_rank = d->rank;
        if (out_world_size) *out_world_size = d->world;
    });
}

sedm_status sedm_dist_barrier(sedm_dist* d) {
    return sedm::guard(__func__, [&] {
        sedm_dist& g = dist_of(d);
#if SEDM_WITH_DIST
        // A barrier as a one-element all-reduce: the same matching and failure semantics as every other
        // collective (Gloo's barrier would do, NCCL's needs a device guess).
        at::Tensor one = at::ones({1}, at::TensorOptions().dtype(at::kFloat).device(g.device));
        std::vector<at::Tensor> v{one};
        g.collective("barrier", [&] { g.group->allreduce(v)->wait(); });
#else
        (void)g;
        no_dist();
#endif
    });
}

sedm_status sedm_dist_broadcast_module(sedm_dist* d, sedm_module* m, int32_t root) {
    return sedm::guard(__func__, [&] {
        sedm_dist& g = dist_of(d);
        require(m != nullptr, "m is NULL");
        require(root >= 0 && root < g.world,
                "root must be in [0, " + std::to_string(g.world) + "), got " + std::to_string(root));
#if SEDM_WITH_DIST
        require(m->device.type() == g.device.type(),
                "the module is on " + m->device.str() + " but the group works on " + g.device.str());
        torch::NoGradGuard no_grad;
        for (const auto& tensors : by_dtype(*m)) {
            at::Tensor flat = flatten(tensors);
            std::vector<at::Tensor> v{flat};
            c10d::BroadcastOptions bo;
            bo.rootRank = root;
            g.collective("broadcast of the module from rank " + std::to_string(root),
                         [&] { g.group->broadcast(v, bo)->wait(); });
            unflatten_into(flat, tensors);
        }
#else
        no_dist();
#endif
    });
}

sedm_status sedm_dist_all_reduce_sum(sedm_dist* d, sedm_tensor* t) {
    return sedm::guard(__func__, [&] {
        sedm_dist& g = dist_of(d);
        const at::Tensor& x = sedm::tensor_of(t, "t");
#if SEDM_WITH_DIST
        require_on_group_device(g, x, "t");
        std::vector<at::Tensor> v{x};
        wait(g, g.group->allreduce(v), "all-reduce of " + sedm::shape_string(x.sizes()));
#else
        (void)g;
        (void)x;
        no_dist();
#endif
    });
}

sedm_status sedm_dist_gather(sedm_dist* d, const sedm_tensor* input, sedm_tensor* output, int32_t root) {
    return sedm::guard(__func__, [&] {
        sedm_dist& g = dist_of(d);
        const at::Tensor& x = sedm::tensor_of(input, "input");
        require(root >= 0 && root < g.world,
                "root must be in [0, " + std::to_string(g.world) + "), got " + std::to_string(root));
#if SEDM_WITH_DIST
        require_on_group_device(g, x, "input");
        std::vector<at::Tensor> in{x};
        std::vector<std::vector<at::Tensor>> outs;
        if (g.rank == root) {
            require(output != nullptr, "output is NULL on the root rank");
            const at::Tensor& y = output->t;
            std::vector<int64_t> want{g.world};
            for (int64_t s : x.sizes()) want.push_back(s);
            require(y.sizes() == at::IntArrayRef(want) && y.scalar_type() == x.scalar_type(),
                    "output must be " + sedm::dtype_name(x.scalar_type()) + " " + sedm::shape_string(want) + ", got " +
                        sedm::dtype_name(y.scalar_type()) + " " + sedm::shape_string(y.sizes()));
            require_on_group_device(g, y, "output");
            outs.emplace_back();
            for (int32_t r = 0; r < g.world; ++r) outs.back().push_back(y.select(0, r));
        } else {
            require(output == nullptr, "output must be NULL on a rank other than the root");
        }
        c10d::GatherOptions go;
        go.rootRank = root;
        wait(g, g.group->gather(outs, in, go),
             "gather of " + sedm::shape_string(x.sizes()) + " to rank " + std::to_string(root));
#else
        (void)g;
        (void)x;
        (void)output;
        no_dist();
#endif
    });
}

void sedm_dist_destroy(sedm_dist* d) { sedm::release(d); }

sedm_status sedm_dist_reducer_create(sedm_dist* d, sedm_module* m, int64_t bucket_bytes, sedm_dist_reducer** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        sedm_dist& g = dist_of(d);
        require(m != nullptr, "m is NULL");
        require(bucket_bytes >= 1, "bucket_bytes must be >= 1, got " + std::to_string(bucket_bytes));
        require(m->device.type() == g.device.type(),
                "the module is on " + m->device.str() + " but the group works on " + g.device.str());
        auto r = std::make_unique<sedm_dist_reducer>();
        r->dist = g;
        r->owner = m->net;
        for (const auto& p : m->net->parameters(true))
            if (p.requires_grad()) r->params.push_back(p);
        const size_t n = r->params.size();
        r->bucket_of.assign(n, 0);
        r->offset.assign(n, 0);
        r->ready.assign(n, false);
        r->has_grad.assign(n, false);
        // Reverse registration order: backward produces the last layers' gradients first.
        int64_t bytes = 0;
        for (size_t k = n; k-- > 0;) {
            const at::Tensor& p = r->params[k];
            const int64_t size = p.numel() * static_cast<int64_t>(p.element_size());
            const bool fresh = r->buckets.empty() || bytes + size > bucket_bytes ||
                               r->params[r->buckets.back().members.front()].scalar_type() != p.scalar_type();
            if (fresh) {
                r->buckets.emplace_back();
                bytes = 0;
            }
            r->buckets.back().members.push_back(k);
            bytes += size;
        }
        for (size_t b = 0; b < r->buckets.size(); ++b) {
            auto& bucket = r->buckets[b];
            int64_t numel = 0;
            for (size_t k : bucket.members) {
                r->bucket_of[k] = b;
                r->offset[k] = numel;
                numel += r->params[k].numel();
            }
            bucket.flat = at::empty({numel}, r->params[bucket.members.front()].options().requires_grad(false));
            bucket.pending = bucket.members.size();
        }
        sedm_dist_reducer* raw = r.get();
        for (size_t k = 0; k < n; ++k)
            r->hooks.push_back(
                r->params[k].register_hook([raw, k](const at::Tensor& grad) { raw->on_gradient(k, grad); }));
        *out = sedm::adopt(r.release());
    });
}

sedm_status sedm_dist_reducer_arm(sedm_dist_reducer* r) {
    return sedm::guard(__func__, [&] {
        require(r != nullptr, "r is NULL");
        std::lock_guard<std::mutex> lock(r->mutex);
        r->reset();
        r->armed = true;
    });
}

sedm_status sedm_dist_reducer_finish(sedm_dist_reducer* r, int32_t* out_launched_early) {
    return sedm::guard(__func__, [&] {
        require(r != nullptr, "r is NULL");
        std::unique_lock<std::mutex> lock(r->mutex);
        const sedm_dist& g = r->dist;
        struct Reset {
            sedm_dist_reducer* r;
            ~Reset() { r->reset(); }
        } reset_at_exit{r};
        if (out_launched_early) *out_launched_early = r->launched_early;
        if (!r->hook_error.empty()) g.fail("gradient all-reduce (launched during backward)", r->hook_error);
#if SEDM_WITH_DIST
        for (size_t k = 0; k < r->params.size(); ++k)
            if (!r->ready[k]) r->fill(k, at::Tensor());  // parameters backward did not reach, or not armed
        g.collective("gradient all-reduce", [&] { r->launch_ready(); });
        torch::NoGradGuard no_grad;
        for (size_t b = 0; b < r->buckets.size(); ++b) {
            auto& bucket = r->buckets[b];
            wait(g, bucket.work,
                 "gradient all-reduce (bucket " + std::to_string(b + 1) + " of " + std::to_string(r->buckets.size()) +
                     ")");
            bucket.flat.div_(static_cast<double>(g.world));
            for (size_t k : bucket.members) {
                if (!r->has_grad[k]) continue;  // as without the group: no gradient, so Adam skips it
                at::Tensor& p = r->params[k];
                at::Tensor mean = r->view(k).view(p.sizes());
                if (p.grad().defined()) {
                    p.mutable_grad().copy_(mean);
                } else {
                    p.mutable_grad() = mean.clone();
                }
            }
        }
#else
        no_dist();
#endif
    });
}

sedm_status sedm_dist_reducer_bucket_count(const sedm_dist_reducer* r, int32_t* out) {
    return sedm::guard(__func__, [&] {
        require(r != nullptr, "r is NULL");
        require(out != nullptr, "out is NULL");
        *out = static_cast<int32_t>(r->buckets.size());
    });
}

void sedm_dist_reducer_destroy(sedm_dist_reducer* r) { sedm::release(r); }

}  // extern "C"
