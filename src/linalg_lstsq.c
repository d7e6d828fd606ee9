/* linalg_lstsq.c — numpy.linalg.svd, svdvals and lstsq on tensors: the
 * SVD kernel (linalg_svd.c) on A or Aᵀ, whichever is tall, and least
 * squares by QR when A is tall and provably of full rank, by the SVD
 * otherwise. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/linalg.h"

#include "linalg_common.h"
#include "linalg_internal.h"

static int64_t max1(int64_t x)
{
	return x > 1 ? x : 1;
}

/* Whether all m×n entries (column-major, ld) are finite. */
static bool all_finite(int64_t m, int64_t n, const double *a, int64_t ld)
{
	for (int64_t j = 0; j < n; j++)
		for (int64_t i = 0; i < m; i++)
			if (!isfinite(a[i + j * ld]))
				return false;
	return true;
}

/* The power of two that brings the largest magnitude of the m×n a near
 * 1 when it is far from it (so that the squares in the reflectors' norms
 * and the bidiagonal iteration's thresholds neither overflow nor
 * underflow); 1 otherwise. Exact, and undone exactly. */
static double scale_for(int64_t m, int64_t n, const double *a, int64_t ld)
{
	double mx = 0;
	for (int64_t j = 0; j < n; j++)
		for (int64_t i = 0; i < m; i++)
			mx = fmax(mx, fabs(a[i + j * ld]));
	if (mx == 0 || (mx > 0x1p-300 && mx < 0x1p300))
		return 1;
	int e;
	frexp(mx, &e);
	return ldexp(1.0, -e);
}

/* svd_kernel's returns besides 0 and the kernels' MM_ERR_* codes. */
enum { NOT_FINITE = -2, NOT_CONVERGED = -3 };

/* The SVD of the m×n matrix in g (column-major, ld, m >= n, overwritten)
 * into s and, when u is not NULL, u (m×n, ld) and vt (n×n, ld n), with
 * the scaling above. */
static int svd_kernel(int64_t m, int64_t n, double *g, int64_t ld, double *s,
                      double *u, double *vt)
{
	if (!all_finite(m, n, g, ld))
		return NOT_FINITE;
	double sc = scale_for(m, n, g, ld);
	if (sc != 1)
		for (int64_t j = 0; j < n; j++)
			for (int64_t i = 0; i < m; i++)
				g[i + j * ld] *= sc;
	int64_t info;
	int rc = mm_la_gesvd(m, n, g, ld, s, u, ld, vt, max1(n), &info);
	if (rc)
		return rc;
	for (int64_t i = 0; i < n; i++)
		s[i] /= sc;
	return info ? NOT_CONVERGED : 0;
}

/* The diagnostic for svd_kernel's rc (non-zero) on stack entry e. */
static mm_code svd_error(int rc, const char *fn, const mm_la_stack *st,
                         int64_t e, mm_diag *d)
{
	char b[160];
	if (rc == NOT_FINITE)
		return mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		                   "%s: matrix%s has NaN or infinite entries (the "
		                   "SVD does not converge)", fn,
		                   mm_la_entry_name(st, e, b, sizeof b));
	if (rc == NOT_CONVERGED)
		return mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		                   "%s: the SVD of matrix%s did not converge", fn,
		                   mm_la_entry_name(st, e, b, sizeof b));
	return mm_la_kernel_error(rc, d);
}

