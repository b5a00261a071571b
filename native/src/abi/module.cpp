// Network module handles: create from a JSON config, forward, backward, modes, parameter
// access, safetensors save/load, parameter copies and EMA.
#include "module.h"

#include <cstring>

#include "../nn/safetensors.h"
#include "cuda_support.h"

using sedm::require;

namespace sedm {

std::vector<std::pair<std::string, at::Tensor>> named_tensors(const sedm_module& m) {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& p : m.net->named_parameters(true)) out.emplace_back(p.key(), p.value());
    for (const auto& b : m.net->named_buffers(true)) out.emplace_back(b.key(), b.value());
    return out;
}

const sedm_module& module_of(const sedm_module* m, const char* name) {
    require(m != nullptr, std::string(name) + " is NULL");
    return *m;
}

}  // namespace sedm

namespace {

sedm_module& mut(sedm_module* m, const char* name) {
    require(m != nullptr, std::string(name) + " is NULL");
    return *m;
}

at::Tensor optional_input(const sedm_tensor* t, const sedm_module& m, int64_t batch, const char* name) {
    if (t == nullptr) return {};
    at::Tensor x = t->t.to(m.device, m.dtype);
    require(x.dim() >= 1 && x.size(0) == batch, std::string(name) + " must have " + std::to_string(batch) +
                                                    " rows, got shape " + sedm::shape_string(x.sizes()));
    return x.reshape({batch, -1});
}

void copy_string(const std::string& s, char* buf, int64_t cap, int64_t* out_length) {
    if (out_length) *out_length = static_cast<int64_t>(s.size());
    if (buf && cap > 0) {
        const size_t n = std::min<size_t>(s.size(), static_cast<size_t>(cap - 1));
        std::memcpy(buf, s.data(), n);
        buf[n] = '\0';
    }
}

}  // namespace

extern "C" {

sedm_status sedm_manual_seed(uint64_t seed) {
    return sedm::guard(__func__, [&] { torch::manual_seed(seed); });
}

sedm_status sedm_module_create(const char* config_json, int32_t device_type, int32_t device_index, sedm_module** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        require(config_json != nullptr, "config_json is NULL");
        const at::Device device = sedm::to_device(device_type, device_index);
        sedm::nn::Json config, resolved;
        try {
            config = sedm::nn::Json::parse(config_json);
        } catch (const sedm::nn::Json::exception& e) {
            sedm::fail(SEDM_ERR_INVALID_ARGUMENT, std::string("network config is not valid JSON: ") + e.what());
        }
        std::shared_ptr<sedm::nn::NetworkImpl> net;
        try {
            net = sedm::nn::make_network(config, resolved);
        } catch (const std::invalid_argument& e) {
            sedm::fail(SEDM_ERR_INVALID_ARGUMENT, std::string("network config: ") + e.what());
        }
        net->to(device);
        auto m = std::make_unique<sedm_module>();
        m->net = net;
        m->config = resolved.dump();
        m->device = device;
        m->dtype = resolved.at("dtype").get<std::string>() == "float64" ? at::kDouble : at::kFloat;
        *out = sedm::adopt(m.release());
    });
}

sedm_status sedm_module_config(const sedm_module* m, char* buf, int64_t cap, int64_t* out_length) {
    return sedm::guard(__func__, [&] { copy_string(sedm::module_of(m, "m").config, buf, cap, out_length); });
}

