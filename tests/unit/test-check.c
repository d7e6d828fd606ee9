/* test-check.c — the checker on its own: what each kind of node becomes
 * (number, string, tensor), folding through the same functions the
 * kernels run, call arguments validated from the built-in table, errors
 * with spans, symbols, and no tensor reference taken while checking. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/builtin.h"
#include "mmcalc/check.h"
#include "mmcalc/ops.h"

static mm_arena arena;
static mm_env env;
static mm_diag d;

/* src checked; the checker's result code, the tree in *out. */
static mm_code check_src(const char *src, mm_node **out)
{
	mm_node *e = mm_parse_expr_text(src, strlen(src), 0, &arena, &d);
	ck_assert_msg(e != NULL, "%s: %s", src, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d, NULL);
	*out = e;
	return mm_check_expr(&c, e);
}

static const mm_info *ok(const char *src)
{
	mm_node *e;
	ck_assert_msg(check_src(src, &e) == MM_OK, "%s: %s", src, d.message);
	return e->info;
}

/* The error of src: its code, and its span as [start, end). */
static mm_code bad(const char *src, uint32_t start, uint32_t end)
{
	mm_node *e;
	mm_code r = check_src(src, &e);
	ck_assert_msg(r != MM_OK, "%s: no error", src);
	ck_assert_msg(d.span.start == start && d.span.end == end,
	              "%s: span [%u, %u), want [%u, %u): %s", src, d.span.start,
	              d.span.end, start, end, d.message);
	return r;
}

static void teardown(void)
{
	mm_env_clear(&env);
	mm_arena_reset(&arena);
}

START_TEST(kinds)
{
	ck_assert_int_eq(ok("1 + 2")->v.kind, MM_K_NUMBER);
	ck_assert_int_eq(ok("\"a\"")->v.kind, MM_K_STRING);
	const mm_info *t = ok("(2 x 3) @ (3 x 4)");
	ck_assert_int_eq(t->v.kind, MM_K_TENSOR);
	ck_assert_int_eq(t->v.shape.ndim, 2);
	ck_assert_int_eq(t->v.shape.dim[1], 4);
	ck_assert(!t->concrete);
	ck_assert(ok("[[1, 2], [3, 4]]")->concrete);
	ck_assert(ok("zeros(3) + 1")->concrete);
	ck_assert_int_eq(ok("(3,)")->v.shape.ndim, 1);
	ck_assert_int_eq(ok("()")->v.shape.ndim, 0);
}
END_TEST

/* A folded number is exactly what the f64 kernel computes. */
START_TEST(folding_is_the_kernels)
{
	static const char *const fns[] = {"exp", "log", "tanh", "sigmoid", "gelu",
	                                  "sin", "sqrt"};
	for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
		char src[64];
		snprintf(src, sizeof src, "%s(0.731)", fns[k]);
		const mm_builtin *f = mm_builtin_find(fns[k]);
		ck_assert_ptr_nonnull(f);
		mm_tensor *x = mm_tensor_full(MM_F64, 1, (int64_t[]){1}, 0.731, NULL);
		mm_tensor *y = mm_op_unary((mm_unop)f->op, x, NULL);
		double want = mm_tensor_get_flat(y, 0);
		ck_assert_msg(ok(src)->v.num == want, "%s: %.17g vs %.17g", src,
		              ok(src)->v.num, want);
		mm_tensor_unref(x);
		mm_tensor_unref(y);
	}
	ck_assert(ok("7 % -2")->v.num == -1);
	ck_assert(signbit(ok("4 % -2")->v.num));
	ck_assert(!signbit(ok("(-4) % 2")->v.num));
	ck_assert(ok("2 ** 10")->v.num == 1024);
}
END_TEST

