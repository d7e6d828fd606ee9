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
mm_builtin_check mm_fn_transpose_check;
mm_builtin_eval mm_fn_transpose_eval;
mm_builtin_check mm_fn_reshape_check;
mm_builtin_eval mm_fn_reshape_eval;
mm_builtin_check mm_fn_concat_check;
mm_builtin_eval mm_fn_concat_eval;
mm_builtin_check mm_fn_shapeof_check;
mm_builtin_check mm_fn_numel_check;

/* Dtypes (dtype.c). */
mm_builtin_check mm_fn_astype_check;
mm_builtin_eval mm_fn_astype_eval;

/* Linear algebra (qr: op 0 gives Q, 1 gives R). */
mm_builtin_check mm_fn_qr_check;
mm_builtin_eval mm_fn_qr_eval;

/* Attention. */
mm_builtin_check mm_fn_attention_check;
mm_builtin_eval mm_fn_attention_eval;

/* Files. */
mm_builtin_check mm_fn_load_check;
mm_builtin_eval mm_fn_load_eval;
mm_builtin_check mm_fn_save_check;
mm_builtin_eval mm_fn_save_eval;

/* Cost queries, told apart by the row's op. */
enum { MM_QUERY_FLOPS, MM_QUERY_MACS, MM_QUERY_BYTES, MM_QUERY_TIME };
mm_builtin_check mm_fn_query_check;

#endif
