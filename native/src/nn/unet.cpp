// EDM's SongUNet (DDPM++ and NCSN++ architectures), after NVlabs/edm training/networks.py:
// Karras et al. 2022, "Elucidating the Design Space of Diffusion-Based Generative Models",
// Appendix F.2, and Song et al. 2021 (DDPM++ / NCSN++). docs/ALGORITHMS.md §2.1. Also EDM's
// UNetBlock, shared with DhariwalUNet. Parameter names match the reference module tree
// (map_layer0.weight, enc.32x32_block0.conv0.weight, enc.16x16_aux_residual.weight,
// dec.32x32_aux_conv.weight); EDM's resample_filter buffers are not module tensors here.
#include <cmath>
#include <stdexcept>

#include "network.h"

namespace sedm::nn {

// ---- UNetBlock ----------------------------------------------------------------------------

UNetBlockImpl::UNetBlockImpl(int64_t in, int64_t out, bool up, bool down, bool attention, const BlockOptions& o)
    : in_channels(in),
      out_channels(out),
      num_heads(!attention        ? 0
                : o.num_heads > 0 ? o.num_heads
                                  : out / o.channels_per_head),
      dropout(o.dropout),
      skip_scale(o.skip_scale),
      adaptive_scale(o.adaptive_scale) {
    norm0 = register_module("norm0", GroupNorm(in, 32, 4, o.eps, false));
    conv0 = register_module("conv0", Conv2d(in, out, 3, true, up, down, o.init, 1, o.resample_filter));
    affine = register_module("affine", Linear(o.emb_channels, out * (adaptive_scale ? 2 : 1), true, o.init));
    norm1 = register_module("norm1", GroupNorm(out, 32, 4, o.eps, false));
    conv1 = register_module("conv1", Conv2d(out, out, 3, true, false, false, o.init_zero));
    if (out != in || up || down) {
        const int64_t kernel = o.resample_proj || out != in ? 1 : 0;
        skip = register_module("skip", Conv2d(in, out, kernel, true, up, down, o.init, 1, o.resample_filter));
    }
    if (num_heads) {
        if (out % num_heads != 0)
            throw std::invalid_argument("UNetBlock: " + std::to_string(out) + " channels do not split into " +
                                        std::to_string(num_heads) + " attention heads");
        norm2 = register_module("norm2", GroupNorm(out, 32, 4, o.eps, false));
        qkv = register_module("qkv", Conv2d(out, out * 3, 1, true, false, false, o.init_attn));
        proj = register_module("proj", Conv2d(out, out, 1, true, false, false, o.init_zero));
    }
}

at::Tensor UNetBlockImpl::forward(const at::Tensor& input, const at::Tensor& emb) {
    at::Tensor x = conv0->forward(at::silu(norm0->forward(input)));
    at::Tensor params = affine->forward(emb).unsqueeze(2).unsqueeze(3).to(x.scalar_type());
    if (adaptive_scale) {
        auto scale_shift = params.chunk(2, 1);  // GN(x)·(1 + scale) + shift
        x = at::silu(at::addcmul(scale_shift[1], norm1->forward(x), scale_shift[0] + 1));
    } else {
        x = at::silu(norm1->forward(x + params));
    }
    x = conv1->forward(at::dropout(x, dropout, is_training()));
    x = (x + (skip ? skip->forward(input) : input)) * skip_scale;
    if (num_heads) {
        const auto B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
        const int64_t ch = C / num_heads;
        // Per head, the 3·ch channels are interleaved per channel: [ch, 3] (docs/ALGORITHMS.md §2.1 trap).
        at::Tensor t = qkv->forward(norm2->forward(x)).reshape({B * num_heads, ch, 3, H * W});
        const auto dt = attention_dtype(x);
        at::Tensor q = t.select(2, 0), k = t.select(2, 1), v = t.select(2, 2);
        // w[n, q, k] = softmax_k( Σ_c q[n,c,q]·k[n,c,k] / √ch ), as EDM's AttentionOp (same einsum)
        at::Tensor w =
            at::einsum("ncq,nck->nqk", {q.to(dt), (k / std::sqrt(static_cast<double>(ch))).to(dt)}).softmax(2);
        // a[n, c, q] = Σ_k w[n,q,k]·v[n,c,k]
        at::Tensor a = at::einsum("nqk,nck->ncq", {w.to(v.scalar_type()), v});
        x = (proj->forward(a.reshape({B, C, H, W})) + x) * skip_scale;
    }
    return x;
}

at::Tensor drop_labels(const at::Tensor& labels, double p, bool training) {
    if (!training || p <= 0) return labels;
    at::Tensor keep = at::rand({labels.size(0), 1}, labels.options()) >= p;
    return labels * keep.to(labels.scalar_type());
}

// ---- SongUNet -----------------------------------------------------------------------------

namespace {

const double kSkipScale = std::sqrt(0.5);

bool contains(const std::vector<int64_t>& v, int64_t x) {
    for (int64_t e : v)
        if (e == x) return true;
    return false;
}

std::string resolution_name(int64_t res) { return std::to_string(res) + "x" + std::to_string(res); }

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
        label_dropout = c.real("label_dropout");
        embedding_type = c.text("embedding_type");
        const int64_t channel_mult_noise = c.integer("channel_mult_noise");
        const std::string encoder_type = c.text("encoder_type");
        const std::string decoder_type = c.text("decoder_type");
        const auto resample_filter = c.integers("resample_filter");
        if (img_resolution < 1 || in_channels < 1 || out_channels < 1 || model_channels < 1 || num_blocks < 1 ||
            channel_mult.empty() || channel_mult_emb < 1 || channel_mult_noise < 1 || label_dim < 0 || augment_dim < 0)
            throw std::invalid_argument("unet: img_resolution, channels, num_blocks and channel_mult must be positive");
        for (int64_t m : channel_mult)
            if (m < 1) throw std::invalid_argument("unet: channel_mult entries must be positive");
        if (img_resolution % (int64_t{1} << (channel_mult.size() - 1)) != 0)
            throw std::invalid_argument("unet: img_resolution must be divisible by 2^(levels-1)");
        if (!(dropout >= 0 && dropout < 1)) throw std::invalid_argument("unet: dropout must be in [0, 1)");
        if (!(label_dropout >= 0 && label_dropout < 1))
            throw std::invalid_argument("unet: label_dropout must be in [0, 1)");
        if (embedding_type != "positional" && embedding_type != "fourier")
            throw std::invalid_argument("unet: embedding_type must be positional or fourier");
        if (encoder_type != "standard" && encoder_type != "skip" && encoder_type != "residual")
            throw std::invalid_argument("unet: encoder_type must be standard, skip or residual; got \"" + encoder_type +
                                        "\"");
        if (decoder_type != "standard" && decoder_type != "skip")
            throw std::invalid_argument("unet: decoder_type must be standard or skip; got \"" + decoder_type + "\"");
        check_resample_filter(resample_filter, "unet");

