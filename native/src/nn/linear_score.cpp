// An affine network F(x) = W x + b over the flattened sample (noise labels ignored): the exact
// score of a Gaussian, -Σ⁻¹(x - μ), is of this form, so the score-matching objectives have
// closed forms for it (docs/ALGORITHMS.md §17).
#include <stdexcept>

#include "network.h"

namespace sedm::nn {
namespace {

class LinearScoreImpl : public NetworkImpl {
public:
    explicit LinearScoreImpl(Config& c) {
        const int64_t in_features = c.integer("in_features");
        if (in_features < 1) throw std::invalid_argument("linear: in_features must be positive");
        fc = register_module("fc", Linear(in_features, in_features, true, Init{InitMode::XavierUniform, 1.0, 0.0}));
    }

    at::Tensor forward(const at::Tensor& x, const at::Tensor&, const at::Tensor&, const at::Tensor&) override {
        return fc->forward(x.reshape({x.size(0), -1})).reshape(x.sizes());
    }

private:
    Linear fc{nullptr};
};

}  // namespace

std::shared_ptr<NetworkImpl> make_linear_score(Config& config) { return std::make_shared<LinearScoreImpl>(config); }

}  // namespace sedm::nn
