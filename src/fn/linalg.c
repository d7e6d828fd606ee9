/* linalg.c — qr and qr_r. */
#include "mmcalc/linalg.h"
#include "fn/fn.h"

/* A 2-D argument, or a shape error naming the function. */
static mm_code need_matrix(mm_checker *c, const mm_node *x, const char *fn)
{
	mm_code r = mm_ck_tensor(c, x, fn);
	if (r != MM_OK || x->info->v.shape.ndim == 2)
		return r;
	char sb[160];
	return mm_ck_fail(c, MM_ERR_SHAPE, x->span,
	                  "%s needs a matrix (2 axes), got %s", fn,
	                  mm_shape_str(&x->info->v.shape, sb, sizeof sb));
}

/* qr(x) is the reduced Q (m x k), qr_r(x) R (k x n), k = min(m, n). */
mm_code mm_fn_qr_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	mm_code r;
	if ((r = need_matrix(c, x, i->fn->name)) != MM_OK)
		return r;
	int64_t m = xi->v.shape.dim[0], n = xi->v.shape.dim[1];
	int64_t k = m < n ? m : n;
	mm_shape s = {0};
	s.ndim = 2;
	s.dim[0] = i->fn->op == 0 ? m : k;
	s.dim[1] = i->fn->op == 0 ? k : n;
	mm_ck_set_tensor(i, &s, xi->v.dtype, xi->concrete);
	i->cls = MM_C_LINALG;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_linalg(&cx, i->fn->op == 0 ? MM_LA_QR
	                                                        : MM_LA_QR_R,
	                                      &i->v, &xi->v, NULL, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_qr_eval(mm_evaluator *ev, mm_node *e)
{
	mm_tensor *q = NULL, *r = NULL;
	bool want_q = e->info->fn->op == 0;
	if (mm_linalg_qr(e->items[0]->info->value, want_q ? &q : NULL,
	                 want_q ? NULL : &r, ev->diag) != MM_OK)
		return NULL;
	return want_q ? q : r;
}
