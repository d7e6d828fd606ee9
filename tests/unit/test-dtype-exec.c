/* test-dtype-exec.c — narrow dtypes in execution: every value the
 * evaluator makes for a tensor of f16, bf16, f8e4m3, f8e5m2, i8 or i4 is
 * one that dtype holds; views and astype leave their operands alone; and
 * matmul through each dtype's GEMM: bf16, f16 and f8 within their
 * rounding of an f64 reference, i8 and i4 exactly NumPy's wrapped
 * integer product. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/dtype_round.h"
#include "mmcalc/eval.h"
#include "mmcalc/ops.h"

static mm_arena arena;
static mm_env env;
static mm_diag d;
static mm_rng rng;

static const mm_dtype narrow[] = {MM_F16,    MM_BF16, MM_F8E4M3,
                                  MM_F8E5M2, MM_I8,   MM_I4};
#define NNARROW (sizeof narrow / sizeof narrow[0])

static void setup(void) { mm_rng_seed(&rng, 22); }

static void teardown(void)
{
	mm_env_clear(&env);
	mm_arena_reset(&arena);
}

/* src checked with default dtype t (abstract operands filled, as :run)
 * and evaluated, intermediates kept for a look. */
static mm_node *run(const char *src, mm_dtype t)
{
	mm_node *e = mm_parse_expr_text(src, strlen(src), 0, &arena, &d);
	ck_assert_msg(e != NULL, "%s: %s", src, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d,
	                &(mm_check_opts){.dtype = t, .fill_abstract = true});
	ck_assert_msg(mm_check_expr(&c, e) == MM_OK, "%s: %s", src, d.message);
	mm_evaluator ev = {&rng, &d};
	ck_assert_msg(mm_eval_fill(&ev, e) == MM_OK, "%s: %s", src, d.message);
	ck_assert_msg(mm_eval(&ev, e) == MM_OK, "%s: %s", src, d.message);
	return e;
}

/* Every element of x is a value of dtype t (NaN counts as one). */
static void holds_only(const mm_tensor *x, mm_dtype t, const char *what)
{
	int64_t n = mm_tensor_numel(x);
	for (int64_t i = 0; i < n; i++) {
		float v = (float)mm_tensor_get_flat(x, i);
		float r = mm_dtype_round(t, v);
		ck_assert_msg(memcmp(&r, &v, 4) == 0 || (isnan(r) && isnan(v)),
		              "%s as %s: element %lld is %a, not a value of %s",
		              what, mm_dtype_name(t), (long long)i, (double)v,
		              mm_dtype_name(t));
	}
}

/* Each expression on random narrow operands (the leaves' fill is
 * rounded too) gives only values of its dtype. */
START_TEST(results_hold_their_dtype)
{
	static const char *const exprs[] = {
		"(40 x 30)",          "(40 x 30) * 100 + 0.37",
		"exp((40 x 30))",     "gelu((40 x 30)) / 3",
		"-(40 x 30) * 7",     "softmax((40 x 30))",
		"sum((40 x 30) * 50, axis=0)", "layernorm((40 x 30))",
		"(40 x 30) @ (30 x 20)", "((40 x 30) * 9) @ ((30 x 20) * 9)",
		"concat((2 x 3) * 1000, (2 x 3), axis=0)",
		"reshape((4 x 6) * 3.3, 6, 4)",
	};
	for (size_t k = 0; k < NNARROW; k++)
		for (size_t j = 0; j < sizeof exprs / sizeof exprs[0]; j++) {
			mm_node *e = run(exprs[j], narrow[k]);
			ck_assert_int_eq(e->info->v.dtype, narrow[k]);
			holds_only(e->info->value, narrow[k], exprs[j]);
			mm_eval_release_all(e);
			mm_arena_reset(&arena);
		}
}
END_TEST

/* astype of a variable copies before rounding: the variable keeps its
 * values; a view of a narrow variable is not rounded again. */
