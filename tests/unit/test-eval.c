/* test-eval.c — the evaluator on checked trees: values against direct
 * computation, references taken during evaluation and all released
 * after, :run's filling of abstract leaves, and errors with spans. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/eval.h"
#include "mmcalc/ops.h"

static mm_arena arena;
static mm_env env;
static mm_diag d;
static mm_rng rng;

/* src checked (fill: as :run) and evaluated; the tree, or NULL when the
 * evaluation failed (d says why). */
static mm_node *run(const char *src, bool fill)
{
	mm_node *e = mm_parse_expr_text(src, strlen(src), 0, &arena, &d);
	ck_assert_msg(e != NULL, "%s: %s", src, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d,
	                &(mm_check_opts){.dtype = MM_F64, .fill_abstract = fill});
	ck_assert_msg(mm_check_expr(&c, e) == MM_OK, "%s: %s", src, d.message);
	mm_evaluator ev = {&rng, &d};
	if (fill && mm_eval_fill(&ev, e) != MM_OK)
		return NULL;
	return mm_eval(&ev, e) == MM_OK ? e : NULL;
}

static void bind(const char *name, mm_tensor *t)
{
	mm_value v = {.kind = MM_K_TENSOR, .dtype = t->dtype,
	              .shape = mm_shape_make(t->ndim, t->shape)};
	ck_assert(mm_env_set(&env, name, &v, t, NULL));
}

static void setup(void) { mm_rng_seed(&rng, 7); }

static void teardown(void)
{
	mm_env_clear(&env);
	mm_arena_reset(&arena);
}

START_TEST(values)
{
	mm_node *e = run("[[1, 2], [3, 4]] @ [[5], [6]] + 1", false);
	ck_assert_ptr_nonnull(e);
	mm_tensor *t = e->info->value;
	ck_assert_int_eq(t->ndim, 2);
	ck_assert(mm_tensor_get_flat(t, 0) == 1 * 5 + 2 * 6 + 1);
	ck_assert(mm_tensor_get_flat(t, 1) == 3 * 5 + 4 * 6 + 1);
	mm_eval_release_all(e);
	e = run("sum(exp(arange(4)))", false);
	double want = 1 + exp(1.0) + exp(2.0) + exp(3.0);
	ck_assert_double_eq_tol(mm_tensor_item(e->info->value), want, 1e-12);
	mm_eval_release_all(e);
}
END_TEST

/* A variable's tensor is referenced while the statement runs, and only
 * then; intermediates are freed as soon as they are used. */
START_TEST(references)
{
	mm_tensor *x = mm_tensor_full(MM_F64, 1, (int64_t[]){4}, 2, NULL);
	bind("X", x);
	ck_assert_int_eq(x->refcount, 2);
	mm_node *e = run("X * X + X", false);
	ck_assert_ptr_nonnull(e);
	ck_assert(mm_tensor_get_flat(e->info->value, 3) == 6);
	/* the leaves hold a reference each until the statement ends; the
	 * product, used once, is gone already */
	ck_assert_int_eq(x->refcount, 2 + 3);
	ck_assert_ptr_null(e->lhs->info->value);
	mm_eval_release_all(e);
	ck_assert_int_eq(x->refcount, 2);
	mm_tensor_unref(x);
}
END_TEST

START_TEST(fill_for_run)
{
	mm_node *e = run("(3 x 4) @ (4 x 2)", true);
	ck_assert_ptr_nonnull(e);
	mm_tensor *a = e->lhs->info->value, *b = e->rhs->info->value;
	ck_assert_ptr_nonnull(a);
	double s = 0;
	for (int k = 0; k < 4; k++)
		s += mm_tensor_get(a, (int64_t[]){1, k}) * mm_tensor_get(b, (int64_t[]){k, 1});
	ck_assert_double_eq_tol(mm_tensor_get(e->info->value, (int64_t[]){1, 1}), s,
	                        1e-12);
	mm_eval_release_all(e);
	/* a concrete variable is not refilled */
	mm_tensor *x = mm_tensor_full(MM_F64, 1, (int64_t[]){2}, 5, NULL);
	bind("X", x);
	e = run("X + (2,)", true);
	ck_assert(mm_tensor_get_flat(e->lhs->info->value, 0) == 5);
	mm_eval_release_all(e);
	mm_tensor_unref(x);
}
END_TEST

START_TEST(errors)
{
	/* an abstract operand cannot be evaluated without :run */
	mm_node *e = mm_parse_expr_text("(2x2) + 1", 9, 0, &arena, &d);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d, NULL);
	ck_assert_int_eq(mm_check_expr(&c, e), MM_OK);
	mm_evaluator ev = {&rng, &d};
	ck_assert_int_eq(mm_eval(&ev, e), MM_ERR_VALUE);
	ck_assert_uint_eq(d.span.start, 0);
	/* qr of a matrix and its errors come with the node's span */
	e = run("qr_r([[3, 1], [4, 2]])", false);
	ck_assert_double_eq_tol(fabs(mm_tensor_get(e->info->value, (int64_t[]){0, 0})),
	                        5, 1e-12);
	mm_eval_release_all(e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("eval");
	TCase *tc = tcase_create("eval");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, values);
	tcase_add_test(tc, references);
	tcase_add_test(tc, fill_for_run);
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	mm_arena_free(&arena);
	mm_env_free(&env);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
