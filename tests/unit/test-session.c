/* test-session.c — the library's front door driven as the CLI does:
 * results per statement, numbers computed against their definitions,
 * settings, failures counted, nothing printed. */
#include <check.h>
#include <stdbool.h>
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

/* Whether :set's listing in text has the line "MARK KEY   VALUE". */
static bool has_setting(const char *text, char mark, const char *key,
                        const char *value)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t kl = strlen(key), vl = strlen(value);
		if (l[0] != mark || l[1] != ' ' || strncmp(l + 2, key, kl) != 0 ||
		    l[2 + kl] != ' ')
			continue;
		const char *v = l + 2 + kl;
		while (*v == ' ')
			v++;
		if (strncmp(v, value, vl) == 0 && (v[vl] == '\n' || v[vl] == '\0'))
			return true;
	}
	return false;
}

START_TEST(settings)
{
	ck_assert_int_eq(run(":set memlimit 2GiB; :set threads 1; :set precision 3"), 0);
	ck_assert_int_eq(run(":set"), 0);
	ck_assert_msg(has_setting(cap.last, '*', "memlimit", "2 GiB"), "%s", cap.last);
	ck_assert_msg(has_setting(cap.last, '*', "precision", "3"), "%s", cap.last);
	ck_assert_msg(has_setting(cap.last, ' ', "exact", "off"), "%s", cap.last);
	ck_assert_int_eq(run(":set memlimit lots"), 1);
	ck_assert_int_eq(run(":set threads 0"), 1);
	ck_assert_int_eq(run(":set nosuch 1"), 1);
	/* the memory limit refuses before allocating */
	ck_assert_int_eq(run(":set memlimit 1KiB; zeros(100, 100)"), 1);
	ck_assert_msg(strstr(cap.err, "over the memory limit of 1 KiB") != NULL, "%s",
	              cap.err);
}
END_TEST

/* The host's figures are for the thread count set when they are used: a
 * prediction after :threads is not made with the old count's peak. */
START_TEST(threads_remeasure_host)
{
	ck_assert_int_eq(run(":threads 1; :device"), 0);
	ck_assert_msg(strstr(cap.last, "(avx") || strstr(cap.last, "(generic"),
	              "%s", cap.last);
	ck_assert_msg(strstr(cap.last, ", 1 thread)") != NULL, "%s", cap.last);
	ck_assert_int_eq(run(":threads 3; :device"), 0);
	ck_assert_msg(strstr(cap.last, ", 3 threads)") != NULL, "%s", cap.last);
	ck_assert_int_eq(run(":threads 3; :device"), 0); /* the same: kept */
	ck_assert_msg(strstr(cap.last, ", 3 threads)") != NULL, "%s", cap.last);
	ck_assert_int_eq(run(":device A100; :threads 1; :device"), 0);
	ck_assert_msg(strncmp(cap.last, "A100", 4) == 0 &&
	              !strstr(cap.last, "measured"), "%s", cap.last);
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

/* The string value of "key":"..." in the last JSON result. */
static void json_string(const char *key, char *out, size_t size)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	const char *v = strstr(cap.json, pat);
	ck_assert_msg(v != NULL, "no %s in %s", key, cap.json);
	v += strlen(pat);
	size_t n = strcspn(v, "\"");
	ck_assert(n < size);
	memcpy(out, v, n);
	out[n] = '\0';
}

