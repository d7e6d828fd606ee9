/* linalg_bd.c — the two halves of a Golub–Kahan SVD: reduction to upper
 * bidiagonal form by Householder reflectors from both sides (LAPACK's
 * dgebrd: panels of LA_BD_NB columns and rows by dlabrd, half of the
 * work in two GEMMs per panel), and the SVD of the bidiagonal by implicit
 * QR with Demmel and Kahan's zero shift (dbdsqr), its rotations applied
 * to the vectors a row block at a time. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"

#include "linalg_internal.h"

/* Panel width and the size below which the rest is reduced unblocked
 * (LAPACK's ilaenv values for dgebrd). */
#define LA_BD_NB 32
#define LA_BD_NX 128
/* dbdsqr's limit: at most 6·n QR sweeps over an n×n bidiagonal. */
#define MAXITR 6

/* y := alpha·op(A)·x + beta·y as dgemv: A is m×n (lda), op(A)·x has m
 * entries, or n with trans. */
static int gemv(bool trans, int64_t m, int64_t n, double alpha,
                const double *a, int64_t lda, const double *x, int64_t incx,
                double beta, double *y, int64_t incy)
{
	if (trans)
		return mm_dgemm(n, 1, m, alpha, a, lda, 1, x, incx, 1, beta, y,
		                incy, 1);
	return mm_dgemm(m, 1, n, alpha, a, 1, lda, x, incx, 1, beta, y, incy,
	                1);
}

/* C (mv×nc) := (I - tau·v·vᵀ)·C, v contiguous; w: nc doubles. */
static int larf_left(int64_t mv, int64_t nc, const double *v, double tau,
                     double *c, int64_t ldc, double *w)
{
	if (tau == 0 || nc == 0)
		return 0;
	int rc = gemv(true, mv, nc, 1.0, c, ldc, v, 1, 0.0, w, 1);
	for (int64_t j = 0; !rc && j < nc; j++) {
		double s = tau * w[j], *cj = c + j * ldc;
		for (int64_t i = 0; i < mv; i++)
			cj[i] -= s * v[i];
	}
	return rc;
}

/* C (mc×nu) := C·(I - tau·u·uᵀ), u's entries incu apart; w: mc doubles. */
static int larf_right(int64_t mc, int64_t nu, const double *u, int64_t incu,
                      double tau, double *c, int64_t ldc, double *w)
{
	if (tau == 0 || mc == 0)
		return 0;
	int rc = gemv(false, mc, nu, 1.0, c, ldc, u, incu, 0.0, w, 1);
	for (int64_t j = 0; !rc && j < nu; j++) {
		double s = tau * u[j * incu], *cj = c + j * ldc;
		for (int64_t i = 0; i < mc; i++)
			cj[i] -= s * w[i];
	}
	return rc;
}

/* Unblocked reduction of the m×n a (m >= n), dgebd2; w: m doubles. */
static int gebd2(int64_t m, int64_t n, double *a, int64_t lda, double *d,
                 double *e, double *tauq, double *taup, double *w)
{
	for (int64_t i = 0; i < n; i++) {
		double *aii = a + i + i * lda, *ai1 = aii + lda;
		tauq[i] = mm_la_larfg(m - i - 1, aii, aii + 1, 1);
		d[i] = *aii;
		taup[i] = 0;
		if (i == n - 1)
			break;
		*aii = 1;
		int rc = larf_left(m - i, n - i - 1, aii, tauq[i], ai1, lda, w);
		*aii = d[i];
		taup[i] = mm_la_larfg(n - i - 2, ai1, ai1 + lda, lda);
		e[i] = *ai1;
		*ai1 = 1;
		if (!rc)
			rc = larf_right(m - i - 1, n - i - 1, ai1, lda, taup[i],
			                ai1 + 1, lda, w);
		*ai1 = e[i];
		if (rc)
			return rc;
	}
	return 0;
}

#define A_(i, j) a[(i) + (j) * lda]
#define X_(i, j) x[(i) + (j) * ldx]
#define Y_(i, j) y[(i) + (j) * ldy]

/* Row and column i of a panel (dlabrd's step i): the updates that the
 * earlier steps' X and Y owe column i, its reflector, then row i's. */
