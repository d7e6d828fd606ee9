/* skinny.c — row vector × matrix, the path for products with m or n of 1:
 * they are bound by memory bandwidth, not FMAs, so they skip packing and
 * stream B once. Compiled once per ISA (MM_GEMM_ISA names it) so that the
 * compiler vectorises the same loops for each instruction set. */
#include "gemm_internal.h"

#ifndef MM_GEMM_ISA
#error "MM_GEMM_ISA must name the instruction set"
#endif

#include <string.h>

#define CAT4(a, b, c, d) a##b##c##d
#define GEMV_NAME(isa, suf) CAT4(mm_gemm_gemv_, isa, _, suf)
#define ROWS_NAME(isa, suf) CAT4(mm_gemm_rows_, isa, _, suf)

/* Columns per chunk in the row-major case: the accumulators stay in L1. */
enum { JB = 1024 };

/* The column-major case takes four dot products at once (dot4, one
 * reduction for the four), and the row-major one keeps its sums in
 * registers (rowblock), up to this many bytes of B; one at a time
 * beyond, where B streams from L3 or memory and one sequential stream
 * (each row follows the last) is what the prefetcher keeps up with:
 * measured on Zen 4 (1 MiB L2), four at a time was 1.1-1.8x faster up to
 * 2 MiB of f32 or f64 and 5-15% slower at 4-8 MiB. The sums are the same
 * either way. */
#define CACHED_B_MAX ((int64_t)2 << 20)

/* A dot product of k contiguous values, for the column-major case (a
 * matrix times a column vector): lane-wise partial sums in two vectors of
 * this ISA's width (GCC's and Clang's vector extension; a wider type than
 * the ISA has is lowered through memory), a zero-padded last block, and
 * a fixed tree across the lanes. Written with vectors because an array of
 * 32 partial sums was reduced one float at a time through the stack: a
 * 64×64 matrix times a vector ran at 0.19 of OpenBLAS. The order of the
 * sums depends only on k. */
#if defined(__AVX512F__) || defined(__AVX__)
#include <immintrin.h>

typedef float vf32x8 __attribute__((vector_size(32)));
typedef double vf64x4 __attribute__((vector_size(32)));

/* ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)), in registers: the
 * same sums written with vector subscripts went through the stack. */
static inline float hsum8_f32(vf32x8 a)
{
	__m256 v = (__m256)a;
	__m128 q = _mm_add_ps(_mm256_castps256_ps128(v),
	                      _mm256_extractf128_ps(v, 1));
	q = _mm_add_ps(q, _mm_movehl_ps(q, q));
	q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
	return _mm_cvtss_f32(q);
}

/* (a0 + a2) + (a1 + a3). */
static inline double hsum4_f64(vf64x4 a)
{
	__m256d v = (__m256d)a;
	__m128d q = _mm_add_pd(_mm256_castpd256_pd128(v),
	                       _mm256_extractf128_pd(v, 1));
	q = _mm_add_sd(q, _mm_unpackhi_pd(q, q));
	return _mm_cvtsd_f64(q);
}
#endif

#if defined(__AVX512F__)
typedef float vf32 __attribute__((vector_size(64)));
typedef double vf64 __attribute__((vector_size(64)));
/* The halves added first (an extract, not a trip through memory). */
static inline float hsum_f32(vf32 v)
{
	__m512 x = (__m512)v;
	__m256 h = _mm256_add_ps(_mm512_castps512_ps256(x),
	                         _mm512_extractf32x8_ps(x, 1));
	return hsum8_f32((vf32x8)h);
}

