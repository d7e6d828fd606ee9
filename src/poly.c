/* poly.c — symbolic dimensions: polynomials over named symbols. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/poly.h"

/* Work space of an operation: room for the union of two symbol tables and
 * for every product of two full polynomials before like terms combine. */
#define WSYMS (2 * MM_POLY_MAX_SYMS)
#define WTERMS (MM_POLY_MAX_TERMS * MM_POLY_MAX_TERMS)

typedef struct wterm {
	int64_t c;
	double f;
	int e[WSYMS];
} wterm;

typedef struct work {
	bool approx; /* an exact step overflowed, or an operand was approximate */
	int64_t den;
	int nsyms, n;
	char sym[WSYMS][MM_POLY_NAME];
	wterm t[WTERMS];
} work;

static const mm_span nospan = {0, 0};

/* ---- checked int64 arithmetic: *ovf is set instead of wrapping ---- */

static int64_t cmul(int64_t a, int64_t b, bool *ovf)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r) || r == INT64_MIN) {
		*ovf = true;
		return 0;
	}
	return r;
}

static int64_t cadd(int64_t a, int64_t b, bool *ovf)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r) || r == INT64_MIN) {
		*ovf = true;
		return 0;
	}
	return r;
}

static int64_t ipow(int64_t v, int e, bool *ovf)
{
	int64_t r = 1;
	for (int i = 0; i < e && !*ovf; i++)
		r = cmul(r, v, ovf);
	return r;
}

static int64_t gcd64(int64_t a, int64_t b)
{
	if (a < 0)
		a = -a;
	if (b < 0)
		b = -b;
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* ---- work space ---- */

static int wsym(work *w, const char *name)
{
	for (int i = 0; i < w->nsyms; i++)
		if (strcmp(w->sym[i], name) == 0)
			return i;
	if (w->nsyms == WSYMS)
		return -1; /* cannot happen: two tables never exceed WSYMS */
	memcpy(w->sym[w->nsyms], name, MM_POLY_NAME);
	return w->nsyms++;
}

static void wload(work *w, const mm_poly *p)
{
	w->approx = p->approx;
	w->den = p->den;
	w->nsyms = p->nsyms;
	w->n = 0;
	for (int i = 0; i < p->nsyms; i++)
		memcpy(w->sym[i], p->sym[i], MM_POLY_NAME);
}

/* The terms of p with exponents in w's symbol order (adding p's symbols to
 * w's table as needed). */
static void wmap(work *w, const mm_poly *p, wterm *out)
{
	int map[MM_POLY_MAX_SYMS];
	for (int s = 0; s < p->nsyms; s++)
		map[s] = wsym(w, p->sym[s]);
	for (int i = 0; i < p->nterms; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].c = p->term[i].coef;
		out[i].f = p->term[i].fcoef;
		for (int s = 0; s < p->nsyms; s++)
			out[i].e[map[s]] = p->term[i].exp[s];
	}
}

static bool same_exps(const int *a, const int *b, int n)
{
	for (int s = 0; s < n; s++)
		if (a[s] != b[s])
			return false;
	return true;
}

/* Canonical term order: total degree descending, then exponents symbol by
 * symbol, higher first. */
static int term_cmp(const mm_poly_term *a, const mm_poly_term *b, int nsyms)
{
	int da = 0, db = 0;
	for (int s = 0; s < nsyms; s++) {
		da += a->exp[s];
		db += b->exp[s];
	}
	if (da != db)
		return da > db ? -1 : 1;
	for (int s = 0; s < nsyms; s++)
		if (a->exp[s] != b->exp[s])
			return a->exp[s] > b->exp[s] ? -1 : 1;
	return 0;
}

