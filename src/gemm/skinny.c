/* skinny.c — row vector × matrix, the path for products with m or n of 1:
 * they are bound by memory bandwidth, not FMAs, so they skip packing and
 * stream B once. Compiled once per ISA (MM_GEMV_ISA names it) so that the
 * compiler vectorises the same loops for each instruction set. */
#include "gemm_internal.h"

#ifndef MM_GEMV_ISA
#error "MM_GEMV_ISA must name the instruction set"
#endif

#include <string.h>

#define CAT4(a, b, c, d) a##b##c##d
#define GEMV_NAME(isa, suf) CAT4(mm_gemm_gemv_, isa, _, suf)

/* Columns per chunk in the row-major case: the accumulators stay in L1. */
enum { JB = 1024 };

/* A dot product of k contiguous values, for the column-major case (a
 * matrix times a column vector): lane-wise partial sums in two vectors of
 * this ISA's width (GCC's and Clang's vector extension; a wider type than
 * the ISA has is lowered through memory), a zero-padded last block, and
 * a fixed tree across the lanes. Written with vectors because an array of
 * 32 partial sums was reduced one float at a time through the stack: a
 * 64×64 matrix times a vector ran at 0.19 of OpenBLAS. The order of the
 * sums depends only on k. */
#if defined(__AVX512F__) || defined(__AVX__)
typedef float vf32x8 __attribute__((vector_size(32)));
typedef double vf64x4 __attribute__((vector_size(32)));

