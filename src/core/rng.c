/* rng.c - xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64 from (seed, stream).
 *
 * All state lives in the il_rng the caller passes: no globals, so one seed gives the same run bit for
 * bit. Derived draws (uniform, normal, bounded integers, shuffles) use only il_rng_next.
 */
#include "initlab/rng.h"

#include <math.h>

/* splitmix64: a fast, well-mixed sequence from any 64-bit state (also used to scramble seeds). */
static uint64_t splitmix64_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void il_rng_seed(il_rng *rng, uint64_t seed, uint64_t stream) {
    /* Mix the seed, then fold in the stream and mix again, so (seed, stream) pairs that differ in
     * either part start from unrelated splitmix64 states. */
    uint64_t key = seed;
    uint64_t mixed = splitmix64_next(&key);
    key = mixed ^ (stream * 0xD1B54A32D192ED03ull);
    mixed = splitmix64_next(&key);
    key = mixed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64_next(&key);
    /* xoshiro must not start from all zeros (it would stay there); splitmix64 makes that astronomically
     * unlikely, but the guard costs nothing. */
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0) rng->s[0] = 1;
}

uint64_t il_rng_next(il_rng *rng) {
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double il_rng_uniform(il_rng *rng) {
    /* The top 53 bits as an integer in [0, 2^53), scaled by 2^-53: every double in the grid equally likely.
     */
    return (double)(il_rng_next(rng) >> 11) * 0x1.0p-53;
}

double il_rng_uniform_range(il_rng *rng, double lo, double hi) {
    return lo + (hi - lo) * il_rng_uniform(rng);
}

double il_rng_normal(il_rng *rng) {
    /* Box-Muller: r = sqrt(-2 ln u1), theta = 2 pi u2; r cos(theta) is N(0, 1). u1 is taken in (0, 1] so
     * the logarithm is finite. The sine half is discarded: no hidden cached value between calls. */
    const double pi = 3.14159265358979323846;
    double u1 = 1.0 - il_rng_uniform(rng);
    double u2 = il_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * pi * u2);
}

uint64_t il_rng_below(il_rng *rng, uint64_t n) {
    /* Rejection: accept x only from the largest multiple of n that fits in 2^64, so x % n is exactly
     * uniform. threshold = 2^64 mod n, computed as (-n) mod n in unsigned arithmetic. */
    if (n <= 1) return 0;
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = il_rng_next(rng);
        if (x >= threshold) return x % n;
    }
}

void il_rng_shuffle(il_rng *rng, size_t *idx, size_t n) {
    /* Fisher-Yates: position i takes a uniformly chosen element of idx[0..i]. */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)il_rng_below(rng, (uint64_t)i);
        size_t tmp = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = tmp;
    }
}
