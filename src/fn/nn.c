/* nn.c — the layers of modern models: argmax and logsumexp; maximum,
 * minimum, comparisons, where, clip, tril and triu; rmsnorm, swiglu and dropout; take,
 * embedding and cross_entropy. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/ops_nn.h"
#include "mmcalc/vmath.h"
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

/* ---- maximum, minimum, where, clip: numbers or tensors, broadcast ---- */

/* The operands of an elementwise choice: each a plain number or a tensor,
 * at least one a tensor (*any false, and no error, when all are numbers:
 * the caller folds). The result's shape (broadcast), dtype (the tensors'
 * among typed[], numbers being weak as in NumPy; the default when only
 * numbers are typed) and whether all tensors are concrete. */
static mm_code choice_operands(mm_checker *c, mm_node *e, mm_node **ops,
                               int n, const bool *typed, mm_info *i,
                               bool *any)
{
	mm_shape s = {0};
	mm_dtype t = c->opts.dtype;
	bool concrete = true, have_t = false;
	mm_code r;
	*any = false;
	for (int k = 0; k < n; k++) {
		const mm_info *a = ops[k]->info;
		if (a->v.kind == MM_K_NUMBER && mm_dim_is_none(a->v.dim))
			continue;
		if (a->v.kind != MM_K_TENSOR)
			return mm_ck_fail(c, MM_ERR_TYPE, ops[k]->span,
			                  "%s: expected a tensor or a plain number, got %s",
			                  e->name, mm_ck_kind_name(&a->v));
		mm_shape prev = s;
		if ((r = mm_shape_broadcast_as(&s, &a->v.shape, e->name, &s,
		                               &c->assume, c->diag)) != MM_OK) {
			/* as a function's: "(2 x 3) and (3 x 3)", not infix */
			char sa[160], sb[160], why[MM_DIAG_MSG];
			const char *semi = strrchr(c->diag->message, ';');
			snprintf(why, sizeof why, "%s", semi ? semi : "");
			mm_ck_fail(c, r, e->span, "%s: shapes do not broadcast: %s "
			           "and %s%s", e->name,
			           mm_shape_str(&prev, sa, sizeof sa),
			           mm_shape_str(&a->v.shape, sb, sizeof sb), why);
			mm_diag_hint(c->diag, "dims are matched from the right; "
			                      "each pair must be equal or one of "
			                      "them 1");
			return r;
		}
		if (typed[k]) {
			t = have_t ? mm_dtype_promote(t, a->v.dtype) : a->v.dtype;
			have_t = true;
		}
		concrete = concrete && a->concrete;
		i->symbolic = i->symbolic || a->symbolic;
		*any = true;
	}
	if (*any)
		mm_ck_set_tensor(i, &s, t, concrete);
	return MM_OK;
}

/* Elementwise cost of a choice: per FLOPs for each result element. */
static mm_code choice_cost(mm_checker *c, mm_node *e, mm_node **ops, int n,
                           unsigned per, mm_info *i)
{
	const mm_value *in[3];
	for (int k = 0; k < n; k++)
		in[k] = &ops[k]->info->v;
	i->cls = MM_C_ELEMENTWISE;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_elementwise(&cx, &i->v, in, n, per,
	                                           &i->cost), e->span);
}

static double max_nan(double a, double b)
{
	return a != a ? a : b != b ? b : a > b ? a : b;
}

static double min_nan(double a, double b)
{
	return a != a ? a : b != b ? b : a < b ? a : b;
}

/* maximum, minimum and the comparisons (op MM_NN_COMPARE + an mm_cmp) */
mm_code mm_fn_maximum_check(mm_checker *c, mm_node *e, mm_info *i)
{
	static const bool typed[2] = {true, true};
	bool any;
	mm_code r = choice_operands(c, e, e->items, 2, typed, i, &any);
	if (r != MM_OK)
		return r;
	if (!any) {
		double a = e->items[0]->info->v.num, b = e->items[1]->info->v.num;
		int op = i->fn->op;
		mm_ck_set_number(i, op >= MM_NN_COMPARE
		                        ? mm_op_compare_num(a, b,
		                                            (mm_cmp)(op - MM_NN_COMPARE))
		                    : op == MM_NN_MAXIMUM ? max_nan(a, b)
		                                          : min_nan(a, b));
		return MM_OK;
	}
	return choice_cost(c, e, e->items, 2, 1, i);
}

