/* ops_moe.c — a mixture-of-experts layer on concrete tensors, routed as
 * Mixtral's: each expert's FFN on the tokens routed to it, through the
 * blocked GEMM (moe.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/moe.h"
#include "mmcalc/poly.h"

#define NOSPAN ((mm_span){0, 0})

/* Whether dim i of a and dim j of b are equal, or may be (assumed). */
static bool fits(const mm_shape *a, int i, const mm_shape *b, int j,
                 mm_assume *as, mm_diag *d)
{
	if (!a->sym[i] && !b->sym[j])
		return a->dim[i] == b->dim[j];
	if (a->sym[i] && b->sym[j] && mm_poly_eq(a->sym[i], b->sym[j]))
		return true;
	return mm_shape_assume(as, a, i, " == ", b, j, d);
}

/* An operand of the wrong shape: the message says what it should be. */
static mm_code misfit(mm_diag *d, int *bad, int which, const char *name,
                      const char *want, const mm_shape *got)
{
	char s[160];
	*bad = which;
	mm_diag_set(d, MM_ERR_SHAPE, NOSPAN, "moe: %s must be %s, got %s", name,
	            want, mm_shape_str(got, s, sizeof s));
	mm_diag_hint(d, "x (… x d), router (d x E), w1 and w3 (E x d x f), "
	                "w2 (E x f x d)");
	return MM_ERR_SHAPE;
}

mm_code mm_moe_shapes(const mm_shape *x, const mm_shape *router,
                      const mm_shape *w1, const mm_shape *w2,
                      const mm_shape *w3, mm_shape *dims, int *bad,
                      mm_assume *as, mm_diag *d)
{
	mm_diag why = {0};
	if (x->ndim < 1)
		return misfit(d, bad, 0, "x", "a tensor of tokens (… x d)", x);
	int xd = x->ndim - 1;
	if (router->ndim != 2 || !fits(router, 0, x, xd, as, &why))
		return misfit(d, bad, 1, "the router", "(d x E), d x's last axis",
		              router);
	if (w1->ndim != 3 || !fits(w1, 0, router, 1, as, &why) ||
	    !fits(w1, 1, x, xd, as, &why))
		return misfit(d, bad, 2, "w1", "(E x d x f)", w1);
	if (w2->ndim != 3 || !fits(w2, 0, router, 1, as, &why) ||
	    !fits(w2, 1, w1, 2, as, &why) || !fits(w2, 2, x, xd, as, &why))
		return misfit(d, bad, 3, "w2", "(E x f x d)", w2);
	if (w3 && (w3->ndim != 3 || !fits(w3, 0, w1, 0, as, &why) ||
	           !fits(w3, 1, w1, 1, as, &why) || !fits(w3, 2, w1, 2, as, &why)))
		return misfit(d, bad, 4, "w3", "w1's shape (E x d x f)", w3);
	*dims = (mm_shape){0};
	dims->ndim = 3;
	dims->dim[0] = x->dim[xd];
	dims->sym[0] = x->sym[xd];
	dims->dim[1] = router->dim[1];
	dims->sym[1] = router->sym[1];
	dims->dim[2] = w1->dim[2];
	dims->sym[2] = w1->sym[2];
	return MM_OK;
}

/* ---- routing ---- */

/* Token t's top k experts (by logit, ties to the lower index) into
 * idx[0..k) and their softmax weights into w[0..k). */
static void route(const double *logits, int64_t e, int64_t k, int64_t *idx,
                  double *w)
{
	for (int64_t j = 0; j < k; j++) {
		int64_t best = -1;
		for (int64_t c = 0; c < e; c++) {
			bool taken = false;
			for (int64_t p = 0; p < j && !taken; p++)
				taken = idx[p] == c;
			if (!taken && (best < 0 || logits[c] > logits[best] ||
			               (isnan(logits[c]) && !isnan(logits[best]))))
				best = c;
		}
		idx[j] = best;
	}
	double m = logits[idx[0]], s = 0;
	for (int64_t j = 0; j < k; j++)
		s += w[j] = exp(logits[idx[j]] - m);
	for (int64_t j = 0; j < k; j++)
		w[j] /= s;
}

