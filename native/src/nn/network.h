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

/** Builds the network a config describes ("kind": "unet" | "dhariwal_unet" | "mlp" | "linear" | "encoder" |
 * "classifier" | "discriminator" | "pool_head"); fills `resolved` with every option. */
std::shared_ptr<NetworkImpl> make_network(const Json& config, Json& resolved);

std::shared_ptr<NetworkImpl> make_song_unet(Config& config);
std::shared_ptr<NetworkImpl> make_dhariwal_unet(Config& config);
std::shared_ptr<NetworkImpl> make_mlp(Config& config);
std::shared_ptr<NetworkImpl> make_linear_score(Config& config);
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

/** EDM's Conv2d: optional 2× up / down resampling with the separable FIR filter
 * f = r rᵀ / (Σr)² of `resample_filter` r ([1,1]: nearest up / 2×2 box down; NCSN++: [1,3,3,1]),
 * then a k×k convolution ("weight" [out, in, k, k], "bias" [out]); kernel 0 = resample only.
 * `fused_resample` (downsampling only, the one use in EDM's networks) convolves with padding
 * k/2 + (len(r)−1)/2 first and filters after, as EDM's fused path. The filter is not a module tensor (EDM
 * keeps it as the buffer "resample_filter"): it follows from the config. */
class Conv2dImpl : public torch::nn::Module {
public:
    Conv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, bool bias, bool up, bool down, Init init,
               int64_t stride = 1, std::vector<int64_t> resample_filter = {1, 1}, bool fused_resample = false);
    at::Tensor forward(const at::Tensor& x);
    at::Tensor weight, bias;
    int64_t in_channels, out_channels;
    bool up, down;
    int64_t stride;
    std::vector<int64_t> resample_filter;
    bool fused_resample;

private:
    /** f = r rᵀ / (Σr)² as [1, 1, k, k] in x's dtype and device. */
    at::Tensor filter_like(const at::Tensor& x) const;
};
TORCH_MODULE(Conv2d);

/** Checks an EDM resample filter: an even number (≥ 2) of integer taps with a positive sum, so
 * that 2× up/down resampling maps H to exactly 2H / H/2. Throws std::invalid_argument. */
void check_resample_filter(const std::vector<int64_t>& filter, const std::string& who);

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

/** The options of EDM's UNetBlock shared by the blocks of one network (networks.py: block_kwargs). */
struct BlockOptions {
    int64_t emb_channels = 0;
    double dropout = 0;
    double skip_scale = 1;
    double eps = 1e-5;
    std::vector<int64_t> resample_filter{1, 1};
    bool resample_proj = false;
    bool adaptive_scale = true;
    int64_t num_heads = 0;           // > 0: this many heads in every attention block
    int64_t channels_per_head = 64;  // num_heads == 0: out_channels / channels_per_head heads (0 → no attention)
    Init init, init_zero, init_attn;
};

/** EDM's UNetBlock (networks.py), the union of the DDPM++, NCSN++ and ADM residual blocks:
 * GN → SiLU → conv3×3 (optionally resampling) → embedding (added, or scale/shift when adaptive) →
 * GN → SiLU → dropout → conv3×3, skip (1×1 or resample-only), ×skip_scale, then optional
 * multi-head self-attention. Parameter names norm0, conv0, affine, norm1, conv1, skip, norm2, qkv, proj. */
class UNetBlockImpl : public torch::nn::Module {
public:
    UNetBlockImpl(int64_t in, int64_t out, bool up, bool down, bool attention, const BlockOptions& options);
    at::Tensor forward(const at::Tensor& input, const at::Tensor& emb);

    int64_t in_channels, out_channels, num_heads;
    double dropout, skip_scale;
    bool adaptive_scale;
    GroupNorm norm0{nullptr}, norm1{nullptr}, norm2{nullptr};
    Conv2d conv0{nullptr}, conv1{nullptr}, skip{nullptr}, qkv{nullptr}, proj{nullptr};
    Linear affine{nullptr};
};
TORCH_MODULE(UNetBlock);

/** Class-label dropout for classifier-free guidance training (EDM networks.py): in training mode
 * each row of `labels` is zeroed with probability p; otherwise `labels` unchanged. */
at::Tensor drop_labels(const at::Tensor& labels, double p, bool training);

/** A plain container module, so parameter names follow the reference ("enc.32x32_block0..."). */
std::shared_ptr<torch::nn::Module> holder();

/** The dtype attention logits/softmax are formed in: float32, or float64 for float64 inputs. */
inline at::ScalarType attention_dtype(const at::Tensor& x) {
    return x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
}

}  // namespace sedm::nn
