/* test-print.c — NumPy-like printing and JSON output of tensors. The
 * expected strings were produced by NumPy 1.24's np.array2string on the
 * same values (see tests/data/print_cases.py) and are hard-coded here;
 * i8 and f16 cases are NumPy's int8 and float16 arrays. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/dtype_round.h"
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
	{"f32_exp_digits", MM_F32, 1, {6}, (const double[]){0.002593142446130514, 3.3883046853588894e-05, 87467.9765625, -37.09505081176758, 6.29699417609153e-11, 0.014461813494563103}, 0, 8, false,
	 "[ 2.59314245e-03  3.38830469e-05  8.74679766e+04 -3.70950508e+01\n  6.29699418e-11  1.44618135e-02]"},
	{"wide_rows", MM_F64, 2, {3, 30}, (const double[]){-20.0, -18.63, -17.259999999999998, -15.89, -14.52, -13.149999999999999, -11.78, -10.41, -9.04, -7.669999999999998, -6.299999999999999, -4.93, -3.5599999999999987, -2.1899999999999977, -0.8200000000000003, 0.5500000000000007, 1.9200000000000017, 3.2900000000000027, 4.660000000000004, 6.030000000000001, 7.400000000000002, 8.770000000000003, 10.14, 11.510000000000002, 12.880000000000003, 14.25, 15.620000000000005, 16.990000000000002, 18.36, 19.730000000000004, 21.1, 22.470000000000006, 23.840000000000003, 25.21, 26.580000000000005, 27.950000000000003, 29.320000000000007, 30.690000000000005, 32.06, 33.43000000000001, 34.800000000000004, 36.17, 37.540000000000006, 38.910000000000004, 40.28, 41.650000000000006, 43.02, 44.39, 45.760000000000005, 47.13000000000001, 48.5, 49.870000000000005, 51.24000000000001, 52.61, 53.980000000000004, 55.35000000000001, 56.72, 58.09, 59.46000000000001, 60.83000000000001, 62.2, 63.57000000000001, 64.94000000000001, 66.31, 67.68, 69.05000000000001, 70.42, 71.79, 73.16000000000001, 74.53, 75.9, 77.27000000000001, 78.64000000000001, 80.01, 81.38000000000001, 82.75000000000001, 84.12, 85.49000000000001, 86.86000000000001, 88.23, 89.60000000000001, 90.97000000000001, 92.34, 93.71000000000001, 95.08000000000001, 96.45, 97.82000000000001, 99.19000000000001, 100.56, 101.93}, 0, 8, false,
	 "[[-20.   -18.63 -17.26 -15.89 -14.52 -13.15 -11.78 -10.41  -9.04  -7.67\n   -6.3   -4.93  -3.56  -2.19  -0.82   0.55   1.92   3.29   4.66   6.03\n    7.4    8.77  10.14  11.51  12.88  14.25  15.62  16.99  18.36  19.73]\n [ 21.1   22.47  23.84  25.21  26.58  27.95  29.32  30.69  32.06  33.43\n   34.8   36.17  37.54  38.91  40.28  41.65  43.02  44.39  45.76  47.13\n   48.5   49.87  51.24  52.61  53.98  55.35  56.72  58.09  59.46  60.83]\n [ 62.2   63.57  64.94  66.31  67.68  69.05  70.42  71.79  73.16  74.53\n   75.9   77.27  78.64  80.01  81.38  82.75  84.12  85.49  86.86  88.23\n   89.6   90.97  92.34  93.71  95.08  96.45  97.82  99.19 100.56 101.93]]"},
	{"f32_big_int", MM_F32, 1, {3}, (const double[]){-56906248.0, 30000000.0, 16777216.0}, 0, 8, false,
	 "[-56906248.  30000000.  16777216.]"},
	/* i8 and f16 as NumPy prints int8 and float16 arrays (issue 22) */
	{"i8_wrap", MM_I8, 1, {3}, (const double[]){100.0, -56.0, 44.0}, 0, 8, false,
	 "[100 -56  44]"},
	{"i8_square", MM_I8, 2, {2, 2}, (const double[]){1.0, -2.0, 100.0, 3.0}, 0, 8, false,
	 "[[  1  -2]\n [100   3]]"},
	{"i8_scalar", MM_I8, 0, {0}, (const double[]){-5.0}, 0, 8, false,
	 "-5"},
	{"i8_summary", MM_I8, 1, {2000}, NULL, 1, 8, false,
	 "[  0   1   2 ... -51 -50 -49]"},
	{"i8_wide", MM_I8, 2, {2, 30}, (const double[]){-128.0, -127.0, -126.0, -125.0, -124.0, -123.0, -122.0, -121.0, -120.0, -119.0, -118.0, -117.0, -116.0, -115.0, -114.0, -113.0, -112.0, -111.0, -110.0, -109.0, -108.0, -107.0, -106.0, -105.0, -104.0, -103.0, -102.0, -101.0, -100.0, -99.0, -98.0, -97.0, -96.0, -95.0, -94.0, -93.0, -92.0, -91.0, -90.0, -89.0, -88.0, -87.0, -86.0, -85.0, -84.0, -83.0, -82.0, -81.0, -80.0, -79.0, -78.0, -77.0, -76.0, -75.0, -74.0, -73.0, -72.0, -71.0, -70.0, -69.0}, 0, 8, false,
	 "[[-128 -127 -126 -125 -124 -123 -122 -121 -120 -119 -118 -117 -116 -115\n  -114 -113 -112 -111 -110 -109 -108 -107 -106 -105 -104 -103 -102 -101\n  -100  -99]\n [ -98  -97  -96  -95  -94  -93  -92  -91  -90  -89  -88  -87  -86  -85\n   -84  -83  -82  -81  -80  -79  -78  -77  -76  -75  -74  -73  -72  -71\n   -70  -69]]"},
	{"i8_zeros", MM_I8, 2, {2, 2}, (const double[]){0.0, 0.0, 0.0, 0.0}, 0, 8, false,
	 "[[0 0]\n [0 0]]"},
	{"f16_values", MM_F16, 1, {3}, (const double[]){0.0999755859375, 0.333251953125, INFINITY}, 0, 8, false,
	 "[0.1    0.3333    inf]"},
	{"f16_exp", MM_F16, 1, {2}, (const double[]){1.0013580322265625e-05, 1.0}, 0, 8, false,
	 "[1.e-05 1.e+00]"},
	{"f16_subnormal", MM_F16, 1, {3}, (const double[]){5.960464477539063e-08, -1.5, 65504.0}, 0, 8, false,
	 "[ 5.96e-08 -1.50e+00  6.55e+04]"},
	{"f16_digits", MM_F16, 1, {4}, (const double[]){3.140625, -2.71875, 1000.5, 0.00010001659393310547}, 0, 8, false,
	 "[ 3.1406e+00 -2.7188e+00  1.0005e+03  1.0002e-04]"},
	{"f16_wrap", MM_F16, 1, {30}, (const double[]){0.0, 1.123046875, 2.24609375, 3.37109375, 4.4921875, 5.6171875, 6.7421875, 7.86328125, 8.984375, 10.109375, 11.234375, 12.359375, 13.484375, 14.6015625, 15.7265625, 16.859375, 17.96875, 19.09375, 20.21875, 21.34375, 22.46875, 23.59375, 24.71875, 25.84375, 26.96875, 28.09375, 29.203125, 30.328125, 31.453125, 32.59375}, 0, 8, false,
	 "[ 0.     1.123  2.246  3.371  4.492  5.617  6.742  7.863  8.984 10.11\n 11.234 12.36  13.484 14.6   15.73  16.86  17.97  19.1   20.22  21.34\n 22.47  23.6   24.72  25.84  26.97  28.1   29.2   30.33  31.45  32.6  ]"},
	{"f16_nan", MM_F16, 1, {3}, (const double[]){NAN, -INFINITY, 0.199951171875}, 0, 8, false,
	 "[ nan -inf  0.2]"},
	{"f16_scalar", MM_F16, 0, {0}, (const double[]){0.0999755859375}, 0, 8, false,
	 "0.1"},
	{"f16_ints", MM_F16, 1, {3}, (const double[]){2048.0, 2048.0, -7.0}, 0, 8, false,
	 "[2048. 2048.   -7.]"},
	{"f16_summary", MM_F16, 1, {2000}, NULL, 1, 8, false,
	 "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]"},
};

