// EDM's SongUNet (DDPM++ / "ddpmpp" architecture), after NVlabs/edm training/networks.py:
// Karras et al. 2022, "Elucidating the Design Space of Diffusion-Based Generative Models",
// Appendix F.2, and Song et al. 2021 (DDPM++). docs/ALGORITHMS.md §2.1. Parameter names match the
// reference module tree (map_layer0.weight, enc.32x32_block0.conv0.weight, dec.32x32_aux_conv.weight).
#include <cmath>
#include <stdexcept>

#include "network.h"

namespace sedm::nn {
namespace {

const double kSkipScale = std::sqrt(0.5);

/** EDM's UNetBlock with DDPM++ settings: adaptive_scale off, resample_proj on, one head. */
class UNetBlockImpl : public torch::nn::Module {
public:
    UNetBlockImpl(int64_t in, int64_t out, int64_t emb_channels, bool up, bool down, bool attention, double dropout_)
        : in_channels(in), out_channels(out), dropout(dropout_) {
        const Init init{InitMode::XavierUniform, 1.0, 0.0};
        const Init init_zero{InitMode::XavierUniform, 1e-5, 0.0};
        const Init init_attn{InitMode::XavierUniform, std::sqrt(0.2), 0.0};
        norm0 = register_module("norm0", GroupNorm(in, 32, 4, 1e-6, false));
        conv0 = register_module("conv0", Conv2d(in, out, 3, true, up, down, init));
        affine = register_module("affine", Linear(emb_channels, out, true, init));
        norm1 = register_module("norm1", GroupNorm(out, 32, 4, 1e-6, false));
        conv1 = register_module("conv1", Conv2d(out, out, 3, true, false, false, init_zero));
        if (out != in || up || down) {
            skip = register_module("skip", Conv2d(in, out, 1, true, up, down, init));  // resample_proj
        }
        if (attention) {
            norm2 = register_module("norm2", GroupNorm(out, 32, 4, 1e-6, false));
            qkv = register_module("qkv", Conv2d(out, out * 3, 1, true, false, false, init_attn));
            proj = register_module("proj", Conv2d(out, out, 1, true, false, false, init_zero));
        }
    }

    at::Tensor forward(const at::Tensor& input, const at::Tensor& emb) {
        at::Tensor x = conv0->forward(at::silu(norm0->forward(input)));
        at::Tensor params = affine->forward(emb).unsqueeze(2).unsqueeze(3).to(x.scalar_type());
        x = at::silu(norm1->forward(x + params));
        x = conv1->forward(at::dropout(x, dropout, is_training()));
        x = (x + (skip ? skip->forward(input) : input)) * kSkipScale;
        if (qkv) {
            const auto B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
            // One head; the 3C channels are interleaved per channel: [C, 3] (docs/ALGORITHMS.md §2.1 trap).
            at::Tensor t = qkv->forward(norm2->forward(x)).reshape({B, C, 3, H * W});
            const auto dt = attention_dtype(x);
            at::Tensor q = t.select(2, 0).to(dt), k = t.select(2, 1).to(dt), v = t.select(2, 2);
            // w[n, q, k] = softmax_k( Σ_c q[n,c,q]·k[n,c,k] / √C )
            at::Tensor w = at::bmm(q.transpose(1, 2), k / std::sqrt(static_cast<double>(C))).softmax(2);
            // a[n, c, q] = Σ_k w[n,q,k]·v[n,c,k]
            at::Tensor a = at::bmm(v, w.to(v.scalar_type()).transpose(1, 2));
            x = (proj->forward(a.reshape({B, C, H, W})) + x) * kSkipScale;
        }
        return x;
    }