/* svd and svdvals: U, S, Vh each when its pointer is not NULL. */
static mm_code svd_run(const char *fn, const mm_tensor *a, mm_tensor **u,
                       mm_tensor **s, mm_tensor **vh, mm_diag *d)
{
	mm_diag local;
	if (!d)
		d = &local;
	mm_tensor **outs[3] = {u, s, vh};
	mm_la_outs_clear(outs, 3);
	mm_la_stack st;
	mm_code c = mm_la_matrix_arg(fn, a, false, &st, d);
	if (c != MM_OK)
		return c;
	int nd = a->ndim;
	int64_t m = a->shape[nd - 2], n = a->shape[nd - 1];
	bool tall = m >= n, vectors = u != NULL;
	int64_t M = tall ? m : n, N = tall ? n : m, ld = max1(M);
	int64_t rs = a->strides[nd - 2], cs = a->strides[nd - 1];
	mm_la_ws ws = {0};
	double *G = mm_la_ws_alloc(&ws, ld, N, sizeof(double), d);
	double *S = G ? mm_la_ws_alloc(&ws, N, 1, sizeof(double), d) : NULL;
	double *U = NULL, *VT = NULL;
	if (S && vectors && (U = mm_la_ws_alloc(&ws, ld, N, sizeof(double), d)))
		VT = mm_la_ws_alloc(&ws, max1(N), N, sizeof(double), d);
	c = S && (!vectors || VT) ? MM_OK : d->code;
	if (c == MM_OK && u && !(*u = mm_la_result(a->dtype, &st, 2, m, N, d)))
		c = d->code;
	if (c == MM_OK && s && !(*s = mm_la_result(a->dtype, &st, 1, N, 0, d)))
		c = d->code;
	if (c == MM_OK && vh &&
	    !(*vh = mm_la_result(a->dtype, &st, 2, N, n, d)))
		c = d->code;
	for (int64_t e = 0; c == MM_OK && e < st.count; e++) {
		int64_t off = mm_la_entry_offset(a, nd - 2, &st, e);
		mm_la_get(a, off, M, N, tall ? rs : cs, tall ? cs : rs, G, ld);
		int rc = mm_interrupted() ? MM_ERR_INTERRUPTED
		                          : svd_kernel(M, N, G, ld, S, U, VT);
		if (rc) {
			c = svd_error(rc, fn, &st, e, d);
			break;
		}
		if (s)
			mm_la_put(*s, e * N, 1, N, 0, 1, S, 0, 1);
		if (!vectors)
			continue;
		/* wide: A = (Aᵀ)ᵀ = V'·Σ·U'ᵀ, so U = V' and Vh = U'ᵀ */
		int64_t ldv = max1(N), ou = e * m * N, ov = e * N * n;
		mm_tensor *tu = *u, *tv = *vh;
		if (tall) {
			mm_la_put(tu, ou, m, N, tu->strides[nd - 2],
			          tu->strides[nd - 1], U, 1, ld);
			mm_la_put(tv, ov, N, n, tv->strides[nd - 2],
			          tv->strides[nd - 1], VT, 1, ldv);
		} else {
			mm_la_put(tu, ou, m, N, tu->strides[nd - 2],
			          tu->strides[nd - 1], VT, ldv, 1);
			mm_la_put(tv, ov, N, n, tv->strides[nd - 2],
			          tv->strides[nd - 1], U, ld, 1);
		}
	}
	mm_la_ws_free(&ws);
	if (c != MM_OK)
		mm_la_outs_drop(outs, 3);
	return c;
}

mm_code mm_linalg_svd(const mm_tensor *a, mm_tensor **u, mm_tensor **s,
                      mm_tensor **vh, mm_diag *d)
{
	if (!u != !vh) {
		mm_tensor **outs[3] = {u, s, vh};
		mm_la_outs_clear(outs, 3);
		return mm_diag_set(d, MM_ERR_ARG, NOSPAN,
		                   "svd: U and Vh are wanted together");
	}
	return svd_run("svd", a, u, s, vh, d);
}

mm_tensor *mm_linalg_svdvals(const mm_tensor *a, mm_diag *d)
{
	mm_tensor *s;
	return svd_run("svdvals", a, NULL, &s, NULL, d) == MM_OK ? s : NULL;
}

/* ---- least squares */

/* One least-squares problem in column-major buffers. */
struct ls {
	int64_t m, n, k;
	double *A;   /* m×n, ld max1(m) */
	double *B;   /* b (m×k), then x (n×k), ld ldb = max1(max(m, n)) */
	int64_t ldb;
	double *res; /* k squared residual norms, when has_res */
	double *s;   /* min(m, n) singular values, when has_s */
	bool has_res, has_s, by_svd;
	int64_t rank;
	double rcond;
};

