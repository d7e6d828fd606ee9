/* test-moe.c — moe() as a user runs it: values against NumPy's Mixtral
 * routing (tests/data/moe_cases.py) within 1e-12 (f64) and 1e-5 (f32),
 * its cost against the convention's formula, total and active
 * parameters, and its errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/session.h"

#ifndef MM_TEST_DATA
#define MM_TEST_DATA "tests/data"
#endif

typedef struct capture {
	char text[1 << 16], json[1 << 16], err[512];
} capture;

static void grab(void *ctx, const mm_result *r)
{
	capture *c = ctx;
	if (r->kind == MM_R_ERROR) {
		snprintf(c->err, sizeof c->err, "%s", r->diag->message);
		return;
	}
	snprintf(c->text, sizeof c->text, "%s", r->text);
	snprintf(c->json, sizeof c->json, "%s", r->json ? r->json : "");
}

static mm_session *s;
static capture cap;

static int run(const char *line)
{
	memset(&cap, 0, sizeof cap);
	return mm_session_run(s, "<test>", 1, line, strlen(line), grab, &cap);
}

static double value(const char *line)
{
	ck_assert_msg(run(line) == 0, "%s: %s", line, cap.err);
	const char *v = strstr(cap.json, "\"values\":");
	if (v)
		return strtod(v + 9, NULL);
	v = strstr(cap.json, "\"value\":");
	ck_assert_msg(v != NULL, "%s: no value in %s", line, cap.json);
	return strtod(v + 8, NULL);
}

static void setup(void)
{
	s = mm_session_new();
	mm_session_set_json(s, true);
}

static void teardown(void)
{
	mm_session_free(s);
}

START_TEST(values_numpy)
{
	FILE *f = fopen(MM_TEST_DATA "/moe_cases.tsv", "r");
	ck_assert_ptr_nonnull(f);
	char line[256], name[64], act[16], cmd[2048];
	int k, gated, n = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%63s %d %d %15s", name, &k, &gated,
		                        act), 4);
		static const char *parts[] = {"x", "router", "w1", "w2", "w3", "y"};
		for (int p = 0; p < 6; p++) {
			if (p == 4 && !gated)
				continue;
			snprintf(cmd, sizeof cmd, "%s = load(\"%s/moe_%s_%s.npy\")",
			         parts[p], MM_TEST_DATA, name, parts[p]);
			ck_assert_msg(run(cmd) == 0, "%s: %s", cmd, cap.err);
		}
		snprintf(cmd, sizeof cmd,
		         "max(abs(moe(x, router, w1, w2%s, top_k=%d, act=%s) - y)) "
		         "/ max(abs(y))", gated ? ", w3" : "", k, act);
		double e = value(cmd), tol = strstr(name, "f32") ? 1e-5 : 1e-12;
		ck_assert_msg(e <= tol, "%s: relative error %g", name, e);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 4);
}
END_TEST

/* Mixtral 8x7B's layer on 4096 tokens: d 4096, E 8, f 14336, k 2. */
START_TEST(cost_and_params)
{
	double t = 4096, d = 4096, e = 8, f = 14336, k = 2;
	double macs = t * d * e + t * k * 3 * d * f;
	double extra = t * e            /* the top-k choice */
	             + 5 * t * k        /* softmax over the k kept */
	             + t * k * f * (4 + 1) /* silu and the gate */
	             + t * d * (2 * k - 1); /* the weighted sum */
	ck_assert_double_eq(value("flops(moe((4096 x 4096), experts=8, top_k=2, "
	                          "ffn=14336))"), 2 * macs + extra);
	ck_assert_double_eq(value("macs(moe((4096 x 4096), experts=8, top_k=2, "
	                          "ffn=14336))"), macs);
	double total = d * e + e * 3 * d * f, active = d * e + k * 3 * d * f;
	ck_assert_double_eq(value("moe_params(moe((4096 x 4096), experts=8, "
	                          "top_k=2, ffn=14336))"), total);
	ck_assert_double_eq(value("moe_params(moe((4096 x 4096), experts=8, "
	                          "top_k=2, ffn=14336), active=true)"), active);
	/* two layers of a model: both counted */
	ck_assert_double_eq(value("moe_params(moe(moe((16 x 4096), experts=8, "
	                          "top_k=2, ffn=14336), experts=8, top_k=2, "
	                          "ffn=14336))"), 2 * total);
	/* the report says both */
	ck_assert_int_eq(run("moe((4096 x 4096), experts=8, top_k=2, "
	                     "ffn=14336)"), 0);
	ck_assert_msg(strstr(cap.text, "params 1.409 G in all, 352.4 M active "
	                               "per token") != NULL, "%s", cap.text);
	/* not gated: two matrices an expert; gelu 1 FLOP an element */
	ck_assert_double_eq(value("flops(moe((10 x 64), experts=4, top_k=1, "
	                          "ffn=256, gated=false, act=gelu))"),
	                    2 * (10.0 * 64 * 4 + 10.0 * 2 * 64 * 256) + 10 * 4 +
	                        5 * 10 + 10 * 256 + 10 * 64);
	/* symbols */
	ck_assert_int_eq(run("moe((T x d), experts=8, top_k=2, ffn=f) where "
	                     "f = 14336"), 0);
	ck_assert_msg(strstr(cap.text, "params 344072·d in all, 86024·d active "
	                               "per token") != NULL, "%s", cap.text);
}
END_TEST

START_TEST(errors)
{
	ck_assert_int_eq(run("moe((4 x 8), experts=4, ffn=16)"), 1);
	ck_assert_str_eq(cap.err, "moe needs top_k=");
	ck_assert_int_eq(run("moe((4 x 8), top_k=1)"), 1);
	ck_assert_str_eq(cap.err, "moe needs experts= and ffn=, or the weights");
	ck_assert_int_eq(run("moe((4 x 8), experts=4, ffn=16, top_k=5)"), 1);
	ck_assert_str_eq(cap.err, "moe: top_k=5 is more than the 4 experts");
	ck_assert_int_eq(run("moe((4 x 8), (8 x 3), (3 x 8 x 5), (3 x 8 x 5), "
	                     "top_k=1)"), 1);
	ck_assert_str_eq(cap.err, "moe: w2 must be (E x f x d), got (3 x 8 x 5)");
	ck_assert_int_eq(run("moe((4 x 8), (7 x 3), (3 x 8 x 5), (3 x 5 x 8), "
	                     "top_k=1)"), 1);
	ck_assert_str_eq(cap.err, "moe: the router must be (d x E), d x's last "
	                          "axis, got (7 x 3)");
	ck_assert_int_eq(run("moe((4 x 8), (8 x 3), (3 x 8 x 5), (3 x 5 x 8), "
	                     "top_k=1, gated=true)"), 1);
	ck_assert_str_eq(cap.err, "moe: gated=true needs w3 (the fifth argument)");
	ck_assert_int_eq(run("moe((4 x 8), experts=4, ffn=16, top_k=1, "
	                     "act=softmax)"), 1);
	ck_assert_str_eq(cap.err, "moe: act must be an elementwise function, got "
	                          "softmax");
}
END_TEST

int main(void)
{
	Suite *su = suite_create("moe");
	TCase *tc = tcase_create("moe");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, values_numpy);
	tcase_add_test(tc, cost_and_params);
	tcase_add_test(tc, errors);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