sedm_status sedm_module_forward(sedm_module* m, const sedm_tensor* x, const sedm_tensor* noise_labels,
                                const sedm_tensor* class_labels, const sedm_tensor* augment_labels, bool keep_graph,
                                void* stream, sedm_tensor** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        sedm_module& mod = mut(m, "m");
        const at::Tensor& xin = sedm::tensor_of(x, "x");
        const at::Tensor& nin = sedm::tensor_of(noise_labels, "noise_labels");
        require(xin.dim() >= 2, "x must be [B, ...], got shape " + sedm::shape_string(xin.sizes()));
        const int64_t batch = xin.size(0);
        require(nin.numel() == batch, "noise_labels must hold one value per sample (" + std::to_string(batch) +
                                          "), got shape " + sedm::shape_string(nin.sizes()));
        sedm::StreamScope scope(mod.device, stream);
        mod.input = at::Tensor();
        mod.output = at::Tensor();
        at::Tensor xi = xin.to(mod.device, mod.dtype).detach();
        at::Tensor ni = nin.to(mod.device, mod.dtype).reshape({batch});
        at::Tensor ci = optional_input(class_labels, mod, batch, "class_labels");
        at::Tensor ai = optional_input(augment_labels, mod, batch, "augment_labels");
        if (keep_graph) {
            torch::AutoGradMode enable(true);
            if (xi.data_ptr() == xin.data_ptr()) xi = xi.clone();  // our own leaf, never the caller's storage
            xi.requires_grad_(true);
            at::Tensor y = mod.net->forward(xi, ni, ci, ai);
            mod.input = xi;
            mod.output = y;
            *out = sedm::adopt(new sedm_tensor{y.detach().clone()});  // the caller may overwrite it
        } else {
            torch::NoGradGuard no_grad;
            *out = sedm::adopt(new sedm_tensor{mod.net->forward(xi, ni, ci, ai)});
        }
    });
}

sedm_status sedm_module_backward(sedm_module* m, const sedm_tensor* grad_output, void* stream,
                                 sedm_tensor** grad_input) {
    return sedm::guard(__func__, [&] {
        if (grad_input) *grad_input = nullptr;
        sedm_module& mod = mut(m, "m");
        require(mod.output.defined(),
                "no graph to differentiate: call sedm_module_forward with keep_graph first "
                "(each forward graph can be used by one backward)");
        const at::Tensor& g = sedm::tensor_of(grad_output, "grad_output");
        require(g.sizes() == mod.output.sizes(), "grad_output has shape " + sedm::shape_string(g.sizes()) +
                                                     " but the output has " + sedm::shape_string(mod.output.sizes()));
        sedm::StreamScope scope(mod.device, stream);
        at::Tensor out = mod.output, in = mod.input;
        mod.output = at::Tensor();
        mod.input = at::Tensor();
        torch::autograd::backward({out}, {g.to(out.device(), out.scalar_type())});
        if (grad_input) {
            at::Tensor gi = in.grad().defined() ? in.grad() : at::zeros_like(in);
            *grad_input = sedm::adopt(new sedm_tensor{gi.detach()});
        }
    });
}

sedm_status sedm_module_zero_grad(sedm_module* m, void* stream) {
    return sedm::guard(__func__, [&] {
        sedm_module& mod = mut(m, "m");
        sedm::StreamScope scope(mod.device, stream);
        for (auto& p : mod.net->parameters(true)) {
            if (p.grad().defined()) {
                p.mutable_grad().detach_();
                p.mutable_grad().zero_();
            }
        }
    });
}

sedm_status sedm_module_set_training(sedm_module* m, bool training) {
    return sedm::guard(__func__, [&] { mut(m, "m").net->train(training); });
}

sedm_status sedm_module_is_training(const sedm_module* m, bool* out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = sedm::module_of(m, "m").net->is_training();
    });
}

sedm_status sedm_module_set_requires_grad(sedm_module* m, bool requires_grad) {
    return sedm::guard(__func__, [&] {
        for (auto& p : mut(m, "m").net->parameters(true)) p.requires_grad_(requires_grad);
    });
}

sedm_status sedm_module_parameter_count(const sedm_module* m, int64_t* out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        int64_t n = 0;
        for (const auto& p : sedm::module_of(m, "m").net->parameters(true)) n += p.numel();
        *out = n;
    });
}

