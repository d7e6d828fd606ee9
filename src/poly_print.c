/* poly_print.c — polynomials as text: printing in the human and ASCII
 * forms, and parsing either form back. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/poly.h"

/* ---- printing ---- */

static const char *const sup[10] = {"⁰", "¹", "²", "³", "⁴",
                                    "⁵", "⁶", "⁷", "⁸", "⁹"};

static void put_exp(mm_buf *b, int e, bool ascii)
{
	if (e == 1)
		return;
	if (ascii) {
		mm_buf_printf(b, "^%d", e);
		return;
	}
	char t[16];
	snprintf(t, sizeof t, "%d", e);
	for (const char *c = t; *c; c++)
		mm_buf_puts(b, sup[*c - '0']);
}

/* One term: "coef·x·y²/(den·z)". coef is "" for a unit coefficient. */
static void put_term(mm_buf *b, const mm_poly *p, int i, const char *coef,
                     int64_t den, bool ascii)
{
	const char *dot = ascii ? "*" : "·";
	const int8_t *e = p->term[i].exp;
	int nnum = 0, nden = den > 1;
	if (*coef) {
		mm_buf_puts(b, coef);
		nnum++;
	}
	for (int s = 0; s < p->nsyms; s++) {
		if (e[s] > 0) {
			if (nnum++)
				mm_buf_puts(b, dot);
			mm_buf_puts(b, p->sym[s]);
			put_exp(b, e[s], ascii);
		}
		nden += e[s] < 0;
	}
	if (nnum == 0)
		mm_buf_putc(b, '1');
	if (nden == 0)
		return;
	mm_buf_putc(b, '/');
	if (nden > 1)
		mm_buf_putc(b, '(');
	int k = 0;
	if (den > 1) {
		mm_buf_printf(b, "%lld", (long long)den);
		k++;
	}
	for (int s = 0; s < p->nsyms; s++)
		if (e[s] < 0) {
			if (k++)
				mm_buf_puts(b, dot);
			mm_buf_puts(b, p->sym[s]);
			put_exp(b, -e[s], ascii);
		}
	if (nden > 1)
		mm_buf_putc(b, ')');
}

static bool has_num_syms(const mm_poly *p, int i)
{
	for (int s = 0; s < p->nsyms; s++)
		if (p->term[i].exp[s] > 0)
			return true;
	return false;
}

/* |coefficient| of term i divided by factor, "" when it is 1 and a symbol
 * follows. */
static void coef_text(const mm_poly *p, int i, int64_t factor, char *t,
                      size_t cap)
{
	if (p->approx) {
		double f = fabs(p->term[i].fcoef);
		if (f == 1.0 && has_num_syms(p, i)) {
			t[0] = '\0';
			return;
		}
		char g[48];
		snprintf(g, sizeof g, "%.6g", f);
		/* "2e+36" -> "2e36", "1e-05" -> "1e-5": parseable and short. */
		char *x = strchr(g, 'e');
		if (x) {
			char *y = x + 1, *o = x + 1;
			if (*y == '-')
				*o++ = *y++;
			else if (*y == '+')
				y++;
			while (*y == '0' && y[1])
				y++;
			memmove(o, y, strlen(y) + 1);
		}
		snprintf(t, cap, "%s", g);
		return;
	}
	int64_t c = p->term[i].coef / factor;
	if (c < 0)
		c = -c;
	if (c == 1 && has_num_syms(p, i))
		t[0] = '\0';
	else
		snprintf(t, cap, "%lld", (long long)c);
}

static bool term_negative(const mm_poly *p, int i, int64_t factor)
{
	return p->approx ? p->term[i].fcoef < 0 : p->term[i].coef / factor < 0;
}

/* The terms of p over factor, in canonical order; when the first term
 * is negative and another is not, the positive terms first, so that
 * 2·q·s + q − q² reads before −q² + 2·q·s + q. */
static void put_sum(mm_buf *b, const mm_poly *p, int64_t factor, bool ascii)
{
	char t[48];
	bool any_pos = false;
	for (int i = 0; i < p->nterms; i++)
		any_pos |= !term_negative(p, i, factor);
	bool split = any_pos && term_negative(p, 0, factor);
	int k = 0;
	for (int pass = 0; pass < (split ? 2 : 1); pass++)
		for (int i = 0; i < p->nterms; i++) {
			bool neg = term_negative(p, i, factor);
			if (split && neg != (pass == 1))
				continue;
			if (k == 0 && neg)
				mm_buf_putc(b, '-');
			else if (k > 0)
				mm_buf_puts(b, neg ? " - " : " + ");
			coef_text(p, i, factor, t, sizeof t);
			put_term(b, p, i, t, 1, ascii);
			k++;
		}
}