/* Brings w to canonical form and stores it in *out, or fails on a limit. */
static mm_code wstore(work *w, mm_poly *out, mm_diag *d)
{
	bool ovf = false;
	/* Combine like terms. */
	int n = 0;
	for (int i = 0; i < w->n; i++) {
		int j = 0;
		while (j < n && !same_exps(w->t[j].e, w->t[i].e, w->nsyms))
			j++;
		if (j == n) {
			w->t[n++] = w->t[i];
		} else {
			w->t[j].c = cadd(w->t[j].c, w->t[i].c, &ovf);
			w->t[j].f += w->t[i].f;
		}
	}
	if (w->den < 0) {
		w->den = -w->den;
		for (int i = 0; i < n; i++)
			w->t[i].c = cmul(w->t[i].c, -1, &ovf);
	}
	if (ovf)
		w->approx = true;
	/* Drop zero terms. */
	int m = 0;
	for (int i = 0; i < n; i++)
		if (w->approx ? w->t[i].f != 0.0 : w->t[i].c != 0)
			w->t[m++] = w->t[i];
	n = m;
	/* Drop symbols that no term uses, keeping the order of the rest. */
	int ns = 0;
	int keep[WSYMS];
	for (int s = 0; s < w->nsyms; s++) {
		bool used = false;
		for (int i = 0; i < n; i++)
			used |= w->t[i].e[s] != 0;
		if (used)
			keep[ns++] = s;
	}
	if (n > MM_POLY_MAX_TERMS)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "expression too large: %d terms (at most %d)",
		                   n, MM_POLY_MAX_TERMS);
	if (ns > MM_POLY_MAX_SYMS)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "expression too large: %d symbols (at most %d)",
		                   ns, MM_POLY_MAX_SYMS);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < ns; k++)
			if (w->t[i].e[keep[k]] > INT8_MAX ||
			    w->t[i].e[keep[k]] < -INT8_MAX)
				return mm_diag_set(d, MM_ERR_LIMIT, nospan,
				                   "exponent of %s too large",
				                   w->sym[keep[k]]);
	mm_poly p;
	memset(&p, 0, sizeof p);
	p.nterms = (uint8_t)n;
	p.nsyms = (uint8_t)ns;
	p.approx = w->approx;
	for (int k = 0; k < ns; k++)
		memcpy(p.sym[k], w->sym[keep[k]], MM_POLY_NAME);
	int64_t g = p.approx || n == 0 ? 1 : w->den;
	for (int i = 0; i < n && g > 1; i++)
		g = gcd64(g, w->t[i].c);
	p.den = p.approx || n == 0 ? 1 : w->den / g;
	for (int i = 0; i < n; i++) {
		mm_poly_term *t = &p.term[i];
		if (p.approx) {
			t->coef = 0;
			t->fcoef = w->t[i].f;
		} else {
			t->coef = w->t[i].c / g;
			t->fcoef = (double)t->coef / (double)p.den;
		}
		for (int k = 0; k < ns; k++)
			t->exp[k] = (int8_t)w->t[i].e[keep[k]];
	}
	/* Insertion sort: at most MM_POLY_MAX_TERMS terms. */
	for (int i = 1; i < n; i++) {
		mm_poly_term t = p.term[i];
		int j = i;
		while (j > 0 && term_cmp(&p.term[j - 1], &t, ns) > 0) {
			p.term[j] = p.term[j - 1];
			j--;
		}
		p.term[j] = t;
	}
	*out = p;
	return MM_OK;
}

void mm_poly_reorder(mm_poly *p, const char *const *names, int n)
{
	work w;
	w.approx = p->approx;
	w.den = p->den;
	w.nsyms = 0;
	for (int k = 0; k < n; k++)
		if (mm_poly_has_sym(p, names[k])) {
			/* wsym copies a whole table entry: give it one */
			char name[MM_POLY_NAME] = {0};
			memcpy(name, names[k], strlen(names[k])); /* < MM_POLY_NAME: p has it */
			wsym(&w, name);
		}
	wmap(&w, p, w.t);
	w.n = p->nterms;
	mm_poly out;
	if (wstore(&w, &out, NULL) == MM_OK)
		*p = out;
}

/* ---- construction ---- */

void mm_poly_const(mm_poly *out, int64_t c)
{
	memset(out, 0, sizeof *out);
	out->den = 1;
	if (c == INT64_MIN) {
		out->approx = true;
		out->nterms = 1;
		out->term[0].fcoef = (double)c;
	} else if (c != 0) {
		out->nterms = 1;
		out->term[0].coef = c;
		out->term[0].fcoef = (double)c;
	}
}

void mm_poly_from_count(mm_poly *out, mm_count c)
{
	if (!c.approx && !c.hi && c.exact <= (uint64_t)INT64_MAX) {
		mm_poly_const(out, (int64_t)c.exact);
		return;
	}
	memset(out, 0, sizeof *out);
	out->den = 1;
	out->approx = true;
	if (c.value != 0.0) {
		out->nterms = 1;
		out->term[0].fcoef = c.value;
	}
}