/* ‖x‖_F² of the upper triangle of the n×n x (ld). */
static double upper_ss(int64_t n, const double *x, int64_t ld)
{
	double ss = 0;
	for (int64_t j = 0; j < n; j++)
		for (int64_t i = 0; i <= j; i++)
			ss += x[i + j * ld] * x[i + j * ld];
	return ss;
}

/* QR path: x = R⁻¹·(Qᵀb)[:n], when 1/(‖R‖_F·‖R⁻¹‖_F) > rcond proves
 * σ_min > rcond·σ_max (κ₂ <= ‖R‖_F·‖R⁻¹‖_F); *ok false when it does
 * not. Returns 0, a kernel error, or -1 with d set. */
static int ls_qr(struct ls *p, mm_la_ws *ws, bool *ok, mm_diag *d)
{
	int64_t m = p->m, n = p->n, k = p->k, lda = max1(m);
	size_t wb;
	*ok = false;
	if (!mm_la_qr_work(m, n > k ? n : k, &wb)) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN, "lstsq: work space too large");
		return -1;
	}
	double *tau = mm_la_ws_alloc(ws, n, 1, sizeof(double), d);
	double *work = tau ? mm_la_ws_alloc(ws, (int64_t)wb, 1, 1, d) : NULL;
	double *Ri = work ? mm_la_ws_alloc(ws, n, n, sizeof(double), d) : NULL;
	if (!Ri)
		return -1;
	int rc = mm_la_geqrf(m, n, p->A, lda, tau, work);
	if (rc)
		return rc;
	for (int64_t j = 0; j < n; j++)
		for (int64_t i = 0; i < n; i++)
			Ri[i + j * n] = i == j;
	rc = mm_la_trsm(false, false, n, n, p->A, 1, lda, Ri, 1, n);
	if (rc)
		return rc;
	double cond = sqrt(upper_ss(n, p->A, lda)) * sqrt(upper_ss(n, Ri, n));
	if (!(1 / cond > p->rcond))
		return 0;
	rc = mm_la_ormqr(true, m, k, n, p->A, 1, lda, tau, p->B, p->ldb, work);
	if (rc)
		return rc;
	p->has_res = m > n;
	for (int64_t c = 0; p->has_res && c < k; c++) {
		double ss = 0;
		for (int64_t i = n; i < m; i++)
			ss += p->B[i + c * p->ldb] * p->B[i + c * p->ldb];
		p->res[c] = ss;
	}
	rc = mm_la_trsm(false, false, n, k, p->A, 1, lda, p->B, 1, p->ldb);
	p->rank = n;
	*ok = !rc;
	return rc;
}

/* SVD path: the minimum-norm x = V·Σ⁺·Uᵀb, singular values at or below
 * rcond·σ_max taken as zero. The original A is in p->A. Returns 0, a
 * kernel error or svd_kernel's, or -1 with d set. */
