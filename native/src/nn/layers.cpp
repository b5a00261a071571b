// Config reader and the layers shared by the networks.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "network.h"

namespace sedm::nn {

// ---- Config ------------------------------------------------------------------------------

Config::Config(const Json& value) : value_(value) {
    if (!value.is_object()) throw std::invalid_argument("network config must be a JSON object");
}

const Json& Config::at(const std::string& key) {
    read_.insert(key);
    auto it = value_.find(key);
    if (it == value_.end()) throw std::invalid_argument("network config is missing the key \"" + key + "\"");
    return *it;
}

namespace {

int64_t exact_integer(const Json& v, const std::string& what) {
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(INT64_MAX)) throw std::invalid_argument(what + " is out of the 64-bit range");
        return static_cast<int64_t>(u);
    }
    if (v.is_number_integer()) return v.get<int64_t>();
    throw std::invalid_argument(what + " must be an integer, got " + v.dump());
}

}  // namespace

int64_t Config::integer(const std::string& key) {
    const int64_t v = exact_integer(at(key), "config \"" + key + "\"");
    resolved_[key] = v;
    return v;
}

double Config::real(const std::string& key) {
    const Json& j = at(key);
    if (!j.is_number()) throw std::invalid_argument("config \"" + key + "\" must be a number, got " + j.dump());
    const double v = j.get<double>();
    resolved_[key] = v;
    return v;
}

bool Config::flag(const std::string& key) {
    const Json& j = at(key);
    if (!j.is_boolean()) throw std::invalid_argument("config \"" + key + "\" must be true or false, got " + j.dump());
    const bool v = j.get<bool>();
    resolved_[key] = v;
    return v;
}

std::string Config::text(const std::string& key) {
    const Json& j = at(key);
    if (!j.is_string()) throw std::invalid_argument("config \"" + key + "\" must be a string, got " + j.dump());
    std::string v = j.get<std::string>();
    resolved_[key] = v;
    return v;
}

std::vector<int64_t> Config::integers(const std::string& key) {
    const Json& j = at(key);
    if (!j.is_array()) throw std::invalid_argument("config \"" + key + "\" must be an array, got " + j.dump());
    std::vector<int64_t> v;
    for (const auto& item : j) v.push_back(exact_integer(item, "config \"" + key + "\" element"));
    resolved_[key] = v;
    return v;
}

void Config::reject_unknown_keys() const {
    for (const auto& [key, ignored] : value_.items()) {
        if (!read_.count(key)) {
            std::string known;
            for (const auto& k : read_) known += (known.empty() ? "" : ", ") + k;
            throw std::invalid_argument("unknown network config key \"" + key + "\" (valid keys: " + known + ")");
        }
    }
}

std::shared_ptr<NetworkImpl> make_network(const Json& config, Json& resolved) {
    Config c(config);
    const std::string kind = c.text("kind");
    const std::string dtype = c.text("dtype");
    if (dtype != "float32" && dtype != "float64")
        throw std::invalid_argument("config \"dtype\" must be float32 or float64");
    torch::manual_seed(static_cast<uint64_t>(c.integer("init_seed")));
    std::shared_ptr<NetworkImpl> net;
    if (kind == "unet")
        net = make_song_unet(c);
    else if (kind == "dhariwal_unet")
        net = make_dhariwal_unet(c);
    else if (kind == "mlp")
        net = make_mlp(c);
    else if (kind == "linear")
        net = make_linear_score(c);
    else if (kind == "encoder" || kind == "classifier" || kind == "discriminator" || kind == "pool_head")
        net = make_adm_encoder(c, kind);
    else
        throw std::invalid_argument(
            "config \"kind\" must be one of unet, dhariwal_unet, mlp, linear, encoder, classifier, discriminator, "
            "pool_head; "
            "got \"" +
            kind + "\"");
    c.reject_unknown_keys();
    if (dtype == "float64") net->to(at::kDouble);
    resolved = c.resolved();
    return net;
}

// ---- initialisation -----------------------------------------------------------------------