static int labrd_step(int64_t m, int64_t n, int64_t i, double *a,
                      int64_t lda, double *d, double *e, double *tauq,
                      double *taup, double *x, int64_t ldx, double *y,
                      int64_t ldy)
{
	int rc = gemv(false, m - i, i, -1.0, &A_(i, 0), lda, &Y_(i, 0), ldy,
	              1.0, &A_(i, i), 1);
	rc = rc ? rc : gemv(false, m - i, i, -1.0, &X_(i, 0), ldx, &A_(0, i),
	                    1, 1.0, &A_(i, i), 1);
	if (rc)
		return rc;
	tauq[i] = mm_la_larfg(m - i - 1, &A_(i, i), &A_(i + 1 < m ? i + 1 : i,
	                                                 i), 1);
	d[i] = A_(i, i);
	if (i == n - 1)
		return 0;
	int64_t n1 = n - i - 1, m1 = m - i - 1;
	A_(i, i) = 1;
	/* Y(i+1:n, i) */
	rc = gemv(true, m - i, n1, 1.0, &A_(i, i + 1), lda, &A_(i, i), 1, 0.0,
	          &Y_(i + 1, i), 1);
	rc = rc ? rc : gemv(true, m - i, i, 1.0, &A_(i, 0), lda, &A_(i, i), 1,
	                    0.0, &Y_(0, i), 1);
	rc = rc ? rc : gemv(false, n1, i, -1.0, &Y_(i + 1, 0), ldy, &Y_(0, i),
	                    1, 1.0, &Y_(i + 1, i), 1);
	rc = rc ? rc : gemv(true, m - i, i, 1.0, &X_(i, 0), ldx, &A_(i, i), 1,
	                    0.0, &Y_(0, i), 1);
	rc = rc ? rc : gemv(true, i, n1, -1.0, &A_(0, i + 1), lda, &Y_(0, i),
	                    1, 1.0, &Y_(i + 1, i), 1);
	if (rc)
		return rc;
	for (int64_t r = i + 1; r < n; r++)
		Y_(r, i) *= tauq[i];
	/* row i, and its reflector */
	rc = gemv(false, n1, i + 1, -1.0, &Y_(i + 1, 0), ldy, &A_(i, 0), lda,
	          1.0, &A_(i, i + 1), lda);
	rc = rc ? rc : gemv(true, i, n1, -1.0, &A_(0, i + 1), lda, &X_(i, 0),
	                    ldx, 1.0, &A_(i, i + 1), lda);
	if (rc)
		return rc;
	taup[i] = mm_la_larfg(n1 - 1, &A_(i, i + 1),
	                      &A_(i, i + 2 < n ? i + 2 : n - 1), lda);
	e[i] = A_(i, i + 1);
	A_(i, i + 1) = 1;
	/* X(i+1:m, i) */
	rc = gemv(false, m1, n1, 1.0, &A_(i + 1, i + 1), lda, &A_(i, i + 1),
	          lda, 0.0, &X_(i + 1, i), 1);
	rc = rc ? rc : gemv(true, n1, i + 1, 1.0, &Y_(i + 1, 0), ldy,
	                    &A_(i, i + 1), lda, 0.0, &X_(0, i), 1);
	rc = rc ? rc : gemv(false, m1, i + 1, -1.0, &A_(i + 1, 0), lda,
	                    &X_(0, i), 1, 1.0, &X_(i + 1, i), 1);
	rc = rc ? rc : gemv(false, i, n1, 1.0, &A_(0, i + 1), lda,
	                    &A_(i, i + 1), lda, 0.0, &X_(0, i), 1);
	rc = rc ? rc : gemv(false, m1, i, -1.0, &X_(i + 1, 0), ldx, &X_(0, i),
	                    1, 1.0, &X_(i + 1, i), 1);
	for (int64_t r = i + 1; r < m; r++)
		X_(r, i) *= taup[i];
	return rc;
}

