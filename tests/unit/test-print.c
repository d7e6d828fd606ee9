/* test-print.c — NumPy-like printing and JSON output of tensors. The
 * expected strings were produced by NumPy 1.24's np.array2string on the
 * same values (see tests/data/print_cases.py) and are hard-coded here. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/print.h"

typedef struct pcase {
	const char *name;
	mm_dtype dtype;
	int ndim;
	int64_t shape[3];
	const double *vals; /* NULL: element i is i / div */
	int div;
	int precision;
	bool suppress;
	const char *expect;
} pcase;

static const pcase cases[] = {
	{"mixed_signs", MM_F64, 2, {2, 2}, (const double[]){1.0, 2.5, -3.0, 4.0}, 0, 8, false,
	 "[[ 1.   2.5]\n [-3.   4. ]]"},
	{"enc", MM_F64, 2, {3, 4}, (const double[]){-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75}, 0, 8, false,
	 "[[-1.   -0.75 -0.5  -0.25]\n [ 0.    0.25  0.5   0.75]\n [ 1.    1.25  1.5   1.75]]"},
	{"small_exp", MM_F64, 1, {2}, (const double[]){1e-05, 1.0}, 0, 8, false,
	 "[1.e-05 1.e+00]"},
	{"big_exp", MM_F64, 1, {2}, (const double[]){100000000.0, 1.0}, 0, 8, false,
	 "[1.e+08 1.e+00]"},
	{"nonfinite", MM_F64, 1, {3}, (const double[]){NAN, 1.0, -INFINITY}, 0, 8, false,
	 "[ nan   1. -inf]"},
	{"only_nonfinite", MM_F64, 2, {1, 2}, (const double[]){NAN, INFINITY}, 0, 8, false,
	 "[[nan inf]]"},
	{"scalar", MM_F64, 0, {0}, (const double[]){2.5}, 0, 8, false,
	 "2.5"},
	{"scalar_exp", MM_F64, 0, {0}, (const double[]){1e-07}, 0, 8, false,
	 "1.e-07"},
	{"summary_1d", MM_F64, 1, {2000}, NULL, 1, 8, false,
	 "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]"},
	{"cube", MM_F64, 3, {2, 3, 4}, (const double[]){0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0}, 0, 8, false,
	 "[[[ 0.  1.  2.  3.]\n  [ 4.  5.  6.  7.]\n  [ 8.  9. 10. 11.]]\n\n [[12. 13. 14. 15.]\n  [16. 17. 18. 19.]\n  [20. 21. 22. 23.]]]"},
	{"digits", MM_F64, 1, {3}, (const double[]){0.123456789123, -1.5, 3.14159265358979}, 0, 8, false,
	 "[ 0.12345679 -1.5         3.14159265]"},
	{"f32_tenths", MM_F32, 1, {3}, (const double[]){0.10000000149011612, 0.20000000298023224, 0.30000001192092896}, 0, 8, false,
	 "[0.1 0.2 0.3]"},
	{"wrap", MM_F64, 1, {30}, (const double[]){0.0, 1.123456, 2.246912, 3.370368, 4.493824, 5.61728, 6.740736, 7.864192, 8.987648, 10.111104000000001, 11.23456, 12.358016, 13.481472, 14.604928000000001, 15.728384, 16.85184, 17.975296, 19.098752, 20.222208000000002, 21.345664, 22.46912, 23.592576, 24.716032, 25.839488, 26.962944, 28.0864, 29.209856000000002, 30.333312, 31.456768, 32.580224}, 0, 8, false,
	 "[ 0.        1.123456  2.246912  3.370368  4.493824  5.61728   6.740736\n  7.864192  8.987648 10.111104 11.23456  12.358016 13.481472 14.604928\n 15.728384 16.85184  17.975296 19.098752 20.222208 21.345664 22.46912\n 23.592576 24.716032 25.839488 26.962944 28.0864   29.209856 30.333312\n 31.456768 32.580224]"},
	{"thirds", MM_F64, 1, {5}, (const double[]){0.0, 0.3333333333333333, 0.6666666666666666, 1.0, 1.3333333333333333}, 0, 8, false,
	 "[0.         0.33333333 0.66666667 1.         1.33333333]"},
	{"summary_3d", MM_F64, 3, {2, 1000, 3}, NULL, 1, 8, false,
	 "[[[0.000e+00 1.000e+00 2.000e+00]\n  [3.000e+00 4.000e+00 5.000e+00]\n  [6.000e+00 7.000e+00 8.000e+00]\n  ...\n  [2.991e+03 2.992e+03 2.993e+03]\n  [2.994e+03 2.995e+03 2.996e+03]\n  [2.997e+03 2.998e+03 2.999e+03]]\n\n [[3.000e+03 3.001e+03 3.002e+03]\n  [3.003e+03 3.004e+03 3.005e+03]\n  [3.006e+03 3.007e+03 3.008e+03]\n  ...\n  [5.991e+03 5.992e+03 5.993e+03]\n  [5.994e+03 5.995e+03 5.996e+03]\n  [5.997e+03 5.998e+03 5.999e+03]]]"},
	{"zeros_signed", MM_F64, 1, {2}, (const double[]){0.0, -0.0}, 0, 8, false,
	 "[ 0. -0.]"},
	{"tiny", MM_F64, 1, {2}, (const double[]){1e-10, 1e-12}, 0, 8, false,
	 "[1.e-10 1.e-12]"},
	{"exp_big", MM_F64, 1, {1}, (const double[]){123456789.0}, 0, 8, false,
	 "[1.23456789e+08]"},
	{"f32_third", MM_F32, 1, {1}, (const double[]){0.3333333432674408}, 0, 8, false,
	 "[0.33333334]"},
	{"extremes", MM_F64, 1, {2}, (const double[]){1e+300, -1e-300}, 0, 8, false,
	 "[ 1.e+300 -1.e-300]"},
	{"eye", MM_F64, 2, {3, 3}, (const double[]){1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0}, 0, 8, false,
	 "[[1. 0. 0.]\n [0. 1. 0.]\n [0. 0. 1.]]"},
	{"ratio", MM_F64, 1, {2}, (const double[]){1.0, 1001.0}, 0, 8, false,
	 "[1.000e+00 1.001e+03]"},
	{"precision3", MM_F64, 1, {5}, (const double[]){0.0, 0.3333333333333333, 0.6666666666666666, 1.0, 1.3333333333333333}, 0, 3, false,
	 "[0.    0.333 0.667 1.    1.333]"},
	{"neg_exp", MM_F64, 1, {3}, (const double[]){-1e-05, 25000000000.0, 3.0}, 0, 8, false,
	 "[-1.0e-05  2.5e+10  3.0e+00]"},
	{"summary_2d", MM_F64, 2, {200, 200}, NULL, 7, 8, false,
	 "[[0.00000000e+00 1.42857143e-01 2.85714286e-01 ... 2.81428571e+01\n  2.82857143e+01 2.84285714e+01]\n [2.85714286e+01 2.87142857e+01 2.88571429e+01 ... 5.67142857e+01\n  5.68571429e+01 5.70000000e+01]\n [5.71428571e+01 5.72857143e+01 5.74285714e+01 ... 8.52857143e+01\n  8.54285714e+01 8.55714286e+01]\n ...\n [5.62857143e+03 5.62871429e+03 5.62885714e+03 ... 5.65671429e+03\n  5.65685714e+03 5.65700000e+03]\n [5.65714286e+03 5.65728571e+03 5.65742857e+03 ... 5.68528571e+03\n  5.68542857e+03 5.68557143e+03]\n [5.68571429e+03 5.68585714e+03 5.68600000e+03 ... 5.71385714e+03\n  5.71400000e+03 5.71414286e+03]]"},
	{"col", MM_F64, 2, {4, 1}, (const double[]){0.0, 1.0, 2.0, 3.0}, 0, 8, false,
	 "[[0.]\n [1.]\n [2.]\n [3.]]"},
	{"f32_randn", MM_F32, 1, {4}, (const double[]){0.49671414494514465, -0.13826429843902588, 0.6476885676383972, 1.5230298042297363}, 0, 8, false,
	 "[ 0.49671414 -0.1382643   0.64768857  1.5230298 ]"},
	{"mixed_nan", MM_F64, 1, {3}, (const double[]){NAN, 1e-05, 2.0}, 0, 8, false,
	 "[   nan 1.e-05 2.e+00]"},
	{"suppress", MM_F64, 1, {2}, (const double[]){1e-10, 1.0}, 0, 8, true,
	 "[0. 1.]"},
	{"round_cut", MM_F64, 1, {2}, (const double[]){0.123456785, 2.0}, 0, 8, false,
	 "[0.12345678 2.        ]"},
	{"big_ints", MM_F64, 1, {3}, (const double[]){12345678.0, 1.0, 2.0}, 0, 8, false,
	 "[1.2345678e+07 1.0000000e+00 2.0000000e+00]"},
};