START_TEST(call_arguments)
{
	ck_assert_int_eq(bad("softmax()", 0, 9), MM_ERR_ARG);
	ck_assert_int_eq(bad("softmax((2x3), axes=1)", 20, 21), MM_ERR_ARG);
	ck_assert_int_eq(bad("sum((2x3), axis=0, axis=1)", 24, 25), MM_ERR_ARG);
	ck_assert_int_eq(bad("sum(axis=0, (2x3))", 12, 17), MM_ERR_SYNTAX);
	ck_assert_int_eq(bad("nosuch(1)", 0, 6), MM_ERR_NAME);
	ck_assert_str_eq(d.hint, ":help functions lists them");
	/* dtype= is a bare word, not a name to look up */
	ck_assert_int_eq(ok("zeros(2, dtype=bf16)")->v.dtype, MM_BF16);
	ck_assert_int_eq(bad("zeros(2, dtype=f17)", 15, 18), MM_ERR_ARG);
	/* only rows marked symbolic take symbols */
	ok("softmax((n x 4))");
	ck_assert_int_eq(bad("concat((n x 4), (2 x 4))", 7, 14),
	                 MM_ERR_UNSUPPORTED);
	ck_assert_int_eq(ok("reshape((n x 4), 4, -1)")->v.shape.ndim, 2);
}
END_TEST

START_TEST(errors_point_at_the_problem)
{
	ck_assert_int_eq(bad("(1024x4096) @ (2048x4096)", 12, 13), MM_ERR_SHAPE);
	ck_assert_msg(strstr(d.hint, "transpose") != NULL, "%s", d.hint);
	ck_assert_int_eq(bad("(2x3) + (4x5)", 6, 7), MM_ERR_SHAPE);
	ck_assert_int_eq(bad("W @ W", 0, 1), MM_ERR_NAME);
	ck_assert_int_eq(bad("softmax", 0, 7), MM_ERR_TYPE);
	ck_assert_int_eq(bad("(2x3)[5]", 6, 7), MM_ERR_VALUE);
	ck_assert_int_eq(bad("(2x3)[::0]", 6, 9), MM_ERR_VALUE);
}
END_TEST

START_TEST(symbols_and_costs)
{
	const mm_info *i = ok("(n x d) @ (d x d)");
	ck_assert(i->symbolic);
	ck_assert_ptr_nonnull(i->cost.sflops);
	mm_buf b = MM_BUF_INIT;
	mm_poly_print(&b, i->cost.sflops, MM_POLY_ASCII);
	ck_assert_str_eq(mm_buf_str(&b), "2*n*d^2");
	mm_buf_free(&b);
	/* silu: 4 FLOPs per element (unary.def), with symbols too */
	ck_assert_uint_eq(ok("silu((8 x 4096))")->cost.flops.exact, 4 * 8 * 4096);
	b = (mm_buf)MM_BUF_INIT;
	mm_poly_print(&b, ok("silu((n x 4096))")->cost.sflops, MM_POLY_ASCII);
	ck_assert_str_eq(mm_buf_str(&b), "16384*n");
	mm_buf_free(&b);
	const mm_info *j = ok("(8 x 16) @ (16 x 4)");
	ck_assert_ptr_null(j->cost.sflops);
	ck_assert_uint_eq(j->cost.flops.exact, 2 * 8 * 16 * 4);
	ck_assert_uint_eq(j->cost.bytes.exact, 4 * (8 * 16 + 16 * 4 + 8 * 4));
}
END_TEST

/* Checking a concrete variable notes that it has data and takes no
 * reference to it: the evaluator does. */
START_TEST(no_references_while_checking)
{
	mm_tensor *t = mm_tensor_zeros(MM_F32, 1, (int64_t[]){3}, NULL);
	mm_value v = {.kind = MM_K_TENSOR, .dtype = MM_F32,
	              .shape = mm_shape_make(1, (int64_t[]){3})};
	ck_assert(mm_env_set(&env, "X", &v, t, NULL));
	ck_assert_int_eq(t->refcount, 2);
	const mm_info *i = ok("X");
	ck_assert(i->data && i->concrete);
	ck_assert_ptr_null(i->value);
	ok("exp(X) + X @ X");
	ck_assert_int_eq(t->refcount, 2);
	mm_tensor_unref(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("check");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, kinds);
	tcase_add_test(tc, folding_is_the_kernels);
	tcase_add_test(tc, call_arguments);
	tcase_add_test(tc, errors_point_at_the_problem);
	tcase_add_test(tc, symbols_and_costs);
	tcase_add_test(tc, no_references_while_checking);
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
