/* axes.c — axes: transpose and permute, swapaxes, expand_dims, squeeze
 * and reshape (views), and the tuples of integers they take. */
#include <string.h>

#include "mmcalc/ops_axes.h"
#include "fn/fn.h"

/* What a check decided for its eval: a permutation, or a mask of axes
 * (new axes of expand_dims, dropped ones of squeeze, reduced ones). */
typedef struct axes_plan {
	int perm[MM_MAX_NDIM];
	bool mask[MM_MAX_NDIM];
	int n;
} axes_plan;

static axes_plan *new_plan(mm_checker *c, mm_info *i, mm_span at)
{
	axes_plan *p = mm_arena_alloc(c->arena, sizeof *p);
	if (!p)
		mm_ck_fail(c, MM_ERR_NOMEM, at, "out of memory");
	i->fn_data = p;
	return p;
}

/* A list argument once read: no longer a value that evaluation computes
 * or that totals count as an input. */
static mm_code consumed(mm_checker *c, mm_node *e)
{
	if (!e->info && !(e->info = mm_arena_alloc(c->arena, sizeof *e->info)))
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	e->info->v.kind = MM_K_NONE;
	return MM_OK;
}

mm_code mm_fn_ints(mm_checker *c, mm_node *e, const char *what, int64_t *out,
                   int max, int *n)
{
	mm_code r;
	*n = 0;
	bool list = e->kind == MM_N_MATRIX || (e->kind == MM_N_SHAPE && !e->info);
	if (list) {
		if (max == 1)
			return mm_ck_fail(c, MM_ERR_TYPE, e->span,
			                  "a list where %s goes", what);
		if (e->n > max || e->nvals > max) /* packed: long */
			return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
			                  "at most %d values in %s", max, what);
		for (int k = 0; k < e->n; k++) {
			mm_node *it = e->items[k];
			if (it->kind == MM_N_MATRIX)
				return mm_ck_fail(c, MM_ERR_TYPE, it->span,
				                  "%s is a flat list of integers", what);
			if ((!it->info && (r = mm_ck_node(c, it)) != MM_OK) ||
			    (r = mm_ck_int(c, it, what, &out[k])) != MM_OK)
				return r;
		}
		*n = e->n;
		return consumed(c, e);
	}
	const mm_info *i = e->info;
	if (i && i->v.kind == MM_K_NUMBER) {
		*n = 1;
		return mm_ck_int(c, e, what, out);
	}
	if (i && i->v.kind == MM_K_TENSOR && !i->concrete &&
	    !mm_shape_is_symbolic(&i->v.shape)) {
		/* a shape value: a = (0, 1); sum(x, axis=a) */
		if (i->v.shape.ndim > max)
			return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
			                  "at most %d values in %s", max, what);
		for (int k = 0; k < i->v.shape.ndim; k++)
			out[k] = i->v.shape.dim[k];
		*n = i->v.shape.ndim;
		return consumed(c, e);
	}
	mm_ck_fail(c, MM_ERR_TYPE, e->span, "%s must be an integer or a tuple "
	           "of integers, got %s", what, i ? mm_ck_kind_name(&i->v)
	                                          : "nothing");
	mm_diag_hint(c->diag, "write a tuple in parentheses: (0, -1)");
	return MM_ERR_TYPE;
}

/* The span of the arguments after the first (or of keyword key). */
static mm_span rest_span(const mm_node *e, int kk)
{
	if (kk >= 0)
		return e->items[kk]->span;
	int np = mm_ck_npos(e);
	if (np < 2)
		return e->span;
	return (mm_span){e->items[1]->span.start, e->items[np - 1]->span.end};
}

/* The axes after the first argument: one by one (permute(x, 0, 2, 1)),
 * as one tuple, or as keyword key. *given: any were. */