#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static mm_tensor *make(const pcase *c)
{
	int64_t n = 1;
	for (int i = 0; i < c->ndim; i++)
		n *= c->shape[i];
	double *v = malloc((size_t)n * sizeof *v);
	for (int64_t i = 0; i < n; i++)
		v[i] = c->vals ? c->vals[i]
		               : mm_dtype_round_double(c->dtype, (double)i / c->div);
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
	mm_print_tensor_as(&b, t, c->dtype, &o);
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
	/* the shortest digits that read back (issue 19) */
	ck_assert_str_eq(mm_buf_str(&b),
	                 "[[0.1,-2],[\"nan\",0.3333333333333333]]");
	mm_tensor *f = mm_tensor_cast(t, MM_F32, NULL);
	mm_buf_reset(&b);
	mm_print_json(&b, f);
	ck_assert_str_eq(mm_buf_str(&b),
	                 "[[0.1,-2],[\"nan\",0.33333334]]");
	mm_tensor *z = mm_tensor_scalar(MM_F64, INFINITY, NULL);
	mm_buf_reset(&b);
	mm_print_json(&b, z);
	ck_assert_str_eq(mm_buf_str(&b), "\"inf\"");
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

#ifndef MM_TEST_DATA
#define MM_TEST_DATA "tests/data"
#endif

/* Every positive finite f16 value as a 0-d f16 tensor against NumPy's
 * text for it (tests/data/print_f16.txt, bits 0x0001 to 0x7bff in
 * order): the shortest digits that read back as that binary16. */
START_TEST(test_every_f16)
{
	FILE *f = fopen(MM_TEST_DATA "/print_f16.txt", "r");
	ck_assert_msg(f != NULL, "cannot open print_f16.txt");
	char line[64], first[160] = "";
	unsigned bits = 1, bad = 0;
	mm_buf b = MM_BUF_INIT;
	for (; fgets(line, sizeof line, f); bits++) {
		line[strcspn(line, "\n")] = '\0';
		mm_tensor *t = mm_tensor_scalar(
			MM_F16, mm_dtype_from_f16_bits((uint16_t)bits), NULL);
		mm_buf_reset(&b);
		mm_print_tensor_as(&b, t, MM_F16, NULL);
		if (strcmp(mm_buf_str(&b), line) != 0 && bad++ == 0)
			snprintf(first, sizeof first, "0x%04x: got %s, want %s",
			         bits, mm_buf_str(&b), line);
		mm_tensor_unref(t);
	}
	fclose(f);
	mm_buf_free(&b);
	ck_assert_uint_eq(bits, 0x7c00);
	ck_assert_msg(bad == 0, "%u of 31743 differ; first %s", bad, first);
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
	tcase_add_test(tc, test_every_f16);
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