sedm_status sedm_module_tensor_count(const sedm_module* m, int64_t* out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = static_cast<int64_t>(sedm::named_tensors(sedm::module_of(m, "m")).size());
    });
}

sedm_status sedm_module_tensor_info(const sedm_module* m, int64_t index, char* name, int64_t name_cap,
                                    int64_t* out_name_length, int32_t* out_ndim, int64_t* out_shape,
                                    bool* out_is_parameter) {
    return sedm::guard(__func__, [&] {
        const sedm_module& mod = sedm::module_of(m, "m");
        const auto tensors = sedm::named_tensors(mod);
        require(index >= 0 && index < static_cast<int64_t>(tensors.size()),
                "index " + std::to_string(index) + " is outside [0, " + std::to_string(tensors.size()) + ")");
        const auto& [n, t] = tensors[static_cast<size_t>(index)];
        copy_string(n, name, name_cap, out_name_length);
        if (out_ndim) *out_ndim = static_cast<int32_t>(t.dim());
        if (out_shape) {
            require(t.dim() <= SEDM_MAX_DIMS, "tensor has too many dimensions");
            for (int64_t i = 0; i < t.dim(); ++i) out_shape[i] = t.size(i);
        }
        if (out_is_parameter) *out_is_parameter = static_cast<size_t>(index) < mod.net->parameters(true).size();
    });
}

sedm_status sedm_module_get_tensor(const sedm_module* m, const char* name, void* stream, sedm_tensor** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        require(name != nullptr, "name is NULL");
        const sedm_module& mod = sedm::module_of(m, "m");
        sedm::StreamScope scope(mod.device, stream);
        for (const auto& [n, t] : sedm::named_tensors(mod)) {
            if (n == name) {
                *out = sedm::adopt(new sedm_tensor{t.detach().clone()});
                return;
            }
        }
        sedm::fail(SEDM_ERR_INVALID_ARGUMENT, std::string("the module has no tensor named '") + name + "'");
    });
}

sedm_status sedm_module_set_tensor(sedm_module* m, const char* name, const sedm_tensor* value, void* stream) {
    return sedm::guard(__func__, [&] {
        require(name != nullptr, "name is NULL");
        const at::Tensor& v = sedm::tensor_of(value, "value");
        sedm_module& mod = mut(m, "m");
        sedm::StreamScope scope(mod.device, stream);
        for (auto& [n, t] : sedm::named_tensors(mod)) {
            if (n == name) {
                require(v.sizes() == t.sizes(), "tensor '" + n + "' has shape " + sedm::shape_string(t.sizes()) +
                                                    ", the value has " + sedm::shape_string(v.sizes()));
                torch::NoGradGuard no_grad;
                t.copy_(v);
                return;
            }
        }
        sedm::fail(SEDM_ERR_INVALID_ARGUMENT, std::string("the module has no tensor named '") + name + "'");
    });
}

sedm_status sedm_module_save_safetensors(const sedm_module* m, const char* path, const char* metadata_json) {
    return sedm::guard(__func__, [&] {
        require(path != nullptr, "path is NULL");
        const sedm_module& mod = sedm::module_of(m, "m");
        std::map<std::string, std::string> meta;
        if (metadata_json != nullptr) {
            sedm::nn::Json parsed;
            try {
                parsed = sedm::nn::Json::parse(metadata_json);
            } catch (const sedm::nn::Json::exception& e) {
                sedm::fail(SEDM_ERR_INVALID_ARGUMENT, std::string("metadata_json is not valid JSON: ") + e.what());
            }
            require(parsed.is_object(), "metadata_json must be a JSON object of strings");
            for (const auto& [k, v] : parsed.items()) {
                require(v.is_string(), "metadata_json value \"" + k + "\" must be a string, got " + v.dump());
                meta[k] = v.get<std::string>();
            }
        }
        meta["sedm_config"] = mod.config;
        sedm::safetensors::write(path, sedm::named_tensors(mod), meta);
    });
}

