/* eval.c — executes checked trees on concrete tensors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/csv.h"
#include "mmcalc/eval.h"
#include "mmcalc/npy.h"
#include "mmcalc/path.h"
#include "mmcalc/linalg.h"
#include "mmcalc/ops.h"

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
		if (i->value || e->kind == MM_N_MATRIX)
			return MM_OK;
		i->value = mm_tensor_randn(ev->rng, i->v.dtype, i->v.shape.ndim,
		                           i->v.shape.dim, ev->diag);
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
		return mm_op_matmul(a->value, b->value, ev->diag);
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

static mm_tensor *eval_index(mm_evaluator *ev, mm_node *e)
{
	mm_index idx[MM_MAXDIM];
	for (int k = 0; k < e->n && k < MM_MAXDIM; k++) {
		const mm_node *it = e->items[k];
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
	return mm_tensor_index(e->lhs->info->value, idx, e->n, ev->diag);
}

static int find_key(const mm_node *e, const char *key)
{
	for (int k = 0; k < e->n; k++)
		if (e->keys[k] && strcmp(e->keys[k], key) == 0)
			return k;
	return -1;
}

/* Sets scores above the causal diagonal to -inf, in place (s contiguous,
 * (.. x s_q x s_k); query i sees keys up to i + s_k - s_q). */
static void causal_mask(mm_tensor *s)
{
	int64_t sq = s->shape[s->ndim - 2], sk = s->shape[s->ndim - 1];
	int64_t mats = sq && sk ? mm_tensor_numel(s) / (sq * sk) : 0;
	for (int64_t b = 0; b < mats; b++)
		for (int64_t i = 0; i < sq; i++)
			for (int64_t j = i + sk - sq + 1; j < sk; j++) {
				if (j < 0)
					continue;
				int64_t at = (b * sq + i) * sk + j;
				if (s->dtype == MM_F64)
					((double *)s->data)[at] = -INFINITY;
				else
					((float *)s->data)[at] = -INFINITY;
			}
}

/* softmax(Q @ K.T · scale [+ causal mask]) @ V; with fewer K/V heads than
 * Q heads, Q's heads are grouped so that each group meets its K/V head by
 * broadcasting (no copies of K or V). */
static mm_tensor *eval_attention(mm_evaluator *ev, mm_node *e)
{
	mm_info *i = e->info;
	const mm_tensor *q = e->items[0]->info->value, *k = e->items[1]->info->value,
	                *v = e->items[2]->info->value;
	mm_tensor *qq = NULL, *kk = NULL, *vv = NULL, *kt = NULL, *s = NULL,
	          *s2 = NULL, *sc = NULL, *a = NULL, *o = NULL, *out = NULL;
	int nd = q->ndim;
	int64_t heads = nd >= 3 ? q->shape[nd - 3] : 1;
	int64_t kv = nd >= 3 ? k->shape[nd - 3] : 1;
	if (heads != kv && nd + 1 > MM_MAXDIM) {
		mm_diag_set(ev->diag, MM_ERR_UNSUPPORTED, e->span,
		            "attention: too many axes to group heads");
		return NULL;
	}
	if (heads != kv) {
		int64_t sh[MM_MAXDIM];
		memcpy(sh, q->shape, sizeof sh[0] * (size_t)nd);
		sh[nd - 3] = kv;
		sh[nd - 2] = heads / kv;
		sh[nd - 1] = q->shape[nd - 2];
		sh[nd] = q->shape[nd - 1];
		if (!(qq = mm_op_reshape(q, nd + 1, sh, ev->diag)))
			goto done;
		memcpy(sh, k->shape, sizeof sh[0] * (size_t)nd);
		sh[nd - 2] = 1;
		sh[nd - 1] = k->shape[nd - 2];
		sh[nd] = k->shape[nd - 1];
		if (!(kk = mm_op_reshape(k, nd + 1, sh, ev->diag)))
			goto done;
		sh[nd] = v->shape[nd - 1];
		if (!(vv = mm_op_reshape(v, nd + 1, sh, ev->diag)))
			goto done;
	} else {
		qq = mm_tensor_ref(q);
		kk = mm_tensor_ref(k);
		vv = mm_tensor_ref(v);
	}
	if (!(kt = mm_tensor_transpose(kk, ev->diag)) ||
	    !(s = mm_op_matmul(qq, kt, ev->diag)) ||
	    !(sc = mm_tensor_scalar(s->dtype, i->scale, ev->diag)) ||
	    !(s2 = mm_op_binary(MM_OP_MUL, s, sc, ev->diag)))
		goto done;
	if (i->causal)
		causal_mask(s2);
	if (!(a = mm_op_softmax(s2, -1, ev->diag)) ||
	    !(o = mm_op_matmul(a, vv, ev->diag)))
		goto done;
	out = mm_op_reshape(o, i->v.shape.ndim, i->v.shape.dim, ev->diag);
done:
	mm_tensor_unref(qq);
	mm_tensor_unref(kk);
	mm_tensor_unref(vv);
	mm_tensor_unref(kt);
	mm_tensor_unref(s);
	mm_tensor_unref(sc);
	mm_tensor_unref(s2);
	mm_tensor_unref(a);
	mm_tensor_unref(o);
	return out;
}

