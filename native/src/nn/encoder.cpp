// ADM's EncoderUNetModel (Dhariwal & Nichol 2021, "Diffusion Models Beat GANs on Image
// Synthesis", openai/guided-diffusion unet.py) in the configurations Discriminator Guidance uses
// (Kim et al. 2023, alsdudrla10/DG classifier_lib.py): the noise-aware classifier trunk that
// maps (x_τ, τ) to an 8×8 feature map, and the discriminator head on those features with its
// attention-pool output. docs/ALGORITHMS.md §7.4. Parameter names follow the reference
// (time_embed.0.weight, input_blocks.1.0.in_layers.0.weight, middle_block.1.qkv.weight, out.2.c_proj.weight).
#include <cmath>
#include <stdexcept>

#include "network.h"

namespace sedm::nn {
namespace {

const Init kTorch{InitMode::TorchDefault, 1.0, 0.0};
const Init kZero{InitMode::TorchDefault, 0.0, 0.0};

GroupNorm norm32(int64_t channels) { return GroupNorm(channels, 32, 1, 1e-5, true); }

// guided_diffusion builds its layers from torch.nn (nn.Linear, nn.Conv2d), whose float32 results
// differ in the last bits from EDM's (bias added after the product) that layers.cpp reproduces:
// these two run torch.nn's operations (bias fused into addmm / the convolution), so that an
// imported DG classifier gives DG's logits and gradients bit for bit on the same libtorch. The
// parameters, their names and their initialisation are those of layers.cpp's Linear / Conv2d.

/** torch.nn.Linear: F.linear(x, W, b). */
class DgLinearImpl : public torch::nn::Module {
public:
    DgLinearImpl(int64_t in, int64_t out, Init init) {
        weight = register_parameter("weight", weight_init({out, in}, init.mode, in, out) * init.weight);
        bias = register_parameter("bias", weight_init({out}, init.mode, in, out) * init.weight);
    }
    at::Tensor forward(const at::Tensor& x) {
        return at::linear(x, weight.to(x.scalar_type()), bias.to(x.scalar_type()));
    }
    at::Tensor weight, bias;
};
TORCH_MODULE(DgLinear);

/** torch.nn.Conv2d(k, stride, padding k/2): F.conv2d(x, W, b, stride, padding). */
class DgConv2dImpl : public torch::nn::Module {
public:
    DgConv2dImpl(int64_t in, int64_t out, int64_t kernel, Init init, int64_t stride_ = 1) : stride(stride_) {
        const int64_t fan_in = in * kernel * kernel, fan_out = out * kernel * kernel;
        weight = register_parameter("weight",
                                    weight_init({out, in, kernel, kernel}, init.mode, fan_in, fan_out) * init.weight);
        bias = register_parameter("bias", weight_init({out}, init.mode, fan_in, fan_out) * init.weight);
    }
    at::Tensor forward(const at::Tensor& x) {
        const int64_t pad = weight.size(-1) / 2;
        return at::conv2d(x, weight, bias, {stride, stride}, {pad, pad});
    }
    int64_t stride;
    at::Tensor weight, bias;
};
TORCH_MODULE(DgConv2d);

/** One layer of a TimestepEmbedSequential. */
class EmbLayerImpl : public torch::nn::Module {
public:
    virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& emb) = 0;
};

/** The stem convolution (registered directly so its names are "input_blocks.0.0.weight"). */
class StemImpl : public EmbLayerImpl {
public:
    StemImpl(int64_t in, int64_t out) {
        weight = register_parameter("weight", weight_init({out, in, 3, 3}, InitMode::TorchDefault, in * 9, out * 9));
        bias = register_parameter("bias", weight_init({out}, InitMode::TorchDefault, in * 9, out * 9));
    }
    at::Tensor forward(const at::Tensor& x, const at::Tensor&) override {
        return at::conv2d(x, weight, bias, {1, 1}, {1, 1});
    }
    at::Tensor weight, bias;
};

/** ADM Downsample (conv_resample): a stride-2 3×3 convolution "op". */
class DownsampleImpl : public EmbLayerImpl {
public:
    explicit DownsampleImpl(int64_t channels) {
        op = register_module("op", DgConv2d(channels, channels, 3, kTorch, 2));
    }
    at::Tensor forward(const at::Tensor& x, const at::Tensor&) override { return op->forward(x); }
    DgConv2d op{nullptr};
};

/** ADM ResBlock: GN → SiLU → [2×2 average pool] → conv3×3; emb → (scale, shift) or bias;
 * GN(h)·(1 + scale) + shift → SiLU → dropout → conv3×3 (zero init); plus skip (1×1 conv when the
 * width changes). */
class ResBlockImpl : public EmbLayerImpl {
public:
    ResBlockImpl(int64_t ch, int64_t emb_channels, int64_t out, double dropout_, bool scale_shift_, bool down_)
        : dropout(dropout_), scale_shift(scale_shift_), down(down_) {
        auto in_layers = register_module("in_layers", holder());
        in_norm = in_layers->register_module("0", norm32(ch));
        in_conv = in_layers->register_module("2", DgConv2d(ch, out, 3, kTorch));
        auto emb_layers = register_module("emb_layers", holder());
        emb_linear = emb_layers->register_module("1", DgLinear(emb_channels, scale_shift ? 2 * out : out, kTorch));
        auto out_layers = register_module("out_layers", holder());
        out_norm = out_layers->register_module("0", norm32(out));
        out_conv = out_layers->register_module("3", DgConv2d(out, out, 3, kZero));
        if (out != ch) skip = register_module("skip_connection", DgConv2d(ch, out, 1, kTorch));
    }