static inline float hsum8_f32(vf32x8 a)
{
	return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

static inline double hsum4_f64(vf64x4 a)
{
	return (a[0] + a[2]) + (a[1] + a[3]);
}
#endif

#if defined(__AVX512F__)
typedef float vf32 __attribute__((vector_size(64)));
typedef double vf64 __attribute__((vector_size(64)));
/* The halves added first; memcpy of a half compiles to an extract. */
static inline float hsum_f32(vf32 v)
{
	vf32x8 lo, hi;
	memcpy(&lo, &v, sizeof lo);
	memcpy(&hi, (const char *)&v + sizeof lo, sizeof hi);
	return hsum8_f32(lo + hi);
}

static inline double hsum_f64(vf64 v)
{
	vf64x4 lo, hi;
	memcpy(&lo, &v, sizeof lo);
	memcpy(&hi, (const char *)&v + sizeof lo, sizeof hi);
	return hsum4_f64(lo + hi);
}
#elif defined(__AVX__)
typedef vf32x8 vf32;
typedef vf64x4 vf64;
#define hsum_f32 hsum8_f32
#define hsum_f64 hsum4_f64
#else
typedef float vf32 __attribute__((vector_size(16)));
typedef double vf64 __attribute__((vector_size(16)));
static inline float hsum_f32(vf32 a)
{
	return (a[0] + a[2]) + (a[1] + a[3]);
}
static inline double hsum_f64(vf64 a)
{
	return a[0] + a[1];
}
#endif

#define DEFINE_DOT(T, V, SUF)                                                \
static inline T dot_##SUF(const T *x, const T *y, int64_t k)                 \
{                                                                            \
	enum { VL = sizeof(V) / sizeof(T) };                                 \
	V s0 = {0}, s1 = {0}, x0, x1, y0, y1;                                \
	int64_t p = 0;                                                       \
	for (; p + 2 * VL <= k; p += 2 * VL) {                               \
		memcpy(&x0, x + p, sizeof x0);                               \
		memcpy(&x1, x + p + VL, sizeof x1);                          \
		memcpy(&y0, y + p, sizeof y0);                               \
		memcpy(&y1, y + p + VL, sizeof y1);                          \
		s0 += x0 * y0;                                               \
		s1 += x1 * y1;                                               \
	}                                                                    \
	if (p < k) {                                                         \
		T xt[2 * VL] = {0}, yt[2 * VL] = {0};                        \
		memcpy(xt, x + p, (size_t)(k - p) * sizeof(T));              \
		memcpy(yt, y + p, (size_t)(k - p) * sizeof(T));              \
		memcpy(&x0, xt, sizeof x0);                                  \
		memcpy(&x1, xt + VL, sizeof x1);                             \
		memcpy(&y0, yt, sizeof y0);                                  \
		memcpy(&y1, yt + VL, sizeof y1);                             \
		s0 += x0 * y0;                                               \
		s1 += x1 * y1;                                               \
	}                                                                    \
	return hsum_##SUF(s0 + s1);                                          \
}

DEFINE_DOT(float, vf32, f32)
DEFINE_DOT(double, vf64, f64)

/* y[j] = alpha·acc[j] + beta·y[j], not reading y when beta == 0. */
#define STORE(T, n, acc, y, incy, alpha, beta)                               \
	for (int64_t jj_ = 0; jj_ < (n); jj_++) {                            \
		T *yj = (y) + jj_ * (incy);                                  \
		*yj = (beta) == 0 ? (alpha) * (acc)[jj_]                     \
		                  : (alpha) * (acc)[jj_] + (beta) * *yj;     \
	}

#define DEFINE_GEMV(T, SUF)                                                  \
void GEMV_NAME(MM_GEMV_ISA, SUF)(int64_t n, int64_t k, T alpha,             \
                                 const T *x, int64_t incx,                  \
                                 const T *b, int64_t rs_b, int64_t cs_b,    \
                                 T beta, T *y, int64_t incy)                \
{                                                                           \
	if (cs_b == 1) {                                                    \
		/* Rows of B are contiguous: y += x[p] · B[p,:], four rows a  \
		 * pass so each accumulator is loaded and stored once. */      \
		for (int64_t j0 = 0; j0 < n; j0 += JB) {                    \
			int64_t jb = n - j0 < JB ? n - j0 : JB;              \
			T acc[JB];                                           \
			for (int64_t j = 0; j < jb; j++)                     \
				acc[j] = 0;                                  \
			int64_t p = 0;                                       \
			for (; p + 4 <= k; p += 4) {                         \
				const T *r0 = b + p * rs_b + j0;             \
				const T *r1 = r0 + rs_b, *r2 = r1 + rs_b;    \
				const T *r3 = r2 + rs_b;                     \
				T x0 = x[p * incx], x1 = x[(p + 1) * incx];  \
				T x2 = x[(p + 2) * incx];                    \
				T x3 = x[(p + 3) * incx];                    \
				for (int64_t j = 0; j < jb; j++) {           \
					T s = acc[j];                        \
					s += x0 * r0[j];                     \
					s += x1 * r1[j];                     \
					s += x2 * r2[j];                     \
					s += x3 * r3[j];                     \
					acc[j] = s;                          \
				}                                            \
			}                                                    \
			for (; p < k; p++) {                                 \
				const T *r0 = b + p * rs_b + j0;             \
				T x0 = x[p * incx];                          \
				for (int64_t j = 0; j < jb; j++)             \
					acc[j] += x0 * r0[j];                \
			}                                                    \
			STORE(T, jb, acc, y + j0 * incy, incy, alpha, beta)  \
		}                                                           \
		return;                                                     \
	}                                                                   \
	for (int64_t j = 0; j < n; j++) {                                   \
		const T *col = b + j * cs_b;                                \
		T s = 0;                                                    \
		if (rs_b == 1 && incx == 1) {                               \
			s = dot_##SUF(x, col, k);                            \
		} else {                                                    \
			for (int64_t p = 0; p < k; p++)                      \
				s += x[p * incx] * col[p * rs_b];            \
		}                                                           \
		STORE(T, 1, &s, y + j * incy, incy, alpha, beta)            \
	}                                                                   \
}

DEFINE_GEMV(float, f32)
DEFINE_GEMV(double, f64)
