/* lowp_avx512.h — AVX-512 conversions the low-precision packers share
 * (AVX512_BF16, VNNI and AMX kernel files include it, each compiled with
 * its own flags): f32 vectors to bf16 pairs and i8 quads, with the
 * rounding of lowp_internal.h's scalar conversions. */
#ifndef MMCALC_LOWP_AVX512_H
#define MMCALC_LOWP_AVX512_H

#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "lowp_scalar.h"

/* The mask of the first n (0..16) lanes. */
static inline __mmask16 lowp_lanes(int n)
{
	return (__mmask16)(n >= 16 ? 0xffff : n <= 0 ? 0 : (1u << n) - 1);
}

/* 16 pairs from 16 values of row p (at s) and of row p+1 (at s + s_k;
 * zeros if !two), lanes outside `mask` zero: word j = bf16 of the first
 * row's value j in the low half, the second's in the high half
 * (vcvtne2ps2bf16 rounds to nearest-even, subnormals to zero). */
static inline __m512i lowp_pairs16(const float *s, int64_t s_k,
                                   __mmask16 mask, bool two)
{
	const __m512i idx = _mm512_set_epi16(
		31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
		23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
	__m512 lo = _mm512_maskz_loadu_ps(mask, s);
	__m512 hi = two ? _mm512_maskz_loadu_ps(mask, s + s_k)
	                : _mm512_setzero_ps();
	__m512i w = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
	return _mm512_permutexvar_epi16(idx, w);
}

/* The first n (0..32) of 32 consecutive values as 16 pairs, zeros past
 * n: word j holds values 2j (low) and 2j + 1. */
static inline __m512i lowp_bf16x32(const float *s, int n)
{
	return (__m512i)_mm512_cvtne2ps_pbh(
		_mm512_maskz_loadu_ps(lowp_lanes(n - 16), s + 16),
		_mm512_maskz_loadu_ps(lowp_lanes(n), s));
}

/* Saturated to [-128, 127] and rounded to nearest-even, NaN to -128
 * (vmaxps gives its second operand when one is NaN), as mm_lowp_i8. */
static inline __m512i lowp_i32(__m512 x)
{
	x = _mm512_max_ps(x, _mm512_set1_ps(-128.0f));
	x = _mm512_min_ps(x, _mm512_set1_ps(127.0f));
	return _mm512_cvtps_epi32(x);
}

/* 16 words from rows p..p+3 (s, s + s_k, ...; only the first `rows` of
 * them, zeros for the rest), 16 lanes each (outside `mask` zero): byte e
 * of word j is row p+e's value j. */
static inline __m512i lowp_quads16(const float *s, int64_t s_k,
                                   __mmask16 mask, int rows)
{
	const __m512i bytes = _mm512_set1_epi32(0xff);
	__m512i acc = _mm512_setzero_si512();
	for (int e = 0; e < 4 && e < rows; e++) {
		__m512i v = lowp_i32(_mm512_maskz_loadu_ps(mask, s + e * s_k));
		acc = _mm512_or_si512(acc, _mm512_slli_epi32(
			_mm512_and_si512(v, bytes), 8 * e));
	}
	return acc;
}

/* The first n (0..64) of 64 consecutive values as 64 bytes (16 words of
 * 4 consecutive values), zeros past n. */
static inline __m512i lowp_i8x64(const float *s, int n)
{
	__m128i q[4];
	for (int e = 0; e < 4; e++)
		q[e] = _mm512_cvtepi32_epi8(lowp_i32(_mm512_maskz_loadu_ps(
			lowp_lanes(n - 16 * e), s + 16 * e)));
	__m512i w = _mm512_castsi128_si512(q[0]);
	w = _mm512_inserti32x4(w, q[1], 1);
	w = _mm512_inserti32x4(w, q[2], 2);
	return _mm512_inserti32x4(w, q[3], 3);
}

/* Lane j times `stride`: scatter indices of 32-bit words. */
static inline __m512i lowp_stride16(int stride)
{
	return _mm512_mullo_epi32(
		_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2,
		                 1, 0), _mm512_set1_epi32(stride));
}

/* lowp_put_f32 with AVX-512 where C's rows are contiguous: the same
 * arithmetic (one multiply, or one FMA on beta·C), rows of nr <= 32. */
static inline void lowp_put_f32_avx512(const float *acc, int64_t ld,
                                       float alpha, float beta, float *c,
                                       int64_t rs_c, int64_t cs_c, int mr,
                                       int nr)
{
	if (cs_c != 1 || nr > 32) {
		lowp_put_f32(acc, ld, alpha, beta, c, rs_c, cs_c, mr, nr);
		return;
	}
	const __mmask16 m0 = lowp_lanes(nr), m1 = lowp_lanes(nr - 16);
	const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
	for (int i = 0; i < mr; i++, acc += ld, c += rs_c) {
		__m512 x0 = _mm512_loadu_ps(acc), x1 = _mm512_loadu_ps(acc + 16);
		if (beta == 0) {
			x0 = _mm512_mul_ps(va, x0);
			x1 = _mm512_mul_ps(va, x1);
		} else {
			x0 = _mm512_fmadd_ps(va, x0, _mm512_mul_ps(
				vb, _mm512_maskz_loadu_ps(m0, c)));
			x1 = _mm512_fmadd_ps(va, x1, _mm512_mul_ps(
				vb, _mm512_maskz_loadu_ps(m1, c + 16)));
		}
		_mm512_mask_storeu_ps(c, m0, x0);
		_mm512_mask_storeu_ps(c + 16, m1, x1);
	}
}

/* lowp_put_i32 with AVX-512 where C's rows are contiguous. */
static inline void lowp_put_i32_avx512(const int32_t *acc, int64_t ld,
                                       bool add, int32_t *c, int64_t rs_c,
                                       int64_t cs_c, int mr, int nr)
{
	if (cs_c != 1 || nr > 32) {
		lowp_put_i32(acc, ld, add, c, rs_c, cs_c, mr, nr);
		return;
	}
	const __mmask16 m0 = lowp_lanes(nr), m1 = lowp_lanes(nr - 16);
	for (int i = 0; i < mr; i++, acc += ld, c += rs_c) {
		__m512i x0 = _mm512_loadu_si512(acc);
		__m512i x1 = _mm512_loadu_si512(acc + 16);
		if (add) {
			x0 = _mm512_add_epi32(x0, _mm512_maskz_loadu_epi32(m0, c));
			x1 = _mm512_add_epi32(x1, _mm512_maskz_loadu_epi32(m1, c + 16));
		}
		_mm512_mask_storeu_epi32(c, m0, x0);
		_mm512_mask_storeu_epi32(c + 16, m1, x1);
	}
}

#endif
