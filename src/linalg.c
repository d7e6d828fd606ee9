/* linalg.c — numpy.linalg's functions on tensors: argument and shape
 * checks, stacks of matrices, conversion to and from the column-major
 * double buffers the kernels (linalg_qr.c, linalg_lu.c, linalg_svd.c)
 * work on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/linalg.h"
#include "mmcalc/ops.h"

#include "linalg_common.h"
#include "linalg_internal.h"

/* ---- work space: buffers freed together */

void *mm_la_ws_alloc(mm_la_ws *w, int64_t a, int64_t b, size_t elsize,
                     mm_diag *d)
{
	size_t bytes;
	if (a < 0 || b < 0 ||
	    __builtin_mul_overflow((size_t)a, (size_t)b, &bytes) ||
	    __builtin_mul_overflow(bytes, elsize, &bytes)) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		            "work space of %lld x %lld elements is too large",
		            (long long)a, (long long)b);
		return NULL;
	}
	if (w->n == LA_WS_MAX) {
		mm_diag_set(d, MM_ERR_NOMEM, NOSPAN, "too many work buffers");
		return NULL;
	}
	void *p = mm_tensor_scratch_alloc(bytes ? bytes : 1, 1, d);
	if (!p)
		return NULL;
	w->p[w->n++] = p;
	return p;
}

void mm_la_ws_free(mm_la_ws *w)
{
	for (int i = 0; i < w->n; i++)
		mm_tensor_scratch_free(w->p[i]);
	w->n = 0;
}

void mm_la_outs_clear(mm_tensor **const *outs, int n)
{
	for (int i = 0; i < n; i++)
		if (outs[i])
			*outs[i] = NULL;
}

void mm_la_outs_drop(mm_tensor **const *outs, int n)
{
	for (int i = 0; i < n; i++)
		if (outs[i]) {
			mm_tensor_unref(*outs[i]);
			*outs[i] = NULL;
		}
}

mm_code mm_la_kernel_error(int rc, mm_diag *d)
{
	if (rc == MM_ERR_INTERRUPTED)
		return mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
	if (!mm_tensor_limit())
		return mm_diag_set(d, MM_ERR_NOMEM, NOSPAN, "out of memory");
	mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
	            "a temporary buffer would pass the memory limit, or memory "
	            "is short");
	mm_diag_hint(d, "raise the limit with :set memlimit SIZE");
	return MM_ERR_LIMIT;
}

/* ---- shapes and stacks */

const char *mm_la_shape_str(const mm_tensor *t, char *buf, size_t cap)
{
	mm_shape s = mm_shape_make(t->ndim, t->shape); /* shape.c's printer */
	return mm_shape_str(&s, buf, cap);
}

mm_code mm_la_stack_of(const mm_tensor *a, int nd, const int64_t *shape,
                       mm_la_stack *st, mm_diag *d)
{
	st->nd = nd;
	st->count = 1;
	for (int i = 0; i < nd; i++) {
		st->shape[i] = shape[i];
		if (__builtin_mul_overflow(st->count, shape[i], &st->count)) {
			char b[160];
			return mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
			                   "too many matrices in the stack %s",
			                   mm_la_shape_str(a, b, sizeof b));
		}
	}
	return MM_OK;
}

mm_code mm_la_matrix_arg(const char *fn, const mm_tensor *a, bool square,
                         mm_la_stack *st, mm_diag *d)
{
	mm_shape s = mm_shape_make(a->ndim, a->shape); /* shape.c's rule */
	if (mm_shape_matrix_as(fn, &s, square, NULL, d) != MM_OK)
		return MM_ERR_SHAPE;
	return mm_la_stack_of(a, a->ndim - 2, a->shape, st, d);
}

int64_t mm_la_entry_offset(const mm_tensor *t, int tnd, const mm_la_stack *st,
                           int64_t e)
{
	int64_t off = 0;
	for (int i = st->nd - 1; i >= 0; i--) {
		int64_t idx = e % st->shape[i];
		e /= st->shape[i];
		int ti = i - (st->nd - tnd);
		if (ti >= 0 && t->shape[ti] != 1)
			off += idx * t->strides[ti];
	}
	return off;
}

