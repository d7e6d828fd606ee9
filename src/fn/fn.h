/* fn.h — the built-ins' check and eval functions (one pair per family,
 * in src/fn/) and what they share with the checker and the evaluator.
 * Not a public header: builtin.c's table points at these functions.
 *
 * Ownership: check functions write annotations into the statement's
 * arena and take no tensor references; eval functions return a new
 * reference (NULL with the evaluator's diag filled) and borrow their
 * operands' values. */
#ifndef MMCALC_FN_H
#define MMCALC_FN_H

#include "mmcalc/builtin.h"
#include "mmcalc/check.h"
#include "mmcalc/cost.h"
#include "mmcalc/eval.h"

/* ---- the checker's helpers (check.c) ---- */

/* Sets the checker's diag: mm_ck_fail(c, code, span, fmt, ...). */
#define mm_ck_fail(c, ...) mm_diag_set((c)->diag, __VA_ARGS__)
/* Points an error reported without a position (span {0,0}) at `at`. */
mm_code mm_ck_placed(mm_checker *c, mm_code code, mm_span at);
/* Checks a node that is not checked yet (a keyword given as a word). */
mm_code mm_ck_node(mm_checker *c, mm_node *e);
/* Dim k of s from the expression e, as a shape literal's: a number, or
 * a polynomial of symbols (unbound names). */
mm_code mm_ck_dim_of(mm_checker *c, mm_node *e, mm_shape *s, int k);
/* "a number", "a string", "a tensor", "no value". */
const char *mm_ck_kind_name(const mm_value *v);
/* Arguments: a dimension (integral, >= 0), an integer (may be negative),
 * true/false (a bare word or a number), a dtype (a name or a string). */
mm_code mm_ck_dim(mm_checker *c, const mm_node *e, int64_t *out);
mm_code mm_ck_int(mm_checker *c, const mm_node *e, const char *what,
                  int64_t *out);
mm_code mm_ck_bool(mm_checker *c, const mm_node *e, const char *what,
                   bool *out);
mm_code mm_ck_dtype(mm_checker *c, const mm_node *e, mm_dtype *out);
/* MM_OK when the argument is a tensor, else a type error naming fn. */
mm_code mm_ck_tensor(mm_checker *c, const mm_node *arg, const char *fn);
/* The index of keyword argument key in the call e, or -1. */
int mm_ck_key(const mm_node *e, const char *key);
/* The number of positional arguments of the call e. */
int mm_ck_npos(const mm_node *e);
/* Annotations: a tensor of this shape and dtype (its bytes computed), a
 * view of x (no memory of its own), a plain number, an input. */
static inline void mm_ck_set_tensor(mm_info *i, const mm_shape *s,
                                    mm_dtype t, bool concrete)
{
	mm_value_set_tensor(&i->v, s, t);
	i->concrete = concrete;
}
void mm_ck_set_view(mm_info *i, const mm_info *x);
void mm_ck_set_number(mm_info *i, double v);
void mm_ck_set_leaf(mm_checker *c, mm_info *i);
/* The arena holds graph node g (its reference) until it is reset. */
bool mm_ck_hold(mm_checker *c, struct mm_gnode *g);
/* A dimension expression (numbers, symbols, + - * / **) as a polynomial;
 * e is not checked as an expression (an unbound name is a symbol). */
mm_code mm_ck_sym(mm_checker *c, mm_node *e, mm_poly *out);
/* Checks the user function f applied to args (checked nodes), with
 * messages pointing at `at`; the body's result node into *result. */
mm_code mm_ck_apply(mm_checker *c, const mm_userfn *f, mm_node *const *args,
                    int nargs, mm_span at, mm_node **result);
/* p with the symbols bound in the session substituted, into *out. */
mm_code mm_ck_subst(mm_checker *c, const mm_poly *p, mm_poly *out);
/* The cost context of the checker (its arena and diag). */
mm_cost_ctx mm_ck_cost_ctx(mm_checker *c);

/* ---- the families ---- */

/* Constructors, told apart by the row's op. */
enum { MM_CTOR_RANDN, MM_CTOR_RAND, MM_CTOR_ZEROS, MM_CTOR_ONES,
       MM_CTOR_EYE, MM_CTOR_FULL, MM_CTOR_ARANGE };
mm_builtin_check mm_fn_ctor_check;
mm_builtin_eval mm_fn_ctor_eval;

/* Elementwise functions of unary.def (op: the mm_unop). */
mm_builtin_check mm_fn_unary_check;
mm_builtin_eval mm_fn_unary_eval;

/* Reductions (op: the mm_reduce), softmax, layernorm. */
mm_builtin_check mm_fn_reduce_check;
mm_builtin_eval mm_fn_reduce_eval;
mm_builtin_check mm_fn_softmax_check;
mm_builtin_eval mm_fn_softmax_eval;
mm_builtin_check mm_fn_layernorm_check;
mm_builtin_eval mm_fn_layernorm_eval;

/* Shapes. */
mm_builtin_check mm_fn_concat_check;
mm_builtin_eval mm_fn_concat_eval;
mm_builtin_check mm_fn_shapeof_check;
mm_builtin_check mm_fn_numel_check;

/* Linear algebra, told apart by the row's op: a function with several
 * results in NumPy is a row per result. */
enum { MM_LA_FN_QR, MM_LA_FN_QR_R, MM_LA_FN_SOLVE, MM_LA_FN_INV,
       MM_LA_FN_DET, MM_LA_FN_SLOGDET, MM_LA_FN_SLOGDET_SIGN,
       MM_LA_FN_CHOLESKY, MM_LA_FN_SVD, MM_LA_FN_SVDVALS, MM_LA_FN_SVD_U,
       MM_LA_FN_SVD_VH, MM_LA_FN_LSTSQ };