static int ls_svd(struct ls *p, mm_la_ws *ws, mm_diag *d)
{
	int64_t m = p->m, n = p->n, k = p->k, lda = max1(m);
	bool tall = m >= n;
	int64_t M = tall ? m : n, N = tall ? n : m, ld = max1(M), ldv = max1(N);
	double *G = mm_la_ws_alloc(ws, ld, N, sizeof(double), d);
	double *U = G ? mm_la_ws_alloc(ws, ld, N, sizeof(double), d) : NULL;
	double *VT = U ? mm_la_ws_alloc(ws, ldv, N, sizeof(double), d) : NULL;
	double *C = VT ? mm_la_ws_alloc(ws, ldv, k, sizeof(double), d) : NULL;
	double *R = C ? mm_la_ws_alloc(ws, lda, k, sizeof(double), d) : NULL;
	if (!R)
		return -1;
	for (int64_t j = 0; j < N; j++)
		for (int64_t i = 0; i < M; i++)
			G[i + j * ld] = tall ? p->A[i + j * lda] : p->A[j + i * lda];
	int rc = svd_kernel(M, N, G, ld, p->s, U, VT);
	if (rc)
		return rc;
	p->has_s = true;
	double cut = N > 0 ? p->rcond * p->s[0] : 0;
	p->rank = 0;
	for (int64_t i = 0; i < N; i++)
		p->rank += p->s[i] > cut;
	/* A's left singular vectors P (m×N) and right ones Qv (n×N) as
	 * strides into U and VT */
	const double *P = tall ? U : VT, *Qv = tall ? VT : U;
	int64_t prs = tall ? 1 : ldv, pcs = tall ? ld : 1;
	int64_t qrs = tall ? ldv : 1, qcs = tall ? 1 : ld;
	rc = mm_dgemm(N, k, m, 1.0, P, pcs, prs, p->B, 1, p->ldb, 0.0, C, 1,
	              ldv);
	p->has_res = p->rank == n && m > n;
	if (!rc && p->has_res) {
		/* all of Σ is used: A·x = P·Pᵀb, the residual b - P·(Pᵀb) */
		for (int64_t j = 0; j < k; j++)
			memcpy(R + j * lda, p->B + j * p->ldb,
			       (size_t)m * sizeof *R);
		rc = mm_dgemm(m, k, N, -1.0, P, prs, pcs, C, 1, ldv, 1.0, R, 1,
		              lda);
		for (int64_t j = 0; !rc && j < k; j++) {
			double ss = 0;
			for (int64_t i = 0; i < m; i++)
				ss += R[i + j * lda] * R[i + j * lda];
			p->res[j] = ss;
		}
	}
	if (rc)
		return rc;
	for (int64_t i = 0; i < N; i++) {
		double f = p->s[i] > cut ? 1 / p->s[i] : 0;
		for (int64_t j = 0; j < k; j++)
			C[i + j * ldv] *= f;
	}
	return mm_dgemm(n, k, N, 1.0, Qv, qrs, qcs, C, 1, ldv, 0.0, p->B, 1,
	                p->ldb);
}

/* Shapes of lstsq's arguments as NumPy checks them. */
static mm_code ls_shapes(const mm_tensor *a, const mm_tensor *b, mm_diag *d)
{
	char s1[160], s2[160];
	if (a->ndim != 2)
		return mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		                   "lstsq needs a 2-D matrix A, not the %d-D %s",
		                   a->ndim, mm_la_shape_str(a, s1, sizeof s1));
	if (b->ndim != 1 && b->ndim != 2)
		return mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		                   "lstsq needs b as a vector or a matrix, not "
		                   "the %d-D %s", b->ndim,
		                   mm_la_shape_str(b, s1, sizeof s1));
	if (b->shape[0] != a->shape[0])
		return mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		                   "lstsq: b %s has %lld rows where A %s has %lld",
		                   mm_la_shape_str(b, s1, sizeof s1),
		                   (long long)b->shape[0],
		                   mm_la_shape_str(a, s2, sizeof s2),
		                   (long long)a->shape[0]);
	return MM_OK;
}

/* Solves p (buffers allocated, A and b loaded), QR first when A is tall. */
static mm_code ls_solve(struct ls *p, const mm_tensor *a, bool want_s,
                        mm_la_ws *ws, mm_diag *d)
{
	int64_t m = p->m, n = p->n, lda = max1(m);
	mm_la_stack one = {0, {0}, 1};
	if (!all_finite(m, n, p->A, lda))
		return svd_error(NOT_FINITE, "lstsq", &one, 0, d);
	bool ok = false;
	int rc = 0;
	if (m >= n && n > 0)
		rc = ls_qr(p, ws, &ok, d);
	if (!rc && !ok) {
		mm_la_get(a, 0, m, n, a->strides[0], a->strides[1], p->A, lda);
		p->by_svd = true;
		rc = ls_svd(p, ws, d);
	} else if (!rc && want_s) {
		int64_t M = m >= n ? m : n, N = m >= n ? n : m;
		double *G = mm_la_ws_alloc(ws, max1(M), N, sizeof(double), d);
		if (!G)
			return d->code;
		mm_la_get(a, 0, M, N, a->strides[m >= n ? 0 : 1],
		          a->strides[m >= n ? 1 : 0], G, max1(M));
		rc = svd_kernel(M, N, G, max1(M), p->s, NULL, NULL);
		p->has_s = !rc;
	}
	if (rc == -1)
		return d->code;
	return rc ? svd_error(rc, "lstsq", &one, 0, d) : MM_OK;
}