    at::Tensor forward(const at::Tensor& input, const at::Tensor& emb) override {
        at::Tensor x = input;
        at::Tensor h = at::silu(in_norm->forward(x));
        if (down) {
            h = at::avg_pool2d(h, {2, 2});
            x = at::avg_pool2d(x, {2, 2});
        }
        h = in_conv->forward(h);
        at::Tensor e = emb_linear->forward(at::silu(emb)).to(h.scalar_type()).unsqueeze(2).unsqueeze(3);
        if (scale_shift) {
            auto parts = e.chunk(2, 1);
            h = out_norm->forward(h) * (1 + parts[0]) + parts[1];
        } else {
            h = out_norm->forward(h + e);
        }
        h = out_conv->forward(at::dropout(at::silu(h), dropout, is_training()));
        return (skip ? skip->forward(x) : x) + h;
    }

    double dropout;
    bool scale_shift, down;
    GroupNorm in_norm{nullptr}, out_norm{nullptr};
    DgConv2d in_conv{nullptr}, out_conv{nullptr}, skip{nullptr};
    DgLinear emb_linear{nullptr};
};

/** softmax(qᵀk/√ch)-weighted sum of v, per head: q, k, v are [N, ch, T]; returns [N, ch, T].
 * guided_diffusion QKVAttention(Legacy): 1/√√ch on q and on k before the product, the same two
 * einsums, the softmax in float32 (float64 for float64 inputs). */
at::Tensor qkv_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    const double scale = 1.0 / std::sqrt(std::sqrt(static_cast<double>(q.size(1))));
    at::Tensor w = at::einsum("bct,bcs->bts", {q * scale, k * scale});
    w = w.to(attention_dtype(q)).softmax(-1).to(w.scalar_type());
    return at::einsum("bts,bcs->bct", {w, v});
}

/** ADM AttentionBlock: x + proj_out(attention(qkv(GN(x)))), heads of `head_channels` channels.
 * Legacy order splits heads first (per head a [q|k|v] slab); the new order splits q|k|v first. */
class AttentionBlockImpl : public EmbLayerImpl {
public:
    AttentionBlockImpl(int64_t channels, int64_t heads_, bool legacy_) : heads(heads_), legacy(legacy_) {
        norm = register_module("norm", norm32(channels));
        qkv = register_module("qkv", Conv1d(channels, 3 * channels, kTorch));
        proj_out = register_module("proj_out", Conv1d(channels, channels, kZero));
    }

    at::Tensor forward(const at::Tensor& input, const at::Tensor&) override {
        const auto B = input.size(0), C = input.size(1);
        at::Tensor x = input.reshape({B, C, -1});
        const auto T = x.size(2);
        at::Tensor t = qkv->forward(norm->forward(x));
        const int64_t ch = C / heads;
        at::Tensor q, k, v;
        if (legacy) {
            auto parts = t.reshape({B * heads, 3 * ch, T}).split(ch, 1);
            q = parts[0], k = parts[1], v = parts[2];
        } else {
            auto parts = t.chunk(3, 1);
            q = parts[0].reshape({B * heads, ch, T}), k = parts[1].reshape({B * heads, ch, T}),
            v = parts[2].reshape({B * heads, ch, T});
        }
        at::Tensor h = proj_out->forward(qkv_attention(q, k, v).reshape({B, C, T}));
        return (x + h).reshape(input.sizes());
    }

