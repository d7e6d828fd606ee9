/* eval.c — executes checked trees on concrete tensors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/dtype_round.h"
#include "mmcalc/eval.h"
#include "mmcalc/ops.h"
#include "mmcalc/ops_axes.h"

static mm_code placed(mm_evaluator *ev, mm_code code, mm_span at)
{
	if (code != MM_OK && ev->diag)
		ev->diag->span = at;
	return code;
}

static bool is_tensor(const mm_node *e)
{
	return e->info && e->info->v.kind == MM_K_TENSOR;
}

mm_code mm_eval_fill(mm_evaluator *ev, mm_node *e)
{
	if (!is_tensor(e))
		return MM_OK;
	mm_info *i = e->info;
	if (i->leaf) {
		if (i->value || i->data)
			return MM_OK;
		i->value = mm_tensor_randn(ev->rng, i->v.dtype, i->v.shape.ndim,
		                           i->v.shape.dim, ev->diag);
		if (i->value &&
		    mm_dtype_round_tensor(i->value, i->v.dtype, ev->diag) != MM_OK)
			return placed(ev, ev->diag->code, e->span);
		return i->value ? MM_OK : placed(ev, ev->diag->code, e->span);
	}
	mm_node *kids[MM_MAX_OPERANDS];
	int n = mm_check_operands(e, kids);
	for (int k = 0; k < n; k++) {
		mm_code r = mm_eval_fill(ev, kids[k]);
		if (r != MM_OK)
			return r;
	}
	return MM_OK;
}

/* A numeric operand as a 0-d tensor of the dtype it meets. */
static mm_tensor *scalar_for(mm_evaluator *ev, const mm_info *num,
                             const mm_info *other)
{
	mm_dtype t = other->value ? other->value->dtype : mm_dtype_exec(other->v.dtype);
	return mm_tensor_scalar(t, num->v.num, ev->diag);
}

/* Collects the numbers of a matrix literal in C order. */
static void matrix_values(const mm_node *e, double *out, int64_t *k)
{
	if (e->vals) {
		memcpy(out + *k, e->vals, sizeof *out * (size_t)e->nvals);
		*k += e->nvals;
		return;
	}
	for (int j = 0; j < e->n; j++) {
		if (e->items[j]->kind == MM_N_MATRIX)
			matrix_values(e->items[j], out, k);
		else
			out[(*k)++] = e->items[j]->info->v.num;
	}
}

static mm_tensor *eval_matrix(mm_evaluator *ev, const mm_node *e)
{
	const mm_info *i = e->info;
	uint64_t n;
	mm_shape_numel(&i->v.shape, &n, NULL);
	double *vals = malloc(sizeof *vals * (n ? n : 1));
	if (!vals) {
		mm_diag_set(ev->diag, MM_ERR_NOMEM, e->span, "out of memory");
		return NULL;
	}
	int64_t k = 0;
	matrix_values(e, vals, &k);
	mm_tensor *t = mm_tensor_from_doubles(i->v.dtype, i->v.shape.ndim,
	                                      i->v.shape.dim, vals, ev->diag);
	free(vals);
	return t;
}

static mm_binop binop_of(mm_bin op)
{
	switch (op) {
	case MM_B_ADD: return MM_OP_ADD;
	case MM_B_SUB: return MM_OP_SUB;
	case MM_B_MUL: return MM_OP_MUL;
	case MM_B_DIV: return MM_OP_DIV;
	case MM_B_MOD: return MM_OP_MOD;
	default: return MM_OP_POW;
	}
}

