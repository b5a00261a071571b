// CPU twin of step_combine.cu.
#include "kernels.h"

namespace sedm::kernels {
namespace {

template <typename T>
void combine(T* out, const T* const* terms, int n_terms, const double* coefs, int64_t batch, int64_t per_sample) {
#pragma omp parallel for schedule(static) if (batch * per_sample >= kCpuParallelThreshold && batch > 1)
    for (int64_t b = 0; b < batch; ++b) {
        double c[kMaxTerms];
        const T* src[kMaxTerms];
        for (int k = 0; k < n_terms; ++k) {
            c[k] = coefs[k * batch + b];
            src[k] = terms[k] + b * per_sample;
        }
        T* dst = out + b * per_sample;
        for (int64_t j = 0; j < per_sample; ++j) {
            double acc = c[0] * static_cast<double>(src[0][j]);
            for (int k = 1; k < n_terms; ++k) acc += c[k] * static_cast<double>(src[k][j]);
            dst[j] = static_cast<T>(acc);
        }
    }
}

}  // namespace

void step_combine_cpu(Real real, void* out, const void* const* terms, int n_terms, const double* coefs, int64_t batch,
                      int64_t per_sample) {
    if (real == Real::kFloat32) {
        combine(static_cast<float*>(out), reinterpret_cast<const float* const*>(terms), n_terms, coefs, batch,
                per_sample);
    } else {
        combine(static_cast<double*>(out), reinterpret_cast<const double* const*>(terms), n_terms, coefs, batch,
                per_sample);
    }
}

}  // namespace sedm::kernels