#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static mm_tensor *make(const pcase *c)
{
	int64_t n = 1;
	for (int i = 0; i < c->ndim; i++)
		n *= c->shape[i];
	double *v = malloc((size_t)n * sizeof *v);
	for (int64_t i = 0; i < n; i++)
		v[i] = c->vals ? c->vals[i] : (double)i / c->div;
	mm_tensor *t = mm_tensor_from_doubles(c->dtype, c->ndim, c->shape, v,
	                                      NULL);
	free(v);
	return t;
}

START_TEST(test_numpy_cases)
{
	const pcase *c = &cases[_i];
	mm_tensor *t = make(c);
	ck_assert_ptr_nonnull(t);
	mm_print_opts o = MM_PRINT_OPTS_DEFAULT;
	o.precision = c->precision;
	o.suppress = c->suppress;
	mm_buf b = MM_BUF_INIT;
	mm_print_tensor(&b, t, &o);
	ck_assert_msg(strcmp(mm_buf_str(&b), c->expect) == 0,
	              "case %s:\n got:\n%s\n want:\n%s", c->name,
	              mm_buf_str(&b), c->expect);
	mm_buf_free(&b);
	mm_tensor_unref(t);
}
END_TEST

START_TEST(test_empty)
{
	int64_t s[2] = {0, 3};
	mm_tensor *t = mm_tensor_zeros(MM_F64, 2, s, NULL);
	mm_buf b = MM_BUF_INIT;
	mm_print_tensor(&b, t, NULL);
	ck_assert_str_eq(mm_buf_str(&b), "[]");
	mm_buf_reset(&b);
	mm_print_json(&b, t);
	ck_assert_str_eq(mm_buf_str(&b), "[]");
	mm_buf_free(&b);
	mm_tensor_unref(t);
}
END_TEST

