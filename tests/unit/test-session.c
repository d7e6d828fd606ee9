/* test-session.c — the library's front door driven as the CLI does:
 * results per statement, numbers computed against their definitions,
 * settings, failures counted, nothing printed. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/session.h"

typedef struct capture {
	int values, errors, texts;
	char last[8192];
	char json[8192];
	char err[512];
} capture;

static void grab(void *ctx, const mm_result *r)
{
	capture *c = ctx;
	if (r->kind == MM_R_ERROR) {
		c->errors++;
		snprintf(c->err, sizeof c->err, "%s", r->diag->message);
		return;
	}
	if (r->kind == MM_R_TEXT)
		c->texts++;
	else
		c->values++;
	snprintf(c->last, sizeof c->last, "%s", r->text);
	snprintf(c->json, sizeof c->json, "%s", r->json ? r->json : "");
}

static mm_session *s;
static capture cap;

static int run(const char *line)
{
	memset(&cap, 0, sizeof cap);
	return mm_session_run(s, "<test>", 1, line, strlen(line), grab, &cap);
}

/* The "value" of the last JSON result. */
static double value(const char *line)
{
	ck_assert_int_eq(run(line), 0);
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

static void teardown(void) { mm_session_free(s); }

START_TEST(results_and_failures)
{
	ck_assert_int_eq(run("W = (4096 x 4096); x = (4096,); W @ x"), 0);
	ck_assert_int_eq(cap.values, 3);
	ck_assert_msg(strstr(cap.json, "\"shape\":[4096]") != NULL, "%s", cap.json);
	ck_assert_int_eq(run("1 +; W @ W.T; nosuch"), 2);
	ck_assert_int_eq(cap.values, 1);
	ck_assert_int_eq(cap.errors, 2);
	/* a failed statement binds nothing */
	ck_assert_int_eq(run("Z = (3x4) @ (5x6)"), 1);
	ck_assert_int_eq(run("Z"), 1);
	ck_assert_msg(strstr(cap.err, "unknown name 'Z'") != NULL, "%s", cap.err);
	/* ans is the last expression's value */
	ck_assert_int_eq(run("(2x3) @ (3x5); ans"), 0);
	ck_assert_msg(strstr(cap.json, "\"shape\":[2,5]") != NULL, "%s", cap.json);
}
END_TEST

START_TEST(computed_like_numpy)
{
	/* the walkthrough's building blocks against their definitions */
	run(":dtype f64");
	run(":seed 3");
	ck_assert_int_eq(run("A = randn(5, 7); B = randn(7, 3); v = randn(7)"), 0);
	ck_assert_double_le(value("norm(A @ B - transpose(B.T @ A.T))"), 1e-12);
	ck_assert_double_le(value("abs(sum(A @ v) - sum(A, axis=0) @ v)"), 1e-12);
	ck_assert_double_le(value("norm(softmax(A) - exp(A) / sum(exp(A), axis=-1, "
	                          "keepdims=true))"), 1e-12);
	ck_assert_double_le(value("norm(qr(A.T) @ qr_r(A.T) - A.T)"), 1e-12);
	ck_assert_double_le(value("norm(qr(A.T).T @ qr(A.T) - eye(5))"), 1e-12);
	ck_assert_double_eq_tol(value("cos(deg2rad(60))"), 0.5, 1e-15);
	/* attention: grouped heads and the causal mask against one head */
	ck_assert_int_eq(run("q = randn(2, 4, 5, 8); k = randn(2, 2, 5, 8); "
	                     "w = randn(2, 2, 5, 8)"), 0);
	ck_assert_int_eq(run("O = attention(q, k, w, causal=true)"), 0);
	ck_assert_double_le(value("norm(O[0, 1] - attention(q[0, 1], k[0, 0], "
	                          "w[0, 0], causal=true))"), 1e-12);
	ck_assert_double_le(value("norm(O[1, 3, 4] - (softmax(q[1, 3] @ k[1, 1].T / "
	                          "sqrt(8)) @ w[1, 1])[4])"), 1e-12);
	ck_assert_double_le(value("norm(attention(q[0, 0], k[0, 0], w[0, 0]) - "
	                          "softmax(q[0, 0] @ k[0, 0].T / sqrt(8)) @ w[0, 0])"), 1e-12);
}
END_TEST

START_TEST(settings)
{
	ck_assert_int_eq(run(":set memlimit 2GiB; :set threads 1; :set precision 3"), 0);
	ck_assert_int_eq(run(":set"), 0);
	ck_assert_msg(strstr(cap.last, "* memlimit   2 GiB") != NULL, "%s", cap.last);
	ck_assert_msg(strstr(cap.last, "* precision  3") != NULL, "%s", cap.last);
	ck_assert_msg(strstr(cap.last, "  exact      off") != NULL, "%s", cap.last);
	ck_assert_int_eq(run(":set memlimit lots"), 1);
	ck_assert_int_eq(run(":set threads 0"), 1);
	ck_assert_int_eq(run(":set nosuch 1"), 1);
	/* the memory limit refuses before allocating */
	ck_assert_int_eq(run(":set memlimit 1KiB; zeros(100, 100)"), 1);
	ck_assert_msg(strstr(cap.err, "over the memory limit of 1 KiB") != NULL, "%s",
	              cap.err);
}
END_TEST

START_TEST(quit_and_completion)
{
	ck_assert(!mm_session_quit(s));
	run("Wq = (3x3); Wk = (3x3)");
	ck_assert_str_eq(mm_session_complete(s, ":va", 0), ":vars");
	ck_assert_ptr_null(mm_session_complete(s, ":va", 1));
	ck_assert_str_eq(mm_session_complete(s, "soft", 0), "softmax");
	ck_assert_str_eq(mm_session_complete(s, "W", 0), "Wq");
	ck_assert_str_eq(mm_session_complete(s, "W", 1), "Wk");
	ck_assert_ptr_null(mm_session_complete(s, "W", 2));
	ck_assert_int_eq(run(":quit; (3x3)"), 0);
	ck_assert(mm_session_quit(s));
	ck_assert_int_eq(cap.values, 0);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("session");
	TCase *tc = tcase_create("session");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, results_and_failures);
	tcase_add_test(tc, computed_like_numpy);
	tcase_add_test(tc, settings);
	tcase_add_test(tc, quit_and_completion);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