at::Tensor weight_init(at::IntArrayRef shape, InitMode mode, int64_t fan_in, int64_t fan_out) {
    const auto opts = at::TensorOptions().dtype(at::kFloat);
    switch (mode) {
        case InitMode::XavierUniform:
            return std::sqrt(6.0 / static_cast<double>(fan_in + fan_out)) * (at::rand(shape, opts) * 2 - 1);
        case InitMode::XavierNormal:
            return std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)) * at::randn(shape, opts);
        case InitMode::KaimingUniform:
            return std::sqrt(3.0 / static_cast<double>(fan_in)) * (at::rand(shape, opts) * 2 - 1);
        case InitMode::KaimingNormal: return std::sqrt(1.0 / static_cast<double>(fan_in)) * at::randn(shape, opts);
        case InitMode::TorchDefault:
            return (1.0 / std::sqrt(static_cast<double>(fan_in))) * (at::rand(shape, opts) * 2 - 1);
    }
    throw std::invalid_argument("unknown init mode");
}

std::shared_ptr<torch::nn::Module> holder() { return std::make_shared<torch::nn::Module>(); }

// ---- Linear -------------------------------------------------------------------------------

LinearImpl::LinearImpl(int64_t in, int64_t out, bool with_bias, Init init) : in_features(in) {
    weight = register_parameter("weight", weight_init({out, in}, init.mode, in, out) * init.weight);
    if (with_bias) {
        // EDM scales a fresh draw by init_bias (0 → zeros); PyTorch's default draws U(±1/√fan_in).
        at::Tensor b = weight_init({out}, init.mode, in, out);
        bias = register_parameter("bias", init.mode == InitMode::TorchDefault ? b * init.weight : b * init.bias);
    }
}

at::Tensor LinearImpl::forward(const at::Tensor& x) {
    at::Tensor y = at::matmul(x, weight.to(x.scalar_type()).t());
    if (bias.defined()) y = y + bias.to(x.scalar_type());
    return y;
}

// ---- Conv2d -------------------------------------------------------------------------------

void check_resample_filter(const std::vector<int64_t>& filter, const std::string& who) {
    int64_t sum = 0;
    for (int64_t tap : filter) sum += tap;
    if (filter.size() < 2 || filter.size() % 2 != 0 || sum <= 0)
        throw std::invalid_argument(who +
                                    ": resample_filter must have an even number (>= 2) of taps with a positive "
                                    "sum (DDPM++ and ADM: [1,1], NCSN++: [1,3,3,1])");
}

Conv2dImpl::Conv2dImpl(int64_t in, int64_t out, int64_t kernel, bool with_bias, bool up_, bool down_, Init init,
                       int64_t stride_, std::vector<int64_t> filter, bool fused)
    : in_channels(in),
      out_channels(out),
      up(up_),
      down(down_),
      stride(stride_),
      resample_filter(std::move(filter)),
      fused_resample(fused) {
    if (up && down) throw std::invalid_argument("Conv2d: up and down are exclusive");
    // EDM's networks fuse only the NCSN++ encoder's downsampling (aux_residual).
    if (fused_resample && up) throw std::invalid_argument("Conv2d: fused resampling is for downsampling only");
    check_resample_filter(resample_filter, "Conv2d");
    if (kernel > 0) {
        const int64_t fan_in = in * kernel * kernel, fan_out = out * kernel * kernel;
        weight = register_parameter("weight",
                                    weight_init({out, in, kernel, kernel}, init.mode, fan_in, fan_out) * init.weight);
        if (with_bias) {
            at::Tensor b = weight_init({out}, init.mode, fan_in, fan_out);
            bias = register_parameter("bias", init.mode == InitMode::TorchDefault ? b * init.weight : b * init.bias);
        }
    }
}

at::Tensor Conv2dImpl::filter_like(const at::Tensor& x) const {
    at::Tensor r = at::tensor(resample_filter, at::TensorOptions().dtype(at::kLong)).to(at::kFloat);
    at::Tensor f = at::outer(r, r) / r.sum().square();  // EDM forms it in float32, then casts
    return f.to(x.options()).unsqueeze(0).unsqueeze(1);
}