static mm_tensor *eval_call(mm_evaluator *ev, mm_node *e)
{
	mm_info *i = e->info;
	const mm_shape *s = &i->v.shape;
	mm_tensor *x = e->n > 0 && e->items[0]->info ? e->items[0]->info->value : NULL;
	int npos = 0;
	while (npos < e->n && !e->keys[npos])
		npos++;
	switch (i->fn) {
	case MM_F_RANDN:
		return mm_tensor_randn(ev->rng, i->v.dtype, s->ndim, s->dim, ev->diag);
	case MM_F_RAND:
		return mm_tensor_rand(ev->rng, i->v.dtype, s->ndim, s->dim, ev->diag);
	case MM_F_ZEROS:
		return mm_tensor_zeros(i->v.dtype, s->ndim, s->dim, ev->diag);
	case MM_F_ONES:
		return mm_tensor_ones(i->v.dtype, s->ndim, s->dim, ev->diag);
	case MM_F_FULL:
		return mm_tensor_full(i->v.dtype, s->ndim, s->dim,
		                      e->items[npos - 1]->info->v.num, ev->diag);
	case MM_F_EYE:
		return mm_tensor_eye(i->v.dtype, s->dim[0], s->dim[1], ev->diag);
	case MM_F_ARANGE: {
		double a[3] = {0, 0, 1};
		if (npos == 1) {
			a[1] = e->items[0]->info->v.num;
		} else {
			a[0] = e->items[0]->info->v.num;
			a[1] = e->items[1]->info->v.num;
			if (npos == 3)
				a[2] = e->items[2]->info->v.num;
		}
		return mm_tensor_arange(i->v.dtype, a[0], a[1], a[2], ev->diag);
	}
	case MM_F_EXP: return mm_op_unary(MM_OP_EXP, x, ev->diag);
	case MM_F_LOG: return mm_op_unary(MM_OP_LOG, x, ev->diag);
	case MM_F_SQRT: return mm_op_unary(MM_OP_SQRT, x, ev->diag);
	case MM_F_ABS: return mm_op_unary(MM_OP_ABS, x, ev->diag);
	case MM_F_TANH: return mm_op_unary(MM_OP_TANH, x, ev->diag);
	case MM_F_SIGMOID: return mm_op_unary(MM_OP_SIGMOID, x, ev->diag);
	case MM_F_RELU: return mm_op_unary(MM_OP_RELU, x, ev->diag);
	case MM_F_GELU: return mm_op_unary(MM_OP_GELU, x, ev->diag);
	case MM_F_SIN: return mm_op_unary(MM_OP_SIN, x, ev->diag);
	case MM_F_COS: return mm_op_unary(MM_OP_COS, x, ev->diag);
	case MM_F_DEG2RAD: return mm_op_unary(MM_OP_DEG2RAD, x, ev->diag);
	case MM_F_RAD2DEG: return mm_op_unary(MM_OP_RAD2DEG, x, ev->diag);
	case MM_F_SUM: case MM_F_MEAN: case MM_F_MAX: case MM_F_MIN:
	case MM_F_NORM: {
		static const mm_reduce red[] = {
			[MM_F_SUM] = MM_RED_SUM, [MM_F_MEAN] = MM_RED_MEAN,
			[MM_F_MAX] = MM_RED_MAX, [MM_F_MIN] = MM_RED_MIN,
			[MM_F_NORM] = MM_RED_NORM,
		};
		return mm_op_reduce(red[i->fn], x, i->all_axes ? MM_AXIS_ALL : i->axis,
		                    i->keepdims, ev->diag);
	}
	case MM_F_SOFTMAX:
		return mm_op_softmax(x, i->axis, ev->diag);
	case MM_F_LAYERNORM: {
		int kw = find_key(e, "weight"), kb = find_key(e, "bias");
		const mm_tensor *w = npos > 1 ? e->items[1]->info->value
		                   : kw >= 0 ? e->items[kw]->info->value : NULL;
		const mm_tensor *b = npos > 2 ? e->items[2]->info->value
		                   : kb >= 0 ? e->items[kb]->info->value : NULL;
		return mm_op_layernorm(x, w, b, ev->diag);
	}
	case MM_F_TRANSPOSE:
		return mm_tensor_transpose(x, ev->diag);
	case MM_F_RESHAPE:
		return mm_op_reshape(x, s->ndim, s->dim, ev->diag);
	case MM_F_CONCAT: {
		const mm_tensor *list[64];
		for (int k = 0; k < npos; k++)
			list[k] = e->items[k]->info->value;
		return mm_op_concat(list, npos, i->axis, ev->diag);
	}
	case MM_F_QR: case MM_F_QR_R: {
		mm_tensor *q = NULL, *r = NULL;
		if (mm_linalg_qr(x, i->fn == MM_F_QR ? &q : NULL,
		                 i->fn == MM_F_QR_R ? &r : NULL, ev->diag) != MM_OK)
			return NULL;
		return i->fn == MM_F_QR ? q : r;
	}
	case MM_F_ATTENTION:
		return eval_attention(ev, e);
	case MM_F_SAVE: {
		mm_tensor *v = e->items[1]->info->value;
		mm_tensor *c = mm_tensor_contiguous(v, ev->diag);
		if (!c)
			return NULL;
		mm_code r;
		if (mm_path_has_ext(i->path, ".npy"))
			r = mm_npy_save(i->path, c->dtype, c->ndim, c->shape, c->data,
			                ev->diag);
		else
			r = mm_csv_save(i->path, c->dtype, c->ndim, c->shape, c->data,
			                mm_csv_sep_for_path(i->path), ev->diag);
		mm_tensor_unref(c);
		if (r != MM_OK)
			return NULL;
		return mm_tensor_ref(v);
	}
	default:
		mm_diag_set(ev->diag, MM_ERR_UNSUPPORTED, e->op_span,
		            "%s cannot be executed", mm_builtin_name(i->fn));
		return NULL;
	}
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
	if (!v)
		return placed(ev, ev->diag->code ? ev->diag->code : MM_ERR_NOMEM,
		              e->kind == MM_N_BINARY ? e->op_span : e->span);
	i->value = v;
	/* Operands no longer needed free their memory now (liveness). */
	for (int k = 0; k < n; k++)
		if (is_tensor(kids[k]) && !kids[k]->info->leaf) {
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
}
