/* test-linalg-fn.c — numpy.linalg's functions as mmcalc built-ins, run
 * as a user types them: values against NumPy's (tests/data/linalg_*.npy
 * of linalg_cases.py and linalg_fn_cases.py) within 1e-12 (f64) and 1e-5
 * (f32) relative, the seed's regression fitted by lstsq, shapes and
 * errors of generated calls and of solve's rule, singular and
 * non-positive-definite errors, and costs against LAWN 41's formulas. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/check.h"
#include "mmcalc/session.h"

#ifndef MM_TEST_DATA
#define MM_TEST_DATA "tests/data"
#endif

typedef struct capture {
	int errors;
	char json[1 << 16];
	char err[512], hint[512];
} capture;

static void grab(void *ctx, const mm_result *r)
{
	capture *c = ctx;
	if (r->kind == MM_R_ERROR) {
		c->errors++;
		snprintf(c->err, sizeof c->err, "%s", r->diag->message);
		snprintf(c->hint, sizeof c->hint, "%s", r->diag->hint);
		return;
	}
	snprintf(c->json, sizeof c->json, "%s", r->json ? r->json : "");
}

static mm_session *s;
static capture cap;

static int run(const char *line)
{
	memset(&cap, 0, sizeof cap);
	return mm_session_run(s, "<test>", 1, line, strlen(line), grab, &cap);
}

/* The number a line gives (its JSON "values" or "value"). */
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

/* NAME = load("tests/data/linalg_FILE.npy") */
static void load(const char *name, const char *file)
{
	char line[1024];
	snprintf(line, sizeof line, "%s = load(\"%s/linalg_%s.npy\")", name,
	         MM_TEST_DATA, file);
	ck_assert_msg(run(line) == 0, "%s: %s", line, cap.err);
}

/* NAME = load("tests/data/linalg_CASE_PART.npy") */
static void load_part(const char *name, const char *kase, const char *part)
{
	char file[128];
	snprintf(file, sizeof file, "%s_%s", kase, part);
	load(name, file);
}

