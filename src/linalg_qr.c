/* linalg_qr.c — blocked Householder QR (LAPACK's dgeqrf, dorgqr, dormqr):
 * each panel of LA_QR_NB columns by single reflectors, the rest of the
 * matrix by the panel's compact WY form I - V·T·Vᵀ in two GEMMs. */
#include <float.h>
#include <math.h>

#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"

#include "linalg_internal.h"

#define NB LA_QR_NB

int mm_la_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
               double alpha, const double *a, int64_t lda, const double *b,
               int64_t ldb, double beta, double *c, int64_t ldc)
{
	return mm_dgemm(m, n, k, alpha, a, ta ? lda : 1, ta ? 1 : lda, b,
	                tb ? ldb : 1, tb ? 1 : ldb, beta, c, 1, ldc);
}

/* ‖x‖₂ of n entries inc apart, without overflow or underflow in the
 * squares (dnrm2's result). */
static double nrm2(int64_t n, const double *x, int64_t inc)
{
	double ss = 0;
	for (int64_t i = 0; i < n; i++)
		ss += x[i * inc] * x[i * inc];
	if (isnan(ss) || (ss >= DBL_MIN && ss <= DBL_MAX))
		return sqrt(ss);
	double mx = 0;
	for (int64_t i = 0; i < n; i++)
		mx = fmax(mx, fabs(x[i * inc]));
	if (mx == 0 || isinf(mx))
		return mx;
	ss = 0;
	for (int64_t i = 0; i < n; i++) {
		double t = x[i * inc] / mx;
		ss += t * t;
	}
	return mx * sqrt(ss);
}

static void scal(int64_t n, double s, double *x, int64_t inc)
{
	for (int64_t i = 0; i < n; i++)
		x[i * inc] *= s;
}

double mm_la_larfg(int64_t n, double *alpha, double *x, int64_t inc)
{
	double xnorm = nrm2(n, x, inc);
	if (xnorm == 0)
		return 0;
	double beta = -copysign(hypot(*alpha, xnorm), *alpha);
	const double safmin = DBL_MIN / (DBL_EPSILON / 2);
	int knt = 0;
	if (fabs(beta) < safmin) {
		/* beta and x may be denormal: scale up, as LAPACK does */
		do {
			knt++;
			scal(n, 1 / safmin, x, inc);
			beta /= safmin;
			*alpha /= safmin;
		} while (fabs(beta) < safmin && knt < 20);
		xnorm = nrm2(n, x, inc);
		beta = -copysign(hypot(*alpha, xnorm), *alpha);
	}
	double tau = (beta - *alpha) / beta;
	scal(n, 1 / (*alpha - beta), x, inc);
	for (int j = 0; j < knt; j++)
		beta *= safmin;
	*alpha = beta;
	return tau;
}

/* Unblocked QR of an m×n panel (dgeqr2); w: n doubles. */
static int geqr2(int64_t m, int64_t n, double *a, int64_t lda, double *tau,
                 double *w)
{
	int64_t k = m < n ? m : n;
	for (int64_t i = 0; i < k; i++) {
		double *aii = a + i + i * lda;
		tau[i] = mm_la_larfg(m - i - 1, aii, aii + 1, 1);
		int64_t nc = n - i - 1, mv = m - i;
		if (nc == 0 || tau[i] == 0)
			continue;
		double save = *aii;
		*aii = 1;
		/* w = vᵀ·C, then C -= tau·v·w, C = A(i:m, i+1:n) */
		double *c = aii + lda;
		int rc = mm_dgemm(1, nc, mv, 1.0, aii, mv, 1, c, 1, lda, 0.0, w,
		                  nc, 1);
		if (rc)
			return rc;
		for (int64_t j = 0; j < nc; j++) {
			double s = tau[i] * w[j];
			double *cj = c + j * lda;
			for (int64_t r = 0; r < mv; r++)
				cj[r] -= s * aii[r];
		}
		*aii = save;
	}
	return 0;
}

