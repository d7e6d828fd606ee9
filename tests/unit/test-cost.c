/* test-cost.c — the costs the checker assigns: FLOPs, MACs, bytes in, out
 * and peak, exact integers and approximate beyond 2^64. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/check.h"
#include "mmcalc/suggest.h"

static mm_arena arena;
static mm_env env;

static mm_node *checked(const char *src, mm_dtype t, mm_totals *tot)
{
	mm_diag d;
	mm_node *e = mm_parse_expr_text(src, strlen(src), 0, &arena, &d);
	ck_assert_msg(e != NULL, "%s: %s", src, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d, &(mm_check_opts){.dtype = t});
	ck_assert_msg(mm_check_expr(&c, e) == MM_OK, "%s: %s", src, d.message);
	mm_check_totals(e, tot);
	return e;
}

static uint64_t exact(mm_count c)
{
	uint64_t v = 0;
	ck_assert_msg(mm_count_get_u64(c, &v), "not exact: %g", c.value);
	return v;
}

START_TEST(matmul_counts)
{
	mm_totals t;
	checked("(1024x4096) @ (4096x4096)", MM_F32, &t);
	ck_assert_uint_eq(exact(t.flops), UINT64_C(34359738368));
	ck_assert_uint_eq(exact(t.macs), UINT64_C(17179869184));
	ck_assert_uint_eq(exact(t.bytes_in), UINT64_C(16777216) + UINT64_C(67108864));
	ck_assert_uint_eq(exact(t.bytes_out), UINT64_C(16777216));
	ck_assert_uint_eq(exact(t.bytes_peak), UINT64_C(100663296));
	ck_assert_uint_eq(exact(t.matmul_flops), UINT64_C(34359738368));
	/* batched: 2*m*k*n per batch element */
	checked("(8x16x32) @ (32x64)", MM_F32, &t);
	ck_assert_uint_eq(exact(t.flops), 2u * 8 * 16 * 32 * 64);
	/* dtype sizes: f16 halves the bytes, i4 is half a byte each */
	checked("(1024x1024) @ (1024x1024)", MM_F16, &t);
	ck_assert_uint_eq(exact(t.bytes_out), 2u * 1024 * 1024);
	checked("(1024x1024)", MM_I4, &t);
	ck_assert_uint_eq(exact(t.bytes_in), 512u * 1024);
}
END_TEST

START_TEST(distinct_inputs_and_peak)
{
	mm_info W = {0};
	W.v.kind = MM_K_TENSOR;
	W.v.shape.ndim = 2;
	W.v.shape.dim[0] = W.v.shape.dim[1] = 100;
	W.v.dtype = MM_F32;
	ck_assert(mm_env_set(&env, "W", &W.v, NULL, NULL));
	mm_totals t;
	/* W read once although it appears twice */
	checked("W @ W", MM_F32, &t);
	ck_assert_uint_eq(exact(t.bytes_in), 40000);
	ck_assert_uint_eq(exact(t.flops), 2000000);
	/* peak: W, then W@W alive while (W@W)@W is written */
	checked("W @ W @ W", MM_F32, &t);
	ck_assert_uint_eq(exact(t.bytes_peak), 40000 * 3);
	/* views cost nothing and allocate nothing */
	checked("W.T", MM_F32, &t);
	ck_assert(mm_count_is_zero(t.flops));
	checked("W + W.T", MM_F32, &t);
	ck_assert_uint_eq(exact(t.flops), 10000);
	ck_assert_uint_eq(exact(t.bytes_peak), 80000);
	mm_env_clear(&env);
}
END_TEST

START_TEST(other_ops)
{
	mm_totals t;
	checked("softmax((8x12x1024x1024))", MM_F32, &t);
	ck_assert_uint_eq(exact(t.flops), 5u * 8 * 12 * 1024 * 1024);
	ck_assert(mm_count_is_zero(t.matmul_flops));
	checked("layernorm((4x768))", MM_F32, &t);
	ck_assert_uint_eq(exact(t.flops), 4u * 4 * 768);
	checked("sum((3x4), axis=0)", MM_F32, &t);
	ck_assert_uint_eq(exact(t.flops), 12);
	checked("exp((3x4)) * 2", MM_F32, &t);
	ck_assert_uint_eq(exact(t.flops), 24);
	checked("reshape((6x4), 3, 8)", MM_F32, &t);
	ck_assert(mm_count_is_zero(t.flops));
}
END_TEST

