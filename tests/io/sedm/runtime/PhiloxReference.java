package io.sedm.runtime;

/**
 * An independent pure-Java Philox-4x32-10 (Salmon et al., SC'11) and the draw transforms that
 * native/src/kernels/philox.h documents, written from the paper's round function. Tests compare
 * the native generator against it.
 */
final class PhiloxReference {
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long MASK = 0xFFFFFFFFL;

    private PhiloxReference() {}

    /** The four 32-bit outputs (as unsigned longs) for a 64-bit key and 64-bit counter. */
    static long[] block(long key, long counter) {
        long c0 = counter & MASK;
        long c1 = counter >>> 32;
        long c2 = 0;
        long c3 = 0;
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        for (int r = 0; r < 10; r++) {
            long p0 = M0 * c0; // both < 2^32: the product fits in 64 bits unsigned
            long p1 = M1 * c2;
            long hi0 = p0 >>> 32;
            long lo0 = p0 & MASK;
            long hi1 = p1 >>> 32;
            long lo1 = p1 & MASK;
            long n0 = (hi1 ^ c1 ^ (k0 & MASK)) & MASK;
            long n2 = (hi0 ^ c3 ^ (k1 & MASK)) & MASK;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        return new long[] {c0, c1, c2, c3};
    }

    static double uniform53(long a, long b) {
        return ((a >>> 5) * 67108864.0 + (b >>> 6)) * (1.0 / 9007199254740992.0);
    }

    static double uniform(long seed, long offset, long k) {
        long[] r = block(seed, offset + (k >>> 1));
        return (k & 1) == 1 ? uniform53(r[2], r[3]) : uniform53(r[0], r[1]);
    }

    static double normal(long seed, long offset, long k) {
        long[] r = block(seed, offset + (k >>> 1));
        double u1 = 1.0 - uniform53(r[0], r[1]);
        double u2 = uniform53(r[2], r[3]);
        double radius = Math.sqrt(-2.0 * Math.log(u1));
        double angle = 2 * Math.PI * u2;
        return (k & 1) == 1 ? radius * Math.sin(angle) : radius * Math.cos(angle);
    }
}
