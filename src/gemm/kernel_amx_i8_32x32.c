/* kernel_amx_i8_32x32.c — AMX-INT8 micro-kernel, a 32×32 block of int32
 * C as 2×2 tiles (tdpbssd: signed by signed bytes, sums modulo 2^32, so
 * the same bits as the portable kernel), and its packing. Layouts and
 * the tile loop: kernel_amx.h. The tiles start from zero or the driver's
 * sums and end in them or in C, as in kernel_amx_bf16_32x32.c. */
#include <string.h>

#include "kernel_amx.h"
#include "lowp_avx512.h"
#include "lowp_scalar.h"

enum { V = 4, KCH = 64 };

#define WORDS16(s, s_k, mask, rows) lowp_quads16(s, s_k, mask, rows)
#define RUN(s, n) lowp_i8x64(s, n)
#define PUT(d, p, x) ((d)[(p) % 4] = (char)mm_lowp_i8(x))
#include "kernel_amx_pack.h"

static void ukr(int64_t kcp, const void *restrict a, const void *restrict b,
                void *restrict acc, int mode, float alpha, float beta,
                void *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	(void)alpha;
	if (mode & MM_LOWP_FIRST)
		amx_zero_c();
	else
		amx_load_c(acc, AMX_NR * 4);
	AMX_LOOP(_tile_dpbssd, a, b, kcp / KCH);
	if ((mode & MM_LOWP_LAST) && beta == 0 && mr == AMX_MR &&
	    nr == AMX_NR && cs_c == 1) {
		amx_store_c(c, rs_c * 4);
		return;
	}
	amx_store_c(acc, AMX_NR * 4);
	if (mode & MM_LOWP_LAST)
		lowp_put_i32_avx512(acc, AMX_NR, beta != 0, c, rs_c, cs_c, mr, nr);
}

const struct mm_lowp_kernel mm_lowp_amx_i8 = {
	.name = "amx", .mr = AMX_MR, .nr = AMX_NR, .kq = KCH, .kc = 4096,
	.es = 1, .bx = 0, .mt_ops = 2.0 * 320 * 320 * 320,
	.pack = pack, .ukr = ukr, .enter = amx_enter,
	.leave = amx_leave,
};
