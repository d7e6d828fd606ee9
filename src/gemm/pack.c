/* pack.c — copying A and B into the micro-kernels' sliver layouts.
 * Compiled once per ISA (MM_GEMM_ISA names it), so that transposed
 * operands are packed with that ISA's vector transposes: a row-major A
 * (a sliver's MR rows at a time) and a B stored by columns (B.T of a
 * row-major matrix) go through 16×16 (float) or 8×8 (double) transposes
 * in registers with AVX-512, 8×8 or 4×4 with AVX2. Element by element, packing the B of A @ B.T
 * was 15% of a 1024³ float product. The routines themselves are in
 * pack_tmpl.h. */
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "gemm_internal.h"

#ifndef MM_GEMM_ISA
#error "MM_GEMM_ISA must name the instruction set"
#endif

#define CAT3_(a, b, c) a##b##c
#define CAT3(a, b, c) CAT3_(a, b, c)
#define CAT6_(a, b, c, d, e, f) a##b##c##d##e##f
#define CAT6(a, b, c, d, e, f) CAT6_(a, b, c, d, e, f)
#define PACK_NAME(isa, what, suf) CAT6(mm_gemm_pack_, what, _, isa, _, suf)

/* Row-major A into sliver layout, a few rows at a time with SSE2 (part
 * of every x86-64): dst[p·mr + i] = s[i·rs + p] for the rows i of one
 * group and p < kc. A 4×4 (float) or 2×2 (double) transpose in registers
 * replaces element-by-element strided stores, which made packing A 7% of
 * a 1024³ product. */
static void pack_rows_f32(float *restrict dst, int mr, const float *s,
                          int64_t rs, int64_t kc)
{
	int64_t p = 0;
#ifdef __SSE2__
	for (; p + 4 <= kc; p += 4) {
		__m128 r0 = _mm_loadu_ps(s + p), r1 = _mm_loadu_ps(s + rs + p);
		__m128 r2 = _mm_loadu_ps(s + 2 * rs + p);
		__m128 r3 = _mm_loadu_ps(s + 3 * rs + p);
		_MM_TRANSPOSE4_PS(r0, r1, r2, r3);
		_mm_storeu_ps(dst + p * mr, r0);
		_mm_storeu_ps(dst + (p + 1) * mr, r1);
		_mm_storeu_ps(dst + (p + 2) * mr, r2);
		_mm_storeu_ps(dst + (p + 3) * mr, r3);
	}
#endif
	for (; p < kc; p++)
		for (int i = 0; i < 4; i++)
			dst[p * mr + i] = s[i * rs + p];
}

static void pack_rows_f64(double *restrict dst, int mr, const double *s,
                          int64_t rs, int64_t kc)
{
	int64_t p = 0;
#ifdef __SSE2__
	for (; p + 2 <= kc; p += 2) {
		__m128d r0 = _mm_loadu_pd(s + p), r1 = _mm_loadu_pd(s + rs + p);
		_mm_storeu_pd(dst + p * mr, _mm_unpacklo_pd(r0, r1));
		_mm_storeu_pd(dst + (p + 1) * mr, _mm_unpackhi_pd(r0, r1));
	}
#endif
	for (; p < kc; p++)
		for (int i = 0; i < 2; i++)
			dst[p * mr + i] = s[i * rs + p];
}

/* Copies n bytes, with the widths of whole slivers known to the compiler
 * (NR of every kernel is 32, 64 or 128 bytes), so that these copies are a
 * few moves, not a call to memcpy. */
static inline void copy_sliver_row(char *restrict d, const char *restrict s,
                                   size_t n)
{
	switch (n) {
	case 128: memcpy(d, s, 128); break;
	case 64: memcpy(d, s, 64); break;
	case 32: memcpy(d, s, 32); break;
	default: memcpy(d, s, n); break;
	}
}

/* Rows of a row-major B into slivers (the element type's pack_b calls it
 * with sizes in bytes): `rows` rows `ld` bytes apart, `width` bytes long,
 * cut into slivers of `sw` bytes (the last zero-padded), sliver s at
 * dst + s·sstride, one row of it every sw bytes.
 * The rows are taken PACK_ROWS at a time, each sliver's part of them in
 * turn, with the next-but-one sliver's part of the same row prefetched.
 * Copying one sliver at a time down the whole k block read B in strides
 * of its row length; at 4096 doubles a row (32 KiB) those lines all fall
 * in one set of the 8-way L1 and in four of L2. Packing a 4096×4096 f64
 * B in 256×256 blocks took 16 ms that way, and takes 8.3 ms eight rows
 * (the L1's ways) at a time; the prefetch keeps 4000 doubles a row as
 * fast (8.5 ms, against 11.4 without). With each B block packed into
 * L2 for each of two 512-row panels, the (1024x4096)@(4096x4096) f64
 * layer on one thread went from 53.2-53.6 to 54.5-54.9 GFLOP/s. */
