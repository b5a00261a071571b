// The one exception guard, the thread-local error slot and the enum conversions.
#include <new>

#include <nlohmann/json.hpp>

#include "handles.h"

namespace sedm {
namespace {

thread_local std::string g_last_error;

std::string first_line(const std::string& text) {
    // c10::Error::what() appends a C++ backtrace; the first lines are the message.
    const auto cut = text.find("\nException raised from");
    return cut == std::string::npos ? text : text.substr(0, cut);
}

}  // namespace

void set_last_error(const std::string& message) { g_last_error = message; }

const char* last_error() { return g_last_error.c_str(); }

sedm_status translate_current_exception(const char* function) {
    const std::string where = std::string(function) + ": ";
    try {
        throw;
    } catch (const Error& e) {
        set_last_error(where + e.what());
        return e.status();
    } catch (const c10::OutOfMemoryError& e) {
        set_last_error(where + "out of memory: " + first_line(e.what_without_backtrace()));
        return SEDM_ERR_OUT_OF_MEMORY;
    } catch (const c10::Error& e) {
        const std::string msg = first_line(e.what_without_backtrace());
        if (msg.find("CUDA out of memory") != std::string::npos ||
            msg.find("DefaultCPUAllocator: can't allocate memory") != std::string::npos ||
            msg.find("DefaultCPUAllocator: not enough memory") != std::string::npos) {
            set_last_error(where + "out of memory: " + msg);
            return SEDM_ERR_OUT_OF_MEMORY;
        }
        if (msg.find("CUDA error") != std::string::npos) {
            set_last_error(where + msg);
            return SEDM_ERR_CUDA;
        }
        set_last_error(where + "libtorch: " + msg);
        return SEDM_ERR_TORCH;
    } catch (const nlohmann::json::exception& e) {
        // Call sites catch their own parse errors with context; this is the backstop, so that no
        // JSON exception becomes an "internal error" nor crosses the ABI.
        set_last_error(where + "invalid JSON: " + e.what());
        return SEDM_ERR_INVALID_ARGUMENT;
    } catch (const std::bad_alloc&) {
        set_last_error(where + "out of host memory");
        return SEDM_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(where + "internal error: " + e.what());
        return SEDM_ERR_INTERNAL;
    } catch (...) {
        set_last_error(where + "internal error: unknown exception");
        return SEDM_ERR_INTERNAL;
    }
}

std::atomic<int64_t>& live_handles() {
    static std::atomic<int64_t> count{0};
    return count;
}

at::ScalarType to_scalar_type(int32_t dtype) {
    switch (dtype) {
        case SEDM_DTYPE_FLOAT32: return at::kFloat;
        case SEDM_DTYPE_FLOAT64: return at::kDouble;
        case SEDM_DTYPE_INT64: return at::kLong;
        case SEDM_DTYPE_INT32: return at::kInt;
        case SEDM_DTYPE_UINT8: return at::kByte;
        case SEDM_DTYPE_BFLOAT16: return at::kBFloat16;
        case SEDM_DTYPE_FLOAT16: return at::kHalf;
        default: fail(SEDM_ERR_INVALID_ARGUMENT, "unknown dtype code " + std::to_string(dtype));
    }
}

int32_t from_scalar_type(at::ScalarType type) {
    switch (type) {
        case at::kFloat: return SEDM_DTYPE_FLOAT32;
        case at::kDouble: return SEDM_DTYPE_FLOAT64;
        case at::kLong: return SEDM_DTYPE_INT64;
        case at::kInt: return SEDM_DTYPE_INT32;
        case at::kByte: return SEDM_DTYPE_UINT8;
        case at::kBFloat16: return SEDM_DTYPE_BFLOAT16;
        case at::kHalf: return SEDM_DTYPE_FLOAT16;
        default: fail(SEDM_ERR_UNSUPPORTED, std::string("tensor has unsupported dtype ") + c10::toString(type));
    }
}

size_t element_size(int32_t dtype) { return c10::elementSize(to_scalar_type(dtype)); }

at::Device to_device(int32_t device_type, int32_t device_index) {
    if (device_type == SEDM_DEVICE_CPU) return at::Device(at::kCPU);
    if (device_type == SEDM_DEVICE_CUDA) {
        require_cuda_device(device_index);
        return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_index));
    }
    fail(SEDM_ERR_INVALID_ARGUMENT, "unknown device type code " + std::to_string(device_type));
}

std::vector<int64_t> to_shape(const int64_t* shape, int32_t ndim) {
    require(ndim >= 0 && ndim <= SEDM_MAX_DIMS,
            "ndim must be in [0, " + std::to_string(SEDM_MAX_DIMS) + "], got " + std::to_string(ndim));
    require(ndim == 0 || shape != nullptr, "shape is NULL");
    std::vector<int64_t> sizes(shape, shape + ndim);
    for (int32_t i = 0; i < ndim; ++i) {
        require(sizes[i] >= 0, "shape[" + std::to_string(i) + "] must be >= 0, got " + std::to_string(sizes[i]));
    }
    return sizes;
}

std::string dtype_name(at::ScalarType type) {
    switch (type) {
        case at::kFloat: return "float32";
        case at::kDouble: return "float64";
        case at::kLong: return "int64";
        case at::kInt: return "int32";
        case at::kByte: return "uint8";
        case at::kBFloat16: return "bfloat16";
        case at::kHalf: return "float16";
        default: return c10::toString(type);
    }
}

std::string shape_string(at::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

const at::Tensor& tensor_of(const sedm_tensor* t, const char* name) {
    require(t != nullptr, std::string(name) + " is NULL");
    return t->t;
}

}  // namespace sedm

extern "C" const char* sedm_last_error(void) { return sedm::last_error(); }