mm_code mm_poly_sym(mm_poly *out, const char *name, size_t len, mm_diag *d)
{
	if (len == 0)
		return mm_diag_set(d, MM_ERR_VALUE, nospan, "empty symbol name");
	if (len >= MM_POLY_NAME)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "symbol name '%.*s' too long (at most %d bytes)",
		                   (int)len, name, MM_POLY_NAME - 1);
	memset(out, 0, sizeof *out);
	out->den = 1;
	out->nsyms = 1;
	out->nterms = 1;
	memcpy(out->sym[0], name, len);
	out->term[0].coef = 1;
	out->term[0].fcoef = 1.0;
	out->term[0].exp[0] = 1;
	return MM_OK;
}

/* ---- arithmetic ---- */

static mm_code add_sign(mm_poly *out, const mm_poly *a, const mm_poly *b,
                        int sign, mm_diag *d)
{
	static _Thread_local work w;
	wterm tb[MM_POLY_MAX_TERMS];
	bool ovf = false;
	wload(&w, a);
	wmap(&w, a, w.t);
	wmap(&w, b, tb);
	w.approx |= b->approx;
	int64_t g = gcd64(a->den, b->den);
	int64_t ma = b->den / g, mb = a->den / g;
	w.den = cmul(a->den, ma, &ovf);
	for (int i = 0; i < a->nterms; i++)
		w.t[i].c = cmul(w.t[i].c, ma, &ovf);
	w.n = a->nterms;
	for (int i = 0; i < b->nterms; i++) {
		wterm t = tb[i];
		t.c = cmul(t.c, mb * sign, &ovf);
		t.f *= sign;
		w.t[w.n++] = t;
	}
	w.approx |= ovf;
	return wstore(&w, out, d);
}

mm_code mm_poly_add(mm_poly *out, const mm_poly *a, const mm_poly *b,
                    mm_diag *d)
{
	return add_sign(out, a, b, 1, d);
}

mm_code mm_poly_sub(mm_poly *out, const mm_poly *a, const mm_poly *b,
                    mm_diag *d)
{
	return add_sign(out, a, b, -1, d);
}

mm_code mm_poly_mul(mm_poly *out, const mm_poly *a, const mm_poly *b,
                    mm_diag *d)
{
	static _Thread_local work w;
	wterm ta[MM_POLY_MAX_TERMS], tb[MM_POLY_MAX_TERMS];
	bool ovf = false;
	wload(&w, a);
	wmap(&w, a, ta);
	wmap(&w, b, tb);
	w.approx |= b->approx;
	w.den = cmul(a->den, b->den, &ovf);
	w.n = 0;
	for (int i = 0; i < a->nterms; i++)
		for (int j = 0; j < b->nterms; j++) {
			wterm *t = &w.t[w.n++];
			t->c = cmul(ta[i].c, tb[j].c, &ovf);
			t->f = ta[i].f * tb[j].f;
			for (int s = 0; s < w.nsyms; s++)
				t->e[s] = ta[i].e[s] + tb[j].e[s];
		}
	w.approx |= ovf;
	return wstore(&w, out, d);
}

mm_code mm_poly_mul_int(mm_poly *out, const mm_poly *a, int64_t k,
                        mm_diag *d)
{
	mm_poly c;
	mm_poly_const(&c, k);
	return mm_poly_mul(out, a, &c, d);
}

mm_code mm_poly_scale(mm_poly *out, const mm_poly *a, double k, mm_diag *d)
{
	if (!isfinite(k))
		return mm_diag_set(d, MM_ERR_VALUE, nospan,
		                   "a formula times %g", k);
	/* k = p/q exactly for a small q: an exact product */
	for (int64_t q = 1; q <= 1024; q *= 2)
		for (int64_t qq = q; qq <= q * 125 && qq <= 1000000; qq *= 5) {
			double p = k * (double)qq;
			if (p == floor(p) && fabs(p) < 9e15) {
				mm_poly c, den;
				mm_poly_const(&c, (int64_t)p);
				mm_poly_const(&den, qq);
				mm_code r = mm_poly_mul(out, a, &c, d);
				return r == MM_OK && qq > 1 ? mm_poly_div(out, out, &den, d)
				                            : r;
			}
		}
	/* otherwise approximate: double coefficients */
	mm_poly r = *a;
	for (int i = 0; i < r.nterms; i++) {
		r.term[i].fcoef = (r.approx ? r.term[i].fcoef
		                            : (double)r.term[i].coef / (double)r.den) * k;
		r.term[i].coef = 0;
	}
	r.approx = true;
	r.den = 1;
	*out = r;
	return MM_OK;
}