        const int64_t emb_channels = model_channels * channel_mult_emb;
        noise_channels = model_channels * channel_mult_noise;
        if (noise_channels % 2 != 0)
            throw std::invalid_argument("unet: model_channels * channel_mult_noise must be even");
        const Init init{InitMode::XavierUniform, 1.0, 0.0};
        const Init init_zero{InitMode::XavierUniform, 1e-5, 0.0};
        BlockOptions block;  // SongUNet's block_kwargs
        block.emb_channels = emb_channels;
        block.num_heads = 1;
        block.dropout = dropout;
        block.skip_scale = kSkipScale;
        block.eps = 1e-6;
        block.resample_filter = resample_filter;
        block.resample_proj = true;
        block.adaptive_scale = false;
        block.init = init;
        block.init_zero = init_zero;
        block.init_attn = Init{InitMode::XavierUniform, std::sqrt(0.2), 0.0};

        // Mapping. FourierEmbedding (NCSN++): freqs ~ N(0, 16²), EDM's scale = 16.
        if (embedding_type == "fourier") {
            auto map_noise = register_module("map_noise", holder());
            fourier_freqs = map_noise->register_buffer("freqs", at::randn({noise_channels / 2}) * 16.0);
        }
        if (label_dim) map_label = register_module("map_label", Linear(label_dim, noise_channels, true, init));
        if (augment_dim) map_augment = register_module("map_augment", Linear(augment_dim, noise_channels, false, init));
        map_layer0 = register_module("map_layer0", Linear(noise_channels, emb_channels, true, init));
        map_layer1 = register_module("map_layer1", Linear(emb_channels, emb_channels, true, init));

