/* test-charts-cmd.c — what the chart commands stand on: :explain's rows
 * for pictures (mm_explain_rows: numbers, costs, predictions), its share
 * bars and sort=, the terminal's facts as settings, and :roofline and
 * :sweep through a session (their JSON points, the swept name restored). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/check.h"
#include "mmcalc/explain.h"
#include "mmcalc/session.h"

/* ---- :explain's rows, on a tree checked here ---- */

static mm_arena arena;
static mm_env env;
static mm_diag d;

static mm_node *checked(const char *src)
{
	mm_node *e = mm_parse_expr_text(src, strlen(src), 0, &arena, &d);
	ck_assert_msg(e != NULL, "%s: %s", src, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d, NULL);
	ck_assert_msg(mm_check_expr(&c, e) == MM_OK, "%s: %s", src, d.message);
	return e;
}

/* A device of 100 TFLOP/s and 1 TB/s, by hand. */
static double predict(void *ctx, mm_count flops, mm_count trans,
                      mm_count bytes, mm_dtype t)
{
	(void)ctx, (void)trans, (void)t;
	return fmax(mm_count_to_double(flops) / 1e14,
	            mm_count_to_double(bytes) / 1e12);
}

static void teardown(void)
{
	mm_env_free(&env);
	mm_arena_free(&arena);
}

/* softmax((60x60) @ (60x60)) @ (60x60): two products of 2·60³ FLOPs over
 * 3·60²·4 bytes and a softmax of 5 FLOPs per element over 2·60²·4. */
static const char *attn = "softmax((60 x 60) @ (60 x 60)) @ (60 x 60)";

START_TEST(rows_numbered_and_costed)
{
	mm_explain_row *r;
	int n;
	ck_assert_int_eq(mm_explain_rows(checked(attn), predict, NULL, NULL,
	                                 &arena, &d, &r, &n), MM_OK);
	ck_assert_int_eq(n, 3);
	static const char *const op[] = {"@", "softmax", "@"};
	static const double flops[] = {432000, 18000, 432000},
	                    bytes[] = {43200, 28800, 43200};
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(r[k].num, k + 1);
		ck_assert_str_eq(r[k].op, op[k]);
		ck_assert(!r[k].sym);
		ck_assert_ptr_null(r[k].module);
		ck_assert_double_eq(r[k].flops, flops[k]);
		ck_assert_double_eq(r[k].bytes, bytes[k]);
		ck_assert_double_eq_tol(r[k].sec, bytes[k] / 1e12, 1e-20);
		ck_assert_int_eq(r[k].dtype, MM_F32);
		ck_assert_int_eq(r[k].g->v.shape.dim[0], 60);
	}
	free(r);
	/* no predictor: times unknown */
	ck_assert_int_eq(mm_explain_rows(checked(attn), NULL, NULL, NULL,
	                                 &arena, &d, &r, &n), MM_OK);
	ck_assert_int_eq(n, 3);
	ck_assert(r[0].sec < 0);
	free(r);
	/* a leaf: no rows */
	ck_assert_int_eq(mm_explain_rows(checked("(3 x 3)"), predict, NULL, NULL,
	                                 &arena, &d, &r, &n), MM_OK);
	ck_assert_int_eq(n, 0);
	free(r);
}
END_TEST

/* The line of buf that starts with prefix, or NULL. */
static const char *line_of(const char *buf, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, prefix, n) == 0)
			return p;
	return NULL;
}

