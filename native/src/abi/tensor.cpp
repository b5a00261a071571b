// Tensor handles: create, zero-copy wrap, copies, views, queries, destroy.
#include <cstring>

#include "cuda_support.h"
#include "handles.h"

using sedm::require;

namespace {

sedm_tensor* new_handle(at::Tensor t) { return sedm::adopt(new sedm_tensor{std::move(t)}); }

int64_t nbytes_of(const at::Tensor& t) { return t.numel() * static_cast<int64_t>(t.element_size()); }

void require_nbytes(const at::Tensor& t, int64_t nbytes) {
    require(nbytes == nbytes_of(t), "buffer holds " + std::to_string(nbytes) + " bytes but the tensor " +
                                        sedm::shape_string(t.sizes()) + " of " + sedm::dtype_name(t.scalar_type()) +
                                        " needs " + std::to_string(nbytes_of(t)));
}

}  // namespace

extern "C" {

sedm_status sedm_tensor_create(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                               int32_t device_index, bool zero, void* stream, sedm_tensor** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        const auto sizes = sedm::to_shape(shape, ndim);
        const at::Device device = sedm::to_device(device_type, device_index);
        const auto options = at::TensorOptions().dtype(sedm::to_scalar_type(dtype)).device(device);
        sedm::StreamScope scope(device, stream);
        *out = new_handle(zero ? at::zeros(sizes, options) : at::empty(sizes, options));
    });
}

sedm_status sedm_tensor_wrap_host(void* data, int64_t nbytes, const int64_t* shape, int32_t ndim, int32_t dtype,
                                  sedm_tensor** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        const auto sizes = sedm::to_shape(shape, ndim);
        const size_t elem = sedm::element_size(dtype);
        int64_t numel = 1;
        for (int64_t s : sizes) numel *= s;
        require(data != nullptr || numel == 0, "data is NULL");
        require(reinterpret_cast<uintptr_t>(data) % elem == 0,
                "host buffer is not aligned to the element size " + std::to_string(elem));
        require(nbytes == numel * static_cast<int64_t>(elem),
                "host buffer holds " + std::to_string(nbytes) + " bytes but shape " + sedm::shape_string(sizes) +
                    " needs " + std::to_string(numel * static_cast<int64_t>(elem)));
        // from_blob without a deleter: the caller (a Java arena) owns the memory.
        *out = new_handle(at::from_blob(data, sizes, at::TensorOptions().dtype(sedm::to_scalar_type(dtype))));
    });
}

sedm_status sedm_tensor_to(const sedm_tensor* src, int32_t device_type, int32_t device_index, int32_t dtype,
                           void* stream, sedm_tensor** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        const at::Tensor& s = sedm::tensor_of(src, "src");
        const at::Device device = sedm::to_device(device_type, device_index);
        sedm::StreamScope scope(s.is_cuda() ? s.device() : device, stream);
        *out =
            new_handle(s.to(device, sedm::to_scalar_type(dtype), /*non_blocking=*/false, /*copy=*/true).contiguous());
    });
}

sedm_status sedm_tensor_copy(sedm_tensor* dst, const sedm_tensor* src, void* stream) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& d = sedm::tensor_of(dst, "dst");
        const at::Tensor& s = sedm::tensor_of(src, "src");
        require(d.sizes() == s.sizes(),
                "dst has shape " + sedm::shape_string(d.sizes()) + " but src has " + sedm::shape_string(s.sizes()));
        sedm::StreamScope scope(d.is_cuda() ? d.device() : s.device(), stream);
        at::Tensor target = d;  // a handle to the same storage
        target.copy_(s);
    });
}

sedm_status sedm_tensor_copy_from_host(sedm_tensor* dst, const void* src, int64_t nbytes, void* stream) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& d = sedm::tensor_of(dst, "dst");
        require(src != nullptr || nbytes == 0, "src is NULL");
        require(d.is_contiguous(), "dst is not contiguous");
        require_nbytes(d, nbytes);
        if (nbytes == 0) return;
        if (d.is_cpu()) {
            std::memcpy(d.data_ptr(), src, static_cast<size_t>(nbytes));
            return;
        }
        sedm::StreamScope scope(d.device(), stream);
        at::Tensor host = at::from_blob(const_cast<void*>(src), d.sizes(), d.options().device(at::kCPU));
        at::Tensor target = d;
        target.copy_(host, /*non_blocking=*/false);
    });
}

