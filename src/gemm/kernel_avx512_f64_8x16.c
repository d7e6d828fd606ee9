/* kernel_avx512_f64_8x16.c — AVX-512 double micro-kernel, an 8×16 tile of C.
 *
 * The double twin of the 8×32 float kernel (see there for why 8 rows): two
 * 8-double vectors of B and 8 broadcasts of A feed 16 FMAs on 16
 * accumulators. A is read through rs_a/cs_a the same way. */
#include <immintrin.h>
#include <math.h>

#include "gemm_internal.h"

enum { MR = 8, NR = 16 };

/* One k step: two vectors of B, then row i of A (the value A(i, p), at
 * a[i·RS]) broadcast into both halves of row i's accumulators. */
#define STEP(i, RS)                                                     \
	do {                                                            \
		__m512d ai = _mm512_set1_pd(a[(i) * (RS)]);             \
		c##i##0 = _mm512_fmadd_pd(ai, b0, c##i##0);             \
		c##i##1 = _mm512_fmadd_pd(ai, b1, c##i##1);             \
	} while (0)

#define LOOP(RS, CS)                                                    \
	for (int64_t p = 0; p < kc; p++) {                              \
		__m512d b0 = _mm512_loadu_pd(b);                        \
		__m512d b1 = _mm512_loadu_pd(b + 8);                    \
		STEP(0, RS); STEP(1, RS); STEP(2, RS); STEP(3, RS);     \
		STEP(4, RS); STEP(5, RS); STEP(6, RS); STEP(7, RS);     \
		a += (CS);                                              \
		b += rs_b;                                              \
	}

/* The same for a tile at most 8 columns wide: one vector of B, half the
 * FMAs (each column's sum is the same either way). */
#define STEP1(i, RS)                                                    \
	do {                                                            \
		__m512d ai = _mm512_set1_pd(a[(i) * (RS)]);             \
		c##i##0 = _mm512_fmadd_pd(ai, b0, c##i##0);             \
	} while (0)

#define LOOP1(RS, CS)                                                   \
	for (int64_t p = 0; p < kc; p++) {                              \
		__m512d b0 = _mm512_loadu_pd(b);                        \
		STEP1(0, RS); STEP1(1, RS); STEP1(2, RS); STEP1(3, RS); \
		STEP1(4, RS); STEP1(5, RS); STEP1(6, RS); STEP1(7, RS); \
		a += (CS);                                              \
		b += rs_b;                                              \
	}

/* C row i = alpha·acc + beta·C (masked to nr columns), if i < mr. */
#define UPDATE(i)                                                       \
	do {                                                            \
		if ((i) < mr) {                                         \
			double *ci = c + (int64_t)(i) * rs_c;           \
			update_row(ci, c##i##0, c##i##1, va, vb, beta, m0, m1); \
		}                                                       \
	} while (0)

#define SPILL(i)                                                        \
	do {                                                            \
		_mm512_storeu_pd(t + (i) * NR, c##i##0);                \
		_mm512_storeu_pd(t + (i) * NR + 8, c##i##1);            \
	} while (0)

static inline void update_row(double *ci, __m512d x0, __m512d x1, __m512d va,
                              __m512d vb, double beta, __mmask8 m0,
                              __mmask8 m1)
{
	if (beta == 0) {
		x0 = _mm512_mul_pd(va, x0);
		x1 = _mm512_mul_pd(va, x1);
	} else {
		__m512d y0 = _mm512_maskz_loadu_pd(m0, ci);
		__m512d y1 = _mm512_maskz_loadu_pd(m1, ci + 8);
		x0 = _mm512_fmadd_pd(va, x0, _mm512_mul_pd(vb, y0));
		x1 = _mm512_fmadd_pd(va, x1, _mm512_mul_pd(vb, y1));
	}
	_mm512_mask_storeu_pd(ci, m0, x0);
	_mm512_mask_storeu_pd(ci + 8, m1, x1);
}

void mm_gemm_kernel_avx512_f64_8x16(int64_t kc, double alpha,
                                    const double *restrict a, int64_t rs_a,
                                    int64_t cs_a, const double *restrict b,
                                    int64_t rs_b, double beta,
                                    double *restrict c, int64_t rs_c,
                                    int64_t cs_c, int mr, int nr)
{
	__m512d c00 = _mm512_setzero_pd(), c01 = c00, c10 = c00, c11 = c00,
	       c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00,
	       c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
	       c70 = c00, c71 = c00;

	/* The tile of C is touched only after the loop: fetch it now. */
	if (cs_c == 1 && beta != 0)
		for (int i = 0; i < mr; i++) {
			_mm_prefetch((const char *)(c + i * rs_c), _MM_HINT_T0);
			_mm_prefetch((const char *)(c + i * rs_c + 15), _MM_HINT_T0);
		}

	if (nr > 8) {
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

	__m512d va = _mm512_set1_pd(alpha), vb = _mm512_set1_pd(beta);
	if (cs_c == 1) {
		__mmask8 m0 = nr >= 8 ? 0xff : (__mmask8)((1u << nr) - 1);
		__mmask8 m1 = nr >= 16 ? 0xff
		            : nr <= 8 ? 0 : (__mmask8)((1u << (nr - 8)) - 1);
		UPDATE(0); UPDATE(1); UPDATE(2); UPDATE(3);
		UPDATE(4); UPDATE(5); UPDATE(6); UPDATE(7);
		return;
	}
	/* Strided C: through a buffer, with the same arithmetic (one FMA). */
	double t[MR * NR];
	SPILL(0); SPILL(1); SPILL(2); SPILL(3);
	SPILL(4); SPILL(5); SPILL(6); SPILL(7);
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			double *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? alpha * t[i * NR + j]
			                 : fma(alpha, t[i * NR + j], beta * *cij);
		}
}
