/* lowp_internal.h — the contract between the low-precision GEMM driver
 * (lowp.c) and its per-ISA packing routines and micro-kernels (bf16 and
 * i8). Not a public header.
 *
 * Operands arrive as f32 and are converted while packed: to bf16 with
 * round-to-nearest-even (subnormals to signed zero, as the hardware's
 * conversions and dot products treat them; NaN stays NaN), or to i8 by
 * saturating to [-128, 127] and rounding to nearest-even (NaN to -128,
 * as x86's conversions give). A packed sliver holds `w` rows of A (or
 * columns of B) over kcp = kc rounded up to the kernel's KQ, zero past
 * the real rows, columns and depth; its layout is the kernel's own and
 * the driver only needs its size:
 *
 *   bytes of an A sliver  = MR · kcp · ES
 *   bytes of a B sliver   = NR · kcp · ES + BX   (BX: a kernel's extra,
 *                                                 e.g. column sums)
 *
 * where ES is the element's size (2 for bf16, 1 for i8). */
#ifndef MMCALC_LOWP_INTERNAL_H
#define MMCALC_LOWP_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Packs `len` rows of A (or columns of B) over kc steps of k into
 * ceil(len / width) slivers, `stride` bytes apart (a multiple of 64;
 * dst 64-byte aligned), the last one zero past len; element (r, p) is
 * read at src[r·s_mn + p·s_k] (any positive strides). width is MR for A
 * and NR for B; `is_b` says which (layouts may differ). */
typedef void mm_lowp_pack(void *restrict dst, size_t stride,
                          const float *src, int64_t s_mn, int64_t s_k,
                          int64_t kc, int64_t len, bool is_b);

/* Rows of the source a packer converts at a time when the source is
 * contiguous along m (or n): each sliver's part of them in turn, so that
 * the source is read nearly row by row, a few pages at once (as
 * gemm.c's pack_rows_b does for f32). */
enum { MM_LOWP_PACK_ROWS = 8 };

/* A micro-kernel adds the product of a packed A sliver and a packed B
 * sliver of depth kcp (a multiple of KQ) to an MR × NR block of sums
 * and, after the last k block, writes the block to C:
 *
 *   acc = (mode & MM_LOWP_FIRST ? 0 : acc) + A·B
 *   if mode & MM_LOWP_LAST:
 *     bf16:  C[i,j] = alpha · acc[i,j] + beta · C[i,j]   (f32 C; beta 0:
 *            C not read; fmaf(alpha, acc, beta·C) otherwise)
 *     i8:    C[i,j] = acc[i,j], or C[i,j] + acc[i,j] if beta != 0
 *            (int32_t C, all of it modulo 2^32); alpha ignored
 *   else:    acc stored back
 *
 * for i < mr <= MR, j < nr <= NR. acc is the driver's: MR × NR 4-byte
 * values (f32 or int32), row stride NR, 64-byte aligned, read unless
 * FIRST, written unless LAST. bf16 sums are f32 from exact products;
 * i8 sums are exact modulo 2^32. C[i,j] lives at c[i·rs_c + j·cs_c].
 * Each element's sums run over the whole of k in the same order and end
 * in the same epilogue, whole tile or edge, so a product does not depend
 * on how the work was split among threads. A kernel that keeps
 * per-thread state (AMX tiles) has it set up by `enter` before its
 * first call on a thread and released by `leave` after the last. */
enum { MM_LOWP_FIRST = 1, MM_LOWP_LAST = 2 };

typedef void mm_lowp_ukr(int64_t kcp, const void *restrict a,
                         const void *restrict b, void *restrict acc,
                         int mode, float alpha, float beta,
                         void *restrict c, int64_t rs_c, int64_t cs_c,
                         int mr, int nr);