sedm_status sedm_tensor_copy_to_host(const sedm_tensor* src, void* dst, int64_t nbytes, void* stream) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& s = sedm::tensor_of(src, "src");
        require(dst != nullptr || nbytes == 0, "dst is NULL");
        require_nbytes(s, nbytes);
        if (nbytes == 0) return;
        if (s.is_cpu() && s.is_contiguous()) {
            std::memcpy(dst, s.data_ptr(), static_cast<size_t>(nbytes));
            return;
        }
        sedm::StreamScope scope(s.device(), stream);
        at::Tensor host = at::from_blob(dst, s.sizes(), s.options().device(at::kCPU));
        host.copy_(s, /*non_blocking=*/false);
    });
}

sedm_status sedm_tensor_fill(sedm_tensor* t, double value, void* stream) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& x = sedm::tensor_of(t, "t");
        sedm::StreamScope scope(x.device(), stream);
        at::Tensor target = x;
        target.fill_(value);
    });
}

sedm_status sedm_tensor_reshape(const sedm_tensor* src, const int64_t* shape, int32_t ndim, sedm_tensor** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        const at::Tensor& s = sedm::tensor_of(src, "src");
        const auto sizes = sedm::to_shape(shape, ndim);
        int64_t numel = 1;
        for (int64_t v : sizes) numel *= v;
        require(numel == s.numel(), "cannot reshape " + sedm::shape_string(s.sizes()) + " (" +
                                        std::to_string(s.numel()) + " elements) to " + sedm::shape_string(sizes));
        require(s.is_contiguous(), "src is not contiguous");
        *out = new_handle(s.view(sizes));
    });
}

sedm_status sedm_tensor_slice(const sedm_tensor* src, int64_t start, int64_t length, sedm_tensor** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        const at::Tensor& s = sedm::tensor_of(src, "src");
        require(s.dim() >= 1, "cannot slice a 0-dimensional tensor");
        const int64_t rows = s.size(0);
        require(start >= 0 && length >= 0 && start + length <= rows,
                "slice [" + std::to_string(start) + ", " + std::to_string(start + length) + ") is outside [0, " +
                    std::to_string(rows) + ")");
        *out = new_handle(s.narrow(0, start, length));
    });
}

sedm_status sedm_tensor_ndim(const sedm_tensor* t, int32_t* out) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& x = sedm::tensor_of(t, "t");
        require(out != nullptr, "out is NULL");
        *out = static_cast<int32_t>(x.dim());
    });
}

sedm_status sedm_tensor_shape(const sedm_tensor* t, int64_t* out, int32_t cap) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& x = sedm::tensor_of(t, "t");
        require(out != nullptr || cap == 0, "out is NULL");
        for (int32_t i = 0; i < cap && i < x.dim(); ++i) out[i] = x.size(i);
    });
}

sedm_status sedm_tensor_dtype(const sedm_tensor* t, int32_t* out) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& x = sedm::tensor_of(t, "t");
        require(out != nullptr, "out is NULL");
        *out = sedm::from_scalar_type(x.scalar_type());
    });
}

sedm_status sedm_tensor_device(const sedm_tensor* t, int32_t* out_type, int32_t* out_index) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& x = sedm::tensor_of(t, "t");
        require(out_type != nullptr && out_index != nullptr, "out_type or out_index is NULL");
        *out_type = x.is_cuda() ? SEDM_DEVICE_CUDA : SEDM_DEVICE_CPU;
        *out_index = x.is_cuda() ? x.device().index() : 0;
    });
}

sedm_status sedm_tensor_numel(const sedm_tensor* t, int64_t* out) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& x = sedm::tensor_of(t, "t");
        require(out != nullptr, "out is NULL");
        *out = x.numel();
    });
}

sedm_status sedm_tensor_data_ptr(const sedm_tensor* t, void** out) {
    return sedm::guard(__func__, [&] {
        const at::Tensor& x = sedm::tensor_of(t, "t");
        require(out != nullptr, "out is NULL");
        *out = x.data_ptr();
    });
}

void sedm_tensor_destroy(sedm_tensor* t) { sedm::release(t); }

}  // extern "C"