enum { PACK_ROWS = 8, PACK_AHEAD = 2 };
static void pack_rows_b(void *restrict dst, size_t sstride, const void *b,
                        int64_t ld, int rows, size_t width, size_t sw)
{
	char *d = dst;
	for (size_t j0 = 0; j0 < width; j0 += sw, d += sstride) {
		size_t w = width - j0 < sw ? width - j0 : sw;
		for (int p = 0; p < rows; p++) {
			const char *s = (const char *)b + p * ld + (int64_t)j0;
			uintptr_t ahead = (uintptr_t)s + PACK_AHEAD * sw;
			for (size_t o = 0; o < sw; o += 64)
				__builtin_prefetch((const void *)(ahead + o));
			copy_sliver_row(d + (size_t)p * sw, s, w);
			if (w < sw)
				memset(d + (size_t)p * sw + w, 0, sw - w);
		}
	}
}

/* trb_SUF: a sliver of w <= nr columns of B stored by columns (column j
 * at b + j·cs), L rows of B at a time (L the lanes of a vector V): each
 * group of L columns is loaded as L vectors along k and transposed (TR)
 * into L rows of the sliver, columns past w zero. Returns the rows of B
 * done (none if nr is not a multiple of L). */
#define DEFINE_TRB(SUF, T, V, L, LOADU, ZERO, STOREU, TR)                \
static int64_t trb_##SUF(T *restrict dst, const T *b, int64_t cs,        \
                         int64_t kc, int w, int nr)                      \
{                                                                        \
	int64_t p = 0;                                                   \
	if (nr % (L))                                                    \
		return 0;                                                \
	for (; p + (L) <= kc; p += (L))                                  \
		for (int j0 = 0; j0 < nr; j0 += (L)) {                   \
			V x[L], o[L];                                    \
			for (int j = 0; j < (L); j++)                    \
				x[j] = j0 + j < w                        \
				       ? LOADU(b + (j0 + j) * cs + p)    \
				       : ZERO();                         \
			TR(x, o);                                        \
			for (int q = 0; q < (L); q++)                    \
				STOREU(dst + (p + q) * nr + j0, o[q]);   \
		}                                                        \
	return p;                                                        \
}

#ifdef __AVX512F__
/* Transposes 16 rows of 16 floats: o[j][i] = r[i][j]. Unpacks and
 * in-lane shuffles make 4×4 blocks within each 128-bit lane, two rounds
 * of lane shuffles put the lanes in place: 64 shuffles. */
static inline void tr16_ps(__m512 r[16], __m512 o[16])
{
	__m512 u[16];
	for (int g = 0; g < 4; g++) {
		__m512 t0 = _mm512_unpacklo_ps(r[4 * g], r[4 * g + 1]);
		__m512 t1 = _mm512_unpackhi_ps(r[4 * g], r[4 * g + 1]);
		__m512 t2 = _mm512_unpacklo_ps(r[4 * g + 2], r[4 * g + 3]);
		__m512 t3 = _mm512_unpackhi_ps(r[4 * g + 2], r[4 * g + 3]);
		/* u[4g + c], lane L: column 4L + c of rows 4g..4g+3 */
		u[4 * g] = _mm512_shuffle_ps(t0, t2, 0x44);
		u[4 * g + 1] = _mm512_shuffle_ps(t0, t2, 0xEE);
		u[4 * g + 2] = _mm512_shuffle_ps(t1, t3, 0x44);
		u[4 * g + 3] = _mm512_shuffle_ps(t1, t3, 0xEE);
	}
	for (int c = 0; c < 4; c++) {
		__m512 x = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);
		__m512 y = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
		__m512 x2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
		__m512 y2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
		o[c] = _mm512_shuffle_f32x4(x, x2, 0x88);
		o[8 + c] = _mm512_shuffle_f32x4(x, x2, 0xDD);
		o[4 + c] = _mm512_shuffle_f32x4(y, y2, 0x88);
		o[12 + c] = _mm512_shuffle_f32x4(y, y2, 0xDD);
	}
}