static inline double hsum_f64(vf64 v)
{
	__m512d x = (__m512d)v;
	__m256d h = _mm256_add_pd(_mm512_castpd512_pd256(x),
	                          _mm512_extractf64x4_pd(x, 1));
	return hsum4_f64((vf64x4)h);
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

/* hsum_x4: four hsums at once, o[i] = hsum(s[i]) bit for bit (the same
 * adds, lane for lane, with the four side by side in the registers). One
 * reduction for four dot products: one each left a 64×64 matrix times a
 * vector at 0.7 of OpenBLAS even without the trip through memory. */
#if defined(__AVX512F__)
static inline void hsum_x4_f32(const vf32 s[4], float o[4])
{
	__m512 a = (__m512)s[0], b = (__m512)s[1], c = (__m512)s[2];
	__m512 d = (__m512)s[3];
	/* [lo8 + hi8 of a | of b], [of c | of d] */
	__m512 ab = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44),
	                          _mm512_shuffle_f32x4(a, b, 0xEE));
	__m512 cd = _mm512_add_ps(_mm512_shuffle_f32x4(c, d, 0x44),
	                          _mm512_shuffle_f32x4(c, d, 0xEE));
	/* lo4 + hi4 of each, one row a 128-bit lane */
	__m512 q = _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, 0x88),
	                         _mm512_shuffle_f32x4(ab, cd, 0xDD));
	q = _mm512_add_ps(q, _mm512_shuffle_ps(q, q, 0x4E)); /* (0+2) (1+3) */
	q = _mm512_add_ps(q, _mm512_shuffle_ps(q, q, 0xB1)); /* then those */
	o[0] = _mm512_cvtss_f32(q);
	o[1] = _mm_cvtss_f32(_mm512_extractf32x4_ps(q, 1));
	o[2] = _mm_cvtss_f32(_mm512_extractf32x4_ps(q, 2));
	o[3] = _mm_cvtss_f32(_mm512_extractf32x4_ps(q, 3));
}

static inline void hsum_x4_f64(const vf64 s[4], double o[4])
{
	__m512d a = (__m512d)s[0], b = (__m512d)s[1], c = (__m512d)s[2];
	__m512d d = (__m512d)s[3];
	__m512d ab = _mm512_add_pd(_mm512_shuffle_f64x2(a, b, 0x44),
	                           _mm512_shuffle_f64x2(a, b, 0xEE));
	__m512d cd = _mm512_add_pd(_mm512_shuffle_f64x2(c, d, 0x44),
	                           _mm512_shuffle_f64x2(c, d, 0xEE));
	__m512d q = _mm512_add_pd(_mm512_shuffle_f64x2(ab, cd, 0x88),
	                          _mm512_shuffle_f64x2(ab, cd, 0xDD));
	q = _mm512_add_pd(q, _mm512_unpackhi_pd(q, q));
	o[0] = _mm512_cvtsd_f64(q);
	o[1] = _mm_cvtsd_f64(_mm512_extractf64x2_pd(q, 1));
	o[2] = _mm_cvtsd_f64(_mm512_extractf64x2_pd(q, 2));
	o[3] = _mm_cvtsd_f64(_mm512_extractf64x2_pd(q, 3));
}
#elif defined(__AVX__)
static inline void hsum_x4_f32(const vf32 s[4], float o[4])
{
	__m256 a = (__m256)s[0], b = (__m256)s[1], c = (__m256)s[2];
	__m256 d = (__m256)s[3];
	/* [lo4 + hi4 of a | of b], [of c | of d] */
	__m256 ab = _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20),
	                          _mm256_permute2f128_ps(a, b, 0x31));
	__m256 cd = _mm256_add_ps(_mm256_permute2f128_ps(c, d, 0x20),
	                          _mm256_permute2f128_ps(c, d, 0x31));
	/* (0+2) (1+3) of a, c | of b, d; then those */
	__m256 q = _mm256_add_ps(_mm256_shuffle_ps(ab, cd, 0x44),
	                         _mm256_shuffle_ps(ab, cd, 0xEE));
	q = _mm256_add_ps(q, _mm256_shuffle_ps(q, q, 0xB1));
	__m128 lo = _mm256_castps256_ps128(q), hi = _mm256_extractf128_ps(q, 1);
	o[0] = _mm_cvtss_f32(lo);
	o[1] = _mm_cvtss_f32(hi);
	o[2] = _mm_cvtss_f32(_mm_movehl_ps(lo, lo));
	o[3] = _mm_cvtss_f32(_mm_movehl_ps(hi, hi));
}

