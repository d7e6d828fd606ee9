/* kernel_avx512vnni_i8_8x32.c — AVX512_VNNI micro-kernel, an 8×32 tile of
 * int32 C from i8 quads (vpdpbusd), and its packing.
 *
 * vpdpbusd multiplies unsigned bytes by signed ones. A is packed as
 * a + 128 (its byte xor 0x80: 0..255) and B as it is, so the sums are
 * Σ (a + 128)·b = Σ a·b + 128·Σ b; each B sliver carries, after its
 * bytes, -128·Σ_p b[p][j] for its 32 columns, which the accumulators
 * start from. All of it is modulo 2^32 (vpdpbusd does not saturate), so
 * the result is the exact Σ a·b whenever that fits in int32, and the
 * same bits as the portable kernel always.
 *
 * Layout (lowp_scalar.h, g 4): for each quad of k, one 32-bit word per row
 * (A) or column (B) holding the quad's four bytes, the first k lowest.
 * Each quad step loads B's 32 words as two vectors and broadcasts each
 * row's word of A into 16 vpdpbusd on 16 accumulators. */
#include <immintrin.h>

#include "lowp_avx512.h"
#include "lowp_internal.h"
#include "lowp_scalar.h"

enum { MR = 8, NR = 32, L = 16 };

/* The row's (or column's) share of len beyond r, at most L. */
static inline __mmask16 part(int64_t len, int64_t r)
{
	return lowp_lanes((int)(len - r < L ? len - r : L));
}

/* mn-contiguous source (B row-major, A column-major): four rows of the
 * source make 16 words, a byte from each; MM_LOWP_PACK_ROWS rows of
 * every sliver at a time. */
static void pack_mn(char *restrict dst, size_t stride, const float *src,
                    int64_t s_k, int64_t kc, int64_t len, int width,
                    uint32_t flip)
{
	const __m512i vf = _mm512_set1_epi32((int)flip);
	for (int64_t p0 = 0; p0 < kc; p0 += MM_LOWP_PACK_ROWS)
		for (int64_t j = 0; j < len; j += width) {
			uint32_t *d = (uint32_t *)(dst + j / width * stride);
			int64_t pe = p0 + MM_LOWP_PACK_ROWS < kc ?
			             p0 + MM_LOWP_PACK_ROWS : kc;
			for (int64_t p = p0; p < pe; p += 4)
				for (int r = 0; r < width; r += L) {
					__m512i w = lowp_quads16(
						src + p * s_k + j + r, s_k,
						part(len, j + r), (int)(kc - p));
					_mm512_mask_storeu_epi32(
						d + (p / 4) * width + r,
						lowp_lanes(width - r),
						_mm512_xor_si512(w, vf));
				}
		}
}

/* k-contiguous source (A row-major, B column-major): 64 values of a row
 * become 16 words, scattered a row's place apart. */
static void pack_k(char *restrict dst, size_t stride, const float *src,
                   int64_t s_mn, int64_t kc, int64_t len, int width,
                   uint32_t flip)
{
	const __m512i idx = lowp_stride16(width);
	const __m512i vf = _mm512_set1_epi32((int)flip);
	if (len % width)
		memset(dst + len / width * stride, (int)(flip & 0xff),
		       (size_t)((kc + 3) / 4 * width) * 4);
	for (int64_t r = 0; r < len; r++) {
		uint32_t *d = (uint32_t *)(dst + r / width * stride) + r % width;
		const float *s = src + r * s_mn;
		for (int64_t p = 0; p < kc; p += 4 * L) {
			int n = kc - p < 4 * L ? (int)(kc - p) : 4 * L;
			_mm512_mask_i32scatter_epi32(
				d + (p / 4) * width, lowp_lanes((n + 3) / 4), idx,
				_mm512_xor_si512(lowp_i8x64(s + p, n), vf), 4);
		}
	}
}

/* -128 times each column's sum over the sliver's kcp/4 quads of words. */
static void corrections(const uint32_t *d, int64_t kcp, int32_t *corr)
{
	const __m512i ones = _mm512_set1_epi8(1);
	__m512i s0 = _mm512_setzero_si512(), s1 = s0;
	for (int64_t q = 0; q < kcp / 4; q++, d += NR) {
		s0 = _mm512_dpbusd_epi32(s0, ones, _mm512_load_si512(d));
		s1 = _mm512_dpbusd_epi32(s1, ones, _mm512_load_si512(d + L));
	}
	const __m512i z = _mm512_setzero_si512();
	_mm512_store_si512(corr, _mm512_sub_epi32(z, _mm512_slli_epi32(s0, 7)));
	_mm512_store_si512(corr + L,
	                   _mm512_sub_epi32(z, _mm512_slli_epi32(s1, 7)));
}

static void pack(void *restrict dst, size_t stride, const float *src,
                 int64_t s_mn, int64_t s_k, int64_t kc, int64_t len,
                 bool is_b)
{
	int w = is_b ? NR : MR;
	uint32_t flip = is_b ? 0 : 0x80808080u;
	int64_t kcp = (kc + 3) / 4 * 4;
	if (s_mn == 1)
		pack_mn(dst, stride, src, s_k, kc, len, w, flip);
	else if (s_k == 1)
		pack_k(dst, stride, src, s_mn, kc, len, w, flip);
	else
		for (int64_t r = 0; r < len; r += w)
			lowp_pack_i8_grouped((uint8_t *)dst + r / w * stride,
			                     src + r * s_mn, s_mn, s_k, kc, kcp,
			                     (int)(len - r < w ? len - r : w), w, 4,
			                     (uint8_t)flip);
	if (is_b)
		for (int64_t r = 0; r < len; r += w) {
			char *d = (char *)dst + r / w * stride;
			corrections((const uint32_t *)d, kcp,
			            (int32_t *)(d + NR * kcp));
		}
}