mm_builtin_check mm_fn_linalg_check;
mm_builtin_eval mm_fn_linalg_eval;
/* Axes (axes.c): transpose and permute (one check and eval: the
 * permutation), swapaxes (permute's eval), expand_dims, squeeze, reshape
 * (a view where the strides allow). */
mm_builtin_check mm_fn_permute_check;
mm_builtin_eval mm_fn_permute_eval;
mm_builtin_check mm_fn_swapaxes_check;
mm_builtin_check mm_fn_expand_dims_check;
mm_builtin_eval mm_fn_expand_dims_eval;
mm_builtin_check mm_fn_squeeze_check;
mm_builtin_eval mm_fn_squeeze_eval;
mm_builtin_check mm_fn_reshape_check;
mm_builtin_eval mm_fn_reshape_eval;
/* Integers from argument e: a number, a parenthesised list (0, -1) or
 * [0, 1], or a shape value whose dims are the list; at most max into
 * out, their number in *n. A list read this way is no longer a value
 * (evaluation skips it). */
mm_code mm_fn_ints(mm_checker *c, mm_node *e, const char *what,
                   int64_t *out, int max, int *n);
/* The axes of a reduction (axis= and keepdims= of the call e over an
 * operand of shape xs): every axis without axis= (i->all_axes), one
 * (i->axis), or, when tuples is true, several (a mask of xs's axes in
 * i->fn_data); the result's shape into *out. */
mm_code mm_fn_reduce_axes(mm_checker *c, mm_node *e, mm_info *i,
                          const mm_shape *xs, bool tuples, mm_shape *out);
/* Whether a reduction checked so reduces axis. */
bool mm_fn_reduced(const mm_info *i, int axis);

/* The layers of modern models (nn.c), told apart by the row's op where
 * rows share functions. */
enum { MM_NN_ARGMAX, MM_NN_LOGSUMEXP, MM_NN_MAXIMUM, MM_NN_MINIMUM,
       MM_NN_TRIL, MM_NN_TRIU, MM_NN_TAKE, MM_NN_EMBEDDING,
       MM_NN_COMPARE /* + an mm_cmp of ops_nn.h: greater, less, ... */ };
mm_builtin_check mm_fn_argmax_check;
mm_builtin_eval mm_fn_argmax_eval;
mm_builtin_check mm_fn_maximum_check;
mm_builtin_eval mm_fn_maximum_eval;
mm_builtin_check mm_fn_where_check;
mm_builtin_eval mm_fn_where_eval;
mm_builtin_check mm_fn_clip_check;
mm_builtin_eval mm_fn_clip_eval;
mm_builtin_check mm_fn_tri_check;
mm_builtin_eval mm_fn_tri_eval;
mm_builtin_check mm_fn_rmsnorm_check;
mm_builtin_eval mm_fn_rmsnorm_eval;
mm_builtin_check mm_fn_swiglu_check;
mm_builtin_eval mm_fn_swiglu_eval;
mm_builtin_check mm_fn_dropout_check;
mm_builtin_eval mm_fn_dropout_eval;
mm_builtin_check mm_fn_take_check;
mm_builtin_eval mm_fn_take_eval;
mm_builtin_check mm_fn_cross_entropy_check;
mm_builtin_eval mm_fn_cross_entropy_eval;
/* A norm's weight or bias w (what: "the weight") against its operand's
 * shape xs: one element per element of the last axis, a symbol
 * compared as a polynomial or assumed equal. */
mm_code mm_fn_check_affine(mm_checker *c, const mm_node *w,
                           const mm_shape *xs, const char *fn,
                           const char *what);

/* einsum (fn/einsum.c): the plan of src/einsum.c in fn_data. */
mm_builtin_check mm_fn_einsum_check;
mm_builtin_eval mm_fn_einsum_eval;

/* Dtypes (dtype.c). */
mm_builtin_check mm_fn_astype_check;
mm_builtin_eval mm_fn_astype_eval;


/* Attention. */
mm_builtin_check mm_fn_attention_check;
mm_builtin_eval mm_fn_attention_eval;

/* Convolution and pooling (pools: op is the mm_pool). */
mm_builtin_check mm_fn_conv2d_check;
mm_builtin_eval mm_fn_conv2d_eval;
mm_builtin_check mm_fn_pool2d_check;
mm_builtin_eval mm_fn_pool2d_eval;

/* Mixture of experts; moe_params reads the moe layers of an expression. */
mm_builtin_check mm_fn_moe_check;
mm_builtin_eval mm_fn_moe_eval;
mm_builtin_check mm_fn_moe_params_check;

/* Files. */
mm_builtin_check mm_fn_load_check;
mm_builtin_eval mm_fn_load_eval;
mm_builtin_check mm_fn_save_check;
mm_builtin_eval mm_fn_save_eval;

/* Cost queries, told apart by the row's op. */
enum { MM_QUERY_FLOPS, MM_QUERY_MACS, MM_QUERY_BYTES, MM_QUERY_TIME,
       MM_QUERY_PARAMS };
mm_builtin_check mm_fn_query_check;

/* model.c: param, repeat */
mm_builtin_check mm_fn_param_check;
mm_builtin_eval mm_fn_param_eval;
mm_builtin_check mm_fn_repeat_check;
mm_builtin_eval mm_fn_repeat_eval;

#endif
