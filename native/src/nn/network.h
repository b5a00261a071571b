// The network contract behind sedm_module handles, the config reader and the shared layers
// (EDM-style Linear/Conv2d/GroupNorm with paper initialisations, ADM-style Conv1d/attention).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sedm::nn {

using Json = nlohmann::json;

/**
 * Reads a network config object. Every key is required: the defaults live in the Java config
 * records (io.sedm.train.*Config), which always send every key. A missing key, a key of the
 * wrong type and a key nobody asked for (typo) all throw std::invalid_argument naming the key.
 * The values read are remembered so the resolved config can be reported.
 */
class Config {
public:
    explicit Config(const Json& value);

    int64_t integer(const std::string& key);
    double real(const std::string& key);
    bool flag(const std::string& key);
    std::string text(const std::string& key);
    std::vector<int64_t> integers(const std::string& key);

    /** Throws unless every key of the input was read. */
    void reject_unknown_keys() const;
    const Json& resolved() const { return resolved_; }

private:
    /** The value of `key`, marked as read; throws when absent. */
    const Json& at(const std::string& key);

    const Json& value_;
    Json resolved_ = Json::object();
    std::set<std::string> read_;
};

/**
 * A network F(x; c_noise, class_labels, augment_labels). Preconditioning and losses live in
 * Java; a network is only the raw function.
 */
class NetworkImpl : public torch::nn::Module {
public:
    /** `class_labels` and `augment_labels` may be undefined tensors. */
    virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& noise_labels, const at::Tensor& class_labels,
                               const at::Tensor& augment_labels) = 0;
};

/** Builds the network a config describes ("kind": "unet" | "mlp" | "encoder" | "classifier" |
 * "discriminator" | "pool_head"); fills `resolved` with every option. */
std::shared_ptr<NetworkImpl> make_network(const Json& config, Json& resolved);

std::shared_ptr<NetworkImpl> make_song_unet(Config& config);
std::shared_ptr<NetworkImpl> make_mlp(Config& config);
std::shared_ptr<NetworkImpl> make_adm_encoder(Config& config, const std::string& kind);

// ---- layers ------------------------------------------------------------------------------

enum class InitMode { XavierUniform, XavierNormal, KaimingUniform, KaimingNormal, TorchDefault };

/** EDM's weight_init (training/networks.py), plus PyTorch's default U(±1/√fan_in). */
at::Tensor weight_init(at::IntArrayRef shape, InitMode mode, int64_t fan_in, int64_t fan_out);

struct Init {
    InitMode mode = InitMode::XavierUniform;
    double weight = 1.0;
    double bias = 0.0;
};

/** Fully connected layer; parameters "weight" [out, in] and "bias" [out]. */
class LinearImpl : public torch::nn::Module {
public:
    LinearImpl(int64_t in_features, int64_t out_features, bool bias, Init init);
    at::Tensor forward(const at::Tensor& x);
    int64_t in_features;
    at::Tensor weight, bias;
};
TORCH_MODULE(Linear);

/** EDM's Conv2d: optional 2× up (nearest) / down (2×2 box) resampling with the [1,1] filter,
 * then a k×k convolution ("weight" [out, in, k, k], "bias" [out]); kernel 0 = resample only. */
class Conv2dImpl : public torch::nn::Module {
public:
    Conv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, bool bias, bool up, bool down, Init init,
               int64_t stride = 1);
    at::Tensor forward(const at::Tensor& x);
    at::Tensor weight, bias;
    bool up, down;
    int64_t stride;
};
TORCH_MODULE(Conv2d);

/** 1-D 1×1 convolution as in ADM's attention (weight [out, in, 1]). */
class Conv1dImpl : public torch::nn::Module {
public:
    Conv1dImpl(int64_t in_channels, int64_t out_channels, Init init);
    at::Tensor forward(const at::Tensor& x);
    at::Tensor weight, bias;
};
TORCH_MODULE(Conv1d);

/** GroupNorm with min(num_groups, C / min_channels_per_group) groups (EDM); "weight", "bias".
 * `float32_stats` computes in at least float32 (ADM's GroupNorm32). */
class GroupNormImpl : public torch::nn::Module {
public:
    GroupNormImpl(int64_t num_channels, int64_t num_groups, int64_t min_channels_per_group, double eps,
                  bool float32_stats);
    at::Tensor forward(const at::Tensor& x);
    int64_t groups;
    double eps;
    bool float32_stats;
    at::Tensor weight, bias;
};
TORCH_MODULE(GroupNorm);

/** EDM's PositionalEmbedding: [cos(x·f), sin(x·f)], f_k = (1/max_positions)^(k/(C/2 − endpoint)). */
at::Tensor positional_embedding(const at::Tensor& x, int64_t num_channels, int64_t max_positions, bool endpoint);

/** ADM's timestep_embedding: [cos(t·f), sin(t·f)], f_k = exp(−ln(max_period)·k/half). */
at::Tensor timestep_embedding(const at::Tensor& t, int64_t dim, double max_period);

/** A plain container module, so parameter names follow the reference ("enc.32x32_block0..."). */
std::shared_ptr<torch::nn::Module> holder();

/** The dtype attention logits/softmax are formed in: float32, or float64 for float64 inputs. */
inline at::ScalarType attention_dtype(const at::Tensor& x) {
    return x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
}

}  // namespace sedm::nn
