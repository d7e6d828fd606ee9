/* test-poly.c — symbolic dimensions: canonical form, algebra, printing. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/poly.h"

static mm_poly S(const char *name)
{
	mm_poly p;
	ck_assert_int_eq(mm_poly_sym(&p, name, strlen(name), NULL), MM_OK);
	return p;
}

static mm_poly C(int64_t c)
{
	mm_poly p;
	mm_poly_const(&p, c);
	return p;
}

static mm_poly add(mm_poly a, mm_poly b)
{
	ck_assert_int_eq(mm_poly_add(&a, &a, &b, NULL), MM_OK);
	return a;
}

static mm_poly sub(mm_poly a, mm_poly b)
{
	ck_assert_int_eq(mm_poly_sub(&a, &a, &b, NULL), MM_OK);
	return a;
}

static mm_poly mul(mm_poly a, mm_poly b)
{
	ck_assert_int_eq(mm_poly_mul(&a, &a, &b, NULL), MM_OK);
	return a;
}

static mm_poly quo(mm_poly a, mm_poly b)
{
	mm_diag d;
	mm_diag_clear(&d);
	ck_assert_msg(mm_poly_div(&a, &a, &b, &d) == MM_OK, "%s", d.message);
	return a;
}

static mm_poly pw(mm_poly a, unsigned k)
{
	ck_assert_int_eq(mm_poly_pow(&a, &a, k, NULL), MM_OK);
	return a;
}

/* Prints p with flags and compares with want. */
static void expect(const mm_poly *p, unsigned flags, const char *want)
{
	mm_buf b = MM_BUF_INIT;
	mm_poly_print(&b, p, flags);
	ck_assert_str_eq(mm_buf_str(&b), want);
	mm_buf_free(&b);
}

START_TEST(matmul_cost_reads_naturally)
{
	/* (n x d) @ (d x d): 2·m·k·n with m = n, k = d, n = d. */
	mm_poly n = S("n"), d = S("d");
	mm_poly flops = mul(mul(mul(C(2), n), d), d);
	expect(&flops, 0, "2·n·d²");
	expect(&flops, MM_POLY_ASCII, "2*n*d^2");
	/* Bytes at f32: 4·(n·d + d·d + n·d). */
	mm_poly elems = add(add(mul(n, d), mul(d, d)), mul(n, d));
	mm_poly bytes = mul(C(4), elems);
	expect(&bytes, 0, "4·(2·n·d + d²)");
	expect(&bytes, MM_POLY_ASCII, "4*(2*n*d + d^2)");
	expect(&bytes, MM_POLY_EXPAND, "8·n·d + 4·d²");
	expect(&bytes, MM_POLY_EXPAND | MM_POLY_ASCII, "8*n*d + 4*d^2");
}
END_TEST

START_TEST(canonical_and_equality)
{
	mm_poly n = S("n"), d = S("d");
	/* d·n·d keeps d first (its first appearance) and combines to d²·n. */
	mm_poly dnd = mul(mul(d, n), d);
	expect(&dnd, 0, "d²·n");
	mm_poly ndd = mul(n, mul(d, d));
	ck_assert(mm_poly_eq(&dnd, &ndd));
	ck_assert(!mm_poly_eq(&dnd, &n));
	/* Terms: degree first, then the first symbol's exponent. */
	mm_poly nd2 = add(n, mul(d, d));
	expect(&nd2, 0, "d² + n");
	mm_poly p = add(add(C(1), n), mul(n, n));
	expect(&p, 0, "n² + n + 1");
	mm_poly q = add(mul(n, n), add(n, C(1)));
	ck_assert(mm_poly_eq(&p, &q));
	ck_assert_mem_eq(&p, &q, sizeof p); /* same order of symbols: same bytes */
	/* Cancellation removes terms and symbols. */
	mm_poly r = sub(add(n, d), d);
	ck_assert(mm_poly_eq(&r, &n));
	ck_assert_uint_eq(mm_poly_nsyms(&r), 1);
	ck_assert_str_eq(mm_poly_sym_name(&r, 0), "n");
	mm_poly z = sub(mul(n, d), mul(d, n));
	ck_assert(mm_poly_is_zero(&z));
	ck_assert(mm_poly_is_const(&z));
	expect(&z, 0, "0");
	int64_t v = -1;
	ck_assert(mm_poly_get_const(&z, &v));
	ck_assert_int_eq(v, 0);
	ck_assert(mm_poly_has_sym(&p, "n"));
	ck_assert(!mm_poly_has_sym(&p, "d"));
}
END_TEST

