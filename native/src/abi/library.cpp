// Library-level entry points: version, build info, devices, synchronisation, memory.
#include <cstring>

#include <ATen/Parallel.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cuda_support.h"
#include "handles.h"

namespace {

std::string make_build_info() {
    std::string info = "libsedm abi " + std::to_string(SEDM_ABI_VERSION) + ", libtorch " + TORCH_VERSION;
    info += sedm::cuda_built() ? ", CUDA build" : ", CPU build";
    return info;
}

}  // namespace

extern "C" {

int32_t sedm_abi_version(void) { return SEDM_ABI_VERSION; }

const char* sedm_build_info(void) {
    static const std::string info = make_build_info();
    return info.c_str();
}

sedm_status sedm_cuda_device_count(int32_t* out_count) {
    return sedm::guard(__func__, [&] {
        sedm::require(out_count != nullptr, "out_count is NULL");
        *out_count = sedm::cuda_device_count();
    });
}

sedm_status sedm_live_handles(int64_t* out_count) {
    return sedm::guard(__func__, [&] {
        sedm::require(out_count != nullptr, "out_count is NULL");
        *out_count = sedm::live_handles().load();
    });
}

sedm_status sedm_set_num_threads(int32_t n) {
    return sedm::guard(__func__, [&] {
        sedm::require(n >= 1, "n must be >= 1, got " + std::to_string(n));
        at::set_num_threads(n);
#ifdef _OPENMP
        omp_set_num_threads(n);  // the CPU kernels' own parallel regions
#endif
    });
}

sedm_status sedm_get_num_threads(int32_t* out) {
    return sedm::guard(__func__, [&] {
        sedm::require(out != nullptr, "out is NULL");
        *out = static_cast<int32_t>(at::get_num_threads());
    });
}

sedm_status sedm_synchronize(int32_t device_type, int32_t device_index, void* stream) {
    return sedm::guard(__func__, [&] {
        if (device_type == SEDM_DEVICE_CPU) return;
        sedm::require(device_type == SEDM_DEVICE_CUDA, "unknown device type code " + std::to_string(device_type));
        sedm::cuda_synchronize(device_index, stream);
    });
}

sedm_status sedm_memory_stats_get(int32_t device_type, int32_t device_index, sedm_memory_stats* out) {
    return sedm::guard(__func__, [&] {
        sedm::require(out != nullptr, "out is NULL");
        sedm::require(out->version == 1, "sedm_memory_stats.version must be 1, got " + std::to_string(out->version));
        out->allocated_bytes = out->reserved_bytes = out->peak_allocated_bytes = 0;
        out->device_free_bytes = out->device_total_bytes = -1;
        if (device_type == SEDM_DEVICE_CPU) return;
        sedm::require(device_type == SEDM_DEVICE_CUDA, "unknown device type code " + std::to_string(device_type));
        sedm::cuda_memory_stats(device_index, out);
    });
}

sedm_status sedm_device_name(int32_t device_type, int32_t device_index, char* buf, int64_t cap) {
    return sedm::guard(__func__, [&] {
        sedm::require(buf != nullptr && cap > 0, "buf is NULL or cap <= 0");
        std::string name;
        if (device_type == SEDM_DEVICE_CPU) {
            name = "cpu";
        } else {
            sedm::require(device_type == SEDM_DEVICE_CUDA, "unknown device type code " + std::to_string(device_type));
            name = sedm::cuda_device_name(device_index);
        }
        const size_t n = std::min(name.size(), static_cast<size_t>(cap - 1));
        std::memcpy(buf, name.data(), n);
        buf[n] = '\0';
    });
}

}  // extern "C"