    int64_t in_channels, out_channels;
    double dropout;
    GroupNorm norm0{nullptr}, norm1{nullptr}, norm2{nullptr};
    Conv2d conv0{nullptr}, conv1{nullptr}, skip{nullptr}, qkv{nullptr}, proj{nullptr};
    Linear affine{nullptr};
};
TORCH_MODULE(UNetBlock);

class SongUNetImpl : public NetworkImpl {
public:
    explicit SongUNetImpl(Config& c) {
        const int64_t img_resolution = c.integer("img_resolution");
        const int64_t in_channels = c.integer("in_channels");
        const int64_t out_channels = c.integer("out_channels");
        label_dim = c.integer("label_dim");
        augment_dim = c.integer("augment_dim");
        const int64_t model_channels = c.integer("model_channels");
        const auto channel_mult = c.integers("channel_mult");
        const int64_t channel_mult_emb = c.integer("channel_mult_emb");
        const int64_t num_blocks = c.integer("num_blocks");
        const auto attn_resolutions = c.integers("attn_resolutions");
        const double dropout = c.real("dropout");
        embedding_type = c.text("embedding_type");
        const int64_t channel_mult_noise = c.integer("channel_mult_noise");
        if (img_resolution < 1 || in_channels < 1 || out_channels < 1 || model_channels < 1 || num_blocks < 1 ||
            channel_mult.empty())
            throw std::invalid_argument("unet: img_resolution, channels, num_blocks and channel_mult must be positive");
        if (img_resolution % (int64_t{1} << (channel_mult.size() - 1)) != 0)
            throw std::invalid_argument("unet: img_resolution must be divisible by 2^(levels-1)");
        if (!(dropout >= 0 && dropout < 1)) throw std::invalid_argument("unet: dropout must be in [0, 1)");
        if (embedding_type != "positional" && embedding_type != "fourier")
            throw std::invalid_argument("unet: embedding_type must be positional or fourier");

        const int64_t emb_channels = model_channels * channel_mult_emb;
        noise_channels = model_channels * channel_mult_noise;
        const Init init{InitMode::XavierUniform, 1.0, 0.0};
        const Init init_zero{InitMode::XavierUniform, 1e-5, 0.0};

        // Mapping.
        if (embedding_type == "fourier") {
            auto map_noise = register_module("map_noise", holder());
            fourier_freqs = map_noise->register_buffer("freqs", at::randn({noise_channels / 2}) * 16.0);
        }
        if (label_dim) map_label = register_module("map_label", Linear(label_dim, noise_channels, true, init));
        if (augment_dim) map_augment = register_module("map_augment", Linear(augment_dim, noise_channels, false, init));
        map_layer0 = register_module("map_layer0", Linear(noise_channels, emb_channels, true, init));
        map_layer1 = register_module("map_layer1", Linear(emb_channels, emb_channels, true, init));

        // Encoder.
        auto enc = register_module("enc", holder());
        int64_t cout = in_channels;
        std::vector<int64_t> skips;
        for (size_t level = 0; level < channel_mult.size(); ++level) {
            const int64_t res = img_resolution >> level;
            const std::string r = std::to_string(res) + "x" + std::to_string(res);
            if (level == 0) {
                const int64_t cin = cout;
                cout = model_channels;
                enc_conv = enc->register_module(r + "_conv", Conv2d(cin, cout, 3, true, false, false, init));
                skips.push_back(cout);
            } else {
                auto b =
                    enc->register_module(r + "_down", UNetBlock(cout, cout, emb_channels, false, true, false, dropout));
                enc_blocks.push_back(b);
                skips.push_back(cout);
            }
            for (int64_t idx = 0; idx < num_blocks; ++idx) {
                const int64_t cin = cout;
                cout = model_channels * channel_mult[level];
                const bool attn = contains(attn_resolutions, res);
                auto b = enc->register_module(r + "_block" + std::to_string(idx),
                                              UNetBlock(cin, cout, emb_channels, false, false, attn, dropout));
                enc_blocks.push_back(b);
                skips.push_back(cout);
            }
        }

        // Decoder.
        auto dec = register_module("dec", holder());
        for (int64_t level = static_cast<int64_t>(channel_mult.size()) - 1; level >= 0; --level) {
            const int64_t res = img_resolution >> level;
            const std::string r = std::to_string(res) + "x" + std::to_string(res);
            if (level == static_cast<int64_t>(channel_mult.size()) - 1) {
                dec_blocks.push_back(
                    dec->register_module(r + "_in0", UNetBlock(cout, cout, emb_channels, false, false, true, dropout)));
                dec_blocks.push_back(dec->register_module(
                    r + "_in1", UNetBlock(cout, cout, emb_channels, false, false, false, dropout)));
            } else {
                dec_blocks.push_back(
                    dec->register_module(r + "_up", UNetBlock(cout, cout, emb_channels, true, false, false, dropout)));
            }
            for (int64_t idx = 0; idx <= num_blocks; ++idx) {
                const int64_t cin = cout + skips.back();
                skips.pop_back();
                cout = model_channels * channel_mult[level];
                const bool attn = idx == num_blocks && contains(attn_resolutions, res);
                dec_blocks.push_back(
                    dec->register_module(r + "_block" + std::to_string(idx),
                                         UNetBlock(cin, cout, emb_channels, false, false, attn, dropout)));
            }
            if (level == 0) {
                aux_norm = dec->register_module(r + "_aux_norm", GroupNorm(cout, 32, 4, 1e-6, false));
                aux_conv =
                    dec->register_module(r + "_aux_conv", Conv2d(cout, out_channels, 3, true, false, false, init_zero));
            }
        }
    }