START_TEST(test_view_prints_its_elements)
{
	/* a transposed, reversed view prints its own logical order */
	int64_t s[2] = {2, 3};
	double v[6] = {1, 2, 3, 4, 5, 6};
	mm_tensor *t = mm_tensor_from_doubles(MM_F64, 2, s, v, NULL);
	mm_tensor *tt = mm_tensor_transpose(t, NULL);
	mm_index idx[1] = {{MM_INDEX_SLICE, 0, 0, 0, -1, false, false, true}};
	mm_tensor *r = mm_tensor_index(tt, idx, 1, NULL);
	mm_buf b = MM_BUF_INIT;
	mm_print_tensor(&b, r, NULL);
	ck_assert_str_eq(mm_buf_str(&b), "[[3. 6.]\n [2. 5.]\n [1. 4.]]");
	mm_buf_free(&b);
	mm_tensor_unref(r);
	mm_tensor_unref(tt);
	mm_tensor_unref(t);
}
END_TEST

START_TEST(test_json)
{
	int64_t s[2] = {2, 2};
	double v[4] = {0.1, -2, NAN, 1.0 / 3};
	mm_tensor *t = mm_tensor_from_doubles(MM_F64, 2, s, v, NULL);
	mm_buf b = MM_BUF_INIT;
	mm_print_json(&b, t);
	ck_assert_str_eq(mm_buf_str(&b),
	                 "[[0.10000000000000001,-2],[null,"
	                 "0.33333333333333331]]");
	mm_tensor *f = mm_tensor_cast(t, MM_F32, NULL);
	mm_buf_reset(&b);
	mm_print_json(&b, f);
	ck_assert_str_eq(mm_buf_str(&b),
	                 "[[0.100000001,-2],[null,0.333333343]]");
	mm_tensor *z = mm_tensor_scalar(MM_F64, INFINITY, NULL);
	mm_buf_reset(&b);
	mm_print_json(&b, z);
	ck_assert_str_eq(mm_buf_str(&b), "null");
	/* round trip: the printed digits read back to the same doubles */
	mm_tensor *r = mm_tensor_arange(MM_F64, 0, 1, 0.1, NULL);
	mm_buf_reset(&b);
	mm_print_json(&b, r);
	const char *p = mm_buf_str(&b) + 1;
	for (int64_t i = 0; i < 10; i++) {
		char *end;
		double x = strtod(p, &end);
		ck_assert(x == mm_tensor_get_flat(r, i));
		p = end + 1;
	}
	mm_buf_free(&b);
	mm_tensor_unref(r);
	mm_tensor_unref(z);
	mm_tensor_unref(f);
	mm_tensor_unref(t);
}
END_TEST

START_TEST(test_threshold_option)
{
	mm_tensor *t = mm_tensor_arange(MM_F64, 0, 10, 1, NULL);
	mm_print_opts o = MM_PRINT_OPTS_DEFAULT;
	o.threshold = 5;
	o.edgeitems = 2;
	mm_buf b = MM_BUF_INIT;
	mm_print_tensor(&b, t, &o);
	/* NumPy: np.array2string(np.arange(10.), threshold=5, edgeitems=2) */
	ck_assert_str_eq(mm_buf_str(&b), "[0. 1. ... 8. 9.]");
	mm_buf_free(&b);
	mm_tensor_unref(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("print");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_numpy_cases, 0, NCASES);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_view_prints_its_elements);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_threshold_option);
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