    int64_t heads;
    bool legacy;
    GroupNorm norm{nullptr};
    Conv1d qkv{nullptr}, proj_out{nullptr};
};

/** CLIP-style attention pooling (ADM AttentionPool2d): mean token prepended, learned positional
 * embedding, new-order multi-head attention, projection; token 0 is the output. */
class AttentionPoolImpl : public torch::nn::Module {
public:
    AttentionPoolImpl(int64_t spatial, int64_t channels, int64_t head_channels, int64_t out) {
        positional_embedding = register_parameter("positional_embedding", at::randn({channels, spatial * spatial + 1}) /
                                                                              std::sqrt(static_cast<double>(channels)));
        qkv_proj = register_module("qkv_proj", Conv1d(channels, 3 * channels, kTorch));
        c_proj = register_module("c_proj", Conv1d(channels, out, kTorch));
        heads = std::max<int64_t>(1, channels / head_channels);
    }

    at::Tensor forward(const at::Tensor& input) {
        const auto B = input.size(0), C = input.size(1);
        at::Tensor x = input.reshape({B, C, -1});
        x = at::cat({x.mean(-1, true), x}, -1) + positional_embedding.unsqueeze(0).to(x.scalar_type());
        at::Tensor t = qkv_proj->forward(x);
        const auto T = x.size(2);
        const int64_t ch = C / heads;
        auto parts = t.chunk(3, 1);
        at::Tensor a = qkv_attention(parts[0].reshape({B * heads, ch, T}), parts[1].reshape({B * heads, ch, T}),
                                     parts[2].reshape({B * heads, ch, T}));
        return c_proj->forward(a.reshape({B, C, T})).select(2, 0);
    }

    at::Tensor positional_embedding;
    Conv1d qkv_proj{nullptr}, c_proj{nullptr};
    int64_t heads = 1;
};
TORCH_MODULE(AttentionPool);

/** An ordered group of layers addressed "0", "1", ... (TimestepEmbedSequential). */
struct Step {
    std::shared_ptr<torch::nn::Module> module;
    std::vector<std::shared_ptr<EmbLayerImpl>> layers;
    void add(std::shared_ptr<EmbLayerImpl> layer) {
        module->register_module(std::to_string(layers.size()), layer);
        layers.push_back(std::move(layer));
    }
    at::Tensor forward(at::Tensor h, const at::Tensor& emb) const {
        for (const auto& layer : layers) h = layer->forward(h, emb);
        return h;
    }
};

