#include "cuda_support.h"

#ifdef SEDM_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime.h>

#include "../kernels/kernels.h"
#endif

namespace sedm {

bool cuda_built() {
#ifdef SEDM_WITH_CUDA
    return true;
#else
    return false;
#endif
}

#ifdef SEDM_WITH_CUDA

int32_t cuda_device_count() {
    return torch::cuda::is_available() ? static_cast<int32_t>(torch::cuda::device_count()) : 0;
}

void require_cuda_device(int32_t index) {
    const int32_t count = cuda_device_count();
    if (count == 0) fail(SEDM_ERR_UNSUPPORTED, "no CUDA device is visible to this process");
    require(index >= 0 && index < count,
            "CUDA device index must be in [0, " + std::to_string(count - 1) + "], got " + std::to_string(index));
}

void* cuda_stream_for(const at::Tensor& t, void* stream) {
    if (stream != nullptr) return stream;
    return at::cuda::getCurrentCUDAStream(t.device().index()).stream();
}

void check_cuda(int code, const char* what) {
    if (code != 0)
        fail(SEDM_ERR_CUDA, std::string(what) + ": CUDA error " + std::to_string(code) + " (" +
                                kernels::cuda_error_string(code) + ")");
}

StreamScope::StreamScope(at::Device device, void* stream) {
    if (stream == nullptr || !device.is_cuda()) return;
    saved_ = new c10::cuda::CUDAStreamGuard(
        c10::cuda::getStreamFromExternal(static_cast<cudaStream_t>(stream), device.index()));
}

StreamScope::~StreamScope() { delete static_cast<c10::cuda::CUDAStreamGuard*>(saved_); }

void cuda_synchronize(int32_t device_index, void* stream) {
    require_cuda_device(device_index);
    c10::cuda::CUDAGuard device_guard(static_cast<c10::DeviceIndex>(device_index));
    cudaStream_t s =
        stream != nullptr ? static_cast<cudaStream_t>(stream) : at::cuda::getCurrentCUDAStream(device_index).stream();
    check_cuda(static_cast<int>(cudaStreamSynchronize(s)), "cudaStreamSynchronize");
}

void cuda_memory_stats(int32_t device_index, sedm_memory_stats* out) {
    require_cuda_device(device_index);
    c10::cuda::CUDAGuard device_guard(static_cast<c10::DeviceIndex>(device_index));
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device_index));
    const auto all = static_cast<size_t>(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE);
    out->allocated_bytes = stats.allocated_bytes[all].current;
    out->reserved_bytes = stats.reserved_bytes[all].current;
    out->peak_allocated_bytes = stats.allocated_bytes[all].peak;
    size_t free_bytes = 0, total_bytes = 0;
    check_cuda(static_cast<int>(cudaMemGetInfo(&free_bytes, &total_bytes)), "cudaMemGetInfo");
    out->device_free_bytes = static_cast<int64_t>(free_bytes);
    out->device_total_bytes = static_cast<int64_t>(total_bytes);
}

std::string cuda_device_name(int32_t device_index) {
    require_cuda_device(device_index);
    cudaDeviceProp prop{};
    check_cuda(static_cast<int>(cudaGetDeviceProperties(&prop, device_index)), "cudaGetDeviceProperties");
    return prop.name;
}

#else

namespace {
[[noreturn]] void no_cuda() {
    fail(SEDM_ERR_UNSUPPORTED, "this libsedm was built without CUDA (CPU libtorch); rebuild against a CUDA libtorch");
}
}  // namespace

int32_t cuda_device_count() { return 0; }
StreamScope::StreamScope(at::Device, void*) {}
StreamScope::~StreamScope() = default;
void require_cuda_device(int32_t) { no_cuda(); }
void* cuda_stream_for(const at::Tensor&, void*) { no_cuda(); }
void check_cuda(int code, const char* what) {
    if (code != 0) fail(SEDM_ERR_CUDA, std::string(what) + ": CUDA error " + std::to_string(code));
}
void cuda_synchronize(int32_t, void*) { no_cuda(); }
void cuda_memory_stats(int32_t, sedm_memory_stats*) { no_cuda(); }
std::string cuda_device_name(int32_t) { no_cuda(); }

#endif

}  // namespace sedm