const char *mm_la_entry_name(const mm_la_stack *st, int64_t e, char *buf,
                             size_t cap)
{
	int64_t idx[MM_MAX_NDIM];
	buf[0] = '\0';
	if (st->nd == 0)
		return buf;
	for (int i = st->nd - 1; i >= 0; i--) {
		idx[i] = e % st->shape[i];
		e /= st->shape[i];
	}
	size_t len = (size_t)snprintf(buf, cap, " [");
	for (int i = 0; i < st->nd && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%lld",
		                        i ? ", " : "", (long long)idx[i]);
	if (len < cap)
		snprintf(buf + len, cap - len, "]");
	return buf;
}

mm_tensor *mm_la_result(mm_dtype dtype, const mm_la_stack *st, int extra,
                        int64_t r0, int64_t r1, mm_diag *d)
{
	int64_t shape[MM_MAX_NDIM];
	int nd = st->nd;
	if (nd + extra > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "the result would have %d axes (at most %d)",
		            nd + extra, MM_MAX_NDIM);
		return NULL;
	}
	memcpy(shape, st->shape, (size_t)nd * sizeof *shape);
	if (extra > 0)
		shape[nd++] = r0;
	if (extra > 1)
		shape[nd++] = r1;
	return mm_tensor_new(dtype, nd, shape, d);
}

/* ---- conversion between tensors and column-major double buffers */

/* Copies in tiles of TILE×TILE, so that a transposing copy (a row-major
 * tensor into a column-major buffer) touches a few cache lines at a
 * time instead of one line per element. */
#define TILE 32

void mm_la_get(const mm_tensor *t, int64_t off, int64_t m, int64_t n,
               int64_t rs, int64_t cs, double *dst, int64_t ld)
{
	bool f64 = mm_tensor_elsize(t) == sizeof(double);
	const double *pd = (const double *)t->data + off;
	const float *pf = (const float *)t->data + off;
	for (int64_t j0 = 0; j0 < n; j0 += TILE)
		for (int64_t i0 = 0; i0 < m; i0 += TILE) {
			int64_t j1 = j0 + TILE < n ? j0 + TILE : n,
			        i1 = i0 + TILE < m ? i0 + TILE : m;
			for (int64_t j = j0; j < j1; j++)
				for (int64_t i = i0; i < i1; i++)
					dst[i + j * ld] = f64 ? pd[i * rs + j * cs]
					                      : pf[i * rs + j * cs];
		}
}

void mm_la_put(mm_tensor *t, int64_t off, int64_t m, int64_t n, int64_t rs,
               int64_t cs, const double *src, int64_t srs, int64_t scs)
{
	bool f64 = mm_tensor_elsize(t) == sizeof(double);
	double *pd = (double *)t->data + off;
	float *pf = (float *)t->data + off;
	for (int64_t i0 = 0; i0 < m; i0 += TILE)
		for (int64_t j0 = 0; j0 < n; j0 += TILE) {
			int64_t j1 = j0 + TILE < n ? j0 + TILE : n,
			        i1 = i0 + TILE < m ? i0 + TILE : m;
			for (int64_t i = i0; i < i1; i++)
				for (int64_t j = j0; j < j1; j++) {
					double v = src[i * srs + j * scs];
					if (f64)
						pd[i * rs + j * cs] = v;
					else
						pf[i * rs + j * cs] = (float)v;
				}
		}
}

/* A matrix entry into a column-major buffer (ld = m): the last two axes
 * of t at stack entry e. */
static void get_entry(const mm_tensor *t, const mm_la_stack *st, int64_t e,
                      double *dst, int64_t ld)
{
	int nd = t->ndim;
	mm_la_get(t, mm_la_entry_offset(t, nd - 2, st, e), t->shape[nd - 2],
	          t->shape[nd - 1], t->strides[nd - 2], t->strides[nd - 1], dst,
	          ld);
}

/* An m×n column-major buffer (ld) into entry e of the new tensor t. */
static void put_entry(mm_tensor *t, int64_t e, int64_t m, int64_t n,
                      const double *src, int64_t ld)
{
	int nd = t->ndim;
	mm_la_put(t, e * m * n, m, n, t->strides[nd - 2], t->strides[nd - 1],
	          src, 1, ld);
}

