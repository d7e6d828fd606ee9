/* linalg_lu.c — LU with partial pivoting, triangular solves and Cholesky
 * (LAPACK's dgetrf/dgetrf2, dgetrs, dtrsm, dpotrf), recursive or blocked
 * so that nearly all of their work is GEMM. */
#include <float.h>
#include <math.h>

#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"

#include "linalg_internal.h"

/* Below this many rows a triangular solve, and below this many columns an
 * LU panel, is done by plain loops. */
#define TRSM_LEAF 16
#define GETRF_LEAF 16
/* Cholesky's block width (the k of its GEMMs). */
#define POTRF_NB 128

/* op(A)·X = B by substitution, n <= TRSM_LEAF. */
static void trsm_leaf(bool lower, bool unit, int64_t n, int64_t nrhs,
                      const double *a, int64_t rs_a, int64_t cs_a,
                      double *b, int64_t rs_b, int64_t cs_b)
{
	for (int64_t j = 0; j < nrhs; j++) {
		double *x = b + j * cs_b;
		if (lower)
			for (int64_t i = 0; i < n; i++) {
				const double *ai = a + i * rs_a;
				double v = x[i * rs_b];
				for (int64_t c = 0; c < i; c++)
					v -= ai[c * cs_a] * x[c * rs_b];
				x[i * rs_b] = unit ? v : v / ai[i * cs_a];
			}
		else
			for (int64_t i = n - 1; i >= 0; i--) {
				const double *ai = a + i * rs_a;
				double v = x[i * rs_b];
				for (int64_t c = i + 1; c < n; c++)
					v -= ai[c * cs_a] * x[c * rs_b];
				x[i * rs_b] = unit ? v : v / ai[i * cs_a];
			}
	}
}

int mm_la_trsm(bool lower, bool unit, int64_t n, int64_t nrhs,
               const double *a, int64_t rs_a, int64_t cs_a, double *b,
               int64_t rs_b, int64_t cs_b)
{
	if (n <= 0 || nrhs <= 0)
		return 0;
	if (n <= TRSM_LEAF) {
		trsm_leaf(lower, unit, n, nrhs, a, rs_a, cs_a, b, rs_b, cs_b);
		return 0;
	}
	int64_t n1 = n / 2, n2 = n - n1;
	const double *a22 = a + n1 * (rs_a + cs_a);
	double *b2 = b + n1 * rs_b;
	int rc;
	if (lower) {
		rc = mm_la_trsm(true, unit, n1, nrhs, a, rs_a, cs_a, b, rs_b,
		                cs_b);
		if (!rc)
			rc = mm_dgemm(n2, nrhs, n1, -1.0, a + n1 * rs_a, rs_a,
			              cs_a, b, rs_b, cs_b, 1.0, b2, rs_b, cs_b);
		if (!rc)
			rc = mm_la_trsm(true, unit, n2, nrhs, a22, rs_a, cs_a,
			                b2, rs_b, cs_b);
	} else {
		rc = mm_la_trsm(false, unit, n2, nrhs, a22, rs_a, cs_a, b2,
		                rs_b, cs_b);
		if (!rc)
			rc = mm_dgemm(n1, nrhs, n2, -1.0, a + n1 * cs_a, rs_a,
			              cs_a, b2, rs_b, cs_b, 1.0, b, rs_b, cs_b);
		if (!rc)
			rc = mm_la_trsm(false, unit, n1, nrhs, a, rs_a, cs_a, b,
			                rs_b, cs_b);
	}
	return rc;
}

/* Row interchanges ipiv[k1..k2) applied to ncols columns (dlaswp). */
static void laswp(int64_t ncols, double *a, int64_t lda, int64_t k1,
                  int64_t k2, const int64_t *ipiv)
{
	for (int64_t c = 0; c < ncols; c++) {
		double *col = a + c * lda;
		for (int64_t i = k1; i < k2; i++) {
			int64_t p = ipiv[i];
			if (p != i) {
				double t = col[i];
				col[i] = col[p];
				col[p] = t;
			}
		}
	}
}

/* Unblocked LU of an m×n panel (dgetf2): the pivot is the first entry of
 * largest magnitude (idamax); a zero pivot is recorded in *info (as
 * base + its column) and its column left unscaled. */
static void getf2(int64_t m, int64_t n, double *a, int64_t lda,
                  int64_t *ipiv, int64_t *info, int64_t base)
{
	int64_t k = m < n ? m : n;
	for (int64_t j = 0; j < k; j++) {
		double *cj = a + j * lda;
		int64_t p = j;
		double mx = fabs(cj[j]);
		for (int64_t i = j + 1; i < m; i++)
			if (fabs(cj[i]) > mx) {
				mx = fabs(cj[i]);
				p = i;
			}
		ipiv[j] = p;
		if (cj[p] != 0) {
			if (p != j)
				for (int64_t c = 0; c < n; c++) {
					double t = a[j + c * lda];
					a[j + c * lda] = a[p + c * lda];
					a[p + c * lda] = t;
				}
			double piv = cj[j];
			if (fabs(piv) >= DBL_MIN) {
				double r = 1 / piv;
				for (int64_t i = j + 1; i < m; i++)
					cj[i] *= r;
			} else {
				for (int64_t i = j + 1; i < m; i++)
					cj[i] /= piv;
			}
		} else if (*info < 0) {
			*info = base + j;
		}
		for (int64_t c = j + 1; c < n; c++) {
			double *cc = a + c * lda, s = cc[j];
			for (int64_t i = j + 1; i < m; i++)
				cc[i] -= s * cj[i];
		}
	}
}