int mm_la_gebrd(int64_t m, int64_t n, double *a, int64_t lda, double *d,
                double *e, double *tauq, double *taup)
{
	const int64_t nb = LA_BD_NB;
	double *x = mm_la_zalloc(m, nb, 1), *y = mm_la_zalloc(n, nb, 1);
	double *w = mm_la_zalloc(m, 1, 1);
	int rc = x && y && w ? 0 : MM_ERR_NOMEM;
	int64_t i = 0, ldx = m > 1 ? m : 1, ldy = n > 1 ? n : 1;
	for (; !rc && n - i > LA_BD_NX; i += nb) {
		double *ai = a + i + i * lda;
		for (int64_t s = 0; !rc && s < nb; s++)
			rc = labrd_step(m - i, n - i, s, ai, lda, d + i, e + i,
			                tauq + i, taup + i, x, ldx, y, ldy);
		/* A22 -= V·Y2ᵀ + X2·U, the panel's reflectors applied at once */
		int64_t mr = m - i - nb, nr = n - i - nb;
		double *a22 = ai + nb + nb * lda;
		if (!rc)
			rc = mm_la_gemm(false, true, mr, nr, nb, -1.0, ai + nb, lda,
			                y + nb, ldy, 1.0, a22, lda);
		if (!rc)
			rc = mm_la_gemm(false, false, mr, nr, nb, -1.0, x + nb,
			                ldx, ai + nb * lda, lda, 1.0, a22, lda);
		for (int64_t j = i; j < i + nb; j++) {
			a[j + j * lda] = d[j];
			a[j + (j + 1) * lda] = e[j];
		}
		if (!rc && mm_interrupted())
			rc = MM_ERR_INTERRUPTED;
	}
	if (!rc)
		rc = gebd2(m - i, n - i, a + i + i * lda, lda, d + i, e + i,
		           tauq + i, taup + i, w);
	mm_la_free(x);
	mm_la_free(y);
	mm_la_free(w);
	return rc;
}

#undef A_
#undef X_
#undef Y_

/* ---- the bidiagonal SVD */

/* A plane rotation with [c s; -s c]·(f, g) = (r, 0), c >= 0 and r of
 * f's sign (dlartg). */
static void lartg(double f, double g, double *c, double *s, double *r)
{
	if (g == 0) {
		*c = 1;
		*s = 0;
		*r = f;
	} else if (f == 0) {
		*c = 0;
		*s = copysign(1.0, g);
		*r = fabs(g);
	} else {
		/* sqrt(f² + g²) directly unless a square could overflow or
		 * underflow (hypot is several times slower) */
		const double lo = 0x1p-500, hi = 0x1p500;
		double fa = fabs(f), ga = fabs(g);
		double h = fa > lo && fa < hi && ga > lo && ga < hi
		                   ? sqrt(f * f + g * g)
		                   : hypot(f, g);
		*c = fa / h;
		*r = copysign(h, f);
		*s = g / *r;
	}
}

/* The smaller singular value of [f g; 0 h] (dlas2's ssmin). */
static double las2_min(double f, double g, double h)
{
	double fa = fabs(f), ga = fabs(g), ha = fabs(h);
	double mn = fmin(fa, ha), mx = fmax(fa, ha);
	if (mn == 0)
		return 0;
	if (ga < mx) {
		double as = 1 + mn / mx, at = (mx - mn) / mx, au = ga / mx;
		au *= au;
		return mn * (2 / (sqrt(as * as + au) + sqrt(at * at + au)));
	}
	double au = mx / ga;
	if (au == 0)
		return mn * mx / ga;
	double as = 1 + mn / mx, at = (mx - mn) / mx;
	double c = 1 / (sqrt(1 + (as * au) * (as * au)) +
	                sqrt(1 + (at * au) * (at * au)));
	return 2 * (mn * c) * au;
}

/* The SVD of [f g; 0 h] (dlasv2): [cl sl; -sl cl]·[f g; 0 h]·[cr -sr;
 * sr cr] = diag(smax, smin), |smax| >= |smin|. */
struct sv2 {
	double smin, smax, sr, cr, sl, cl;
};

