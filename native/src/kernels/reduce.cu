// Per-sample sum of squares, one thread block per sample. CPU twin: reduce_cpu.cpp.
#include "cuda_util.cuh"
#include "kernels.h"

namespace sedm::kernels {
namespace {

constexpr int kBlock = 256;

template <typename T>
__global__ void sum_squares_kernel(const T* __restrict__ x, double* __restrict__ out, int64_t per_sample) {
    __shared__ double partial[kBlock];
    const T* src = x + blockIdx.x * per_sample;
    double acc = 0.0;
    for (int64_t j = threadIdx.x; j < per_sample; j += kBlock) {
        const double v = static_cast<double>(src[j]);
        acc += v * v;
    }
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int stride = kBlock / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = partial[0];
}

template <typename T>
int launch(const void* x, double* out, int64_t batch, int64_t per_sample, cudaStream_t stream) {
    void* dev_out = nullptr;
    cudaError_t err = cudaMallocAsync(&dev_out, sizeof(double) * batch, stream);
    if (err != cudaSuccess) return err;
    sum_squares_kernel<T><<<static_cast<unsigned>(batch), kBlock, 0, stream>>>(
        static_cast<const T*>(x), static_cast<double*>(dev_out), per_sample);
    err = cudaGetLastError();
    if (err == cudaSuccess) {
        err = cudaMemcpyAsync(out, dev_out, sizeof(double) * batch, cudaMemcpyDeviceToHost, stream);
    }
    const cudaError_t free_err = cudaFreeAsync(dev_out, stream);
    if (err == cudaSuccess) err = free_err;
    if (err == cudaSuccess) err = cudaStreamSynchronize(stream);
    return err;
}

}  // namespace

int sum_squares_cuda(Real real, const void* x, double* out, int64_t batch, int64_t per_sample, void* stream) {
    auto s = static_cast<cudaStream_t>(stream);
    return real == Real::kFloat32 ? launch<float>(x, out, batch, per_sample, s)
                                  : launch<double>(x, out, batch, per_sample, s);
}

}  // namespace sedm::kernels
