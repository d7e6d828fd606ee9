/* linalg.c — numpy.linalg's functions as built-ins: qr, solve, inv, det,
 * slogdet, cholesky, svd, svdvals and lstsq, with stacks of matrices. A
 * function with several results (NumPy's tuples) is one built-in per
 * result: qr and qr_r, svd_u, svd (S, as Octave's one-output svd) and
 * svd_vh, slogdet (log|det|) and slogdet_sign. */
#include <string.h>

#include "mmcalc/linalg.h"
#include "fn/fn.h"

/* What each function is, by its row's op. */
static const struct la_fn {
	mm_la_cost cost;
	bool square;   /* needs square matrices */
	bool two;      /* takes a right-hand side b */
	const char *hint; /* for its value errors (singular, ...) */
} fns[] = {
	[MM_LA_FN_QR] = {MM_LA_QR, false, false, NULL},
	[MM_LA_FN_QR_R] = {MM_LA_QR_R, false, false, NULL},
	[MM_LA_FN_SOLVE] = {MM_LA_SOLVE, true, true,
	                    "a singular A has no unique solution; lstsq(A, b) "
	                    "gives the least-squares one"},
	[MM_LA_FN_INV] = {MM_LA_INV, true, false,
	                  "a singular matrix has no inverse; det(A) is 0"},
	[MM_LA_FN_DET] = {MM_LA_DET, true, false, NULL},
	[MM_LA_FN_SLOGDET] = {MM_LA_DET, true, false, NULL},
	[MM_LA_FN_SLOGDET_SIGN] = {MM_LA_DET, true, false, NULL},
	[MM_LA_FN_CHOLESKY] = {MM_LA_CHOLESKY, true, false,
	                       "cholesky needs a symmetric positive definite "
	                       "matrix, as A @ A.T + eye(n) is"},
	[MM_LA_FN_SVD] = {MM_LA_SVDVALS, false, false, NULL},
	[MM_LA_FN_SVDVALS] = {MM_LA_SVDVALS, false, false, NULL},
	[MM_LA_FN_SVD_U] = {MM_LA_SVD, false, false, NULL},
	[MM_LA_FN_SVD_VH] = {MM_LA_SVD, false, false, NULL},
	[MM_LA_FN_LSTSQ] = {MM_LA_LSTSQ, false, true, NULL},
};

/* The shorter side of a matrix (…, m, n): the longer one's partner when
 * both are numbers, else n (m >= n is what the cost assumes). */
static void shorter(const mm_shape *s, int64_t *dim, const mm_poly **sym)
{
	int m = s->ndim - 2, n = s->ndim - 1;
	bool pick_m = !s->sym[m] && !s->sym[n] && s->dim[m] < s->dim[n];
	*dim = s->dim[pick_m ? m : n];
	*sym = s->sym[pick_m ? m : n];
}

/* Sets out to s's stack axes with `extra` more: each either s's dim k
 * (k >= 0) or the shorter side (k < 0). */
static void stack_with(const mm_shape *s, int extra, const int *from,
                       mm_shape *out)
{
	*out = *s;
	out->ndim = s->ndim - 2;
	for (int k = 0; k < extra; k++) {
		int at = out->ndim++;
		if (from[k] >= 0) {
			out->dim[at] = s->dim[from[k]];
			out->sym[at] = s->sym[from[k]];
		} else {
			shorter(s, &out->dim[at], &out->sym[at]);
		}
	}
}

/* lstsq's A (m, n) and b (m,) or (m, k): x is (n,) or (n, k). */
static mm_code lstsq_shape(mm_checker *c, const mm_node *e,
                           const mm_shape *a, const mm_shape *b,
                           mm_shape *out)
{
	char sa[160], sb[160];
	if (a->ndim != 2)
		return mm_ck_fail(c, MM_ERR_SHAPE, e->items[0]->span,
		                  "lstsq needs a matrix A (2 axes, NumPy's lstsq "
		                  "takes no stacks), got %s",
		                  mm_shape_str(a, sa, sizeof sa));
	if (b->ndim != 1 && b->ndim != 2)
		return mm_ck_fail(c, MM_ERR_SHAPE, e->items[1]->span,
		                  "lstsq: b must be a vector (m,) or a matrix (m x "
		                  "k), got %s", mm_shape_str(b, sb, sizeof sb));
	mm_shape rows = *b, arow = *a;
	rows.ndim = arow.ndim = 1;
	if (!mm_shape_eq(&rows, &arow)) {
		if (!a->sym[0] && !b->sym[0]) {
			mm_ck_fail(c, MM_ERR_SHAPE, e->items[1]->span,
			           "lstsq: b %s has %lld rows where A %s has %lld",
			           mm_shape_str(b, sb, sizeof sb), (long long)b->dim[0],
			           mm_shape_str(a, sa, sizeof sa), (long long)a->dim[0]);
			mm_diag_hint(c->diag, "lstsq fits A @ x to b: one row of b "
			                      "per row (sample) of A");
			return MM_ERR_SHAPE;
		}
		if (!mm_shape_assume(&c->assume, b, 0, " == ", a, 0, c->diag))
			return mm_ck_placed(c, MM_ERR_SHAPE, e->items[1]->span);
	}
	*out = *b;
	out->dim[0] = a->dim[1];
	out->sym[0] = a->sym[1];
	return MM_OK;
}