/* a divided by term bi of b (with b's denominator). */
static mm_code div_term(mm_poly *out, const mm_poly *a, const mm_poly *b,
                        int bi, mm_diag *d)
{
	static _Thread_local work w;
	wterm tb[MM_POLY_MAX_TERMS];
	bool ovf = false;
	wload(&w, a);
	wmap(&w, a, w.t);
	wmap(&w, b, tb);
	w.approx |= b->approx;
	w.n = a->nterms;
	const wterm *t = &tb[bi];
	/* a / (c·m / D) = (a · D / m) / c: c moves into the denominator. */
	w.den = cmul(a->den, t->c, &ovf);
	for (int i = 0; i < w.n; i++) {
		w.t[i].c = cmul(w.t[i].c, b->den, &ovf);
		w.t[i].f /= t->f;
		for (int s = 0; s < w.nsyms; s++)
			w.t[i].e[s] -= t->e[s];
	}
	w.approx |= ovf;
	return wstore(&w, out, d);
}

mm_code mm_poly_div(mm_poly *out, const mm_poly *a, const mm_poly *b,
                    mm_diag *d)
{
	if (b->nterms == 0)
		return mm_diag_set(d, MM_ERR_VALUE, nospan, "division by zero");
	if (b->nterms == 1)
		return div_term(out, a, b, 0, d);
	if (a->nterms == 0) {
		mm_poly_const(out, 0);
		return MM_OK;
	}
	/* A sum divides only when the quotient is one term: then a's first
	 * term is that term times one of b's terms. */
	for (int j = 0; j < b->nterms; j++) {
		mm_poly lead = *a, q, back;
		lead.nterms = 1;
		if (div_term(&q, &lead, b, j, NULL) != MM_OK)
			continue;
		if (mm_poly_mul(&back, &q, b, NULL) == MM_OK &&
		    mm_poly_eq(&back, a)) {
			*out = q;
			return MM_OK;
		}
	}
	mm_buf num = MM_BUF_INIT, den = MM_BUF_INIT;
	mm_poly_print(&num, a, MM_POLY_ASCII);
	mm_poly_print(&den, b, MM_POLY_ASCII);
	mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
	            "cannot divide %s by the sum %s", mm_buf_str(&num),
	            mm_buf_str(&den));
	mm_diag_hint(d, "a dimension may be divided by a product of symbols "
	                "and integers, like d/h or n/2");
	mm_buf_free(&num);
	mm_buf_free(&den);
	return MM_ERR_UNSUPPORTED;
}

mm_code mm_poly_pow(mm_poly *out, const mm_poly *a, unsigned k, mm_diag *d)
{
	if (k > 64)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "power %u too large (at most 64)", k);
	mm_poly r;
	mm_poly_const(&r, 1);
	for (unsigned i = 0; i < k; i++) {
		mm_code c = mm_poly_mul(&r, &r, a, d);
		if (c != MM_OK)
			return c;
	}
	*out = r;
	return MM_OK;
}

/* ---- inspection ---- */

bool mm_poly_eq(const mm_poly *a, const mm_poly *b)
{
	if (a->approx != b->approx || a->nterms != b->nterms ||
	    a->nsyms != b->nsyms || a->den != b->den)
		return false;
	int map[MM_POLY_MAX_SYMS];
	for (int s = 0; s < a->nsyms; s++) {
		map[s] = -1;
		for (int r = 0; r < b->nsyms; r++)
			if (strcmp(a->sym[s], b->sym[r]) == 0)
				map[s] = r;
		if (map[s] < 0)
			return false;
	}
	/* Terms are distinct monomials, so one match per term of a is a
	 * bijection. */
	for (int i = 0; i < a->nterms; i++) {
		const mm_poly_term *ta = &a->term[i];
		bool found = false;
		for (int j = 0; j < b->nterms && !found; j++) {
			const mm_poly_term *tb = &b->term[j];
			if (a->approx ? ta->fcoef != tb->fcoef : ta->coef != tb->coef)
				continue;
			found = true;
			for (int s = 0; s < a->nsyms; s++)
				if (ta->exp[s] != tb->exp[map[s]])
					found = false;
		}
		if (!found)
			return false;
	}
	return true;
}

