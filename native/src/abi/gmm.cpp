// Exact isotropic Gaussian mixture (docs/ALGORITHMS.md §14.1): denoiser, log density and the oracle
// log-ratio of two mixtures (§14.3), in float64 with log-sum-exp, on the CPU or a CUDA device.
#include <cmath>
#include <cstring>

#include "cuda_support.h"
#include "handles.h"

using sedm::require;

struct sedm_gmm {
    at::Tensor log_weights;  // [K]   ln pi_k (normalised)
    at::Tensor means;        // [K, D]
    at::Tensor variances;    // [K]   c_k^2
    at::Tensor mean_norms;   // [K]   ||mu_k||^2
    int64_t k = 0;
    int64_t dim = 0;
    bool has_zero_variance = false;
};

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

const sedm_gmm& gmm_of(const sedm_gmm* g, const char* name) {
    require(g != nullptr, std::string(name) + " is NULL");
    return *g;
}

/** x as a float64 [B, D] matrix, checked against the mixture's dimension and device. */
at::Tensor flat_input(const sedm_gmm& g, const at::Tensor& x) {
    require(x.dim() >= 1, "x must have a batch dimension, got a 0-dimensional tensor");
    require(x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble,
            std::string("x must be float32 or float64, got ") + c10::toString(x.scalar_type()));
    require(x.device() == g.means.device(),
            "x is on " + x.device().str() + " but the mixture lives on " + g.means.device().str());
    const int64_t batch = x.size(0);
    const int64_t per_sample = batch == 0 ? 0 : x.numel() / batch;
    require(batch == 0 || per_sample == g.dim,
            "x " + sedm::shape_string(x.sizes()) + " has " + std::to_string(per_sample) +
                " elements per sample but the mixture has dim " + std::to_string(g.dim));
    return x.reshape({batch, g.dim}).to(at::kDouble);
}

/** sigma^2 as a [B, 1] float64 tensor on the mixture's device. */
at::Tensor sigma_squared(const sedm_gmm& g, const double* sigma, int64_t batch, bool strictly_positive) {
    require(sigma != nullptr || batch == 0, "sigma is NULL");
    std::vector<double> s2(static_cast<size_t>(batch));
    for (int64_t b = 0; b < batch; ++b) {
        const double s = sigma[b];
        require(std::isfinite(s) && s >= 0.0,
                "sigma[" + std::to_string(b) + "] must be finite and >= 0, got " + std::to_string(s));
        require(
            s > 0.0 || (!strictly_positive && !g.has_zero_variance),
            "sigma[" + std::to_string(b) + "] must be > 0" +
                (strictly_positive ? std::string("") : std::string(" (the mixture has a zero-variance component)")));
        s2[static_cast<size_t>(b)] = s * s;
    }
    return at::from_blob(s2.data(), {batch, 1}, at::TensorOptions().dtype(at::kDouble))
        .to(g.means.device(), at::kDouble, /*non_blocking=*/false, /*copy=*/true);
}

struct Noised {
    at::Tensor logits;  // [B, K] ln pi_k + ln N(x; mu_k, v_k I)
    at::Tensor v;       // [B, K] c_k^2 + sigma^2
};

Noised component_terms(const sedm_gmm& g, const at::Tensor& x, const at::Tensor& s2) {
    at::Tensor v = g.variances.unsqueeze(0) + s2;  // [B, K]
    // ||x - mu_k||^2 = ||x||^2 - 2 x.mu_k + ||mu_k||^2: one [B, D] x [D, K] product instead of a
    // [B, K, D] difference tensor (64 x 1000 x 1024 doubles would be 0.5 GB). In float64 the
    // cancellation costs ~1e-16 * ||x||^2, far below every tolerance the tests state.
    at::Tensor sq = (x.pow(2).sum(1, /*keepdim=*/true) - 2.0 * at::matmul(x, g.means.t()) + g.mean_norms.unsqueeze(0))
                        .clamp_min(0.0);  // [B, K]
    const double half_dim = 0.5 * static_cast<double>(g.dim);
    at::Tensor logits = g.log_weights.unsqueeze(0) - sq / (2.0 * v) - half_dim * at::log(kTwoPi * v);
    return {logits, v};
}

/** E[y | x] for the noised mixture, [B, D] float64. */
at::Tensor denoised(const sedm_gmm& g, const at::Tensor& x, const at::Tensor& s2, const Noised& n) {
    at::Tensor r = at::softmax(n.logits, 1);                                          // [B, K]
    at::Tensor keep = (r * g.variances.unsqueeze(0) / n.v).sum(1, /*keepdim=*/true);  // [B, 1]
    at::Tensor pull = at::matmul(r / n.v, g.means);                                   // [B, D]
    return keep * x + s2 * pull;
}

void to_host(const at::Tensor& t, double* out) {
    at::Tensor host = t.to(at::kCPU, at::kDouble).contiguous();
    std::memcpy(out, host.data_ptr<double>(), static_cast<size_t>(host.numel()) * sizeof(double));
}

void write_output(const at::Tensor& value, const at::Tensor& x, sedm_tensor* out, const char* name) {
    const at::Tensor& o = sedm::tensor_of(out, name);
    require(o.sizes() == x.sizes(), std::string(name) + " has shape " + sedm::shape_string(o.sizes()) + " but x has " +
                                        sedm::shape_string(x.sizes()));
    require(o.device() == x.device(),
            std::string(name) + " is on " + o.device().str() + " but x is on " + x.device().str());
    at::Tensor target = o;
    target.copy_(value.reshape(x.sizes()));
}

}  // namespace

