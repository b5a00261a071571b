// CPU twin of random.cu.
#include <cmath>

#include "kernels.h"
#include "philox.h"

namespace sedm::kernels {
namespace {

template <typename T>
void fill(T* out, const uint64_t* seeds, uint64_t offset, int64_t batch, int64_t per_sample, bool normal) {
#pragma omp parallel for schedule(static) if (batch * per_sample >= kCpuParallelThreshold && batch > 1)
    for (int64_t b = 0; b < batch; ++b) {
        T* dst = out + b * per_sample;
        for (int64_t j = 0; j < per_sample; ++j) {
            const double v = normal ? Draw::normal(seeds[b], offset, j) : Draw::uniform(seeds[b], offset, j);
            dst[j] = static_cast<T>(v);
        }
    }
}

}  // namespace

void random_fill_cpu(Real real, void* out, const uint64_t* seeds, uint64_t offset, int64_t batch, int64_t per_sample,
                     bool normal) {
    if (real == Real::kFloat32) {
        fill(static_cast<float*>(out), seeds, offset, batch, per_sample, normal);
    } else {
        fill(static_cast<double*>(out), seeds, offset, batch, per_sample, normal);
    }
}

}  // namespace sedm::kernels
