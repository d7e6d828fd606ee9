/* kernel_amx_pack.h — packing for the AMX kernels (layouts: kernel_amx.h),
 * included by kernel_amx_bf16_32x32.c and kernel_amx_i8_32x32.c with:
 *
 *   V          values of k in a 32-bit word (2 bf16, 4 i8); KCH = 16·V
 *              values of k in a chunk (one tile row of A)
 *   WORDS16(s, s_k, mask, rows)
 *              16 words from V rows of 16 mn-contiguous values (only the
 *              first `rows` rows, lanes outside mask zero)
 *   RUN(s, n)  the first n of KCH k-contiguous values as 64 bytes
 *   PUT(d, p, x)
 *              value x as element p % V of the word at d (scalar path)
 */

/* Zeros for whatever the packers below leave unwritten: the tail of
 * the last chunk (kc not a multiple of KCH) of `ns` slivers, or all of
 * them. */
static void zero_tails(char *dst, size_t stride, int64_t ns, int64_t kc,
                       bool all)
{
	int64_t kcp = (kc + KCH - 1) / KCH * KCH;
	for (int64_t s = 0; s < ns; s++) {
		char *d = dst + s * stride;
		if (all)
			memset(d, 0, (size_t)(kcp / V) * 32 * 4);
		else if (kc % KCH)
			memset(d + (kc / KCH) * AMX_CHUNK, 0, AMX_CHUNK);
	}
}

/* Rows of A ahead of the one converted that are prefetched. */
enum { AHEAD = 2 };

/* A row-major: a row's KCH values of a chunk are one 64-byte row of a
 * tile. */
static void pack_a_k(char *restrict dst, size_t stride, const float *src,
                     int64_t s_mn, int64_t kc, int64_t len)
{
	int64_t rows = (len + AMX_MR - 1) / AMX_MR * AMX_MR;
	for (int64_t r = 0; r < rows; r++) {
		char *d = dst + r / AMX_MR * stride + (r % AMX_MR) * 64;
		const char *ahead = (const char *)(src + (r + AHEAD) * s_mn);
		for (int64_t p = 0; p < kc; p += KCH) {
			int n = kc - p < KCH ? (int)(kc - p) : KCH;
			if (r + AHEAD < len)
				for (int l = 0; l < KCH * 4; l += 64)
					_mm_prefetch(ahead + p * 4 + l, _MM_HINT_T0);
			_mm512_store_si512(d + (p / KCH) * AMX_CHUNK,
			                   r < len ? RUN(src + r * s_mn + p, n)
			                           : _mm512_setzero_si512());
		}
	}
}

/* 16 lanes of the source beyond column (or row) j, at most. */
static inline __mmask16 part(int64_t len, int64_t j)
{
	return lowp_lanes((int)(len - j < 16 ? len - j : 16));
}

/* Source contiguous along m (A column-major) or n (B row-major): V rows
 * of k, 16 values each, make 16 words: for B one row of a B tile, for A
 * a word of 16 rows of an A tile (scattered a row apart);
 * MM_LOWP_PACK_ROWS rows of k of every sliver at a time. */
static void pack_mn(char *restrict dst, size_t stride, const float *src,
                    int64_t s_k, int64_t kc, int64_t len, bool is_b)
{
	const __m512i idx = lowp_stride16(16);
	for (int64_t p0 = 0; p0 < kc; p0 += MM_LOWP_PACK_ROWS)
		for (int64_t j = 0; j < len; j += 32) {
			char *d = dst + j / 32 * stride;
			int64_t pe = p0 + MM_LOWP_PACK_ROWS < kc ?
			             p0 + MM_LOWP_PACK_ROWS : kc;
			for (int64_t p = p0; p < pe; p += V)
				for (int h = 0; h < 2; h++) {
					__m512i w = WORDS16(src + p * s_k + j + 16 * h,
					                    s_k, part(len, j + 16 * h),
					                    (int)(kc - p));
					if (is_b)
						_mm512_store_si512(
							d + amx_b_offset(16 * h, p / V), w);
					else
						_mm512_i32scatter_epi32(
							d + (p / KCH) * AMX_CHUNK + h * 1024 +
							(p % KCH) * (4 / V), idx, w, 4);
				}
		}
}

/* B column-major: KCH values of a column become 16 words, one for each
 * row of a B tile. */
static void pack_b_k(char *restrict dst, size_t stride, const float *src,
                     int64_t s_mn, int64_t kc, int64_t len)
{
	const __m512i idx = lowp_stride16(16);
	for (int64_t c = 0; c < len; c++) {
		char *d = dst + c / 32 * stride;
		for (int64_t p = 0; p < kc; p += KCH) {
			int n = kc - p < KCH ? (int)(kc - p) : KCH;
			_mm512_mask_i32scatter_epi32(
				d + amx_b_offset((int)(c % 32), p / V),
				lowp_lanes((n + V - 1) / V), idx,
				RUN(src + c * s_mn + p, n), 4);
		}
	}
}

static void pack(void *restrict dst, size_t stride, const float *src,
                 int64_t s_mn, int64_t s_k, int64_t kc, int64_t len,
                 bool is_b)
{
	char *d = dst;
	int64_t ns = (len + 31) / 32;
	if (!is_b && s_k == 1) {
		pack_a_k(d, stride, src, s_mn, kc, len);
		return;
	}
	if (s_mn == 1) {
		zero_tails(d, stride, ns, kc, false);
		pack_mn(d, stride, src, s_k, kc, len, is_b);
		return;
	}
	zero_tails(d, stride, ns, kc, true);
	if (is_b && s_k == 1) {
		pack_b_k(d, stride, src, s_mn, kc, len);
		return;
	}
	for (int64_t r = 0; r < len; r++)
		for (int64_t p = 0; p < kc; p++) {
			char *ds = d + r / 32 * stride;
			int64_t at = is_b ? amx_b_offset((int)(r % 32), p / V)
			                  : (p / KCH) * AMX_CHUNK + (r % 32) * 64 +
			                    (p % KCH) / V * 4;
			PUT(ds + at, p, src[r * s_mn + p * s_k]);
		}
}
