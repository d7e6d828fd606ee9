/* ctor.c — the constructors: randn rand zeros ones eye full arange. */
#include <math.h>

#include "fn/fn.h"

/* The dims of a constructor: numbers d1, d2, ... or one shape value, from
 * the positional arguments [from, to). */
static mm_code ctor_dims(mm_checker *c, mm_node *e, int from, int to,
                         mm_shape *s)
{
	int n = to - from;
	if (n == 1 && e->items[from]->info->v.kind == MM_K_TENSOR) {
		*s = e->items[from]->info->v.shape;
		return MM_OK;
	}
	if (n > MM_MAX_NDIM)
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
		                  "at most %d dimensions can be executed",
		                  MM_MAX_NDIM);
	s->ndim = n;
	for (int k = 0; k < n; k++) {
		s->sym[k] = NULL;
		mm_code r = mm_ck_dim(c, e->items[from + k], &s->dim[k]);
		if (r != MM_OK)
			return r;
	}
	return MM_OK;
}

/* arange's start, stop and step from its 1 to 3 positional arguments. */
static void arange_args(const mm_node *e, int npos, double a[3])
{
	a[0] = 0;
	a[2] = 1;
	if (npos == 1) {
		a[1] = e->items[0]->info->v.num;
		return;
	}
	a[0] = e->items[0]->info->v.num;
	a[1] = e->items[1]->info->v.num;
	if (npos == 3)
		a[2] = e->items[2]->info->v.num;
}

static mm_code arange_shape(mm_checker *c, mm_node *e, int npos, mm_shape *s)
{
	double a[3];
	for (int k = 0; k < npos; k++)
		if (e->items[k]->info->v.kind != MM_K_NUMBER)
			return mm_ck_fail(c, MM_ERR_TYPE, e->items[k]->span,
			                  "arange: arguments must be numbers");
	arange_args(e, npos, a);
	if (a[2] == 0 || !isfinite(a[0]) || !isfinite(a[1]) || !isfinite(a[2]))
		return mm_ck_fail(c, MM_ERR_VALUE, e->span,
		                  "arange: step must be non-zero and bounds finite");
	double len = ceil((a[1] - a[0]) / a[2]);
	if (len > 9e18)
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
		                  "arange: too many elements");
	s->ndim = 1;
	s->dim[0] = len > 0 ? (int64_t)len : 0;
	s->sym[0] = NULL;
	return MM_OK;
}

mm_code mm_fn_ctor_check(mm_checker *c, mm_node *e, mm_info *i)
{
	int npos = mm_ck_npos(e), op = i->fn->op;
	mm_dtype dt = c->opts.dtype;
	mm_shape s = {0};
	mm_code r;
	int kd = mm_ck_key(e, "dtype");
	if (kd >= 0 && (r = mm_ck_dtype(c, e->items[kd], &dt)) != MM_OK)
		return r;
	if (op == MM_CTOR_EYE) {
		s.ndim = 2;
		if ((r = mm_ck_dim(c, e->items[0], &s.dim[0])) != MM_OK)
			return r;
		s.dim[1] = s.dim[0];
		if (npos == 2 && (r = mm_ck_dim(c, e->items[1], &s.dim[1])) != MM_OK)
			return r;
	} else if (op == MM_CTOR_ARANGE) {
		if ((r = arange_shape(c, e, npos, &s)) != MM_OK)
			return r;
	} else {
		int to = op == MM_CTOR_FULL ? npos - 1 : npos;
		if ((r = ctor_dims(c, e, 0, to, &s)) != MM_OK)
			return r;
		if (op == MM_CTOR_FULL &&
		    e->items[npos - 1]->info->v.kind != MM_K_NUMBER)
			return mm_ck_fail(c, MM_ERR_TYPE, e->items[npos - 1]->span,
			                  "full: the fill value must be a number");
	}
	mm_ck_set_tensor(i, &s, dt, true);
	i->cls = MM_C_DATA;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_data(&cx, &i->v, NULL, 0, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_ctor_eval(mm_evaluator *ev, mm_node *e)
{
	const mm_info *i = e->info;
	const mm_shape *s = &i->v.shape;
	mm_dtype t = i->v.dtype;
	int npos = mm_ck_npos(e);
	double a[3];
	switch (i->fn->op) {
	case MM_CTOR_RANDN:
		return mm_tensor_randn(ev->rng, t, s->ndim, s->dim, ev->diag);
	case MM_CTOR_RAND:
		return mm_tensor_rand(ev->rng, t, s->ndim, s->dim, ev->diag);
	case MM_CTOR_ZEROS:
		return mm_tensor_zeros(t, s->ndim, s->dim, ev->diag);
	case MM_CTOR_ONES:
		return mm_tensor_ones(t, s->ndim, s->dim, ev->diag);
	case MM_CTOR_FULL:
		return mm_tensor_full(t, s->ndim, s->dim,
		                      e->items[npos - 1]->info->v.num, ev->diag);
	case MM_CTOR_EYE:
		return mm_tensor_eye(t, s->dim[0], s->dim[1], ev->diag);
	default:
		arange_args(e, npos, a);
		return mm_tensor_arange(t, a[0], a[1], a[2], ev->diag);
	}
}
