/* kernel_avx512_tmpl.h — the AVX-512 micro-kernel for one element type: an
 * 8 × 2L tile of C (L lanes a vector). kernel_avx512_f32_8x32.c and
 * kernel_avx512_f64_8x16.c include it with these defined:
 *
 *   T, V, M      the element, vector and mask types; L the lanes
 *   NAME         the function's name
 *   SET1 FMADD MUL ADD LOADU STOREU MASKZ_LOADU MASK_STOREU ZERO
 *                the intrinsics for T; SFMA the scalar fused multiply-add
 *   H SET1H FMADDH MASKZ_LOADUH ZEROH
 *                the half-width (256-bit) vector type and intrinsics;
 *                WIDEN makes a full vector of one, zeros above
 *
 * Each k step loads two vectors of B and broadcasts 8 values of A into 16
 * FMAs on 16 accumulators. A is read through rs_a/cs_a: a packed sliver
 * (rs_a 1, cs_a MR) or a column-major A in place take one loop, a
 * row-major A in place (cs_a 1) the other, which reads the 8 rows at
 * offsets of rs_a. An edge tile reads B with masked loads, no further
 * than nr (gemm_internal.h: NRE), so that the driver need not copy the
 * last sliver of B; a whole tile uses plain loads, since masked ones in
 * its loop cost 2-3% on Zen 4. */
#include <immintrin.h>
#include <math.h>
#include <stdbool.h>

#include "gemm_internal.h"

enum { MR = 8, NR = 2 * L };

/* One k step: two vectors of B, then row i of A (the value A(i, p), at
 * a[i·RS]) broadcast into both halves of row i's accumulators. */
#define STEP(i, RS)                                                     \
	do {                                                            \
		V ai = SET1(a[(i) * (RS)]);                             \
		c##i##0 = FMADD(ai, b0, c##i##0);                       \
		c##i##1 = FMADD(ai, b1, c##i##1);                       \
	} while (0)

/* The k loop over rows 0..mr-1 of the tile: a short last tile (1025 =
 * 128·8 + 1 rows) runs only the FMA chains it needs, and reads only its
 * rows of A, so that the driver need not copy them. */
#define ROWS1(S, RS) S(0, RS)
#define ROWS2(S, RS) ROWS1(S, RS); S(1, RS)
#define ROWS3(S, RS) ROWS2(S, RS); S(2, RS)
#define ROWS4(S, RS) ROWS3(S, RS); S(3, RS)
#define ROWS5(S, RS) ROWS4(S, RS); S(4, RS)
#define ROWS6(S, RS) ROWS5(S, RS); S(5, RS)
#define ROWS7(S, RS) ROWS6(S, RS); S(6, RS)
#define ROWS8(S, RS) ROWS7(S, RS); S(7, RS)

/* B1 loads B's second vector: plainly in a whole tile, masked to nr
 * columns in an edge tile. Unrolled four times: on an Emerald Rapids
 * core (two 512-bit FMA pipes) a whole product went 1-4% faster in f32
 * and 2-8% in f64 (512-2048, paired runs); twice was no better than
 * once, eight times no better than four. */
#define LOOP(ROWS, RS, CS, B1)                                          \
	_Pragma("GCC unroll 4")                                         \
	for (int64_t p = 0; p < kc; p++) {                              \
		V b0 = LOADU(b);                                        \
		V b1 = B1;                                              \
		ROWS(STEP, RS);                                         \
		a += (CS);                                              \
		b += rs_b;                                              \
	}

/* The whole tile's loop for a row-major A read in place (rows RS apart):
 * rows 4-7 through a second pointer, a4, as in LOOP1 below; with one
 * pointer GCC spilled row offsets to the stack inside the unrolled loop
 * (reading A in place for 1024x1024x64 went 3% faster, 200³ 2-4%). */
#define STEPR(i, RS)                                                    \
	do {                                                            \
		V ai = SET1(((i) < 4 ? a : a4)[((i) & 3) * (RS)]);      \
		c##i##0 = FMADD(ai, b0, c##i##0);                       \
		c##i##1 = FMADD(ai, b1, c##i##1);                       \
	} while (0)

#define LOOPR(ROWS, RS, B1)                                             \
	do {                                                            \
		const T *a4 = mr > 4 ? a + 4 * (RS) : a;                \
		_Pragma("GCC unroll 4")                                 \
		for (int64_t p = 0; p < kc; p++) {                      \
			V b0 = LOADU(b);                                \
			V b1 = B1;                                      \
			ROWS(STEPR, RS);                                \
			a++;                                            \
			a4++;                                           \
			b += rs_b;                                      \
		}                                                       \
	} while (0)

