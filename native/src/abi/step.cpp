// Generators, the fused solver-step kernel and per-sample reductions: validation here, the
// arithmetic in kernels/ (CUDA launcher or its CPU twin).
#include "../kernels/kernels.h"
#include "cuda_support.h"
#include "handles.h"

using sedm::require;
using sedm::kernels::Real;

namespace {

Real real_of(const at::Tensor& t, const char* name) {
    if (t.scalar_type() == at::kFloat) return Real::kFloat32;
    if (t.scalar_type() == at::kDouble) return Real::kFloat64;
    sedm::fail(SEDM_ERR_INVALID_ARGUMENT,
               std::string(name) + " must be float32 or float64, got " + sedm::dtype_name(t.scalar_type()));
}

/** Batch size B (dimension 0) and elements per sample P of a contiguous tensor. */
std::pair<int64_t, int64_t> batch_layout(const at::Tensor& t, const char* name) {
    require(t.dim() >= 1, std::string(name) + " must have a batch dimension, got a 0-dimensional tensor");
    require(t.is_contiguous(), std::string(name) + " must be contiguous");
    const int64_t batch = t.size(0);
    return {batch, batch == 0 ? 0 : t.numel() / batch};
}

void fill_random(sedm_generator* g, sedm_tensor* out, void* stream, bool normal) {
    require(g != nullptr, "generator is NULL");
    const at::Tensor& t = sedm::tensor_of(out, "out");
    const Real real = real_of(t, "out");
    const auto [batch, per_sample] = batch_layout(t, "out");
    require(batch == static_cast<int64_t>(g->seeds.size()),
            "out has " + std::to_string(batch) + " samples (dimension 0 of " + sedm::shape_string(t.sizes()) +
                ") but the generator holds " + std::to_string(g->seeds.size()) + " seeds");
    if (t.is_cuda()) {
        sedm::check_cuda(sedm::kernels::random_fill_cuda(real, t.data_ptr(), g->seeds.data(), g->offset, batch,
                                                         per_sample, normal, sedm::cuda_stream_for(t, stream)),
                         "random_fill_cuda");
    } else {
        sedm::kernels::random_fill_cpu(real, t.data_ptr(), g->seeds.data(), g->offset, batch, per_sample, normal);
    }
    g->offset += sedm::kernels::blocks_for(per_sample);
}

}  // namespace

#ifndef SEDM_WITH_CUDA
// A CPU-only libsedm has no CUDA tensors, so the launchers are never reached; these keep the
// link closed without pulling the CUDA runtime in.
namespace sedm::kernels {
int step_combine_cuda(Real, void*, const void* const*, int, const double*, int64_t, int64_t, void*) { return 1; }
int random_fill_cuda(Real, void*, const uint64_t*, uint64_t, int64_t, int64_t, bool, void*) { return 1; }
int sum_squares_cuda(Real, const void*, double*, int64_t, int64_t, void*) { return 1; }
const char* cuda_error_string(int) { return "CUDA kernels are not part of this build"; }
}  // namespace sedm::kernels
#endif

extern "C" {

sedm_status sedm_generator_create(const uint64_t* seeds, int64_t count, uint64_t offset, sedm_generator** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        require(count >= 0, "count must be >= 0, got " + std::to_string(count));
        require(seeds != nullptr || count == 0, "seeds is NULL");
        auto* g = new sedm_generator{std::vector<uint64_t>(seeds, seeds + count), offset};
        *out = sedm::adopt(g);
    });
}

sedm_status sedm_generator_count(const sedm_generator* g, int64_t* out) {
    return sedm::guard(__func__, [&] {
        require(g != nullptr, "generator is NULL");
        require(out != nullptr, "out is NULL");
        *out = static_cast<int64_t>(g->seeds.size());
    });
}

sedm_status sedm_generator_offset(const sedm_generator* g, uint64_t* out) {
    return sedm::guard(__func__, [&] {
        require(g != nullptr, "generator is NULL");
        require(out != nullptr, "out is NULL");
        *out = g->offset;
    });
}

sedm_status sedm_generator_set_offset(sedm_generator* g, uint64_t offset) {
    return sedm::guard(__func__, [&] {
        require(g != nullptr, "generator is NULL");
        g->offset = offset;
    });
}

sedm_status sedm_generator_normal(sedm_generator* g, sedm_tensor* out, void* stream) {
    return sedm::guard(__func__, [&] { fill_random(g, out, stream, /*normal=*/true); });
}

sedm_status sedm_generator_uniform(sedm_generator* g, sedm_tensor* out, void* stream) {
    return sedm::guard(__func__, [&] { fill_random(g, out, stream, /*normal=*/false); });
}

void sedm_generator_destroy(sedm_generator* g) { sedm::release(g); }

sedm_status sedm_step_combine(sedm_tensor* out, int32_t n_terms, sedm_tensor* const* terms, const double* coefs,
                              void* stream) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& o = sedm::tensor_of(out, "out");
        require(n_terms >= 1 && n_terms <= SEDM_MAX_STEP_TERMS,
                "n_terms must be in [1, " + std::to_string(SEDM_MAX_STEP_TERMS) + "], got " + std::to_string(n_terms));
        require(terms != nullptr, "terms is NULL");
        require(coefs != nullptr, "coefs is NULL");
        const Real real = real_of(o, "out");
        const auto [batch, per_sample] = batch_layout(o, "out");
        const void* ptrs[SEDM_MAX_STEP_TERMS] = {};
        for (int32_t k = 0; k < n_terms; ++k) {
            const std::string name = "terms[" + std::to_string(k) + "]";
            const at::Tensor& t = sedm::tensor_of(terms[k], name.c_str());
            require(t.sizes() == o.sizes(), name + " has shape " + sedm::shape_string(t.sizes()) + " but out has " +
                                                sedm::shape_string(o.sizes()));
            require(t.scalar_type() == o.scalar_type(), name + " has dtype " + sedm::dtype_name(t.scalar_type()) +
                                                            " but out has " + sedm::dtype_name(o.scalar_type()));
            require(t.device() == o.device(),
                    name + " is on " + t.device().str() + " but out is on " + o.device().str());
            require(t.is_contiguous(), name + " must be contiguous");
            ptrs[k] = t.data_ptr();
        }
        if (batch * per_sample == 0) return;
        if (o.is_cuda()) {
            sedm::check_cuda(sedm::kernels::step_combine_cuda(real, o.data_ptr(), ptrs, n_terms, coefs, batch,
                                                              per_sample, sedm::cuda_stream_for(o, stream)),
                             "step_combine_cuda");
        } else {
            sedm::kernels::step_combine_cpu(real, o.data_ptr(), ptrs, n_terms, coefs, batch, per_sample);
        }
    });
}

sedm_status sedm_sum_squares_per_sample(const sedm_tensor* t, double* out, void* stream) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& x = sedm::tensor_of(t, "t");
        require(out != nullptr, "out is NULL");
        const Real real = real_of(x, "t");
        const auto [batch, per_sample] = batch_layout(x, "t");
        if (batch == 0) return;
        if (x.is_cuda()) {
            sedm::check_cuda(sedm::kernels::sum_squares_cuda(real, x.data_ptr(), out, batch, per_sample,
                                                             sedm::cuda_stream_for(x, stream)),
                             "sum_squares_cuda");
        } else {
            sedm::kernels::sum_squares_cpu(real, x.data_ptr(), out, batch, per_sample);
        }
    });
}

}  // extern "C"