static int64_t max1(int64_t x)
{
	return x > 1 ? x : 1;
}

/* ---- QR */

mm_code mm_linalg_qr(const mm_tensor *a, mm_tensor **q, mm_tensor **r,
                     mm_diag *d)
{
	mm_diag local;
	if (!d)
		d = &local;
	if (q)
		*q = NULL;
	if (r)
		*r = NULL;
	mm_la_stack st;
	mm_code c = mm_la_matrix_arg("qr", a, false, &st, d);
	if (c != MM_OK)
		return c;
	int64_t m = a->shape[a->ndim - 2], n = a->shape[a->ndim - 1];
	int64_t k = m < n ? m : n, lda = max1(m);
	size_t wbytes;
	mm_la_ws ws = {0};
	mm_tensor *tq = NULL, *tr = NULL;
	double *A = mm_la_ws_alloc(&ws, lda, n, sizeof(double), d);
	double *tau = A ? mm_la_ws_alloc(&ws, k, 1, sizeof(double), d) : NULL;
	double *work = NULL, *Q = NULL;
	if (tau && !mm_la_qr_work(m, n, &wbytes))
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN, "qr: work space too large");
	else if (tau)
		work = mm_la_ws_alloc(&ws, (int64_t)wbytes, 1, 1, d);
	if (work && q)
		Q = mm_la_ws_alloc(&ws, lda, k, sizeof(double), d);
	c = !work || (q && !Q) ? d->code : MM_OK;
	if (c == MM_OK && q && !(tq = mm_la_result(a->dtype, &st, 2, m, k, d)))
		c = d->code;
	if (c == MM_OK && r && !(tr = mm_la_result(a->dtype, &st, 2, k, n, d)))
		c = d->code;
	for (int64_t e = 0; c == MM_OK && e < st.count; e++) {
		get_entry(a, &st, e, A, lda);
		int rc = mm_la_geqrf(m, n, A, lda, tau, work);
		if (!rc && q)
			rc = mm_la_orgqr(m, k, A, lda, tau, Q, lda, work);
		if (rc) {
			c = mm_la_kernel_error(rc, d);
			break;
		}
		if (q)
			put_entry(tq, e, m, k, Q, lda);
		if (r) {
			for (int64_t j = 0; j < k; j++)
				for (int64_t i = j + 1; i < k; i++)
					A[i + j * lda] = 0;
			put_entry(tr, e, k, n, A, lda);
		}
	}
	mm_la_ws_free(&ws);
	if (c != MM_OK) {
		mm_tensor_unref(tq);
		mm_tensor_unref(tr);
		return c;
	}
	if (q)
		*q = tq;
	if (r)
		*r = tr;
	return MM_OK;
}

/* ---- LU: solve, inv, det, slogdet */

static mm_code singular(const char *fn, const mm_la_stack *st, int64_t e,
                        mm_diag *d)
{
	char b[160];
	return mm_diag_set(d, MM_ERR_VALUE, NOSPAN, "%s: matrix%s is singular",
	                   fn, mm_la_entry_name(st, e, b, sizeof b));
}

/* How b fits A (…, n, n) in solve, by shape.c's rule: its stack axes,
 * its shape as an n×nrhs matrix and the result's stack (the broadcast
 * one). */
static mm_code solve_shapes(const mm_tensor *a, const mm_tensor *b,
                            bool *vec, int *bnd, int64_t *nrhs,
                            mm_la_stack *st, mm_diag *d)
{
	mm_shape sa = mm_shape_make(a->ndim, a->shape);
	mm_shape sb = mm_shape_make(b->ndim, b->shape), so;
	if (mm_shape_solve_as(&sa, &sb, &so, vec, NULL, d) != MM_OK)
		return MM_ERR_SHAPE;
	*bnd = b->ndim - (*vec ? 1 : 2);
	*nrhs = *vec ? 1 : b->shape[b->ndim - 1];
	return mm_la_stack_of(a, so.ndim - (*vec ? 1 : 2), so.dim, st, d);
}

