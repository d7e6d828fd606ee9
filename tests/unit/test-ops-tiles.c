/* test-ops-tiles.c — operations whose operands are not rows in memory:
 * elementwise operations on transposed and reversed views, which ops.c
 * runs in tiles of the last two axes (and, for the vectorised functions,
 * as a tiled copy then the contiguous kernel): every element against the
 * scalar operation on the same inputs, for f32 and f64, with batch axes,
 * broadcast operands, reversed axes and sizes that are not multiples of
 * the tile; softmax over an axis other than the last (vmath's exp a
 * row at a time) against a long double reference, NaN included; and the
 * row operations of views (mm_op_contiguous's tiled copy). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/ops.h"
#include "mmcalc/rng.h"
#include "mmcalc/tensor.h"
#include "mmcalc/vmath.h"

static mm_rng rng;

static mm_tensor *randn3(mm_dtype t, int64_t a, int64_t b, int64_t c)
{
	int64_t s[3] = {a, b, c};
	mm_tensor *x = mm_tensor_randn(&rng, t, 3, s, NULL);
	ck_assert_ptr_nonnull(x);
	return x;
}

/* x of shape (B, C, R) as a (B, R, C) view: its transpose. */
static mm_tensor *transposed(mm_tensor *x)
{
	mm_tensor *t = mm_tensor_transpose(x, NULL);
	ck_assert_ptr_nonnull(t);
	mm_tensor_unref(x);
	return t;
}

/* The view with axis 1 reversed (x[:, ::-1]). */
static mm_tensor *reversed1(mm_tensor *x)
{
	mm_index idx[2] = {MM_INDEX_ALL, MM_INDEX_ALL};
	idx[1].step = -1;
	idx[1].has_step = true;
	mm_tensor *r = mm_tensor_index(x, idx, 2, NULL);
	ck_assert_ptr_nonnull(r);
	mm_tensor_unref(x);
	return r;
}

/* Element i of b broadcast to out's shape (right-aligned, 1s repeat). */
static double bcast_at(const mm_tensor *b, const mm_tensor *out, int64_t i)
{
	int64_t idx[MM_MAX_NDIM], rem = i;
	for (int k = out->ndim - 1; k >= 0; k--) {
		idx[k] = rem % out->shape[k];
		rem /= out->shape[k];
	}
	int64_t bi[MM_MAX_NDIM];
	for (int k = 0; k < b->ndim; k++) {
		int j = out->ndim - b->ndim + k;
		bi[k] = b->shape[k] == 1 ? 0 : idx[j];
	}
	return mm_tensor_get(b, bi);
}

/* a OP b elementwise against the scalar operation, bit for bit. */
static void check_binary(mm_binop op, const mm_tensor *a, const mm_tensor *b)
{
	mm_diag d = {0};
	mm_tensor *out = mm_op_binary(op, a, b, &d);
	ck_assert_msg(out != NULL, "%s", d.message);
	bool f64 = out->dtype == MM_F64;
	int64_t n = mm_tensor_numel(out), bad = 0, first = -1;
	for (int64_t i = 0; i < n; i++) {
		double x = bcast_at(a, out, i), y = bcast_at(b, out, i);
		double want = mm_op_binary_scalar(op, x, y);
		if (!f64)
			want = (float)want;
		if (mm_tensor_get_flat(out, i) != want && bad++ == 0)
			first = i;
	}
	ck_assert_msg(bad == 0, "%s: %lld of %lld wrong, first at %lld",
	              mm_op_binop_name(op), (long long)bad, (long long)n,
	              (long long)first);
	mm_tensor_unref(out);
}

START_TEST(transposed_plus_contiguous)
{
	for (int f64 = 0; f64 < 2; f64++) {
		mm_dtype t = f64 ? MM_F64 : MM_F32;
		mm_tensor *a = transposed(randn3(t, 3, 130, 70)); /* 3×70×130 */
		mm_tensor *b = randn3(t, 3, 70, 130);
		check_binary(MM_OP_ADD, a, b);
		check_binary(MM_OP_MUL, b, a);
		check_binary(MM_OP_SUB, a, a);
		mm_tensor_unref(a);
		mm_tensor_unref(b);
	}
}
END_TEST

START_TEST(transposed_with_broadcasts)
{
	mm_tensor *a = transposed(randn3(MM_F32, 2, 200, 65)); /* 2×65×200 */
	int64_t rs[1] = {200}, cs[2] = {65, 1};
	mm_tensor *row = mm_tensor_randn(&rng, MM_F32, 1, rs, NULL);
	mm_tensor *col = mm_tensor_randn(&rng, MM_F32, 2, cs, NULL);
	mm_tensor *two = mm_tensor_scalar(MM_F32, 2.0, NULL);
	check_binary(MM_OP_DIV, a, row);
	check_binary(MM_OP_ADD, col, a);
	check_binary(MM_OP_MUL, a, two);
	mm_tensor_unref(a);
	mm_tensor_unref(row);
	mm_tensor_unref(col);
	mm_tensor_unref(two);
}
END_TEST

START_TEST(reversed_transposed)
{
	/* stride -1 along the axis before the last */
	mm_tensor *a = reversed1(transposed(randn3(MM_F64, 2, 129, 67)));
	mm_tensor *b = transposed(randn3(MM_F64, 2, 129, 67));
	check_binary(MM_OP_SUB, a, b);
	check_binary(MM_OP_ADD, b, a);
	mm_tensor_unref(a);
	mm_tensor_unref(b);
}
END_TEST

/* exp, tanh and gelu of a transposed view give the scalar functions'
 * bits (the vectorised kernels' promise), f32 and f64. */
