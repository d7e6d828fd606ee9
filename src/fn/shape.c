/* shape.c — concat, shape and numel (axes.c moves axes). */
#include <string.h>

#include "mmcalc/ops.h"
#include "fn/fn.h"

/* Most tensors concat takes (the evaluator gathers them on its stack). */
#define CONCAT_MAX 64

mm_code mm_fn_concat_check(mm_checker *c, mm_node *e, mm_info *i)
{
	int np = mm_ck_npos(e);
	mm_code r;
	if (np > CONCAT_MAX)
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
		                  "concat: at most %d values", CONCAT_MAX);
	/* Not on the stack: 64 shapes would put 17 KB in the frame of every
	 * call the checker recurses through, and overflow it. */
	mm_shape *parts = mm_arena_alloc(c->arena, sizeof *parts * (size_t)np);
	const mm_value **in = mm_arena_alloc(c->arena, sizeof *in * (size_t)np);
	if (!parts || !in)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	bool concrete = true;
	mm_dtype t = MM_I4;
	for (int k = 0; k < np; k++) {
		const mm_info *pk = e->items[k]->info;
		if ((r = mm_ck_tensor(c, e->items[k], i->fn->name)) != MM_OK)
			return r;
		parts[k] = pk->v.shape;
		in[k] = &pk->v;
		concrete = concrete && pk->concrete;
		t = k == 0 ? pk->v.dtype : mm_dtype_promote(t, pk->v.dtype);
	}
	int ka = mm_ck_key(e, "axis");
	int64_t ax = 0;
	if (ka >= 0 && (r = mm_ck_int(c, e->items[ka], "axis", &ax)) != MM_OK)
		return r;
	mm_shape s;
	if ((r = mm_shape_concat(parts, np, ax, &s, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, e->span);
	mm_shape_axis(s.ndim, ax, &i->axis, NULL);
	mm_ck_set_tensor(i, &s, t, concrete);
	i->cls = MM_C_DATA;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_data(&cx, &i->v, in, np, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_concat_eval(mm_evaluator *ev, mm_node *e)
{
	const mm_tensor *list[CONCAT_MAX];
	int np = mm_ck_npos(e);
	for (int k = 0; k < np; k++)
		list[k] = e->items[k]->info->value;
	return mm_op_concat(list, np, e->info->axis, ev->diag);
}

/* shape(x): an abstract tensor of x's shape (a new input). */
mm_code mm_fn_shapeof_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	mm_ck_set_tensor(i, &x->info->v.shape, x->info->v.dtype, false);
	mm_ck_set_leaf(c, i);
	return MM_OK;
}

mm_code mm_fn_numel_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	mm_code r;
	if (x->info->v.kind == MM_K_NUMBER) {
		mm_ck_set_number(i, 1);
		return MM_OK;
	}
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	mm_count n = mm_cost_numel(&x->info->v.shape);
	mm_ck_set_number(i, mm_count_to_double(n));
	i->v.cnt = n;
	return MM_OK;
}
