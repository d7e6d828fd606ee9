/* cost_linalg.c — the costs of the linear algebra built-ins, as LAPACK
 * Working Note 41 counts its routines. */
#include "cost_int.h"

/* ---- linear algebra ---- */

/* A term of a count: coef · m^e[0] · n^e[1] · r^e[2]. */
typedef struct la_term {
	int64_t coef;
	int8_t e[3];
} la_term;

/* The sum of nt terms over den (which divides it exactly, as the counts
 * of LAPACK Working Note 41 do for integer sizes), of the quantities
 * v[0..3) (m, n, r). */
static mm_code la_formula(mm_cost_ctx *x, qty *out, const qty v[3],
                          const la_term *t, int nt, uint64_t den)
{
	bool sym = v[0].sym || v[1].sym || v[2].sym;
	qty pos, neg, one;
	mm_code r = MM_OK;
	q_num(&one, mm_count_of(1));
	q_num(&pos, MM_COUNT_ZERO);
	q_num(&neg, MM_COUNT_ZERO);
	for (int i = 0; i < nt && r == MM_OK; i++) {
		qty term = one;
		for (int j = 0; j < 3 && r == MM_OK; j++)
			for (int p = 0; p < t[i].e[j] && r == MM_OK; p++)
				r = q_mul(x, &term, &term, &v[j]);
		int64_t cf = t[i].coef;
		if (r == MM_OK)
			r = q_mul_u(x, &term, &term, (uint64_t)(cf < 0 ? -cf : cf));
		if (r == MM_OK)
			r = cf < 0 ? q_add(x, &neg, &neg, &term)
			           : q_add(x, &pos, &pos, &term);
	}
	if (r != MM_OK)
		return r;
	if (!sym && mm_count_cmp(pos.n, neg.n) < 0)
		q_num(out, MM_COUNT_ZERO); /* only below a size of 1 */
	else if ((r = q_sub(x, out, &pos, &neg)) != MM_OK)
		return r;
	return q_div_u(x, out, out, den);
}

/* The counts, each a sum of terms over a denominator; m, n, r are the
 * rows, the columns and the right-hand sides. From dopla.f (LAPACK's
 * timing suite, the formulas of LAWN 41's tables), multiplications plus
 * additions. */
#define T(c, a, b, d) {c, {a, b, d}}
/* dgetrf, n×n: 2n³/3 - n²/2 - n/6 */
static const la_term getrf[] = {T(4, 0, 3, 0), T(-3, 0, 2, 0), T(-1, 0, 1, 0)};
/* dgetrs: r·(2n² - n), over 6 to add to dgetrf's */
static const la_term getrs6[] = {T(12, 0, 2, 1), T(-6, 0, 1, 1)};
/* dpotrf: n³/3 + n²/2 + n/6 */
static const la_term potrf[] = {T(2, 0, 3, 0), T(3, 0, 2, 0), T(1, 0, 1, 0)};
/* dgeqrf, m >= n: 2mn² - 2n³/3 + mn + n² + 14n/3 */
static const la_term geqrf[] = {T(6, 1, 2, 0), T(-2, 0, 3, 0), T(3, 1, 1, 0),
                                T(3, 0, 2, 0), T(14, 0, 1, 0)};
/* dgeqrf, m < n: 2nm² - 2m³/3 + 3mn - m² + 14m/3 */
static const la_term geqrf_wide[] = {T(6, 2, 1, 0), T(-2, 3, 0, 0),
                                     T(9, 1, 1, 0), T(-3, 2, 0, 0),
                                     T(14, 1, 0, 0)};
/* dorgqr forming the m×m Q of m reflectors (a wide A): 4m³/3 + m² -
 * 4m/3 */
static const la_term orgqr_sq[] = {T(4, 3, 0, 0), T(3, 2, 0, 0),
                                   T(-4, 1, 0, 0)};
/* dorgqr forming the m×n Q of n reflectors: 2mn² - 2n³/3 + 2n² - mn -
 * 4n/3 (from dopla's m, n, k = m, n, n) */
static const la_term orgqr[] = {T(6, 1, 2, 0), T(-2, 0, 3, 0), T(6, 0, 2, 0),
                                T(-3, 1, 1, 0), T(-4, 0, 1, 0)};
