/* rng.h — the random number generator behind rand/randn and `:seed N`.
 * Deterministic and identical on every platform for a given seed:
 *
 *   state:   xoshiro256** (Blackman & Vigna, 2018), four 64-bit words,
 *            seeded by feeding the 64-bit seed through splitmix64 four
 *            times (s[0..3] = the first four splitmix64 outputs).
 *   uniform: mm_rng_uniform = (next() >> 11) * 2^-53, in [0, 1);
 *            mm_rng_uniform_f32 = (next() >> 40) * 2^-24, in [0, 1)
 *            (one 64-bit draw each, so an f32 tensor never rounds to 1).
 *   normal:  Marsaglia polar method: draw u = 2·uniform − 1, v likewise,
 *            s = u² + v², reject s >= 1 or s == 0, f = sqrt(−2·ln(s)/s);
 *            return u·f and keep v·f as the next call's value. Only ln and
 *            sqrt are used (sqrt is exact in IEEE arithmetic; ln may differ
 *            by an ulp between C libraries).
 *
 * The state is a plain value: the session owns one, nothing is global. */
#ifndef MMCALC_RNG_H
#define MMCALC_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mm_rng {
	uint64_t s[4];
	bool has_spare; /* a cached second normal from the polar method */
	double spare;
} mm_rng;

/* Resets r to the stream of seed (clears any cached normal). */
void mm_rng_seed(mm_rng *r, uint64_t seed);
/* The next raw 64-bit output of xoshiro256**. */
uint64_t mm_rng_next(mm_rng *r);
double mm_rng_uniform(mm_rng *r);
float mm_rng_uniform_f32(mm_rng *r);
/* Standard normal (mean 0, variance 1). */
double mm_rng_normal(mm_rng *r);

#endif