static mm_tensor *eval_binary(mm_evaluator *ev, mm_node *e)
{
	const mm_info *a = e->lhs->info, *b = e->rhs->info;
	if (e->op == MM_B_MATMUL)
		return mm_op_matmul_as(a->value, b->value, e->info->v.dtype,
		                       ev->diag);
	mm_tensor *tmp = NULL, *r;
	if (a->v.kind == MM_K_NUMBER) {
		if (!(tmp = scalar_for(ev, a, b)))
			return NULL;
		r = mm_op_binary(binop_of(e->op), tmp, b->value, ev->diag);
	} else if (b->v.kind == MM_K_NUMBER) {
		if (!(tmp = scalar_for(ev, b, a)))
			return NULL;
		r = mm_op_binary(binop_of(e->op), a->value, tmp, ev->diag);
	} else {
		r = mm_op_binary(binop_of(e->op), a->value, b->value, ev->diag);
	}
	mm_tensor_unref(tmp);
	return r;
}

/* x[None, ...]: an index of no value is a new axis (check.c) */
static bool is_newaxis(const mm_node *it)
{
	return it->kind == MM_N_NAME && it->info->v.kind == MM_K_NONE;
}

static mm_tensor *eval_index(mm_evaluator *ev, mm_node *e)
{
	mm_index idx[MM_MAX_NDIM];
	bool isnew[MM_MAX_NDIM] = {false};
	int n = 0, nout = 0, nnew = 0;
	for (int j = 0; j < e->n && n < MM_MAX_NDIM; j++) {
		const mm_node *it = e->items[j];
		if (is_newaxis(it)) {
			isnew[nout++] = true;
			nnew++;
			continue;
		}
		int k = n++;
		nout += it->kind == MM_N_SLICE;
		if (it->kind != MM_N_SLICE) {
			idx[k] = (mm_index){MM_INDEX_INT, (int64_t)it->info->v.num, 0, 0, 1,
			                    false, false, false};
			continue;
		}
		idx[k] = MM_INDEX_ALL;
		if (it->slice[0]) {
			idx[k].start = (int64_t)it->slice[0]->info->v.num;
			idx[k].has_start = true;
		}
		if (it->slice[1]) {
			idx[k].stop = (int64_t)it->slice[1]->info->v.num;
			idx[k].has_stop = true;
		}
		if (it->slice[2]) {
			idx[k].step = (int64_t)it->slice[2]->info->v.num;
			idx[k].has_step = true;
		}
	}
	mm_tensor *t = mm_tensor_index(e->lhs->info->value, idx, n, ev->diag);
	if (!t || !nnew)
		return t;
	mm_tensor *v = mm_op_expand_dims(t, isnew, t->ndim + nnew, ev->diag);
	mm_tensor_unref(t);
	return v;
}

/* A tensor of a narrow dtype holds only that dtype's values: what an
 * operation computed in f32 is rounded (or wrapped) in place, here, once
 * for every kind of node. Left alone: names, views and references (their
 * data is an operand's, of the same dtype and stored as it already), and
 * matmul, whose GEMM stores its dtype itself (ops.h). */
static mm_code store_as_dtype(mm_evaluator *ev, const mm_node *e,
                              mm_tensor *v, mm_node *const *kids, int n)
{
	mm_dtype t = e->info->v.dtype;
	if (!mm_dtype_narrow(t) || e->kind == MM_N_NAME ||
	    e->kind == MM_N_PLUS || e->kind == MM_N_TRANSPOSE ||
	    e->kind == MM_N_INDEX ||
	    (e->kind == MM_N_BINARY && e->op == MM_B_MATMUL))
		return MM_OK;
	for (int k = 0; k < n; k++)
		if (is_tensor(kids[k]) && kids[k]->info->value &&
		    kids[k]->info->value->storage == v->storage)
			return MM_OK;
	return mm_dtype_round_tensor(v, t, ev->diag);
}

/* A call: its row's eval function (builtin.c). */
static mm_tensor *eval_call(mm_evaluator *ev, mm_node *e)
{
	if (e->info->body && !e->info->repeat) /* a user function's result */
		return mm_tensor_ref(e->info->body->info->value);
	const mm_builtin *f = e->info->fn;
	if (!f->eval) {
		mm_diag_set(ev->diag, MM_ERR_UNSUPPORTED, e->op_span,
		            "%s cannot be executed", f->name);
		return NULL;
	}
	return f->eval(ev, e);
}

