/* query.c — the cost queries flops, macs, bytes, params and time: what the
 * whole graph upstream of a value costs, each operation once, counted
 * without running anything; formulas when dims are symbolic. */
#include <math.h>

#include "mmcalc/explain.h"
#include "mmcalc/graph.h"
#include "fn/fn.h"

/* The answer: a count of unit dim, or the formula p (its symbols bound
 * since substituted) when sym. */
static mm_code answer(mm_checker *c, mm_node *e, mm_info *i, bool sym,
                      mm_count n, const mm_poly *p, mm_dim dim)
{
	if (!sym) {
		mm_ck_set_number(i, mm_count_to_double(n));
		i->v.cnt = n;
		i->v.dim = dim;
		return MM_OK;
	}
	mm_poly q;
	mm_code r = mm_ck_subst(c, p, &q);
	if (r != MM_OK)
		return mm_ck_placed(c, r, e->span);
	if (!mm_value_set_formula(&i->v, &q, dim, c->arena))
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	return MM_OK;
}

/* time(x) with symbols: F/peak or B/bandwidth, whichever is the larger
 * for every size, or an error naming both when that depends on them. */
static mm_code time_formula(mm_checker *c, mm_node *e, mm_info *i,
                            const mm_poly *f, const mm_poly *b, mm_dtype t)
{
	double sf = c->opts.predict(c->opts.predict_ctx, mm_count_of(1),
	                            MM_COUNT_ZERO, MM_COUNT_ZERO, t, c->diag);
	double sb = c->opts.predict(c->opts.predict_ctx, MM_COUNT_ZERO,
	                            MM_COUNT_ZERO, mm_count_of(1), t, c->diag);
	if (sf < 0 || sb < 0)
		return mm_ck_placed(c, c->diag->code, e->span);
	mm_poly tf, tb, diff, fb, bb;
	mm_code r;
	if ((r = mm_ck_subst(c, f, &fb)) != MM_OK ||
	    (r = mm_ck_subst(c, b, &bb)) != MM_OK ||
	    (r = mm_poly_scale(&tf, &fb, sf, c->diag)) != MM_OK ||
	    (r = mm_poly_scale(&tb, &bb, sb, c->diag)) != MM_OK ||
	    (r = mm_poly_sub(&diff, &tf, &tb, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, e->span);
	const mm_poly *pick = mm_poly_nonneg(&diff, 1) ? &tf : NULL;
	mm_poly neg;
	if (!pick && mm_poly_mul_int(&neg, &diff, -1, c->diag) == MM_OK &&
	    mm_poly_nonneg(&neg, 1))
		pick = &tb;
	if (!pick) {
		mm_buf x = MM_BUF_INIT, y = MM_BUF_INIT;
		mm_poly_print(&x, &tf, 0);
		mm_poly_print(&y, &tb, 0);
		mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->span,
		           "time: compute (%s s) or memory (%s s) takes longer "
		           "depending on the sizes", mm_buf_str(&x), mm_buf_str(&y));
		mm_buf_free(&x);
		mm_buf_free(&y);
		mm_diag_hint(c->diag, "bind the symbols (n = 1024), or use "
		                      "flops(x) and bytes(x)");
		return MM_ERR_UNSUPPORTED;
	}
	if (!mm_value_set_formula(&i->v, pick, MM_DIM_SECOND, c->arena))
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	return MM_OK;
}

mm_code mm_fn_query_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int op = i->fn->op;
	mm_code r;
	bool train = false;
	int k;
	if ((k = mm_ck_key(e, "train")) >= 0 &&
	    (r = mm_ck_bool(c, e->items[k], "train", &train)) != MM_OK)
		return r;
	if (train && (op == MM_QUERY_MACS || op == MM_QUERY_PARAMS))
		return mm_ck_fail(c, MM_ERR_ARG, e->items[k]->span,
		                  "%s counts the model, not a training step: "
		                  "train=true is for flops, bytes and time",
		                  i->fn->name);
	if (xi->v.kind != MM_K_TENSOR) {
		if (op == MM_QUERY_TIME)
			return mm_ck_tensor(c, x, i->fn->name);
		return answer(c, e, i, false, MM_COUNT_ZERO, NULL,
		              op == MM_QUERY_FLOPS ? MM_DIM_FLOP
		              : op == MM_QUERY_MACS ? MM_DIM_MAC
		              : op == MM_QUERY_PARAMS ? MM_DIM_NONE : MM_DIM_BYTE);
	}
	if (op == MM_QUERY_TIME && !c->opts.predict)
		return mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->op_span,
		                  "time needs a device model");
	/* the whole graph upstream of x, each operation once */
	mm_gtotals g;
	if ((r = mm_graph_totals(xi->g, false, c->arena, &g, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, e->span);
	bool sym = g.symbolic;
	mm_count fl = g.flops, by = mm_count_add(g.bytes_in, g.bytes_out);
	mm_poly sfl, sby;
	if (sym) {
		sfl = *g.sflops;
		if ((r = mm_poly_add(&sby, g.sbytes_in, g.sbytes_out, c->diag)) != MM_OK)
			return mm_ck_placed(c, r, e->span);
	}
	const mm_gnode *base = xi->g;
	while (base->kind == MM_G_VIEW)
		base = base->in[0];
	if (base->kind == MM_G_LEAF) { /* an input alone: reading it */
		by = xi->v.bytes;
		if (sym && (r = mm_cost_bytes_poly(&(mm_cost_ctx){c->arena, c->diag,
		                                                  NULL, NULL},
		                                   &xi->v.shape, xi->v.dtype,
		                                   &sby)) != MM_OK)
			return mm_ck_placed(c, r, e->span);
	}
	if (train) {
		mm_explain_opts o = {.train = true, .conv = c->opts.conv,
		                     .lookup = mm_env_lookup_int,
		                     .lookup_ctx = c->env};
		mm_explain_total s;
		if ((r = mm_explain_sum(x, &o, c->arena, c->diag, &s)) != MM_OK)
			return mm_ck_placed(c, r, e->span);
		sym = s.sym;
		fl = s.flops, by = s.bytes;
		sfl = s.sflops, sby = s.sbytes;
	}
	switch (op) {
	case MM_QUERY_FLOPS:
		return answer(c, e, i, sym, fl, &sfl, MM_DIM_FLOP);
	case MM_QUERY_MACS:
		return answer(c, e, i, sym, g.macs, g.smacs, MM_DIM_MAC);
	case MM_QUERY_BYTES:
		return answer(c, e, i, sym, by, &sby, MM_DIM_BYTE);
	case MM_QUERY_PARAMS:
		return answer(c, e, i, sym, g.params, g.sparams, MM_DIM_NONE);
	default:
		break;
	}
	if (sym)
		return time_formula(c, e, i, &sfl, &sby, xi->v.dtype);
	double sec = c->opts.predict(c->opts.predict_ctx, fl, g.transcendental,
	                             by, xi->v.dtype, c->diag);
	if (sec < 0)
		return mm_ck_placed(c, c->diag->code, e->span);
	mm_ck_set_number(i, sec);
	i->v.dim = MM_DIM_SECOND;
	return MM_OK;
}
