/* einsum.h — Einstein summation with NumPy's rules: the subscripts
 * ("bhqd,bhkd->bhqk", implicit output, repeated letters, "..." for
 * broadcast axes) read against the operands' shapes into a plan, which
 * gives the result's shape and cost to the checker and the steps to the
 * evaluator. Execution maps a contraction onto the blocked GEMM: the
 * operands' axes permuted into batch, free and contracted groups
 * (views), each group merged into one axis (views where the strides
 * allow), one batched matmul, and the result's axes permuted into place.
 * One or two operands; more are refused (contract them in steps).
 *
 * Ownership: a plan is a plain value that points into the shapes it was
 * made from (their symbolic dims) and to nothing else. mm_op_einsum
 * follows tensor.h: operands borrowed, a new reference returned (NULL
 * with d filled), possibly a view of an operand. */
#ifndef MMCALC_EINSUM_H
#define MMCALC_EINSUM_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/shape.h"
#include "mmcalc/tensor.h"

#define MM_EINSUM_MAX_OPS 2
/* labels: A-Z are 0-25, a-z 26-51 (the order of implicit outputs, as
 * NumPy's), then the broadcast axes of "..." from the left */
#define MM_EINSUM_LETTERS 52
#define MM_EINSUM_LABELS (MM_EINSUM_LETTERS + MM_MAX_NDIM)

typedef struct mm_einsum {
	int nops;
	int nd[MM_EINSUM_MAX_OPS];                 /* each operand's axes */
	uint8_t lab[MM_EINSUM_MAX_OPS][MM_MAX_NDIM]; /* each axis's label */
	int nout;
	uint8_t out[MM_MAX_NDIM];                   /* the result's labels */
	int nell;                                   /* axes of "..." */
	/* each label's size: a number, or a polynomial (sym non-NULL) */
	int64_t size[MM_EINSUM_LABELS];
	const struct mm_poly *sym[MM_EINSUM_LABELS];
	bool used[MM_EINSUM_LABELS];
} mm_einsum;

/* Reads spec against the n operands' shapes (1 <= n; more than
 * MM_EINSUM_MAX_OPS is MM_ERR_UNSUPPORTED) into *p and the result's
 * shape into *out. Errors name the offending letter or operand;
 * *at (may be NULL) is then the byte offset in spec to point at, or -1.
 * Sizes of one letter must agree, a 1 broadcasting against another size
 * as in NumPy (within one operand, a repeated letter's sizes must be
 * equal); with symbols, sizes that may differ are assumed equal and that
 * recorded in as (NULL: an error). */
mm_code mm_einsum_plan(const char *spec, const mm_shape *ops, int n,
                       mm_einsum *p, mm_shape *out, int *at, mm_assume *as,
                       mm_diag *d);

/* The plan's label sizes as shapes for its cost (the distinct labels of
 * the operands: the first's, then the second's that it lacks, at most
 * two shapes) and whether any label is summed. Returns their number. */
int mm_einsum_cost_dims(const mm_einsum *p, mm_shape lab[2], bool *summed);

/* Executes the plan on tensors of the shapes it was made from. One
 * operand: its diagonals and permutations are views, sums a reduction.
 * Two: the letters only one operand has and the result lacks are summed
 * first; a contraction goes to the GEMM as one batched matmul, a product
 * without one is a broadcast multiplication; dot products along a batch
 * (no free letters) multiply and sum. */
mm_tensor *mm_op_einsum(const mm_einsum *p, const mm_tensor *const *in,
                        mm_diag *d);

#endif
