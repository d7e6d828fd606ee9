/* query.c — the cost queries flops, macs, bytes and time: numbers
 * counted from an expression's tree without running it. */
#include "fn/fn.h"

mm_code mm_fn_query_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int op = i->fn->op;
	mm_totals t;
	mm_code r;
	if (op == MM_QUERY_TIME) {
		if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
			return r;
		if (!c->opts.predict)
			return mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->op_span,
			                  "time needs a device model");
		mm_check_totals(x, &t);
		double sec = c->opts.predict(c->opts.predict_ctx, t.flops,
		                             t.transcendental,
		                             mm_count_add(t.bytes_in, t.bytes_out),
		                             xi->v.dtype, c->diag);
		if (sec < 0)
			return mm_ck_placed(c, c->diag->code, e->span);
		mm_ck_set_number(i, sec);
		i->v.dim = MM_DIM_SECOND;
		return MM_OK;
	}
	mm_count n = MM_COUNT_ZERO;
	if (xi->v.kind == MM_K_TENSOR) {
		mm_check_totals(x, &t);
		if (op == MM_QUERY_FLOPS)
			n = t.flops;
		else if (op == MM_QUERY_MACS)
			n = t.macs;
		else if (xi->leaf || xi->view)
			n = mm_cost_tensor_bytes(&xi->v.shape, xi->v.dtype);
		else
			n = mm_count_add(t.bytes_in, t.bytes_out);
	}
	mm_ck_set_number(i, mm_count_to_double(n));
	i->v.cnt = n;
	i->v.dim = op == MM_QUERY_FLOPS ? MM_DIM_FLOP
	         : op == MM_QUERY_MACS  ? MM_DIM_MAC : MM_DIM_BYTE;
	return MM_OK;
}