sedm_status sedm_module_load_safetensors(sedm_module* m, const char* path, bool strict, void* stream) {
    return sedm::guard(__func__, [&] {
        require(path != nullptr, "path is NULL");
        sedm_module& mod = mut(m, "m");
        sedm::StreamScope scope(mod.device, stream);
        auto file = sedm::safetensors::read(path);
        auto tensors = sedm::named_tensors(mod);
        const std::string where = std::string("safetensors file '") + path + "': ";
        for (const auto& [n, t] : tensors) {
            auto it = file.tensors.find(n);
            if (it == file.tensors.end()) sedm::fail(SEDM_ERR_IO, where + "missing tensor '" + n + "'");
            if (it->second.sizes() != t.sizes())
                sedm::fail(SEDM_ERR_IO, where + "tensor '" + n + "' has shape " +
                                            sedm::shape_string(it->second.sizes()) + " but the module expects " +
                                            sedm::shape_string(t.sizes()));
            if (!at::isFloatingType(it->second.scalar_type()))
                sedm::fail(SEDM_ERR_IO, where + "tensor '" + n + "' is not floating point");
        }
        if (strict) {
            for (const auto& [n, ignored] : file.tensors) {
                bool known = false;
                for (const auto& p : tensors) known = known || p.first == n;
                if (!known) sedm::fail(SEDM_ERR_IO, where + "unexpected tensor '" + n + "' (not in this module)");
            }
        }
        torch::NoGradGuard no_grad;
        for (auto& [n, t] : tensors) t.copy_(file.tensors.at(n));
    });
}

sedm_status sedm_module_copy_parameters(sedm_module* dst, const sedm_module* src, void* stream) {
    return sedm::guard(__func__, [&] {
        sedm_module& dmod = mut(dst, "dst");
        sedm::StreamScope scope(dmod.device, stream);
        auto d = sedm::named_tensors(dmod);
        auto s = sedm::named_tensors(sedm::module_of(src, "src"));
        require(d.size() == s.size(), "dst and src have different numbers of tensors");
        for (size_t i = 0; i < d.size(); ++i)
            require(d[i].first == s[i].first && d[i].second.sizes() == s[i].second.sizes(),
                    "dst and src differ at tensor '" + d[i].first + "'");
        torch::NoGradGuard no_grad;
        for (size_t i = 0; i < d.size(); ++i) d[i].second.copy_(s[i].second);
    });
}

sedm_status sedm_module_ema_update(sedm_module* ema, const sedm_module* model, double beta, void* stream) {
    return sedm::guard(__func__, [&] {
        require(beta >= 0 && beta <= 1, "beta must be in [0, 1], got " + std::to_string(beta));
        sedm_module& e = mut(ema, "ema");
        const sedm_module& n = sedm::module_of(model, "model");
        auto ep = e.net->named_parameters(true);
        auto np = n.net->named_parameters(true);
        require(ep.size() == np.size(), "ema and model have different parameter lists");
        sedm::StreamScope scope(e.device, stream);
        torch::NoGradGuard no_grad;
        for (size_t i = 0; i < ep.size(); ++i) {
            require(ep[i].key() == np[i].key() && ep[i].value().sizes() == np[i].value().sizes(),
                    "ema and model differ at parameter '" + ep[i].key() + "'");
            // EDM training_loop.py: p_ema = lerp(p_net, p_ema, beta) = p_net + beta·(p_ema − p_net)
            at::Tensor pe = ep[i].value();
            pe.copy_(np[i].value().detach().lerp(pe, beta));
        }
        auto eb = e.net->named_buffers(true);
        auto nb = n.net->named_buffers(true);
        for (size_t i = 0; i < eb.size() && i < nb.size(); ++i) eb[i].value().copy_(nb[i].value());
    });
}

void sedm_module_destroy(sedm_module* m) { sedm::release(m); }

}  // extern "C"
