/* kernel_avx512_bf16fma_8x32.c — the bf16 product on AVX-512's f32 FMA:
 * an 8×32 tile of f32 C from operands rounded to bf16 and widened back
 * to f32 while packed, summed with vfmadd231ps.
 *
 * Why: a bf16 product is exact in f32, so an FMA adds it as vdpbf16ps
 * does, and where vdpbf16ps runs at half the FMA's rate (Sapphire and
 * Emerald Rapids: one a cycle, 32 products, against two FMAs of 16; there
 * AMX is the fast path, but a virtual machine may hide it) this path is
 * twice as fast. It also serves AVX-512 CPUs without AVX512_BF16. lowp.c
 * measures both instructions once and takes the faster (lowp_fma_peak,
 * mm_lowp_avx512bf16_peak).
 *
 * The sums run in vdpbf16ps's order: each pair of k adds its odd product,
 * then its even one, each rounded to nearest. Packing stores the pair
 * swapped (packed step 2q holds k = 2q + 1, step 2q + 1 holds k = 2q), so
 * the kernel is a plain loop over the packed depth; on inputs and sums
 * away from the subnormal range the bits are those of the AVX512_BF16 and
 * portable paths (test-gemm-lowp: same_bits_as_generic). Sums in the
 * subnormal range are kept, as on the portable path, where vdpbf16ps
 * flushes them.
 *
 * Layout: a packed sliver holds, for each packed step, `width` f32 values
 * (MR rows of A or NR columns of B), zeros past the real rows, columns
 * and depth. */
#include <immintrin.h>
#include <string.h>

#include "lowp_avx512.h"
#include "lowp_internal.h"
#include "lowp_peak.h"
#include "lowp_scalar.h"

enum { MR = 8, NR = 32, L = 16 };

/* x rounded to bf16 and widened back, as mm_lowp_bf16_bits: nearest-even,
 * zero and subnormals to signed zero, NaN quiet. */
static inline __m512 round_bf16(__m512 x)
{
	const __m512i u = _mm512_castps_si512(x);
	const __m512i hi = _mm512_set1_epi32((int)0xffff0000u);
	__m512i mag = _mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff));
	__m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16),
	                               _mm512_set1_epi32(1));
	__m512i r = _mm512_add_epi32(u, _mm512_add_epi32(
		_mm512_set1_epi32(0x7fff), odd));
	r = _mm512_and_si512(r, hi);
	__mmask16 tiny = _mm512_testn_epi32_mask(
		u, _mm512_set1_epi32(0x7f800000));
	__mmask16 nan = _mm512_cmpgt_epu32_mask(mag,
	                                        _mm512_set1_epi32(0x7f800000));
	r = _mm512_mask_mov_epi32(r, tiny, _mm512_and_si512(
		u, _mm512_set1_epi32((int)0x80000000u)));
	r = _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(
		_mm512_and_si512(u, hi), _mm512_set1_epi32(0x00400000)));
	return _mm512_castsi512_ps(r);
}

static inline float round1(float x)
{
	uint32_t u = (uint32_t)mm_lowp_bf16_bits(x) << 16;
	float f;
	memcpy(&f, &u, 4);
	return f;
}

/* Any strides: element by element, the sliver zeroed first. */
static void pack_any(float *restrict dst, size_t stride, const float *src,
                     int64_t s_mn, int64_t s_k, int64_t kc, int64_t kcp,
                     int64_t len, int width)
{
	for (int64_t r0 = 0; r0 < len; r0 += width) {
		float *d = (float *)((char *)dst + r0 / width * stride);
		memset(d, 0, (size_t)(kcp * width) * 4);
		int w = (int)(len - r0 < width ? len - r0 : width);
		for (int r = 0; r < w; r++)
			for (int64_t p = 0; p < kc; p++)
				d[(p ^ 1) * width + r] =
					round1(src[(r0 + r) * s_mn + p * s_k]);
	}
}

/* mn-contiguous source (B row-major, A column-major): rows of the source
 * as they are, MM_LOWP_PACK_ROWS of every sliver at a time. */
static void pack_mn(char *restrict dst, size_t stride, const float *src,
                    int64_t s_k, int64_t kc, int64_t kcp, int64_t len,
                    int width)
{
	for (int64_t p0 = 0; p0 < kc; p0 += MM_LOWP_PACK_ROWS)
		for (int64_t j = 0; j < len; j += width) {
			float *d = (float *)(dst + j / width * stride);
			int64_t pe = p0 + MM_LOWP_PACK_ROWS < kc ?
			             p0 + MM_LOWP_PACK_ROWS : kc;
			for (int64_t p = p0; p < pe; p++)
				for (int r = 0; r < width; r += L) {
					int64_t n = len - j - r < width - r ?
					            len - j - r : width - r;
					_mm512_mask_storeu_ps(d + (p ^ 1) * width + r,
					                      lowp_lanes(width - r),
					                      round_bf16(_mm512_maskz_loadu_ps(
						lowp_lanes(n), src + p * s_k + j + r)));
				}
			if (kc % 2 && pe == kc) /* the odd k's empty partner */
				for (int r = 0; r < width; r += L)
					_mm512_mask_storeu_ps(d + (kc - 1) * width + r,
					                      lowp_lanes(width - r),
					                      _mm512_setzero_ps());
		}
	(void)kcp;
}

