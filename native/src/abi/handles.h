// Internal definitions behind the opaque handles of sedm.h, the exception guard and the
// conversions between sedm enums and libtorch types. Never included by users.
#pragma once

#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sedm.h"

struct sedm_tensor {
    at::Tensor t;
};

struct sedm_generator {
    std::vector<uint64_t> seeds;
    uint64_t offset = 0;
};

namespace sedm {

/** An error that carries its sedm_status. Thrown inside libsedm, caught by guard(). */
class Error : public std::runtime_error {
public:
    Error(sedm_status status, std::string message) : std::runtime_error(std::move(message)), status_(status) {}
    sedm_status status() const { return status_; }

private:
    sedm_status status_;
};

[[noreturn]] inline void fail(sedm_status status, const std::string& message) { throw Error(status, message); }

inline void require(bool condition, const std::string& message) {
    if (!condition) fail(SEDM_ERR_INVALID_ARGUMENT, message);
}

/** Records the thread's last error message. */
void set_last_error(const std::string& message);

/** Maps whatever escaped `body` to a status and the thread-local message. Nothing escapes. */
sedm_status translate_current_exception(const char* function);

template <typename Body>
sedm_status guard(const char* function, Body&& body) noexcept {
    try {
        body();
        return SEDM_OK;
    } catch (...) {
        return translate_current_exception(function);
    }
}

/** Live-handle accounting (sedm_live_handles). */
std::atomic<int64_t>& live_handles();

template <typename T>
T* adopt(T* handle) {
    live_handles().fetch_add(1, std::memory_order_relaxed);
    return handle;
}

template <typename T>
void release(T* handle) {
    if (handle == nullptr) return;
    live_handles().fetch_sub(1, std::memory_order_relaxed);
    delete handle;
}

at::ScalarType to_scalar_type(int32_t dtype);
int32_t from_scalar_type(at::ScalarType type);
size_t element_size(int32_t dtype);
at::Device to_device(int32_t device_type, int32_t device_index);
std::vector<int64_t> to_shape(const int64_t* shape, int32_t ndim);
std::string shape_string(at::IntArrayRef shape);
/** The sedm name of a dtype (float32, float64, int64, ...). */
std::string dtype_name(at::ScalarType type);

const at::Tensor& tensor_of(const sedm_tensor* t, const char* name);

/** Whether this build was compiled with CUDA support (SEDM_WITH_CUDA). */
bool cuda_built();
/** Throws SEDM_ERR_UNSUPPORTED unless CUDA device `index` is usable. */
void require_cuda_device(int32_t index);

}  // namespace sedm