static inline void hsum_x4_f64(const vf64 s[4], double o[4])
{
	__m256d a = (__m256d)s[0], b = (__m256d)s[1], c = (__m256d)s[2];
	__m256d d = (__m256d)s[3];
	__m256d ab = _mm256_add_pd(_mm256_permute2f128_pd(a, b, 0x20),
	                           _mm256_permute2f128_pd(a, b, 0x31));
	__m256d cd = _mm256_add_pd(_mm256_permute2f128_pd(c, d, 0x20),
	                           _mm256_permute2f128_pd(c, d, 0x31));
	__m256d q = _mm256_hadd_pd(ab, cd); /* a c | b d */
	__m128d lo = _mm256_castpd256_pd128(q);
	__m128d hi = _mm256_extractf128_pd(q, 1);
	o[0] = _mm_cvtsd_f64(lo);
	o[1] = _mm_cvtsd_f64(hi);
	o[2] = _mm_cvtsd_f64(_mm_unpackhi_pd(lo, lo));
	o[3] = _mm_cvtsd_f64(_mm_unpackhi_pd(hi, hi));
}
#else
static inline void hsum_x4_f32(const vf32 s[4], float o[4])
{
	for (int i = 0; i < 4; i++)
		o[i] = hsum_f32(s[i]);
}

static inline void hsum_x4_f64(const vf64 s[4], double o[4])
{
	for (int i = 0; i < 4; i++)
		o[i] = hsum_f64(s[i]);
}
#endif

#define DEFINE_DOT(T, V, SUF)                                                \
static inline V ld_##SUF(const T *p)                                         \
{                                                                            \
	V v;                                                                 \
	memcpy(&v, p, sizeof v);                                             \
	return v;                                                            \
}                                                                            \
                                                                             \
/* The last n < 2·VL values at s, zero-padded to two vectors. */            \
static inline void tail_##SUF(const T *s, int64_t n, V *v0, V *v1)           \
{                                                                            \
	enum { VL = sizeof(V) / sizeof(T) };                                 \
	T t[2 * VL] = {0};                                                   \
	memcpy(t, s, (size_t)n * sizeof(T));                                 \
	*v0 = ld_##SUF(t);                                                   \
	*v1 = ld_##SUF(t + VL);                                              \
}                                                                            \
                                                                             \
/* x·y in lanes: hsum_##SUF of it is the dot product. */                     \
static inline V dot_##SUF(const T *x, const T *y, int64_t k)                 \
{                                                                            \
	enum { VL = sizeof(V) / sizeof(T) };                                 \
	V s0 = {0}, s1 = {0}, x0, x1, y0, y1;                                \
	int64_t p = 0;                                                       \
	for (; p + 2 * VL <= k; p += 2 * VL) {                               \
		s0 += ld_##SUF(x + p) * ld_##SUF(y + p);                     \
		s1 += ld_##SUF(x + p + VL) * ld_##SUF(y + p + VL);           \
	}                                                                    \
	if (p < k) {                                                         \
		tail_##SUF(x + p, k - p, &x0, &x1);                          \
		tail_##SUF(y + p, k - p, &y0, &y1);                          \
		s0 += x0 * y0;                                               \
		s1 += x1 * y1;                                               \
	}                                                                    \
	return s0 + s1;                                                      \
}                                                                            \
                                                                             \
/* The same for the four rows y, y + cs, y + 2·cs, y + 3·cs at once (x     \
 * loaded once for the four), lane for lane the same sums. */                \
