/* linalg_svd.c — the SVD of a tall matrix as LAPACK's dgesvd does it: a
 * QR first when the matrix is well above square (the rest then works on
 * the n×n R), Golub–Kahan bidiagonalisation, the bidiagonal's SVD by
 * implicit QR, and the reflectors applied back to its singular vectors
 * in blocks (GEMM). */
#include <stdlib.h>
#include <string.h>

#include "mmcalc/diag.h"

#include "linalg_internal.h"

/* A QR first when m >= 1.6·n, LAPACK's crossover (ilaenv's mnthr). */
static bool qr_first(int64_t m, int64_t n)
{
	return (double)m >= 1.6 * (double)n;
}

/* The vectors from the bidiagonal's: U = [Q_qr·](Q_bd·[U_B; 0]) and
 * V = P_bd·V_B, given U = [U_B; 0] (m×n) and V_B (n×n, ld n) on entry;
 * w (mw×n, ldw) holds the bidiagonal reduction's reflectors, a (lda)
 * the QR's when mw < m. */
static int back(int64_t m, int64_t n, const double *a, int64_t lda,
                const double *tau, const double *w, int64_t mw, int64_t ldw,
                const double *tauq, const double *taup, double *u,
                int64_t ldu, double *v, double *work)
{
	int rc = mm_la_ormqr(false, mw, n, n, w, 1, ldw, tauq, u, ldu, work);
	if (!rc && mw < m)
		rc = mm_la_ormqr(false, m, n, n, a, 1, lda, tau, u, ldu, work);
	if (!rc && n > 1)
		rc = mm_la_ormqr(false, n - 1, n, n - 1, w + ldw, ldw, 1, taup,
		                 v + 1, n, work);
	return rc;
}

int mm_la_gesvd(int64_t m, int64_t n, double *a, int64_t lda, double *s,
                double *u, int64_t ldu, double *vt, int64_t ldvt,
                int64_t *info)
{
	*info = 0;
	if (n == 0)
		return 0;
	bool vectors = u != NULL, qr = qr_first(m, n);
	size_t wb;
	if (!mm_la_qr_work(m, n, &wb))
		return MM_ERR_NOMEM;
	double *vec = mm_la_zalloc(4, n, 0);
	double *work = mm_la_alloc(wb);
	double *r = qr ? mm_la_zalloc(n, n, 0) : NULL;
	double *v = vectors ? mm_la_zalloc(n, n, 0) : NULL;
	double *tau = qr ? mm_la_zalloc(n, 1, 0) : NULL;
	int rc = MM_ERR_NOMEM;
	if (!vec || !work || (qr && (!r || !tau)) || (vectors && !v))
		goto done;
	double *e = vec, *tauq = vec + n, *taup = vec + 2 * n;
	double *w = a;
	int64_t mw = m, ldw = lda;
	rc = 0;
	if (qr) {
		rc = mm_la_geqrf(m, n, a, lda, tau, work);
		for (int64_t j = 0; j < n; j++)
			memcpy(r + j * n, a + j * lda, (size_t)(j + 1) * sizeof *r);
		w = r, mw = n, ldw = n;
	}
	if (!rc)
		rc = mm_la_gebrd(mw, n, w, ldw, s, e, tauq, taup);
	if (rc)
		goto done;
	if (vectors) {
		for (int64_t j = 0; j < n; j++) {
			memset(u + j * ldu, 0, (size_t)m * sizeof *u);
			u[j + j * ldu] = 1;
			v[j + j * n] = 1;
		}
	}
	rc = mm_la_bdsqr(n, s, e, v, n, vectors ? n : 0, u, ldu, info);
	if (!rc && vectors)
		rc = back(m, n, a, lda, tau, w, mw, ldw, tauq, taup, u, ldu, v,
		          work);
	if (!rc && vectors)
		for (int64_t j = 0; j < n; j++)
			for (int64_t i = 0; i < n; i++)
				vt[i + j * ldvt] = v[j + i * n];
done:
	mm_la_free(vec);
	mm_la_free(work);
	mm_la_free(r);
	mm_la_free(v);
	mm_la_free(tau);
	return rc;
}
