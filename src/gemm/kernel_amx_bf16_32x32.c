/* kernel_amx_bf16_32x32.c — AMX-BF16 micro-kernel, a 32×32 block of f32 C
 * as 2×2 tiles (tdpbf16ps), and its packing (vcvtne2ps2bf16). Layouts and
 * the tile loop: kernel_amx.h.
 *
 * The tiles start from zero (first k block) or from the driver's sums and
 * end in them, or, after the last block, in C: stored straight into a
 * whole block of a row-major C when alpha is 1 and beta 0 (alpha·acc is
 * acc), written by the common epilogue otherwise; the same bits either
 * way, so an element's value does not depend on the block it falls in.
 *
 * KC 4096: with the A panel in L2, a block's A and B slivers stream from
 * L2 whatever KC is (a 32×32 block needs 64 bytes of tiles a cycle, two
 * tiles of 1 KiB a product), so the deepest blocks pay least for moving
 * sums in and out of the tiles; 256, 512 and 1024 measured no better. */
#include <math.h>
#include <string.h>

#include "kernel_amx.h"
#include "lowp_avx512.h"
#include "lowp_scalar.h"

enum { V = 2, KCH = 32 };

#define WORDS16(s, s_k, mask, rows) lowp_pairs16(s, s_k, mask, (rows) > 1)
#define RUN(s, n) lowp_bf16x32(s, n)
#define PUT(d, p, x)                                                    \
	memcpy((d) + (p) % 2 * 2, &(uint16_t){mm_lowp_bf16_bits(x)}, 2)
#include "kernel_amx_pack.h"

static void ukr(int64_t kcp, const void *restrict a, const void *restrict b,
                void *restrict acc, int mode, float alpha, float beta,
                void *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	if (mode & MM_LOWP_FIRST)
		amx_zero_c();
	else
		amx_load_c(acc, AMX_NR * 4);
	AMX_LOOP(_tile_dpbf16ps, a, b, kcp / KCH);
	/* The usual last block stores straight into C: alpha·acc is acc. */
	if ((mode & MM_LOWP_LAST) && alpha == 1 && beta == 0 &&
	    mr == AMX_MR && nr == AMX_NR && cs_c == 1) {
		amx_store_c(c, rs_c * 4);
		return;
	}
	amx_store_c(acc, AMX_NR * 4);
	if (mode & MM_LOWP_LAST)
		lowp_put_f32_avx512(acc, AMX_NR, alpha, beta, c, rs_c, cs_c, mr,
		                    nr);
}

const struct mm_lowp_kernel mm_lowp_amx_bf16 = {
	.name = "amx", .mr = AMX_MR, .nr = AMX_NR, .kq = KCH, .kc = 4096,
	.es = 2, .bx = 0, .mt_ops = 2.0 * 256 * 256 * 256,
	.pack = pack, .ukr = ukr, .enter = amx_enter,
	.leave = amx_leave,
};
