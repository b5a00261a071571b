// EDM's DhariwalUNet: the ADM architecture of Dhariwal & Nichol 2021, "Diffusion Models Beat GANs
// on Image Synthesis", as re-implemented in NVlabs/edm training/networks.py (Karras et al. 2022,
// App. F.2; the ImageNet-64 model). Parameter names follow that module tree (map_layer0.weight,
// map_label.weight, enc.64x64_conv.weight, enc.32x32_down.conv0.weight, dec.8x8_in0.qkv.weight,
// out_norm.weight, out_conv.bias); EDM's resample_filter buffers are not module tensors here.
#include <cmath>
#include <stdexcept>

#include "network.h"

namespace sedm::nn {
namespace {

bool contains(const std::vector<int64_t>& v, int64_t x) {
    for (int64_t e : v)
        if (e == x) return true;
    return false;
}

std::string resolution_name(int64_t res) { return std::to_string(res) + "x" + std::to_string(res); }

class DhariwalUNetImpl : public NetworkImpl {
public:
    explicit DhariwalUNetImpl(Config& c) {
        const int64_t img_resolution = c.integer("img_resolution");
        const int64_t in_channels = c.integer("in_channels");
        const int64_t out_channels = c.integer("out_channels");
        label_dim = c.integer("label_dim");
        const int64_t augment_dim = c.integer("augment_dim");
        model_channels = c.integer("model_channels");
        const auto channel_mult = c.integers("channel_mult");
        const int64_t channel_mult_emb = c.integer("channel_mult_emb");
        const int64_t num_blocks = c.integer("num_blocks");
        const auto attn_resolutions = c.integers("attn_resolutions");
        const double dropout = c.real("dropout");
        label_dropout = c.real("label_dropout");
        if (img_resolution < 1 || in_channels < 1 || out_channels < 1 || model_channels < 2 || num_blocks < 1 ||
            channel_mult.empty() || channel_mult_emb < 1 || label_dim < 0 || augment_dim < 0)
            throw std::invalid_argument(
                "dhariwal_unet: img_resolution, channels, num_blocks and channel_mult must be positive");
        for (int64_t m : channel_mult)
            if (m < 1) throw std::invalid_argument("dhariwal_unet: channel_mult entries must be positive");
        if (model_channels % 2 != 0) throw std::invalid_argument("dhariwal_unet: model_channels must be even");
        if (img_resolution % (int64_t{1} << (channel_mult.size() - 1)) != 0)
            throw std::invalid_argument("dhariwal_unet: img_resolution must be divisible by 2^(levels-1)");
        if (!(dropout >= 0 && dropout < 1)) throw std::invalid_argument("dhariwal_unet: dropout must be in [0, 1)");
        if (!(label_dropout >= 0 && label_dropout < 1))
            throw std::invalid_argument("dhariwal_unet: label_dropout must be in [0, 1)");

        const int64_t emb_channels = model_channels * channel_mult_emb;
        // EDM: init = kaiming_uniform × √(1/3) for weights and biases (PyTorch's default range);
        // init_zero = zeros.
        const Init init{InitMode::KaimingUniform, std::sqrt(1.0 / 3.0), std::sqrt(1.0 / 3.0)};
        const Init init_zero{InitMode::KaimingUniform, 0.0, 0.0};
        BlockOptions block;  // DhariwalUNet's block_kwargs; UNetBlock defaults otherwise
        block.emb_channels = emb_channels;
        block.channels_per_head = 64;
        block.dropout = dropout;
        block.skip_scale = 1;
        block.eps = 1e-5;
        block.resample_filter = {1, 1};
        block.resample_proj = false;
        block.adaptive_scale = true;
        block.init = init;
        block.init_zero = init_zero;
        block.init_attn = init;

        // Mapping.
        if (augment_dim)
            map_augment = register_module("map_augment", Linear(augment_dim, model_channels, false, init_zero));
        map_layer0 = register_module("map_layer0", Linear(model_channels, emb_channels, true, init));
        map_layer1 = register_module("map_layer1", Linear(emb_channels, emb_channels, true, init));
        if (label_dim)
            map_label = register_module(
                "map_label", Linear(label_dim, emb_channels, false,
                                    Init{InitMode::KaimingNormal, std::sqrt(static_cast<double>(label_dim)), 0.0}));

        // Encoder.
        auto enc = register_module("enc", holder());
        int64_t cout = in_channels;
        std::vector<int64_t> skips;
        for (size_t level = 0; level < channel_mult.size(); ++level) {
            const int64_t res = img_resolution >> level;
            const std::string r = resolution_name(res);
            if (level == 0) {
                const int64_t cin = cout;
                cout = model_channels * channel_mult[level];
                enc_conv = enc->register_module(r + "_conv", Conv2d(cin, cout, 3, true, false, false, init));
            } else {
                enc_blocks.push_back(
                    enc->register_module(r + "_down", UNetBlock(cout, cout, false, true, false, block)));
            }
            skips.push_back(cout);
            for (int64_t idx = 0; idx < num_blocks; ++idx) {
                const int64_t cin = cout;
                cout = model_channels * channel_mult[level];
                enc_blocks.push_back(
                    enc->register_module(r + "_block" + std::to_string(idx),
                                         UNetBlock(cin, cout, false, false, contains(attn_resolutions, res), block)));
                skips.push_back(cout);
            }
        }

        // Decoder.
        auto dec = register_module("dec", holder());
        const auto last = static_cast<int64_t>(channel_mult.size()) - 1;
        for (int64_t level = last; level >= 0; --level) {
            const int64_t res = img_resolution >> level;
            const std::string r = resolution_name(res);
            if (level == last) {
                dec_blocks.push_back(
                    dec->register_module(r + "_in0", UNetBlock(cout, cout, false, false, true, block)));
                dec_blocks.push_back(
                    dec->register_module(r + "_in1", UNetBlock(cout, cout, false, false, false, block)));
            } else {
                dec_blocks.push_back(dec->register_module(r + "_up", UNetBlock(cout, cout, true, false, false, block)));
            }
            for (int64_t idx = 0; idx <= num_blocks; ++idx) {
                const int64_t cin = cout + skips.back();
                skips.pop_back();
                cout = model_channels * channel_mult[level];
                dec_blocks.push_back(
                    dec->register_module(r + "_block" + std::to_string(idx),
                                         UNetBlock(cin, cout, false, false, contains(attn_resolutions, res), block)));
            }
        }
        out_norm = register_module("out_norm", GroupNorm(cout, 32, 4, 1e-5, false));
        out_conv = register_module("out_conv", Conv2d(cout, out_channels, 3, true, false, false, init_zero));
    }

