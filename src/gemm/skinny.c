/* skinny.c — row vector × matrix, the path for products with m or n of 1:
 * they are bound by memory bandwidth, not FMAs, so they skip packing and
 * stream B once. Compiled once per ISA (MM_GEMV_ISA names it) so that the
 * compiler vectorises the same loops for each instruction set. */
#include "gemm_internal.h"

#ifndef MM_GEMV_ISA
#error "MM_GEMV_ISA must name the instruction set"
#endif

#define CAT4(a, b, c, d) a##b##c##d
#define GEMV_NAME(isa, suf) CAT4(mm_gemm_gemv_, isa, _, suf)

/* Columns per chunk in the row-major case: the accumulators stay in L1. */
enum { JB = 1024, LANES = 32 };

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
			/* A contiguous column: a dot product in LANES        \
			 * independent partial sums, added pairwise. */        \
			T part[LANES] = {0};                                 \
			int64_t p = 0;                                       \
			for (; p + LANES <= k; p += LANES)                   \
				for (int l = 0; l < LANES; l++)              \
					part[l] += x[p + l] * col[p + l];    \
			for (int l = 0; p + l < k; l++)                      \
				part[l] += x[p + l] * col[p + l];            \
			for (int w = LANES / 2; w > 0; w /= 2)               \
				for (int l = 0; l < w; l++)                  \
					part[l] += part[l + w];              \
			s = part[0];                                         \
		} else {                                                    \
			for (int64_t p = 0; p < k; p++)                      \
				s += x[p * incx] * col[p * rs_b];            \
		}                                                           \
		STORE(T, 1, &s, y + j * incy, incy, alpha, beta)            \
	}                                                                   \
}

DEFINE_GEMV(float, f32)
DEFINE_GEMV(double, f64)
