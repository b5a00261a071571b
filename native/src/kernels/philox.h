// Philox-4x32-10 counter-based generator (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11) and the two transforms libsedm draws with. Shared by the CUDA kernels and
// their CPU twins so both produce the same bits for the same (seed, counter).
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define SEDM_HD __host__ __device__ __forceinline__
#else
#define SEDM_HD inline
#endif

namespace sedm::kernels {

struct Philox4 {
    uint32_t v[4];
};

SEDM_HD uint32_t mulhilo32(uint32_t a, uint32_t b, uint32_t* hi) {
    const uint64_t p = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
    *hi = static_cast<uint32_t>(p >> 32);
    return static_cast<uint32_t>(p);
}

/** Ten Philox rounds of the 128-bit counter (ctr_lo, ctr_hi, 0, 0) under the 64-bit key. */
SEDM_HD Philox4 philox4x32_10(uint64_t key, uint64_t counter) {
    constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
    constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
    uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32);
    uint32_t c2 = 0u, c3 = 0u;
    uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
    for (int round = 0; round < 10; ++round) {
        uint32_t hi0, hi1;
        const uint32_t lo0 = mulhilo32(kM0, c0, &hi0);
        const uint32_t lo1 = mulhilo32(kM1, c2, &hi1);
        const uint32_t n0 = hi1 ^ c1 ^ k0;
        const uint32_t n1 = lo1;
        const uint32_t n2 = hi0 ^ c3 ^ k1;
        const uint32_t n3 = lo0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += kW0;
        k1 += kW1;
    }
    return Philox4{{c0, c1, c2, c3}};
}

/** A double in [0, 1) from 53 random bits (27 of a, 26 of b). */
SEDM_HD double uniform53(uint32_t a, uint32_t b) {
    return (static_cast<double>(a >> 5) * 67108864.0 + static_cast<double>(b >> 6)) * (1.0 / 9007199254740992.0);
}

/**
 * Draw number `k` of one sample: every Philox block yields two 53-bit uniforms, and a draw
 * uses component k % 2 of block offset + k / 2. For the normal transform the block's two
 * uniforms go through Box-Muller (u1 mapped to (0, 1] so the logarithm stays finite).
 */
struct Draw {
    static constexpr double kTwoPi = 6.283185307179586476925286766559;

    SEDM_HD static double uniform(uint64_t seed, uint64_t offset, int64_t k) {
        const Philox4 r = philox4x32_10(seed, offset + static_cast<uint64_t>(k >> 1));
        return (k & 1) ? uniform53(r.v[2], r.v[3]) : uniform53(r.v[0], r.v[1]);
    }

    SEDM_HD static double normal(uint64_t seed, uint64_t offset, int64_t k) {
        const Philox4 r = philox4x32_10(seed, offset + static_cast<uint64_t>(k >> 1));
        const double u1 = 1.0 - uniform53(r.v[0], r.v[1]);
        const double u2 = uniform53(r.v[2], r.v[3]);
        const double radius = sqrt(-2.0 * log(u1));
        const double angle = kTwoPi * u2;
        return (k & 1) ? radius * sin(angle) : radius * cos(angle);
    }
};

}  // namespace sedm::kernels