START_TEST(sorted_with_bars)
{
	mm_buf b = MM_BUF_INIT;
	mm_explain_opts o = {.bars = MM_EXPLAIN_TIME, .sort = true};
	ck_assert_int_eq(mm_explain(&b, checked(attn), predict, NULL, &o, &arena,
	                            &d), MM_OK);
	const char *t = mm_buf_str(&b);
	/* times 43.2, 28.8 and 43.2 ns: the products first, in their order,
	 * each keeping its number; the softmax last */
	const char *r1 = line_of(t, "1 "), *r2 = line_of(t, "2 "),
	           *r3 = line_of(t, "3 ");
	ck_assert(r1 && r2 && r3);
	ck_assert(r1 < r3 && r3 < r2);
	ck_assert_ptr_nonnull(strstr(t, "time share"));
	/* 43.2 / 115.2 = 37.5% of 20 columns: 7.5, rounded to 8 '#' */
	ck_assert_ptr_nonnull(strstr(r1, "37.5% ########\n"));
	ck_assert_ptr_null(strstr(r1, "37.5% #########"));
	/* 28.8 / 115.2 = 25%: 5 */
	ck_assert_ptr_nonnull(strstr(r2, "25.0% #####\n"));
	mm_buf_free(&b);
	/* bars without sort keep the order */
	mm_buf_reset(&b);
	o = (mm_explain_opts){.bars = MM_EXPLAIN_BYTES, .unicode = true};
	ck_assert_int_eq(mm_explain(&b, checked(attn), predict, NULL, &o, &arena,
	                            &d), MM_OK);
	t = mm_buf_str(&b);
	r1 = line_of(t, "1 "), r2 = line_of(t, "2 "), r3 = line_of(t, "3 ");
	ck_assert(r1 < r2 && r2 < r3);
	ck_assert_ptr_nonnull(strstr(t, "bytes share"));
	/* Unicode: 25% of 20 columns is 5 full blocks */
	ck_assert_ptr_nonnull(strstr(r2, "25.0% \u2588\u2588\u2588\u2588\u2588\n"));
	mm_buf_free(&b);
	/* without options the table is as it was: no share column */
	mm_buf_reset(&b);
	ck_assert_int_eq(mm_explain(&b, checked(attn), predict, NULL, NULL,
	                            &arena, &d), MM_OK);
	ck_assert_ptr_null(strstr(mm_buf_str(&b), "s share"));
	ck_assert_ptr_null(strstr(mm_buf_str(&b), "#####"));
	mm_buf_free(&b);
}
END_TEST

/* ---- through a session ---- */

typedef struct capture {
	int errors;
	char text[16384], json[16384], err[512];
} capture;

