/* gemm.h — general matrix multiply, BLIS-style strides:
 *
 *   C = alpha · A · B + beta · C      A is m×k, B is k×n, C is m×n
 *
 * Element (i, j) of X lives at x[i*rs_x + j*cs_x], so a transpose is a swap
 * of the two strides and a slice is an offset pointer: no copies beyond the
 * kernel's own packing. Strides are in elements and may be any positive
 * values (C's must not alias distinct elements). m, n or k may be 0; with
 * k == 0 (or alpha == 0) C is only scaled by beta. beta == 0 overwrites C
 * without reading it, so NaNs already in C never leak into the result.
 * The result is bit-for-bit the same for any thread count.
 * The caller owns every buffer; nothing is retained after return. */
#ifndef MMCALC_GEMM_H
#define MMCALC_GEMM_H

#include <stdint.h>

/* Returns 0, or MM_ERR_INTERRUPTED (see diag.h) when mm_interrupted() was
 * seen between blocks; C is then partly updated. */
int mm_sgemm(int64_t m, int64_t n, int64_t k, float alpha,
             const float *a, int64_t rs_a, int64_t cs_a,
             const float *b, int64_t rs_b, int64_t cs_b, float beta,
             float *c, int64_t rs_c, int64_t cs_c);
int mm_dgemm(int64_t m, int64_t n, int64_t k, double alpha,
             const double *a, int64_t rs_a, int64_t cs_a,
             const double *b, int64_t rs_b, int64_t cs_b, double beta,
             double *c, int64_t rs_c, int64_t cs_c);

/* A batch of products, C_q = alpha · A_q · B_q + beta · C_q for
 * q < batch, where X_q starts at x + q·bs_x (in elements; bs_a or bs_b
 * may be 0, one operand for every q; the C_q must not overlap). Each C_q
 * comes out bit for bit as mm_sgemm would make it, for any thread count;
 * the threads share out the entries when there are enough of them, so
 * that a batch of small products keeps them all busy. Returns as
 * mm_sgemm; when interrupted, some C_q are not computed. */
int mm_sgemm_batch(int64_t batch, int64_t m, int64_t n, int64_t k,
                   float alpha, const float *a, int64_t bs_a, int64_t rs_a,
                   int64_t cs_a, const float *b, int64_t bs_b, int64_t rs_b,
                   int64_t cs_b, float beta, float *c, int64_t bs_c,
                   int64_t rs_c, int64_t cs_c);
int mm_dgemm_batch(int64_t batch, int64_t m, int64_t n, int64_t k,
                   double alpha, const double *a, int64_t bs_a, int64_t rs_a,
                   int64_t cs_a, const double *b, int64_t bs_b, int64_t rs_b,
                   int64_t cs_b, double beta, double *c, int64_t bs_c,
                   int64_t rs_c, int64_t cs_c);

/* Threads used by later calls; n < 1 means the number of online CPUs,
 * which is also the default. Small products use one thread regardless. */
void mm_gemm_set_threads(int n);
int mm_gemm_threads(void);

/* The name of the micro-kernel path in use: "avx512", "avx2", "generic";
 * the best this CPU runs unless mm_gemm_set_isa() chose another. (The
 * library reads no environment: the mmcalc command passes MMCALC_ISA to
 * mm_gemm_set_isa() at start-up.) */
const char *mm_gemm_isa(void);

/* Uses the named path ("generic", "avx2", "avx512"; NULL: the best this
 * CPU runs) for later calls; not while a product runs. Returns 0, or -1 if
 * it was not built or this CPU cannot run it (nothing changes then). */
int mm_gemm_set_isa(const char *name);

/* Joins the worker threads and frees the packing buffers (both come back
 * at the next call); for leak checkers and clean exits. */
void mm_gemm_shutdown(void);

#endif