/* Operand k of a choice as a tensor: its value, or a number as a 0-d
 * tensor of dtype t (new reference in *own). */
static const mm_tensor *operand(mm_evaluator *ev, const mm_node *a,
                                mm_dtype t, mm_tensor **own)
{
	*own = NULL;
	if (a->info->v.kind == MM_K_TENSOR)
		return a->info->value;
	return *own = mm_tensor_scalar(t, a->info->v.num, ev->diag);
}

mm_tensor *mm_fn_maximum_eval(mm_evaluator *ev, mm_node *e)
{
	mm_dtype t = mm_dtype_exec(e->info->v.dtype);
	mm_tensor *own[2];
	const mm_tensor *a = operand(ev, e->items[0], t, &own[0]);
	const mm_tensor *b = a ? operand(ev, e->items[1], t, &own[1]) : NULL;
	int op = e->info->fn->op;
	mm_tensor *r = !b ? NULL
	               : op >= MM_NN_COMPARE
	                   ? mm_op_compare(a, b, (mm_cmp)(op - MM_NN_COMPARE),
	                                   ev->diag)
	                   : mm_op_maximum(a, b, op == MM_NN_MAXIMUM, ev->diag);
	mm_tensor_unref(own[0]);
	if (a)
		mm_tensor_unref(own[1]);
	return r;
}

mm_code mm_fn_where_check(mm_checker *c, mm_node *e, mm_info *i)
{
	static const bool typed[3] = {false, true, true};
	bool any;
	mm_code r = choice_operands(c, e, e->items, 3, typed, i, &any);
	if (r != MM_OK)
		return r;
	if (!any) {
		const mm_value *v = &e->items[0]->info->v;
		mm_ck_set_number(i, v->num != 0 ? e->items[1]->info->v.num
		                                : e->items[2]->info->v.num);
		return MM_OK;
	}
	return choice_cost(c, e, e->items, 3, 1, i);
}

mm_tensor *mm_fn_where_eval(mm_evaluator *ev, mm_node *e)
{
	mm_dtype t = mm_dtype_exec(e->info->v.dtype);
	mm_tensor *own[3] = {NULL, NULL, NULL};
	const mm_tensor *in[3];
	mm_tensor *r = NULL;
	int k = 0;
	/* a number condition keeps its value exactly: f64 */
	for (; k < 3; k++)
		if (!(in[k] = operand(ev, e->items[k], k ? t : MM_F64, &own[k])))
			break;
	if (k == 3)
		r = mm_op_where(in[0], in[1], in[2], ev->diag);
	for (int j = 0; j < 3; j++)
		mm_tensor_unref(own[j]);
	return r;
}

/* clip(x, lo, hi) or clip(x, min=lo, max=hi): the bounds' nodes, NULL
 * when not given. */
static void clip_bounds(mm_node *e, mm_node **lo, mm_node **hi)
{
	int np = mm_ck_npos(e), kl = mm_ck_key(e, "min"), kh = mm_ck_key(e, "max");
	*lo = np > 1 ? e->items[1] : kl >= 0 ? e->items[kl] : NULL;
	*hi = np > 2 ? e->items[2] : kh >= 0 ? e->items[kh] : NULL;
}

mm_code mm_fn_clip_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *ops[3] = {e->items[0], NULL, NULL}, *lo, *hi;
	clip_bounds(e, &lo, &hi);
	if ((mm_ck_npos(e) > 1 && mm_ck_key(e, "min") >= 0) ||
	    (mm_ck_npos(e) > 2 && mm_ck_key(e, "max") >= 0))
		return mm_ck_fail(c, MM_ERR_ARG, e->span, "clip: a bound is given "
		                  "twice, as an argument and as a keyword");
	if (!lo && !hi) {
		mm_ck_fail(c, MM_ERR_ARG, e->span, "clip needs a bound");
		mm_diag_hint(c->diag, "clip(x, lo, hi), clip(x, min=lo) or "
		                      "clip(x, max=hi)");
		return MM_ERR_ARG;
	}
	int n = 1;
	if (lo)
		ops[n++] = lo;
	if (hi)
		ops[n++] = hi;
	static const bool typed[3] = {true, true, true};
	bool any;
	mm_code r = choice_operands(c, e, ops, n, typed, i, &any);
	if (r != MM_OK)
		return r;
	if (!any) {
		double v = ops[0]->info->v.num;
		if (lo)
			v = max_nan(v, lo->info->v.num);
		if (hi)
			v = min_nan(v, hi->info->v.num);
		mm_ck_set_number(i, v);
		return MM_OK;
	}
	/* one comparison per bound and element */
	return choice_cost(c, e, ops, n, (unsigned)(n - 1), i);
}

