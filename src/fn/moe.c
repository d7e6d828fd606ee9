/* moe.c — moe(x, ...), a mixture-of-experts layer as Mixtral's, and
 * moe_params(expr), the parameters of the layers in an expression. */
#include <stdlib.h>
#include <string.h>

#include "mmcalc/moe.h"
#include "fn/fn.h"

/* What the check decided (in the arena): the eval reads it, and so do
 * moe_params and, later, a params() that walks a model. */
typedef struct moe_data {
	mm_shape dims;   /* d, E, f */
	int64_t top_k;
	bool gated;
	mm_unop act;
	int nweights;    /* 0: the cost-only form; 3 or 4 */
} moe_data;

/* A keyword that must be a whole number >= lo, or -1 when absent. */
static mm_code key_int(mm_checker *c, mm_node *e, const char *key, int64_t lo,
                       int64_t *out)
{
	int k = mm_ck_key(e, key);
	*out = -1;
	if (k < 0)
		return MM_OK;
	mm_code r = mm_ck_int(c, e->items[k], key, out);
	if (r == MM_OK && *out < lo)
		r = mm_ck_fail(c, MM_ERR_VALUE, e->items[k]->span,
		               "moe: %s must be at least %lld, got %lld", key,
		               (long long)lo, (long long)*out);
	return r;
}

/* act=: an elementwise function of unary.def (silu, gelu, relu, ...). */
static mm_code activation(mm_checker *c, mm_node *e, mm_unop *op,
                          unsigned *per)
{
	int k = mm_ck_key(e, "act");
	const char *name = "silu";
	if (k >= 0) {
		const mm_node *a = e->items[k];
		name = a->kind == MM_N_NAME ? a->name
		     : a->kind == MM_N_STRING ? a->str : "";
	}
	const mm_builtin *f = mm_builtin_find(name);
	if (!mm_op_unop_parse(name, op) || !f || f->check != mm_fn_unary_check) {
		mm_ck_fail(c, MM_ERR_ARG, k >= 0 ? e->items[k]->span : e->span,
		           "moe: act must be an elementwise function, got %s", name);
		mm_diag_hint(c->diag, "act=silu (Mixtral), act=gelu, act=relu");
		return MM_ERR_ARG;
	}
	*per = f->per;
	return MM_OK;
}

/* The cost-only form: experts= and ffn= give E and f, x's last axis d. */
static mm_code implicit_dims(mm_checker *c, mm_node *e, const mm_shape *x,
                             moe_data *md)
{
	int64_t ex, ffn;
	mm_code r;
	if ((r = key_int(c, e, "experts", 1, &ex)) != MM_OK ||
	    (r = key_int(c, e, "ffn", 1, &ffn)) != MM_OK)
		return r;
	if (ex < 0 || ffn < 0) {
		mm_ck_fail(c, MM_ERR_ARG, e->span,
		           "moe needs experts= and ffn=, or the weights");
		mm_diag_hint(c->diag, "moe(x, experts=8, top_k=2, ffn=14336), or "
		                      "moe(x, router, w1, w2, w3, top_k=2)");
		return MM_ERR_ARG;
	}
	md->dims = (mm_shape){0};
	md->dims.ndim = 3;
	md->dims.dim[0] = x->dim[x->ndim - 1];
	md->dims.sym[0] = x->sym[x->ndim - 1];
	md->dims.dim[1] = ex;
	md->dims.dim[2] = ffn;
	int kg = mm_ck_key(e, "gated");
	md->gated = true;
	return kg >= 0 ? mm_ck_bool(c, e->items[kg], "gated", &md->gated) : MM_OK;
}

/* The form with weights: their shapes give E and f (experts= and ffn=,
 * when given, must agree); w3 makes it gated. */