/* dormqr (Qᵀ·b, side L, k = n) r·(4mn + 3n - 2n²) and dtrtrs r·n²,
 * over 3 to add to dgeqrf's */
static const la_term lsq_rhs3[] = {T(12, 1, 1, 1), T(9, 0, 1, 1),
                                   T(-3, 0, 2, 1)};
/* dgebrd, the bidiagonal reduction of the singular values (m >= n):
 * 4mn² - 4n³/3 + 3n² - mn + 25n/3 (the QR sweeps on the bidiagonal
 * after it, O(n²) each and as many as the data need, are not counted,
 * as LAWN 41 counts no iterative routine) */
static const la_term gebrd[] = {T(12, 1, 2, 0), T(-4, 0, 3, 0),
                                T(9, 0, 2, 0), T(-3, 1, 1, 0),
                                T(25, 0, 1, 0)};
/* dgebrd of the n×n R after a QR (the R-SVD path), over 3 */
static const la_term gebrd_r[] = {T(8, 0, 3, 0), T(6, 0, 2, 0),
                                  T(25, 0, 1, 0)};
/* the SVD with the thin U and V (m >= n), Golub & Van Loan, Matrix
 * Computations (3rd ed.), §5.4.5: Golub–Reinsch 14mn² + 8n³, R-SVD (a
 * QR first) 6mn² + 20n³ (LAWN 41 has no count for the iterative SVD) */
static const la_term gr_usv[] = {T(14, 1, 2, 0), T(8, 0, 3, 0)};
static const la_term rsvd_usv[] = {T(6, 1, 2, 0), T(20, 0, 3, 0)};
#undef T

#define LA(x, out, v, t, den) la_formula(x, out, v, t, sizeof t / sizeof *t, den)

/* m and n of a matrix (…, m, n), swapped so that m >= n when want_tall
 * (with symbols, assumed and recorded). */
static mm_code la_sides(mm_cost_ctx *x, const mm_shape *s, bool want_tall,
                        qty *m, qty *n)
{
	int nd = s->ndim;
	q_dim(m, s, nd - 2);
	q_dim(n, s, nd - 1);
	if (!want_tall)
		return MM_OK;
	if (!m->sym && !n->sym) {
		if (mm_count_cmp(m->n, n->n) < 0) {
			qty t = *m;
			*m = *n;
			*n = t;
		}
		return MM_OK;
	}
	mm_poly a, b;
	if (!mm_poly_eq(as_poly(m, &a), as_poly(n, &b)) &&
	    !mm_shape_assume(x->assume, s, nd - 1, " <= ", s, nd - 2, x->diag))
		return MM_ERR_SHAPE;
	return MM_OK;
}

/* Per matrix, the count of op on m×n (tall: m >= n where it matters). */
static mm_code la_per_matrix(mm_cost_ctx *x, mm_la_cost op, qty v[3],
                             qty *out)
{
	qty t, u;
	mm_code r;
	const qty *m = &v[0], *n = &v[1];
	bool rsvd = !m->sym && !n->sym &&
	            m->n.value * 5 >= n->n.value * 8; /* m >= 1.6·n */
	bool wide = !m->sym && !n->sym && mm_count_cmp(m->n, n->n) < 0;
	switch (op) {
	case MM_LA_SOLVE:
	case MM_LA_INV: {
		la_term both[5];
		memcpy(both, getrf, sizeof getrf);
		memcpy(both + 3, getrs6, sizeof getrs6);
		if (op == MM_LA_INV)
			v[2] = v[1];
		return la_formula(x, out, v, both, 5, 6);
	}
	case MM_LA_DET:
		if ((r = LA(x, &t, v, getrf, 6)) != MM_OK)
			return r;
		return q_add(x, out, &t, n);
	case MM_LA_CHOLESKY:
		return LA(x, out, v, potrf, 6);
	case MM_LA_QR_R:
		return wide ? LA(x, out, v, geqrf_wide, 3) : LA(x, out, v, geqrf, 3);
	case MM_LA_QR:
		if ((r = wide ? LA(x, &t, v, geqrf_wide, 3)
		              : LA(x, &t, v, geqrf, 3)) != MM_OK ||
		    (r = wide ? LA(x, &u, v, orgqr_sq, 3)
		              : LA(x, &u, v, orgqr, 3)) != MM_OK)
			return r;
		return q_add(x, out, &t, &u);
	case MM_LA_LSTSQ: {
		la_term all[8];
		memcpy(all, geqrf, sizeof geqrf);
		memcpy(all + 5, lsq_rhs3, sizeof lsq_rhs3);
		return la_formula(x, out, v, all, 8, 3);
	}
	case MM_LA_SVD:
		return rsvd ? LA(x, out, v, rsvd_usv, 1) : LA(x, out, v, gr_usv, 1);
	case MM_LA_SVDVALS: /* dgebrd, after dgeqrf on the R-SVD path */
		if (!rsvd)
			return LA(x, out, v, gebrd, 3);
		if ((r = LA(x, &t, v, geqrf, 3)) != MM_OK ||
		    (r = LA(x, &u, v, gebrd_r, 3)) != MM_OK)
			return r;
		return q_add(x, out, &t, &u);
	}
	return MM_OK;
}