static inline void dot4_##SUF(const T *x, const T *y, int64_t cs,            \
                              int64_t k, V s[4])                             \
{                                                                            \
	enum { VL = sizeof(V) / sizeof(T) };                                 \
	const T *y1 = y + cs, *y2 = y1 + cs, *y3 = y2 + cs;                  \
	V a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0}, c0 = {0}, c1 = {0},        \
	  d0 = {0}, d1 = {0}, x0, x1, t0, t1;                                \
	int64_t p = 0;                                                       \
	for (; p + 2 * VL <= k; p += 2 * VL) {                               \
		x0 = ld_##SUF(x + p);                                        \
		x1 = ld_##SUF(x + p + VL);                                   \
		a0 += x0 * ld_##SUF(y + p);                                  \
		a1 += x1 * ld_##SUF(y + p + VL);                             \
		b0 += x0 * ld_##SUF(y1 + p);                                 \
		b1 += x1 * ld_##SUF(y1 + p + VL);                            \
		c0 += x0 * ld_##SUF(y2 + p);                                 \
		c1 += x1 * ld_##SUF(y2 + p + VL);                            \
		d0 += x0 * ld_##SUF(y3 + p);                                 \
		d1 += x1 * ld_##SUF(y3 + p + VL);                            \
	}                                                                    \
	if (p < k) {                                                         \
		tail_##SUF(x + p, k - p, &x0, &x1);                          \
		tail_##SUF(y + p, k - p, &t0, &t1);                          \
		a0 += x0 * t0;                                               \
		a1 += x1 * t1;                                               \
		tail_##SUF(y1 + p, k - p, &t0, &t1);                         \
		b0 += x0 * t0;                                               \
		b1 += x1 * t1;                                               \
		tail_##SUF(y2 + p, k - p, &t0, &t1);                         \
		c0 += x0 * t0;                                               \
		c1 += x1 * t1;                                               \
		tail_##SUF(y3 + p, k - p, &t0, &t1);                         \
		d0 += x0 * t0;                                               \
		d1 += x1 * t1;                                               \
	}                                                                    \
	s[0] = a0 + a1;                                                      \
	s[1] = b0 + b1;                                                      \
	s[2] = c0 + c1;                                                      \
	s[3] = d0 + d1;                                                      \
}

typedef vf32 V_f32;
typedef vf64 V_f64;
DEFINE_DOT(float, vf32, f32)
DEFINE_DOT(double, vf64, f64)

/* x·B for 4·VL columns of a row-major B, in four vectors of sums held in
 * registers over all of k: each sum in the order of p, as the row-wise
 * passes below add them. */
#define DEFINE_ROWBLOCK(T, V, SUF)                                           \
static inline void rowblock_##SUF(const T *x, int64_t incx, const T *b,      \
                                  int64_t rs_b, int64_t k, T *o)             \
{                                                                            \
	enum { VL = sizeof(V) / sizeof(T) };                                 \
	V a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};                            \
	for (int64_t p = 0; p < k; p++, b += rs_b) {                         \
		T xp = x[p * incx];                                          \
		a0 += xp * ld_##SUF(b);                                      \
		a1 += xp * ld_##SUF(b + VL);                                 \
		a2 += xp * ld_##SUF(b + 2 * VL);                             \
		a3 += xp * ld_##SUF(b + 3 * VL);                             \
	}                                                                    \
	memcpy(o, &a0, sizeof a0);                                           \
	memcpy(o + VL, &a1, sizeof a1);                                      \
	memcpy(o + 2 * VL, &a2, sizeof a2);                                  \
	memcpy(o + 3 * VL, &a3, sizeof a3);                                  \
}

DEFINE_ROWBLOCK(float, vf32, f32)
DEFINE_ROWBLOCK(double, vf64, f64)

/* y[j] = alpha·acc[j] + beta·y[j], not reading y when beta == 0. */
#define STORE(T, n, acc, y, incy, alpha, beta)                               \
	for (int64_t jj_ = 0; jj_ < (n); jj_++) {                            \
		T *yj = (y) + jj_ * (incy);                                  \
		*yj = (beta) == 0 ? (alpha) * (acc)[jj_]                     \
		                  : (alpha) * (acc)[jj_] + (beta) * *yj;     \
	}

