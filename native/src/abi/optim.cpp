// Adam (Kingma & Ba 2015, Algorithm 1; PyTorch's torch.optim.Adam arithmetic, L2 weight decay
// added to the gradient) over the parameters of one or more modules, with EDM's gradient
// sanitising (nan → 0, ±inf → ±1e5; NVlabs/edm training_loop.py) and optional global-norm
// clipping (score_sde's grad_clip). The learning rate is passed on every step: schedules are Java's.
//
// Why not torch::optim::Adam (libtorch 1.13 has it): its state serialises through
// torch::serialize archives keyed by parameter index, while this project's checkpoints are
// safetensors keyed by parameter name ("exp_avg.<name>"), validated by name and shape on load and
// readable outside libtorch. The step also fuses what EDM does around the optimizer (sanitise,
// global norm in double after sanitising, clip, step) into one call with one host sync, and takes
// the learning rate per call instead of through param_groups. The update arithmetic is
// torch.optim.Adam's.
#include <cmath>

#include "../nn/safetensors.h"
#include "cuda_support.h"
#include "module.h"

using sedm::require;

struct sedm_adam {
    sedm_adam_options options;
    std::vector<std::shared_ptr<sedm::nn::NetworkImpl>> owners;  // keeps the parameters alive
    std::vector<std::string> names;
    std::vector<at::Tensor> params, exp_avg, exp_avg_sq;
    int64_t step = 0;
    at::Device device{at::kCPU};
};

namespace {

void validate(const sedm_adam_options& o) {
    require(o.version == 1, "sedm_adam_options.version must be 1, got " + std::to_string(o.version));
    require(o.beta1 >= 0 && o.beta1 < 1, "beta1 must be in [0, 1), got " + std::to_string(o.beta1));
    require(o.beta2 >= 0 && o.beta2 < 1, "beta2 must be in [0, 1), got " + std::to_string(o.beta2));
    require(o.eps > 0, "eps must be > 0, got " + std::to_string(o.eps));
    require(o.weight_decay >= 0, "weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
    require(o.max_grad_norm >= 0, "max_grad_norm must be >= 0 (0 = off), got " + std::to_string(o.max_grad_norm));
}

sedm_adam& mut(sedm_adam* a) {
    require(a != nullptr, "opt is NULL");
    return *a;
}

}  // namespace

extern "C" {

sedm_status sedm_adam_options_init(sedm_adam_options* o) {
    return sedm::guard(__func__, [&] {
        require(o != nullptr, "options is NULL");
        o->version = 1;
        o->beta1 = 0.9;
        o->beta2 = 0.999;
        o->eps = 1e-8;
        o->weight_decay = 0.0;
        o->max_grad_norm = 0.0;
        o->sanitize_gradients = true;
    });
}

sedm_status sedm_adam_create(sedm_module* const* modules, int32_t n_modules, const sedm_adam_options* options,
                             sedm_adam** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        require(options != nullptr, "options is NULL");
        validate(*options);
        require(n_modules >= 1 && modules != nullptr, "at least one module is needed");
        auto a = std::make_unique<sedm_adam>();
        a->options = *options;
        for (int32_t i = 0; i < n_modules; ++i) {
            require(modules[i] != nullptr, "modules[" + std::to_string(i) + "] is NULL");
            a->owners.push_back(modules[i]->net);
            if (i == 0) a->device = modules[i]->device;
            for (const auto& p : modules[i]->net->named_parameters(true)) {
                a->names.push_back(n_modules == 1 ? p.key() : std::to_string(i) + "." + p.key());
                a->params.push_back(p.value());
                a->exp_avg.push_back(at::Tensor());
                a->exp_avg_sq.push_back(at::Tensor());
            }
        }
        *out = sedm::adopt(a.release());
    });
}

