/* test-chain.c — matrix chain order: DP, fixed orders, enumeration. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/chain.h"

static void expect_render(const mm_chain_order *o, const char *const *names,
                          const char *want)
{
	mm_buf b = MM_BUF_INIT;
	mm_chain_render(&b, o, names);
	ck_assert_str_eq(mm_buf_str(&b), want);
	mm_buf_free(&b);
}

/* Two orders are the same bracketing when their steps are (steps are
 * listed operands first, in one fixed walk of the tree). */
static int same_order(const mm_chain_order *a, const mm_chain_order *b)
{
	return a->nsteps == b->nsteps &&
	       memcmp(a->step, b->step, a->nsteps * sizeof a->step[0]) == 0;
}

START_TEST(issue_example)
{
	/* (1024x4096) @ (4096x4096) @ (4096x1):
	 * left to right: 2·1024·4096·4096 + 2·1024·4096·1
	 *              = 34359738368 + 8388608 = 34368126976 (34.4 GFLOP);
	 * right to left: 2·4096·4096·1 + 2·1024·4096·1
	 *              = 33554432 + 8388608 = 41943040 (41.9 MFLOP). */
	const uint64_t p[] = {1024, 4096, 4096, 1};
	const char *const names[] = {"X", "W", "v"};
	mm_chain_order l, r, best;
	ck_assert_int_eq(mm_chain_left(3, p, &l, NULL), MM_OK);
	ck_assert_int_eq(mm_chain_right(3, p, &r, NULL), MM_OK);
	ck_assert_int_eq(mm_chain_optimal(3, p, &best, NULL), MM_OK);
	ck_assert(!l.flops.approx);
	ck_assert_uint_eq(l.flops.exact, 34368126976u);
	ck_assert_uint_eq(r.flops.exact, 41943040u);
	ck_assert_uint_eq(best.flops.exact, 41943040u);
	expect_render(&l, names, "(X @ W) @ v");
	expect_render(&r, names, "X @ (W @ v)");
	expect_render(&best, NULL, "A @ (B @ C)");
	ck_assert_uint_eq(best.nsteps, 2);
	/* Evaluation order: W @ v first. */
	ck_assert_uint_eq(best.step[0].lo, 1);
	ck_assert_uint_eq(best.step[0].hi, 2);
	ck_assert_uint_eq(best.step[1].lo, 0);
	ck_assert_uint_eq(best.step[1].mid, 0);
	mm_chain_order all[4];
	size_t count = 0;
	mm_count total;
	ck_assert_int_eq(mm_chain_enumerate(3, p, all, 4, &count, &total, NULL),
	                 MM_OK);
	ck_assert_uint_eq(count, 2);
	ck_assert_uint_eq(total.exact, 2);
	ck_assert_uint_eq(all[0].flops.exact, 41943040u);
	ck_assert_uint_eq(all[1].flops.exact, 34368126976u);
	expect_render(&all[1], names, "(X @ W) @ v");
}
END_TEST

START_TEST(clrs_example)
{
	/* CLRS 15.2: dims 30 35 15 5 10 20 25, 15125 scalar multiplications
	 * at best, ((A1 (A2 A3)) ((A4 A5) A6)). FLOPs are twice that. */
	const uint64_t p[] = {30, 35, 15, 5, 10, 20, 25};
	mm_chain_order best;
	ck_assert_int_eq(mm_chain_optimal(6, p, &best, NULL), MM_OK);
	ck_assert_uint_eq(best.flops.exact, 30250);
	expect_render(&best, NULL, "(A @ (B @ C)) @ ((D @ E) @ F)");
	ck_assert(mm_count_eq(mm_chain_cost(&best, p), best.flops));
	mm_chain_order all[64];
	size_t count;
	mm_count total;
	ck_assert_int_eq(mm_chain_enumerate(6, p, all, 64, &count, &total, NULL),
	                 MM_OK);
	ck_assert_uint_eq(count, 42); /* Catalan(5) */
	ck_assert_uint_eq(total.exact, 42);
	ck_assert(mm_count_eq(all[0].flops, best.flops));
	for (size_t i = 1; i < count; i++) {
		ck_assert_int_le(mm_count_cmp(all[i - 1].flops, all[i].flops), 0);
		for (size_t j = 0; j < i; j++) /* all distinct */
			ck_assert(memcmp(all[i].step, all[j].step,
			                 sizeof all[i].step) != 0);
	}
	/* Only the best three when asked for three. */
	mm_chain_order top[3];
	ck_assert_int_eq(mm_chain_enumerate(6, p, top, 3, &count, NULL, NULL),
	                 MM_OK);
	ck_assert_uint_eq(count, 3);
	for (int i = 0; i < 3; i++)
		ck_assert(mm_count_eq(top[i].flops, all[i].flops));
}
END_TEST