START_TEST(operands_untouched)
{
	int64_t shape[1] = {4};
	const double vals[4] = {300.5, -1.0009765625, 70000, 0.1};
	mm_tensor *w = mm_tensor_from_doubles(MM_F32, 1, shape, vals, &d);
	mm_value v = {.kind = MM_K_TENSOR, .dtype = MM_F32,
	              .shape = mm_shape_make(1, shape)};
	ck_assert(mm_env_set(&env, "W", &v, w, NULL));
	const mm_dtype to[] = {MM_I8, MM_F16, MM_BF16, MM_F8E4M3, MM_F32};
	for (size_t k = 0; k < sizeof to / sizeof to[0]; k++) {
		char src[64];
		snprintf(src, sizeof src, "astype(W, dtype=%s)",
		         mm_dtype_name(to[k]));
		mm_node *e = run(src, MM_F32);
		for (int i = 0; i < 4; i++) {
			ck_assert(mm_tensor_get_flat(w, i) == (double)(float)vals[i]);
			double got = mm_tensor_get_flat(e->info->value, i);
			double want = mm_dtype_round(to[k], (float)vals[i]);
			ck_assert_msg(got == want || (isnan(got) && isnan(want)),
			              "%s element %d: %g", src, i, got);
		}
		mm_eval_release_all(e);
	}
	mm_node *e = run("astype(W, dtype=i8)", MM_F32);
	ck_assert(mm_tensor_get_flat(e->info->value, 0) == 44.0);
	mm_eval_release_all(e);
	mm_tensor_unref(w);
}
END_TEST

/* A random m×k matrix of dtype t (values of t), scaled by s. */
static mm_tensor *rand_of(mm_dtype t, int64_t m, int64_t k, float s)
{
	int64_t shape[2] = {m, k};
	mm_tensor *x = mm_tensor_randn(&rng, MM_F32, 2, shape, &d);
	float *p = x->data;
	for (int64_t i = 0; i < m * k; i++)
		p[i] *= s;
	ck_assert_int_eq(mm_dtype_round_tensor(x, t, &d), MM_OK);
	return x;
}

/* C = A @ B as dtype t against the f64 product: representable, and
 * within rel (the dtype's rounding) of the reference plus the f32 sums'
 * error bound k·2^-24·Σ|a||b|. */
static void product_near(mm_dtype t, int64_t m, int64_t k, int64_t n,
                         float scale, double rel)
{
	mm_tensor *a = rand_of(t, m, k, scale), *b = rand_of(t, k, n, scale);
	mm_tensor *c = mm_op_matmul_as(a, b, t, &d);
	ck_assert_msg(c != NULL, "%s", d.message);
	ck_assert_int_eq(c->ndim, 2);
	holds_only(c, t, "matmul");
	const float *pa = a->data, *pb = b->data, *pc = c->data;
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			double ref = 0, mag = 0;
			for (int64_t l = 0; l < k; l++) {
				ref += (double)pa[i * k + l] * pb[l * n + j];
				mag += fabs((double)pa[i * k + l] * pb[l * n + j]);
			}
			double err = fabs(pc[i * n + j] - ref);
			double bound = rel * fabs(ref) + (double)k * 0x1p-24 * mag +
			               1e-30;
			ck_assert_msg(err <= bound,
			              "%s [%lld,%lld]: %a, want %a (error %g > %g)",
			              mm_dtype_name(t), (long long)i, (long long)j,
			              (double)pc[i * n + j], ref, err, bound);
		}
	mm_tensor_unref(a);
	mm_tensor_unref(b);
	mm_tensor_unref(c);
}

