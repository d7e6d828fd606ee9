/* kernel_avx512bf16_bf16_8x32.c — AVX512_BF16 micro-kernel, an 8×32 tile
 * of f32 C from bf16 pairs (vdpbf16ps), and its packing (vcvtne2ps2bf16).
 *
 * Layout (lowp_scalar.h, g 2): a packed sliver holds, for each pair of k,
 * one 32-bit word per row (A) or column (B) with the pair's two bf16
 * values, the even k in the low half. Each pair step loads B's 32 words
 * as two vectors and broadcasts each row's word of A into 16 vdpbf16ps
 * on 16 accumulators: enough chains for the instruction's latency at two
 * a cycle (Zen 5) and loads to spare at one (Sapphire and Emerald Rapids,
 * where its peak is half the f32 FMA's and lowp.c takes the FMA path,
 * kernel_avx512_bf16fma_8x32.c, instead). Edge tiles run the same loop on the
 * zero-padded slivers and store fewer rows and columns. */
#include <immintrin.h>
#include <math.h>

#include "lowp_avx512.h"
#include "lowp_internal.h"
#include "lowp_peak.h"
#include "lowp_scalar.h"

enum { MR = 8, NR = 32, L = 16 };

/* The row's (or column's) share of len beyond r, at most L. */
static inline __mmask16 part(int64_t len, int64_t r)
{
	return lowp_lanes((int)(len - r < L ? len - r : L));
}

/* mn-contiguous source (B row-major, A column-major): pairs of rows of
 * the source interleaved, 16 values at a time, MM_LOWP_PACK_ROWS rows
 * of every sliver at a time. */
static void pack_mn(char *restrict dst, size_t stride, const float *src,
                    int64_t s_k, int64_t kc, int64_t len, int width)
{
	for (int64_t p0 = 0; p0 < kc; p0 += MM_LOWP_PACK_ROWS)
		for (int64_t j = 0; j < len; j += width) {
			uint32_t *d = (uint32_t *)(dst + j / width * stride);
			int64_t pe = p0 + MM_LOWP_PACK_ROWS < kc ?
			             p0 + MM_LOWP_PACK_ROWS : kc;
			for (int64_t p = p0; p < pe; p += 2)
				for (int r = 0; r < width; r += L)
					_mm512_mask_storeu_epi32(
						d + (p / 2) * width + r,
						lowp_lanes(width - r),
						lowp_pairs16(src + p * s_k + j + r, s_k,
						             part(len, j + r), p + 1 < kc));
		}
}

/* k-contiguous source (A row-major, B column-major): 32 values of a row
 * become 16 pairs, scattered a row's place apart. */
static void pack_k(char *restrict dst, size_t stride, const float *src,
                   int64_t s_mn, int64_t kc, int64_t len, int width)
{
	const __m512i idx = lowp_stride16(width);
	if (len % width)
		memset(dst + len / width * stride, 0,
		       (size_t)((kc + 1) / 2 * width) * 4);
	for (int64_t r = 0; r < len; r++) {
		uint32_t *d = (uint32_t *)(dst + r / width * stride) + r % width;
		const float *s = src + r * s_mn;
		for (int64_t p = 0; p < kc; p += 2 * L) {
			int n = kc - p < 2 * L ? (int)(kc - p) : 2 * L;
			_mm512_mask_i32scatter_epi32(d + (p / 2) * width,
			                             lowp_lanes((n + 1) / 2), idx,
			                             lowp_bf16x32(s + p, n), 4);
		}
	}
}

static void pack(void *restrict dst, size_t stride, const float *src,
                 int64_t s_mn, int64_t s_k, int64_t kc, int64_t len,
                 bool is_b)
{
	int w = is_b ? NR : MR;
	if (s_mn == 1)
		pack_mn(dst, stride, src, s_k, kc, len, w);
	else if (s_k == 1)
		pack_k(dst, stride, src, s_mn, kc, len, w);
	else
		for (int64_t r = 0; r < len; r += w)
			lowp_pack_bf16_grouped(
				(uint16_t *)((char *)dst + r / w * stride),
				src + r * s_mn, s_mn, s_k, kc, (kc + 1) / 2 * 2,
				(int)(len - r < w ? len - r : w), w, 2);
}

