/* kernel_avx2_f32_6x16.c — AVX2+FMA float micro-kernel, a 6×16 tile of C.
 *
 * Why 6×16: with 16 ymm registers, 12 accumulators (6 rows × two 8-float
 * vectors), two B vectors and one broadcast is the largest tile that does
 * not spill; 12 independent FMA chains cover two pipes of latency 4–5. */
#include <immintrin.h>
#include <math.h>

#include "gemm_internal.h"

enum { MR = 6, NR = 16 };

#define STEP(i, RS)                                                     \
	do {                                                            \
		__m256 ai = _mm256_broadcast_ss(a + (i) * (RS));        \
		c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);             \
		c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);             \
	} while (0)

#define LOOP(RS, CS)                                                    \
	for (int64_t p = 0; p < kc; p++) {                              \
		__m256 b0 = _mm256_loadu_ps(b);                         \
		__m256 b1 = _mm256_loadu_ps(b + 8);                     \
		STEP(0, RS); STEP(1, RS); STEP(2, RS);                  \
		STEP(3, RS); STEP(4, RS); STEP(5, RS);                  \
		a += (CS);                                              \
		b += rs_b;                                              \
	}

#define UPDATE(i)                                                       \
	do {                                                            \
		if ((i) < mr)                                           \
			update_row(c + (int64_t)(i) * rs_c, c##i##0, c##i##1, \
			           va, vb, beta);                       \
	} while (0)

#define SPILL(i)                                                        \
	do {                                                            \
		_mm256_storeu_ps(t + (i) * NR, c##i##0);                \
		_mm256_storeu_ps(t + (i) * NR + 8, c##i##1);            \
	} while (0)

static inline void update_row(float *ci, __m256 x0, __m256 x1, __m256 va,
                              __m256 vb, float beta)
{
	if (beta == 0) {
		x0 = _mm256_mul_ps(va, x0);
		x1 = _mm256_mul_ps(va, x1);
	} else {
		x0 = _mm256_fmadd_ps(va, x0, _mm256_mul_ps(vb, _mm256_loadu_ps(ci)));
		x1 = _mm256_fmadd_ps(va, x1,
		                     _mm256_mul_ps(vb, _mm256_loadu_ps(ci + 8)));
	}
	_mm256_storeu_ps(ci, x0);
	_mm256_storeu_ps(ci + 8, x1);
}

void mm_gemm_kernel_avx2_f32_6x16(int64_t kc, float alpha,
                                  const float *restrict a, int64_t rs_a,
                                  int64_t cs_a,
                                  const float *restrict b, int64_t rs_b,
                                  float beta, float *restrict c,
                                  int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	__m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00,
	       c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00,
	       c41 = c00, c50 = c00, c51 = c00;

	if (cs_a == 1)
		LOOP(rs_a, 1)
	else
		LOOP(1, cs_a)

	__m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
	if (cs_c == 1 && nr == NR) {
		UPDATE(0); UPDATE(1); UPDATE(2); UPDATE(3); UPDATE(4); UPDATE(5);
		return;
	}
	/* Edge or strided C: through a buffer, with the same arithmetic. */
	float t[MR * NR];
	SPILL(0); SPILL(1); SPILL(2); SPILL(3); SPILL(4); SPILL(5);
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			float *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? alpha * t[i * NR + j]
			                 : fmaf(alpha, t[i * NR + j], beta * *cij);
		}
}