static mm_code rest_ints(mm_checker *c, mm_node *e, const char *key,
                         int64_t *out, int *n, bool *given)
{
	int np = mm_ck_npos(e), kk = mm_ck_key(e, key);
	*n = 0;
	*given = np > 1 || kk >= 0;
	if (kk >= 0 && np > 1)
		return mm_ck_fail(c, MM_ERR_ARG, e->items[kk]->span,
		                  "%s: the axes are given twice, as arguments and "
		                  "as %s=", e->name, key);
	if (kk >= 0)
		return mm_fn_ints(c, e->items[kk], "an axis", out, MM_MAX_NDIM, n);
	if (np == 2)
		return mm_fn_ints(c, e->items[1], "an axis", out, MM_MAX_NDIM, n);
	if (np - 1 > MM_MAX_NDIM)
		return mm_ck_fail(c, MM_ERR_LIMIT, rest_span(e, -1),
		                  "%s: at most %d axes", e->name, MM_MAX_NDIM);
	for (int k = 1; k < np; k++) {
		int got;
		mm_code r = mm_fn_ints(c, e->items[k], "an axis", &out[k - 1], 1,
		                       &got);
		if (r != MM_OK)
			return r;
	}
	*n = np - 1;
	return MM_OK;
}

/* ---- transpose, permute, swapaxes ---- */

mm_code mm_fn_permute_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int64_t ax[MM_MAX_NDIM];
	int n;
	bool given;
	mm_code r;
	if ((r = rest_ints(c, e, "axes", ax, &n, &given)) != MM_OK)
		return r;
	if (xi->v.kind == MM_K_NUMBER && !given) { /* transpose(3) is 3 */
		i->v = xi->v;
		return MM_OK;
	}
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	axes_plan *p = new_plan(c, i, e->span);
	if (!p)
		return MM_ERR_NOMEM;
	const mm_shape *xs = &xi->v.shape;
	mm_shape s;
	if (!given && strcmp(i->fn->name, "permute") == 0) {
		mm_ck_fail(c, MM_ERR_ARG, e->span, "permute needs the new order of "
		           "the %d axes", xs->ndim);
		mm_diag_hint(c->diag, "permute(x, 0, 2, 1, 3) or permute(x, (0, 2, "
		                      "1, 3)); transpose(x) swaps the last two");
		return MM_ERR_ARG;
	}
	if (!given) { /* transpose(x): the last two axes, as x.T */
		for (int k = 0; k < xs->ndim; k++)
			ax[k] = k;
		if (xs->ndim >= 2) {
			ax[xs->ndim - 2] = xs->ndim - 1;
			ax[xs->ndim - 1] = xs->ndim - 2;
		}
		n = xs->ndim;
	}
	if ((r = mm_shape_permute(xs, ax, n, p->perm, &s, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, rest_span(e, mm_ck_key(e, "axes")));
	p->n = n;
	mm_ck_set_tensor(i, &s, xi->v.dtype, xi->concrete);
	mm_ck_set_view(i, xi);
	return MM_OK;
}

mm_tensor *mm_fn_permute_eval(mm_evaluator *ev, mm_node *e)
{
	const axes_plan *p = e->info->fn_data;
	return mm_tensor_permute(e->items[0]->info->value, p->perm, ev->diag);
}

mm_code mm_fn_swapaxes_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int64_t a, b;
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK ||
	    (r = mm_ck_int(c, e->items[1], "an axis", &a)) != MM_OK ||
	    (r = mm_ck_int(c, e->items[2], "an axis", &b)) != MM_OK)
		return r;
	axes_plan *p = new_plan(c, i, e->span);
	if (!p)
		return MM_ERR_NOMEM;
	mm_shape s;
	if ((r = mm_shape_swapaxes(&xi->v.shape, a, b, p->perm, &s, c->diag)) !=
	    MM_OK)
		return mm_ck_placed(c, r, rest_span(e, -1));
	p->n = s.ndim;
	mm_ck_set_tensor(i, &s, xi->v.dtype, xi->concrete);
	mm_ck_set_view(i, xi);
	return MM_OK;
}

/* ---- expand_dims and squeeze ---- */