#define STEP(i)                                                         \
	do {                                                            \
		__m512bh ai = (__m512bh)_mm512_set1_epi32(pa[(i)]);     \
		c##i##0 = _mm512_dpbf16_ps(c##i##0, ai, b0);            \
		c##i##1 = _mm512_dpbf16_ps(c##i##1, ai, b1);            \
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
	const int32_t *pa = a;
	const __m512i *pb = b;
	float *t = acc;
	__m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00,
	       c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00,
	       c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
	       c70 = c00, c71 = c00;
	if (!(mode & MM_LOWP_FIRST)) {
		LOAD(0); LOAD(1); LOAD(2); LOAD(3);
		LOAD(4); LOAD(5); LOAD(6); LOAD(7);
	}
	for (int64_t q = 0; q < kcp / 2; q++, pa += MR, pb += 2) {
		__m512bh b0 = (__m512bh)_mm512_load_si512(pb);
		__m512bh b1 = (__m512bh)_mm512_load_si512(pb + 1);
		STEP(0); STEP(1); STEP(2); STEP(3);
		STEP(4); STEP(5); STEP(6); STEP(7);
	}
	SPILL(0); SPILL(1); SPILL(2); SPILL(3);
	SPILL(4); SPILL(5); SPILL(6); SPILL(7);
	if (mode & MM_LOWP_LAST)
		lowp_put_f32_avx512(t, NR, alpha, beta, c, rs_c, cs_c, mr, nr);
}

/* The matrix-vector products (lowp_internal.h) with vdpbf16ps. B's rows
 * contiguous: two rows interleaved into pairs (as packing does) against
 * a pair of x, the strip's sums in memory (L1) between pairs of rows;
 * the kernel's sums in the kernel's order. B's columns contiguous: 32
 * values of a column as 16 pairs against 16 pairs of x, in 16 lanes
 * added up at the end. */
void mm_lowp_gemv_avx512_bf16(int64_t n, int64_t k, const void *x,
                              const float *b, int64_t rs_b, int64_t cs_b,
                              float alpha, float beta, void *y, int64_t incy)
{
	const uint16_t *xs = x;
	_Alignas(64) float acc[MM_LOWP_STRIP] = {0};
	if (cs_b == 1) {
		/* two pairs of rows a pass over the sums */
		for (int64_t p = 0; p < k; p += 4, b += 4 * rs_b) {
			uint32_t xp[2] = {0, 0};
			memcpy(xp, xs + p, k - p >= 3 ? 8 : 4);
			__m512bh vx0 = (__m512bh)_mm512_set1_epi32((int)xp[0]);
			__m512bh vx1 = (__m512bh)_mm512_set1_epi32((int)xp[1]);
			bool second = p + 2 < k;
			for (int64_t j = 0; j < n; j += L) {
				__mmask16 m = part(n, j);
				__m512 s = _mm512_maskz_loadu_ps(m, acc + j);
				s = _mm512_dpbf16_ps(s, vx0, (__m512bh)lowp_pairs16(
					b + j, rs_b, m, p + 1 < k));
				if (second)
					s = _mm512_dpbf16_ps(s, vx1, (__m512bh)lowp_pairs16(
						b + 2 * rs_b + j, rs_b, m, p + 3 < k));
				_mm512_mask_storeu_ps(acc + j, m, s);
			}
		}
	} else {
		for (int64_t j = 0; j < n; j++) {
			const float *col = b + j * cs_b;
			__m512 s = _mm512_setzero_ps();
			for (int64_t p = 0; p < k; p += 2 * L) {
				int c = k - p < 2 * L ? (int)(k - p) : 2 * L;
				__m512bh vx = (__m512bh)_mm512_maskz_loadu_epi32(
					lowp_lanes((c + 1) / 2), xs + p);
				s = _mm512_dpbf16_ps(s, vx,
				                     (__m512bh)lowp_bf16x32(col + p, c));
			}
			acc[j] = _mm512_reduce_add_ps(s);
		}
	}
	lowp_put_f32(acc, 0, alpha, beta, y, 0, incy, 1, (int)n);
}

/* vdpbf16ps: 16 lanes, two multiplies and two adds each. */
static inline __m512 dpbf16_step(__m512 x)
{
	return _mm512_dpbf16_ps(x, (__m512bh)_mm512_set1_epi32(0x3f7f3f7f),
	                        (__m512bh)_mm512_set1_epi32(0x3a833a83));
}
LOWP_PEAK(mm_lowp_avx512bf16_peak, dpbf16_step, 64)

const struct mm_lowp_kernel mm_lowp_avx512bf16_bf16 = {
	.name = "avx512bf16", .mr = MR, .nr = NR, .kq = 2, .kc = 512, .es = 2,
	.bx = 0, .mt_ops = 2.0 * 128 * 128 * 128,
	.pack = pack, .ukr = ukr,
};