/* The reflectors of a block as an explicit mv×jb matrix V (unit
 * diagonal, zeros above it), leading dimension mv, for the GEMMs:
 * reflector j's entry i > j is r[i*rs + j*cs]. */
static void copy_v(int64_t mv, int64_t jb, const double *r, int64_t rs,
                   int64_t cs, double *v)
{
	for (int64_t j = 0; j < jb; j++) {
		double *vj = v + j * mv;
		const double *rj = r + j * cs;
		for (int64_t i = 0; i < j && i < mv; i++)
			vj[i] = 0;
		if (j < mv)
			vj[j] = 1;
		if (rs == 1)
			for (int64_t i = j + 1; i < mv; i++)
				vj[i] = rj[i];
		else
			for (int64_t i = j + 1; i < mv; i++)
				vj[i] = rj[i * rs];
	}
}

/* The upper triangle T (jb×jb, ld NB) with H_1·…·H_jb = I - V·T·Vᵀ
 * (dlarft 'F', 'C'), from Vᵀ·V (one GEMM into s, jb×jb):
 * T(0:i, i) = -tau_i·T(0:i, 0:i)·(Vᵀv_i)(0:i). */
static int larft(int64_t mv, int64_t jb, const double *v, const double *tau,
                 double *t, double *s)
{
	int rc = mm_la_gemm(true, false, jb, jb, mv, 1.0, v, mv, v, mv, 0.0, s,
	                    jb);
	if (rc)
		return rc;
	for (int64_t i = 0; i < jb; i++) {
		double *ti = t + i * NB;
		for (int64_t r = 0; r < i; r++) {
			double sum = 0;
			for (int64_t c = r; c < i; c++)
				sum += t[r + c * NB] * s[c + i * jb];
			ti[r] = -tau[i] * sum;
		}
		ti[i] = tau[i];
	}
	return 0;
}

/* C (mv×nc, ldc) := (I - V·op(T)·Vᵀ)·C, op(T) = Tᵀ when trans (that is
 * Qᵀ·C for the block's Q), T otherwise (Q·C) — dlarfb 'L', 'F', 'C'.
 * w: jb×nc doubles. */
static int larfb(bool trans, int64_t mv, int64_t nc, int64_t jb,
                 const double *v, const double *t, double *c, int64_t ldc,
                 double *w)
{
	if (nc == 0)
		return 0;
	int rc = mm_la_gemm(true, false, jb, nc, mv, 1.0, v, mv, c, ldc, 0.0,
	                    w, jb);
	if (rc)
		return rc;
	/* W := op(T)·W, column by column, in place: Tᵀ is lower, so rows
	 * from the bottom; T upper, from the top */
	for (int64_t j = 0; j < nc; j++) {
		double *x = w + j * jb;
		if (trans) {
			for (int64_t r = jb - 1; r >= 0; r--) {
				const double *tr = t + r * NB;
				double s = 0;
				for (int64_t q = 0; q <= r; q++)
					s += tr[q] * x[q];
				x[r] = s;
			}
		} else {
			for (int64_t r = 0; r < jb; r++) {
				double s = 0;
				for (int64_t q = r; q < jb; q++)
					s += t[r + q * NB] * x[q];
				x[r] = s;
			}
		}
	}
	return mm_la_gemm(false, false, mv, nc, jb, -1.0, v, mv, w, jb, 1.0, c,
	                  ldc);
}

/* The work space's parts for m rows and n columns: V (m×NB), W (NB×n),
 * T and S (NB×NB each). */
struct qrws {
	double *v, *w, *t, *s;
};

static struct qrws split(double *work, int64_t m, int64_t n)
{
	struct qrws q = {work, work + m * NB, NULL, NULL};
	q.t = q.w + NB * n;
	q.s = q.t + NB * NB;
	return q;
}

