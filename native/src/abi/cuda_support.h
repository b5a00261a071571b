// The CUDA-only pieces of the ABI layer. Without SEDM_WITH_CUDA every function here reports
// SEDM_ERR_UNSUPPORTED, so the rest of the layer never needs an #ifdef.
#pragma once

#include "handles.h"

namespace sedm {

/** The stream to queue work on: `stream` if given, else the device's current stream. */
void* cuda_stream_for(const at::Tensor& t, void* stream);

/** Throws SEDM_ERR_CUDA with the launcher's message when code != 0. */
void check_cuda(int code, const char* what);

int32_t cuda_device_count();

/** While alive, makes `stream` (when not NULL and `device` is a CUDA device) the current stream, so
 * libtorch operations queue on it. */
class StreamScope {
public:
    StreamScope(at::Device device, void* stream);
    ~StreamScope();
    StreamScope(const StreamScope&) = delete;
    StreamScope& operator=(const StreamScope&) = delete;

private:
    void* saved_ = nullptr;  // the guard, when one is active
};
void cuda_synchronize(int32_t device_index, void* stream);
void cuda_memory_stats(int32_t device_index, sedm_memory_stats* out);
std::string cuda_device_name(int32_t device_index);

}  // namespace sedm