START_TEST(signs_and_content)
{
	mm_poly n = S("n");
	mm_poly a = sub(n, C(1));
	expect(&a, 0, "n - 1");
	mm_poly b = sub(C(1), n);
	expect(&b, 0, "1 - n");
	mm_poly c = sub(mul(C(-2), n), C(2));
	expect(&c, 0, "-2·(n + 1)");
	expect(&c, MM_POLY_EXPAND, "-2·n - 2");
	mm_poly rest;
	ck_assert_int_eq(mm_poly_content(&c, &rest), -2);
	mm_poly want = add(n, C(1));
	ck_assert(mm_poly_eq(&rest, &want));
	mm_poly m = mul(C(-3), n);
	expect(&m, 0, "-3·n");
	mm_poly k = C(-7);
	expect(&k, 0, "-7");
}
END_TEST

START_TEST(reorder)
{
	mm_poly a = S("a"), b = S("b"), c = S("c"), e = S("e");
	/* built outer product first: the table is a, c, e, b */
	mm_poly p = add(mul(mul(a, c), e), mul(mul(a, c), b));
	mm_poly was = p;
	expect(&p, MM_POLY_EXPAND, "a·c·e + a·c·b");
	const char *order[] = {"a", "b", "c", "e", "z"};
	mm_poly_reorder(&p, order, 5);
	expect(&p, MM_POLY_EXPAND, "a·b·c + a·c·e");
	ck_assert(mm_poly_eq(&p, &was)); /* the same value */
	/* symbols not named keep their place after the named ones */
	mm_poly q = add(mul(S("n"), pw(S("d"), 2)), mul(S("k"), S("d")));
	const char *od[] = {"d"};
	mm_poly_reorder(&q, od, 1);
	expect(&q, 0, "d²·n + d·k");
}
END_TEST

START_TEST(common_factor)
{
	mm_poly n = S("n"), d = S("d"), r = S("r"), h = S("h"), f, rest;
	/* 4·n·d·r - 2·n·d² - 2·d²·r = 2·d · (2·n·r - n·d - d·r) */
	mm_poly p = sub(sub(mul(C(4), mul(mul(n, d), r)), mul(C(2), mul(n, pw(d, 2)))),
	                mul(C(2), mul(pw(d, 2), r)));
	ck_assert_int_eq(mm_poly_common_factor(&p, false, &f, &rest, NULL), MM_OK);
	expect(&f, 0, "2·d");
	expect(&rest, MM_POLY_EXPAND, "2·n·r - n·d - d·r");
	/* a divisor every term has: kept unless denominators are cleared */
	mm_poly q = add(quo(mul(n, d), h), quo(d, h)); /* (n·d + d)/h */
	ck_assert_int_eq(mm_poly_common_factor(&q, false, &f, &rest, NULL), MM_OK);
	expect(&f, 0, "d");
	ck_assert_int_eq(mm_poly_common_factor(&q, true, &f, &rest, NULL), MM_OK);
	expect(&f, 0, "d/h");
	expect(&rest, 0, "n + 1");
	/* nothing shared: 1, and the rest is p */
	mm_poly u = add(n, C(3));
	ck_assert_int_eq(mm_poly_common_factor(&u, true, &f, &rest, NULL), MM_OK);
	expect(&f, 0, "1");
	ck_assert(mm_poly_eq(&rest, &u));
}
END_TEST

