// Small helpers shared by the .cu launchers (no libtorch).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace sedm::kernels {

/** Grid size for a grid-stride loop over n elements. */
inline int grid_for(int64_t n, int block) {
    const int64_t blocks = (n + block - 1) / block;
    return static_cast<int>(blocks < 65535 * 8 ? (blocks > 0 ? blocks : 1) : 65535 * 8);
}

/** Copies `bytes` of host memory into a stream-ordered device buffer (freed by the caller with
 * cudaFreeAsync on the same stream). */
inline cudaError_t upload_async(const void* host, size_t bytes, cudaStream_t stream, void** dev) {
    cudaError_t err = cudaMallocAsync(dev, bytes, stream);
    if (err != cudaSuccess) return err;
    err = cudaMemcpyAsync(*dev, host, bytes, cudaMemcpyHostToDevice, stream);
    if (err != cudaSuccess) cudaFreeAsync(*dev, stream);
    return err;
}

}  // namespace sedm::kernels