/* The result's shape for function op of a (and b). */
static mm_code result_shape(mm_checker *c, const mm_node *e, int op,
                            const mm_shape *a, const mm_shape *b,
                            mm_shape *out)
{
	int m = a->ndim - 2, n = a->ndim - 1;
	int qf[2] = {m, -1}, rf[2] = {-1, n}, same[2] = {m, n};
	bool vec;
	switch (op) {
	case MM_LA_FN_SOLVE:
		return mm_ck_placed(c, mm_shape_solve_as(a, b, out, &vec, &c->assume,
		                                         c->diag), e->span);
	case MM_LA_FN_LSTSQ:
		return lstsq_shape(c, e, a, b, out);
	case MM_LA_FN_QR:
	case MM_LA_FN_SVD_U:
		stack_with(a, 2, qf, out);
		break;
	case MM_LA_FN_QR_R:
	case MM_LA_FN_SVD_VH:
		stack_with(a, 2, rf, out);
		break;
	case MM_LA_FN_INV:
	case MM_LA_FN_CHOLESKY:
		stack_with(a, 2, same, out);
		break;
	case MM_LA_FN_SVD:
	case MM_LA_FN_SVDVALS:
		stack_with(a, 1, rf, out);
		break;
	default: /* det, slogdet: one number per matrix */
		stack_with(a, 0, NULL, out);
	}
	return MM_OK;
}

mm_code mm_fn_linalg_check(mm_checker *c, mm_node *e, mm_info *i)
{
	int op = i->fn->op;
	const struct la_fn *f = &fns[op];
	const char *name = i->fn->name;
	mm_code r;
	for (int k = 0; k < (f->two ? 2 : 1); k++)
		if ((r = mm_ck_tensor(c, e->items[k], name)) != MM_OK)
			return r;
	const mm_info *ai = e->items[0]->info;
	const mm_info *bi = f->two ? e->items[1]->info : NULL;
	if ((r = mm_shape_matrix_as(name, &ai->v.shape, f->square, &c->assume,
	                            c->diag)) != MM_OK)
		return mm_ck_placed(c, r, e->items[0]->span);
	int kr = mm_ck_key(e, "rcond");
	if (kr >= 0 && e->items[kr]->info->v.kind != MM_K_NUMBER)
		return mm_ck_fail(c, MM_ERR_TYPE, e->items[kr]->span,
		                  "lstsq: rcond must be a number");
	mm_shape out;
	if ((r = result_shape(c, e, op, &ai->v.shape, bi ? &bi->v.shape : NULL,
	                      &out)) != MM_OK)
		return r;
	mm_dtype t = bi ? mm_dtype_promote(ai->v.dtype, bi->v.dtype)
	                : ai->v.dtype;
	bool sym = ai->symbolic || (bi && bi->symbolic);
	mm_ck_set_tensor(i, &out, t,
	                 !sym && ai->concrete && (!bi || bi->concrete));
	i->symbolic = sym;
	i->cls = MM_C_LINALG;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_linalg(&cx, f->cost, &i->v, &ai->v,
	                                      bi ? &bi->v : NULL, &i->cost),
	                    e->span);
}

/* lstsq's x, NumPy's rcond (eps·max(m, n)) unless rcond= says. */
static mm_tensor *lstsq(mm_evaluator *ev, mm_node *e)
{
	int kr = mm_ck_key(e, "rcond");
	double rcond = kr >= 0 ? e->items[kr]->info->v.num : -1;
	mm_lstsq ls;
	if (mm_linalg_lstsq(e->items[0]->info->value, e->items[1]->info->value,
	                    rcond, false, &ls, ev->diag) != MM_OK)
		return NULL;
	mm_tensor *x = mm_tensor_ref(ls.x);
	mm_linalg_lstsq_free(&ls);
	return x;
}

mm_tensor *mm_fn_linalg_eval(mm_evaluator *ev, mm_node *e)
{
	int op = e->info->fn->op;
	const mm_tensor *a = e->items[0]->info->value;
	mm_tensor *t = NULL, *other = NULL;
	mm_diag *d = ev->diag;
	switch (op) {
	case MM_LA_FN_QR:
		mm_linalg_qr(a, &t, NULL, d);
		break;
	case MM_LA_FN_QR_R:
		mm_linalg_qr(a, NULL, &t, d);
		break;
	case MM_LA_FN_SOLVE:
		t = mm_linalg_solve(a, e->items[1]->info->value, d);
		break;
	case MM_LA_FN_INV:
		t = mm_linalg_inv(a, d);
		break;
	case MM_LA_FN_DET:
		t = mm_linalg_det(a, d);
		break;
	case MM_LA_FN_SLOGDET:
		mm_linalg_slogdet(a, NULL, &t, d);
		break;
	case MM_LA_FN_SLOGDET_SIGN:
		mm_linalg_slogdet(a, &t, NULL, d);
		break;
	case MM_LA_FN_CHOLESKY:
		t = mm_linalg_cholesky(a, d);
		break;
	case MM_LA_FN_SVD:
	case MM_LA_FN_SVDVALS:
		t = mm_linalg_svdvals(a, d);
		break;
	case MM_LA_FN_SVD_U:
		mm_linalg_svd(a, &t, NULL, &other, d);
		break;
	case MM_LA_FN_SVD_VH:
		mm_linalg_svd(a, &other, NULL, &t, d);
		break;
	default:
		t = lstsq(ev, e);
	}
	mm_tensor_unref(other);
	if (!t && d->code == MM_ERR_VALUE && fns[op].hint)
		mm_diag_hint(d, "%s", fns[op].hint);
	return t;
}