#define DEFINE_GEMV(T, SUF)                                                  \
void GEMV_NAME(MM_GEMM_ISA, SUF)(int64_t n, int64_t k, T alpha,             \
                                 const T *x, int64_t incx,                  \
                                 const T *b, int64_t rs_b, int64_t cs_b,    \
                                 T beta, T *y, int64_t incy)                \
{                                                                           \
	if (cs_b == 1) {                                                    \
		/* Rows of B are contiguous: y += x[p] · B[p,:]. A B in       \
		 * cache goes 4·VL columns at a time, the sums in registers;  \
		 * the rest (or a larger B, streamed row after row) in passes \
		 * of four rows over JB sums in memory. */                    \
		enum { VB = 4 * sizeof(V_##SUF) / sizeof(T) };               \
		int64_t j0 = 0;                                              \
		if (n * k * (int64_t)sizeof(T) <= CACHED_B_MAX)                  \
			for (; j0 + VB <= n; j0 += VB) {                     \
				T o[VB];                                     \
				rowblock_##SUF(x, incx, b + j0, rs_b, k, o); \
				STORE(T, VB, o, y + j0 * incy, incy, alpha,  \
				      beta)                                  \
			}                                                    \
		for (; j0 < n; j0 += JB) {                                   \
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
	int64_t j = 0;                                                      \
	if (rs_b == 1 && incx == 1 &&                                       \
	    n * k * (int64_t)sizeof(T) <= CACHED_B_MAX)                         \
		for (; j + 4 <= n; j += 4) {                                \
			V_##SUF v[4];                                        \
			T o[4];                                              \
			dot4_##SUF(x, b + j * cs_b, cs_b, k, v);             \
			hsum_x4_##SUF(v, o);                                   \
			STORE(T, 4, o, y + j * incy, incy, alpha, beta)      \
		}                                                           \
	for (; j < n; j++) {                                                \
		const T *col = b + j * cs_b;                                \
		T s = 0;                                                    \
		if (rs_b == 1 && incx == 1) {                               \
			s = hsum_##SUF(dot_##SUF(x, col, k));                \
		} else {                                                    \
			for (int64_t p = 0; p < k; p++)                      \
				s += x[p * incx] * col[p * rs_b];            \
		}                                                           \
		STORE(T, 1, &s, y + j * incy, incy, alpha, beta)            \
	}                                                                   \
}

DEFINE_GEMV(float, f32)
DEFINE_GEMV(double, f64)

/* The few-row kernel (gemm_internal.h, mm_gemm_rows_f32): m <= 16 rows of
 * A against kb rows of a row-major B, the sums of g rows × nv vectors of
 * columns in registers over the kb rows, then back to c. Rows go in
 * groups of at most GMAX (two or three of them share each sliver of B,
 * read from L1 the second time), as even as they divide, with the
 * widest sliver NV_OF the larger group leaves registers for (its sums,
 * one vector of B each and a broadcast of A). Every element of C is one
 * chain of FMAs (a multiply and an add where the ISA has no FMA) in the
 * order of p, from zero (first) or from c, whichever group, sliver or
 * padded tail computes it; so the bits depend neither on how the
 * columns are split among threads nor on the row groups. */
#if defined(__AVX512F__)
#define NREG 32
#define SPLAT_f32(x) ((vf32)_mm512_set1_ps(x))
#define SPLAT_f64(x) ((vf64)_mm512_set1_pd(x))
#define VFMA_f32(a, b, c) \
	((vf32)_mm512_fmadd_ps((__m512)(a), (__m512)(b), (__m512)(c)))
#define VFMA_f64(a, b, c) \
	((vf64)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
#elif defined(__AVX__) && defined(__FMA__)
#define NREG 16
#define SPLAT_f32(x) ((vf32)_mm256_set1_ps(x))
#define SPLAT_f64(x) ((vf64)_mm256_set1_pd(x))
#define VFMA_f32(a, b, c) \
	((vf32)_mm256_fmadd_ps((__m256)(a), (__m256)(b), (__m256)(c)))
#define VFMA_f64(a, b, c) \
	((vf64)_mm256_fmadd_pd((__m256d)(a), (__m256d)(b), (__m256d)(c)))
#else
#define NREG 16
#define SPLAT_f32(x) (((vf32){0} + 1) * (x))
#define SPLAT_f64(x) (((vf64){0} + 1) * (x))
#define VFMA_f32(a, b, c) ((a) * (b) + (c))
#define VFMA_f64(a, b, c) ((a) * (b) + (c))
#endif

enum { GMAX = NREG / 4, NVMAX = 8 };
#define NV_OF(g) ((NREG - 1) / ((g) + 1) < NVMAX ? (NREG - 1) / ((g) + 1) : NVMAX)

/* The most rows of B a call takes (the padded tail's buffer). */
enum { ROWS_KB_MAX = MM_GEMM_ROWS_KB };

/* Bytes ahead along each row of B that a sliver prefetches. */
/* Bytes ahead along each row of B that a sliver prefetches into L1:
 * measured at (8x4096)@(4096x4096) f32 on a Zen 5 VM, 512 bytes 2.2-2.8x
 * OpenBLAS, 256 2.3-2.5x, 1024 2.0-2.5x, none 1.7-2.1x; into L2 only
 * (prefetcht2) no better. */
enum { ROWS_AHEAD = 512 };

#define DEFINE_ROWS(T, SUF)                                                  \
/* g rows (from row a's column) × nv vectors of columns. */                  \
static inline __attribute__((always_inline)) void                           \
rtile_##SUF(int g, int nv, int m, int64_t kb, const T *restrict a,           \
            const T *restrict b, int64_t rs_b, T *restrict c, int64_t rs_c, \
            bool first)                                                      \
{                                                                            \
	enum { VL = sizeof(V_##SUF) / sizeof(T) };                           \
	V_##SUF acc[GMAX][NVMAX], bv[NVMAX];                                 \
	_Pragma("GCC unroll 8")                                              \
	for (int i = 0; i < g; i++)                                          \
		_Pragma("GCC unroll 8")                                      \
		for (int v = 0; v < nv; v++)                                 \
			acc[i][v] = first ? (V_##SUF){0}                     \
			                  : ld_##SUF(c + i * rs_c + v * VL); \
	for (int64_t p = 0; p < kb; p++) {                                   \
		_Pragma("GCC unroll 8")                                      \
		for (int v = 0; v < nv; v++)                                 \
			bv[v] = ld_##SUF(b + p * rs_b + v * VL);             \
		_Pragma("GCC unroll 8")                                      \
		for (int i = 0; i < g; i++) {                                \
			V_##SUF ai = SPLAT_##SUF(a[p * m + i]);              \
			_Pragma("GCC unroll 8")                              \
			for (int v = 0; v < nv; v++)                         \
				acc[i][v] = VFMA_##SUF(ai, bv[v], acc[i][v]); \
		}                                                            \
	}                                                                    \
	_Pragma("GCC unroll 8")                                              \
	for (int i = 0; i < g; i++)                                          \
		_Pragma("GCC unroll 8")                                      \
		for (int v = 0; v < nv; v++)                                 \
			memcpy(c + i * rs_c + v * VL, &acc[i][v],            \
			       sizeof acc[i][v]);                            \
}                                                                            \
                                                                             \
/* One sliver, nv vectors wide, for all m rows: nbig groups of gs rows,    \
 * then groups of gs - 1 (the rows' sums of one group, then the next's). */ \
static inline __attribute__((always_inline)) void                           \
rsliver_##SUF(int gs, int nbig, int nv, int m, int64_t kb, const T *a,       \
              const T *b, int64_t rs_b, T *c, int64_t rs_c, bool first)     \
{                                                                            \
	int i0 = 0;                                                          \
	for (int q = 0; q < nbig; q++, i0 += gs)                             \
		rtile_##SUF(gs, nv, m, kb, a + i0, b, rs_b, c + i0 * rs_c,   \
		            rs_c, first);                                    \
	if (gs > 1)                                                          \
		for (; i0 < m; i0 += gs - 1)                                 \
			rtile_##SUF(gs > 1 ? gs - 1 : 1, nv, m, kb, a + i0, b,\
			            rs_b, c + i0 * rs_c, rs_c, first);       \
}                                                                            \
                                                                             \
/* The slivers of n columns, nv vectors wide, then the last n mod W         \
 * columns through a padded copy (of B's rows and, unless first, of C's). */ \
static inline __attribute__((always_inline)) void                           \
rcols_##SUF(int gs, int nbig, int nv, int m, int64_t kb, int64_t n,            \
            const T *a, const T *b, int64_t rs_b, T *c, int64_t rs_c,       \
            bool first)                                                      \
{                                                                            \
	enum { VL = sizeof(V_##SUF) / sizeof(T) };                           \
	const int64_t w = nv * VL, pf = ROWS_AHEAD / (int64_t)sizeof(T);        \
	int64_t j = 0;                                                       \
	for (; j + w <= n; j += w) {                                         \
		if (j + w + pf <= n)                                   \
			for (int64_t p = 0; p < kb; p++)                     \
				for (int64_t o = 0; o < w;                   \
				     o += 64 / (int64_t)sizeof(T))           \
					__builtin_prefetch(b + p * rs_b +    \
					                   j + pf + o);      \
		rsliver_##SUF(gs, nbig, nv, m, kb, a, b + j, rs_b, c + j, rs_c,\
		              first);                                        \
	}                                                                    \
	if (j == n)                                                          \
		return;                                                      \
	_Alignas(64) T bt[ROWS_KB_MAX * NVMAX * VL];                         \
	_Alignas(64) T ct[16 * NVMAX * VL];                                  \
	const int64_t r = n - j;                                             \
	for (int64_t p = 0; p < kb; p++) {                                   \
		memcpy(bt + p * w, b + p * rs_b + j, (size_t)r * sizeof(T)); \
		memset(bt + p * w + r, 0, (size_t)(w - r) * sizeof(T));      \
	}                                                                    \
	if (!first)                                                          \
		for (int i = 0; i < m; i++)                                  \
			memcpy(ct + i * w, c + i * rs_c + j,                 \
			       (size_t)r * sizeof(T));                       \
	rsliver_##SUF(gs, nbig, nv, m, kb, a, bt, w, ct, w, first);            \
	for (int i = 0; i < m; i++)                                          \
		memcpy(c + i * rs_c + j, ct + i * w, (size_t)r * sizeof(T));  \
}                                                                            \
                                                                             \
void ROWS_NAME(MM_GEMM_ISA, SUF)(int m, int64_t kb, int64_t n, \
                                              const T *a, const T *b,       \
                                              int64_t rs_b, T *c,           \
                                              int64_t rs_c, bool first)     \
{                                                                            \
	const int ng = (m + GMAX - 1) / GMAX, gs = (m + ng - 1) / ng;        \
	const int nbig = m - ng * (gs - 1);                                  \
	switch (gs) {                                                        \
	ROWS_CASES(SUF)                                                      \
	}                                                                    \
}

/* gs rows a group (some of gs - 1), the widest sliver for gs. */
#define ROWS_CASE(SUF, G)                                                    \
	case G:                                                              \
		rcols_##SUF(G, nbig, NV_OF(G), m, kb, n, a, b, rs_b, c, rs_c,\
		            first);                                          \
		break;
#if NREG == 32
#define ROWS_CASES(SUF) ROWS_CASE(SUF, 1) ROWS_CASE(SUF, 2)                  \
	ROWS_CASE(SUF, 3) ROWS_CASE(SUF, 4) ROWS_CASE(SUF, 5)                \
	ROWS_CASE(SUF, 6) ROWS_CASE(SUF, 7) ROWS_CASE(SUF, 8)
#else
#define ROWS_CASES(SUF) ROWS_CASE(SUF, 1) ROWS_CASE(SUF, 2)                  \
	ROWS_CASE(SUF, 3) ROWS_CASE(SUF, 4)
#endif

DEFINE_ROWS(float, f32)
DEFINE_ROWS(double, f64)
