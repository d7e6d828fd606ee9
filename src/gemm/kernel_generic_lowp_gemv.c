/* kernel_generic_lowp_gemv.c — portable C matrix-vector products for the
 * bf16 and i8 GEMMs (lowp_internal.h: mm_lowp_gemv): the reference for
 * the AVX-512 ones and the path on other CPUs. With B's rows contiguous
 * the strip's sums stay in a local array while the rows pass, one (i8)
 * or two (bf16) at a time; with its columns contiguous, a column at a
 * time. */
#include "lowp_internal.h"
#include "lowp_scalar.h"

static inline float widen(uint16_t h)
{
	union {
		uint32_t u;
		float f;
	} v = {(uint32_t)h << 16};
	return v.f;
}

static inline float bf16_value(float x)
{
	return widen(mm_lowp_bf16_bits(x));
}

/* acc + B's pair of rows p, p+1 at column j (bj) times x's pair, as
 * vdpbf16ps and the bf16 kernels sum: the odd product, then the even one
 * (each exact, each sum rounded; a zero pads the pair of an odd k's last
 * row, as packing does). */
static inline float pair(float acc, const uint16_t *xs, const float *bj,
                         int64_t rs_b, int64_t p, int64_t k)
{
	float s = acc + (p + 1 < k ? widen(xs[p + 1]) * bf16_value(bj[rs_b])
	                           : 0.0f);
	return s + widen(xs[p]) * bf16_value(bj[0]);
}

void mm_lowp_gemv_generic_bf16(int64_t n, int64_t k, const void *x,
                               const float *b, int64_t rs_b, int64_t cs_b,
                               float alpha, float beta, void *y, int64_t incy)
{
	const uint16_t *xs = x;
	float acc[MM_LOWP_STRIP] = {0};
	if (cs_b != 1) /* B's columns contiguous: a column at a time */
		for (int64_t j = 0; j < n; j++)
			for (int64_t p = 0; p < k; p += 2)
				acc[j] = pair(acc[j], xs, b + p + j * cs_b, 1, p, k);
	else
		for (int64_t p = 0; p < k; p += 2)
			for (int64_t j = 0; j < n; j++)
				acc[j] = pair(acc[j], xs, b + p * rs_b + j, rs_b, p, k);
	lowp_put_f32(acc, 0, alpha, beta, y, 0, incy, 1, (int)n);
}

void mm_lowp_gemv_generic_i8(int64_t n, int64_t k, const void *x,
                             const float *b, int64_t rs_b, int64_t cs_b,
                             float alpha, float beta, void *y, int64_t incy)
{
	(void)alpha;
	const int32_t *xs = x;
	uint32_t acc[MM_LOWP_STRIP] = {0};
	if (cs_b != 1) /* B's columns contiguous: a column at a time */
		for (int64_t j = 0; j < n; j++)
			for (int64_t p = 0; p < k; p++)
				acc[j] += (uint32_t)xs[p] *
				          (uint32_t)mm_lowp_i8(b[p + j * cs_b]);
	else
		for (int64_t p = 0; p < k; p++)
			for (int64_t j = 0; j < n; j++)
				acc[j] += (uint32_t)xs[p] *
				          (uint32_t)mm_lowp_i8(b[p * rs_b + j]);
	lowp_put_i32((const int32_t *)acc, 0, beta != 0, y, 0, incy, 1, (int)n);
}
