/* einsum.h — Einstein summation with NumPy's rules: the subscripts
 * ("bhqd,bhkd->bhqk", implicit output, repeated letters, "..." for
 * broadcast axes) read against the operands' shapes into a plan, which
 * gives the result's shape and cost to the checker and the steps to the
 * evaluator. Execution maps a contraction onto the blocked GEMM: the
 * operands' axes permuted into batch, free and contracted groups
 * (views), each group merged into one axis (views where the strides
 * allow), one batched matmul, and the result's axes permuted into place.
 * More than two operands are contracted two at a time from the left
 * (mm_einsum_step), as numpy.einsum_path's order when it is given none.
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

#define MM_EINSUM_MAX_OPS 32 /* NumPy 1.24's NPY_MAXARGS */
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
 * MM_EINSUM_MAX_OPS is MM_ERR_LIMIT, and so is a step of more than two
 * whose result would have more than MM_MAX_NDIM axes) into *p and the
 * result's
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

/* Step k (1 <= k < p->nops) of a plan of more than two operands: a plan
 * of two, the result of step k - 1 (for k = 1, p's first operand) and
 * p's operand k, whose result keeps the labels that a later operand or
 * p's result has (at the last step, p's result). False when that would
 * be more than MM_MAX_NDIM axes (mm_einsum_plan refuses such plans). */
bool mm_einsum_step(const mm_einsum *p, int k, mm_einsum *s);

/* Executes the plan on tensors of the shapes it was made from. One
 * operand: its diagonals and permutations are views, sums a reduction.
 * Two: the letters only one operand has and the result lacks are summed
 * first; a contraction goes to the GEMM as one batched matmul, a product
 * without one is a broadcast multiplication; dot products along a batch
 * (no free letters) multiply and sum. More: the steps in turn. */
mm_tensor *mm_op_einsum(const mm_einsum *p, const mm_tensor *const *in,
                        mm_diag *d);

#endif