at::Tensor Conv2dImpl::forward(const at::Tensor& input) {
    // EDM networks.py Conv2d.forward, operation for operation (so that float32 results match
    // the reference bit for bit where the kernels are the same): depthwise (transposed)
    // convolution with f (×4 when upsampling, so that each output pixel keeps unit gain),
    // stride 2; then the k×k convolution; the bias added last.
    at::Tensor x = input;
    const int64_t w_pad = weight.defined() ? weight.size(-1) / 2 : 0;
    const at::Tensor f = up || down ? filter_like(x) : at::Tensor();
    const int64_t f_pad = f.defined() ? (f.size(-1) - 1) / 2 : 0;
    const bool box = resample_filter.size() == 2 && resample_filter[0] == resample_filter[1];
    auto depthwise = [](const at::Tensor& filter, int64_t channels) { return filter.repeat({channels, 1, 1, 1}); };
    const int64_t one = 1, two = 2, none = 0;
    if (fused_resample && down && weight.defined()) {
        const int64_t pad_conv = w_pad + f_pad;
        x = at::conv2d(x, weight, {}, one, pad_conv);
        x = at::conv2d(x, depthwise(f, out_channels), {}, two, none, one, out_channels);
    } else {
        if (up && box) {  // the [1,1] filter ×4 is all ones: every output is one input × 1, exactly nearest 2×
            const auto s = x.sizes();
            x = x.unsqueeze(3)
                    .unsqueeze(5)
                    .expand({s[0], s[1], s[2], 2, s[3], 2})
                    .reshape({s[0], s[1], 2 * s[2], 2 * s[3]});
        } else if (up) {
            x = at::conv_transpose2d(x, depthwise(f * 4, in_channels), {}, two, f_pad, none, in_channels);
        }
        if (down) x = at::conv2d(x, depthwise(f, in_channels), {}, two, f_pad, one, in_channels);
        if (weight.defined()) x = at::conv2d(x, weight, {}, {stride, stride}, {w_pad, w_pad});
    }
    if (bias.defined()) x = x + bias.reshape({1, -1, 1, 1});
    return x;
}

// ---- Conv1d -------------------------------------------------------------------------------

Conv1dImpl::Conv1dImpl(int64_t in, int64_t out, Init init) {
    weight = register_parameter("weight", weight_init({out, in, 1}, init.mode, in, out) * init.weight);
    at::Tensor b = weight_init({out}, init.mode, in, out);
    bias = register_parameter("bias", init.mode == InitMode::TorchDefault ? b * init.weight : b * init.bias);
}

at::Tensor Conv1dImpl::forward(const at::Tensor& x) { return at::conv1d(x, weight, bias); }

// ---- GroupNorm ----------------------------------------------------------------------------

GroupNormImpl::GroupNormImpl(int64_t c, int64_t num_groups, int64_t min_per_group, double eps_, bool f32)
    : groups(std::max<int64_t>(1, std::min(num_groups, c / min_per_group))), eps(eps_), float32_stats(f32) {
    while (c % groups != 0) --groups;  // tiny test widths: the largest divisor not above the target
    weight = register_parameter("weight", at::ones({c}));
    bias = register_parameter("bias", at::zeros({c}));
}

at::Tensor GroupNormImpl::forward(const at::Tensor& x) {
    if (float32_stats && (x.scalar_type() == at::kHalf || x.scalar_type() == at::kBFloat16)) {
        return at::group_norm(x.to(at::kFloat), groups, weight.to(at::kFloat), bias.to(at::kFloat), eps)
            .to(x.scalar_type());
    }
    return at::group_norm(x, groups, weight, bias, eps);
}

// ---- embeddings ---------------------------------------------------------------------------

at::Tensor positional_embedding(const at::Tensor& x, int64_t num_channels, int64_t max_positions, bool endpoint) {
    const int64_t half = num_channels / 2;
    at::Tensor freqs = at::arange(half, x.options()) / static_cast<double>(half - (endpoint ? 1 : 0));
    freqs = at::pow(1.0 / static_cast<double>(max_positions), freqs);
    at::Tensor args = at::outer(x, freqs);
    return at::cat({args.cos(), args.sin()}, 1);
}

at::Tensor timestep_embedding(const at::Tensor& t, int64_t dim, double max_period) {
    const int64_t half = dim / 2;
    at::Tensor freqs = at::exp(-std::log(max_period) * at::arange(half, t.options()) / static_cast<double>(half));
    at::Tensor args = t.unsqueeze(1) * freqs.unsqueeze(0);
    at::Tensor emb = at::cat({args.cos(), args.sin()}, 1);
    if (dim % 2) emb = at::cat({emb, at::zeros_like(emb.narrow(1, 0, 1))}, 1);
    return emb;
}

}  // namespace sedm::nn
