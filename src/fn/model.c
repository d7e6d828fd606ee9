/* model.c — what models are made of beyond operations: param() marks a
 * value as a parameter (weights), which params() counts. */
#include "mmcalc/graph.h"
#include "fn/fn.h"

/* param(x): x as a parameter: an input of its own in the graph, so what
 * made x (a constructor, a load) is not part of the model's cost, and
 * params() counts its elements. */
mm_code mm_fn_param_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	mm_ck_set_tensor(i, &xi->v.shape, xi->v.dtype, xi->concrete);
	i->symbolic = xi->symbolic;
	mm_ck_set_leaf(c, i);
	i->param = true;
	i->data = xi->concrete;
	i->cls = MM_C_DATA;
	return MM_OK;
}

mm_tensor *mm_fn_param_eval(mm_evaluator *ev, mm_node *e)
{
	(void)ev;
	return mm_tensor_ref(e->items[0]->info->value);
}