START_TEST(division)
{
	mm_poly n = S("n"), d = S("d"), h = S("h"), k = S("k");
	/* Exact: 2·n·d / d = 2·n. */
	mm_poly q = quo(mul(mul(C(2), n), d), d);
	mm_poly want = mul(C(2), n);
	ck_assert(mm_poly_eq(&q, &want));
	ck_assert(mm_poly_is_integral(&q));
	/* Kept symbolic: d/h. */
	mm_poly dh = quo(d, h);
	expect(&dh, 0, "d/h");
	expect(&dh, MM_POLY_ASCII, "d/h");
	ck_assert(!mm_poly_is_integral(&dh));
	/* (d/h)·h = d. */
	mm_poly back = mul(dh, h);
	ck_assert(mm_poly_eq(&back, &d));
	mm_poly e = quo(mul(n, d), mul(h, h));
	expect(&e, 0, "n·d/h²");
	expect(&e, MM_POLY_ASCII, "n*d/h^2");
	mm_poly f = quo(d, mul(h, k));
	expect(&f, 0, "d/(h·k)");
	expect(&f, MM_POLY_ASCII, "d/(h*k)");
	mm_poly g = quo(C(1), h);
	expect(&g, 0, "1/h");
	/* Integer divisors: n/2, (n + 1)/2, and 2·n + 2 over 2 is exact. */
	mm_poly n2 = quo(n, C(2));
	expect(&n2, 0, "n/2");
	mm_poly n12 = quo(add(n, C(1)), C(2));
	expect(&n12, 0, "(n + 1)/2");
	expect(&n12, MM_POLY_ASCII, "(n + 1)/2");
	mm_poly ex = quo(add(mul(C(2), n), C(2)), C(2));
	want = add(n, C(1));
	ck_assert(mm_poly_eq(&ex, &want));
	mm_poly nh2 = quo(n, mul(C(2), h));
	expect(&nh2, 0, "n/(2·h)");
	/* A divisor of every term goes under the whole sum. */
	mm_poly s2 = quo(add(mul(C(6), n), C(6)), mul(C(4), h));
	expect(&s2, 0, "3·(n + 1)/(2·h)");
	expect(&s2, MM_POLY_EXPAND | MM_POLY_ASCII, "(3*n + 3)/(2*h)");
	mm_poly sq = quo(pw(add(n, d), 2), mul(C(6), k));
	expect(&sq, 0, "(n² + 2·n·d + d²)/(6·k)");
	mm_poly part = add(quo(n, h), quo(d, mul(h, h)));
	expect(&part, 0, "(n + d/h)/h");
	mm_poly n3 = quo(mul(C(3), n), C(6));
	expect(&n3, 0, "n/2");
	/* n/2 + n/2 = n. */
	mm_poly sum = add(n2, n2);
	ck_assert(mm_poly_eq(&sum, &n));
	/* (2·n·d + 2·d) / (n + 1) = 2·d: a sum divides when the quotient is
	 * one term. */
	mm_poly s = quo(add(mul(mul(C(2), n), d), mul(C(2), d)), add(n, C(1)));
	want = mul(C(2), d);
	ck_assert(mm_poly_eq(&s, &want));
	/* n / (n + 1) is not supported; division by zero is an error. */
	mm_diag dg;
	mm_poly out = C(5), np1 = add(n, C(1)), zero = C(0);
	ck_assert_int_eq(mm_poly_div(&out, &n, &np1, &dg), MM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(dg.message, "n + 1"));
	ck_assert_int_eq(mm_poly_div(&out, &n, &zero, &dg), MM_ERR_VALUE);
	want = C(5);
	ck_assert(mm_poly_eq(&out, &want)); /* unchanged on error */
}
END_TEST