/* c (m x n) = a (m x k, rows of k) · b (k x n, rows of n). */
static int gemm(bool f64, int64_t m, int64_t n, int64_t k, const void *a,
                const void *b, void *c)
{
	int64_t lda = k > 0 ? k : 1, ldb = n > 0 ? n : 1;
	if (f64)
		return mm_dgemm(m, n, k, 1.0, a, lda, 1, b, ldb, 1, 0.0, c, ldb, 1);
	return mm_sgemm(m, n, k, 1.0f, a, lda, 1, b, ldb, 1, 0.0f, c, ldb, 1);
}

/* What one run keeps: the operands contiguous in the result's dtype,
 * the routing, and the tokens of the expert at hand. */
typedef struct moe_run {
	bool f64;
	size_t es;
	int64_t t, d, e, f, k;
	mm_tensor *x, *router, *w1, *w2, *w3; /* one reference each */
	int64_t *idx;   /* t x k: the experts of each token */
	double *wt;     /* t x k: their weights */
	int64_t *rows;  /* the token·k + slot of each of one expert's tokens */
	mm_tensor *xe;  /* their rows of x (at most t) */
	mm_tensor *out;
} moe_run;

static double get(const moe_run *r, const void *p, int64_t i)
{
	return r->f64 ? ((const double *)p)[i] : ((const float *)p)[i];
}

/* Expert ex on its tokens: gather, the FFN, and the weighted rows added
 * into the output. */
static mm_code expert(moe_run *r, int64_t ex, mm_unop act, mm_diag *d)
{
	int64_t n = 0;
	for (int64_t i = 0; i < r->t * r->k; i++)
		if (r->idx[i] == ex)
			r->rows[n++] = i;
	if (n == 0)
		return MM_OK;
	char *xe = r->xe->data;
	for (int64_t i = 0; i < n; i++)
		memcpy(xe + (size_t)(i * r->d) * r->es,
		       (const char *)r->x->data + (size_t)(r->rows[i] / r->k * r->d) * r->es,
		       (size_t)r->d * r->es);
	size_t wo = (size_t)(ex * r->d * r->f) * r->es;
	int64_t hs[2] = {n, r->f}, ys[2] = {n, r->d};
	mm_tensor *h1 = mm_tensor_new(r->out->dtype, 2, hs, d), *h3 = NULL,
	          *a = NULL, *g = NULL, *y = NULL;
	mm_code c = MM_ERR_NOMEM;
	int rc = 0;
	if (!h1 || (rc = gemm(r->f64, n, r->f, r->d, xe,
	                      (const char *)r->w1->data + wo, h1->data)) != 0 ||
	    !(a = mm_op_unary(act, h1, d)))
		goto done;
	if (r->w3) {
		if (!(h3 = mm_tensor_new(r->out->dtype, 2, hs, d)) ||
		    (rc = gemm(r->f64, n, r->f, r->d, xe,
		               (const char *)r->w3->data + wo, h3->data)) != 0 ||
		    !(g = mm_op_binary(MM_OP_MUL, a, h3, d)))
			goto done;
	} else {
		g = mm_tensor_ref(a);
	}
	if (!(y = mm_tensor_new(r->out->dtype, 2, ys, d)) ||
	    (rc = gemm(r->f64, n, r->d, r->f, g->data,
	               (const char *)r->w2->data + wo, y->data)) != 0)
		goto done;
	for (int64_t i = 0; i < n; i++) {
		int64_t tok = r->rows[i] / r->k;
		double w = r->wt[r->rows[i]];
		for (int64_t j = 0; j < r->d; j++) {
			int64_t at = tok * r->d + j;
			double v = get(r, r->out->data, at) + w * get(r, y->data, i * r->d + j);
			if (r->f64)
				((double *)r->out->data)[at] = v;
			else
				((float *)r->out->data)[at] = (float)v;
		}
	}
	c = MM_OK;
done:
	if (rc)
		c = mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
	else if (c != MM_OK && d->code != MM_OK)
		c = d->code;
	mm_tensor_unref(h1);
	mm_tensor_unref(h3);
	mm_tensor_unref(a);
	mm_tensor_unref(g);
	mm_tensor_unref(y);
	return c;
}

