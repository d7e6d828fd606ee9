/* anchor.h — the libraries bench-gemm measures mmcalc against (OpenBLAS,
 * BLIS), each behind the same few calls, so that their headers (which
 * both declare cblas_sgemm) never meet in one file. Benchmark code only:
 * never linked into mmcalc. An anchor not built in is absent (count). */
#ifndef MMCALC_BENCH_ANCHOR_H
#define MMCALC_BENCH_ANCHOR_H

#include <stdbool.h>
#include <stdint.h>

/* The anchors built in, 0 to 2; index 0.. for the calls below. */
int anchor_count(void);

/* "OpenBLAS" or "BLIS". */
const char *anchor_name(int i);

/* The kernels it runs, as it says (OpenBLAS's core name, BLIS's
 * sub-configuration), e.g. "SkylakeX" or "skx". */
const char *anchor_kernels(int i);

/* Sets the threads its later calls use. */
void anchor_threads(int i, int threads);

/* C = alpha·op(A)·op(B) + beta·C, row-major: op(A) is m×k, stored k×m
 * if ta (lda its row length), op(B) k×n, stored n×k if tb. */
void anchor_gemm(int i, bool f64, bool ta, bool tb, int64_t m, int64_t n,
                 int64_t k, double alpha, const void *a, int64_t lda,
                 const void *b, int64_t ldb, double beta, void *c,
                 int64_t ldc);

/* Puts in the environment the variables that make each anchor run its
 * best kernels on this CPU (OPENBLAS_CORETYPE, BLIS_ARCH_TYPE), whatever
 * was there; `was` gets a line saying what they were. Returns true if
 * anything changed: OpenBLAS reads its variable when it is loaded, so
 * the caller must then execute itself again. */
bool anchor_environment(char *was, int was_size);

#endif
