/* rng.h - explicit, seeded random numbers (xoshiro256**, seeded through splitmix64).
 *
 * State is passed by pointer; nothing here is global, so one seed reproduces a run bit for bit.
 * A run derives separate streams from its seed (IL_STREAM_INIT for weights, IL_STREAM_DATA for the
 * order of examples, ...) so that changing the initializer never changes the data order.
 */
#ifndef INITLAB_RNG_H
#define INITLAB_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} il_rng;

enum {
    IL_STREAM_INIT = 1,  /* starting weights */
    IL_STREAM_DATA = 2,  /* order of training examples, mini-batches */
    IL_STREAM_PROBE = 3, /* choice of probe samples for diagnostics */
    IL_STREAM_GEN = 4,   /* synthetic data generators */
    IL_STREAM_SPLIT = 5  /* train/test split */
};

/* Seed the generator from (seed, stream); different streams give independent sequences. */
void il_rng_seed(il_rng *rng, uint64_t seed, uint64_t stream);
uint64_t il_rng_next(il_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
double il_rng_uniform(il_rng *rng);
/* Uniform double in [lo, hi). */
double il_rng_uniform_range(il_rng *rng, double lo, double hi);
/* Standard normal N(0, 1) (Box-Muller; no cached second value, so state is the whole story). */
double il_rng_normal(il_rng *rng);
/* Uniform integer in [0, n), unbiased; n must be > 0. */
uint64_t il_rng_below(il_rng *rng, uint64_t n);
/* Fisher-Yates shuffle of idx[0..n). */
void il_rng_shuffle(il_rng *rng, size_t *idx, size_t n);

#endif