mm_tensor *mm_linalg_solve(const mm_tensor *a, const mm_tensor *b,
                           mm_diag *d)
{
	mm_diag local;
	if (!d)
		d = &local;
	mm_la_stack sa, st;
	bool vec = false;
	int bnd = 0;
	int64_t nrhs = 0;
	if (mm_la_matrix_arg("solve", a, true, &sa, d) != MM_OK ||
	    solve_shapes(a, b, &vec, &bnd, &nrhs, &st, d) != MM_OK)
		return NULL;
	int64_t n = a->shape[a->ndim - 1], ld = max1(n);
	mm_dtype dt = mm_dtype_promote(a->dtype, b->dtype);
	mm_la_ws ws = {0};
	double *A = mm_la_ws_alloc(&ws, ld, n, sizeof(double), d);
	int64_t *ipiv = A ? mm_la_ws_alloc(&ws, n, 1, sizeof *ipiv, d) : NULL;
	double *B = ipiv ? mm_la_ws_alloc(&ws, ld, nrhs, sizeof(double), d)
	                 : NULL;
	mm_tensor *x = B ? mm_la_result(dt, &st, vec ? 1 : 2, n, nrhs, d)
	                 : NULL;
	mm_code c = x ? MM_OK : d->code;
	int64_t factored = -1; /* the offset of the A now in LU form */
	for (int64_t e = 0; c == MM_OK && e < st.count; e++) {
		int64_t offa = mm_la_entry_offset(a, a->ndim - 2, &st, e);
		int rc = 0;
		if (offa != factored) {
			int64_t info;
			get_entry(a, &st, e, A, ld);
			factored = -1;
			rc = mm_la_getrf(n, n, A, ld, ipiv, &info);
			if (!rc && info >= 0) {
				c = singular("solve", &st, e, d);
				break;
			}
			factored = offa;
		}
		int64_t offb = mm_la_entry_offset(b, bnd, &st, e);
		mm_la_get(b, offb, n, nrhs, b->strides[bnd],
		          vec ? 0 : b->strides[bnd + 1], B, ld);
		if (!rc)
			rc = mm_la_getrs(n, nrhs, A, ld, ipiv, B, ld);
		if (rc) {
			c = mm_la_kernel_error(rc, d);
			break;
		}
		mm_la_put(x, e * n * nrhs, n, nrhs, x->strides[st.nd],
		          vec ? 0 : x->strides[st.nd + 1], B, 1, ld);
	}
	mm_la_ws_free(&ws);
	if (c != MM_OK) {
		mm_tensor_unref(x);
		return NULL;
	}
	return x;
}

mm_tensor *mm_linalg_inv(const mm_tensor *a, mm_diag *d)
{
	mm_diag local;
	if (!d)
		d = &local;
	mm_la_stack st;
	if (mm_la_matrix_arg("inv", a, true, &st, d) != MM_OK)
		return NULL;
	int64_t n = a->shape[a->ndim - 1], ld = max1(n);
	mm_la_ws ws = {0};
	double *A = mm_la_ws_alloc(&ws, ld, n, sizeof(double), d);
	int64_t *ipiv = A ? mm_la_ws_alloc(&ws, n, 1, sizeof *ipiv, d) : NULL;
	double *B = ipiv ? mm_la_ws_alloc(&ws, ld, n, sizeof(double), d) : NULL;
	mm_tensor *x = B ? mm_la_result(a->dtype, &st, 2, n, n, d) : NULL;
	mm_code c = x ? MM_OK : d->code;
	for (int64_t e = 0; c == MM_OK && e < st.count; e++) {
		int64_t info;
		get_entry(a, &st, e, A, ld);
		int rc = mm_la_getrf(n, n, A, ld, ipiv, &info);
		if (!rc && info >= 0) {
			c = singular("inv", &st, e, d);
			break;
		}
		for (int64_t j = 0; j < n; j++)
			for (int64_t i = 0; i < n; i++)
				B[i + j * ld] = i == j;
		if (!rc)
			rc = mm_la_getrs(n, n, A, ld, ipiv, B, ld);
		if (rc) {
			c = mm_la_kernel_error(rc, d);
			break;
		}
		put_entry(x, e, n, n, B, ld);
	}
	mm_la_ws_free(&ws);
	if (c != MM_OK) {
		mm_tensor_unref(x);
		return NULL;
	}
	return x;
}

/* sign and log|det| of every entry of a into the new tensors *sg and
 * *la (shape: the stack), and det = sign·exp(log|det|) into *dt, each
 * only when the pointer is not NULL. */
