/* gemm_lowp.h — low-precision matrix multiply: bf16 (f32 accumulation)
 * and i8 (exact int32 accumulation), on AMX tiles, AVX512_BF16 or
 * AVX512_VNNI where the CPU has them and in portable C everywhere else.
 *
 * mmcalc keeps a bf16 or i8 tensor's elements as f32 values that the
 * dtype can represent, so these take f32 operands and convert them while
 * packing (no other copy; a row vector times a matrix converts the row
 * once and reads the matrix in place): to bf16 rounding to nearest-even
 * (exact for a value already representable), to i8 saturating to
 * [-128, 127] and rounding to nearest-even (exact for the integers an i8
 * tensor holds).
 * Subnormal bf16 inputs count as zero, as the instructions treat them;
 * NaN stays NaN in bf16 and becomes -128 in i8.
 *
 * Operands use BLIS-style strides as mm_sgemm does (gemm.h): element
 * (i, j) of X at x[i*rs_x + j*cs_x], any positive strides, A m×k, B k×n,
 * C m×n; m, n or k may be 0. The result is bit-for-bit the same for any
 * thread count (mm_gemm_set_threads), though not across paths for bf16
 * (the sums are rounded in different orders).
 *
 * The other low-precision dtypes have no kernel of their own. An f16
 * product is mm_sgemm on the f16-representable f32 values (exact
 * products, f32 sums, as vcvtph2ps and FMA would do it), rounded to f16
 * by the caller. Every f8 value (e4m3 and e5m2) is exact in bf16, so an
 * f8 product is mm_gemm_bf16 (f32 sums, as f8 hardware does it), rounded
 * to f8 by the caller; an i4 product is mm_gemm_i8, wrapped to i4.
 *
 * The caller owns every buffer; nothing is retained after return. Not to
 * be called from two threads at once, nor while mm_sgemm or mm_dgemm
 * runs on another thread (they share the thread pool). */
#ifndef MMCALC_GEMM_LOWP_H
#define MMCALC_GEMM_LOWP_H

#include <stdbool.h>
#include <stdint.h>

/* C = alpha · bf16(A) · bf16(B) + beta · C, in f32: each product of two
 * bf16 values is exact and the sums over k are f32 (rounded to nearest,
 * sums in the subnormal range flushed to zero on the AMX and AVX512_BF16
 * paths; a k over 65536 is summed 65536 at a time, each slice added to
 * C). beta == 0 overwrites C without reading it; alpha == 0 or k == 0
 * only scales C by beta. The caller rounds C to bf16 when the result's
 * dtype is bf16.
 * Returns 0, MM_ERR_INTERRUPTED (diag.h; C partly updated) when
 * mm_interrupted() was seen between blocks, or MM_ERR_NOMEM (C untouched)
 * when the packing buffers could not be allocated or sized. */
int mm_gemm_bf16(int64_t m, int64_t n, int64_t k, float alpha,
                 const float *a, int64_t rs_a, int64_t cs_a,
                 const float *b, int64_t rs_b, int64_t cs_b, float beta,
                 float *c, int64_t rs_c, int64_t cs_c);

/* C = i8(A) · i8(B) (accumulate false) or C + i8(A) · i8(B) (true), in
 * int32: exact while every |sum| < 2^31 (always for k <= 131072, since
 * |a·b| <= 2^14), otherwise modulo 2^32, so that the low 8 bits, which
 * NumPy's int8 matmul keeps, are exact for any k. The caller wraps C to
 * the result's dtype. Returns as mm_gemm_bf16. */
int mm_gemm_i8(int64_t m, int64_t n, int64_t k,
               const float *a, int64_t rs_a, int64_t cs_a,
               const float *b, int64_t rs_b, int64_t cs_b, bool accumulate,
               int32_t *c, int64_t rs_c, int64_t cs_c);

/* The path each type runs on: "amx", "avx512bf16" or "avx512fma" (bf16:
 * vdpbf16ps, or the f32 FMA on operands rounded to bf16, the same sums),
 * "avx512vnni" (i8) or "generic". The default is the fastest this CPU and
 * its kernel allow (AMX needs Linux to grant the tile state; if it
 * refuses, the next path runs; of the two AVX-512 bf16 paths, the one
 * whose instruction measures faster, once). */
const char *mm_gemm_bf16_isa(void);
const char *mm_gemm_i8_isa(void);

/* Uses the named path (NULL: the default; "avx512": the default among
 * the AVX-512 paths, not AMX) for later calls of that type; not while a
 * product runs. Returns 0, or -1 if it was not built or this CPU cannot
 * run it (nothing changes then). For tests, benchmarks and MMCALC_ISA. */
int mm_gemm_bf16_set_isa(const char *name);
int mm_gemm_i8_set_isa(const char *name);

/* Frees the packing buffers kept between calls (they come back at the
 * next call); for leak checkers and clean exits. mm_gemm_shutdown()
 * stops the thread pool both GEMMs share. */
void mm_gemm_lowp_shutdown(void);

#endif
