/* nn.c — the layers of modern models: argmax and logsumexp. */
#include <string.h>

#include "mmcalc/ops_nn.h"
#include "fn/fn.h"

/* ---- argmax and logsumexp ---- */

mm_code mm_fn_argmax_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	bool lse = i->fn->op == MM_NN_LOGSUMEXP;
	mm_shape s;
	if ((r = mm_fn_reduce_axes(c, e, i, &xi->v.shape, lse, &s)) != MM_OK)
		return r;
	const mm_shape *xs = &xi->v.shape;
	for (int k = 0; !lse && k < xs->ndim; k++)
		if (mm_fn_reduced(i, k) && xs->dim[k] == 0 && !xs->sym[k])
			return mm_ck_fail(c, MM_ERR_VALUE, e->span,
			                  "argmax of an empty axis has no value");
	/* indices are f64: 8 bytes each, as NumPy's int64 */
	mm_ck_set_tensor(i, &s, lse ? xi->v.dtype : MM_F64, xi->concrete);
	i->cls = MM_C_REDUCTION;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, lse ? mm_cost_logsumexp(&cx, &i->v, &xi->v,
	                                               &i->cost)
	                           : mm_cost_reduction(&cx, &i->v, &xi->v,
	                                               &i->cost), e->span);
}

mm_tensor *mm_fn_argmax_eval(mm_evaluator *ev, mm_node *e)
{
	const mm_info *i = e->info;
	const mm_tensor *x = e->items[0]->info->value;
	if (i->fn->op == MM_NN_ARGMAX)
		return mm_op_argmax(x, i->all_axes ? MM_AXIS_ALL : i->axis,
		                    i->keepdims, ev->diag);
	bool one[MM_MAX_NDIM] = {false};
	const bool *mask = i->fn_data;
	if (!mask && !i->all_axes) {
		one[i->axis] = true;
		mask = one;
	}
	return mm_op_logsumexp(x, mask, i->keepdims, ev->diag);
}