/* max|got - want| / max|want| for the expressions got and want. */
static double relerr(const char *got, const char *want)
{
	char line[512];
	snprintf(line, sizeof line, "max(abs((%s) - (%s))) / max(abs(%s))",
	         got, want, want);
	return value(line);
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

#define CLOSE(got, want, tol)                                                \
	do {                                                                 \
		double e_ = relerr(got, want);                               \
		ck_assert_msg(e_ <= (tol), "%s vs %s: %g", got, want, e_);    \
	} while (0)

START_TEST(solve_inv_det)
{
	static const char *cases[] = {"solve_vec", "solve_bcast", "solve_big",
	                              "solve_f32"};
	for (size_t k = 0; k < 4; k++) {
		load_part("A", cases[k], "a");
		load_part("b", cases[k], "b");
		load_part("X", cases[k], "x");
		CLOSE("solve(A, b)", "X", k == 3 ? 1e-5 : 1e-12);
	}
	load("A", "inv_a");
	load("X", "inv_x");
	CLOSE("inv(A)", "X", 1e-12);
	load("A", "inv_f32_a");
	load("X", "inv_f32_x");
	CLOSE("inv(A)", "X", 1e-5);
	load("A", "det_a");
	load("D", "det_det");
	load("S", "det_sign");
	load("L", "det_logdet");
	CLOSE("det(A)", "D", 1e-12);
	CLOSE("slogdet(A)", "L", 1e-12);
	CLOSE("slogdet_sign(A)", "S", 0);
	ck_assert_double_eq(value("min(slogdet_sign(A))"), -1);
}
END_TEST

START_TEST(cholesky_qr_svd)
{
	static const char *chol[] = {"chol_big", "chol_stack", "chol_f32"};
	for (size_t k = 0; k < 3; k++) {
		load_part("A", chol[k], "a");
		load_part("L", chol[k], "l");
		CLOSE("cholesky(A)", "L", k == 2 ? 1e-5 : 1e-12);
	}
	/* qr of a stack (the checker took only matrices before) */
	load("A", "qr_stack_a");
	load("Q", "qr_stack_q");
	load("R", "qr_stack_r");
	CLOSE("qr(A)", "Q", 1e-12);
	CLOSE("qr_r(A)", "R", 1e-12);
	/* svd: S as NumPy's; U and Vh up to the sign of each pair */
	static const char *svd[] = {"svd_tall", "svd_wide", "svd_stack",
	                            "svd_qr", "svd_f32"};
	for (size_t k = 0; k < 5; k++) {
		double tol = k == 4 ? 1e-5 : 1e-12;
		load_part("A", svd[k], "a");
		load_part("S", svd[k], "s");
		load_part("U", svd[k], "u");
		load_part("Vh", svd[k], "vh");
		CLOSE("svd(A)", "S", tol);
		CLOSE("svdvals(A)", "S", tol);
		CLOSE("abs(svd_u(A))", "abs(U)", tol * 10);
		CLOSE("abs(svd_vh(A))", "abs(Vh)", tol * 10);
	}
}
END_TEST

START_TEST(lstsq_numpy)
{
	static const char *cases[] = {"lstsq_vec", "lstsq_mat", "lstsq_rank",
	                              "lstsq_wide", "lstsq_f32"};
	for (size_t k = 0; k < 5; k++) {
		load_part("A", cases[k], "a");
		load_part("b", cases[k], "b");
		load_part("X", cases[k], "x");
		CLOSE("lstsq(A, b)", "X", k == 4 ? 1e-5 : 1e-12);
	}
}
END_TEST

/* The seed's regression y = X @ w: lstsq recovers w as NumPy's lstsq
 * does (the fixture is NumPy's answer, not w, though they agree). */
START_TEST(seed_regression)
{
	char line[1024];
	snprintf(line, sizeof line, "X = load(\"%s/regression_X.npy\"); "
	         "y = load(\"%s/regression_y.npy\"); "
	         "w = load(\"%s/regression_w.npy\")", MM_TEST_DATA, MM_TEST_DATA,
	         MM_TEST_DATA);
	ck_assert_int_eq(run(line), 0);
	load("W", "regression_x");
	CLOSE("lstsq(X, y)", "W", 1e-12);
	CLOSE("lstsq(X, y)", "w", 1e-12);
	/* the fitted weights have w's shape, (3 x 1) */
	ck_assert_int_eq(run("lstsq(X, y)"), 0);
	ck_assert_msg(strstr(cap.json, "\"shape\":[3,1]") != NULL, "%s", cap.json);
}
END_TEST

/* Shapes through the parser and checker: "(2x3)", "(3,)", "()" or
 * "error" (a shape error, as NumPy raises). */
static void answer(const char *text, char *got, size_t cap_)
{
	mm_arena a = MM_ARENA_INIT;
	mm_env env = {0};
	mm_diag d;
	mm_node *e = mm_parse_expr_text(text, strlen(text), 0, &a, &d);
	ck_assert_msg(e != NULL, "parse: %s: %s", text, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &a, &d, NULL);
	if (mm_check_expr(&c, e) != MM_OK) {
		ck_assert_msg(d.code == MM_ERR_SHAPE, "%s: %s", text, d.message);
		snprintf(got, cap_, "error");
	} else {
		const mm_shape *sh = &e->info->v.shape;
		size_t k = (size_t)snprintf(got, cap_, "(");
		for (int i = 0; i < sh->ndim; i++)
			k += (size_t)snprintf(got + k, cap_ - k,
			                      i ? "x%lld" : "%lld",
			                      (long long)sh->dim[i]);
		snprintf(got + k, cap_ - k, sh->ndim == 1 ? ",)" : ")");
	}
	mm_arena_free(&a);
	mm_env_free(&env);
}

START_TEST(shapes_numpy)
{
	FILE *f = fopen(MM_TEST_DATA "/linalg_fn_shapes.tsv", "r");
	ck_assert_ptr_nonnull(f);
	char line[256], got[64];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		ck_assert_ptr_nonnull(tab);
		*tab = '\0';
		char *want = tab + 1;
		want[strcspn(want, "\n")] = '\0';
		answer(line, got, sizeof got);
		ck_assert_msg(!strcmp(got, want), "%s: NumPy %s, mmcalc %s", line,
		              want, got);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 156);
}
END_TEST

/* solve's rule (shape.c) as the checker applies it, against NumPy's
 * answers of linalg_solve_shapes.tsv (which the library's solve is
 * checked against in test-linalg). */
START_TEST(solve_shapes_numpy)
{
	FILE *f = fopen(MM_TEST_DATA "/linalg_solve_shapes.tsv", "r");
	ck_assert_ptr_nonnull(f);
	char line[256], sa[64], sb[64], want[64], expr[200], got[64];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%63s %63s %63s", sa, sb, want), 3);
		/* "3" is a 1-D shape in the file, (3,) here */
		char fa[80], fb[80];
		snprintf(fa, sizeof fa, strchr(sa, 'x') || !strcmp(sa, "()")
		                            ? "(%s)" : "(%s,)", sa);
		snprintf(fb, sizeof fb, strchr(sb, 'x') || !strcmp(sb, "()")
		                            ? "(%s)" : "(%s,)", sb);
		if (!strcmp(sb, "()"))
			snprintf(fb, sizeof fb, "()");
		snprintf(expr, sizeof expr, "solve(%s, %s)", fa, fb);
		answer(expr, got, sizeof got);
		char w[80];
		snprintf(w, sizeof w, !strcmp(want, "error") ? "%s"
		                      : strchr(want, 'x') ? "(%s)" : "(%s,)", want);
		ck_assert_msg(!strcmp(got, w), "%s: NumPy %s, mmcalc %s", expr, w,
		              got);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 23);
}
END_TEST