bool mm_la_qr_work(int64_t m, int64_t n, size_t *bytes)
{
	int64_t v, w, total;
	if (__builtin_mul_overflow(m, (int64_t)NB, &v) ||
	    __builtin_mul_overflow(n, (int64_t)NB, &w) ||
	    __builtin_add_overflow(v, w, &total) ||
	    __builtin_add_overflow(total, (int64_t)2 * NB * NB, &total) ||
	    __builtin_mul_overflow((size_t)total, sizeof(double), bytes))
		return false;
	return true;
}

/* Block j (jb reflectors from column j on) of the reflectors at r
 * (strides rs, cs, m rows) as V and T in q. */
static int block(int64_t m, int64_t j, int64_t jb, const double *r,
                 int64_t rs, int64_t cs, const double *tau, struct qrws *q)
{
	copy_v(m - j, jb, r + j * (rs + cs), rs, cs, q->v);
	return larft(m - j, jb, q->v, tau + j, q->t, q->s);
}

int mm_la_geqrf(int64_t m, int64_t n, double *a, int64_t lda, double *tau,
                double *work)
{
	int64_t k = m < n ? m : n;
	struct qrws q = split(work, m, n);
	for (int64_t j = 0; j < k; j += NB) {
		int64_t jb = k - j < NB ? k - j : NB;
		double *ajj = a + j + j * lda;
		int rc = geqr2(m - j, jb, ajj, lda, tau + j, q.w);
		if (!rc && j + jb < n) {
			rc = block(m, j, jb, a, 1, lda, tau, &q);
			if (!rc)
				rc = larfb(true, m - j, n - j - jb, jb, q.v, q.t,
				           ajj + jb * lda, lda, q.w);
		}
		if (!rc && mm_interrupted())
			rc = MM_ERR_INTERRUPTED;
		if (rc)
			return rc;
	}
	return 0;
}

int mm_la_orgqr(int64_t m, int64_t k, const double *a, int64_t lda,
                const double *tau, double *q, int64_t ldq, double *work)
{
	for (int64_t j = 0; j < k; j++)
		for (int64_t i = 0; i < m; i++)
			q[i + j * ldq] = i == j;
	struct qrws s = split(work, m, k);
	/* Q·[I; 0] = B_1·(B_2·(…·B_last·[I; 0])): block b touches only
	 * rows and columns from its first column on */
	for (int64_t j = (k - 1) / NB * NB; k > 0 && j >= 0; j -= NB) {
		int64_t jb = k - j < NB ? k - j : NB;
		int rc = block(m, j, jb, a, 1, lda, tau, &s);
		if (!rc)
			rc = larfb(false, m - j, k - j, jb, s.v, s.t,
			           q + j + j * ldq, ldq, s.w);
		if (!rc && mm_interrupted())
			rc = MM_ERR_INTERRUPTED;
		if (rc)
			return rc;
	}
	return 0;
}

int mm_la_ormqr(bool trans, int64_t m, int64_t n, int64_t k,
                const double *r, int64_t rs, int64_t cs, const double *tau,
                double *c, int64_t ldc, double *work)
{
	struct qrws s = split(work, m, n);
	/* Qᵀ = B_lastᵀ·…·B_1ᵀ: first block first; Q: last block first */
	int64_t last = k > 0 ? (k - 1) / NB * NB : -NB;
	for (int64_t i = 0; i <= last; i += NB) {
		int64_t j = trans ? i : last - i;
		int64_t jb = k - j < NB ? k - j : NB;
		int rc = block(m, j, jb, r, rs, cs, tau, &s);
		if (!rc)
			rc = larfb(trans, m - j, n, jb, s.v, s.t, c + j, ldc,
			           s.w);
		if (!rc && mm_interrupted())
			rc = MM_ERR_INTERRUPTED;
		if (rc)
			return rc;
	}
	return 0;
}