START_TEST(unary_of_views)
{
	static const mm_unop fns[] = {MM_OP_EXP, MM_OP_TANH, MM_OP_GELU};
	for (int f64 = 0; f64 < 2; f64++) {
		mm_dtype t = f64 ? MM_F64 : MM_F32;
		mm_tensor *a = reversed1(transposed(randn3(t, 2, 150, 90)));
		for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
			mm_diag d = {0};
			mm_tensor *y = mm_op_unary(fns[k], a, &d);
			ck_assert_msg(y != NULL, "%s", d.message);
			ck_assert(mm_tensor_is_contiguous(y));
			int64_t n = mm_tensor_numel(y), bad = 0;
			for (int64_t i = 0; i < n; i++) {
				double x = mm_tensor_get_flat(a, i);
				double want = f64 ? mm_op_unary_scalar(fns[k], x)
				                  : (double)mm_vmath_scalar_f32(
				                        fns[k] == MM_OP_EXP ? MM_VMATH_EXP
				                        : fns[k] == MM_OP_TANH
				                            ? MM_VMATH_TANH
				                            : MM_VMATH_GELU,
				                        (float)x);
				bad += mm_tensor_get_flat(y, i) != want;
			}
			ck_assert_msg(bad == 0, "%s %s: %lld of %lld wrong",
			              mm_op_unop_name(fns[k]), f64 ? "f64" : "f32",
			              (long long)bad, (long long)n);
			mm_tensor_unref(y);
		}
		mm_tensor_unref(a);
	}
}
END_TEST

/* softmax over axis 1 of a 3×300×50 tensor (inner rows of 50) within 8
 * ulps of long double, with a NaN making its column NaN only. x − max is
 * rounded to f32 before the exp (as PyTorch computes it): half an ulp of
 * |x − max| < 8 becomes up to 4 ulps of the exp, 1 more from the exp and
 * the division (libm's expf gave 5.0 here, vmath's 5.3). */
START_TEST(softmax_middle_axis)
{
	mm_tensor *x = randn3(MM_F32, 3, 300, 50);
	int64_t nan_at[3] = {1, 17, 9};
	mm_tensor_set(x, nan_at, NAN);
	mm_tensor *y = mm_op_softmax(x, 1, NULL);
	ck_assert_ptr_nonnull(y);
	double worst = 0;
	for (int64_t b = 0; b < 3; b++)
		for (int64_t i = 0; i < 50; i++) {
			long double m = -INFINITY, s = 0;
			for (int64_t j = 0; j < 300; j++) {
				int64_t at[3] = {b, j, i};
				long double v = mm_tensor_get(x, at);
				m = v > m ? v : m;
			}
			for (int64_t j = 0; j < 300; j++) {
				int64_t at[3] = {b, j, i};
				s += expl(mm_tensor_get(x, at) - m);
			}
			bool nan_col = b == 1 && i == 9;
			for (int64_t j = 0; j < 300; j++) {
				int64_t at[3] = {b, j, i};
				double got = mm_tensor_get(y, at);
				if (nan_col) {
					ck_assert_msg(isnan(got), "column with a NaN");
					continue;
				}
				long double want = expl(mm_tensor_get(x, at) - m) / s;
				double ulp = ldexp(1, ilogb((double)want) - 23);
				double e = (double)fabsl(got - want) / ulp;
				worst = e > worst ? e : worst;
			}
		}
	ck_assert_msg(worst <= 8, "softmax over axis 1: %.2f ulp", worst);
	mm_tensor_unref(x);
	mm_tensor_unref(y);
}
END_TEST

/* Reductions, softmax and layernorm of a transposed view (copied in
 * tiles first) give the bits they give on the same values made
 * contiguous by mm_tensor_contiguous. */
START_TEST(rows_of_views)
{
	mm_tensor *v = reversed1(transposed(randn3(MM_F32, 2, 150, 90)));
	mm_tensor *c = mm_tensor_contiguous(v, NULL);
	ck_assert_ptr_nonnull(c);
	mm_tensor *got[4], *want[4];
	got[0] = mm_op_reduce(MM_RED_SUM, v, -1, false, NULL);
	want[0] = mm_op_reduce(MM_RED_SUM, c, -1, false, NULL);
	got[1] = mm_op_reduce(MM_RED_MAX, v, 1, true, NULL);
	want[1] = mm_op_reduce(MM_RED_MAX, c, 1, true, NULL);
	got[2] = mm_op_softmax(v, -1, NULL);
	want[2] = mm_op_softmax(c, -1, NULL);
	got[3] = mm_op_layernorm(v, NULL, NULL, NULL);
	want[3] = mm_op_layernorm(c, NULL, NULL, NULL);
	for (int k = 0; k < 4; k++) {
		ck_assert(got[k] && want[k]);
		int64_t n = mm_tensor_numel(want[k]), bad = 0;
		ck_assert_int_eq(mm_tensor_numel(got[k]), n);
		for (int64_t i = 0; i < n; i++)
			bad += mm_tensor_get_flat(got[k], i) !=
			       mm_tensor_get_flat(want[k], i);
		ck_assert_msg(bad == 0, "case %d: %lld of %lld differ", k,
		              (long long)bad, (long long)n);
		mm_tensor_unref(got[k]);
		mm_tensor_unref(want[k]);
	}
	mm_tensor_unref(c);
	mm_tensor_unref(v);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops-tiles");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, transposed_plus_contiguous);
	tcase_add_test(tc, transposed_with_broadcasts);
	tcase_add_test(tc, reversed_transposed);
	tcase_add_test(tc, unary_of_views);
	tcase_add_test(tc, softmax_middle_axis);
	tcase_add_test(tc, rows_of_views);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	mm_rng_seed(&rng, 22);
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
