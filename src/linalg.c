/* linalg.c — reduced QR by Householder reflections (LAPACK dgeqr2 and
 * dorg2r conventions, so signs match NumPy). */
#include <math.h>
#include <stdlib.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/linalg.h"

#define NOSPAN ((mm_span){0, 0})

/* Applies H = I - tau·v·vᵀ (v[0] = 1, v[1..] = w[(j+1..m-1)*ld + j]) to
 * columns c0..c1-1 of rows j..m-1 of x (row-major, leading dim ldx). */
static void reflect(const double *w, int64_t ldw, int64_t j, int64_t m,
                    double tau, double *x, int64_t ldx, int64_t c0,
                    int64_t c1)
{
	for (int64_t c = c0; c < c1; c++) {
		double s = x[j * ldx + c];
		for (int64_t i = j + 1; i < m; i++)
			s += w[i * ldw + j] * x[i * ldx + c];
		s *= tau;
		x[j * ldx + c] -= s;
		for (int64_t i = j + 1; i < m; i++)
			x[i * ldx + c] -= s * w[i * ldw + j];
	}
}

mm_code mm_linalg_qr(const mm_tensor *a, mm_tensor **q, mm_tensor **r,
                     mm_diag *d)
{
	if (q)
		*q = NULL;
	if (r)
		*r = NULL;
	if (a->ndim != 2)
		return mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		                   "qr needs a 2-D matrix, not a %d-D tensor",
		                   a->ndim);
	int64_t m = a->shape[0], n = a->shape[1], k = m < n ? m : n;
	int64_t qs[2] = {m, k}, rs[2] = {k, n};
	double *w = malloc((size_t)(m * n + 1) * sizeof *w);
	double *tau = malloc((size_t)(k + 1) * sizeof *tau);
	double *qw = malloc((size_t)(m * k + 1) * sizeof *qw);
	mm_tensor *tq = mm_tensor_new(a->dtype, 2, qs, d);
	mm_tensor *tr = tq ? mm_tensor_new(a->dtype, 2, rs, d) : NULL;
	mm_code rc = MM_OK;
	if (!w || !tau || !qw || !tr) {
		rc = tr ? mm_diag_set(d, MM_ERR_NOMEM, NOSPAN, "out of memory")
		        : d ? d->code : MM_ERR_NOMEM;
		goto done;
	}
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			int64_t idx[2] = {i, j};
			w[i * n + j] = mm_tensor_get(a, idx);
		}
	/* factor: column j's reflector as LAPACK's dlarfg */
	for (int64_t j = 0; j < k; j++) {
		double alpha = w[j * n + j], ss = 0;
		for (int64_t i = j + 1; i < m; i++)
			ss += w[i * n + j] * w[i * n + j];
		if (ss == 0) {
			tau[j] = 0;
			continue;
		}
		double h = hypot(alpha, sqrt(ss));
		double beta = alpha >= 0 ? -h : h;
		tau[j] = (beta - alpha) / beta;
		double scale = 1.0 / (alpha - beta);
		for (int64_t i = j + 1; i < m; i++)
			w[i * n + j] *= scale;
		w[j * n + j] = beta;
		reflect(w, n, j, m, tau[j], w, n, j + 1, n);
		if (mm_interrupted()) {
			rc = mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN,
			                 "interrupted");
			goto done;
		}
	}
	/* Q = H1 … Hk · I[:, :k], applied from the last reflector back */
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < k; j++)
			qw[i * k + j] = i == j ? 1.0 : 0.0;
	for (int64_t j = k - 1; j >= 0; j--)
		if (tau[j] != 0)
			reflect(w, n, j, m, tau[j], qw, k, j, k);
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < k; j++) {
			int64_t idx[2] = {i, j};
			mm_tensor_set(tq, idx, qw[i * k + j]);
		}
	for (int64_t i = 0; i < k; i++)
		for (int64_t j = 0; j < n; j++) {
			int64_t idx[2] = {i, j};
			mm_tensor_set(tr, idx, j >= i ? w[i * n + j] : 0.0);
		}
done:
	free(w);
	free(tau);
	free(qw);
	if (rc != MM_OK || !q)
		mm_tensor_unref(tq);
	else
		*q = tq;
	if (rc != MM_OK || !r)
		mm_tensor_unref(tr);
	else
		*r = tr;
	return rc;
}
