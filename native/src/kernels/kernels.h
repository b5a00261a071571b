// Solver-step kernels: raw pointers, sizes and a stream; no libtorch. Every CUDA launcher has a
// CPU twin of identical signature and semantics (the tests compare them).
#pragma once

#include <cstdint>

namespace sedm::kernels {

enum class Real { kFloat32, kFloat64 };

constexpr int kMaxTerms = 4;

/** Element count below which the CPU twins stay on the calling thread (waking an OpenMP team
 * costs more than it saves on small batches). */
constexpr int64_t kCpuParallelThreshold = int64_t{1} << 20;

/** Philox blocks one draw of `per_sample` elements consumes (two draws per block, philox.h). */
inline uint64_t blocks_for(int64_t per_sample) { return static_cast<uint64_t>((per_sample + 1) / 2); }

/**
 * out[b*P + j] = sum_k coefs[k*B + b] * terms[k][b*P + j], formed in double in the order
 * k = 0, 1, ... and rounded once to `real`. `out` may alias a term. coefs is host memory.
 */
void step_combine_cpu(Real real, void* out, const void* const* terms, int n_terms, const double* coefs, int64_t batch,
                      int64_t per_sample);

/** Fills out[b*P + j] with draw j of sample b (philox.h). normal=false gives U[0, 1). */
void random_fill_cpu(Real real, void* out, const uint64_t* seeds, uint64_t offset, int64_t batch, int64_t per_sample,
                     bool normal);

/** out[b] = sum_j x[b*P + j]^2 in double. */
void sum_squares_cpu(Real real, const void* x, double* out, int64_t batch, int64_t per_sample);

// CUDA launchers: device pointers, `stream` is a cudaStream_t. They return a cudaError_t as
// int (0 = success) and never throw. `coefs`, `seeds` and `out` of sum_squares are HOST memory.
int step_combine_cuda(Real real, void* out, const void* const* terms, int n_terms, const double* coefs, int64_t batch,
                      int64_t per_sample, void* stream);
int random_fill_cuda(Real real, void* out, const uint64_t* seeds, uint64_t offset, int64_t batch, int64_t per_sample,
                     bool normal, void* stream);
int sum_squares_cuda(Real real, const void* x, double* out, int64_t batch, int64_t per_sample, void* stream);
/** Message of a cudaError_t returned by a launcher. */
const char* cuda_error_string(int code);

}  // namespace sedm::kernels