START_TEST(symbolic_json_substitutes)
{
	/* A symbolic figure in JSON is an expression that, with the symbols
	 * bound, gives the numeric statement's figure. */
	const char *exprs[] = {"(n x d) @ (d x d)", "softmax((B x h x T x T)) + 1",
	                       "(B*T x C) @ (C x 3*C)", "layernorm((n x d/h))"};
	const char *where = " where n = 1024, d = 4096, B = 8, h = 16, T = 512, C = 768";
	for (size_t k = 0; k < sizeof exprs / sizeof exprs[0]; k++) {
		char fl[256], by[256], line[512];
		ck_assert_int_eq(run(exprs[k]), 0);
		json_string("flops", fl, sizeof fl);
		json_string("bytes_out", by, sizeof by);
		snprintf(line, sizeof line, "%s%s", exprs[k], where);
		ck_assert_int_eq(run(line), 0);
		const char *f = strstr(cap.json, "\"flops\":");
		const char *b = strstr(cap.json, "\"bytes_out\":");
		ck_assert(f && b);
		double want_f = strtod(f + 8, NULL), want_b = strtod(b + 12, NULL);
		snprintf(line, sizeof line, "%s%s", fl, where);
		ck_assert_double_eq(value(line), want_f);
		snprintf(line, sizeof line, "%s%s", by, where);
		ck_assert_double_eq(value(line), want_b);
	}
}
END_TEST

START_TEST(holes)
{
	ck_assert_int_eq(run("(1024x4096) @ ? = (1024x512)"), 0);
	ck_assert_msg(strstr(cap.json, "\"shape\":[4096,512]") != NULL, "%s", cap.json);
	ck_assert_int_eq(run("? @ (4096x4096) = (8x4096)"), 0);
	ck_assert_msg(strstr(cap.json, "\"shape\":[8,4096]") != NULL, "%s", cap.json);
	ck_assert_int_eq(run("(7x1x5) + ? = (7x3x5)"), 0);
	ck_assert_msg(strstr(cap.json, "\"shape\":[7,3,5]") != NULL, "%s", cap.json);
	ck_assert_int_eq(run("(2x8x16) @ ? = (2x8x4)"), 0);
	/* a weight the batch shares (issue 19), not a batched (2x16x4) */
	ck_assert_msg(strstr(cap.json, "\"shape\":[16,4]") != NULL, "%s", cap.json);
	ck_assert_int_eq(run("(1024x4096) @ ? = (512x512)"), 1);
	ck_assert_msg(strstr(cap.err, "no shape fits") != NULL, "%s", cap.err);
	ck_assert_int_eq(run("? @ ? = (3x3)"), 1);
}
END_TEST

/* A line of n bytes: head, then pat repeated, then tail. */
static char *long_line(const char *head, const char *pat, const char *tail,
                       size_t n)
{
	char *line = malloc(n + 64);
	size_t k = strlen(head), pl = strlen(pat);
	memcpy(line, head, k);
	while (k + pl + strlen(tail) < n) {
		memcpy(line + k, pat, pl);
		k += pl;
	}
	strcpy(line + k, tail);
	return line;
}

START_TEST(hostile_lines)
{
	/* 1 MB lines of every shape of depth: a clear error, never a crash,
	 * and the session goes on. */
	const char *pats[][3] = {
		{"", "1+", "1"}, {"(2x2)", ".T", ""}, {"(2x2)", "[0:2]", ""},
		{"", "-", "1"}, {"", "(", "1"}, {"", "[", "1"}, {"", "sum(", "1"},
		{"", "2**", "1"}, {"(", "1 x ", "1)"}, {"", "x", ""},
	};
	for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
		char *line = long_line(pats[k][0], pats[k][1], pats[k][2], 1 << 20);
		ck_assert_int_eq(run(line), 1);
		free(line);
		ck_assert_int_eq(run("(2x3) @ (3x4)"), 0);
	}
	const char *bad[] = {"(3x3) \xff @ (3x3)", "\xc3(", "W = \xed\xa0\x80",
	                     "\"\xff\"", "(0x5) @ (5x0)"};
	int want[] = {1, 1, 1, 0, 0};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		ck_assert_int_eq(run(bad[k]), want[k]);
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
	tcase_add_test(tc, threads_remeasure_host);
	tcase_add_test(tc, quit_and_completion);
	tcase_add_test(tc, symbolic_json_substitutes);
	tcase_add_test(tc, holes);
	tcase_add_test(tc, hostile_lines);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