START_TEST(powers)
{
	mm_poly n = S("n");
	mm_poly sq = pw(add(n, C(1)), 2);
	expect(&sq, 0, "n² + 2·n + 1");
	mm_poly cube = pw(sub(n, C(1)), 3);
	expect(&cube, MM_POLY_ASCII, "n^3 - 3*n^2 + 3*n - 1");
	mm_poly one = pw(n, 0);
	int64_t v;
	ck_assert(mm_poly_get_const(&one, &v));
	ck_assert_int_eq(v, 1);
	mm_poly big = pw(n, 12);
	expect(&big, 0, "n¹²");
	ck_assert_int_eq(mm_poly_pow(&big, &n, 65, NULL), MM_ERR_LIMIT);
}
END_TEST

/* Bindings for the substitution tests: name=value pairs. */
struct binding {
	const char *name;
	int64_t value;
};

static bool lookup(void *ctx, const char *name, int64_t *value)
{
	for (const struct binding *b = ctx; b->name; b++)
		if (strcmp(b->name, name) == 0) {
			*value = b->value;
			return true;
		}
	return false;
}

START_TEST(substitution)
{
	mm_poly n = S("n"), d = S("d"), h = S("h");
	mm_poly flops = mul(mul(mul(C(2), n), d), d);
	struct binding all[] = {{"n", 1024}, {"d", 4096}, {NULL, 0}};
	mm_count c;
	ck_assert_int_eq(mm_poly_eval(&flops, lookup, all, &c, NULL), MM_OK);
	ck_assert(!c.approx);
	ck_assert_uint_eq(c.exact, 34359738368u); /* 2·1024·4096² = 2^35 */
	/* Partial: only n bound. */
	struct binding only_n[] = {{"n", 8}, {NULL, 0}};
	mm_poly p;
	ck_assert_int_eq(mm_poly_subst(&p, &flops, lookup, only_n, NULL), MM_OK);
	expect(&p, 0, "16·d²");
	mm_diag dg;
	ck_assert_int_eq(mm_poly_eval(&flops, lookup, only_n, &c, &dg),
	                 MM_ERR_NAME);
	ck_assert_ptr_nonnull(strstr(dg.message, "d"));
	/* d/h: exact when h divides d, an error otherwise. */
	mm_poly dh = quo(d, h);
	struct binding ok[] = {{"d", 768}, {"h", 12}, {NULL, 0}};
	ck_assert_int_eq(mm_poly_eval(&dh, lookup, ok, &c, NULL), MM_OK);
	ck_assert_uint_eq(c.exact, 64);
	struct binding bad[] = {{"d", 100}, {"h", 12}, {NULL, 0}};
	ck_assert_int_eq(mm_poly_eval(&dh, lookup, bad, &c, &dg), MM_ERR_VALUE);
	ck_assert_ptr_nonnull(strstr(dg.message, "25/3"));
	struct binding hz[] = {{"h", 0}, {NULL, 0}};
	ck_assert_int_eq(mm_poly_subst(&p, &dh, lookup, hz, &dg), MM_ERR_VALUE);
	/* Binding the divisor alone leaves d/12; then d = 768 gives 64. */
	struct binding h12[] = {{"h", 12}, {NULL, 0}};
	ck_assert_int_eq(mm_poly_subst(&p, &dh, lookup, h12, NULL), MM_OK);
	expect(&p, 0, "d/12");
	struct binding d768[] = {{"d", 768}, {NULL, 0}};
	ck_assert_int_eq(mm_poly_eval(&p, lookup, d768, &c, NULL), MM_OK);
	ck_assert_uint_eq(c.exact, 64);
	/* A mixed sum with a divisor: n·d/h + d at n = 3, d = 8, h = 4 is 14. */
	mm_poly mix = add(quo(mul(n, d), h), d);
	expect(&mix, 0, "n·d/h + d");
	struct binding m[] = {{"n", 3}, {"d", 8}, {"h", 4}, {NULL, 0}};
	ck_assert_int_eq(mm_poly_eval(&mix, lookup, m, &c, NULL), MM_OK);
	ck_assert_uint_eq(c.exact, 14);
	/* Negative values are reported. */
	mm_poly neg = sub(n, C(10));
	ck_assert_int_eq(mm_poly_eval(&neg, lookup, only_n, &c, &dg),
	                 MM_ERR_VALUE);
	/* No lookup: nothing bound, p unchanged. */
	ck_assert_int_eq(mm_poly_subst(&p, &mix, NULL, NULL, NULL), MM_OK);
	ck_assert(mm_poly_eq(&p, &mix));
}
END_TEST