    at::Tensor forward(const at::Tensor& input, const at::Tensor& noise_labels, const at::Tensor& class_labels,
                       const at::Tensor& augment_labels) override {
        // Mapping.
        at::Tensor emb;
        if (embedding_type == "fourier") {
            at::Tensor args = at::outer(noise_labels, (2 * M_PI) * fourier_freqs.to(noise_labels.scalar_type()));
            emb = at::cat({args.cos(), args.sin()}, 1);
        } else {
            emb = positional_embedding(noise_labels, noise_channels, 10000, true);
        }
        emb = emb.reshape({emb.size(0), 2, -1}).flip({1}).reshape(emb.sizes());  // swap sin/cos
        if (map_label) {
            if (!class_labels.defined())
                throw std::invalid_argument(
                    "unet: class_labels are required (label_dim = " + std::to_string(label_dim) + ")");
            emb = emb + map_label->forward(class_labels * std::sqrt(static_cast<double>(label_dim)));
        }
        if (map_augment && augment_labels.defined()) emb = emb + map_augment->forward(augment_labels);
        emb = at::silu(map_layer0->forward(emb));
        emb = at::silu(map_layer1->forward(emb));

        // Encoder.
        std::vector<at::Tensor> skips;
        at::Tensor x = enc_conv->forward(input);
        skips.push_back(x);
        for (auto& block : enc_blocks) {
            x = block->forward(x, emb);
            skips.push_back(x);
        }
        // Decoder.
        for (auto& block : dec_blocks) {
            if (x.size(1) != block->in_channels) {
                x = at::cat({x, skips.back()}, 1);
                skips.pop_back();
            }
            x = block->forward(x, emb);
        }
        return aux_conv->forward(at::silu(aux_norm->forward(x)));
    }

private:
    static bool contains(const std::vector<int64_t>& v, int64_t x) {
        for (int64_t e : v)
            if (e == x) return true;
        return false;
    }

    int64_t label_dim = 0, augment_dim = 0, noise_channels = 0;
    std::string embedding_type;
    at::Tensor fourier_freqs;
    Linear map_label{nullptr}, map_augment{nullptr}, map_layer0{nullptr}, map_layer1{nullptr};
    Conv2d enc_conv{nullptr}, aux_conv{nullptr};
    GroupNorm aux_norm{nullptr};
    std::vector<UNetBlock> enc_blocks, dec_blocks;
};

}  // namespace

std::shared_ptr<NetworkImpl> make_song_unet(Config& config) { return std::make_shared<SongUNetImpl>(config); }

}  // namespace sedm::nn
