/* test-solve.c — the hole solver: the shape '?' must have, for every
 * operator it inverts, and the reasons when none fits. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/solve.h"

static mm_arena arena;
static mm_env env;
static mm_diag d;

/* Solves LHS = WANT; the result code, the hole's shape as text in out. */
static mm_code solve(const char *lhs, const char *want, char *out, size_t cap)
{
	mm_node *e = mm_parse_expr_text(lhs, strlen(lhs), 0, &arena, &d);
	mm_node *w = mm_parse_expr_text(want, strlen(want), 0, &arena, &d);
	ck_assert(e && w);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d, NULL);
	ck_assert_int_eq(mm_check_expr(&c, w), MM_OK);
	mm_shape hole;
	mm_code r = mm_solve_hole(&c, e, &w->info->v.shape, &hole);
	if (r == MM_OK)
		mm_shape_str(&hole, out, cap);
	return r;
}

static void expect(const char *lhs, const char *want, const char *hole)
{
	char got[160];
	ck_assert_msg(solve(lhs, want, got, sizeof got) == MM_OK, "%s = %s: %s",
	              lhs, want, d.message);
	ck_assert_msg(strcmp(got, hole) == 0, "%s = %s: got %s, want %s", lhs,
	              want, got, hole);
}

START_TEST(matmul)
{
	expect("(1024x4096) @ ?", "(1024x512)", "(4096 x 512)");
	expect("? @ (4096x512)", "(1024x512)", "(1024 x 4096)");
	expect("(4096,) @ ?", "(512,)", "(4096 x 512)");
	expect("? @ (4096,)", "(8,)", "(8 x 4096)");
	expect("((8x16) @ ?) @ (32x4)", "(8x4)", "(16 x 32)");
}
END_TEST

START_TEST(through_other_operators)
{
	expect("? + (3,)", "(2x3)", "(2 x 3)");
	expect("-?", "(2x3)", "(2 x 3)");
	expect("?.T", "(2x3)", "(3 x 2)");
	expect("transpose(?)", "(2x3)", "(3 x 2)");
	expect("gelu(?) @ (5x2)", "(4x2)", "(4 x 5)");
	expect("softmax((8x16) @ ?)", "(8x3)", "(16 x 3)");
}
END_TEST

START_TEST(no_shape_fits)
{
	char got[160];
	ck_assert_int_eq(solve("(1024x4096) @ ?", "(512x512)", got, sizeof got),
	                 MM_ERR_SHAPE);
	ck_assert_msg(strstr(d.message, "rows") != NULL, "%s", d.message);
	ck_assert_int_eq(solve("? @ (4x5)", "(3x6)", got, sizeof got), MM_ERR_SHAPE);
	ck_assert_int_eq(solve("(2x3) + (2x3)", "(2x3)", got, sizeof got), MM_ERR_ARG);
	ck_assert_int_eq(solve("sum(?)", "()", got, sizeof got), MM_ERR_UNSUPPORTED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("solve");
	TCase *tc = tcase_create("solve");
	tcase_add_test(tc, matmul);
	tcase_add_test(tc, through_other_operators);
	tcase_add_test(tc, no_shape_fits);
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