static mm_code explicit_dims(mm_checker *c, mm_node *e, int npos,
                             moe_data *md)
{
	const mm_shape *s[5];
	mm_code r;
	for (int k = 0; k < npos; k++) {
		if ((r = mm_ck_tensor(c, e->items[k], "moe")) != MM_OK)
			return r;
		s[k] = &e->items[k]->info->v.shape;
	}
	int bad;
	if ((r = mm_moe_shapes(s[0], s[1], s[2], s[3], npos == 5 ? s[4] : NULL,
	                       &md->dims, &bad, &c->assume, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, e->items[bad]->span);
	md->gated = npos == 5;
	md->nweights = npos - 1;
	static const char *keys[2] = {"experts", "ffn"};
	for (int k = 0; k < 2; k++) {
		int64_t v;
		int at = mm_ck_key(e, keys[k]);
		if ((r = key_int(c, e, keys[k], 1, &v)) != MM_OK)
			return r;
		const mm_shape *dm = &md->dims;
		if (at >= 0 && (dm->sym[1 + k] || dm->dim[1 + k] != v))
			return mm_ck_fail(c, MM_ERR_SHAPE, e->items[at]->span,
			                  "moe: %s=%lld, but the weights have %s",
			                  keys[k], (long long)v,
			                  dm->sym[1 + k] ? "a symbolic one" : "another");
	}
	int kg = mm_ck_key(e, "gated");
	bool g = md->gated;
	if (kg >= 0 && (r = mm_ck_bool(c, e->items[kg], "gated", &g)) != MM_OK)
		return r;
	if (g != md->gated)
		return mm_ck_fail(c, MM_ERR_ARG, e->items[kg]->span,
		                  g ? "moe: gated=true needs w3 (the fifth argument)"
		                    : "moe: gated=false takes no w3");
	return MM_OK;
}

/* "params 46.7 G in all, 12.9 G active per token" (or polynomials). */
static const char *params_note(mm_checker *c, const moe_data *md)
{
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	mm_buf b = MM_BUF_INIT;
	for (int active = 0; active < 2; active++) {
		mm_count n;
		const mm_poly *p;
		if (mm_cost_moe_params(&cx, &md->dims, md->top_k, md->gated,
		                       active, &n, &p) != MM_OK) {
			mm_buf_free(&b);
			return NULL;
		}
		mm_buf_puts(&b, active ? ", " : "params ");
		if (p) {
			mm_poly_print(&b, p, 0);
		} else {
			mm_buf t = MM_BUF_INIT; /* "1.409 G " without its space */
			mm_count_format_si(&t, n, "", 4);
			const char *ts = mm_buf_str(&t);
			mm_buf_printf(&b, "%.*s", (int)strcspn(ts, " ") +
			              (ts[strcspn(ts, " ")] && ts[strcspn(ts, " ") + 1]
			               ? 2 : 0), ts);
			mm_buf_free(&t);
		}
		mm_buf_puts(&b, active ? " active per token" : " in all");
	}
	char *s = mm_arena_strndup(c->arena, mm_buf_str(&b), strlen(mm_buf_str(&b)));
	mm_buf_free(&b);
	return s;
}

mm_code mm_fn_moe_check(mm_checker *c, mm_node *e, mm_info *i)
{
	moe_data *md = mm_arena_alloc(c->arena, sizeof *md);
	if (!md)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	int npos = mm_ck_npos(e);
	mm_node *x = e->items[0];
	mm_code r;
	unsigned per;
	if ((r = mm_ck_tensor(c, x, "moe")) != MM_OK)
		return r;
	if (x->info->v.shape.ndim < 1)
		return mm_ck_fail(c, MM_ERR_SHAPE, x->span,
		                  "moe: x must be tokens (… x d), not a 0-d value");
	if (npos != 1 && npos != 4 && npos != 5) {
		mm_ck_fail(c, MM_ERR_ARG, e->span,
		           "moe takes x alone (with experts= and ffn=) or x, "
		           "router, w1, w2[, w3]; got %d arguments", npos);
		mm_diag_hint(c->diag, "usage: %s", i->fn->usage);
		return MM_ERR_ARG;
	}
	if ((r = npos == 1 ? implicit_dims(c, e, &x->info->v.shape, md)
	                   : explicit_dims(c, e, npos, md)) != MM_OK ||
	    (r = activation(c, e, &md->act, &per)) != MM_OK ||
	    (r = key_int(c, e, "top_k", 1, &md->top_k)) != MM_OK)
		return r;
	int kk = mm_ck_key(e, "top_k");
	if (kk < 0) {
		mm_ck_fail(c, MM_ERR_ARG, e->span, "moe needs top_k=");
		mm_diag_hint(c->diag, "the experts each token uses: top_k=2 in "
		                      "Mixtral");
		return MM_ERR_ARG;
	}
	if (!md->dims.sym[1] && md->top_k > md->dims.dim[1])
		return mm_ck_fail(c, MM_ERR_VALUE, e->items[kk]->span,
		                  "moe: top_k=%lld is more than the %lld experts",
		                  (long long)md->top_k, (long long)md->dims.dim[1]);
	mm_dtype t = x->info->v.dtype;
	bool concrete = npos > 1 && x->info->concrete, sym = x->info->symbolic;
	const mm_value *w[4];
	for (int k = 1; k < npos; k++) {
		const mm_info *wi = e->items[k]->info;
		t = mm_dtype_promote(t, wi->v.dtype);
		concrete &= wi->concrete;
		sym |= wi->symbolic;
		w[k - 1] = &wi->v;
	}
	mm_ck_set_tensor(i, &x->info->v.shape, t, concrete && !sym);
	i->symbolic = sym;
	i->cls = MM_C_MATMUL;
	i->fn_data = md;
	if (!(i->note = params_note(c, md)))
		return mm_ck_placed(c, c->diag->code ? c->diag->code : MM_ERR_NOMEM,
		                    e->span);
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	/* the cost-only form holds its experts and router itself: all of
	 * them are parameters (memory holds every expert, not the active) */
	if (npos == 1 &&
	    (r = mm_cost_moe_params(&cx, &md->dims, md->top_k, md->gated, false,
	                            &i->held, &i->sheld)) != MM_OK)
		return mm_ck_placed(c, r, e->span);
	/* both counts for moe_params, which reads them off the graph */
	const mm_poly *pa, *pk;
	if ((r = mm_cost_moe_params(&cx, &md->dims, md->top_k, md->gated, false,
	                            &i->moe_all, &pa)) != MM_OK ||
	    (r = mm_cost_moe_params(&cx, &md->dims, md->top_k, md->gated, true,
	                            &i->moe_active, &pk)) != MM_OK)
		return mm_ck_placed(c, r, e->span);
	i->moe = pa || pk ? 2 : 1;
	return mm_ck_placed(c, mm_cost_moe(&cx, &i->v, &x->info->v, &md->dims,
	                                   md->top_k, md->gated, per, w,
	                                   npos - 1, &i->cost), e->span);
}

mm_tensor *mm_fn_moe_eval(mm_evaluator *ev, mm_node *e)
{
	const moe_data *md = e->info->fn_data;
	const mm_tensor *op[5] = {NULL};
	for (int k = 0; k <= md->nweights; k++)
		op[k] = e->items[k]->info->value;
	return mm_moe(op[0], op[1], op[2], op[3], md->gated ? op[4] : NULL,
	              md->top_k, md->act, ev->diag);
}

/* ---- moe_params ---- */

/* Adds the parameters of every moe layer under e into *n. */
static mm_code sum_params(mm_checker *c, const mm_node *e, bool active,
                          mm_count *n)
{
	if (!e)
		return MM_OK;
	mm_code r = MM_OK;
	if (e->kind == MM_N_CALL && e->info && e->info->fn &&
	    e->info->fn->check == mm_fn_moe_check && e->info->fn_data) {
		const moe_data *md = e->info->fn_data;
		mm_cost_ctx cx = mm_ck_cost_ctx(c);
		mm_count k;
		const mm_poly *p;
		if ((r = mm_cost_moe_params(&cx, &md->dims, md->top_k, md->gated,
		                            active, &k, &p)) != MM_OK)
			return r;
		if (p)
			return mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->span,
			                  "moe_params needs numeric dimensions");
		*n = mm_count_add(*n, k);
	}
	r = sum_params(c, e->lhs, active, n);
	if (r == MM_OK)
		r = sum_params(c, e->rhs, active, n);
	for (int k = 0; k < e->n && r == MM_OK; k++)
		r = sum_params(c, e->items[k], active, n);
	return r;
}

/* Adds the parameters of every moe layer upstream of g (of its body, one
 * application, when body), times over (inside repeats), into *n: the graph's, so that a variable holding a
 * model counts the layers it was made with. */
static mm_code graph_params(mm_checker *c, const mm_node *e,
                            const mm_gnode *g, bool body, bool active,
                            uint64_t times, mm_count *n)
{
	int nops;
	mm_gnode **ops = body ? mm_graph_body_ops(g, &nops)
	                      : mm_graph_ops(g, false, &nops);
	mm_code r = MM_OK;
	for (int k = 0; k < nops && r == MM_OK; k++) {
		const mm_gnode *o = ops[k];
		if (o->kind == MM_G_REPEAT) {
			if (o->stimes) {
				r = mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->items[0]->span,
				               "moe_params needs a numeric repeat count");
				break;
			}
			uint64_t t;
			if (__builtin_mul_overflow(times, (uint64_t)o->times, &t))
				t = UINT64_MAX;
			r = graph_params(c, e, o, true, active, t, n);
		} else if (o->moe == 2) {
			r = mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->items[0]->span,
			               "moe_params needs numeric dimensions");
		} else if (o->moe) {
			mm_count k1 = active ? o->moe_active : o->moe_all;
			*n = mm_count_add(*n, mm_count_mul_u(k1, times));
		}
	}
	free(ops);
	return r;
}

/* moe_params(expr, active=false): the parameters of the moe layers in
 * expr, all experts' (what memory holds) or, active, the k per token's
 * (what compute touches), as a number. */
mm_code mm_fn_moe_params_check(mm_checker *c, mm_node *e, mm_info *i)
{
	bool active = false;
	int ka = mm_ck_key(e, "active");
	mm_code r;
	if (ka >= 0 && (r = mm_ck_bool(c, e->items[ka], "active", &active)) !=
	                   MM_OK)
		return r;
	mm_count n = MM_COUNT_ZERO;
	const mm_info *xi = e->items[0]->info;
	if (xi && xi->g)
		r = graph_params(c, e, xi->g, false, active, 1, &n);
	else
		r = sum_params(c, e->items[0], active, &n);
	if (r != MM_OK)
		return r;
	uint64_t v;
	if (mm_count_get_u64(n, &v) && v <= INT64_MAX)
		mm_value_set_int(&i->v, (int64_t)v);
	else
		mm_ck_set_number(i, mm_count_to_double(n));
	return MM_OK;
}