        // Encoder (the order of the steps is the order of EDM's ModuleDict).
        auto enc = register_module("enc", holder());
        int64_t cout = in_channels, caux = in_channels;
        std::vector<int64_t> skips;
        for (size_t level = 0; level < channel_mult.size(); ++level) {
            const int64_t res = img_resolution >> level;
            const std::string r = resolution_name(res);
            if (level == 0) {
                const int64_t cin = cout;
                cout = model_channels;
                enc_steps.push_back(
                    {Step::Conv, nullptr,
                     enc->register_module(r + "_conv", Conv2d(cin, cout, 3, true, false, false, init))});
                skips.push_back(cout);
            } else {
                enc_steps.push_back(
                    {Step::Block, enc->register_module(r + "_down", UNetBlock(cout, cout, false, true, false, block)),
                     nullptr});
                skips.push_back(cout);
                if (encoder_type == "skip") {
                    enc_steps.push_back({Step::AuxDown, nullptr,
                                         enc->register_module(r + "_aux_down", Conv2d(caux, caux, 0, true, false, true,
                                                                                      init, 1, resample_filter))});
                    enc_steps.push_back(
                        {Step::AuxSkip, nullptr,
                         enc->register_module(r + "_aux_skip", Conv2d(caux, cout, 1, true, false, false, init))});
                }
                if (encoder_type == "residual") {
                    enc_steps.push_back(
                        {Step::AuxResidual, nullptr,
                         enc->register_module(r + "_aux_residual", Conv2d(caux, cout, 3, true, false, true, init, 1,
                                                                          resample_filter, true))});
                    caux = cout;
                }
            }
            for (int64_t idx = 0; idx < num_blocks; ++idx) {
                const int64_t cin = cout;
                cout = model_channels * channel_mult[level];
                const bool attn = contains(attn_resolutions, res);
                enc_steps.push_back({Step::Block,
                                     enc->register_module(r + "_block" + std::to_string(idx),
                                                          UNetBlock(cin, cout, false, false, attn, block)),
                                     nullptr});
                skips.push_back(cout);
            }
        }

