/* kernel_generic_bf16_4x16.c — portable C bf16 micro-kernel, a 4×16 tile
 * of C, and its packing: the reference the SIMD and AMX kernels are
 * tested against, and the path on CPUs without AVX512_BF16.
 *
 * It does vdpbf16ps's arithmetic: A and B are packed as pairs of k
 * (lowp_scalar.h, g 2) and each pair adds its odd product to the f32 sum,
 * then its even one, each product exact and each sum rounded to nearest;
 * so on inputs and sums away from the subnormal range (which the
 * instruction flushes to zero) both paths give the same bits
 * (test-gemm-lowp: generic_matches_avx512bf16). */
#include <math.h>

#include "lowp_internal.h"
#include "lowp_scalar.h"

enum { MR = 4, NR = 16 };

static void pack(void *restrict dst, size_t stride, const float *src,
                 int64_t s_mn, int64_t s_k, int64_t kc, int64_t len,
                 bool is_b)
{
	int w = is_b ? NR : MR;
	for (int64_t r = 0; r < len; r += w)
		lowp_pack_bf16_grouped((uint16_t *)((char *)dst + r / w * stride),
		                       src + r * s_mn, s_mn, s_k, kc,
		                       (kc + 1) / 2 * 2,
		                       (int)(len - r < w ? len - r : w), w, 2);
}

static inline float widen(uint16_t h)
{
	union {
		uint32_t u;
		float f;
	} v = {(uint32_t)h << 16};
	return v.f;
}

static void ukr(int64_t kcp, const void *restrict a, const void *restrict b,
                void *restrict acc_, int mode, float alpha, float beta,
                void *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	const uint16_t *pa = a, *pb = b;
	float acc[MR][NR] = {{0}};
	if (!(mode & MM_LOWP_FIRST))
		memcpy(acc, acc_, sizeof acc);
	for (int64_t q = 0; q < kcp / 2; q++, pa += 2 * MR, pb += 2 * NR) {
		float a0[MR], a1[MR], b0[NR], b1[NR];
		for (int i = 0; i < MR; i++) {
			a0[i] = widen(pa[2 * i]);
			a1[i] = widen(pa[2 * i + 1]);
		}
		for (int j = 0; j < NR; j++) {
			b0[j] = widen(pb[2 * j]);
			b1[j] = widen(pb[2 * j + 1]);
		}
		for (int i = 0; i < MR; i++)
			for (int j = 0; j < NR; j++) {
				float s = acc[i][j] + a1[i] * b1[j];
				acc[i][j] = s + a0[i] * b0[j];
			}
	}
	if (mode & MM_LOWP_LAST)
		lowp_put_f32(&acc[0][0], NR, alpha, beta, c, rs_c, cs_c, mr, nr);
	else
		memcpy(acc_, acc, sizeof acc);
}

const struct mm_lowp_kernel mm_lowp_generic_bf16 = {
	.name = "generic", .mr = MR, .nr = NR, .kq = 2, .kc = 256, .es = 2,
	.bx = 0, .mt_ops = 2.0 * 48 * 48 * 48,
	.pack = pack, .ukr = ukr,
};