mm_code mm_fn_expand_dims_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int64_t ax[MM_MAX_NDIM];
	int n;
	bool given;
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK ||
	    (r = rest_ints(c, e, "axis", ax, &n, &given)) != MM_OK)
		return r;
	if (!given) {
		mm_ck_fail(c, MM_ERR_ARG, e->span, "expand_dims needs the axis of "
		           "the new axis");
		mm_diag_hint(c->diag, "expand_dims(x, 0) puts a new first axis; "
		                      "x[None] does the same");
		return MM_ERR_ARG;
	}
	axes_plan *p = new_plan(c, i, e->span);
	if (!p)
		return MM_ERR_NOMEM;
	mm_shape s;
	if ((r = mm_shape_expand_dims(&xi->v.shape, ax, n, p->mask, &s,
	                              c->diag)) != MM_OK)
		return mm_ck_placed(c, r, rest_span(e, mm_ck_key(e, "axis")));
	p->n = s.ndim;
	mm_ck_set_tensor(i, &s, xi->v.dtype, xi->concrete);
	mm_ck_set_view(i, xi);
	return MM_OK;
}

mm_tensor *mm_fn_expand_dims_eval(mm_evaluator *ev, mm_node *e)
{
	const axes_plan *p = e->info->fn_data;
	return mm_op_expand_dims(e->items[0]->info->value, p->mask, p->n,
	                         ev->diag);
}

mm_code mm_fn_squeeze_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int64_t ax[MM_MAX_NDIM];
	int n;
	bool given;
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK ||
	    (r = rest_ints(c, e, "axis", ax, &n, &given)) != MM_OK)
		return r;
	axes_plan *p = new_plan(c, i, e->span);
	if (!p)
		return MM_ERR_NOMEM;
	mm_shape s;
	if ((r = mm_shape_squeeze(&xi->v.shape, ax, given ? n : -1, p->mask, &s,
	                          &c->assume, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, rest_span(e, mm_ck_key(e, "axis")));
	mm_ck_set_tensor(i, &s, xi->v.dtype, xi->concrete);
	mm_ck_set_view(i, xi);
	return MM_OK;
}

mm_tensor *mm_fn_squeeze_eval(mm_evaluator *ev, mm_node *e)
{
	const axes_plan *p = e->info->fn_data;
	return mm_op_squeeze(e->items[0]->info->value, p->mask, ev->diag);
}

/* ---- reshape ---- */

/* The target of reshape from a tuple whose dims may be symbols and one
 * of which may be -1: into t, *infer its position (-1: none). */
static mm_code reshape_tuple(mm_checker *c, mm_node *e, mm_shape *t,
                             int *infer)
{
	mm_code r;
	if (e->n > MM_MAX_NDIM)
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
		                  "reshape: at most %d dimensions", MM_MAX_NDIM);
	t->ndim = e->n;
	for (int k = 0; k < e->n; k++) {
		mm_node *it = e->items[k];
		int64_t v;
		if (it->kind != MM_N_NEG) {
			if ((r = mm_ck_dim_of(c, it, t, k)) != MM_OK)
				return r;
			continue;
		}
		if ((r = mm_ck_node(c, it)) != MM_OK ||
		    (r = mm_ck_int(c, it, "a dimension", &v)) != MM_OK)
			return r;
		if (v != -1 || *infer >= 0)
			return mm_ck_fail(c, MM_ERR_VALUE, it->span, v != -1
			                  ? "reshape: a dimension cannot be negative"
			                  : "reshape: only one dimension can be -1");
		*infer = k;
		t->dim[k] = -1;
	}
	return consumed(c, e);
}