static void grab(void *ctx, const mm_result *r)
{
	capture *c = ctx;
	if (r->kind == MM_R_ERROR) {
		c->errors++;
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

static void session_setup(void) { s = mm_session_new(); }
static void session_teardown(void) { mm_session_free(s); }

START_TEST(terminal_settings)
{
	ck_assert_int_eq(run(":set width"), 0);
	ck_assert_ptr_nonnull(strstr(cap.text, "width 80"));
	mm_session_set_terminal(s, 132, true, true);
	ck_assert_int_eq(run(":set"), 0);
	/* the terminal's facts are the defaults: not marked as changed */
	ck_assert_ptr_nonnull(strstr(cap.text, "  width                  132\n"));
	ck_assert_ptr_nonnull(strstr(cap.text, "  unicode                on\n"));
	ck_assert_ptr_nonnull(strstr(cap.text, "  colour                 on\n"));
	/* out of range: the width stays */
	mm_session_set_terminal(s, 5, false, false);
	ck_assert_int_eq(run(":set width"), 0);
	ck_assert_ptr_nonnull(strstr(cap.text, "width 132"));
	ck_assert_int_eq(run(":set width 20"), 1);
	ck_assert_int_eq(run(":set width 30"), 0);
}
END_TEST

START_TEST(roofline_points_as_json)
{
	mm_session_set_json(s, true);
	ck_assert_int_eq(run(":device custom peak=100T bw=1T"), 0);
	ck_assert_int_eq(run(":roofline softmax((60 x 60) @ (60 x 60)) height=12"),
	                 0);
	/* (10 FLOP/B, 10 TFLOP/s) and (0.625 FLOP/B, 625 GFLOP/s) */
	ck_assert_ptr_nonnull(strstr(cap.json, "\"kind\":\"chart\","
	                             "\"command\":\"roofline\""));
	ck_assert_ptr_nonnull(strstr(cap.json, "{\"x\":10,\"y\":10000000000000,"
	                             "\"label\":\"1\",\"shown\":true}"));
	ck_assert_ptr_nonnull(strstr(cap.json, "{\"x\":0.625,\"y\":625000000000,"
	                             "\"label\":\"2\",\"shown\":true}"));
	ck_assert_ptr_nonnull(strstr(cap.json, "{\"kind\":\"ridge\",\"label\":"
	                             "\"ridge 100 FLOP/B\",\"x\":100}"));
	ck_assert_ptr_nonnull(strstr(cap.json, "{\"kind\":\"roof\",\"label\":"
	                             "\"memory 1 TB/s\",\"slope\":1000000000000}"));
	/* colour never goes into JSON's text */
	mm_session_set_terminal(s, 80, false, true);
	ck_assert_int_eq(run(":roofline (60 x 60) @ (60 x 60) height=12"), 0);
	ck_assert_ptr_null(strchr(cap.json, '\033'));
	ck_assert_ptr_null(strstr(cap.json, "\\u001b"));
}
END_TEST

START_TEST(colour_on_request)
{
	ck_assert_int_eq(run(":device custom peak=100T bw=1T"), 0);
	ck_assert_int_eq(run(":roofline (60 x 60) @ (60 x 60) height=12"), 0);
	ck_assert_ptr_null(strchr(cap.text, '\033'));
	ck_assert_int_eq(run(":set colour on"), 0);
	ck_assert_int_eq(run(":roofline (60 x 60) @ (60 x 60) height=12"), 0);
	ck_assert_ptr_nonnull(strstr(cap.text, "\033["));
}
END_TEST

START_TEST(sweep_restores_the_name)
{
	ck_assert_int_eq(run(":device custom peak=100T bw=1T"), 0);
	ck_assert_int_eq(run("n = (2 x 3)"), 0);
	ck_assert_int_eq(run(":sweep n = 60..240 x2: (n x n) @ (n x n) height=12"),
	                 0);
	/* 60, 120, 240: n/6 FLOP/B, memory-bound at 10, 20, 40 TFLOP/s */
	ck_assert_ptr_nonnull(strstr(cap.text, "\n60 "));
	ck_assert_ptr_nonnull(strstr(cap.text, "\n120 "));
	ck_assert_ptr_nonnull(strstr(cap.text, "\n240 "));
	ck_assert_ptr_null(strstr(cap.text, "\n480 "));
	ck_assert_ptr_nonnull(strstr(cap.text, "40 TFLOP/s"));
	ck_assert_int_eq(run("n"), 0);
	ck_assert_ptr_nonnull(strstr(cap.text, "(2 x 3)"));
	/* a failed sweep restores it too */
	ck_assert_int_eq(run(":sweep n = 1..4: (n x d)"), 1);
	ck_assert_int_eq(run("n"), 0);
	ck_assert_ptr_nonnull(strstr(cap.text, "(2 x 3)"));
	/* +STEP: 3 values */
	ck_assert_int_eq(run(":sweep m = 100..300 +100: (m x m) height=12"), 0);
	ck_assert_ptr_nonnull(strstr(cap.text, "\n300 "));
	ck_assert_int_eq(run(":sweep m = 100..300 +0: (m x m)"), 1);
	ck_assert_int_eq(run(":sweep m = 1..3 x2 (m x m)"), 1);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("charts-cmd");
	TCase *tc = tcase_create("explain");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, rows_numbered_and_costed);
	tcase_add_test(tc, sorted_with_bars);
	suite_add_tcase(su, tc);
	TCase *ts = tcase_create("session");
	tcase_add_checked_fixture(ts, session_setup, session_teardown);
	tcase_add_test(ts, terminal_settings);
	tcase_add_test(ts, roofline_points_as_json);
	tcase_add_test(ts, colour_on_request);
	tcase_add_test(ts, sweep_restores_the_name);
	suite_add_tcase(su, ts);
	SRunner *sr = srunner_create(su);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