/* The same for a tile at most L columns wide: one vector of B, half the
 * FMAs (each column's sum is the same either way), B loaded masked to nr
 * columns. Rows 4-7 are read through a second pointer, a4 (into A when
 * there are rows 4-7, else unused): with one pointer GCC kept seven row
 * offsets and spilled three of them to the stack inside the narrow loops
 * (100³ went from 0.91 to 0.93 of OpenBLAS in f32, 0.96 to 0.97 in f64). */
#define STEP1(i, RS)                                                    \
	do {                                                            \
		V ai = SET1(((i) < 4 ? a : a4)[((i) & 3) * (RS)]);      \
		c##i##0 = FMADD(ai, b0, c##i##0);                       \
	} while (0)

#define LOOP1(ROWS, RS, CS)                                             \
	do {                                                            \
		const T *a4 = mr > 4 ? a + 4 * (RS) : a;                \
		for (int64_t p = 0; p < kc; p++) {                      \
			V b0 = MASKZ_LOADU(m0, b);                      \
			ROWS(STEP1, RS);                                \
			a += (CS);                                      \
			a4 += (CS);                                     \
			b += rs_b;                                      \
		}                                                       \
	} while (0)

/* And for a tile at most L/2 columns wide (the last of 1025 = 32·32 + 1
 * float columns): half-width vectors, of which Zen 4 runs two a cycle
 * where it runs one full one, so the tile takes half the time. The sums
 * are the same lane by lane; the upper lanes come back as zeros. */
#define STEPH(i, RS)                                                    \
	do {                                                            \
		H ai = SET1H(((i) < 4 ? a : a4)[((i) & 3) * (RS)]);     \
		h##i = FMADDH(ai, b0, h##i);                            \
	} while (0)

/* The k loop with eight half-width accumulators (B loaded by BLOADS,
 * each row's step STEPX), widened into the accumulators of vector J
 * of B afterwards. */
#define LOOPHALF(ROWS, RS, CS, BLOADS, STEPX, J)                        \
	do {                                                            \
		H h0 = ZEROH(), h1 = h0, h2 = h0, h3 = h0, h4 = h0,     \
		  h5 = h0, h6 = h0, h7 = h0;                            \
		const T *a4 = mr > 4 ? a + 4 * (RS) : a;                \
		for (int64_t p = 0; p < kc; p++) {                      \
			BLOADS;                                         \
			ROWS(STEPX, RS);                                \
			a += (CS);                                      \
			a4 += (CS);                                     \
			b += rs_b;                                      \
		}                                                       \
		c0##J = WIDEN(h0); c1##J = WIDEN(h1); c2##J = WIDEN(h2);\
		c3##J = WIDEN(h3); c4##J = WIDEN(h4); c5##J = WIDEN(h5);\
		c6##J = WIDEN(h6); c7##J = WIDEN(h7);                   \
	} while (0)

#define BH H b0 = MASKZ_LOADUH((__mmask8)m0, b)
#define LOOPH(ROWS, RS, CS) LOOPHALF(ROWS, RS, CS, BH, STEPH, 0)

/* And for a tile more than L but at most L + L/2 columns wide (24 of
 * 24³ float, 12 of 12³ double): B's second vector and its accumulators
 * at half width, which takes a quarter off the FMAs' time. The sums are
 * the same lane by lane. Rows 4-7 through a4, as in LOOP1 (with one
 * pointer GCC spilled two row offsets in the loop that reads A in
 * place). */
#define STEPZH(i, RS)                                                   \
	do {                                                            \
		V ai = SET1(((i) < 4 ? a : a4)[((i) & 3) * (RS)]);      \
		c##i##0 = FMADD(ai, b0, c##i##0);                       \
		h##i = FMADDH(LOWH(ai), b1, h##i);                      \
	} while (0)

#define BZH V b0 = LOADU(b); H b1 = MASKZ_LOADUH((__mmask8)m1, b + L)
#define LOOPZH(ROWS, RS, CS) LOOPHALF(ROWS, RS, CS, BZH, STEPZH, 1)