sedm_status sedm_adam_step(sedm_adam* opt, double lr, void* stream, double* out_grad_norm) {
    return sedm::guard(__func__, [&] {
        sedm_adam& a = mut(opt);
        require(lr >= 0 && std::isfinite(lr), "lr must be finite and >= 0, got " + std::to_string(lr));
        sedm::StreamScope scope(a.device, stream);
        torch::NoGradGuard no_grad;
        const auto& o = a.options;
        std::vector<size_t> live;
        for (size_t i = 0; i < a.params.size(); ++i)
            if (a.params[i].grad().defined()) live.push_back(i);
        // 1. sanitise, 2. global norm (after sanitising), 3. clip.
        at::Tensor sq;
        for (size_t i : live) {
            at::Tensor g = a.params[i].mutable_grad();
            if (o.sanitize_gradients) at::nan_to_num_(g, 0.0, 1e5, -1e5);
            at::Tensor s = g.to(at::kDouble).pow(2).sum();
            sq = sq.defined() ? sq + s : s;
        }
        const double norm = sq.defined() ? std::sqrt(sq.item<double>()) : 0.0;
        if (out_grad_norm) *out_grad_norm = norm;
        double clip = 1.0;
        if (o.max_grad_norm > 0) clip = std::min(1.0, o.max_grad_norm / (norm + 1e-6));
        a.step += 1;
        const double bc1 = 1.0 - std::pow(o.beta1, static_cast<double>(a.step));
        const double bc2 = 1.0 - std::pow(o.beta2, static_cast<double>(a.step));
        for (size_t i : live) {
            at::Tensor p = a.params[i];
            at::Tensor g = p.grad();
            if (clip < 1.0) g = g * clip;
            if (o.weight_decay != 0) g = g + o.weight_decay * p;
            if (!a.exp_avg[i].defined()) {
                a.exp_avg[i] = at::zeros_like(p);
                a.exp_avg_sq[i] = at::zeros_like(p);
            }
            a.exp_avg[i].mul_(o.beta1).add_(g, 1.0 - o.beta1);
            a.exp_avg_sq[i].mul_(o.beta2).addcmul_(g, g, 1.0 - o.beta2);
            at::Tensor denom = (a.exp_avg_sq[i].sqrt() / std::sqrt(bc2)).add_(o.eps);
            p.addcdiv_(a.exp_avg[i], denom, -lr / bc1);
        }
    });
}

sedm_status sedm_adam_step_count(const sedm_adam* opt, int64_t* out) {
    return sedm::guard(__func__, [&] {
        require(opt != nullptr, "opt is NULL");
        require(out != nullptr, "out is NULL");
        *out = opt->step;
    });
}

sedm_status sedm_adam_save(const sedm_adam* opt, const char* path) {
    return sedm::guard(__func__, [&] {
        require(opt != nullptr, "opt is NULL");
        require(path != nullptr, "path is NULL");
        std::vector<std::pair<std::string, at::Tensor>> tensors;
        for (size_t i = 0; i < opt->params.size(); ++i) {
            if (!opt->exp_avg[i].defined()) continue;
            tensors.emplace_back("exp_avg." + opt->names[i], opt->exp_avg[i]);
            tensors.emplace_back("exp_avg_sq." + opt->names[i], opt->exp_avg_sq[i]);
        }
        sedm::safetensors::write(path, tensors, {{"format", "sedm-adam-1"}, {"step", std::to_string(opt->step)}});
    });
}

sedm_status sedm_adam_load(sedm_adam* opt, const char* path, void* stream) {
    return sedm::guard(__func__, [&] {
        sedm_adam& a = mut(opt);
        require(path != nullptr, "path is NULL");
        sedm::StreamScope scope(a.device, stream);
        auto file = sedm::safetensors::read(path);
        const std::string where = std::string("optimizer state '") + path + "': ";
        auto fmt = file.metadata.find("format");
        auto st = file.metadata.find("step");
        if (fmt == file.metadata.end() || fmt->second != "sedm-adam-1" || st == file.metadata.end())
            sedm::fail(SEDM_ERR_IO, where + "not a sedm Adam state (metadata format/step missing)");
        int64_t step = 0;
        try {
            step = std::stoll(st->second);
        } catch (const std::exception&) {
            sedm::fail(SEDM_ERR_IO, where + "bad step '" + st->second + "'");
        }
        size_t used = 0;
        std::vector<at::Tensor> m(a.params.size()), v(a.params.size());
        for (size_t i = 0; i < a.params.size(); ++i) {
            auto im = file.tensors.find("exp_avg." + a.names[i]);
            auto iv = file.tensors.find("exp_avg_sq." + a.names[i]);
            if (im == file.tensors.end() && iv == file.tensors.end()) continue;
            if (im == file.tensors.end() || iv == file.tensors.end())
                sedm::fail(SEDM_ERR_IO, where + "incomplete state for parameter '" + a.names[i] + "'");
            for (auto* t : {&im->second, &iv->second})
                if (t->sizes() != a.params[i].sizes())
                    sedm::fail(SEDM_ERR_IO, where + "state of '" + a.names[i] + "' has shape " +
                                                sedm::shape_string(t->sizes()) + " but the parameter has " +
                                                sedm::shape_string(a.params[i].sizes()));
            m[i] = im->second.to(a.params[i].device(), a.params[i].scalar_type());
            v[i] = iv->second.to(a.params[i].device(), a.params[i].scalar_type());
            used += 2;
        }
        if (used != file.tensors.size())
            sedm::fail(SEDM_ERR_IO, where + std::to_string(file.tensors.size() - used) + " tensors match no parameter");
        a.exp_avg = std::move(m);
        a.exp_avg_sq = std::move(v);
        a.step = step;
    });
}

void sedm_adam_destroy(sedm_adam* opt) { sedm::release(opt); }

}  // extern "C"