mm_code mm_linalg_lstsq(const mm_tensor *a, const mm_tensor *b, double rcond,
                        bool want_s, mm_lstsq *out, mm_diag *d)
{
	mm_diag local;
	if (!d)
		d = &local;
	memset(out, 0, sizeof *out);
	mm_code c = ls_shapes(a, b, d);
	if (c != MM_OK)
		return c;
	bool vec = b->ndim == 1;
	mm_dtype dt = mm_dtype_promote(a->dtype, b->dtype);
	struct ls p = {.m = a->shape[0], .n = a->shape[1],
	               .k = vec ? 1 : b->shape[1], .rcond = rcond};
	int64_t m = p.m, n = p.n, k = p.k, mn = m < n ? m : n;
	if (rcond < 0)
		p.rcond = (dt == MM_F64 ? DBL_EPSILON : FLT_EPSILON) *
		          (double)(m > n ? m : n);
	p.ldb = max1(m > n ? m : n);
	mm_la_ws ws = {0};
	if ((p.A = mm_la_ws_alloc(&ws, max1(m), n, sizeof(double), d)) &&
	    (p.B = mm_la_ws_alloc(&ws, p.ldb, k, sizeof(double), d)) &&
	    (p.res = mm_la_ws_alloc(&ws, k, 1, sizeof(double), d)) &&
	    (p.s = mm_la_ws_alloc(&ws, mn, 1, sizeof(double), d))) {
		mm_la_get(a, 0, m, n, a->strides[0], a->strides[1], p.A,
		          max1(m));
		mm_la_get(b, 0, m, k, b->strides[0], vec ? 0 : b->strides[1],
		          p.B, p.ldb);
		c = ls_solve(&p, a, want_s, &ws, d);
	} else {
		c = d->code;
	}
	mm_la_stack none = {0, {0}, 1};
	if (c == MM_OK &&
	    !(out->x = mm_la_result(dt, &none, vec ? 1 : 2, n, k, d)))
		c = d->code;
	if (c == MM_OK && !(out->residuals = mm_la_result(
	                        dt, &none, 1, p.has_res ? k : 0, 0, d)))
		c = d->code;
	if (c == MM_OK && want_s &&
	    !(out->s = mm_la_result(dt, &none, 1, mn, 0, d)))
		c = d->code;
	if (c == MM_OK) {
		mm_tensor *x = out->x;
		mm_la_put(x, 0, n, k, x->strides[0], vec ? 0 : x->strides[1],
		          p.B, 1, p.ldb);
		if (p.has_res)
			mm_la_put(out->residuals, 0, 1, k, 0, 1, p.res, 0, 1);
		if (want_s)
			mm_la_put(out->s, 0, 1, mn, 0, 1, p.s, 0, 1);
		out->rank = p.rank;
		out->by_svd = p.by_svd;
	}
	mm_la_ws_free(&ws);
	if (c != MM_OK)
		mm_linalg_lstsq_free(out);
	return c;
}

void mm_linalg_lstsq_free(mm_lstsq *r)
{
	mm_tensor_unref(r->x);
	mm_tensor_unref(r->residuals);
	mm_tensor_unref(r->s);
	r->x = r->residuals = r->s = NULL;
	r->rank = 0;
	r->by_svd = false;
}
