// CPU twin of reduce.cu.
#include "kernels.h"

namespace sedm::kernels {
namespace {

template <typename T>
void sum_squares(const T* x, double* out, int64_t batch, int64_t per_sample) {
#pragma omp parallel for schedule(static) if (batch * per_sample >= kCpuParallelThreshold && batch > 1)
    for (int64_t b = 0; b < batch; ++b) {
        const T* src = x + b * per_sample;
        double acc = 0.0;
        for (int64_t j = 0; j < per_sample; ++j) {
            const double v = static_cast<double>(src[j]);
            acc += v * v;
        }
        out[b] = acc;
    }
}

}  // namespace

void sum_squares_cpu(Real real, const void* x, double* out, int64_t batch, int64_t per_sample) {
    if (real == Real::kFloat32) {
        sum_squares(static_cast<const float*>(x), out, batch, per_sample);
    } else {
        sum_squares(static_cast<const double*>(x), out, batch, per_sample);
    }
}

}  // namespace sedm::kernels
