/* lowp_scalar.h — the low-precision GEMM's element-by-element code: packing
 * (f32 converted into the grouped layout most kernels use) and the
 * epilogue that writes a block of sums to C, for the portable path and
 * for the strides the SIMD code does not handle. Included by the kernel
 * files (each compiles its own copy with its ISA's flags). */
#ifndef MMCALC_LOWP_SCALAR_H
#define MMCALC_LOWP_SCALAR_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lowp_internal.h"

/* The grouped layout: `g` consecutive k of one row (of a sliver `width`
 * rows wide) side by side, then the next row's; a group of k after the
 * other:
 *
 *   element (r, p) at dst[(p / g)·width·g + r·g + p % g]
 *
 * g 2 is vdpbf16ps's pairs, g 4 vpdpbusd's quads, g 32 or 64 AMX's A
 * tiles (a row's k contiguous). Rows len..width-1 and depth kc..kcp-1
 * are zero. */
static inline void lowp_pack_bf16_grouped(uint16_t *restrict dst,
                                          const float *src, int64_t s_mn,
                                          int64_t s_k, int64_t kc,
                                          int64_t kcp, int len, int width,
                                          int g)
{
	memset(dst, 0, (size_t)(kcp * width) * sizeof *dst);
	for (int r = 0; r < len; r++)
		for (int64_t p = 0; p < kc; p++)
			dst[(p / g) * width * g + r * g + p % g] =
				mm_lowp_bf16_bits(src[r * s_mn + p * s_k]);
}

/* The same for i8, each byte xor-ed with `flip` (0x80 turns a signed byte
 * into its value + 128 as an unsigned byte, for vpdpbusd's A). */
static inline void lowp_pack_i8_grouped(uint8_t *restrict dst,
                                        const float *src, int64_t s_mn,
                                        int64_t s_k, int64_t kc,
                                        int64_t kcp, int len, int width,
                                        int g, uint8_t flip)
{
	memset(dst, flip, (size_t)(kcp * width));
	for (int r = 0; r < len; r++)
		for (int64_t p = 0; p < kc; p++)
			dst[(p / g) * width * g + r * g + p % g] =
				(uint8_t)((uint8_t)mm_lowp_i8(src[r * s_mn + p * s_k]) ^
				          flip);
}

/* C = alpha·acc + beta·C (beta 0: C not read) for an mr × nr block of
 * f32 sums, acc's rows ld apart (lowp_internal.h's epilogue). */
static inline void lowp_put_f32(const float *acc, int64_t ld, float alpha,
                                float beta, float *c, int64_t rs_c,
                                int64_t cs_c, int mr, int nr)
{
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			float *cij = c + i * rs_c + j * cs_c;
			float x = acc[i * ld + j];
			*cij = beta == 0 ? alpha * x : fmaf(alpha, x, beta * *cij);
		}
}

/* C = acc, or C + acc modulo 2^32 if add, for an mr × nr block of int32
 * sums. */
static inline void lowp_put_i32(const int32_t *acc, int64_t ld, bool add,
                                int32_t *c, int64_t rs_c, int64_t cs_c,
                                int mr, int nr)
{
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			int32_t *cij = c + i * rs_c + j * cs_c;
			uint32_t v = (uint32_t)acc[i * ld + j] +
			             (add ? (uint32_t)*cij : 0);
			*cij = (int32_t)v;
		}
}

#endif