static struct sv2 lasv2(double f, double g, double h)
{
	double ft = f, fa = fabs(f), ht = h, ha = fabs(h), gt = g,
	       ga = fabs(g);
	int pmax = 1;
	bool swap = ha > fa;
	if (swap) {
		pmax = 3;
		double t = ft;
		ft = ht;
		ht = t;
		t = fa;
		fa = ha;
		ha = t;
	}
	double clt, crt, slt, srt, smin, smax;
	if (ga == 0) {
		smin = ha;
		smax = fa;
		clt = crt = 1;
		slt = srt = 0;
	} else if (ga > fa && fa / ga < DBL_EPSILON / 2) {
		/* g dominates */
		pmax = 2;
		smax = ga;
		smin = ha > 1 ? fa / (ga / ha) : (fa / ga) * ha;
		clt = 1;
		slt = ht / gt;
		srt = 1;
		crt = ft / gt;
	} else {
		if (ga > fa)
			pmax = 2;
		double dd = fa - ha, l = dd == fa ? 1 : dd / fa, m = gt / ft;
		double t = 2 - l, mm = m * m, tt = t * t, s = sqrt(tt + mm);
		double r = l == 0 ? fabs(m) : sqrt(l * l + mm);
		double aa = 0.5 * (s + r);
		smin = ha / aa;
		smax = fa * aa;
		if (mm == 0)
			t = l == 0 ? copysign(2.0, ft) * copysign(1.0, gt)
			           : gt / copysign(dd, ft) + m / t;
		else
			t = (m / (s + t) + m / (r + l)) * (1 + aa);
		l = sqrt(t * t + 4);
		crt = 2 / l;
		srt = t / l;
		clt = (crt + srt * m) / aa;
		slt = (ht / ft) * srt / aa;
	}
	struct sv2 o;
	if (swap) {
		o.cl = srt;
		o.sl = crt;
		o.cr = slt;
		o.sr = clt;
	} else {
		o.cl = clt;
		o.sl = slt;
		o.cr = crt;
		o.sr = srt;
	}
	double tsign = pmax == 1 ? copysign(1.0, o.cr) * copysign(1.0, o.cl) *
	                                   copysign(1.0, f)
	               : pmax == 2 ? copysign(1.0, o.sr) * copysign(1.0, o.cl) *
	                                     copysign(1.0, g)
	                           : copysign(1.0, o.sr) * copysign(1.0, o.sl) *
	                                     copysign(1.0, h);
	o.smax = copysign(smax, tsign);
	o.smin = copysign(smin, tsign * copysign(1.0, f) * copysign(1.0, h));
	return o;
}

/* The state of a bidiagonal QR iteration. */
struct bd {
	int64_t n;
	double *d, *e;
	double *v;   /* n×n, ldv, or NULL */
	int64_t ldv;
	double *u;   /* nru×n, ldu, or NULL */
	int64_t nru, ldu;
	double *c1, *s1, *c2, *s2; /* one sweep's rotations, n-1 each */
	mm_la_rotlog *log;         /* where they go, when v or u */
	double tol, thresh;
};

/* One implicit QR sweep over d[ll..m], e[ll..m-1], chasing the bulge down
 * (down) or up, with the given shift (0: Demmel–Kahan's zero-shift
 * variant, which keeps tiny singular values accurate), and its rotations
 * applied to the columns ll..m of v (right) and u (left). */
