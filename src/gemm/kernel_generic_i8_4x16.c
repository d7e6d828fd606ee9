/* kernel_generic_i8_4x16.c — portable C i8 micro-kernel, a 4×16 tile of
 * int32 C, and its packing (one k after the other, lowp_scalar.h with g 1):
 * the reference for the VNNI and AMX kernels and the path on CPUs
 * without them. Sums wrap modulo 2^32 (unsigned arithmetic), as the
 * instructions' do, so every path gives the same bits. */
#include "lowp_internal.h"
#include "lowp_scalar.h"

enum { MR = 4, NR = 16 };

static void pack(void *restrict dst, size_t stride, const float *src,
                 int64_t s_mn, int64_t s_k, int64_t kc, int64_t len,
                 bool is_b)
{
	int w = is_b ? NR : MR;
	for (int64_t r = 0; r < len; r += w)
		lowp_pack_i8_grouped((uint8_t *)dst + r / w * stride,
		                     src + r * s_mn, s_mn, s_k, kc, kc,
		                     (int)(len - r < w ? len - r : w), w, 1, 0);
}

static void ukr(int64_t kcp, const void *restrict a, const void *restrict b,
                void *restrict acc_, int mode, float alpha, float beta,
                void *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	(void)alpha;
	const int8_t *pa = a, *pb = b;
	uint32_t acc[MR][NR] = {{0}};
	if (!(mode & MM_LOWP_FIRST))
		memcpy(acc, acc_, sizeof acc);
	for (int64_t p = 0; p < kcp; p++, pa += MR, pb += NR)
		for (int i = 0; i < MR; i++)
			for (int j = 0; j < NR; j++)
				acc[i][j] += (uint32_t)((int32_t)pa[i] * pb[j]);
	if (mode & MM_LOWP_LAST)
		lowp_put_i32((const int32_t *)&acc[0][0], NR, beta != 0, c, rs_c,
		             cs_c, mr, nr);
	else
		memcpy(acc_, acc, sizeof acc);
}

const struct mm_lowp_kernel mm_lowp_generic_i8 = {
	.name = "generic", .mr = MR, .nr = NR, .kq = 1, .kc = 512, .es = 1,
	.bx = 0, .mt_ops = 2.0 * 48 * 48 * 48,
	.pack = pack, .ukr = ukr,
};