START_TEST(overflow_is_approximate)
{
	/* 2^62 · 4 = 2^64: never a wrapped number. */
	mm_poly p = mul(C(INT64_C(1) << 62), C(4));
	ck_assert(p.approx);
	mm_count c;
	ck_assert(mm_poly_get_count(&p, &c));
	ck_assert(c.approx);
	ck_assert(c.value == 18446744073709551616.0);
	int64_t v;
	ck_assert(!mm_poly_get_const(&p, &v));
	/* (1e12 x 1e12) @ (1e12 x 1e12): 2e36 FLOPs. */
	mm_poly t = C(1000000000000);
	mm_poly f = mul(mul(mul(C(2), t), t), t);
	ck_assert(f.approx);
	expect(&f, 0, "~2e36");
	expect(&f, MM_POLY_ASCII, "2e36");
	/* Symbolic and approximate; approximate stays approximate. */
	mm_poly n = S("n");
	mm_poly g = mul(mul(t, t), n);
	expect(&g, 0, "~1e24·n");
	mm_poly g2 = add(g, C(1));
	ck_assert(g2.approx);
	expect(&g2, MM_POLY_ASCII, "1e24*n + 1");
	struct binding b[] = {{"n", 3}, {NULL, 0}};
	ck_assert_int_eq(mm_poly_eval(&g, lookup, b, &c, NULL), MM_OK);
	ck_assert(c.approx);
	ck_assert(fabs(c.value / 3e24 - 1) < 1e-12);
	/* An approximate polynomial never equals an exact one. */
	mm_poly e = C(2);
	mm_poly a = mul(C(INT64_C(1) << 62), C(4));
	ck_assert(!mm_poly_eq(&e, &a));
	/* From a count too large for int64. */
	mm_poly_from_count(&p, mm_count_of(UINT64_MAX));
	ck_assert(p.approx);
	mm_poly_from_count(&p, mm_count_of(42));
	ck_assert(mm_poly_get_const(&p, &v));
	ck_assert_int_eq(v, 42);
	/* Substitution that overflows becomes approximate. */
	mm_poly cube = pw(n, 3);
	struct binding huge[] = {{"n", 10000000}, {NULL, 0}};
	ck_assert_int_eq(mm_poly_eval(&cube, lookup, huge, &c, NULL), MM_OK);
	ck_assert(c.approx);
	ck_assert(fabs(c.value / 1e21 - 1) < 1e-12);
}
END_TEST

START_TEST(limits)
{
	mm_poly p;
	mm_diag d;
	char name[64];
	memset(name, 'x', sizeof name);
	ck_assert_int_eq(mm_poly_sym(&p, name, MM_POLY_NAME, &d), MM_ERR_LIMIT);
	ck_assert_int_eq(mm_poly_sym(&p, name, MM_POLY_NAME - 1, &d), MM_OK);
	ck_assert_int_eq(mm_poly_sym(&p, name, 0, &d), MM_ERR_VALUE);
	/* A token slice need not be NUL-terminated. */
	ck_assert_int_eq(mm_poly_sym(&p, "dhead", 1, &d), MM_OK);
	expect(&p, 0, "d");
	/* (a + b + ... + h)^2 has 36 terms: too many. */
	const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
	mm_poly s = C(0);
	for (int i = 0; i < 8; i++)
		s = add(s, S(names[i]));
	mm_poly keep = C(9);
	ck_assert_int_eq(mm_poly_mul(&keep, &s, &s, &d), MM_ERR_LIMIT);
	mm_poly nine = C(9);
	ck_assert(mm_poly_eq(&keep, &nine));
	/* Nine symbols in one product: too many. */
	mm_poly prod = C(1);
	for (int i = 0; i < 8; i++)
		prod = mul(prod, S(names[i]));
	mm_poly i9 = S("i");
	ck_assert_int_eq(mm_poly_mul(&keep, &prod, &i9, &d), MM_ERR_LIMIT);
}
END_TEST