extern "C" {

sedm_status sedm_gmm_create(const double* weights, const double* means, const double* variances, int64_t k, int64_t dim,
                            int32_t device_type, int32_t device_index, void* stream, sedm_gmm** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        require(k >= 1, "k (number of components) must be >= 1, got " + std::to_string(k));
        require(dim >= 1, "dim must be >= 1, got " + std::to_string(dim));
        require(weights != nullptr && means != nullptr && variances != nullptr,
                "weights, means and variances must not be NULL");
        double total = 0.0;
        bool zero_variance = false;
        for (int64_t j = 0; j < k; ++j) {
            require(std::isfinite(weights[j]) && weights[j] >= 0.0,
                    "weights[" + std::to_string(j) + "] must be finite and >= 0, got " + std::to_string(weights[j]));
            require(
                std::isfinite(variances[j]) && variances[j] >= 0.0,
                "variances[" + std::to_string(j) + "] must be finite and >= 0, got " + std::to_string(variances[j]));
            total += weights[j];
            zero_variance = zero_variance || variances[j] == 0.0;
        }
        require(total > 0.0, "weights must have a positive sum");
        for (int64_t j = 0; j < k * dim; ++j) {
            require(std::isfinite(means[j]), "means[" + std::to_string(j) + "] must be finite");
        }
        const at::Device device = sedm::to_device(device_type, device_index);
        sedm::StreamScope scope(device, stream);
        const auto f64 = at::TensorOptions().dtype(at::kDouble);
        auto* g = new sedm_gmm();
        try {
            std::vector<double> w(weights, weights + k);
            for (double& v : w) v = std::log(v / total);
            g->log_weights = at::from_blob(w.data(), {k}, f64).to(device, at::kDouble, false, true);
            g->means = at::from_blob(const_cast<double*>(means), {k, dim}, f64).to(device, at::kDouble, false, true);
            g->variances = at::from_blob(const_cast<double*>(variances), {k}, f64).to(device, at::kDouble, false, true);
            g->mean_norms = g->means.pow(2).sum(1);
            g->k = k;
            g->dim = dim;
            g->has_zero_variance = zero_variance;
        } catch (...) {
            delete g;
            throw;
        }
        *out = sedm::adopt(g);
    });
}

sedm_status sedm_gmm_denoise(const sedm_gmm* g, const sedm_tensor* x, const double* sigma, sedm_tensor* out,
                             void* stream) {
    return sedm::guard(__func__, [&] {
        const sedm_gmm& m = gmm_of(g, "g");
        const at::Tensor& input = sedm::tensor_of(x, "x");
        sedm::StreamScope scope(input.device(), stream);
        at::Tensor flat = flat_input(m, input);
        at::Tensor s2 = sigma_squared(m, sigma, flat.size(0), /*strictly_positive=*/false);
        write_output(denoised(m, flat, s2, component_terms(m, flat, s2)), input, out, "out");
    });
}

sedm_status sedm_gmm_log_prob(const sedm_gmm* g, const sedm_tensor* x, const double* sigma, double* out, void* stream) {
    return sedm::guard(__func__, [&] {
        const sedm_gmm& m = gmm_of(g, "g");
        const at::Tensor& input = sedm::tensor_of(x, "x");
        require(out != nullptr || input.size(0) == 0, "out is NULL");
        sedm::StreamScope scope(input.device(), stream);
        at::Tensor flat = flat_input(m, input);
        at::Tensor s2 = sigma_squared(m, sigma, flat.size(0), false);
        to_host(at::logsumexp(component_terms(m, flat, s2).logits, 1), out);
    });
}

sedm_status sedm_gmm_log_ratio(const sedm_gmm* a, const sedm_gmm* b, const sedm_tensor* x, const double* sigma,
                               double* out_logit, sedm_tensor* out_grad, void* stream) {
    return sedm::guard(__func__, [&] {
        const sedm_gmm& ma = gmm_of(a, "a");
        const sedm_gmm& mb = gmm_of(b, "b");
        require(ma.dim == mb.dim,
                "mixtures a and b differ in dim: " + std::to_string(ma.dim) + " vs " + std::to_string(mb.dim));
        require(ma.means.device() == mb.means.device(), "mixtures a and b live on different devices");
        const at::Tensor& input = sedm::tensor_of(x, "x");
        require(out_logit != nullptr || input.size(0) == 0, "out_logit is NULL");
        sedm::StreamScope scope(input.device(), stream);
        at::Tensor flat = flat_input(ma, input);
        at::Tensor s2 = sigma_squared(ma, sigma, flat.size(0), /*strictly_positive=*/true);
        const Noised na = component_terms(ma, flat, s2);
        const Noised nb = component_terms(mb, flat, s2);
        to_host(at::logsumexp(na.logits, 1) - at::logsumexp(nb.logits, 1), out_logit);
        if (out_grad != nullptr) {
            at::Tensor grad = (denoised(ma, flat, s2, na) - denoised(mb, flat, s2, nb)) / s2;
            write_output(grad, input, out_grad, "out_grad");
        }
    });
}

sedm_status sedm_gmm_dim(const sedm_gmm* g, int64_t* out_dim, int64_t* out_components) {
    return sedm::guard(__func__, [&] {
        const sedm_gmm& m = gmm_of(g, "g");
        require(out_dim != nullptr && out_components != nullptr, "out_dim and out_components must not be NULL");
        *out_dim = m.dim;
        *out_components = m.k;
    });
}

void sedm_gmm_destroy(sedm_gmm* g) { sedm::release(g); }

}  // extern "C"