    at::Tensor forward(const at::Tensor& input, const at::Tensor& noise_labels, const at::Tensor& class_labels,
                       const at::Tensor& augment_labels) override {
        // Mapping: ADM's sinusoidal embedding [cos, sin] without EDM's endpoint (no swap), then the
        // class embedding is added after map_layer1 (networks.py DhariwalUNet.forward).
        at::Tensor emb = positional_embedding(noise_labels, model_channels, 10000, false);
        if (map_augment && augment_labels.defined()) emb = emb + map_augment->forward(augment_labels);
        emb = at::silu(map_layer0->forward(emb));
        emb = map_layer1->forward(emb);
        if (map_label) {
            if (!class_labels.defined())
                throw std::invalid_argument(
                    "dhariwal_unet: class_labels are required (label_dim = " + std::to_string(label_dim) + ")");
            emb = emb + map_label->forward(drop_labels(class_labels, label_dropout, is_training()));
        }
        emb = at::silu(emb);

        // Encoder.
        std::vector<at::Tensor> skips;
        at::Tensor x = enc_conv->forward(input);
        skips.push_back(x);
        for (auto& block : enc_blocks) skips.push_back(x = block->forward(x, emb));
        // Decoder.
        for (auto& block : dec_blocks) {
            if (x.size(1) != block->in_channels) {
                x = at::cat({x, skips.back()}, 1);
                skips.pop_back();
            }
            x = block->forward(x, emb);
        }
        return out_conv->forward(at::silu(out_norm->forward(x)));
    }

private:
    int64_t label_dim = 0, model_channels = 0;
    double label_dropout = 0;
    Linear map_augment{nullptr}, map_layer0{nullptr}, map_layer1{nullptr}, map_label{nullptr};
    Conv2d enc_conv{nullptr}, out_conv{nullptr};
    GroupNorm out_norm{nullptr};
    std::vector<UNetBlock> enc_blocks, dec_blocks;
};

}  // namespace

std::shared_ptr<NetworkImpl> make_dhariwal_unet(Config& config) { return std::make_shared<DhariwalUNetImpl>(config); }

}  // namespace sedm::nn