bool mm_poly_is_zero(const mm_poly *p) { return p->nterms == 0; }

bool mm_poly_is_const(const mm_poly *p) { return p->nsyms == 0; }

bool mm_poly_get_const(const mm_poly *p, int64_t *out)
{
	if (p->nsyms != 0 || p->approx || p->den != 1)
		return false;
	if (out)
		*out = p->nterms ? p->term[0].coef : 0;
	return true;
}

bool mm_poly_get_count(const mm_poly *p, mm_count *out)
{
	if (p->nsyms != 0)
		return false;
	if (p->approx) {
		double v = p->nterms ? p->term[0].fcoef : 0.0;
		if (!(v >= 0.0) || v != floor(v))
			return false;
		if (out)
			*out = mm_count_approx(v);
		return true;
	}
	int64_t v;
	if (!mm_poly_get_const(p, &v) || v < 0)
		return false;
	if (out)
		*out = mm_count_of((uint64_t)v);
	return true;
}

bool mm_poly_is_integral(const mm_poly *p)
{
	if (p->approx || p->den != 1)
		return false;
	for (int i = 0; i < p->nterms; i++)
		for (int s = 0; s < p->nsyms; s++)
			if (p->term[i].exp[s] < 0)
				return false;
	return true;
}

size_t mm_poly_nsyms(const mm_poly *p) { return p->nsyms; }

const char *mm_poly_sym_name(const mm_poly *p, size_t i)
{
	return i < p->nsyms ? p->sym[i] : NULL;
}

bool mm_poly_has_sym(const mm_poly *p, const char *name)
{
	for (int s = 0; s < p->nsyms; s++)
		if (strcmp(p->sym[s], name) == 0)
			return true;
	return false;
}

int64_t mm_poly_content(const mm_poly *p, mm_poly *rest)
{
	int64_t g = 0;
	if (!p->approx)
		for (int i = 0; i < p->nterms; i++)
			g = gcd64(g, p->term[i].coef);
	if (g == 0)
		g = 1;
	else if (p->term[0].coef < 0)
		g = -g;
	if (rest) {
		*rest = *p;
		for (int i = 0; i < p->nterms && !p->approx; i++) {
			rest->term[i].coef = p->term[i].coef / g;
			rest->term[i].fcoef = (double)rest->term[i].coef /
			                      (double)rest->den;
		}
	}
	return g;
}

mm_code mm_poly_common_factor(const mm_poly *p, bool denominators,
                              mm_poly *factor, mm_poly *rest, mm_diag *d)
{
	int64_t g = mm_poly_content(p, NULL);
	mm_poly f, q;
	mm_poly_const(&f, g < 0 ? -g : g);
	for (int j = 0; j < p->nsyms && p->nterms > 0; j++) {
		int lo = p->term[0].exp[j];
		for (int i = 1; i < p->nterms; i++)
			lo = p->term[i].exp[j] < lo ? p->term[i].exp[j] : lo;
		if (lo == 0 || (lo < 0 && !denominators))
			continue;
		mm_poly s;
		mm_code rc = mm_poly_sym(&s, p->sym[j], strlen(p->sym[j]), d);
		for (int e = lo < 0 ? -lo : lo; e > 0 && rc == MM_OK; e--)
			rc = lo > 0 ? mm_poly_mul(&f, &f, &s, d)
			            : mm_poly_div(&f, &f, &s, d);
		if (rc != MM_OK)
			return rc;
	}
	if (rest) {
		mm_code rc = mm_poly_div(&q, p, &f, d);
		if (rc != MM_OK)
			return rc;
		*rest = q;
	}
	*factor = f;
	return MM_OK;
}

