// Score-matching losses of a module read as a score network s(x) = F(x; noise_labels): explicit
// score matching with the exact Jacobian trace (Hyvärinen 2005, eq. 4), sliced score matching
// with variance reduction (Song, Garg, Shi & Ermon 2019, eq. 8) and denoising score matching
// (Vincent 2011, eq. 4); docs/ALGORITHMS.md §17. The Jacobian terms need a second backward
// (gradient of ∇ₓ(...) with respect to θ), which is why these live here and not in Java.
#include <algorithm>
#include <cmath>

#include "cuda_support.h"
#include "module.h"

using sedm::require;

namespace {

constexpr int64_t kMaxExplicitDims = 64;

/** ∂/∂x of sum(y · v) for each sample: a vector-Jacobian product, zeros where y ignores x. */
at::Tensor vjp(const at::Tensor& y, const at::Tensor& x, const at::Tensor& v, bool create_graph) {
    auto g = torch::autograd::grad({y}, {x}, {v}, /*retain_graph=*/true, create_graph, /*allow_unused=*/true);
    return g[0].defined() ? g[0] : at::zeros_like(x);
}

/** Per-sample loss l_b of the objective for s = F(x) ([B, D] flat views). */
at::Tensor per_sample_loss(int32_t objective, const at::Tensor& s, const at::Tensor& x, const at::Tensor& probe,
                           bool create_graph) {
    at::Tensor half_norm = 0.5 * s.pow(2).sum(1);
    switch (objective) {
        case SEDM_SCORE_MATCHING_EXPLICIT: {
            // tr ∇ₓs = Σ_i ∂s_i/∂x_i, one vector-Jacobian product per dimension (e_i).
            at::Tensor trace = at::zeros_like(half_norm);
            for (int64_t i = 0; i < s.size(1); ++i) {
                at::Tensor e = at::zeros_like(s);
                e.select(1, i).fill_(1.0);
                trace = trace + vjp(s, x, e, create_graph).select(1, i);
            }
            return half_norm + trace;
        }
        case SEDM_SCORE_MATCHING_SLICED_VR:
            // vᵀ(∇ₓs)v = v · ∇ₓ(v · s)
            return half_norm + (vjp(s, x, probe, create_graph) * probe).sum(1);
        case SEDM_SCORE_MATCHING_DENOISING: return 0.5 * (s - probe).pow(2).sum(1);
        default:
            sedm::fail(SEDM_ERR_INVALID_ARGUMENT,
                       "objective must be SEDM_SCORE_MATCHING_EXPLICIT (0), _SLICED_VR (1) or _DENOISING (2), got " +
                           std::to_string(objective));
    }
}

}  // namespace

extern "C" {

sedm_status sedm_score_matching_loss(sedm_module* m, const sedm_tensor* x, const sedm_tensor* noise_labels,
                                     const double* output_scale, int32_t objective, const sedm_tensor* probe,
                                     const double* weights, bool accumulate_grad, void* stream, double* out_loss,
                                     double* out_per_sample) {
    return sedm::guard(__func__, [&] {
        require(m != nullptr, "m is NULL");
        sedm_module& mod = *m;
        const at::Tensor& xin = sedm::tensor_of(x, "x");
        const at::Tensor& nin = sedm::tensor_of(noise_labels, "noise_labels");
        require(objective >= SEDM_SCORE_MATCHING_EXPLICIT && objective <= SEDM_SCORE_MATCHING_DENOISING,
                "objective must be SEDM_SCORE_MATCHING_EXPLICIT (0), _SLICED_VR (1) or _DENOISING (2), got " +
                    std::to_string(objective));
        require(xin.dim() >= 2, "x must be [B, ...], got shape " + sedm::shape_string(xin.sizes()));
        require(at::isFloatingType(xin.scalar_type()),
                "x must be floating point, got " + sedm::dtype_name(xin.scalar_type()));
        const int64_t batch = xin.size(0);
        require(batch >= 1, "x must hold at least one sample");
        const int64_t dim = xin.numel() / batch;
        require(nin.numel() == batch, "noise_labels must hold one value per sample (" + std::to_string(batch) +
                                          "), got shape " + sedm::shape_string(nin.sizes()));
        if (objective == SEDM_SCORE_MATCHING_EXPLICIT) {
            require(probe == nullptr, "the explicit objective takes no probe; pass NULL");
            require(dim <= kMaxExplicitDims,
                    "the explicit objective takes one backward pass per dimension and is "
                    "limited to " +
                        std::to_string(kMaxExplicitDims) + " dimensions, got " + std::to_string(dim));
        } else {
            const char* what = objective == SEDM_SCORE_MATCHING_SLICED_VR ? "the projection v" : "the target score";
            require(probe != nullptr, std::string("probe (") + what + ") is NULL");
            const at::Tensor& p = sedm::tensor_of(probe, "probe");
            require(p.sizes() == xin.sizes(), "probe has shape " + sedm::shape_string(p.sizes()) + " but x has " +
                                                  sedm::shape_string(xin.sizes()));
        }
        if (output_scale != nullptr) {
            for (int64_t b = 0; b < batch; ++b) {
                require(std::isfinite(output_scale[b]), "output_scale[" + std::to_string(b) + "] must be finite, got " +
                                                            std::to_string(output_scale[b]));
            }
        }
        if (weights != nullptr) {
            for (int64_t b = 0; b < batch; ++b) {
                require(
                    std::isfinite(weights[b]) && weights[b] >= 0,
                    "weights[" + std::to_string(b) + "] must be finite and >= 0, got " + std::to_string(weights[b]));
            }
        }
        sedm::StreamScope scope(mod.device, stream);
        torch::AutoGradMode enable(true);
        at::Tensor xi = xin.to(mod.device, mod.dtype).reshape({batch, dim}).detach().clone().requires_grad_(true);
        at::Tensor ni = nin.to(mod.device, mod.dtype).reshape({batch});
        at::Tensor pi;
        if (probe != nullptr) pi = probe->t.to(mod.device, mod.dtype).reshape({batch, dim}).detach();
        at::Tensor s = mod.net->forward(xi.reshape(xin.sizes()), ni, at::Tensor(), at::Tensor()).reshape({batch, dim});
        if (output_scale != nullptr)
            s = s * at::from_blob(const_cast<double*>(output_scale), {batch, 1}, at::kDouble).to(s.options());
        at::Tensor l = per_sample_loss(objective, s, xi, pi, accumulate_grad);
        at::Tensor w = weights == nullptr
                           ? at::ones({batch}, l.options())
                           : at::from_blob(const_cast<double*>(weights), {batch}, at::kDouble).to(l.options());
        at::Tensor loss = (w * l).mean();
        if (accumulate_grad && loss.requires_grad()) {
            std::vector<at::Tensor> params;
            for (auto& p : mod.net->parameters(true)) {
                if (p.requires_grad()) params.push_back(p);
            }
            torch::autograd::backward({loss}, {}, /*retain_graph=*/false, /*create_graph=*/false, params);
        }
        if (out_loss) *out_loss = loss.detach().to(at::kCPU, at::kDouble).item<double>();
        if (out_per_sample) {
            at::Tensor host = l.detach().to(at::kCPU, at::kDouble).contiguous();
            std::copy(host.data_ptr<double>(), host.data_ptr<double>() + batch, out_per_sample);
        }
    });
}

}  // extern "C"
