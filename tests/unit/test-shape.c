/* test-shape.c — shape algebra, and NumPy's answers for 400 shape pairs
 * (tests/data/shape_rules.tsv) reproduced through the parser and checker. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/check.h"
#include "mmcalc/shape.h"

static mm_shape sh(int n, ...)
{
	va_list ap;
	mm_shape s = {0};
	va_start(ap, n);
	s.ndim = n;
	for (int i = 0; i < n; i++)
		s.dim[i] = va_arg(ap, int64_t);
	va_end(ap);
	return s;
}
#define S(...) sh(__VA_ARGS__)
#define D(x) ((int64_t)(x))

START_TEST(broadcast)
{
	mm_shape a = S(4, D(8), D(1), D(6), D(1)), b = S(3, D(7), D(1), D(5)), r;
	mm_diag d;
	ck_assert_int_eq(mm_shape_broadcast(&a, &b, "+", &r, &d), MM_OK);
	mm_shape want = S(4, D(8), D(7), D(6), D(5));
	ck_assert(mm_shape_eq(&r, &want));
	a = S(1, D(3));
	b = S(2, D(2), D(4));
	ck_assert_int_eq(mm_shape_broadcast(&a, &b, "*", &r, &d), MM_ERR_SHAPE);
	ck_assert_msg(strstr(d.message, "(3,) * (2 x 4)") != NULL, "%s", d.message);
	a = S(0);
	ck_assert_int_eq(mm_shape_broadcast(&a, &b, "*", &r, &d), MM_OK);
	ck_assert(mm_shape_eq(&r, &b));
	a = S(2, D(0), D(1));
	b = S(1, D(5));
	ck_assert_int_eq(mm_shape_broadcast(&a, &b, "+", &r, &d), MM_OK);
	want = S(2, D(0), D(5));
	ck_assert(mm_shape_eq(&r, &want));
}
END_TEST

START_TEST(matmul)
{
	mm_shape a = S(2, D(1024), D(4096)), b = S(2, D(4096), D(4096)), r;
	int64_t m, k, n;
	uint64_t batch;
	double ba;
	mm_diag d;
	ck_assert_int_eq(mm_shape_matmul(&a, &b, &r, &m, &k, &n, &batch, &ba, &d), MM_OK);
	ck_assert_int_eq(m, 1024);
	ck_assert_int_eq(k, 4096);
	ck_assert_int_eq(n, 4096);
	ck_assert_uint_eq(batch, 1);
	/* vector @ vector is 0-d */
	a = S(1, D(5));
	ck_assert_int_eq(mm_shape_matmul(&a, &a, &r, &m, &k, &n, &batch, &ba, &d), MM_OK);
	ck_assert_int_eq(r.ndim, 0);
	/* batch broadcasting */
	a = S(4, D(2), D(1), D(3), D(4));
	b = S(3, D(5), D(4), D(6));
	ck_assert_int_eq(mm_shape_matmul(&a, &b, &r, &m, &k, &n, &batch, &ba, &d), MM_OK);
	mm_shape want = S(4, D(2), D(5), D(3), D(6));
	ck_assert(mm_shape_eq(&r, &want));
	ck_assert_uint_eq(batch, 10);
	/* 0-d rejected; the mismatch message names both shapes and the fix */
	a = S(0);
	ck_assert_int_eq(mm_shape_matmul(&a, &b, &r, &m, &k, &n, &batch, &ba, &d), MM_ERR_SHAPE);
	a = S(2, D(1024), D(4096));
	b = S(2, D(2048), D(4096));
	ck_assert_int_eq(mm_shape_matmul(&a, &b, &r, &m, &k, &n, &batch, &ba, &d), MM_ERR_SHAPE);
	ck_assert_str_eq(d.message, "@: inner dimensions differ: (1024 x 4096) @ "
	                            "(2048 x 4096); 4096 != 2048");
	ck_assert_msg(strstr(d.hint, "transpose of the right operand") != NULL, "%s", d.hint);
}
END_TEST