/* Transposes 8 rows of 8 doubles: o[j][i] = r[i][j] (24 shuffles). */
static inline void tr8_pd(__m512d r[8], __m512d o[8])
{
	__m512d t[4][2];
	for (int g = 0; g < 4; g++) {
		/* lane L of t[g][e]: column 2L + e of rows 2g, 2g+1 */
		t[g][0] = _mm512_unpacklo_pd(r[2 * g], r[2 * g + 1]);
		t[g][1] = _mm512_unpackhi_pd(r[2 * g], r[2 * g + 1]);
	}
	for (int e = 0; e < 2; e++) {
		__m512d a = _mm512_shuffle_f64x2(t[0][e], t[1][e], 0x88);
		__m512d b = _mm512_shuffle_f64x2(t[2][e], t[3][e], 0x88);
		__m512d a2 = _mm512_shuffle_f64x2(t[0][e], t[1][e], 0xDD);
		__m512d b2 = _mm512_shuffle_f64x2(t[2][e], t[3][e], 0xDD);
		o[e] = _mm512_shuffle_f64x2(a, b, 0x88);
		o[4 + e] = _mm512_shuffle_f64x2(a, b, 0xDD);
		o[2 + e] = _mm512_shuffle_f64x2(a2, b2, 0x88);
		o[6 + e] = _mm512_shuffle_f64x2(a2, b2, 0xDD);
	}
}

/* Up to 8 rows (r of them, zeros below) of a row-major float A, 16
 * columns at a time, into an MR = 8 sliver (another MR: 0 done): two in-lane rounds as in
 * tr16_ps on the 8 rows, then each pair of 4-row halves is put side by
 * side (32 shuffles, 16 half-width stores). Returns the columns done. */
static int64_t tra_f32(float *restrict dst, const float *a, int64_t rs,
                       int r, int64_t kc, int mr)
{
	int64_t p = 0;
	if (mr != 8)
		return 0;
	for (; p + 16 <= kc; p += 16) {
		__m512 u[8];
		for (int g = 0; g < 2; g++) {
			__m512 x[4];
			for (int i = 0; i < 4; i++)
				x[i] = 4 * g + i < r
				       ? _mm512_loadu_ps(a + (4 * g + i) * rs + p)
				       : _mm512_setzero_ps();
			__m512 t0 = _mm512_unpacklo_ps(x[0], x[1]);
			__m512 t1 = _mm512_unpackhi_ps(x[0], x[1]);
			__m512 t2 = _mm512_unpacklo_ps(x[2], x[3]);
			__m512 t3 = _mm512_unpackhi_ps(x[2], x[3]);
			u[4 * g] = _mm512_shuffle_ps(t0, t2, 0x44);
			u[4 * g + 1] = _mm512_shuffle_ps(t0, t2, 0xEE);
			u[4 * g + 2] = _mm512_shuffle_ps(t1, t3, 0x44);
			u[4 * g + 3] = _mm512_shuffle_ps(t1, t3, 0xEE);
		}
		float *d = dst + p * 8;
		for (int c = 0; c < 4; c++) {
			/* [c rows 0-3 | c rows 4-7 | 4+c rows 0-3 | 4+c rows 4-7],
			 * then the same for columns 8+c and 12+c */
			__m512 lo = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44);
			__m512 hi = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
			lo = _mm512_shuffle_f32x4(lo, lo, 0xD8);
			hi = _mm512_shuffle_f32x4(hi, hi, 0xD8);
			_mm256_storeu_ps(d + c * 8, _mm512_castps512_ps256(lo));
			_mm256_storeu_ps(d + (4 + c) * 8,
			                 _mm512_extractf32x8_ps(lo, 1));
			_mm256_storeu_ps(d + (8 + c) * 8, _mm512_castps512_ps256(hi));
			_mm256_storeu_ps(d + (12 + c) * 8,
			                 _mm512_extractf32x8_ps(hi, 1));
		}
	}
	return p;
}

/* The same for double: 8 rows of 8 columns at a time. */
static int64_t tra_f64(double *restrict dst, const double *a, int64_t rs,
                       int r, int64_t kc, int mr)
{
	int64_t p = 0;
	if (mr != 8)
		return 0;
	for (; p + 8 <= kc; p += 8) {
		__m512d x[8], o[8];
		for (int i = 0; i < 8; i++)
			x[i] = i < r ? _mm512_loadu_pd(a + i * rs + p)
			             : _mm512_setzero_pd();
		tr8_pd(x, o);
		for (int j = 0; j < 8; j++)
			_mm512_storeu_pd(dst + (p + j) * 8, o[j]);
	}
	return p;
}

DEFINE_TRB(f32, float, __m512, 16, _mm512_loadu_ps, _mm512_setzero_ps,
           _mm512_storeu_ps, tr16_ps)
DEFINE_TRB(f64, double, __m512d, 8, _mm512_loadu_pd, _mm512_setzero_pd,
           _mm512_storeu_pd, tr8_pd)
