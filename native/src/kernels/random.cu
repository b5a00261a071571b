// Per-sample counter-based draws (philox.h). CPU twin: random_cpu.cpp.
#include "cuda_util.cuh"
#include "kernels.h"
#include "philox.h"

namespace sedm::kernels {
namespace {

template <typename T>
__global__ void fill_kernel(T* __restrict__ out, const uint64_t* __restrict__ seeds, uint64_t offset, int64_t batch,
                            int64_t per_sample, bool normal) {
    const int64_t n = batch * per_sample;
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t b = i / per_sample;
        const int64_t j = i - b * per_sample;
        const double v = normal ? Draw::normal(seeds[b], offset, j) : Draw::uniform(seeds[b], offset, j);
        out[i] = static_cast<T>(v);
    }
}

template <typename T>
int launch(void* out, const uint64_t* seeds, uint64_t offset, int64_t batch, int64_t per_sample, bool normal,
           cudaStream_t stream) {
    void* dev_seeds = nullptr;
    cudaError_t err = upload_async(seeds, sizeof(uint64_t) * batch, stream, &dev_seeds);
    if (err != cudaSuccess) return err;
    constexpr int kBlock = 256;
    fill_kernel<T><<<grid_for(batch * per_sample, kBlock), kBlock, 0, stream>>>(
        static_cast<T*>(out), static_cast<const uint64_t*>(dev_seeds), offset, batch, per_sample, normal);
    err = cudaGetLastError();
    const cudaError_t free_err = cudaFreeAsync(dev_seeds, stream);
    return err != cudaSuccess ? err : free_err;
}

}  // namespace

int random_fill_cuda(Real real, void* out, const uint64_t* seeds, uint64_t offset, int64_t batch, int64_t per_sample,
                     bool normal, void* stream) {
    auto s = static_cast<cudaStream_t>(stream);
    return real == Real::kFloat32 ? launch<float>(out, seeds, offset, batch, per_sample, normal, s)
                                  : launch<double>(out, seeds, offset, batch, per_sample, normal, s);
}

}  // namespace sedm::kernels