/* dgetrf2: the left half of the columns, then the right half's update
 * (swaps, a triangular solve, one GEMM) and factorisation. */
static int getrf_rec(int64_t m, int64_t n, double *a, int64_t lda,
                     int64_t *ipiv, int64_t *info, int64_t base)
{
	int64_t k = m < n ? m : n;
	if (n <= GETRF_LEAF || k < 2) {
		getf2(m, n, a, lda, ipiv, info, base);
		return mm_interrupted() ? MM_ERR_INTERRUPTED : 0;
	}
	int64_t n1 = k / 2, n2 = n - n1;
	double *a12 = a + n1 * lda, *a21 = a + n1, *a22 = a12 + n1;
	int rc = getrf_rec(m, n1, a, lda, ipiv, info, base);
	if (rc)
		return rc;
	laswp(n2, a12, lda, 0, n1, ipiv);
	rc = mm_la_trsm(true, true, n1, n2, a, 1, lda, a12, 1, lda);
	if (!rc)
		rc = mm_la_gemm(false, false, m - n1, n2, n1, -1.0, a21, lda,
		                a12, lda, 1.0, a22, lda);
	if (!rc)
		rc = getrf_rec(m - n1, n2, a22, lda, ipiv + n1, info, base + n1);
	if (rc)
		return rc;
	for (int64_t i = n1; i < k; i++)
		ipiv[i] += n1;
	laswp(n1, a, lda, n1, k, ipiv);
	return 0;
}

int mm_la_getrf(int64_t m, int64_t n, double *a, int64_t lda, int64_t *ipiv,
                int64_t *info)
{
	*info = -1;
	return getrf_rec(m, n, a, lda, ipiv, info, 0);
}

int mm_la_getrs(int64_t n, int64_t nrhs, const double *a, int64_t lda,
                const int64_t *ipiv, double *b, int64_t ldb)
{
	laswp(nrhs, b, ldb, 0, n, ipiv);
	int rc = mm_la_trsm(true, true, n, nrhs, a, 1, lda, b, 1, ldb);
	if (!rc)
		rc = mm_la_trsm(false, false, n, nrhs, a, 1, lda, b, 1, ldb);
	return rc;
}

/* Unblocked Cholesky of an n×n diagonal block (dpotf2 'L', by columns);
 * returns the first column whose pivot is not positive, or -1. */
static int64_t potf2(int64_t n, double *a, int64_t lda)
{
	for (int64_t j = 0; j < n; j++) {
		double *cj = a + j * lda, ajj = cj[j];
		for (int64_t k = 0; k < j; k++)
			ajj -= a[j + k * lda] * a[j + k * lda];
		if (!(ajj > 0)) /* also NaN */
			return j;
		ajj = sqrt(ajj);
		cj[j] = ajj;
		for (int64_t k = 0; k < j; k++) {
			const double *ck = a + k * lda;
			double s = ck[j];
			for (int64_t i = j + 1; i < n; i++)
				cj[i] -= s * ck[i];
		}
		double r = 1 / ajj;
		for (int64_t i = j + 1; i < n; i++)
			cj[i] *= r;
	}
	return -1;
}

int mm_la_potrf(int64_t n, double *a, int64_t lda, int64_t *info)
{
	*info = -1;
	for (int64_t j = 0; j < n; j += POTRF_NB) {
		int64_t jb = n - j < POTRF_NB ? n - j : POTRF_NB, m2 = n - j - jb;
		double *ajj = a + j + j * lda, *a21 = ajj + jb,
		       *a22 = a21 + jb * lda;
		int64_t bad = potf2(jb, ajj, lda);
		if (bad >= 0) {
			*info = j + bad;
			return 0;
		}
		/* L21 = A21·L11⁻ᵀ, that is L11·L21ᵀ = A21ᵀ (a transposed view) */
		int rc = mm_la_trsm(true, false, jb, m2, ajj, 1, lda, a21, lda, 1);
		/* A22 -= L21·L21ᵀ, its lower triangle, a block column at a time */
		for (int64_t c = 0; !rc && c < m2; c += POTRF_NB) {
			int64_t w = m2 - c < POTRF_NB ? m2 - c : POTRF_NB;
			rc = mm_la_gemm(false, true, m2 - c, w, jb, -1.0, a21 + c,
			                lda, a21 + c, lda, 1.0, a22 + c + c * lda,
			                lda);
		}
		if (!rc && mm_interrupted())
			rc = MM_ERR_INTERRUPTED;
		if (rc)
			return rc;
	}
	return 0;
}