mm_tensor *mm_fn_clip_eval(mm_evaluator *ev, mm_node *e)
{
	mm_dtype t = mm_dtype_exec(e->info->v.dtype);
	mm_node *lo, *hi;
	clip_bounds(e, &lo, &hi);
	mm_tensor *own[3] = {NULL, NULL, NULL}, *r = NULL;
	const mm_tensor *x = operand(ev, e->items[0], t, &own[0]);
	const mm_tensor *l = x && lo ? operand(ev, lo, t, &own[1]) : NULL;
	const mm_tensor *h = x && hi ? operand(ev, hi, t, &own[2]) : NULL;
	if (x && (l || !lo) && (h || !hi))
		r = mm_op_clip(x, l, h, ev->diag);
	for (int j = 0; j < 3; j++)
		mm_tensor_unref(own[j]);
	return r;
}

/* ---- tril and triu ---- */

mm_code mm_fn_tri_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int np = mm_ck_npos(e), kk = mm_ck_key(e, "k");
	int64_t *k = mm_arena_alloc(c->arena, sizeof *k);
	mm_code r;
	if (!k)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	if (np > 1 && kk >= 0)
		return mm_ck_fail(c, MM_ERR_ARG, e->items[kk]->span,
		                  "%s: k is given twice", i->fn->name);
	mm_node *kn = np > 1 ? e->items[1] : kk >= 0 ? e->items[kk] : NULL;
	if (kn && (r = mm_ck_int(c, kn, "k (a diagonal)", k)) != MM_OK)
		return r;
	if (xi->v.shape.ndim < 2) {
		char sb[160];
		mm_ck_fail(c, MM_ERR_SHAPE, x->span, "%s needs a matrix (or a stack "
		           "of them), got %s", i->fn->name,
		           mm_shape_str(&xi->v.shape, sb, sizeof sb));
		mm_diag_hint(c->diag, "NumPy's tril of a vector makes a matrix; "
		                      "here write it as a row: x[None]");
		return MM_ERR_SHAPE;
	}
	i->fn_data = k;
	mm_ck_set_tensor(i, &xi->v.shape, xi->v.dtype, xi->concrete);
	i->cls = MM_C_DATA;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	const mm_value *in = &xi->v;
	return mm_ck_placed(c, mm_cost_data(&cx, &i->v, &in, 1, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_tri_eval(mm_evaluator *ev, mm_node *e)
{
	const int64_t *k = e->info->fn_data;
	return mm_op_tri(e->items[0]->info->value, *k,
	                 e->info->fn->op == MM_NN_TRIU, ev->diag);
}

/* ---- norms: rmsnorm, and the weight and bias of layernorm ---- */

mm_code mm_fn_check_affine(mm_checker *c, const mm_node *w,
                           const mm_shape *xs, const char *fn,
                           const char *what)
{
	mm_code r;
	if ((r = mm_ck_tensor(c, w, fn)) != MM_OK)
		return r;
	const mm_shape *ws = &w->info->v.shape;
	int last = xs->ndim - 1;
	mm_shape l = {.ndim = 1, .dim = {xs->dim[last]}, .sym = {xs->sym[last]}};
	uint64_t n;
	if (!ws->sym[0] && !xs->sym[last] && !mm_shape_is_symbolic(ws)) {
		/* numbers: 1-D, or 0-d when the axis has one element */
		mm_shape_numel(ws, &n, NULL);
		if (ws->ndim <= 1 && n == (uint64_t)xs->dim[last])
			return MM_OK;
	} else if (ws->ndim == 1) {
		mm_diag why;
		if ((ws->sym[0] && xs->sym[last] &&
		     mm_poly_eq(ws->sym[0], xs->sym[last])) ||
		    mm_shape_assume(&c->assume, ws, 0, " == ", xs, last, &why))
			return MM_OK;
	}
	char sw[160];
	mm_buf n_ = MM_BUF_INIT;
	if (l.sym[0])
		mm_poly_print(&n_, l.sym[0], 0);
	else
		mm_buf_put_i64(&n_, l.dim[0]);
	mm_ck_fail(c, MM_ERR_SHAPE, w->span, "%s: %s needs %s elements, one per "
	           "element of the last axis, got %s", fn, what, mm_buf_str(&n_),
	           mm_shape_str(ws, sw, sizeof sw));
	mm_buf_free(&n_);
	mm_diag_hint(c->diag, "one value per feature: a vector as long as "
	                      "x's last axis");
	return MM_ERR_SHAPE;
}

/* torch.finfo(t).eps, what nn.RMSNorm's eps=None means: of the dtype
 * declared, bf16 and f16 included (they execute in f32). */
static double finfo_eps(mm_dtype t)
{
	switch (t) {
	case MM_F64: return MM_VMATH_RMSNORM_EPS_F64;
	case MM_F16: return 0x1p-10;
	case MM_BF16: return 0x1p-7;
	case MM_F8E4M3: return 0x1p-3; /* float8_e4m3fn */
	case MM_F8E5M2: return 0x1p-2; /* float8_e5m2 */
	default: return MM_VMATH_RMSNORM_EPS_F32;
	}
}

/* The weight of a norm: positional argument 1 or weight=, or NULL. */
static mm_node *weight_of(mm_node *e)
{
	int kw = mm_ck_key(e, "weight");
	return mm_ck_npos(e) > 1 ? e->items[1] : kw >= 0 ? e->items[kw] : NULL;
}

mm_code mm_fn_rmsnorm_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0], *w = weight_of(e);
	const mm_info *xi = x->info;
	int ke = mm_ck_key(e, "eps");
	double *eps = mm_arena_alloc(c->arena, sizeof *eps);
	mm_code r;
	if (!eps)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	if (mm_ck_npos(e) > 1 && mm_ck_key(e, "weight") >= 0)
		return mm_ck_fail(c, MM_ERR_ARG, e->span,
		                  "rmsnorm: the weight is given twice");
	if (xi->v.shape.ndim == 0)
		return mm_ck_fail(c, MM_ERR_SHAPE, x->span,
		                  "rmsnorm needs at least one axis");
	*eps = finfo_eps(xi->v.dtype);
	if (ke >= 0) {
		const mm_info *ei = e->items[ke]->info;
		if (ei->v.kind != MM_K_NUMBER || !(ei->v.num >= 0))
			return mm_ck_fail(c, MM_ERR_VALUE, e->items[ke]->span,
			                  "rmsnorm: eps must be a number >= 0");
		*eps = ei->v.num;
	}
	const mm_value *in[2] = {&xi->v, NULL};
	bool concrete = xi->concrete;
	if (w) {
		if ((r = mm_fn_check_affine(c, w, &xi->v.shape, "rmsnorm",
		                            "the weight")) != MM_OK)
			return r;
		in[1] = &w->info->v;
		concrete = concrete && w->info->concrete;
	}
	i->fn_data = eps;
	mm_ck_set_tensor(i, &xi->v.shape, xi->v.dtype, concrete);
	i->cls = MM_C_NORM;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_rmsnorm(&cx, &i->v, in, w ? 2 : 1,
	                                       &i->cost), e->span);
}