/* The tile's width and A's layout pick the loop. */
#define LOOPS(ROWS)                                                     \
	do {                                                            \
		if (nr == NR) {                                         \
			if (cs_a == 1)                                  \
				LOOPR(ROWS, rs_a, LOADU(b + L));        \
			else                                            \
				LOOP(ROWS, 1, cs_a, LOADU(b + L))       \
		} else if (nr > L + L / 2) {                            \
			if (cs_a == 1)                                  \
				LOOPR(ROWS, rs_a,                       \
				      MASKZ_LOADU(m1, b + L));         \
			else                                            \
				LOOP(ROWS, 1, cs_a,                     \
				     MASKZ_LOADU(m1, b + L))           \
		} else if (nr > L) {                                    \
			if (cs_a == 1)                                  \
				LOOPZH(ROWS, rs_a, 1);                  \
			else                                            \
				LOOPZH(ROWS, 1, cs_a);                  \
		} else if (nr > L / 2) {                                \
			if (cs_a == 1)                                  \
				LOOP1(ROWS, rs_a, 1);                   \
			else                                            \
				LOOP1(ROWS, 1, cs_a);                   \
		} else {                                                \
			if (cs_a == 1)                                  \
				LOOPH(ROWS, rs_a, 1);                   \
			else                                            \
				LOOPH(ROWS, 1, cs_a);                   \
		}                                                       \
	} while (0)

/* C row i = alpha·acc + beta·C (masked to nr columns), if i < mr. */
#define UPDATE(i)                                                       \
	do {                                                            \
		if ((i) < mr)                                           \
			update_row(c + (int64_t)(i) * rs_c, c##i##0, c##i##1, \
			           va, vb, beta, m0, m1);               \
	} while (0)

/* Row i of a whole tile when alpha is 1: C = acc (beta 0) or C += acc
 * (beta 1), with no multiplies and no masks. The usual case, decided once
 * a tile (16 multiplies are 1-2% of a 64³ tile's FMA slots); the same
 * bits as update_row, since 1·x is x and fma(1, x, 1·y) is x + y. */
