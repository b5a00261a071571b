// A small residual MLP denoiser network for low-dimensional toy data (2-D mixtures, swiss
// roll): F(x; c_noise) with EDM's positional noise embedding (Karras et al. 2022, App. F.2).
#include <stdexcept>
#include <string>

#include "network.h"

namespace sedm::nn {
namespace {

class MlpImpl : public NetworkImpl {
public:
    explicit MlpImpl(Config& c) {
        const int64_t in_features = c.integer("in_features");
        const int64_t hidden = c.integer("hidden");
        const int64_t num_layers = c.integer("num_layers");
        noise_channels = c.integer("noise_channels");
        if (in_features < 1 || hidden < 1 || num_layers < 0) throw std::invalid_argument("mlp: sizes must be positive");
        // the positional embedding (endpoint = true) divides by noise_channels/2 - 1 and pairs cos with sin
        if (noise_channels < 4 || noise_channels % 2 != 0)
            throw std::invalid_argument("mlp: noise_channels must be even and >= 4, got " +
                                        std::to_string(noise_channels));
        const Init init{InitMode::XavierUniform, 1.0, 0.0};
        map_layer0 = register_module("map_layer0", Linear(noise_channels, hidden, true, init));
        fc_in = register_module("fc_in", Linear(in_features, hidden, true, init));
        auto layers = register_module("layers", holder());
        for (int64_t i = 0; i < num_layers; ++i) {
            blocks.push_back(layers->register_module(std::to_string(i), Linear(hidden, hidden, true, init)));
        }
        fc_out = register_module("fc_out", Linear(hidden, in_features, true, init));
    }

    at::Tensor forward(const at::Tensor& x, const at::Tensor& noise_labels, const at::Tensor&,
                       const at::Tensor&) override {
        at::Tensor emb = positional_embedding(noise_labels, noise_channels, 10000, true);
        emb = at::silu(map_layer0->forward(emb));
        at::Tensor h = fc_in->forward(x.reshape({x.size(0), -1})) + emb;
        for (auto& b : blocks) h = h + b->forward(at::silu(h));
        return fc_out->forward(at::silu(h)).reshape(x.sizes());
    }

private:
    int64_t noise_channels;
    Linear map_layer0{nullptr}, fc_in{nullptr}, fc_out{nullptr};
    std::vector<Linear> blocks;
};

}  // namespace

std::shared_ptr<NetworkImpl> make_mlp(Config& config) { return std::make_shared<MlpImpl>(config); }

}  // namespace sedm::nn