/* A wide lstsq (m < n) goes through the SVD of A: its count, then Uᵀ·b,
 * the division by S and V·(…): r·(2m² + m + 2mn) for k = m. */
static mm_code la_lstsq_wide(mm_cost_ctx *x, qty v[3], qty *out)
{
	qty w[3] = {v[1], v[0], v[2]}, t;
	static const la_term rhs[] = {{2, {2, 0, 1}}, {1, {1, 0, 1}},
	                              {2, {1, 1, 1}}};
	mm_code r = la_per_matrix(x, MM_LA_SVD, w, out);
	if (r == MM_OK && (r = LA(x, &t, v, rhs, 1)) == MM_OK)
		r = q_add(x, out, out, &t);
	return r;
}

mm_code mm_cost_linalg(mm_cost_ctx *x, mm_la_cost op, const mm_value *out,
                       const mm_value *a, const mm_value *b, mm_cost *c)
{
	const mm_shape *as = &a->shape;
	qty v[3], per, stack, fl, by;
	mm_code r;
	bool tall = op == MM_LA_SVD || op == MM_LA_SVDVALS;
	q_num(&v[2], mm_count_of(1));
	if ((r = la_sides(x, as, tall, &v[0], &v[1])) != MM_OK)
		return r;
	int lead = as->ndim - 2;
	const mm_shape *ls = as;
	if (op == MM_LA_SOLVE) { /* b a stack of vectors, or of matrices */
		bool vec = b->shape.ndim == as->ndim - 1;
		ls = &out->shape;
		lead = out->shape.ndim - (vec ? 1 : 2);
		if (!vec)
			q_dim(&v[2], &out->shape, out->shape.ndim - 1);
	} else if (op == MM_LA_LSTSQ && b->shape.ndim == 2) {
		q_dim(&v[2], &b->shape, 1);
	}
	bool wide = op == MM_LA_LSTSQ && !v[0].sym && !v[1].sym &&
	            mm_count_cmp(v[0].n, v[1].n) < 0;
	bool qr = op == MM_LA_QR || op == MM_LA_QR_R;
	if ((op == MM_LA_LSTSQ || qr) && (v[0].sym || v[1].sym)) {
		mm_poly p, q;
		if (!mm_poly_eq(as_poly(&v[0], &p), as_poly(&v[1], &q)) &&
		    !mm_shape_assume(x->assume, as, as->ndim - 1, " <= ", as,
		                     as->ndim - 2, x->diag))
			return MM_ERR_SHAPE;
	}
	const mm_value *in[2] = {a, b};
	if ((r = wide ? la_lstsq_wide(x, v, &per)
	              : la_per_matrix(x, op, v, &per)) != MM_OK ||
	    (r = q_prod(x, &stack, ls, 0, lead)) != MM_OK ||
	    (r = q_mul(x, &fl, &per, &stack)) != MM_OK ||
	    (r = q_traffic(x, &by, out, in, b ? 2 : 1)) != MM_OK)
		return r;
	return finish(x, &fl, NULL, NULL, &by, c);
}

mm_code mm_cost_qr(mm_cost_ctx *x, const mm_value *out, const mm_value *in,
                   mm_cost *c)
{
	return mm_cost_linalg(x, MM_LA_QR, out, in, NULL, c);
}

