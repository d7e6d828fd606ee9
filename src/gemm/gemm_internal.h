/* gemm_internal.h — the contract between the GEMM driver and its per-ISA
 * micro-kernels and skinny (matrix-vector) routines. Not a public header. */
#ifndef MMCALC_GEMM_INTERNAL_H
#define MMCALC_GEMM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A micro-kernel computes one MR×NR tile of C:
 *
 *   C[i,j] = alpha · Σ_p a[i*rs_a + p*cs_a] · b[p*rs_b + j] + beta · C[i,j]
 *
 * for i < mr <= MR, j < nr <= NR, p < kc (kc may be 0). C[i,j] lives at
 * c[i*rs_c + j*cs_c]; beta == 0 means C is written without being read.
 * `a` is a packed MR-row sliver (rs_a == 1, cs_a == MR) or A in place with
 * rs_a == 1 or cs_a == 1; all MR rows must be readable (a kernel may
 * compute rows >= mr and throw them away), unless bit mr of the table's
 * re is set: then it reads only the first mr. `b` holds kc rows of NR
 * values each, rs_b apart: a packed NR-column sliver (rs_b == NR) or B
 * itself in place; all NR values of every row must be readable even when
 * nr < NR (the driver pads the last sliver), unless nr <= the table's
 * NRE: then it reads only the first nr (so an edge of B is read in
 * place; test-gemm: reads_stay_inside).
 * Every element of C goes through the same arithmetic, in an edge tile or
 * not, so a product does not depend on how the work was split among
 * threads (test-gemm: edge_tiles_same_arithmetic). */
typedef void mm_gemm_ukr_f32(int64_t kc, float alpha, const float *a,
                             int64_t rs_a, int64_t cs_a, const float *b,
                             int64_t rs_b, float beta, float *c,
                             int64_t rs_c, int64_t cs_c, int mr, int nr);
typedef void mm_gemm_ukr_f64(int64_t kc, double alpha, const double *a,
                             int64_t rs_a, int64_t cs_a, const double *b,
                             int64_t rs_b, double beta, double *c,
                             int64_t rs_c, int64_t cs_c, int mr, int nr);

/* A skinny routine computes a row vector times a matrix, for j < n:
 *
 *   y[j*incy] = alpha · Σ_p x[p*incx] · B[p*rs_b + j*cs_b] + beta · y[j*incy]
 *
 * (beta == 0: y is not read). Each y[j] is summed in an order that depends
 * only on k and the strides, never on how the j range was split. */
typedef void mm_gemm_gemv_f32(int64_t n, int64_t k, float alpha,
                              const float *x, int64_t incx,
                              const float *b, int64_t rs_b, int64_t cs_b,
                              float beta, float *y, int64_t incy);
typedef void mm_gemm_gemv_f64(int64_t n, int64_t k, double alpha,
                              const double *x, int64_t incx,
                              const double *b, int64_t rs_b, int64_t cs_b,
                              double beta, double *y, int64_t incy);

/* A few rows' kernel (skinny.c): for i < m <= 16, j < n,
 *
 *   c[i*rs_c + j] = (first ? 0 : c[i*rs_c + j]) + Σ_p a[p*m + i] · b[p*rs_b + j]
 *
 * over p < kb <= MM_GEMM_ROWS_KB, each sum one chain in the order of p,
 * whichever columns a call takes (so the bits do not depend on the
 * threads' split); A is packed row after row of Aᵀ (a[p*m + i]). */
typedef void mm_gemm_rows_f32(int m, int64_t kb, int64_t n, const float *a,
                              const float *b, int64_t rs_b, float *c,
                              int64_t rs_c, bool first);
typedef void mm_gemm_rows_f64(int m, int64_t kb, int64_t n, const double *a,
                              const double *b, int64_t rs_b, double *c,
                              int64_t rs_c, bool first);
enum { MM_GEMM_ROWS_KB = 64 };

/* Packing (pack.c, compiled per ISA): pack_a copies rows × kc of A into
 * MR-row slivers (rows past `rows` zero): sliver s holds A[s·MR + i, p]
 * at dst[s·MR·kc + p·MR + i]; pack_b copies kc × cols of B into NR-column
 * slivers (columns past `cols` zero): sliver s holds B[p, s·NR + j] at
 * dst[s·NR·kc + p·NR + j]. Any strides; a row-major A and a B stored by
 * columns go through vector transposes where the ISA has them. */
typedef void mm_gemm_pack_a_f32(float *restrict dst, const float *a,
                                int64_t rs_a, int64_t cs_a, int64_t rows,
                                int64_t kc, int mr);
typedef void mm_gemm_pack_b_f32(float *restrict dst, const float *b,
                                int64_t rs_b, int64_t cs_b, int64_t kc,
                                int64_t cols, int nr);
typedef void mm_gemm_pack_a_f64(double *restrict dst, const double *a,
                                int64_t rs_a, int64_t cs_a, int64_t rows,
                                int64_t kc, int mr);