/* A small deterministic generator for the brute-force comparison. */
static uint64_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005u + 1442695040888963407u;
	return *s >> 33;
}

START_TEST(dp_matches_brute_force)
{
	uint64_t seed = 42;
	static mm_chain_order all[5000];
	for (int trial = 0; trial < 60; trial++) {
		size_t n = 1 + (size_t)(trial % 8);
		uint64_t p[MM_CHAIN_MAX + 1];
		for (size_t i = 0; i <= n; i++)
			p[i] = 1 + next(&seed) % 100;
		mm_chain_order best;
		size_t count;
		mm_count total;
		ck_assert_int_eq(mm_chain_optimal(n, p, &best, NULL), MM_OK);
		ck_assert_int_eq(mm_chain_enumerate(n, p, all, 5000, &count, &total,
		                                    NULL),
		                 MM_OK);
		ck_assert_uint_eq(count, total.exact);
		ck_assert(mm_count_eq(all[0].flops, best.flops));
		ck_assert_uint_eq(best.nsteps, n - 1);
	}
}
END_TEST

START_TEST(edges)
{
	const uint64_t p[] = {3, 4};
	mm_chain_order o;
	mm_diag d;
	ck_assert_int_eq(mm_chain_optimal(1, p, &o, NULL), MM_OK);
	ck_assert(mm_count_is_zero(o.flops));
	ck_assert_uint_eq(o.nsteps, 0);
	expect_render(&o, NULL, "A");
	ck_assert_int_eq(mm_chain_optimal(0, p, &o, &d), MM_ERR_VALUE);
	uint64_t q[MM_CHAIN_MAX + 2];
	for (size_t i = 0; i < MM_CHAIN_MAX + 2; i++)
		q[i] = 2;
	ck_assert_int_eq(mm_chain_left(MM_CHAIN_MAX + 1, q, &o, &d),
	                 MM_ERR_LIMIT);
	/* The longest chain: left to right costs 31 products of 2·2·2·2. */
	ck_assert_int_eq(mm_chain_left(MM_CHAIN_MAX, q, &o, NULL), MM_OK);
	ck_assert_uint_eq(o.flops.exact, 16 * (MM_CHAIN_MAX - 1));
	/* Long chains: the k cheapest by dynamic program; Catalan counted. */
	mm_chain_order few[8];
	size_t count;
	mm_count total;
	ck_assert_int_eq(mm_chain_enumerate(12, q, few, 8, &count, &total, NULL),
	                 MM_OK);
	/* Every order costs the same here: ties list left to right first
	 * (larger splits first), and all eight cost 11 products. */
	ck_assert_uint_eq(count, 8);
	ck_assert_uint_eq(total.exact, 58786); /* Catalan(11) */
	expect_render(&few[0], NULL,
	              "((((((((((A @ B) @ C) @ D) @ E) @ F) @ G) @ H) @ I) @ J) "
	              "@ K) @ L");
	for (size_t i = 0; i < count; i++) {
		ck_assert_uint_eq(few[i].flops.exact, 16 * 11);
		for (size_t j = 0; j < i; j++)
			ck_assert(!same_order(&few[i], &few[j]));
	}
	/* The same tie rule when everything is enumerated. */
	ck_assert_int_eq(mm_chain_enumerate(4, q, few, 8, &count, &total, NULL),
	                 MM_OK);
	ck_assert_uint_eq(count, 5);
	expect_render(&few[0], NULL, "((A @ B) @ C) @ D");
	ck_assert_int_eq(mm_chain_optimal(4, q, &o, NULL), MM_OK);
	expect_render(&o, NULL, "((A @ B) @ C) @ D");
	/* Names past Z. */
	ck_assert_int_eq(mm_chain_right(28, q, &o, NULL), MM_OK);
	mm_buf b = MM_BUF_INIT;
	mm_chain_render(&b, &o, NULL);
	ck_assert_ptr_nonnull(strstr(mm_buf_str(&b), "Z @ (M27 @ M28)"));
	mm_buf_free(&b);
}
END_TEST