mm_tensor *mm_fn_rmsnorm_eval(mm_evaluator *ev, mm_node *e)
{
	const mm_node *w = weight_of(e);
	return mm_op_rmsnorm(e->items[0]->info->value, w ? w->info->value : NULL,
	                     *(const double *)e->info->fn_data, ev->diag);
}

/* ---- swiglu ---- */

mm_code mm_fn_swiglu_check(mm_checker *c, mm_node *e, mm_info *i)
{
	const mm_value *in[3];
	bool concrete = true;
	mm_code r;
	for (int k = 0; k < 3; k++) {
		if ((r = mm_ck_tensor(c, e->items[k], i->fn->name)) != MM_OK)
			return r;
		in[k] = &e->items[k]->info->v;
		concrete = concrete && e->items[k]->info->concrete;
		i->symbolic = i->symbolic || e->items[k]->info->symbolic;
	}
	mm_shape s1, s3;
	int64_t m, k, n;
	uint64_t batch;
	double ba;
	for (int w = 1; w <= 2; w++) {
		mm_shape *s = w == 1 ? &s1 : &s3;
		r = mm_shape_matmul_as(&in[0]->shape, &in[w]->shape, s, &m, &k, &n,
		                       &batch, &ba, &c->assume, c->diag);
		if (r != MM_OK) {
			char m2[MM_DIAG_MSG];
			snprintf(m2, sizeof m2, "%s", c->diag->message);
			mm_ck_fail(c, r, e->items[w]->span, "swiglu: x @ W%d: %s",
			           w == 1 ? 1 : 3, m2);
			return r;
		}
	}
	char a[160], b[160];
	mm_diag why;
	bool same = s1.ndim == s3.ndim;
	for (int j = 0; same && j < s1.ndim; j++)
		same = (s1.sym[j] ? s3.sym[j] && mm_poly_eq(s1.sym[j], s3.sym[j])
		                  : !s3.sym[j] && s1.dim[j] == s3.dim[j]) ||
		       ((s1.sym[j] || s3.sym[j]) &&
		        mm_shape_assume(&c->assume, &s1, j, " == ", &s3, j, &why));
	if (!same) {
		mm_ck_fail(c, MM_ERR_SHAPE, e->span, "swiglu: x @ W1 is %s but "
		           "x @ W3 is %s", mm_shape_str(&s1, a, sizeof a),
		           mm_shape_str(&s3, b, sizeof b));
		mm_diag_hint(c->diag, "W1 (the gate) and W3 (the up projection) "
		                      "are both d x f");
		return MM_ERR_SHAPE;
	}
	mm_dtype t = mm_dtype_promote(in[0]->dtype,
	                              mm_dtype_promote(in[1]->dtype, in[2]->dtype));
	mm_ck_set_tensor(i, &s1, t, concrete);
	i->cls = MM_C_MATMUL;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	const mm_builtin *silu = mm_builtin_find("silu");
	return mm_ck_placed(c, mm_cost_swiglu(&cx, &i->v, in,
	                                      silu ? silu->per : 4, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_swiglu_eval(mm_evaluator *ev, mm_node *e)
{
	return mm_op_swiglu(e->items[0]->info->value, e->items[1]->info->value,
	                    e->items[2]->info->value, ev->diag);
}

/* ---- dropout ---- */

/* What dropout's check decided: p, and whether it runs (train=true). */
typedef struct dropout_plan {
	double p;
	bool train;
} dropout_plan;

mm_code mm_fn_dropout_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int np = mm_ck_npos(e), kp = mm_ck_key(e, "p"), kt = mm_ck_key(e, "train");
	dropout_plan *p = mm_arena_alloc(c->arena, sizeof *p);
	mm_code r;
	if (!p)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	p->p = 0.5; /* PyTorch's default */
	mm_node *pn = np > 1 ? e->items[1] : kp >= 0 ? e->items[kp] : NULL;
	if (np > 1 && kp >= 0)
		return mm_ck_fail(c, MM_ERR_ARG, e->span, "dropout: p is given "
		                  "twice");
	if (pn) {
		if (pn->info->v.kind != MM_K_NUMBER ||
		    !(pn->info->v.num >= 0 && pn->info->v.num <= 1))
			return mm_ck_fail(c, MM_ERR_VALUE, pn->span,
			                  "dropout: p is a probability, from 0 to 1");
		p->p = pn->info->v.num;
	}
	if (kt >= 0 &&
	    (r = mm_ck_bool(c, e->items[kt], "train", &p->train)) != MM_OK)
		return r;
	i->fn_data = p;
	mm_ck_set_tensor(i, &xi->v.shape, xi->v.dtype, xi->concrete);
	i->cls = MM_C_ELEMENTWISE;
	/* as in training: a product by the scaled mask per element */
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	const mm_value *in = &xi->v;
	return mm_ck_placed(c, mm_cost_elementwise(&cx, &i->v, &in, 1, 1,
	                                           &i->cost), e->span);
}

mm_tensor *mm_fn_dropout_eval(mm_evaluator *ev, mm_node *e)
{
	const dropout_plan *p = e->info->fn_data;
	const mm_tensor *x = e->items[0]->info->value;
	if (!p->train) /* evaluation mode: the identity, as model.eval() */
		return mm_tensor_ref(x);
	return mm_op_dropout(x, p->p, ev->rng, ev->diag);
}

/* ---- take, embedding, cross_entropy ---- */

/* Whether ids are an abstract input that :run fills: random normal
 * values would be no ids, so their eval draws whole numbers instead. */
static bool filled_ids(const mm_checker *c, const mm_node *ids)
{
	const mm_info *ii = ids->info;
	return c->opts.fill_abstract && ii->v.kind == MM_K_TENSOR && ii->leaf &&
	       !ii->data;
}

/* ids of this shape drawn uniformly from 0 to n - 1 (n > 0), in f64. */
static mm_tensor *random_ids(mm_evaluator *ev, const mm_tensor *like,
                             int64_t n)
{
	mm_tensor *t = mm_tensor_new(MM_F64, like->ndim, like->shape, ev->diag);
	double *v = t ? t->data : NULL;
	for (int64_t i = 0; t && i < mm_tensor_numel(t); i++)
		v[i] = floor(mm_rng_uniform(ev->rng) * (double)n);
	return t;
}

/* ids of a gather: a tensor, or a number as a 0-d one. */
static mm_code ids_value(mm_checker *c, const mm_node *ids, const char *fn,
                         mm_value *out)
{
	const mm_info *ii = ids->info;
	if (ii->v.kind == MM_K_NUMBER && mm_dim_is_none(ii->v.dim)) {
		mm_shape none = {0};
		mm_value_set_tensor(out, &none, MM_F64);
		return MM_OK;
	}
	mm_code r = mm_ck_tensor(c, ids, fn);
	if (r == MM_OK)
		*out = ii->v;
	return r;
}

mm_code mm_fn_take_check(mm_checker *c, mm_node *e, mm_info *i)
{
	bool emb = i->fn->op == MM_NN_EMBEDDING;
	mm_node *table = e->items[emb ? 1 : 0], *ids = e->items[emb ? 0 : 1];
	mm_value iv = {0};
	mm_code r;
	if ((r = mm_ck_tensor(c, table, i->fn->name)) != MM_OK ||
	    (r = ids_value(c, ids, i->fn->name, &iv)) != MM_OK)
		return r;
	const mm_shape *ts = &table->info->v.shape;
	int64_t axis = 0;
	int ka = mm_ck_key(e, "axis");
	if (ka >= 0 && (r = mm_ck_int(c, e->items[ka], "axis", &axis)) != MM_OK)
		return r;
	if (emb && ts->ndim != 2) {
		char sb[160];
		mm_ck_fail(c, MM_ERR_SHAPE, table->span, "embedding: the table must "
		           "be (rows x dim), got %s", mm_shape_str(ts, sb, sizeof sb));
		mm_diag_hint(c->diag, "take(table, ids, axis=) gathers from any "
		                      "axis of any tensor");
		return MM_ERR_SHAPE;
	}
	mm_shape s;
	if ((r = mm_shape_take(ts, &iv.shape, axis, &i->axis, &s, c->diag)) !=
	    MM_OK)
		return mm_ck_placed(c, r, ka >= 0 ? e->items[ka]->span : e->span);
	bool ids_concrete = ids->info->v.kind == MM_K_NUMBER || ids->info->concrete;
	if (filled_ids(c, ids))
		i->fn_data = ids; /* any non-NULL: draw the ids */
	mm_ck_set_tensor(i, &s, table->info->v.dtype,
	                 table->info->concrete && ids_concrete);
	i->symbolic = table->info->symbolic || ids->info->symbolic;
	i->cls = MM_C_DATA;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_gather(&cx, &i->v, &table->info->v, &iv,
	                                      emb, &i->cost), e->span);
}

mm_tensor *mm_fn_take_eval(mm_evaluator *ev, mm_node *e)
{
	bool emb = e->info->fn->op == MM_NN_EMBEDDING;
	const mm_node *table = e->items[emb ? 1 : 0], *ids = e->items[emb ? 0 : 1];
	mm_tensor *own = NULL;
	const mm_tensor *iv = ids->info->value, *tv = table->info->value;
	if (ids->info->v.kind == MM_K_NUMBER &&
	    !(iv = own = mm_tensor_scalar(MM_F64, ids->info->v.num, ev->diag)))
		return NULL;
	if (e->info->fn_data && tv->shape[e->info->axis] > 0 &&
	    !(iv = own = random_ids(ev, iv, tv->shape[e->info->axis])))
		return NULL;
	mm_tensor *r = mm_op_take(tv, iv, e->info->axis, emb, ev->diag);
	mm_tensor_unref(own);
	return r;
}

/* What cross_entropy's check decided for its eval. */
typedef struct ce_plan {
	mm_ce_reduce red;
	int64_t ignore;
	bool random;  /* the targets are filled by :run: drawn */
} ce_plan;

mm_code mm_fn_cross_entropy_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *lg = e->items[0], *tg = e->items[1];
	int kr = mm_ck_key(e, "reduction"), ki = mm_ck_key(e, "ignore_index");
	ce_plan *p = mm_arena_alloc(c->arena, sizeof *p);
	mm_code r;
	if (!p)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	mm_value tv = {0};
	if ((r = mm_ck_tensor(c, lg, i->fn->name)) != MM_OK ||
	    (r = ids_value(c, tg, i->fn->name, &tv)) != MM_OK)
		return r;
	p->red = MM_CE_MEAN;
	p->ignore = -100; /* PyTorch's ignore_index */
	if (kr >= 0) {
		const mm_node *a = e->items[kr];
		const char *s = a->kind == MM_N_STRING ? a->str
		              : a->kind == MM_N_NAME ? a->name : "";
		if (strcmp(s, "sum") == 0)
			p->red = MM_CE_SUM;
		else if (strcmp(s, "none") == 0)
			p->red = MM_CE_NONE;
		else if (strcmp(s, "mean") != 0)
			return mm_ck_fail(c, MM_ERR_ARG, a->span, "cross_entropy: "
			                  "reduction is \"mean\", \"sum\" or \"none\"");
	}
	if (ki >= 0 && (r = mm_ck_int(c, e->items[ki], "ignore_index",
	                              &p->ignore)) != MM_OK)
		return r;
	mm_shape per;
	if ((r = mm_shape_cross_entropy(&lg->info->v.shape, &tv.shape, &per,
	                                &c->assume, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, e->span);
	mm_shape none = {0};
	i->fn_data = p;
	p->random = filled_ids(c, tg);
	bool tc = tg->info->v.kind == MM_K_NUMBER || tg->info->concrete;
	mm_ck_set_tensor(i, p->red == MM_CE_NONE ? &per : &none,
	                 lg->info->v.dtype, lg->info->concrete && tc);
	i->symbolic = lg->info->symbolic || tg->info->symbolic;
	i->cls = MM_C_SOFTMAX;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_cross_entropy(&cx, &i->v, &lg->info->v,
	                                             &tv,
	                                             p->red != MM_CE_NONE,
	                                             &i->cost), e->span);
}

mm_tensor *mm_fn_cross_entropy_eval(mm_evaluator *ev, mm_node *e)
{
	const ce_plan *p = e->info->fn_data;
	const mm_node *tg = e->items[1];
	mm_tensor *own = NULL;
	const mm_tensor *t = tg->info->value;
	const mm_tensor *lg = e->items[0]->info->value;
	int64_t classes = lg->shape[lg->ndim == 1 ? 0 : 1];
	if (tg->info->v.kind == MM_K_NUMBER &&
	    !(t = own = mm_tensor_scalar(MM_F64, tg->info->v.num, ev->diag)))
		return NULL;
	if (p->random && classes > 0 &&
	    !(t = own = random_ids(ev, t, classes)))
		return NULL;
	mm_tensor *r = mm_op_cross_entropy(lg, t, p->red, p->ignore, ev->diag);
	mm_tensor_unref(own);
	return r;
}
