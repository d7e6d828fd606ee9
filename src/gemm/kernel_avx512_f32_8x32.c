/* kernel_avx512_f32_8x32.c — AVX-512 float micro-kernel, an 8×32 tile of C.
 *
 * Why 8×32: each k step loads two 16-float vectors of B and broadcasts 8
 * values of A into 16 FMAs on 16 accumulators. On Zen 4 (two 256-bit FMA
 * pipes, latency 4) one zmm FMA retires per cycle, so 16 independent chains
 * hide the latency, and 10 loads per 16 FMAs stay under the load ports.
 * Measured on this CPU with A and B in L1, 8×32 gave 115 GFLOP/s per core,
 * 12×32 and 14×32 the same per useful row, 6×64 and 4×64 the same, 16×16
 * 97 (16 broadcasts per 16 FMAs). In a whole product 8×32 and 12×32 were
 * within noise; 8 rows win because 8 divides the sizes people multiply
 * (64 = 5·12 + 4 wastes a third of the last tile of 12 rows).
 *
 * A is read through rs_a/cs_a: a packed sliver (rs_a 1, cs_a MR) or a
 * column-major A in place take one loop, a row-major A in place (cs_a 1)
 * the other, which reads the 8 rows at offsets of rs_a. */
#include <immintrin.h>
#include <math.h>

#include "gemm_internal.h"

enum { MR = 8, NR = 32 };

/* One k step: two vectors of B, then row i of A (the value A(i, p), at
 * a[i·RS]) broadcast into both halves of row i's accumulators. */
#define STEP(i, RS)                                                     \
	do {                                                            \
		__m512 ai = _mm512_set1_ps(a[(i) * (RS)]);              \
		c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);             \
		c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);             \
	} while (0)

#define LOOP(RS, CS)                                                    \
	for (int64_t p = 0; p < kc; p++) {                              \
		__m512 b0 = _mm512_loadu_ps(b);                         \
		__m512 b1 = _mm512_loadu_ps(b + 16);                    \
		STEP(0, RS); STEP(1, RS); STEP(2, RS); STEP(3, RS);     \
		STEP(4, RS); STEP(5, RS); STEP(6, RS); STEP(7, RS);     \
		a += (CS);                                              \
		b += rs_b;                                              \
	}

/* The same for a tile at most 16 columns wide: one vector of B, half the
 * FMAs (each column's sum is the same either way). */
#define STEP1(i, RS)                                                    \
	do {                                                            \
		__m512 ai = _mm512_set1_ps(a[(i) * (RS)]);              \
		c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);             \
	} while (0)

#define LOOP1(RS, CS)                                                   \
	for (int64_t p = 0; p < kc; p++) {                              \
		__m512 b0 = _mm512_loadu_ps(b);                         \
		STEP1(0, RS); STEP1(1, RS); STEP1(2, RS); STEP1(3, RS); \
		STEP1(4, RS); STEP1(5, RS); STEP1(6, RS); STEP1(7, RS); \
		a += (CS);                                              \
		b += rs_b;                                              \
	}

/* C row i = alpha·acc + beta·C (masked to nr columns), if i < mr. */
#define UPDATE(i)                                                       \
	do {                                                            \
		if ((i) < mr) {                                         \
			float *ci = c + (int64_t)(i) * rs_c;            \
			update_row(ci, c##i##0, c##i##1, va, vb, beta, m0, m1); \
		}                                                       \
	} while (0)

#define SPILL(i)                                                        \
	do {                                                            \
		_mm512_storeu_ps(t + (i) * NR, c##i##0);                \
		_mm512_storeu_ps(t + (i) * NR + 16, c##i##1);           \
	} while (0)

static inline void update_row(float *ci, __m512 x0, __m512 x1, __m512 va,
                              __m512 vb, float beta, __mmask16 m0,
                              __mmask16 m1)
{
	if (beta == 0) {
		x0 = _mm512_mul_ps(va, x0);
		x1 = _mm512_mul_ps(va, x1);
	} else {
		__m512 y0 = _mm512_maskz_loadu_ps(m0, ci);
		__m512 y1 = _mm512_maskz_loadu_ps(m1, ci + 16);
		x0 = _mm512_fmadd_ps(va, x0, _mm512_mul_ps(vb, y0));
		x1 = _mm512_fmadd_ps(va, x1, _mm512_mul_ps(vb, y1));
	}
	_mm512_mask_storeu_ps(ci, m0, x0);
	_mm512_mask_storeu_ps(ci + 16, m1, x1);
}

void mm_gemm_kernel_avx512_f32_8x32(int64_t kc, float alpha,
                                    const float *restrict a, int64_t rs_a,
                                    int64_t cs_a, const float *restrict b,
                                    int64_t rs_b, float beta,
                                    float *restrict c, int64_t rs_c,
                                    int64_t cs_c, int mr, int nr)
{
	__m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00,
	       c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00,
	       c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
	       c70 = c00, c71 = c00;

	/* The tile of C is touched only after the loop: fetch it now. */
	if (cs_c == 1 && beta != 0)
		for (int i = 0; i < mr; i++) {
			_mm_prefetch((const char *)(c + i * rs_c), _MM_HINT_T0);
			_mm_prefetch((const char *)(c + i * rs_c + 31), _MM_HINT_T0);
		}

	if (nr > 16) {
		if (cs_a == 1)
			LOOP(rs_a, 1)
		else
			LOOP(1, cs_a)
	} else {
		if (cs_a == 1)
			LOOP1(rs_a, 1)
		else
			LOOP1(1, cs_a)
	}

	__m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
	if (cs_c == 1) {
		__mmask16 m0 = nr >= 16 ? 0xffff : (__mmask16)((1u << nr) - 1);
		__mmask16 m1 = nr >= 32 ? 0xffff
		             : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
		UPDATE(0); UPDATE(1); UPDATE(2); UPDATE(3);
		UPDATE(4); UPDATE(5); UPDATE(6); UPDATE(7);
		return;
	}
	/* Strided C: through a buffer, with the same arithmetic (one FMA). */
	float t[MR * NR];
	SPILL(0); SPILL(1); SPILL(2); SPILL(3);
	SPILL(4); SPILL(5); SPILL(6); SPILL(7);
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			float *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? alpha * t[i * NR + j]
			                 : fmaf(alpha, t[i * NR + j], beta * *cij);
		}
}
