/* math.c — elementwise functions, reductions, softmax and layernorm. */
#include <math.h>
#include <string.h>

#include "mmcalc/ops.h"
#include "mmcalc/ops_nn.h"
#include "fn/fn.h"

/* ---- elementwise functions (unary.def) ---- */

/* gelu's approximate= "none" or "tanh" (a string or a bare word), the
 * latter making the call gelu_tanh's. */
static mm_code gelu_approximate(mm_checker *c, mm_node *e, mm_info *i)
{
	int ka = mm_ck_key(e, "approximate");
	if (ka < 0)
		return MM_OK;
	const mm_node *a = e->items[ka];
	const char *s = a->kind == MM_N_STRING ? a->str
	              : a->kind == MM_N_NAME ? a->name : "";
	if (strcmp(s, "tanh") == 0) {
		i->fn = mm_builtin_find("gelu_tanh");
		return MM_OK;
	}
	if (strcmp(s, "none") == 0)
		return MM_OK;
	mm_ck_fail(c, MM_ERR_ARG, a->span, "gelu: approximate is \"none\" or "
	           "\"tanh\"");
	mm_diag_hint(c->diag, "gelu(x, approximate=\"tanh\") is GPT-2's "
	                      "gelu_tanh(x)");
	return MM_ERR_ARG;
}

mm_code mm_fn_unary_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	mm_code r;
	if ((r = gelu_approximate(c, e, i)) != MM_OK)
		return r;
	if (xi->v.kind == MM_K_NUMBER) {
		bool abs = i->fn->op == MM_OP_ABS;
		if (!mm_dim_is_none(xi->v.dim) && !abs) {
			mm_buf u = MM_BUF_INIT;
			mm_dim_print(&u, xi->v.dim, false);
			mm_ck_fail(c, MM_ERR_TYPE, x->span, "%s of %s: it takes a "
			           "plain number", i->fn->name, mm_buf_str(&u));
			mm_buf_free(&u);
			return MM_ERR_TYPE;
		}
		/* the same function the f64 kernel runs */
		mm_ck_set_number(i, mm_op_unary_scalar((mm_unop)i->fn->op,
		                                       xi->v.num));
		if (abs) {
			i->v.dim = xi->v.dim;
			i->v.cnt = xi->v.cnt;
		}
		return MM_OK;
	}
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	mm_ck_set_tensor(i, &xi->v.shape, xi->v.dtype, xi->concrete);
	i->cls = MM_C_ELEMENTWISE;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	const mm_value *in = &xi->v;
	return mm_ck_placed(c, mm_cost_elementwise(&cx, &i->v, &in, 1,
	                                           i->fn->per, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_unary_eval(mm_evaluator *ev, mm_node *e)
{
	return mm_op_unary((mm_unop)e->info->fn->op, e->items[0]->info->value,
	                   ev->diag);
}

/* ---- reductions ---- */

mm_code mm_fn_reduce_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	const char *name = i->fn->name;
	mm_code r;
	if (xi->v.kind == MM_K_NUMBER) { /* a number is its own reduction */
		int kk = mm_ck_key(e, "keepdims");
		if (kk >= 0 && (r = mm_ck_bool(c, e->items[kk], "keepdims",
		                               &i->keepdims)) != MM_OK)
			return r;
		i->v = xi->v;
		if (i->fn->op == MM_RED_NORM)
			i->v.num = fabs(xi->v.num);
		return MM_OK;
	}
	if ((r = mm_ck_tensor(c, x, name)) != MM_OK)
		return r;
	mm_shape s;
	if ((r = mm_fn_reduce_axes(c, e, i, &xi->v.shape, true, &s)) != MM_OK)
		return r;
	if (i->fn->op == MM_RED_MAX || i->fn->op == MM_RED_MIN) {
		const mm_shape *xs = &xi->v.shape;
		for (int k = 0; k < xs->ndim; k++)
			if (mm_fn_reduced(i, k) && xs->dim[k] == 0 && !xs->sym[k])
				return mm_ck_fail(c, MM_ERR_VALUE, e->span,
				                  "%s of an empty axis has no value",
				                  name);
	}
	mm_ck_set_tensor(i, &s, xi->v.dtype, xi->concrete);
	i->cls = MM_C_REDUCTION;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_reduction(&cx, &i->v, &xi->v, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_reduce_eval(mm_evaluator *ev, mm_node *e)
{
	const mm_info *i = e->info;
	if (i->fn_data) /* several axes */
		return mm_op_reduce_axes((mm_reduce)i->fn->op,
		                         e->items[0]->info->value, i->fn_data,
		                         i->keepdims, ev->diag);
	return mm_op_reduce((mm_reduce)i->fn->op, e->items[0]->info->value,
	                    i->all_axes ? MM_AXIS_ALL : i->axis, i->keepdims,
	                    ev->diag);
}

/* ---- softmax ---- */

mm_code mm_fn_softmax_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	int ka = mm_ck_key(e, "axis");
	int64_t ax = -1;
	if (ka >= 0 && (r = mm_ck_int(c, e->items[ka], "axis", &ax)) != MM_OK)
		return r;
	if ((r = mm_shape_axis(xi->v.shape.ndim, ax, &i->axis, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, ka >= 0 ? e->items[ka]->span : e->span);
	mm_ck_set_tensor(i, &xi->v.shape, xi->v.dtype, xi->concrete);
	i->cls = MM_C_SOFTMAX;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_softmax(&cx, &i->v, &xi->v, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_softmax_eval(mm_evaluator *ev, mm_node *e)
{
	return mm_op_softmax(e->items[0]->info->value, e->info->axis, ev->diag);
}

/* ---- layernorm ---- */

mm_code mm_fn_layernorm_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	const char *name = i->fn->name;
	mm_code r;
	if ((r = mm_ck_tensor(c, x, name)) != MM_OK)
		return r;
	if (xi->v.shape.ndim == 0)
		return mm_ck_fail(c, MM_ERR_SHAPE, x->span,
		                  "layernorm needs at least one axis");
	bool concrete = xi->concrete;
	const mm_value *in[3] = {&xi->v, NULL, NULL};
	for (int k = 1; k < e->n; k++) {
		mm_node *w = e->items[k];
		bool bias = e->keys[k] ? strcmp(e->keys[k], "bias") == 0 : k == 2;
		if ((r = mm_fn_check_affine(c, w, &xi->v.shape, name,
		                            bias ? "the bias" : "the weight")) !=
		    MM_OK)
			return r;
		concrete = concrete && w->info->concrete;
		i->symbolic = i->symbolic || w->info->symbolic;
		in[k] = &w->info->v;
	}
	mm_ck_set_tensor(i, &xi->v.shape, xi->v.dtype, concrete);
	i->cls = MM_C_NORM;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_layernorm(&cx, &i->v, in, e->n, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_layernorm_eval(mm_evaluator *ev, mm_node *e)
{
	int npos = mm_ck_npos(e);
	int kw = mm_ck_key(e, "weight"), kb = mm_ck_key(e, "bias");
	const mm_tensor *w = npos > 1 ? e->items[1]->info->value
	                   : kw >= 0 ? e->items[kw]->info->value : NULL;
	const mm_tensor *b = npos > 2 ? e->items[2]->info->value
	                   : kb >= 0 ? e->items[kb]->info->value : NULL;
	return mm_op_layernorm(e->items[0]->info->value, w, b, ev->diag);
}
