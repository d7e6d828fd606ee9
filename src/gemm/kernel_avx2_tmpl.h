/* kernel_avx2_tmpl.h — the AVX2+FMA micro-kernel for one element type: a
 * 6 × 2L tile of C (L lanes a vector). kernel_avx2_f32_6x16.c and
 * kernel_avx2_f64_6x8.c include it with these defined:
 *
 *   T, V, L      the element and vector types, the lanes
 *   NAME         the function's name
 *   BROADCAST SET1 FMADD MUL LOADU STOREU ZERO
 *                the intrinsics for T; SFMA the scalar fused multiply-add
 *   MASKLOAD MASKGT SET1I LANES
 *                a masked load of T, the integer compare and set1 of
 *                its mask (lanes of T's width), and the lane numbers
 *
 * An edge tile (nr < NR) loads B masked to nr columns (gemm_internal.h:
 * NRE), so that the small path reads the last sliver of B in place. */
#include <immintrin.h>
#include <math.h>

#include "gemm_internal.h"

enum { MR = 6, NR = 2 * L };

#define STEP(i, RS)                                                     \
	do {                                                            \
		V ai = BROADCAST(a + (i) * (RS));                       \
		c##i##0 = FMADD(ai, b0, c##i##0);                       \
		c##i##1 = FMADD(ai, b1, c##i##1);                       \
	} while (0)

#define LOOP(RS, CS, B0, B1)                                            \
	for (int64_t p = 0; p < kc; p++) {                              \
		V b0 = B0;                                              \
		V b1 = B1;                                              \
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
		STOREU(t + (i) * NR, c##i##0);                          \
		STOREU(t + (i) * NR + L, c##i##1);                      \
	} while (0)

static inline void update_row(T *ci, V x0, V x1, V va, V vb, T beta)
{
	if (beta == 0) {
		x0 = MUL(va, x0);
		x1 = MUL(va, x1);
	} else {
		x0 = FMADD(va, x0, MUL(vb, LOADU(ci)));
		x1 = FMADD(va, x1, MUL(vb, LOADU(ci + L)));
	}
	STOREU(ci, x0);
	STOREU(ci + L, x1);
}

void NAME(int64_t kc, T alpha, const T *restrict a, int64_t rs_a,
          int64_t cs_a, const T *restrict b, int64_t rs_b, T beta,
          T *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	V c00 = ZERO(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
	  c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00,
	  c51 = c00;

	if (nr == NR) {
		if (cs_a == 1)
			LOOP(rs_a, 1, LOADU(b), LOADU(b + L))
		else
			LOOP(1, cs_a, LOADU(b), LOADU(b + L))
	} else {
		/* lane j of the masks is all ones where j (j + L) < nr */
		__m256i lanes = LANES;
		__m256i m0 = MASKGT(SET1I(nr), lanes);
		__m256i m1 = MASKGT(SET1I(nr - L), lanes);
		if (cs_a == 1)
			LOOP(rs_a, 1, MASKLOAD(b, m0), MASKLOAD(b + L, m1))
		else
			LOOP(1, cs_a, MASKLOAD(b, m0), MASKLOAD(b + L, m1))
	}

	V va = SET1(alpha), vb = SET1(beta);
	if (cs_c == 1 && nr == NR) {
		UPDATE(0); UPDATE(1); UPDATE(2); UPDATE(3); UPDATE(4); UPDATE(5);
		return;
	}
	/* Edge or strided C: through a buffer, with the same arithmetic. */
	T t[MR * NR];
	SPILL(0); SPILL(1); SPILL(2); SPILL(3); SPILL(4); SPILL(5);
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			T *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? alpha * t[i * NR + j]
			                 : SFMA(alpha, t[i * NR + j], beta * *cij);
		}
}