/* Parses text and checks it equals want. */
static void parses_to(const char *text, const mm_poly *want)
{
	mm_poly p;
	mm_diag d;
	mm_diag_clear(&d);
	ck_assert_msg(mm_poly_parse(&p, text, strlen(text), &d) == MM_OK,
	              "%s: %s", text, d.message);
	mm_buf b = MM_BUF_INIT;
	mm_poly_print(&b, &p, MM_POLY_ASCII);
	ck_assert_msg(mm_poly_eq(&p, want), "%s parsed as %s", text,
	              mm_buf_str(&b));
	mm_buf_free(&b);
}

START_TEST(parse)
{
	mm_poly n = S("n"), d = S("d"), h = S("h"), B = S("B"), T = S("T");
	mm_poly want = mul(mul(mul(C(2), n), d), d);
	parses_to("2*n*d^2", &want);
	parses_to("2·n·d²", &want);
	parses_to(" 2 * n*d ^ 2 ", &want);
	parses_to("d*2*n*d", &want);
	want = mul(B, T);
	parses_to("B*T", &want);
	want = quo(d, h);
	parses_to("d/h", &want);
	want = mul(C(4), add(mul(mul(C(2), n), d), mul(d, d)));
	parses_to("4*(2*n*d + d^2)", &want);
	parses_to("4·(2·n·d + d²)", &want);
	parses_to("8*n*d + 4*d^2", &want);
	want = sub(C(0), mul(n, n));
	parses_to("-n^2", &want); /* the power binds tighter */
	want = quo(add(n, C(1)), C(2));
	parses_to("(n + 1)/2", &want);
	want = pw(n, 12);
	parses_to("n¹²", &want);
	want = C(1000);
	parses_to("1e3", &want);
	/* Approximate numbers. */
	mm_poly p;
	ck_assert_int_eq(mm_poly_parse(&p, "~2e36", 5, NULL), MM_OK);
	ck_assert(p.approx);
	mm_count c;
	ck_assert(mm_poly_get_count(&p, &c));
	ck_assert(c.value == 2e36);
	ck_assert_int_eq(mm_poly_parse(&p, "99999999999999999999", 20, NULL),
	                 MM_OK);
	ck_assert(p.approx);
	/* Errors, with the span on the offending byte. */
	mm_diag dg;
	ck_assert_int_eq(mm_poly_parse(&p, "2 * * 3", 7, &dg), MM_ERR_SYNTAX);
	ck_assert_uint_eq(dg.span.start, 4);
	ck_assert_int_eq(mm_poly_parse(&p, "2n", 2, &dg), MM_ERR_SYNTAX);
	ck_assert_uint_eq(dg.span.start, 1);
	ck_assert_int_eq(mm_poly_parse(&p, "(n + 1", 6, &dg), MM_ERR_SYNTAX);
	ck_assert_int_eq(mm_poly_parse(&p, "n +", 3, &dg), MM_ERR_SYNTAX);
	ck_assert_int_eq(mm_poly_parse(&p, "n^x", 3, &dg), MM_ERR_SYNTAX);
	ck_assert_int_eq(mm_poly_parse(&p, "", 0, &dg), MM_ERR_SYNTAX);
	ck_assert_int_eq(mm_poly_parse(&p, "n^65", 4, &dg), MM_ERR_LIMIT);
	ck_assert_int_eq(mm_poly_parse(&p, "n/(n + 1)", 9, &dg),
	                 MM_ERR_UNSUPPORTED);
	/* Only len bytes are read. */
	want = S("n");
	ck_assert_int_eq(mm_poly_parse(&p, "n*d", 1, NULL), MM_OK);
	ck_assert(mm_poly_eq(&p, &want));
}
END_TEST