mm_code mm_eval(mm_evaluator *ev, mm_node *e)
{
	if (!is_tensor(e))
		return MM_OK;
	mm_info *i = e->info;
	if (i->value)
		return MM_OK;
	if (!i->concrete)
		return mm_diag_set(ev->diag, MM_ERR_VALUE, e->span,
		                   "this value has a shape but no data");
	mm_node *kids[MM_MAX_OPERANDS];
	int n = mm_check_operands(e, kids);
	for (int k = 0; k < n; k++) {
		mm_code r = mm_eval(ev, kids[k]);
		if (r != MM_OK)
			return r;
	}
	mm_tensor *v = NULL;
	switch (e->kind) {
	case MM_N_NAME:
		/* a variable's data: the reference is taken now, not when the
		 * statement was checked; a function's local: its node's */
		v = i->local ? mm_tensor_ref(i->local->info->value)
		  : i->var && i->var->value ? mm_tensor_ref(i->var->value) : NULL;
		if (!v)
			return mm_diag_set(ev->diag, MM_ERR_VALUE, e->span,
			                   "this value has a shape but no data");
		break;
	case MM_N_MATRIX:
		v = eval_matrix(ev, e);
		break;
	case MM_N_BINARY:
		v = eval_binary(ev, e);
		break;
	case MM_N_NEG:
		v = mm_op_unary(MM_OP_NEG, e->lhs->info->value, ev->diag);
		break;
	case MM_N_PLUS:
		v = mm_tensor_ref(e->lhs->info->value);
		break;
	case MM_N_TRANSPOSE:
		v = mm_tensor_transpose(e->lhs->info->value, ev->diag);
		break;
	case MM_N_INDEX:
		v = eval_index(ev, e);
		break;
	case MM_N_CALL:
		v = eval_call(ev, e);
		break;
	default:
		return mm_diag_set(ev->diag, MM_ERR_VALUE, e->span,
		                   "this value has a shape but no data");
	}
	if (!v || store_as_dtype(ev, e, v, kids, n) != MM_OK) {
		mm_tensor_unref(v);
		return placed(ev, ev->diag->code ? ev->diag->code : MM_ERR_NOMEM,
		              e->kind == MM_N_BINARY ? e->op_span : e->span);
	}
	i->value = v;
	/* Operands no longer needed free their memory now (liveness). */
	for (int k = 0; k < n; k++)
		if (is_tensor(kids[k]) && !kids[k]->info->leaf &&
		    !kids[k]->info->shared) {
			mm_tensor_unref(kids[k]->info->value);
			kids[k]->info->value = NULL;
		}
	return MM_OK;
}

void mm_eval_release(mm_node *e, bool keep_root)
{
	if (!e->info)
		return;
	if (e->info->leaf)
		return; /* inputs stay: a benchmark runs on the same data */
	mm_node *kids[MM_MAX_OPERANDS];
	int n = e->info->v.kind == MM_K_TENSOR ? mm_check_operands(e, kids) : 0;
	for (int k = 0; k < n; k++)
		mm_eval_release(kids[k], false);
	if (!keep_root && e->info->value) {
		mm_tensor_unref(e->info->value);
		e->info->value = NULL;
	}
}

void mm_eval_release_all(mm_node *e)
{
	if (!e)
		return;
	if (e->info && e->info->value) {
		mm_tensor_unref(e->info->value);
		e->info->value = NULL;
	}
	mm_eval_release_all(e->lhs);
	mm_eval_release_all(e->rhs);
	for (int k = 0; k < 3; k++)
		mm_eval_release_all(e->slice[k]);
	for (int k = 0; k < e->n; k++)
		mm_eval_release_all(e->items[k]);
	/* a user function's body and the locals its names stand for */
	if (e->info && e->info->body)
		mm_eval_release_all(e->info->body);
	if (e->info && e->info->local)
		mm_eval_release_all(e->info->local);
}