START_TEST(huge_is_approximate)
{
	/* (1e12 x 1e12) @ (1e12 x 1e12) @ (1e12 x 1): exact past 2^64
	 * (counts are exact to 2^128), and never wrapped past that. */
	const uint64_t p[] = {1000000000000u, 1000000000000u, 1000000000000u, 1};
	mm_chain_order l, best;
	ck_assert_int_eq(mm_chain_left(3, p, &l, NULL), MM_OK);
	ck_assert_int_eq(mm_chain_optimal(3, p, &best, NULL), MM_OK);
	ck_assert(!l.flops.approx);
	ck_assert(l.flops.value > 1.99e36 && l.flops.value < 2.01e36);
	/* Right to left: 2e24 + 2e24 = 4e24. */
	ck_assert(!best.flops.approx);
	ck_assert(mm_count_eq(best.flops, mm_count_mul(mm_count_of(4000000000000u),
	                                               mm_count_of(1000000000000u))));
	expect_render(&best, NULL, "A @ (B @ C)");
	const uint64_t q[] = {1000000000000000u, 1000000000000000u,
	                      1000000000000000u, 1};
	ck_assert_int_eq(mm_chain_left(3, q, &l, NULL), MM_OK);
	ck_assert(l.flops.approx); /* 2e45 */
}
END_TEST

/* Chains too long to enumerate get their k cheapest bracketings from a
 * dynamic program: brute force on 11 matrices (16796 bracketings, fine
 * for a test) agrees, and 32 matrices give 8 distinct ones in order, the
 * first the optimum (issue 19: they were the optimum and two fixed
 * orders). */
static mm_count brute_costs[16796];
static int nbrute;

static void brute(int n, const uint64_t *p, int lo, int hi, mm_count acc,
                  int *stack, int top)
{
	(void)lo, (void)hi;
	/* stack holds intervals still to split, as pairs */
	if (top == 0) {
		brute_costs[nbrute++] = acc;
		return;
	}
	int l = stack[top - 2], h = stack[top - 1];
	for (int m = l; m < h; m++) {
		int t = top - 2;
		int st[64];
		memcpy(st, stack, sizeof st);
		if (m > l)
			st[t++] = l, st[t++] = m;
		if (h > m + 1)
			st[t++] = m + 1, st[t++] = h;
		mm_count c = mm_count_mul(mm_count_of(p[l]), mm_count_of(p[m + 1]));
		c = mm_count_mul_u(mm_count_mul(c, mm_count_of(p[h + 1])), 2);
		brute(n, p, l, h, mm_count_add(acc, c), st, t);
	}
}

static int cmp_count(const void *a, const void *b)
{
	return mm_count_cmp(*(const mm_count *)a, *(const mm_count *)b);
}