START_TEST(errors)
{
	ck_assert_int_eq(run(":dtype f64; solve([[1, 2], [2, 4]], [1, 2])"), 1);
	ck_assert_str_eq(cap.err, "solve: matrix is singular");
	ck_assert_msg(strstr(cap.hint, "lstsq(A, b)") != NULL, "%s", cap.hint);
	ck_assert_int_eq(run("inv(reshape([1, 0, 0, 1, 1, 1, 1, 1], 2, 2, 2))"),
	                 1);
	ck_assert_str_eq(cap.err, "inv: matrix [1] is singular");
	ck_assert_int_eq(run("cholesky([[1, 2], [2, 1]])"), 1);
	ck_assert_str_eq(cap.err, "cholesky: matrix is not positive definite");
	ck_assert_msg(strstr(cap.hint, "positive definite") != NULL, "%s",
	              cap.hint);
	/* det of a singular matrix is 0, slogdet -inf, no error */
	ck_assert_double_eq(value("det([[1, 2], [2, 4]])"), 0);
	ck_assert_int_eq(run("inv((2 x 3))"), 1);
	ck_assert_str_eq(cap.err, "inv needs square matrices, not (2 x 3)");
	ck_assert_int_eq(run("lstsq((4 x 3), (5,))"), 1);
	ck_assert_str_eq(cap.err, "lstsq: b (5,) has 5 rows where A (4 x 3) has 4");
	ck_assert_int_eq(run("lstsq((2 x 4 x 3), (4,))"), 1);
	ck_assert_msg(strstr(cap.err, "takes no stacks") != NULL, "%s", cap.err);
	ck_assert_int_eq(run("svd(3)"), 1);
	ck_assert_str_eq(cap.err, "svd: expected a tensor, got a number");
	ck_assert_int_eq(run("svd_u([1, 2, 3])"), 1);
	ck_assert_str_eq(cap.err, "svd_u needs a matrix (or a stack of them), "
	                          "not the 1-D (3,)");
}
END_TEST

/* The costs, against LAWN 41's (dopla.f's) multiplications plus
 * additions computed here in doubles. */
static double flops(const char *expr)
{
	char line[256];
	snprintf(line, sizeof line, "flops(%s)", expr);
	return value(line);
}

START_TEST(costs_lawn41)
{
	double n = 1000;
	double getrf = n * (n * n - n * (n + 1) + (n + 1) * (2 * n + 1) / 6) * 2 +
	               n * (n - (n + 1) / 2);
	double getrs = n * n + n * (n - 1);
	ck_assert_double_eq(flops("solve((1000 x 1000), (1000,))"), getrf + getrs);
	ck_assert_double_eq(flops("solve((1000 x 1000), (1000 x 8))"),
	                    getrf + 8 * getrs);
	ck_assert_double_eq(flops("inv((5 x 1000 x 1000))"),
	                    5 * (getrf + n * getrs));
	ck_assert_double_eq(flops("det((1000 x 1000))"), getrf + n);
	double potrf = n * (1.0 / 3 + n * (0.5 + n / 6)) + n * (n * n - 1) / 6;
	ck_assert_double_eq(flops("cholesky((1000 x 1000))"), round(potrf));
	double m = 2048, k = 512;
	double geqrf = k * (23.0 / 6 + m + k / 2 + k * (m - k / 3)) +
	               k * (5.0 / 6 + k * (0.5 + m - k / 3));
	double orgqr = k * (-5.0 / 3 + 2 * k - k + 2 * m * k + k * (2 * k / 3 - m - k)) +
	               k * (1.0 / 3 + k - m + 2 * m * k + k * (2 * k / 3 - m - k));
	ck_assert_double_eq(flops("qr_r((2048 x 512))"), round(geqrf));
	ck_assert_double_eq(flops("qr((2048 x 512))"), round(geqrf + orgqr));
	/* symbolic: solve's count as a polynomial of n */
	ck_assert_int_eq(run("solve((n x n), (n,))"), 0);
	ck_assert_msg(strstr(cap.json, "(4*n^3 + 9*n^2 - 7*n)/6") != NULL, "%s",
	              cap.json);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("linalg-fn");
	TCase *tc = tcase_create("linalg-fn");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, solve_inv_det);
	tcase_add_test(tc, cholesky_qr_svd);
	tcase_add_test(tc, lstsq_numpy);
	tcase_add_test(tc, seed_regression);
	tcase_add_test(tc, shapes_numpy);
	tcase_add_test(tc, solve_shapes_numpy);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, costs_lawn41);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