/* One ISA's kernel for one element type: register (or tile) block MR×NR,
 * KQ the granule of packed depth, KC the preferred depth of a k block
 * (a multiple of KQ), ES the packed element's size, BX the bytes a B
 * sliver holds beyond its elements; MT_OPS the operations (2mnk) below
 * which a product runs on one thread (some tens of microseconds of the
 * kernel's work: waking a worker costs more). */
struct mm_lowp_kernel {
	const char *name;
	int mr, nr, kq, kc, es, bx;
	double mt_ops;
	mm_lowp_pack *pack;
	mm_lowp_ukr *ukr;
	void (*enter)(void);
	void (*leave)(void);
};

/* A row vector times B, for the columns j < n of a strip of at most
 * MM_LOWP_STRIP (the matrix-vector products, m == 1), B[p,j] at
 * b[p·rs_b + j·cs_b] with its rows (cs_b == 1) or its columns (rs_b == 1)
 * contiguous:
 *
 *   bf16:  y[j·incy] = alpha · Σ_p x[p]·bf16(B[p,j]) + beta · y[j·incy]
 *          x: bf16 values (uint16_t), k of them and a zero after an odd
 *          k; sums in f32, each exact product rounded in; beta 0: y not
 *          read; fmaf(alpha, sum, beta·y) otherwise
 *   i8:    y[j·incy] = Σ_p x[p]·i8(B[p,j]), or y + that if beta != 0
 *          x: k int32 values; modulo 2^32; alpha ignored
 *
 * Each y[j] is summed in an order that depends only on k and B's layout,
 * not on how the columns were split. With B's rows contiguous, bf16 sums
 * run as a row of the packed portable and AVX512_BF16 products' do. */
enum { MM_LOWP_STRIP = 1024 };

typedef void mm_lowp_gemv(int64_t n, int64_t k, const void *x,
                          const float *b, int64_t rs_b, int64_t cs_b,
                          float alpha, float beta, void *y, int64_t incy);

/* The element types. */
enum mm_lowp_type { MM_LOWP_BF16, MM_LOWP_I8 };

/* Conversions as the packing does them, for every path alike. */
static inline uint16_t mm_lowp_bf16_bits(float x)
{
	union {
		float f;
		uint32_t u;
	} v = {x};
	uint32_t u = v.u;
	if ((u & 0x7f800000u) == 0)             /* zero or subnormal */
		return (uint16_t)((u >> 16) & 0x8000u);
	if ((u & 0x7fffffffu) > 0x7f800000u)    /* NaN: quiet, same sign */
		return (uint16_t)((u >> 16) | 0x0040u);
	u += 0x7fffu + ((u >> 16) & 1u);
	return (uint16_t)(u >> 16);
}

static inline int8_t mm_lowp_i8(float x)
{
	float y = x > -128.0f ? x : -128.0f;    /* NaN: -128 */
	return (int8_t)nearbyintf(y < 127.0f ? y : 127.0f);
}

/* The kernels, each compiled with its ISA's flags only. */
extern const struct mm_lowp_kernel mm_lowp_generic_bf16;
extern const struct mm_lowp_kernel mm_lowp_generic_i8;
extern const struct mm_lowp_kernel mm_lowp_avx512bf16_bf16;
extern const struct mm_lowp_kernel mm_lowp_avx512_bf16fma;
extern const struct mm_lowp_kernel mm_lowp_avx512vnni_i8;
extern const struct mm_lowp_kernel mm_lowp_amx_bf16;
extern const struct mm_lowp_kernel mm_lowp_amx_i8;
mm_lowp_gemv mm_lowp_gemv_generic_bf16, mm_lowp_gemv_generic_i8;
mm_lowp_gemv mm_lowp_gemv_avx512_bf16, mm_lowp_gemv_avx512_i8;
/* FLOP per second of independent vdpbf16ps (64 a zmm instruction) and of
 * vfmadd231ps (32) on zmm, on the calling thread, in a few tens of
 * microseconds: which of the two bf16 paths is faster on this CPU. */
double mm_lowp_avx512bf16_peak(void);
double mm_lowp_avx512_fma_peak(void);

#endif