START_TEST(k_cheapest_long_chains)
{
	uint64_t p[33];
	unsigned x = 7;
	for (int i = 0; i < 33; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = 1 + (x >> 16) % 60;
	}
	int stack[64] = {0, 10};
	nbrute = 0;
	brute(11, p, 0, 10, MM_COUNT_ZERO, stack, 2);
	ck_assert_int_eq(nbrute, 16796);
	qsort(brute_costs, (size_t)nbrute, sizeof brute_costs[0], cmp_count);
	mm_chain_order list[8];
	size_t count;
	ck_assert_int_eq(mm_chain_enumerate(11, p, list, 8, &count, NULL, NULL),
	                 MM_OK);
	ck_assert_uint_eq(count, 8);
	for (int k = 0; k < 8; k++) {
		ck_assert(mm_count_eq(list[k].flops, brute_costs[k]));
		ck_assert(mm_count_eq(list[k].flops, mm_chain_cost(&list[k], p)));
	}
	ck_assert_int_eq(mm_chain_enumerate(32, p, list, 8, &count, NULL, NULL),
	                 MM_OK);
	ck_assert_uint_eq(count, 8);
	mm_chain_order best;
	ck_assert_int_eq(mm_chain_optimal(32, p, &best, NULL), MM_OK);
	ck_assert(mm_count_eq(list[0].flops, best.flops));
	for (int k = 1; k < 8; k++) {
		ck_assert_int_le(mm_count_cmp(list[k - 1].flops, list[k].flops), 0);
		ck_assert(mm_count_eq(list[k].flops, mm_chain_cost(&list[k], p)));
		ck_assert(memcmp(list[k].step, list[k - 1].step,
		                 sizeof list[k].step) != 0);
	}
}
END_TEST

START_TEST(symbolic)
{
	/* (n x d) @ (d x d) @ (d x 1): every bracketing from all-1 dims, then
	 * symbolic costs: left 2·n·d² + 2·n·d, right 2·d² + 2·n·d. */
	const uint64_t ones[] = {1, 1, 1, 1};
	mm_chain_order all[2];
	size_t count;
	ck_assert_int_eq(mm_chain_enumerate(3, ones, all, 2, &count, NULL, NULL),
	                 MM_OK);
	ck_assert_uint_eq(count, 2);
	mm_poly dims[4];
	ck_assert_int_eq(mm_poly_sym(&dims[0], "n", 1, NULL), MM_OK);
	ck_assert_int_eq(mm_poly_sym(&dims[1], "d", 1, NULL), MM_OK);
	dims[2] = dims[1];
	mm_poly_const(&dims[3], 1);
	mm_buf b = MM_BUF_INIT;
	mm_poly c;
	ck_assert_int_eq(mm_chain_cost_poly(&all[0], dims, &c, NULL), MM_OK);
	mm_poly_print(&b, &c, MM_POLY_ASCII);
	ck_assert_str_eq(mm_buf_str(&b), "2*(n*d^2 + n*d)");
	mm_buf_reset(&b);
	mm_chain_render(&b, &all[0], NULL);
	ck_assert_str_eq(mm_buf_str(&b), "(A @ B) @ C");
	mm_buf_reset(&b);
	ck_assert_int_eq(mm_chain_cost_poly(&all[1], dims, &c, NULL), MM_OK);
	mm_poly_print(&b, &c, MM_POLY_ASCII);
	ck_assert_str_eq(mm_buf_str(&b), "2*(n*d + d^2)");
	mm_buf_free(&b);
	/* At n = 1024, d = 4096 the symbolic costs match the numeric ones. */
	const uint64_t p[] = {1024, 4096, 4096, 1};
	for (int i = 0; i < 2; i++) {
		mm_poly_const(&dims[0], 1024);
		mm_poly_const(&dims[1], 4096);
		dims[2] = dims[1];
		ck_assert_int_eq(mm_chain_cost_poly(&all[i], dims, &c, NULL), MM_OK);
		mm_count v;
		ck_assert(mm_poly_get_count(&c, &v));
		ck_assert(mm_count_eq(v, mm_chain_cost(&all[i], p)));
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("chain");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, issue_example);
	tcase_add_test(tc, clrs_example);
	tcase_add_test(tc, dp_matches_brute_force);
	tcase_add_test(tc, edges);
	tcase_add_test(tc, huge_is_approximate);
	tcase_add_test(tc, symbolic);
	tcase_add_test(tc, k_cheapest_long_chains);
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