mm_code mm_fn_reshape_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int np = mm_ck_npos(e), infer = -1;
	mm_node *a = e->items[1];
	mm_shape t = {0};
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	if (np == 2 && a->kind == MM_N_SHAPE && !a->info) {
		if ((r = reshape_tuple(c, a, &t, &infer)) != MM_OK)
			return r;
	} else if (np == 2 && a->info->v.kind == MM_K_TENSOR) {
		t = a->info->v.shape; /* reshape(x, shape(y)) */
		if ((r = consumed(c, a)) != MM_OK)
			return r;
	} else {
		if (np - 1 > MM_MAX_NDIM)
			return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
			                  "reshape: at most %d dimensions", MM_MAX_NDIM);
		t.ndim = np - 1;
		for (int k = 1; k < np; k++) {
			int got;
			if ((r = mm_fn_ints(c, e->items[k], "a dimension",
			                    &t.dim[k - 1], 1, &got)) != MM_OK)
				return r;
			if (t.dim[k - 1] >= 0)
				continue;
			if (t.dim[k - 1] != -1 || infer >= 0)
				return mm_ck_fail(c, MM_ERR_VALUE, e->items[k]->span,
				                  t.dim[k - 1] != -1
				                  ? "reshape: a dimension cannot be "
				                    "negative"
				                  : "reshape: only one dimension can be "
				                    "-1");
			infer = k - 1;
		}
	}
	mm_poly *store = mm_arena_alloc(c->arena, sizeof *store);
	if (!store)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	mm_shape s;
	if ((r = mm_shape_reshape_as(&xi->v.shape, &t, infer, store, &s,
	                             &c->assume, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, e->span);
	mm_ck_set_tensor(i, &s, xi->v.dtype, xi->concrete);
	mm_ck_set_view(i, xi);
	i->symbolic = i->symbolic || mm_shape_is_symbolic(&s);
	return MM_OK;
}

mm_tensor *mm_fn_reshape_eval(mm_evaluator *ev, mm_node *e)
{
	const mm_shape *s = &e->info->v.shape;
	return mm_op_reshape_view(e->items[0]->info->value, s->ndim, s->dim, NULL,
	                          ev->diag);
}

/* ---- the axes of reductions ---- */

mm_code mm_fn_reduce_axes(mm_checker *c, mm_node *e, mm_info *i,
                          const mm_shape *xs, bool tuples, mm_shape *out)
{
	int ka = mm_ck_key(e, "axis"), kk = mm_ck_key(e, "keepdims");
	mm_code r;
	if (kk >= 0 &&
	    (r = mm_ck_bool(c, e->items[kk], "keepdims", &i->keepdims)) != MM_OK)
		return r;
	i->all_axes = ka < 0;
	if (ka < 0) {
		*out = mm_shape_reduce(xs, true, 0, i->keepdims);
		return MM_OK;
	}
	int64_t ax[MM_MAX_NDIM];
	int n;
	mm_node *a = e->items[ka];
	if ((r = mm_fn_ints(c, a, "axis", ax, MM_MAX_NDIM, &n)) != MM_OK)
		return r;
	if (n == 1) {
		if ((r = mm_shape_axis(xs->ndim, ax[0], &i->axis, c->diag)) != MM_OK)
			return mm_ck_placed(c, r, a->span);
		*out = mm_shape_reduce(xs, false, i->axis, i->keepdims);
		return MM_OK;
	}
	if (!tuples) {
		mm_ck_fail(c, MM_ERR_ARG, a->span, "%s takes one axis", e->name);
		mm_diag_hint(c->diag, "reshape first to take the %s over several "
		                      "axes as one", e->name);
		return MM_ERR_ARG;
	}
	bool *mask = mm_arena_alloc(c->arena, sizeof *mask * MM_MAX_NDIM);
	if (!mask)
		return mm_ck_fail(c, MM_ERR_NOMEM, a->span, "out of memory");
	if ((r = mm_shape_axes(xs->ndim, ax, n, mask, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, a->span);
	i->fn_data = mask;
	*out = mm_shape_reduce_mask(xs, mask, i->keepdims);
	return MM_OK;
}

bool mm_fn_reduced(const mm_info *i, int axis)
{
	const bool *mask = i->fn_data;
	return i->all_axes || (mask ? mask[axis] : axis == i->axis);
}