START_TEST(print_parse_round_trip)
{
	mm_poly n = S("n"), d = S("d"), h = S("h"), k = S("k");
	mm_poly cases[] = {
		C(0), C(7), C(-3), n, sub(C(1), n), mul(mul(C(2), n), d),
		mul(C(4), add(mul(mul(C(2), n), d), mul(d, d))),
		quo(d, h), quo(mul(n, d), mul(h, h)), quo(d, mul(h, k)),
		quo(C(1), h), quo(n, C(2)), quo(add(n, C(1)), C(2)),
		quo(n, mul(C(2), h)), add(quo(mul(n, d), h), d),
		pw(sub(n, C(1)), 5), sub(mul(C(-2), n), C(2)),
		mul(C(INT64_C(1) << 40), pw(add(n, d), 3)),
		quo(pw(add(add(n, d), h), 2), mul(C(6), k)),
	};
	const unsigned flags[] = {0, MM_POLY_ASCII, MM_POLY_EXPAND,
	                          MM_POLY_ASCII | MM_POLY_EXPAND};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (size_t f = 0; f < 4; f++) {
			mm_buf b = MM_BUF_INIT;
			mm_poly_print(&b, &cases[i], flags[f]);
			parses_to(mm_buf_str(&b), &cases[i]);
			mm_buf_free(&b);
		}
}
END_TEST

START_TEST(nonneg)
{
	mm_poly n = S("n"), d = S("d"), h = S("h");
	/* Chain order with symbols: left 2·n·d² + 2·n·d, right 2·n·d + 2·d²;
	 * left - right = 2·n·d² - 2·d² >= 0 for n, d >= 1: right never loses. */
	mm_poly left = add(mul(mul(mul(C(2), n), d), d), mul(mul(C(2), n), d));
	mm_poly right = add(mul(mul(C(2), n), d), mul(mul(C(2), d), d));
	mm_poly diff = sub(left, right);
	ck_assert(mm_poly_nonneg(&diff, 1));
	mm_poly neg = sub(right, left);
	ck_assert(!mm_poly_nonneg(&neg, 1));
	ck_assert(!mm_poly_nonneg(&diff, 0)); /* n = 0, d = 1 gives -2 */
	mm_poly nm1 = sub(n, C(1));
	ck_assert(mm_poly_nonneg(&nm1, 1));
	ck_assert(!mm_poly_nonneg(&nm1, 0));
	ck_assert(mm_poly_nonneg(&nm1, 5));
	/* (n - 1)² is >= 0 everywhere but the test proves it only from 1. */
	mm_poly sq = pw(nm1, 2);
	ck_assert(mm_poly_nonneg(&sq, 1));
	ck_assert(!mm_poly_nonneg(&sq, 0));
	mm_poly z = C(0), k = C(-1), dh = quo(d, h);
	ck_assert(mm_poly_nonneg(&z, 0));
	ck_assert(!mm_poly_nonneg(&k, 0));
	/* positive symbols: terms of positive coefficients are positive,
	 * negative exponents or not, exact or approximate */
	ck_assert(mm_poly_nonneg(&dh, 1));
	mm_poly dhm = sub(dh, C(1));
	ck_assert(!mm_poly_nonneg(&dhm, 1)); /* negative exponent: not proven */
	mm_poly big = mul(C(INT64_C(1) << 62), C(4));
	ck_assert(big.approx);
	ck_assert(mm_poly_nonneg(&big, 0));
	mm_poly nbig = mul(big, C(-1));
	ck_assert(!mm_poly_nonneg(&nbig, 0));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("poly");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, matmul_cost_reads_naturally);
	tcase_add_test(tc, canonical_and_equality);
	tcase_add_test(tc, signs_and_content);
	tcase_add_test(tc, division);
	tcase_add_test(tc, powers);
	tcase_add_test(tc, substitution);
	tcase_add_test(tc, overflow_is_approximate);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, parse);
	tcase_add_test(tc, nonneg);
	tcase_add_test(tc, print_parse_round_trip);
	tcase_add_test(tc, reorder);
	tcase_add_test(tc, common_factor);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
