/* ops.h — numeric operations on concrete tensors with NumPy semantics:
 * broadcasting elementwise arithmetic and math, reductions, softmax,
 * layernorm, reshape, concat and matmul (through gemm.h).
 *
 * Ownership as in tensor.h: arguments are borrowed, every returned
 * tensor is a new reference (NULL on error with d filled, span {0,0}).
 * Results are new contiguous tensors unless said otherwise. The result
 * dtype is the promotion of the operands' (f32 with f64 gives f64); the
 * evaluator passes scalars as 0-d tensors already cast to the other
 * operand's dtype. Empty tensors (a 0 dim) are valid everywhere.
 * Long loops poll mm_interrupted() between chunks and then fail with
 * MM_ERR_INTERRUPTED. Nothing here prints or exits. */
#ifndef MMCALC_OPS_H
#define MMCALC_OPS_H

#include <limits.h>
#include <stdbool.h>

#include "mmcalc/tensor.h"

typedef enum mm_binop {
	MM_OP_ADD, /* + */
	MM_OP_SUB, /* - */
	MM_OP_MUL, /* * */
	MM_OP_DIV, /* / (IEEE: x/0 is ±inf or nan) */
	MM_OP_MOD, /* % NumPy floor-mod: fmod-based, result has the divisor's
	            * sign; x % 0 is nan */
	MM_OP_POW, /* ** and ^: C pow() */
	MM_BINOP_COUNT
} mm_binop;

/* Unary minus, then the elementwise functions of unary.def (MM_OP_EXP,
 * MM_OP_GELU, ...). */
typedef enum mm_unop {
	MM_OP_NEG,
#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY) MM_OP_##ID,
#include "mmcalc/unary.def"
	MM_UNOP_COUNT
} mm_unop;

typedef enum mm_reduce {
	MM_RED_SUM,  /* empty: 0 */
	MM_RED_MEAN, /* empty: nan */
	MM_RED_MAX,  /* empty: MM_ERR_VALUE, as NumPy; nan propagates */
	MM_RED_MIN,
	MM_RED_NORM, /* 2-norm (Frobenius) over the reduced elements */
	MM_REDUCE_COUNT
} mm_reduce;

/* Reduce over every axis. */
#define MM_AXIS_ALL INT_MIN

/* Names as the language spells them ("+", "exp", "sum", ...), and the
 * reverse look-ups for function names (false when unknown). */
const char *mm_op_binop_name(mm_binop op);
const char *mm_op_unop_name(mm_unop op);
const char *mm_op_reduce_name(mm_reduce op);
bool mm_op_unop_parse(const char *name, mm_unop *out);
bool mm_op_reduce_parse(const char *name, mm_reduce *out);

/* op on numbers, exactly as the f64 kernels compute it: the checker's
 * constant fold, so that a number and a tensor give the same bits. */
double mm_op_binary_scalar(mm_binop op, double a, double b);
double mm_op_unary_scalar(mm_unop op, double x);

/* a OP b, broadcasting. */
mm_tensor *mm_op_binary(mm_binop op, const mm_tensor *a, const mm_tensor *b,
                        mm_diag *d);
/* The same into an existing tensor out (any strides), which must have
 * the broadcast shape and the promoted dtype and must not share memory
 * with a or b. Avoids allocation in loops and benchmarks. Returns MM_OK
 * or the error code. */
mm_code mm_op_binary_into(mm_binop op, const mm_tensor *a,
                          const mm_tensor *b, mm_tensor *out, mm_diag *d);
/* op(x) elementwise. */
mm_tensor *mm_op_unary(mm_unop op, const mm_tensor *x, mm_diag *d);
/* x itself (a new reference) when contiguous, else a contiguous copy,
 * made in tiles when x is a transposed view (as mm_tensor_contiguous,
 * whose element-by-element copy of a 4096² x.T takes ten times longer).
 * NULL with d filled on failure or interruption. */
mm_tensor *mm_op_contiguous(const mm_tensor *x, mm_diag *d);

/* Reduction over all axes (axis == MM_AXIS_ALL) or one axis (negative
 * counts from the end). keepdims keeps reduced axes with length 1.
 * Accumulation is in double for both dtypes. */
mm_tensor *mm_op_reduce(mm_reduce op, const mm_tensor *x, int axis,
                        bool keepdims, mm_diag *d);

/* exp(x - max) / sum(exp(x - max)) along axis (negative allowed); 0-d
 * input is rejected like NumPy's axis error. */
mm_tensor *mm_op_softmax(const mm_tensor *x, int axis, mm_diag *d);
/* Layer normalisation over the last axis: (x - mean) / sqrt(var + 1e-5)
 * with the biased variance, then · weight + bias when given (NULL to omit;
 * each must hold as many elements as the last axis, 1-D or a scalar of
 * numel 1 broadcast). x must have at least one axis. */
mm_tensor *mm_op_layernorm(const mm_tensor *x, const mm_tensor *weight,
                           const mm_tensor *bias, mm_diag *d);

/* New shape with the same element count; one entry may be -1 (inferred).
 * A view of x's storage when x is contiguous, else a contiguous copy. */
mm_tensor *mm_op_reshape(const mm_tensor *x, int ndim, const int64_t *shape,
                         mm_diag *d);
/* Joins n >= 1 tensors along axis (negative allowed); all need the same
 * ndim (>= 1) and equal lengths on the other axes; dtypes promote. */
mm_tensor *mm_op_concat(const mm_tensor *const *list, int n, int axis,
                        mm_diag *d);

/* NumPy matmul: 1-D operands are promoted (a to 1×k, b to k×1) and the
 * added axis removed from the result; leading axes broadcast; 0-d is
 * MM_ERR_SHAPE. One mm_sgemm/mm_dgemm call per batch element with the
 * operands' own strides (transposed and sliced 2-D views are not
 * copied; only views with zero or negative strides in the last two axes
 * are, and an operand promoted to the other's dtype is a converted
 * copy). */
mm_tensor *mm_op_matmul(const mm_tensor *a, const mm_tensor *b, mm_diag *d);
/* The same, stored as a tensor of dtype t holds it (dtype_round.h): a
 * bf16 or f8 product through mm_gemm_bf16 (f32 sums), i8 or i4 through
 * mm_gemm_i8 (exact int32 sums, wrapped as NumPy's int8 matmul), f16
 * through mm_sgemm, each then rounded to t; f32, tf32 and f64 as
 * mm_op_matmul. The operands hold values of t, or of a type whose values
 * t's GEMM reads exactly (an i8 operand of a bf16 product). */
mm_tensor *mm_op_matmul_as(const mm_tensor *a, const mm_tensor *b,
                           mm_dtype t, mm_diag *d);

#endif