static mm_code logdet(const char *fn, const mm_tensor *a, mm_tensor **sg,
                      mm_tensor **la, mm_tensor **dt, mm_diag *d)
{
	mm_diag local;
	if (!d)
		d = &local;
	mm_tensor **outs[3] = {sg, la, dt};
	mm_la_outs_clear(outs, 3);
	mm_la_stack st;
	mm_code c = mm_la_matrix_arg(fn, a, true, &st, d);
	if (c != MM_OK)
		return c;
	int64_t n = a->shape[a->ndim - 1], ld = max1(n);
	mm_la_ws ws = {0};
	double *A = mm_la_ws_alloc(&ws, ld, n, sizeof(double), d);
	int64_t *ipiv = A ? mm_la_ws_alloc(&ws, n, 1, sizeof *ipiv, d) : NULL;
	c = ipiv ? MM_OK : d->code;
	for (int i = 0; i < 3 && c == MM_OK; i++)
		if (outs[i] && !(*outs[i] = mm_la_result(a->dtype, &st, 0, 0, 0,
		                                          d)))
			c = d->code;
	for (int64_t e = 0; c == MM_OK && e < st.count; e++) {
		int64_t info;
		get_entry(a, &st, e, A, ld);
		int rc = mm_la_getrf(n, n, A, ld, ipiv, &info);
		if (rc) {
			c = mm_la_kernel_error(rc, d);
			break;
		}
		double sign = 1, lad = 0;
		if (info >= 0) {
			sign = 0;
			lad = -INFINITY;
		}
		for (int64_t i = 0; info < 0 && i < n; i++) {
			double u = A[i + i * ld];
			if ((ipiv[i] != i) != (u < 0))
				sign = -sign;
			lad += log(fabs(u));
		}
		double v[3] = {sign, lad, sign * exp(lad)};
		for (int i = 0; i < 3; i++)
			if (outs[i])
				mm_la_put(*outs[i], e, 1, 1, 0, 0, v + i, 0, 0);
	}
	mm_la_ws_free(&ws);
	if (c != MM_OK)
		mm_la_outs_drop(outs, 3);
	return c;
}

mm_tensor *mm_linalg_det(const mm_tensor *a, mm_diag *d)
{
	mm_tensor *det;
	return logdet("det", a, NULL, NULL, &det, d) == MM_OK ? det : NULL;
}

mm_code mm_linalg_slogdet(const mm_tensor *a, mm_tensor **sign,
                          mm_tensor **logabsdet, mm_diag *d)
{
	return logdet("slogdet", a, sign, logabsdet, NULL, d);
}

/* ---- Cholesky */

mm_tensor *mm_linalg_cholesky(const mm_tensor *a, mm_diag *d)
{
	mm_diag local;
	if (!d)
		d = &local;
	mm_la_stack st;
	if (mm_la_matrix_arg("cholesky", a, true, &st, d) != MM_OK)
		return NULL;
	int64_t n = a->shape[a->ndim - 1], ld = max1(n);
	mm_la_ws ws = {0};
	double *A = mm_la_ws_alloc(&ws, ld, n, sizeof(double), d);
	mm_tensor *l = A ? mm_la_result(a->dtype, &st, 2, n, n, d) : NULL;
	mm_code c = l ? MM_OK : d->code;
	for (int64_t e = 0; c == MM_OK && e < st.count; e++) {
		int64_t info;
		get_entry(a, &st, e, A, ld);
		int rc = mm_la_potrf(n, A, ld, &info);
		if (rc) {
			c = mm_la_kernel_error(rc, d);
			break;
		}
		if (info >= 0) {
			char b[160];
			c = mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
			                "cholesky: matrix%s is not positive "
			                "definite", mm_la_entry_name(&st, e, b,
			                                            sizeof b));
			break;
		}
		for (int64_t j = 1; j < n; j++)
			for (int64_t i = 0; i < j; i++)
				A[i + j * ld] = 0;
		put_entry(l, e, n, n, A, ld);
	}
	mm_la_ws_free(&ws);
	if (c != MM_OK) {
		mm_tensor_unref(l);
		return NULL;
	}
	return l;
}