#define PUT(i)                                                          \
	do {                                                            \
		STOREU(c + (i) * rs_c, c##i##0);                        \
		STOREU(c + (i) * rs_c + L, c##i##1);                    \
	} while (0)
#define ACC(i)                                                          \
	do {                                                            \
		T *ci = c + (i) * rs_c;                                 \
		STOREU(ci, ADD(c##i##0, LOADU(ci)));                    \
		STOREU(ci + L, ADD(c##i##1, LOADU(ci + L)));            \
	} while (0)

/* The same for row i of an edge tile, if i < mr, masked to nr columns
 * (the second vector only if the tile reaches it): the alpha and beta
 * multiplies and the second vector's store were a fifth of a 12³ float
 * product, all of whose tiles are edge tiles. */
#define PUTM(i)                                                         \
	do {                                                            \
		if ((i) < mr) {                                         \
			T *ci = c + (int64_t)(i) * rs_c;                \
			MASK_STOREU(ci, m0, c##i##0);                   \
			if (nr > L)                                     \
				MASK_STOREU(ci + L, m1, c##i##1);       \
		}                                                       \
	} while (0)
#define ACCM(i)                                                         \
	do {                                                            \
		if ((i) < mr) {                                         \
			T *ci = c + (int64_t)(i) * rs_c;                \
			MASK_STOREU(ci, m0,                             \
			            ADD(c##i##0, MASKZ_LOADU(m0, ci))); \
			if (nr > L)                                     \
				MASK_STOREU(ci + L, m1,                 \
				            ADD(c##i##1,                \
				                MASKZ_LOADU(m1, ci + L))); \
		}                                                       \
	} while (0)

#define SPILL(i)                                                        \
	do {                                                            \
		STOREU(t + (i) * NR, c##i##0);                          \
		STOREU(t + (i) * NR + L, c##i##1);                      \
	} while (0)

static inline void update_row(T *ci, V x0, V x1, V va, V vb, T beta, M m0,
                              M m1)
{
	if (beta == 0) {
		x0 = MUL(va, x0);
		x1 = MUL(va, x1);
	} else {
		V y0 = MASKZ_LOADU(m0, ci);
		V y1 = MASKZ_LOADU(m1, ci + L);
		x0 = FMADD(va, x0, MUL(vb, y0));
		x1 = FMADD(va, x1, MUL(vb, y1));
	}
	MASK_STOREU(ci, m0, x0);
	MASK_STOREU(ci + L, m1, x1);
}

static void odd_rows(int64_t kc, T alpha, const T *restrict a,
                     int64_t rs_a, int64_t cs_a, const T *restrict b,
                     int64_t rs_b, T beta, T *restrict c, int64_t rs_c,
                     int64_t cs_c, int mr, int nr);

/* The kernel for tiles of 2, 4 or 8 rows (odd false; other counts go on
 * to odd_rows) or of 1, 3, 5, 6 or 7 (odd true), inlined into the two
 * functions: with all eight loops in one, GCC spilled three registers in
 * the whole tile's loop, and f32 256³ fell from 1.11 to 1.05 of
 * OpenBLAS. */
static inline __attribute__((always_inline)) void
body(int64_t kc, T alpha, const T *restrict a, int64_t rs_a, int64_t cs_a,
     const T *restrict b, int64_t rs_b, T beta, T *restrict c, int64_t rs_c,
     int64_t cs_c, int mr, int nr, bool odd)
{
	V c00 = ZERO(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
	  c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00,
	  c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;

	/* The tile of C is touched only after the loop: fetch it now. */
	if (cs_c == 1 && beta != 0)
		for (int i = 0; i < mr; i++) {
			_mm_prefetch((const char *)(c + i * rs_c), _MM_HINT_T0);
			_mm_prefetch((const char *)(c + i * rs_c + NR - 1),
			             _MM_HINT_T0);
		}

	/* The tile's columns in B's (and C's) two vectors: an edge tile
	 * reads B no further than nr. */
	const M all = (M)((1u << L) - 1);
	const M m0 = nr >= L ? all : (M)((1u << nr) - 1);
	const M m1 = nr >= NR ? all : nr <= L ? 0 : (M)((1u << (nr - L)) - 1);
	if (!odd) {
		if (mr == MR)
			LOOPS(ROWS8);
		else if (mr == 4)
			LOOPS(ROWS4);
		else if (mr == 2)
			LOOPS(ROWS2);
		else {
			odd_rows(kc, alpha, a, rs_a, cs_a, b, rs_b, beta, c,
			         rs_c, cs_c, mr, nr);
			return;
		}
	} else {
		switch (mr) {
		case 1: LOOPS(ROWS1); break;
		case 3: LOOPS(ROWS3); break;
		case 5: LOOPS(ROWS5); break;
		case 6: LOOPS(ROWS6); break;
		default: LOOPS(ROWS7); break;
		}
	}

	if (cs_c == 1 && alpha == 1 && (beta == 0 || beta == 1)) {
		if (mr == MR && nr == NR && beta == 0) {
			PUT(0); PUT(1); PUT(2); PUT(3);
			PUT(4); PUT(5); PUT(6); PUT(7);
		} else if (mr == MR && nr == NR) {
			ACC(0); ACC(1); ACC(2); ACC(3);
			ACC(4); ACC(5); ACC(6); ACC(7);
		} else if (beta == 0) {
			PUTM(0); PUTM(1); PUTM(2); PUTM(3);
			PUTM(4); PUTM(5); PUTM(6); PUTM(7);
		} else {
			ACCM(0); ACCM(1); ACCM(2); ACCM(3);
			ACCM(4); ACCM(5); ACCM(6); ACCM(7);
		}
		return;
	}
	V va = SET1(alpha), vb = SET1(beta);
	if (cs_c == 1) {
		UPDATE(0); UPDATE(1); UPDATE(2); UPDATE(3);
		UPDATE(4); UPDATE(5); UPDATE(6); UPDATE(7);
		return;
	}
	/* Strided C: through a buffer, with the same arithmetic (one FMA). */
	T t[MR * NR];
	SPILL(0); SPILL(1); SPILL(2); SPILL(3);
	SPILL(4); SPILL(5); SPILL(6); SPILL(7);
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			T *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? alpha * t[i * NR + j]
			                 : SFMA(alpha, t[i * NR + j], beta * *cij);
		}
}

static __attribute__((noinline)) void
odd_rows(int64_t kc, T alpha, const T *restrict a, int64_t rs_a,
         int64_t cs_a, const T *restrict b, int64_t rs_b, T beta,
         T *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	body(kc, alpha, a, rs_a, cs_a, b, rs_b, beta, c, rs_c, cs_c, mr, nr,
	     true);
}

void NAME(int64_t kc, T alpha, const T *restrict a, int64_t rs_a,
          int64_t cs_a, const T *restrict b, int64_t rs_b, T beta,
          T *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	body(kc, alpha, a, rs_a, cs_a, b, rs_b, beta, c, rs_c, cs_c, mr, nr,
	     false);
}