        // Decoder.
        auto dec = register_module("dec", holder());
        const auto last = static_cast<int64_t>(channel_mult.size()) - 1;
        for (int64_t level = last; level >= 0; --level) {
            const int64_t res = img_resolution >> level;
            const std::string r = resolution_name(res);
            auto add_block = [&](const std::string& name, UNetBlock b) {
                dec_steps.push_back({Step::Block, dec->register_module(r + name, b), nullptr, nullptr});
            };
            if (level == last) {
                add_block("_in0", UNetBlock(cout, cout, false, false, true, block));
                add_block("_in1", UNetBlock(cout, cout, false, false, false, block));
            } else {
                add_block("_up", UNetBlock(cout, cout, true, false, false, block));
            }
            for (int64_t idx = 0; idx <= num_blocks; ++idx) {
                const int64_t cin = cout + skips.back();
                skips.pop_back();
                cout = model_channels * channel_mult[level];
                const bool attn = idx == num_blocks && contains(attn_resolutions, res);
                add_block("_block" + std::to_string(idx), UNetBlock(cin, cout, false, false, attn, block));
            }
            if (decoder_type == "skip" || level == 0) {
                if (decoder_type == "skip" && level < last) {
                    dec_steps.push_back(
                        {Step::AuxUp, nullptr,
                         dec->register_module(r + "_aux_up", Conv2d(out_channels, out_channels, 0, true, true, false,
                                                                    init, 1, resample_filter)),
                         nullptr});
                }
                dec_steps.push_back({Step::AuxNorm, nullptr, nullptr,
                                     dec->register_module(r + "_aux_norm", GroupNorm(cout, 32, 4, 1e-6, false))});
                dec_steps.push_back({Step::AuxConv, nullptr,
                                     dec->register_module(r + "_aux_conv",
                                                          Conv2d(cout, out_channels, 3, true, false, false, init_zero)),
                                     nullptr});
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
            at::Tensor labels = drop_labels(class_labels, label_dropout, is_training());
            emb = emb + map_label->forward(labels * std::sqrt(static_cast<double>(label_dim)));
        }
        if (map_augment && augment_labels.defined()) emb = emb + map_augment->forward(augment_labels);
        emb = at::silu(map_layer0->forward(emb));
        emb = at::silu(map_layer1->forward(emb));

        // Encoder: `aux` carries the input pyramid of the skip / residual encoders.
        std::vector<at::Tensor> skips;
        at::Tensor x = input, aux = input;
        for (auto& s : enc_steps) {
            switch (s.kind) {
                case Step::Conv: skips.push_back(x = s.conv->forward(x)); break;
                case Step::Block: skips.push_back(x = s.block->forward(x, emb)); break;
                case Step::AuxDown: aux = s.conv->forward(aux); break;
                case Step::AuxSkip: skips.back() = x = x + s.conv->forward(aux); break;
                case Step::AuxResidual: skips.back() = x = aux = (x + s.conv->forward(aux)) / std::sqrt(2.0); break;
                default: throw std::logic_error("unet: bad encoder step");
            }
        }
        // Decoder: `out` sums the output branches (one, at full resolution, for "standard").
        at::Tensor out, tmp;
        for (auto& s : dec_steps) {
            switch (s.kind) {
                case Step::AuxUp: out = s.conv->forward(out); break;
                case Step::AuxNorm: tmp = s.norm->forward(x); break;
                case Step::AuxConv:
                    tmp = s.conv->forward(at::silu(tmp));
                    out = out.defined() ? tmp + out : tmp;
                    break;
                case Step::Block:
                    if (x.size(1) != s.block->in_channels) {
                        x = at::cat({x, skips.back()}, 1);
                        skips.pop_back();
                    }
                    x = s.block->forward(x, emb);
                    break;
                default: throw std::logic_error("unet: bad decoder step");
            }
        }
        return out;
    }

private:
    /** One entry of EDM's enc / dec ModuleDict, with what forward does with it. */
    struct Step {
        enum Kind { Conv, Block, AuxDown, AuxSkip, AuxResidual, AuxUp, AuxNorm, AuxConv } kind;
        UNetBlock block{nullptr};
        Conv2d conv{nullptr};
        GroupNorm norm{nullptr};
    };

    int64_t label_dim = 0, augment_dim = 0, noise_channels = 0;
    double label_dropout = 0;
    std::string embedding_type;
    at::Tensor fourier_freqs;
    Linear map_label{nullptr}, map_augment{nullptr}, map_layer0{nullptr}, map_layer1{nullptr};
    std::vector<Step> enc_steps, dec_steps;
};

}  // namespace

std::shared_ptr<NetworkImpl> make_song_unet(Config& config) { return std::make_shared<SongUNetImpl>(config); }

}  // namespace sedm::nn