typedef void mm_gemm_pack_b_f64(double *restrict dst, const double *b,
                                int64_t rs_b, int64_t cs_b, int64_t kc,
                                int64_t cols, int nr);

/* One ISA's kernels, register tile sizes, preferred KC (the depth of a
 * packed sliver, chosen by measurement for that kernel) and NRE (the
 * widest tile for which the kernel reads no further into B than nr);
 * re has bit r set if a tile of r < MR rows reads only r rows of A. */
struct mm_gemm_isa_kernels {
	const char *name;
	unsigned re;
	int mr_s, nr_s, kc_s, nre_s;
	mm_gemm_ukr_f32 *ukr_s;
	mm_gemm_gemv_f32 *gemv_s;
	mm_gemm_pack_a_f32 *pack_a_s;
	mm_gemm_pack_b_f32 *pack_b_s;
	int mr_d, nr_d, kc_d, nre_d;
	mm_gemm_ukr_f64 *ukr_d;
	mm_gemm_gemv_f64 *gemv_d;
	mm_gemm_pack_a_f64 *pack_a_d;
	mm_gemm_pack_b_f64 *pack_b_d;
	mm_gemm_rows_f32 *rows_s;
	mm_gemm_rows_f64 *rows_d;
};

/* Largest MR and NR of any kernel (sizes of the drivers' tile buffers). */
enum { MM_GEMM_MAX_MR = 8, MM_GEMM_MAX_NR = 32 };

/* Per-ISA entry points, each compiled with that ISA's flags only. */
mm_gemm_ukr_f32 mm_gemm_kernel_generic_f32_4x8;
mm_gemm_ukr_f64 mm_gemm_kernel_generic_f64_4x4;
mm_gemm_gemv_f32 mm_gemm_gemv_generic_f32;
mm_gemm_gemv_f64 mm_gemm_gemv_generic_f64;
mm_gemm_pack_a_f32 mm_gemm_pack_a_generic_f32;
mm_gemm_pack_b_f32 mm_gemm_pack_b_generic_f32;
mm_gemm_pack_a_f64 mm_gemm_pack_a_generic_f64;
mm_gemm_pack_b_f64 mm_gemm_pack_b_generic_f64;
mm_gemm_rows_f32 mm_gemm_rows_generic_f32;
mm_gemm_rows_f64 mm_gemm_rows_generic_f64;

mm_gemm_ukr_f32 mm_gemm_kernel_avx2_f32_6x16;
mm_gemm_ukr_f64 mm_gemm_kernel_avx2_f64_6x8;
mm_gemm_gemv_f32 mm_gemm_gemv_avx2_f32;
mm_gemm_gemv_f64 mm_gemm_gemv_avx2_f64;
mm_gemm_pack_a_f32 mm_gemm_pack_a_avx2_f32;
mm_gemm_pack_b_f32 mm_gemm_pack_b_avx2_f32;
mm_gemm_pack_a_f64 mm_gemm_pack_a_avx2_f64;
mm_gemm_pack_b_f64 mm_gemm_pack_b_avx2_f64;
mm_gemm_rows_f32 mm_gemm_rows_avx2_f32;
mm_gemm_rows_f64 mm_gemm_rows_avx2_f64;

mm_gemm_ukr_f32 mm_gemm_kernel_avx512_f32_8x32;
mm_gemm_ukr_f64 mm_gemm_kernel_avx512_f64_8x16;
mm_gemm_gemv_f32 mm_gemm_gemv_avx512_f32;
mm_gemm_gemv_f64 mm_gemm_gemv_avx512_f64;
mm_gemm_pack_a_f32 mm_gemm_pack_a_avx512_f32;
mm_gemm_pack_b_f32 mm_gemm_pack_b_avx512_f32;
mm_gemm_pack_a_f64 mm_gemm_pack_a_avx512_f64;
mm_gemm_pack_b_f64 mm_gemm_pack_b_avx512_f64;
mm_gemm_rows_f32 mm_gemm_rows_avx512_f32;
mm_gemm_rows_f64 mm_gemm_rows_avx512_f64;

/* Test hook: pretend the caches have these sizes in bytes (0: read them
 * again), so that tests reach every block boundary with small matrices. */
void mm_gemm_test_caches(int64_t l1, int64_t l2, int64_t l3);

/* The sizes of the level 1-3 data caches as Linux describes them under
 * dir (gemm.c); 0 where not found. Returns how many levels were found. */
int mm_gemm_caches_from(const char *dir, int64_t size[3]);

/* Test hook: bytes held by the buffers where A and B are packed once for
 * all units, kept between products (gemm.c, shared_trim()). */
size_t mm_gemm_test_shared_bytes(void);

/* The kernel tables; dispatch.c picks one at run time. */
const struct mm_gemm_isa_kernels *mm_gemm_select(const char *want);

#endif