class AdmEncoderImpl : public NetworkImpl {
public:
    AdmEncoderImpl(Config& c, const std::string& kind) {
        const int64_t image_size = c.integer("img_resolution");
        const int64_t in_channels = c.integer("in_channels");
        model_channels = c.integer("model_channels");
        const auto channel_mult = c.integers("channel_mult");
        const int64_t num_res_blocks = c.integer("num_res_blocks");
        const auto attn_resolutions = c.integers("attn_resolutions");
        const int64_t head_channels = c.integer("num_head_channels");
        const bool scale_shift = c.flag("use_scale_shift_norm");
        const bool resblock_updown = c.flag("resblock_updown");
        const bool legacy = c.flag("legacy_attention");
        const double dropout = c.real("dropout");
        time_scale = c.real("time_scale");
        const std::string pool = c.text("pool");
        const int64_t out_channels = pool == "none" ? 0 : c.integer("out_channels");
        num_classes = c.integer("num_classes");
        if (image_size < 1 || in_channels < 1 || model_channels < 2 || num_res_blocks < 1 || channel_mult.empty() ||
            head_channels < 1 || num_classes < 0)
            throw std::invalid_argument(kind + ": sizes must be positive");
        if (image_size % (int64_t{1} << (channel_mult.size() - 1)) != 0)
            throw std::invalid_argument(kind + ": img_resolution must be divisible by 2^(levels-1)");
        if (pool != "none" && pool != "attention")
            throw std::invalid_argument(kind + ": pool must be none or attention");
        if (!(dropout >= 0 && dropout < 1)) throw std::invalid_argument(kind + ": dropout must be in [0, 1)");

        auto heads_for = [&](int64_t ch) {
            if (ch >= head_channels && ch % head_channels != 0)
                throw std::invalid_argument(kind + ": width " + std::to_string(ch) +
                                            " is not a multiple of num_head_channels");
            return std::max<int64_t>(1, ch / head_channels);
        };
        auto contains = [](const std::vector<int64_t>& v, int64_t x) {
            for (int64_t e : v)
                if (e == x) return true;
            return false;
        };

        const int64_t emb_dim = model_channels * 4;
        auto time_embed = register_module("time_embed", holder());
        time_embed0 = time_embed->register_module("0", DgLinear(model_channels, emb_dim, kTorch));
        time_embed2 = time_embed->register_module("2", DgLinear(emb_dim, emb_dim, kTorch));
        // DG's conditional discriminator (guided_diffusion/unet.py EncoderUNetModel, condition=True):
        // nn.Embedding(num_class, time_embed_dim) added to the time embedding; N(0, 1) init as torch's.
        if (num_classes > 0)
            label_emb =
                register_module("label_emb", holder())->register_parameter("weight", at::randn({num_classes, emb_dim}));

        auto input_blocks = register_module("input_blocks", holder());
        auto new_step = [&] {
            Step s{holder(), {}};
            input_blocks->register_module(std::to_string(steps.size()), s.module);
            steps.push_back(s);
            return steps.size() - 1;
        };
        int64_t ch = channel_mult[0] * model_channels;
        steps.reserve(64);
        steps[new_step()].add(std::make_shared<StemImpl>(in_channels, ch));
        int64_t ds = 1;
        for (size_t level = 0; level < channel_mult.size(); ++level) {
            for (int64_t i = 0; i < num_res_blocks; ++i) {
                const size_t s = new_step();
                const int64_t out = channel_mult[level] * model_channels;
                steps[s].add(std::make_shared<ResBlockImpl>(ch, emb_dim, out, dropout, scale_shift, false));
                ch = out;
                if (contains(attn_resolutions, image_size / ds))
                    steps[s].add(std::make_shared<AttentionBlockImpl>(ch, heads_for(ch), legacy));
            }
            if (level + 1 != channel_mult.size()) {
                const size_t s = new_step();
                if (resblock_updown)
                    steps[s].add(std::make_shared<ResBlockImpl>(ch, emb_dim, ch, dropout, scale_shift, true));
                else
                    steps[s].add(std::make_shared<DownsampleImpl>(ch));
                ds *= 2;
            }
        }
        middle = Step{register_module("middle_block", holder()), {}};
        middle.add(std::make_shared<ResBlockImpl>(ch, emb_dim, ch, dropout, scale_shift, false));
        middle.add(std::make_shared<AttentionBlockImpl>(ch, heads_for(ch), legacy));
        middle.add(std::make_shared<ResBlockImpl>(ch, emb_dim, ch, dropout, scale_shift, false));

        if (pool == "attention") {
            heads_for(ch);
            auto out = register_module("out", holder());
            out_norm = out->register_module("0", norm32(ch));
            out_pool = out->register_module("2", AttentionPool(image_size / ds, ch, head_channels, out_channels));
        }
    }

    at::Tensor forward(const at::Tensor& x, const at::Tensor& noise_labels, const at::Tensor& class_labels,
                       const at::Tensor&) override {
        at::Tensor emb = timestep_embedding(noise_labels * time_scale, model_channels, 10000.0);
        emb = time_embed2->forward(at::silu(time_embed0->forward(emb)));
        if (num_classes > 0) {
            // EncoderUNetModel.forward: emb += label_emb(argmax(condition, 1)) for one-hot labels.
            if (!class_labels.defined() || class_labels.dim() != 2 || class_labels.size(0) != x.size(0))
                throw std::invalid_argument("encoder: class_labels [B, label_dim] are required (num_classes = " +
                                            std::to_string(num_classes) + ")");
            if (class_labels.size(1) > num_classes)
                throw std::invalid_argument("encoder: class_labels have " + std::to_string(class_labels.size(1)) +
                                            " classes, the label embedding " + std::to_string(num_classes));
            emb = emb + label_emb.index_select(0, class_labels.argmax(1).to(at::kLong)).to(emb.scalar_type());
        }
        at::Tensor h = x;
        for (const auto& s : steps) h = s.forward(h, emb);
        h = middle.forward(h, emb);
        if (out_pool) h = out_pool->forward(at::silu(out_norm->forward(h)));
        return h;
    }

private:
    int64_t model_channels = 0, num_classes = 0;
    double time_scale = 999.0;
    at::Tensor label_emb;
    DgLinear time_embed0{nullptr}, time_embed2{nullptr};
    std::vector<Step> steps;
    Step middle;
    GroupNorm out_norm{nullptr};
    AttentionPool out_pool{nullptr};
};

}  // namespace

std::shared_ptr<NetworkImpl> make_adm_encoder(Config& config, const std::string& kind) {
    return std::make_shared<AdmEncoderImpl>(config, kind);
}

}  // namespace sedm::nn