static int sweep(struct bd *b, int64_t ll, int64_t m, bool down,
                 double shift)
{
	double *d = b->d, *e = b->e, *c1 = b->c1, *s1 = b->s1, *c2 = b->c2,
	       *s2 = b->s2;
	double cs = 1, sn = 0, oc = 1, os = 0, r, f, g, cr, sr, cl, sl;
	if (shift == 0 && down) {
		for (int64_t i = ll; i < m; i++) {
			lartg(d[i] * cs, e[i], &cs, &sn, &r);
			if (i > ll)
				e[i - 1] = os * r;
			lartg(oc * r, d[i + 1] * sn, &oc, &os, &d[i]);
			c1[i - ll] = cs, s1[i - ll] = sn;
			c2[i - ll] = oc, s2[i - ll] = os;
		}
		double h = d[m] * cs;
		d[m] = h * oc;
		e[m - 1] = h * os;
	} else if (shift == 0) {
		for (int64_t i = m; i > ll; i--) {
			lartg(d[i] * cs, e[i - 1], &cs, &sn, &r);
			if (i < m)
				e[i] = os * r;
			lartg(oc * r, d[i - 1] * sn, &oc, &os, &d[i]);
			c1[i - ll - 1] = cs, s1[i - ll - 1] = -sn;
			c2[i - ll - 1] = oc, s2[i - ll - 1] = -os;
		}
		double h = d[ll] * cs;
		d[ll] = h * oc;
		e[ll] = h * os;
	} else if (down) {
		f = (fabs(d[ll]) - shift) * (copysign(1.0, d[ll]) + shift / d[ll]);
		g = e[ll];
		for (int64_t i = ll; i < m; i++) {
			lartg(f, g, &cr, &sr, &r);
			if (i > ll)
				e[i - 1] = r;
			f = cr * d[i] + sr * e[i];
			e[i] = cr * e[i] - sr * d[i];
			g = sr * d[i + 1];
			d[i + 1] *= cr;
			lartg(f, g, &cl, &sl, &r);
			d[i] = r;
			f = cl * e[i] + sl * d[i + 1];
			d[i + 1] = cl * d[i + 1] - sl * e[i];
			if (i < m - 1) {
				g = sl * e[i + 1];
				e[i + 1] *= cl;
			}
			c1[i - ll] = cr, s1[i - ll] = sr;
			c2[i - ll] = cl, s2[i - ll] = sl;
		}
		e[m - 1] = f;
	} else {
		f = (fabs(d[m]) - shift) * (copysign(1.0, d[m]) + shift / d[m]);
		g = e[m - 1];
		for (int64_t i = m; i > ll; i--) {
			lartg(f, g, &cr, &sr, &r);
			if (i < m)
				e[i] = r;
			f = cr * d[i] + sr * e[i - 1];
			e[i - 1] = cr * e[i - 1] - sr * d[i];
			g = sr * d[i - 1];
			d[i - 1] *= cr;
			lartg(f, g, &cl, &sl, &r);
			d[i] = r;
			f = cl * e[i - 1] + sl * d[i - 1];
			d[i - 1] = cl * d[i - 1] - sl * e[i - 1];
			if (i > ll + 1) {
				g = sl * e[i - 2];
				e[i - 2] *= cl;
			}
			c1[i - ll - 1] = cr, s1[i - ll - 1] = -sr;
			c2[i - ll - 1] = cl, s2[i - ll - 1] = -sl;
		}
		e[ll] = f;
	}
	int64_t last = down ? m - 1 : ll;
	if (fabs(e[last]) <= b->thresh)
		e[last] = 0;
	/* down: v takes (c1, s1) and u (c2, s2); up, the other way round */
	if (!b->log)
		return 0;
	return mm_la_rotlog_add(b->log, ll, m - ll + 1, down, down ? c1 : c2,
	                        down ? s1 : s2, down ? c2 : c1,
	                        down ? s2 : s1);
}

/* The relative convergence test along d[ll..m] from the big end (dbdsqr):
 * sets a negligible e to zero and returns true, or returns false with
 * *smin an estimate of the block's smallest singular value. */
static bool converged(struct bd *b, int64_t ll, int64_t m, bool down,
                      double *smin)
{
	double *d = b->d, *e = b->e, tol = b->tol;
	int64_t end = down ? m - 1 : ll;
	if (fabs(e[end]) <= tol * fabs(d[down ? m : ll])) {
		e[end] = 0;
		return true;
	}
	double mu = fabs(d[down ? ll : m]);
	*smin = mu;
	for (int64_t t = 0; t < m - ll; t++) {
		int64_t j = down ? ll + t : m - 1 - t;
		if (fabs(e[j]) <= tol * mu) {
			e[j] = 0;
			return true;
		}
		mu = fabs(d[down ? j + 1 : j]) * (mu / (mu + fabs(e[j])));
		*smin = fmin(*smin, mu);
	}
	return false;
}

/* Makes d non-negative (negating v's column) and sorts it descending,
 * swapping the columns of v and u along (dbdsqr's ending). */
static void sort_desc(struct bd *b)
{
	int64_t n = b->n;
	double *d = b->d;
	for (int64_t i = 0; i < n; i++) {
		if (d[i] == 0)
			d[i] = 0; /* no -0 */
		if (d[i] < 0) {
			d[i] = -d[i];
			if (b->v)
				for (int64_t r = 0; r < n; r++)
					b->v[r + i * b->ldv] = -b->v[r + i * b->ldv];
		}
	}
	for (int64_t i = 0; i + 1 < n; i++) {
		int64_t last = n - 1 - i, sub = 0;
		for (int64_t j = 1; j <= last; j++)
			if (d[j] <= d[sub])
				sub = j;
		if (sub == last)
			continue;
		double t = d[sub];
		d[sub] = d[last];
		d[last] = t;
		for (int side = 0; side < 2; side++) {
			double *x = side ? b->u : b->v;
			int64_t ld = side ? b->ldu : b->ldv,
			        rows = side ? b->nru : n;
			if (!x)
				continue;
			for (int64_t r = 0; r < rows; r++) {
				double s = x[r + sub * ld];
				x[r + sub * ld] = x[r + last * ld];
				x[r + last * ld] = s;
			}
		}
	}
}