void mm_poly_print(mm_buf *b, const mm_poly *p, unsigned flags)
{
	bool ascii = flags & MM_POLY_ASCII;
	const char *dot = ascii ? "*" : "·";
	if (p->nterms == 0) {
		mm_buf_putc(b, '0');
		return;
	}
	if (p->approx && !ascii)
		mm_buf_putc(b, '~');
	if (p->nterms == 1) {
		char t[48];
		if (term_negative(p, 0, 1))
			mm_buf_putc(b, '-');
		coef_text(p, 0, 1, t, sizeof t);
		put_term(b, p, 0, t, p->den, ascii);
		return;
	}
	/* A divisor common to every term (the least negative exponent of
	 * each symbol, when all are negative) moves under the whole sum:
	 * (n + 1)/(2·h), not (n/h + 1/h)/2. Shifting every term by the same
	 * monomial keeps the canonical order. */
	mm_poly q = *p;
	int common[MM_POLY_MAX_SYMS];
	int nden = q.den > 1;
	for (int s = 0; s < q.nsyms; s++) {
		common[s] = 0;
		for (int i = 0; i < q.nterms; i++)
			if (i == 0 || q.term[i].exp[s] > common[s])
				common[s] = q.term[i].exp[s];
		if (common[s] > 0)
			common[s] = 0;
		for (int i = 0; i < q.nterms; i++)
			q.term[i].exp[s] = (int8_t)(q.term[i].exp[s] - common[s]);
		nden += common[s] < 0;
	}
	int64_t g = 1;
	if (!(flags & MM_POLY_EXPAND))
		g = mm_poly_content(&q, NULL);
	/* a negative content only when every term is negative */
	if (g < 0)
		for (int i = 0; i < q.nterms; i++)
			if (!term_negative(&q, i, 1)) {
				g = -g;
				break;
			}
	if (g > 1 || g < -1) {
		mm_buf_printf(b, "%lld%s(", (long long)g, dot);
		put_sum(b, &q, g, ascii);
		mm_buf_putc(b, ')');
	} else if (nden > 0) {
		mm_buf_putc(b, '(');
		put_sum(b, &q, 1, ascii);
		mm_buf_putc(b, ')');
	} else {
		put_sum(b, &q, 1, ascii);
	}
	if (nden == 0)
		return;
	mm_buf_putc(b, '/');
	if (nden > 1)
		mm_buf_putc(b, '(');
	int k = 0;
	if (q.den > 1) {
		mm_buf_printf(b, "%lld", (long long)q.den);
		k++;
	}
	for (int s = 0; s < q.nsyms; s++)
		if (common[s] < 0) {
			if (k++)
				mm_buf_puts(b, dot);
			mm_buf_puts(b, q.sym[s]);
			put_exp(b, -common[s], ascii);
		}
	if (nden > 1)
		mm_buf_putc(b, ')');
}

/* ---- parsing ---- */

typedef struct pstate {
	const char *s;
	size_t len, pos;
	int depth;
	mm_diag *d;
} pstate;

static void skip_ws(pstate *ps)
{
	while (ps->pos < ps->len &&
	       (ps->s[ps->pos] == ' ' || ps->s[ps->pos] == '\t'))
		ps->pos++;
}

/* Consumes tok when the text continues with it. */
static bool eat(pstate *ps, const char *tok)
{
	size_t n = strlen(tok);
	if (ps->len - ps->pos >= n && memcmp(ps->s + ps->pos, tok, n) == 0) {
		ps->pos += n;
		return true;
	}
	return false;
}

static mm_code perr(pstate *ps, size_t start, const char *what)
{
	size_t end = start < ps->len ? start + 1 : start;
	mm_span sp = {(uint32_t)start, (uint32_t)end};
	if (start >= ps->len)
		return mm_diag_set(ps->d, MM_ERR_SYNTAX, sp,
		                   "expected %s at the end", what);
	return mm_diag_set(ps->d, MM_ERR_SYNTAX, sp, "expected %s at '%.*s'",
	                   what, (int)(ps->len - start > 8 ? 8 : ps->len - start),
	                   ps->s + start);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_name(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && is_digit(c));
}

static mm_code p_sum(pstate *ps, mm_poly *out);

/* INT | NUMBER | NAME | '(' sum ')' */
static mm_code p_primary(pstate *ps, mm_poly *out)
{
	skip_ws(ps);
	size_t start = ps->pos;
	if (eat(ps, "(")) {
		mm_code r = p_sum(ps, out);
		if (r != MM_OK)
			return r;
		skip_ws(ps);
		return eat(ps, ")") ? MM_OK : perr(ps, ps->pos, "')'");
	}
	if (ps->pos < ps->len && is_name(ps->s[ps->pos], true)) {
		while (ps->pos < ps->len && is_name(ps->s[ps->pos], false))
			ps->pos++;
		mm_code r = mm_poly_sym(out, ps->s + start, ps->pos - start, ps->d);
		if (r != MM_OK && ps->d)
			ps->d->span = (mm_span){(uint32_t)start, (uint32_t)ps->pos};
		return r;
	}
	if (ps->pos >= ps->len || !is_digit(ps->s[ps->pos]))
		return perr(ps, start, "a number, a name or '('");
	bool real = false;
	while (ps->pos < ps->len && is_digit(ps->s[ps->pos]))
		ps->pos++;
	if (ps->pos + 1 < ps->len && ps->s[ps->pos] == '.' &&
	    is_digit(ps->s[ps->pos + 1])) {
		real = true;
		ps->pos++;
		while (ps->pos < ps->len && is_digit(ps->s[ps->pos]))
			ps->pos++;
	}
	if (ps->pos < ps->len && (ps->s[ps->pos] == 'e' || ps->s[ps->pos] == 'E')) {
		size_t q = ps->pos + 1;
		if (q < ps->len && (ps->s[q] == '+' || ps->s[q] == '-'))
			q++;
		if (q < ps->len && is_digit(ps->s[q])) {
			real = true;
			ps->pos = q;
			while (ps->pos < ps->len && is_digit(ps->s[ps->pos]))
				ps->pos++;
		}
	}
	char num[64];
	size_t n = ps->pos - start;
	if (n >= sizeof num)
		return perr(ps, start, "a shorter number");
	memcpy(num, ps->s + start, n);
	num[n] = '\0';
	if (!real) {
		char *end;
		errno = 0;
		long long v = strtoll(num, &end, 10);
		if (errno == 0) {
			mm_poly_const(out, (int64_t)v);
			return MM_OK;
		}
	}
	mm_poly_from_count(out, mm_count_from_double(strtod(num, NULL)));
	return MM_OK;
}