bool mm_poly_nonneg(const mm_poly *p, int64_t lo)
{
	if (lo < 0)
		return false;
	/* positive symbols make every term of a positive coefficient
	 * positive: an approximate polynomial is decided so, or not at all */
	bool pos = true;
	for (int i = 0; i < p->nterms; i++)
		pos &= p->approx ? p->term[i].fcoef >= 0 : p->term[i].coef >= 0;
	if (pos || p->approx)
		return pos;
	mm_poly sum, term, shifted[MM_POLY_MAX_SYMS], c;
	mm_poly_const(&sum, 0);
	mm_poly_const(&c, lo);
	for (int s = 0; s < p->nsyms; s++) {
		mm_poly x;
		if (mm_poly_sym(&x, p->sym[s], strlen(p->sym[s]), NULL) != MM_OK ||
		    mm_poly_add(&shifted[s], &x, &c, NULL) != MM_OK)
			return false;
	}
	for (int i = 0; i < p->nterms; i++) {
		mm_poly_const(&term, p->term[i].coef);
		for (int s = 0; s < p->nsyms; s++) {
			int e = p->term[i].exp[s];
			mm_poly f;
			if (e < 0)
				return false;
			if (e > 0 && (mm_poly_pow(&f, &shifted[s], (unsigned)e, NULL) !=
			                      MM_OK ||
			              mm_poly_mul(&term, &term, &f, NULL) != MM_OK))
				return false;
		}
		if (mm_poly_add(&sum, &sum, &term, NULL) != MM_OK)
			return false;
	}
	if (sum.approx)
		return false;
	for (int i = 0; i < sum.nterms; i++)
		if (sum.term[i].coef < 0)
			return false;
	return true;
}

/* ---- substitution and evaluation ---- */

mm_code mm_poly_subst(mm_poly *out, const mm_poly *p, mm_poly_lookup lookup,
                      void *ctx, mm_diag *d)
{
	static _Thread_local work w;
	bool ovf = false;
	wload(&w, p);
	wmap(&w, p, w.t);
	w.n = p->nterms;
	for (int s = 0; s < w.nsyms && lookup; s++) {
		int64_t v;
		if (!lookup(ctx, w.sym[s], &v))
			continue;
		/* A negative exponent -E multiplies the common denominator by
		 * v^E and every term by v^E, keeping integer coefficients. */
		int emax = 0;
		for (int i = 0; i < w.n; i++)
			if (-w.t[i].e[s] > emax)
				emax = -w.t[i].e[s];
		if (v == 0 && emax > 0)
			return mm_diag_set(d, MM_ERR_VALUE, nospan,
			                   "division by zero: %s is 0", w.sym[s]);
		w.den = cmul(w.den, ipow(v, emax, &ovf), &ovf);
		for (int i = 0; i < w.n; i++) {
			w.t[i].c = cmul(w.t[i].c, ipow(v, w.t[i].e[s] + emax, &ovf),
			                &ovf);
			w.t[i].f *= pow((double)v, w.t[i].e[s]);
			w.t[i].e[s] = 0;
		}
	}
	w.approx |= ovf;
	return wstore(&w, out, d);
}

mm_code mm_poly_eval(const mm_poly *p, mm_poly_lookup lookup, void *ctx,
                     mm_count *out, mm_diag *d)
{
	mm_poly v;
	mm_code c = mm_poly_subst(&v, p, lookup, ctx, d);
	if (c != MM_OK)
		return c;
	if (v.nsyms > 0) {
		mm_diag_set(d, MM_ERR_NAME, nospan, "%s has no value", v.sym[0]);
		mm_diag_hint(d, "bind it first (%s = 1024) or add `where %s=...`",
		             v.sym[0], v.sym[0]);
		return MM_ERR_NAME;
	}
	if (v.approx) {
		double f = v.nterms ? v.term[0].fcoef : 0.0;
		if (f < 0)
			return mm_diag_set(d, MM_ERR_VALUE, nospan,
			                   "value is negative (~%g)", f);
		*out = mm_count_approx(f);
		return MM_OK;
	}
	int64_t n = v.nterms ? v.term[0].coef : 0;
	if (v.den != 1)
		return mm_diag_set(d, MM_ERR_VALUE, nospan,
		                   "value is not an integer (%lld/%lld)",
		                   (long long)n, (long long)v.den);
	if (n < 0)
		return mm_diag_set(d, MM_ERR_VALUE, nospan,
		                   "value is negative (%lld)", (long long)n);
	*out = mm_count_of((uint64_t)n);
	return MM_OK;
}

