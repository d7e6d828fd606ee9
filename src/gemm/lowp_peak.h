/* lowp_peak.h — the timing loop lowp.c uses to choose between the two
 * AVX-512 bf16 paths: FLOP per second of 12 independent chains of one
 * zmm instruction on this thread, best of 3 runs of about 20 µs each.
 * Each kernel file that may be chosen defines its function with
 * LOWP_PEAK, compiled with its own flags. */
#ifndef MMCALC_LOWP_PEAK_H
#define MMCALC_LOWP_PEAK_H

#include <immintrin.h>
#include <time.h>

/* double NAME(void): x[i] = STEP(x[i]) for 12 chains of __m512, 4000
 * times, FLOPS a step; x[i] start at i. */
#define LOWP_PEAK(NAME, STEP, FLOPS)                                        \
	double NAME(void)                                                   \
	{                                                                   \
		double best = 0;                                            \
		for (int run = 0; run < 3; run++) {                         \
			__m512 x[12];                                       \
			for (int i = 0; i < 12; i++)                        \
				x[i] = _mm512_set1_ps((float)i);            \
			struct timespec t0, t1;                             \
			clock_gettime(CLOCK_MONOTONIC, &t0);                \
			for (int it = 0; it < 4000; it++)                   \
				for (int i = 0; i < 12; i++)                \
					x[i] = STEP(x[i]);                  \
			clock_gettime(CLOCK_MONOTONIC, &t1);                \
			__m512 sum = x[0];                                  \
			for (int i = 1; i < 12; i++)                        \
				sum = _mm512_add_ps(sum, x[i]);             \
			volatile float sink = _mm512_reduce_add_ps(sum);    \
			(void)sink;                                         \
			double dt = (double)(t1.tv_sec - t0.tv_sec) +       \
			            1e-9 * (double)(t1.tv_nsec - t0.tv_nsec); \
			double rate = dt > 0 ? 4000.0 * 12 * (FLOPS) / dt : 0; \
			if (rate > best)                                    \
				best = rate;                                \
		}                                                           \
		return best;                                                \
	}

#endif
