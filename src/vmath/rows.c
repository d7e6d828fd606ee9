/* rows.c — vmath's row operations (softmax, log_softmax, layernorm,
 * rmsnorm, reductions) on contiguous rows, f32 and f64, from
 * rows_tmpl.h. Compiled with plain flags: the kernels it calls are the
 * dispatched ones, and its own arithmetic (a reciprocal, a square root,
 * a log per row) is scalar. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "mmcalc/diag.h"
#include "mmcalc/parallel.h"
#include "vmath_fn.h"
#include "vmath_internal.h"

/* Bytes per piece of rows spread over the threads (and polling point). */
#define CHUNK_BYTES 65536

#define VM_CAT_(a, b) a##_##b
#define VM_CAT(a, b) VM_CAT_(a, b)

/* What a pass over a row does (rows_tmpl.h's block()). */
enum {
	W_MAX,
	W_MIN,
	W_SUM,
	W_SUMSQ,
	W_SUMSQDEV,
	W_SUMEXP,
	W_MAXSUMEXP,
	W_SUMEXP_STORE,
	W_SCALE,
	W_EXPSCALE,
	W_SHIFT,
	W_AFFINE
};

/* The operations. */
enum { K_SOFTMAX, K_LOG_SOFTMAX, K_LAYERNORM, K_RMSNORM, K_REDUCE };

static int64_t nblocks(int64_t n)
{
	return (n + MM_VMATH_BLOCK - 1) / MM_VMATH_BLOCK;
}

#define T float
#define S f32
#include "rows_tmpl.h"
#undef T
#undef S

#define T double
#define S f64
#include "rows_tmpl.h"
#undef T
#undef S