START_TEST(approximate_beyond_2_128)
{
	mm_totals t;
	checked("(1e12 x 1e12) @ (1e12 x 1e12)", MM_F32, &t);
	ck_assert(!t.flops.approx); /* 2e36: exact to 2^128 */
	ck_assert_double_eq_tol(mm_count_to_double(t.flops), 2e36, 1e22);
	ck_assert(!t.bytes_in.approx);
	checked("(4294967296 x 4294967296)", MM_I8, &t);
	ck_assert(!t.bytes_in.approx);
	ck_assert_uint_eq(t.bytes_in.hi, 1); /* 2^64 */
	checked("(1e15 x 1e15) @ (1e15 x 1e15)", MM_F32, &t);
	ck_assert(t.flops.approx); /* 2e45 */
	ck_assert_double_eq_tol(mm_count_to_double(t.flops), 2e45, 1e31);
}
END_TEST

START_TEST(folding_and_errors)
{
	mm_totals t;
	mm_node *e = checked("cos(deg2rad(60)) * 2", MM_F32, &t);
	ck_assert_int_eq(e->info->v.kind, MM_K_NUMBER);
	ck_assert_double_eq_tol(e->info->v.num, 1.0, 1e-15);
	e = checked("-7 % 3", MM_F32, &t);
	ck_assert_double_eq(e->info->v.num, 2); /* NumPy's sign of the divisor */
	e = checked("flops((2x3) @ (3x4))", MM_F32, &t);
	ck_assert_uint_eq(exact(e->info->v.cnt), 48);
	mm_diag d;
	const char *bad[] = {"(2.5 x 3)", "(-1 x 3)", "sum((3x4), axis=2)",
	                     "randn(2, dtype=f17)", "nosuch(1)", "(3x4)[3]",
	                     "\"a\" + 1", "sum((2x2), wrong=1)"};
	mm_code want[] = {MM_ERR_VALUE, MM_ERR_VALUE, MM_ERR_VALUE, MM_ERR_ARG,
	                  MM_ERR_NAME, MM_ERR_VALUE, MM_ERR_TYPE, MM_ERR_ARG};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mm_node *x = mm_parse_expr_text(bad[i], strlen(bad[i]), 0, &arena, &d);
		ck_assert(x != NULL);
		mm_checker c;
		mm_checker_init(&c, &env, &arena, &d, NULL);
		ck_assert_msg(mm_check_expr(&c, x) == want[i], "%s: %s", bad[i], d.message);
		ck_assert_msg(d.span.end > d.span.start, "%s: no span", bad[i]);
	}
}
END_TEST

/* The hint of checking the unknown name src, or "" */
static const char *hint_of(const char *src, mm_diag *d)
{
	mm_node *x = mm_parse_expr_text(src, strlen(src), 0, &arena, d);
	ck_assert(x != NULL);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, d, NULL);
	ck_assert_int_ne(mm_check_expr(&c, x), MM_OK);
	return d->hint;
}

START_TEST(suggestions)
{
	mm_value v = {.kind = MM_K_NUMBER};
	mm_diag d;
	ck_assert(mm_env_set(&env, "Wq", &v, NULL, NULL));
	/* a name in an expression: the variables and the functions */
	ck_assert_str_eq(hint_of("Wg", &d), "did you mean 'Wq'?");
	ck_assert_str_eq(hint_of("sofmax", &d), "did you mean 'softmax'?");
	ck_assert_str_eq(hint_of("sofmax(1)", &d), "did you mean softmax(x, axis=-1)?");
	ck_assert(strncmp(hint_of("zzzzzz", &d), "bind it first", 13) == 0);
	/* among candidates a context offers */
	static const char *const keys[] = {"precision", "strict", NULL};
	ck_assert_str_eq(mm_suggest_in("strikt", keys), "strict");
	ck_assert_ptr_null(mm_suggest_in("sqrtt", keys));
	mm_env_clear(&env);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cost");
	TCase *tc = tcase_create("cost");
	tcase_add_test(tc, matmul_counts);
	tcase_add_test(tc, distinct_inputs_and_peak);
	tcase_add_test(tc, other_ops);
	tcase_add_test(tc, approximate_beyond_2_128);
	tcase_add_test(tc, folding_and_errors);
	tcase_add_test(tc, suggestions);
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
