/* ops_nn.h — the numeric operations of the layers of modern models on
 * concrete tensors: reductions over several axes, argmax and logsumexp;
 * maximum, minimum, where and clip with NumPy's broadcasting; tril and
 * triu; rmsnorm, swiglu and dropout; take and embedding (gathers by
 * integer-valued tensors) and cross_entropy. Results match NumPy (or
 * PyTorch where NumPy has no such function) and say so below.
 *
 * Ownership as in tensor.h: arguments are borrowed; every result is a new
 * contiguous tensor (new reference), NULL on error with d filled (span
 * {0,0}). Operands of two dtypes are promoted (f32 with f64 gives f64).
 * Long loops poll mm_interrupted() between chunks (MM_ERR_INTERRUPTED).
 * Nothing here prints or exits. */
#ifndef MMCALC_OPS_NN_H
#define MMCALC_OPS_NN_H

#include <stdbool.h>

#include "mmcalc/ops.h"
#include "mmcalc/rng.h"
#include "mmcalc/tensor.h"

/* ---- reductions ---- */

/* op over the axes mask marks (x->ndim entries; every axis when mask is
 * NULL), keepdims keeping them with length 1; sums in double. No axis
 * marked gives x's elements (op over one element each). max and min of
 * an empty axis are MM_ERR_VALUE, as NumPy. */
mm_tensor *mm_op_reduce_axes(mm_reduce op, const mm_tensor *x,
                             const bool *mask, bool keepdims, mm_diag *d);
/* log(sum(exp(x))) over the axes mask marks (NULL: all), computed as
 * max + log(sum(exp(x - max))) as scipy.special.logsumexp and
 * torch.logsumexp: -inf for an empty axis or all -inf, inf with an inf,
 * NaN with a NaN. */
mm_tensor *mm_op_logsumexp(const mm_tensor *x, const bool *mask,
                           bool keepdims, mm_diag *d);
/* The index of the largest element along axis (MM_AXIS_ALL: of x
 * flattened in C order), the first when several tie and the first NaN
 * when there is one (NumPy's argmax). The indices are f64 (8 bytes each,
 * as NumPy's int64; exact below 2^53). An empty axis is MM_ERR_VALUE. */
mm_tensor *mm_op_argmax(const mm_tensor *x, int axis, bool keepdims,
                        mm_diag *d);

/* ---- elementwise choices, broadcast as NumPy ---- */

/* np.maximum (max true) or np.minimum: a NaN on either side wins. */
mm_tensor *mm_op_maximum(const mm_tensor *a, const mm_tensor *b, bool max,
                         mm_diag *d);
/* np.where: a where cond is not 0 (NaN counts as true), else b; the
 * three broadcast together, the result of a's and b's dtype. */
mm_tensor *mm_op_where(const mm_tensor *cond, const mm_tensor *a,
                       const mm_tensor *b, mm_diag *d);
/* np.clip: minimum(maximum(x, lo), hi); either bound may be NULL (not
 * both: then x's elements); lo > hi gives hi, as NumPy. */
mm_tensor *mm_op_clip(const mm_tensor *x, const mm_tensor *lo,
                      const mm_tensor *hi, mm_diag *d);

/* NumPy's comparisons: np.greater, np.greater_equal, np.less,
 * np.less_equal, np.equal, np.not_equal. */
typedef enum mm_cmp {
	MM_CMP_GT, MM_CMP_GE, MM_CMP_LT, MM_CMP_LE, MM_CMP_EQ, MM_CMP_NE
} mm_cmp;
/* a op b, broadcast: 1 where it holds, 0 where not, in the operands'
 * promoted dtype (NumPy's bool array cast to it). A NaN compares false
 * but for MM_CMP_NE, true. */
mm_tensor *mm_op_compare(const mm_tensor *a, const mm_tensor *b, mm_cmp op,
                         mm_diag *d);
/* The same on two numbers: 1 or 0 (what the checker folds). */
double mm_op_compare_num(double a, double b, mm_cmp op);

/* np.tril (upper false) or np.triu of the last two axes: a copy with the
 * elements above diagonal k (j > i + k) or below it (j < i + k) zero,
 * NaN or not. x needs at least 2 axes (MM_ERR_SHAPE). */
mm_tensor *mm_op_tri(const mm_tensor *x, int64_t k, bool upper, mm_diag *d);

/* ---- activations and norms ---- */

/* x / sqrt(mean(x²) + eps) · weight over the last axis, as PyTorch's
 * rms_norm (eps: torch.finfo(dtype).eps when nn.RMSNorm's is None; the
 * caller passes it). weight: NULL, or 1-D with the last axis's length. */
mm_tensor *mm_op_rmsnorm(const mm_tensor *x, const mm_tensor *weight,
                         double eps, mm_diag *d);
/* silu(x @ w1) · (x @ w3), matmuls as mm_op_matmul: the gated MLP of
 * Llama (w1 the gate, w3 the up projection). */
mm_tensor *mm_op_swiglu(const mm_tensor *x, const mm_tensor *w1,
                        const mm_tensor *w3, mm_diag *d);
/* Training dropout: each element 0 with probability p (one
 * mm_rng_uniform draw per element in C order), else x / (1 - p); p in
 * [0, 1] (MM_ERR_VALUE otherwise); p = 1 gives zeros. */
mm_tensor *mm_op_dropout(const mm_tensor *x, double p, mm_rng *rng,
                         mm_diag *d);

/* ---- gathers and losses ---- */

/* np.take(table, ids, axis) (embedding false: an id may be negative,
 * counting from the end) or torch's F.embedding(ids, table) (embedding
 * true, axis 0: the table is (rows x dim) and ids are in [0, rows)). ids
 * hold whole numbers in any dtype; one that is not, or is out of range,
 * is MM_ERR_VALUE naming it and where it is. The result: table's axes
 * before axis, ids' axes, table's after it, of table's dtype. */
mm_tensor *mm_op_take(const mm_tensor *table, const mm_tensor *ids, int axis,
                      bool embedding, mm_diag *d);

/* cross_entropy's reduction, as PyTorch's reduction=. */
typedef enum mm_ce_reduce { MM_CE_MEAN, MM_CE_SUM, MM_CE_NONE } mm_ce_reduce;

/* torch.nn.functional.cross_entropy(logits, targets) with class-index
 * targets: logits (C,) or (N, C, d1, ...), targets () or (N, d1, ...),
 * the loss of each target −log_softmax(logits)[target] along the class
 * axis (1, or 0 for 1-D logits), computed as logsumexp − the target's
 * logit; targets equal to ignore (PyTorch's -100) count 0 and are left
 * out of the mean (all left out: NaN). MM_CE_NONE gives the losses in
 * the targets' shape, the others a 0-d result. A target that is not a
 * class index is MM_ERR_VALUE naming it. */
mm_tensor *mm_op_cross_entropy(const mm_tensor *logits,
                               const mm_tensor *targets, mm_ce_reduce red,
                               int64_t ignore, mm_diag *d);

#endif