/* dbdsqr's main loop: split off converged ends, take 2×2 blocks whole,
 * and sweep the bottom unreduced block. */
static int iterate(struct bd *b, int64_t *info)
{
	const double eps = DBL_EPSILON / 2;
	int64_t n = b->n, m = n - 1, iter = -1, rounds = 0, oldll = -1,
	        oldm = -1;
	double *d = b->d, *e = b->e;
	bool down = true;
	while (m > 0) {
		if (iter >= n) {
			iter -= n;
			if (++rounds >= MAXITR * n) {
				for (int64_t i = 0; i < n - 1; i++)
					*info += e[i] != 0;
				return 0;
			}
		}
		if (mm_interrupted())
			return MM_ERR_INTERRUPTED;
		double smax = fabs(d[m]);
		int64_t ll = m - 1;
		for (; ll >= 0; ll--) {
			if (fabs(e[ll]) <= b->thresh || e[ll] == 0)
				break;
			smax = fmax(smax, fmax(fabs(d[ll]), fabs(e[ll])));
		}
		if (ll >= 0) {
			e[ll] = 0;
			if (ll == m - 1) {
				m--;
				continue;
			}
		}
		ll++;
		if (ll == m - 1) {
			struct sv2 o = lasv2(d[m - 1], e[m - 1], d[m]);
			d[m - 1] = o.smax;
			e[m - 1] = 0;
			d[m] = o.smin;
			int rc = b->log ? mm_la_rotlog_add(b->log, m - 1, 2, true,
			                                   &o.cr, &o.sr, &o.cl,
			                                   &o.sl)
			                : 0;
			if (rc)
				return rc;
			m -= 2;
			continue;
		}
		/* a new block: chase from its larger end to its smaller */
		if (ll > oldm || m < oldll)
			down = fabs(d[ll]) >= fabs(d[m]);
		double smin;
		if (converged(b, ll, m, down, &smin))
			continue;
		oldll = ll;
		oldm = m;
		double shift = 0;
		if ((double)n * b->tol * (smin / smax) > fmax(eps, 0.01 * b->tol)) {
			double sll = fabs(d[down ? ll : m]);
			shift = down ? las2_min(d[m - 1], e[m - 1], d[m])
			             : las2_min(d[ll], e[ll], d[ll + 1]);
			if (sll > 0 && (shift / sll) * (shift / sll) < eps)
				shift = 0;
		}
		iter += m - ll;
		int rc = sweep(b, ll, m, down, shift);
		if (rc)
			return rc;
	}
	return b->log ? mm_la_rotlog_flush(b->log) : 0;
}

int mm_la_bdsqr(int64_t n, double *d, double *e, double *v, int64_t ldv,
                int64_t nru, double *u, int64_t ldu, int64_t *info)
{
	*info = 0;
	if (n <= 0)
		return 0;
	struct bd b = {.n = n, .d = d, .e = e, .v = v, .ldv = ldv,
	               .u = nru > 0 ? u : NULL, .nru = nru, .ldu = ldu};
	double *work = NULL;
	int rc = 0;
	if (n > 1) {
		work = mm_la_zalloc(4, n - 1, 0);
		if (!work)
			return MM_ERR_NOMEM;
		b.c1 = work, b.s1 = work + (n - 1);
		b.c2 = work + 2 * (n - 1), b.s2 = work + 3 * (n - 1);
		const double eps = DBL_EPSILON / 2;
		b.tol = fmax(10, fmin(100, pow(eps, -0.125))) * eps;
		/* an estimate of the smallest singular value, for the
		 * threshold below which an e is negligible */
		double sminoa = fabs(d[0]), mu = sminoa;
		for (int64_t i = 1; sminoa != 0 && i < n; i++) {
			mu = fabs(d[i]) * (mu / (mu + fabs(e[i - 1])));
			sminoa = fmin(sminoa, mu);
		}
		sminoa /= sqrt((double)n);
		b.thresh = fmax(b.tol * sminoa,
		                MAXITR * ((double)n * ((double)n * DBL_MIN)));
		if ((v || b.u) && !(b.log = mm_la_rotlog_new(n, v, ldv, n, b.u,
		                                             ldu, nru))) {
			mm_la_free(work);
			return MM_ERR_NOMEM;
		}
		rc = iterate(&b, info);
		mm_la_rotlog_free(b.log);
	}
	if (!rc)
		sort_desc(&b);
	mm_la_free(work);
	return rc;
}