#define STEP(i)                                                         \
	do {                                                            \
		__m512i ai = _mm512_set1_epi32(pa[(i)]);                \
		c##i##0 = _mm512_dpbusd_epi32(c##i##0, ai, b0);         \
		c##i##1 = _mm512_dpbusd_epi32(c##i##1, ai, b1);         \
	} while (0)

/* Row i's sums start from the block's corrections, plus the sums so far
 * unless this is the first block. */
#define START(i)                                                        \
	do {                                                            \
		c##i##0 = first ? k0 : _mm512_add_epi32(                \
			k0, _mm512_load_si512(t + (i) * NR));           \
		c##i##1 = first ? k1 : _mm512_add_epi32(                \
			k1, _mm512_load_si512(t + (i) * NR + L));       \
	} while (0)

#define SPILL(i)                                                        \
	do {                                                            \
		_mm512_store_si512(t + (i) * NR, c##i##0);              \
		_mm512_store_si512(t + (i) * NR + L, c##i##1);          \
	} while (0)

static void ukr(int64_t kcp, const void *restrict a, const void *restrict b,
                void *restrict acc, int mode, float alpha, float beta,
                void *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	(void)alpha;
	const int32_t *pa = a;
	const __m512i *pb = b;
	int32_t *t = acc;
	const __m512i *corr = (const __m512i *)((const char *)b + NR * kcp);
	const __m512i k0 = _mm512_load_si512(corr), k1 = _mm512_load_si512(corr + 1);
	const bool first = mode & MM_LOWP_FIRST;
	__m512i c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51,
	        c60, c61, c70, c71;
	START(0); START(1); START(2); START(3);
	START(4); START(5); START(6); START(7);
	for (int64_t q = 0; q < kcp / 4; q++, pa += MR, pb += 2) {
		__m512i b0 = _mm512_load_si512(pb);
		__m512i b1 = _mm512_load_si512(pb + 1);
		STEP(0); STEP(1); STEP(2); STEP(3);
		STEP(4); STEP(5); STEP(6); STEP(7);
	}
	SPILL(0); SPILL(1); SPILL(2); SPILL(3);
	SPILL(4); SPILL(5); SPILL(6); SPILL(7);
	if (mode & MM_LOWP_LAST)
		lowp_put_i32_avx512(t, NR, beta != 0, c, rs_c, cs_c, mr, nr);
}

/* The matrix-vector products (lowp_internal.h): B converted to int32
 * and multiplied by x's values (vpmulld, modulo 2^32). B's rows
 * contiguous: four rows at a time against the strip's sums in memory
 * (L1); its columns contiguous: 16 values of a column at a time in 16
 * lanes, added up at the end. */
void mm_lowp_gemv_avx512_i8(int64_t n, int64_t k, const void *x,
                            const float *b, int64_t rs_b, int64_t cs_b,
                            float alpha, float beta, void *y, int64_t incy)
{
	(void)alpha;
	const int32_t *xs = x;
	_Alignas(64) int32_t acc[MM_LOWP_STRIP] = {0};
	if (cs_b == 1) {
		for (int64_t p = 0; p < k; p += 4, b += 4 * rs_b) {
			int rows = k - p < 4 ? (int)(k - p) : 4;
			for (int64_t j = 0; j < n; j += L) {
				__mmask16 m = part(n, j);
				__m512i s = _mm512_maskz_loadu_epi32(m, acc + j);
				for (int e = 0; e < rows; e++)
					s = _mm512_add_epi32(s, _mm512_mullo_epi32(
						_mm512_set1_epi32(xs[p + e]),
						lowp_i32(_mm512_maskz_loadu_ps(
							m, b + e * rs_b + j))));
				_mm512_mask_storeu_epi32(acc + j, m, s);
			}
		}
	} else {
		for (int64_t j = 0; j < n; j++) {
			const float *col = b + j * cs_b;
			__m512i s = _mm512_setzero_si512();
			for (int64_t p = 0; p < k; p += L) {
				__mmask16 m = part(k, p);
				s = _mm512_add_epi32(s, _mm512_mullo_epi32(
					_mm512_maskz_loadu_epi32(m, xs + p),
					lowp_i32(_mm512_maskz_loadu_ps(m, col + p))));
			}
			acc[j] = _mm512_reduce_add_epi32(s);
		}
	}
	lowp_put_i32(acc, 0, beta != 0, y, 0, incy, 1, (int)n);
}

const struct mm_lowp_kernel mm_lowp_avx512vnni_i8 = {
	.name = "avx512vnni", .mr = MR, .nr = NR, .kq = 4, .kc = 1024, .es = 1,
	.bx = NR * 4, .mt_ops = 2.0 * 160 * 160 * 160,
	.pack = pack, .ukr = ukr,
};