/* The logits x @ router and each token's experts and weights. */
static mm_code routing(moe_run *r, mm_diag *d)
{
	int64_t ls[2] = {r->t, r->e};
	mm_tensor *lg = mm_tensor_new(r->out->dtype, 2, ls, d);
	double *row = mm_tensor_scratch_alloc((size_t)(r->e ? r->e : 1),
	                                      sizeof *row, d);
	if (!lg || !row) {
		mm_tensor_unref(lg);
		mm_tensor_scratch_free(row);
		return d->code;
	}
	int rc = gemm(r->f64, r->t, r->e, r->d, r->x->data, r->router->data,
	              lg->data);
	for (int64_t t = 0; !rc && t < r->t; t++) {
		for (int64_t c = 0; c < r->e; c++)
			row[c] = get(r, lg->data, t * r->e + c);
		route(row, r->e, r->k, r->idx + t * r->k, r->wt + t * r->k);
	}
	mm_tensor_unref(lg);
	mm_tensor_scratch_free(row);
	if (rc)
		return mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
	return MM_OK;
}

/* op in the result's dtype, contiguous (a new reference, or NULL). */
static mm_tensor *prepared(const mm_tensor *op, mm_dtype t, mm_diag *d)
{
	if (!op)
		return NULL;
	mm_tensor *c = mm_tensor_cast(op, t, d);
	mm_tensor *r = c ? mm_tensor_contiguous(c, d) : NULL;
	mm_tensor_unref(c);
	return r;
}

mm_tensor *mm_moe(const mm_tensor *x, const mm_tensor *router,
                  const mm_tensor *w1, const mm_tensor *w2,
                  const mm_tensor *w3, int64_t top_k, mm_unop act,
                  mm_diag *d)
{
	const mm_tensor *ops[5] = {x, router, w1, w2, w3};
	mm_shape sh[5], dims;
	for (int k = 0; k < 5; k++)
		if (ops[k])
			sh[k] = mm_shape_make(ops[k]->ndim, ops[k]->shape);
	int bad;
	if (mm_moe_shapes(&sh[0], &sh[1], &sh[2], &sh[3], w3 ? &sh[4] : NULL,
	                  &dims, &bad, NULL, d) != MM_OK)
		return NULL;
	if (top_k < 1 || top_k > dims.dim[1]) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "moe: top_k=%lld must be between 1 and the %lld experts",
		            (long long)top_k, (long long)dims.dim[1]);
		return NULL;
	}
	mm_dtype t = x->dtype;
	for (int k = 1; k < 5; k++)
		if (ops[k])
			t = mm_dtype_promote(t, ops[k]->dtype);
	moe_run r = {0};
	r.d = dims.dim[0];
	r.e = dims.dim[1];
	r.f = dims.dim[2];
	r.k = top_k;
	r.t = r.d ? mm_tensor_numel(x) / r.d : 0;
	r.x = prepared(x, t, d);
	r.router = prepared(router, t, d);
	r.w1 = prepared(w1, t, d);
	r.w2 = prepared(w2, t, d);
	r.w3 = prepared(w3, t, d);
	size_t tk;
	bool ok = r.x && r.router && r.w1 && r.w2 && (!w3 || r.w3) &&
	          !__builtin_mul_overflow((size_t)r.t, (size_t)r.k, &tk) &&
	          (r.out = mm_tensor_zeros(r.x->dtype, x->ndim, x->shape, d)) &&
	          (r.idx = mm_tensor_scratch_alloc(tk ? tk : 1, sizeof *r.idx, d)) &&
	          (r.wt = mm_tensor_scratch_alloc(tk ? tk : 1, sizeof *r.wt, d)) &&
	          /* an expert sees each token at most once: t rows */
	          (r.rows = mm_tensor_scratch_alloc((size_t)(r.t ? r.t : 1),
	                                            sizeof *r.rows, d)) &&
	          (r.xe = mm_tensor_new(r.x->dtype, 2, (int64_t[]){r.t, r.d}, d));
	if (ok) {
		r.f64 = r.out->dtype == MM_F64;
		r.es = mm_tensor_elsize(r.out);
		ok = r.t == 0 || routing(&r, d) == MM_OK;
		for (int64_t ex = 0; ok && r.t && ex < r.e; ex++) {
			ok = expert(&r, ex, act, d) == MM_OK;
			if (ok && mm_interrupted()) {
				mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
				ok = false;
			}
		}
	}
	mm_tensor *all[] = {r.x, r.router, r.w1, r.w2, r.w3, r.xe};
	for (size_t k = 0; k < sizeof all / sizeof *all; k++)
		mm_tensor_unref(all[k]);
	mm_tensor_scratch_free(r.idx);
	mm_tensor_scratch_free(r.wt);
	mm_tensor_scratch_free(r.rows);
	if (!ok) {
		mm_tensor_unref(r.out);
		return NULL;
	}
	return r.out;
}