/* k-contiguous source (A row-major, B column-major): 16 values of a row
 * at a time, scattered a row's place apart, swapped in pairs. */
static void pack_k(char *restrict dst, size_t stride, const float *src,
                   int64_t s_mn, int64_t kc, int64_t kcp, int64_t len,
                   int width)
{
	const __m512i idx = _mm512_mullo_epi32(
		_mm512_set_epi32(14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3,
		                 0, 1),
		_mm512_set1_epi32(width));
	if (len % width)
		memset(dst + len / width * stride, 0, (size_t)(kcp * width) * 4);
	for (int64_t r = 0; r < len; r++) {
		float *d = (float *)(dst + r / width * stride) + r % width;
		const float *s = src + r * s_mn;
		for (int64_t p = 0; p < kc; p += L) {
			/* an odd kc: its last pair's partner is a zero */
			int64_t n = kc - p < L ? (kc - p + 1) / 2 * 2 : L;
			_mm512_mask_i32scatter_ps(d + p * width, lowp_lanes(n), idx,
			                          round_bf16(_mm512_maskz_loadu_ps(
				                          lowp_lanes(kc - p), s + p)), 4);
		}
	}
}

static void pack(void *restrict dst, size_t stride, const float *src,
                 int64_t s_mn, int64_t s_k, int64_t kc, int64_t len,
                 bool is_b)
{
	int w = is_b ? NR : MR;
	int64_t kcp = (kc + 1) / 2 * 2;
	if (s_mn == 1)
		pack_mn(dst, stride, src, s_k, kc, kcp, len, w);
	else if (s_k == 1)
		pack_k(dst, stride, src, s_mn, kc, kcp, len, w);
	else
		pack_any(dst, stride, src, s_mn, s_k, kc, kcp, len, w);
}

#define STEP(i)                                                         \
	do {                                                            \
		__m512 ai = _mm512_set1_ps(pa[(i)]);                    \
		c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);             \
		c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);             \
	} while (0)

#define LOAD(i)                                                         \
	do {                                                            \
		c##i##0 = _mm512_load_ps(t + (i) * NR);                 \
		c##i##1 = _mm512_load_ps(t + (i) * NR + L);             \
	} while (0)

#define SPILL(i)                                                        \
	do {                                                            \
		_mm512_store_ps(t + (i) * NR, c##i##0);                 \
		_mm512_store_ps(t + (i) * NR + L, c##i##1);             \
	} while (0)

static void ukr(int64_t kcp, const void *restrict a, const void *restrict b,
                void *restrict acc, int mode, float alpha, float beta,
                void *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	const float *pa = a, *pb = b;
	float *t = acc;
	__m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00,
	       c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00,
	       c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
	       c70 = c00, c71 = c00;
	if (!(mode & MM_LOWP_FIRST)) {
		LOAD(0); LOAD(1); LOAD(2); LOAD(3);
		LOAD(4); LOAD(5); LOAD(6); LOAD(7);
	}
	/* unrolled four times, as the f32 kernel (kernel_avx512_tmpl.h) */
	_Pragma("GCC unroll 4")
	for (int64_t p = 0; p < kcp; p++, pa += MR, pb += NR) {
		__m512 b0 = _mm512_load_ps(pb), b1 = _mm512_load_ps(pb + L);
		STEP(0); STEP(1); STEP(2); STEP(3);
		STEP(4); STEP(5); STEP(6); STEP(7);
	}
	SPILL(0); SPILL(1); SPILL(2); SPILL(3);
	SPILL(4); SPILL(5); SPILL(6); SPILL(7);
	if (mode & MM_LOWP_LAST)
		lowp_put_f32_avx512(t, NR, alpha, beta, c, rs_c, cs_c, mr, nr);
}

/* vfmadd231ps: 16 lanes, a multiply and an add each. */
static inline __m512 fma_step(__m512 x)
{
	return _mm512_fmadd_ps(x, _mm512_set1_ps(0.999f), _mm512_set1_ps(1e-3f));
}
LOWP_PEAK(mm_lowp_avx512_fma_peak, fma_step, 32)

const struct mm_lowp_kernel mm_lowp_avx512_bf16fma = {
	.name = "avx512fma", .mr = MR, .nr = NR, .kq = 2, .kc = 256, .es = 4,
	.bx = 0, .mt_ops = 2.0 * 128 * 128 * 128,
	.pack = pack, .ukr = ukr,
};