/* A run of superscript digits, or -1 when there is none. */
static long superscript(pstate *ps)
{
	long v = -1;
	for (;;) {
		int digit = -1;
		for (int k = 0; k < 10 && digit < 0; k++)
			if (eat(ps, sup[k]))
				digit = k;
		if (digit < 0)
			return v;
		v = (v < 0 ? 0 : v) * 10 + digit;
		if (v > 1000)
			v = 1000;
	}
}

/* ('-' | '+') factor | primary ('^' INT | SUPERSCRIPTS)? */
static mm_code p_factor(pstate *ps, mm_poly *out)
{
	if (++ps->depth > 64)
		return mm_diag_set(ps->d, MM_ERR_LIMIT,
		                   (mm_span){(uint32_t)ps->pos, (uint32_t)ps->pos},
		                   "expression nested too deeply");
	skip_ws(ps);
	mm_code r;
	if (eat(ps, "-")) {
		r = p_factor(ps, out);
		if (r == MM_OK)
			r = mm_poly_mul_int(out, out, -1, ps->d);
	} else if (eat(ps, "+")) {
		r = p_factor(ps, out);
	} else {
		r = p_primary(ps, out);
		if (r == MM_OK) {
			skip_ws(ps);
			size_t at = ps->pos;
			long e = -1;
			if (eat(ps, "^")) {
				skip_ws(ps);
				at = ps->pos;
				if (ps->pos < ps->len && is_digit(ps->s[ps->pos])) {
					e = 0;
					while (ps->pos < ps->len && is_digit(ps->s[ps->pos])) {
						e = e * 10 + (ps->s[ps->pos++] - '0');
						if (e > 1000)
							e = 1000;
					}
				} else {
					r = perr(ps, at, "an integer exponent");
				}
			} else {
				e = superscript(ps);
			}
			if (r == MM_OK && e >= 0) {
				r = mm_poly_pow(out, out, (unsigned)e, ps->d);
				if (r != MM_OK && ps->d)
					ps->d->span = (mm_span){(uint32_t)at,
					                        (uint32_t)ps->pos};
			}
		}
	}
	ps->depth--;
	return r;
}

/* factor (('*' | '·' | '/') factor)* */
static mm_code p_term(pstate *ps, mm_poly *out)
{
	mm_code r = p_factor(ps, out);
	while (r == MM_OK) {
		skip_ws(ps);
		bool div;
		if (eat(ps, "*") || eat(ps, "·"))
			div = false;
		else if (eat(ps, "/"))
			div = true;
		else
			break;
		mm_poly rhs;
		r = p_factor(ps, &rhs);
		if (r == MM_OK)
			r = div ? mm_poly_div(out, out, &rhs, ps->d)
			        : mm_poly_mul(out, out, &rhs, ps->d);
	}
	return r;
}

/* term (('+' | '-') term)* */
static mm_code p_sum(pstate *ps, mm_poly *out)
{
	mm_code r = p_term(ps, out);
	while (r == MM_OK) {
		skip_ws(ps);
		bool minus;
		if (eat(ps, "+"))
			minus = false;
		else if (eat(ps, "-"))
			minus = true;
		else
			break;
		mm_poly rhs;
		r = p_term(ps, &rhs);
		if (r == MM_OK)
			r = minus ? mm_poly_sub(out, out, &rhs, ps->d)
			          : mm_poly_add(out, out, &rhs, ps->d);
	}
	return r;
}

mm_code mm_poly_parse(mm_poly *out, const char *text, size_t len,
                      mm_diag *d)
{
	pstate ps = {text, len, 0, 0, d};
	skip_ws(&ps);
	eat(&ps, "~");
	mm_poly p;
	mm_code r = p_sum(&ps, &p);
	if (r != MM_OK)
		return r;
	skip_ws(&ps);
	if (ps.pos != len)
		return perr(&ps, ps.pos, "an operator or the end");
	*out = p;
	return MM_OK;
}