START_TEST(float_products)
{
	/* half an ulp of each format, relative: 2^-(mantissa bits + 1) */
	product_near(MM_BF16, 37, 300, 29, 1.0f, 0x1p-8);
	product_near(MM_BF16, 1, 64, 130, 1.0f, 0x1p-8); /* a row vector */
	product_near(MM_F16, 33, 257, 31, 1.0f, 0x1p-11);
	product_near(MM_F8E4M3, 17, 40, 19, 1.0f, 0x1p-4);
	product_near(MM_F8E5M2, 17, 40, 19, 1.0f, 0x1p-3);
}
END_TEST

/* i8 and i4 products are NumPy's: the exact integer sum wrapped, for sums
 * far past the dtype's range. */
START_TEST(integer_products)
{
	const mm_dtype ts[] = {MM_I8, MM_I4};
	for (size_t q = 0; q < 2; q++) {
		mm_dtype t = ts[q];
		int64_t m = 23, k = 1001, n = 19;
		mm_tensor *a = rand_of(t, m, k, 60.0f), *b = rand_of(t, k, n, 60.0f);
		mm_tensor *c = mm_op_matmul_as(a, b, t, &d);
		ck_assert_ptr_nonnull(c);
		const float *pa = a->data, *pb = b->data, *pc = c->data;
		int bits = t == MM_I8 ? 8 : 4;
		bool big = false;
		for (int64_t i = 0; i < m; i++)
			for (int64_t j = 0; j < n; j++) {
				int64_t s = 0;
				for (int64_t l = 0; l < k; l++)
					s += (int64_t)pa[i * k + l] * (int64_t)pb[l * n + j];
				big |= s > 1000 || s < -1000;
				int64_t w = s & ((1 << bits) - 1);
				if (w >= 1 << (bits - 1))
					w -= 1 << bits;
				ck_assert_msg(pc[i * n + j] == (float)w,
				              "%s [%lld,%lld]: %g, want %lld",
				              mm_dtype_name(t), (long long)i,
				              (long long)j, (double)pc[i * n + j],
				              (long long)w);
			}
		ck_assert(big);
		mm_tensor_unref(a);
		mm_tensor_unref(b);
		mm_tensor_unref(c);
	}
}
END_TEST

/* Batched, broadcast and transposed operands take the same paths: each
 * batch entry equals its own 2-D product. */
START_TEST(batched_and_views)
{
	for (size_t q = 0; q < NNARROW; q++) {
		mm_dtype t = narrow[q];
		int64_t sa[3] = {3, 5, 7};
		mm_tensor *a3 = mm_tensor_randn(&rng, MM_F32, 3, sa, &d);
		float *p = a3->data;
		for (int i = 0; i < 105; i++)
			p[i] *= 4;
		mm_dtype_round_tensor(a3, t, &d);
		mm_tensor *b = rand_of(t, 6, 7, 4.0f);
		mm_tensor *bt = mm_tensor_transpose(b, &d); /* 7×6, a view */
		mm_tensor *c = mm_op_matmul_as(a3, bt, t, &d);
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(c->ndim, 3);
		for (int64_t i = 0; i < 3; i++) {
			mm_index idx[1] = {{MM_INDEX_INT, i, 0, 0, 1, false, false,
			                    false}};
			mm_tensor *ai = mm_tensor_index(a3, idx, 1, &d);
			mm_tensor *ci = mm_tensor_index(c, idx, 1, &d);
			mm_tensor *one = mm_op_matmul_as(ai, bt, t, &d);
			for (int64_t e = 0; e < 30; e++)
				ck_assert(mm_tensor_get_flat(one, e) ==
				          mm_tensor_get_flat(ci, e));
			mm_tensor_unref(ai);
			mm_tensor_unref(ci);
			mm_tensor_unref(one);
		}
		mm_tensor_unref(a3);
		mm_tensor_unref(b);
		mm_tensor_unref(bt);
		mm_tensor_unref(c);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dtype-exec");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, results_hold_their_dtype);
	tcase_add_test(tc, operands_untouched);
	tcase_add_test(tc, float_products);
	tcase_add_test(tc, integer_products);
	tcase_add_test(tc, batched_and_views);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
