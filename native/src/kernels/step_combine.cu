// The fused solver-step kernel: out = sum_k coef_k[b] * term_k (see kernels.h). CPU twin:
// step_combine_cpu.cpp.
#include "cuda_util.cuh"
#include "kernels.h"

namespace sedm::kernels {
namespace {

template <typename T>
struct Terms {
    const T* p[kMaxTerms];
};

template <typename T>
__global__ void combine_kernel(T* __restrict__ out, Terms<T> terms, int n_terms, const double* __restrict__ coefs,
                               int64_t batch, int64_t per_sample) {
    const int64_t n = batch * per_sample;
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t b = i / per_sample;
        // Same order of operations as the CPU twin; no FMA contraction so both round alike.
        double acc = __dmul_rn(coefs[b], static_cast<double>(terms.p[0][i]));
        for (int k = 1; k < n_terms; ++k) {
            acc = __dadd_rn(acc, __dmul_rn(coefs[k * batch + b], static_cast<double>(terms.p[k][i])));
        }
        out[i] = static_cast<T>(acc);
    }
}

template <typename T>
int launch(void* out, const void* const* terms, int n_terms, const double* coefs, int64_t batch, int64_t per_sample,
           cudaStream_t stream) {
    Terms<T> t{};
    for (int k = 0; k < n_terms; ++k) t.p[k] = static_cast<const T*>(terms[k]);
    void* dev_coefs = nullptr;
    cudaError_t err = upload_async(coefs, sizeof(double) * n_terms * batch, stream, &dev_coefs);
    if (err != cudaSuccess) return err;
    constexpr int kBlock = 256;
    combine_kernel<T><<<grid_for(batch * per_sample, kBlock), kBlock, 0, stream>>>(
        static_cast<T*>(out), t, n_terms, static_cast<const double*>(dev_coefs), batch, per_sample);
    err = cudaGetLastError();
    const cudaError_t free_err = cudaFreeAsync(dev_coefs, stream);
    return err != cudaSuccess ? err : free_err;
}

}  // namespace

int step_combine_cuda(Real real, void* out, const void* const* terms, int n_terms, const double* coefs, int64_t batch,
                      int64_t per_sample, void* stream) {
    auto s = static_cast<cudaStream_t>(stream);
    return real == Real::kFloat32 ? launch<float>(out, terms, n_terms, coefs, batch, per_sample, s)
                                  : launch<double>(out, terms, n_terms, coefs, batch, per_sample, s);
}

const char* cuda_error_string(int code) { return cudaGetErrorString(static_cast<cudaError_t>(code)); }

}  // namespace sedm::kernels