#elif defined(__AVX2__)
/* Transposes 8 rows of 8 floats: o[j][i] = r[i][j] (24 shuffles). */
static inline void tr8_ps(const __m256 r[8], __m256 o[8])
{
	__m256 u[8];
	for (int g = 0; g < 2; g++) {
		__m256 t0 = _mm256_unpacklo_ps(r[4 * g], r[4 * g + 1]);
		__m256 t1 = _mm256_unpackhi_ps(r[4 * g], r[4 * g + 1]);
		__m256 t2 = _mm256_unpacklo_ps(r[4 * g + 2], r[4 * g + 3]);
		__m256 t3 = _mm256_unpackhi_ps(r[4 * g + 2], r[4 * g + 3]);
		/* u[4g + c], lane L: column 4L + c of rows 4g..4g+3 */
		u[4 * g] = _mm256_shuffle_ps(t0, t2, 0x44);
		u[4 * g + 1] = _mm256_shuffle_ps(t0, t2, 0xEE);
		u[4 * g + 2] = _mm256_shuffle_ps(t1, t3, 0x44);
		u[4 * g + 3] = _mm256_shuffle_ps(t1, t3, 0xEE);
	}
	for (int c = 0; c < 4; c++) {
		o[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
		o[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
	}
}

/* Transposes 4 rows of 4 doubles (8 shuffles). */
static inline void tr4_pd(const __m256d r[4], __m256d o[4])
{
	__m256d t0 = _mm256_unpacklo_pd(r[0], r[1]);
	__m256d t1 = _mm256_unpackhi_pd(r[0], r[1]);
	__m256d t2 = _mm256_unpacklo_pd(r[2], r[3]);
	__m256d t3 = _mm256_unpackhi_pd(r[2], r[3]);
	o[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
	o[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
	o[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
	o[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

/* Up to 6 rows (r of them, zeros below) of a row-major float A into an
 * MR = 6 sliver, 8 columns at a time: an 8×8 transpose of the rows and
 * two of zeros, six lanes of each result stored. */
static int64_t tra_f32(float *restrict dst, const float *a, int64_t rs,
                       int r, int64_t kc, int mr)
{
	int64_t p = 0;
	if (mr != 6)
		return 0;
	const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
	for (; p + 8 <= kc; p += 8) {
		__m256 x[8], o[8];
		for (int i = 0; i < 8; i++)
			x[i] = i < r ? _mm256_loadu_ps(a + i * rs + p)
			             : _mm256_setzero_ps();
		tr8_ps(x, o);
		for (int j = 0; j < 8; j++)
			_mm256_maskstore_ps(dst + (p + j) * 6, six, o[j]);
	}
	return p;
}

/* The same for double: rows 0-3 and 4-5 (with two of zeros) through
 * 4×4 transposes, 4 columns at a time. */
static int64_t tra_f64(double *restrict dst, const double *a, int64_t rs,
                       int r, int64_t kc, int mr)
{
	int64_t p = 0;
	if (mr != 6)
		return 0;
	for (; p + 4 <= kc; p += 4) {
		__m256d x[4], o[4];
		for (int h = 0; h < 2; h++) {
			for (int i = 0; i < 4; i++)
				x[i] = 4 * h + i < r && 4 * h + i < 6
				       ? _mm256_loadu_pd(a + (4 * h + i) * rs + p)
				       : _mm256_setzero_pd();
			tr4_pd(x, o);
			for (int j = 0; j < 4; j++) {
				double *d = dst + (p + j) * 6 + 4 * h;
				if (h == 0)
					_mm256_storeu_pd(d, o[j]);
				else
					_mm_storeu_pd(d, _mm256_castpd256_pd128(o[j]));
			}
		}
	}
	return p;
}

DEFINE_TRB(f32, float, __m256, 8, _mm256_loadu_ps, _mm256_setzero_ps,
           _mm256_storeu_ps, tr8_ps)
DEFINE_TRB(f64, double, __m256d, 4, _mm256_loadu_pd, _mm256_setzero_pd,
           _mm256_storeu_pd, tr4_pd)
#endif

#define T float
#define SUF f32
#define ROWS 4
#if defined(__AVX512F__) || defined(__AVX2__)
#define TRANSPOSE_A tra_f32
#define TRANSPOSE_B trb_f32
#endif
#include "pack_tmpl.h"
#undef T
#undef SUF
#undef ROWS
#undef TRANSPOSE_A
#undef TRANSPOSE_B

#define T double
#define SUF f64
#define ROWS 2
#if defined(__AVX512F__) || defined(__AVX2__)
#define TRANSPOSE_A tra_f64
#define TRANSPOSE_B trb_f64
#endif
#include "pack_tmpl.h"