START_TEST(reshape_concat_reduce)
{
	mm_shape a = S(3, D(8), D(1024), D(768)), r;
	mm_diag d;
	int64_t dims[] = {-1, 768};
	ck_assert_int_eq(mm_shape_reshape(&a, 2, dims, &r, &d), MM_OK);
	ck_assert_int_eq(r.dim[0], 8192);
	int64_t bad[] = {-1, -1};
	ck_assert_int_eq(mm_shape_reshape(&a, 2, bad, &r, &d), MM_ERR_SHAPE);
	int64_t wrong[] = {5, 5};
	ck_assert_int_eq(mm_shape_reshape(&a, 2, wrong, &r, &d), MM_ERR_SHAPE);
	ck_assert_str_eq(d.message, "reshape: (8 x 1024 x 768) has 6291456 "
	                            "elements, (5 x 5) has 25");
	int64_t seven[] = {-1, 7};
	ck_assert_int_eq(mm_shape_reshape(&a, 2, seven, &r, &d), MM_ERR_SHAPE);
	mm_shape parts[2] = {S(2, D(2), D(3)), S(2, D(2), D(5))};
	ck_assert_int_eq(mm_shape_concat(parts, 2, -1, &r, &d), MM_OK);
	ck_assert_int_eq(r.dim[1], 8);
	ck_assert_int_eq(mm_shape_concat(parts, 2, 0, &r, &d), MM_ERR_SHAPE);
	ck_assert_int_eq(mm_shape_concat(parts, 2, 2, &r, &d), MM_ERR_VALUE);
	mm_shape x = S(3, D(2), D(3), D(4));
	r = mm_shape_reduce(&x, false, 1, false);
	mm_shape want = S(2, D(2), D(4));
	ck_assert(mm_shape_eq(&r, &want));
	r = mm_shape_reduce(&x, false, 1, true);
	want = S(3, D(2), D(1), D(4));
	ck_assert(mm_shape_eq(&r, &want));
	r = mm_shape_reduce(&x, true, 0, false);
	ck_assert_int_eq(r.ndim, 0);
	int ax;
	ck_assert_int_eq(mm_shape_axis(3, -1, &ax, &d), MM_OK);
	ck_assert_int_eq(ax, 2);
	ck_assert_int_eq(mm_shape_axis(3, 3, &ax, &d), MM_ERR_VALUE);
}
END_TEST

START_TEST(numel_and_print)
{
	mm_shape s = S(2, D(4294967296), D(4294967296));
	uint64_t n;
	double approx;
	ck_assert(!mm_shape_numel(&s, &n, &approx));
	ck_assert_double_eq(approx, 18446744073709551616.0);
	s = S(2, D(4294967296), D(4294967295));
	ck_assert(mm_shape_numel(&s, &n, &approx));
	ck_assert_uint_eq(n, UINT64_C(18446744069414584320));
	s = S(3, D(1e12), D(0), D(1e12));
	ck_assert(mm_shape_numel(&s, &n, &approx));
	ck_assert_uint_eq(n, 0);
	char buf[64];
	s = S(1, D(3));
	ck_assert_str_eq(mm_shape_str(&s, buf, sizeof buf), "(3,)");
	s = S(0);
	ck_assert_str_eq(mm_shape_str(&s, buf, sizeof buf), "()");
	s = S(3, D(2), D(3), D(4));
	ck_assert_str_eq(mm_shape_str(&s, buf, sizeof buf), "(2 x 3 x 4)");
}
END_TEST

/* The shape of `lhs op rhs` through the parser and checker, as the TSV
 * writes it ("(4x7)", "(3,)", "()"), or "error". */
static void numpy_answer(const char *line, char *got, size_t cap)
{
	mm_arena a = MM_ARENA_INIT;
	mm_env env = {0};
	mm_diag d;
	mm_node *e = mm_parse_expr_text(line, strlen(line), 0, &a, &d);
	ck_assert_msg(e != NULL, "parse: %s: %s", line, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &a, &d, NULL);
	if (mm_check_expr(&c, e) != MM_OK) {
		ck_assert_msg(d.code == MM_ERR_SHAPE, "%s: %s", line, d.message);
		snprintf(got, cap, "error");
	} else {
		const mm_shape *s = &e->info->v.shape;
		size_t k = (size_t)snprintf(got, cap, "(");
		for (int i = 0; i < s->ndim; i++)
			k += (size_t)snprintf(got + k, cap - k, i ? "x%lld" : "%lld",
			                      (long long)s->dim[i]);
		snprintf(got + k, cap - k, s->ndim == 1 ? ",)" : ")");
	}
	mm_arena_free(&a);
	mm_env_free(&env);
}

START_TEST(numpy_shape_rules)
{
	FILE *f = fopen(MM_TEST_DATA "/shape_rules.tsv", "r");
	ck_assert_msg(f != NULL, "cannot open shape_rules.tsv");
	char line[256], op[8], lhs[64], rhs[64], want[64], expr[200], got[64];
	int n = 0;
	ck_assert(fgets(line, sizeof line, f)); /* header */
	while (fgets(line, sizeof line, f)) {
		ck_assert_int_eq(sscanf(line, "%7s %63s %63s %63s", op, lhs, rhs, want), 4);
		snprintf(expr, sizeof expr, "%s %s %s", lhs, op, rhs);
		numpy_answer(expr, got, sizeof got);
		ck_assert_msg(strcmp(got, want) == 0, "%s: NumPy says %s, mmcalc %s",
		              expr, want, got);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 400);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shape");
	TCase *tc = tcase_create("shape");
	tcase_add_test(tc, broadcast);
	tcase_add_test(tc, matmul);
	tcase_add_test(tc, reshape_concat_reduce);
	tcase_add_test(tc, numel_and_print);
	tcase_add_test(tc, numpy_shape_rules);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
