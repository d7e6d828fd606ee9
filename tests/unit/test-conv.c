/* test-conv.c — conv2d, max_pool2d and avg_pool2d against PyTorch's
 * definitions computed by NumPy (tests/data/conv_cases.py): values within
 * 1e-12 (f64) / 1e-5 (f32) relative, shapes and errors of 250 generated
 * calls through the parser and checker, and costs. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/check.h"
#include "mmcalc/conv.h"
#include "mmcalc/gemm.h"
#include "mmcalc/npy.h"
#include "mmcalc/ops.h"

#ifndef MM_TEST_DATA
#define MM_TEST_DATA "tests/data"
#endif

static void *to_tensor(void *ctx, mm_dtype t, int ndim, const int64_t *shape,
                       mm_diag *d)
{
	mm_tensor **out = ctx;
	*out = mm_tensor_new(t, ndim, shape, d);
	return *out ? (*out)->data : NULL;
}

/* tests/data/conv_NAME.npy, or NULL when optional and absent. */
static mm_tensor *npy(const char *name, bool optional)
{
	char path[512];
	snprintf(path, sizeof path, "%s/conv_%s.npy", MM_TEST_DATA, name);
	if (optional) {
		FILE *f = fopen(path, "rb");
		if (!f)
			return NULL;
		fclose(f);
	}
	mm_tensor *t = NULL;
	mm_io_load_opts o = {.alloc = to_tensor, .alloc_ctx = &t};
	mm_diag d;
	ck_assert_msg(mm_npy_load(path, &o, NULL, &d) == MM_OK, "%s: %s", path,
	              d.message);
	return t;
}

/* max |got - want| / max |want|; the shapes must agree. */
static double relerr(const mm_tensor *got, const mm_tensor *want)
{
	ck_assert_int_eq(got->ndim, want->ndim);
	for (int i = 0; i < got->ndim; i++)
		ck_assert_int_eq(got->shape[i], want->shape[i]);
	double num = 0, den = 0;
	for (int64_t i = 0; i < mm_tensor_numel(want); i++) {
		double g = mm_tensor_get_flat(got, i), w = mm_tensor_get_flat(want, i);
		num = fmax(num, fabs(g - w));
		den = fmax(den, fabs(w));
	}
	return den > 0 ? num / den : num;
}

/* One row of conv_cases.tsv. */
typedef struct vcase {
	char name[64], op[8];
	mm_window w;
	int same, ceil, include_pad, bias;
} vcase;

static bool read_case(FILE *f, vcase *c)
{
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		memset(c, 0, sizeof *c);
		mm_window *w = &c->w;
		long long v[16];
		int n = sscanf(line, "%63s %7s %lld %lld %lld %lld %lld %lld "
		               "%lld %lld %lld %lld %lld %d %d %d %d", c->name, c->op,
		               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		               &v[7], &v[8], &v[9], &v[10], &c->same, &c->ceil,
		               &c->include_pad, &c->bias);
		ck_assert_int_eq(n, 17);
		for (int k = 0; k < 2; k++) {
			w->stride[k] = v[k];
			w->pad_lo[k] = v[2 + k];
			w->pad_hi[k] = v[4 + k];
			w->dilation[k] = v[6 + k];
			w->kernel[k] = v[9 + k];
		}
		w->groups = v[8];
		w->same = c->same;
		w->ceil_mode = c->ceil;
		return true;
	}
	return false;
}

/* Every case with 1 thread and with 2: the same bits, close to NumPy. */
START_TEST(values_numpy)
{
	FILE *f = fopen(MM_TEST_DATA "/conv_cases.tsv", "r");
	ck_assert_ptr_nonnull(f);
	vcase c;
	int n = 0;
	char nm[96];
	while (read_case(f, &c)) {
		snprintf(nm, sizeof nm, "%s_x", c.name);
		mm_tensor *x = npy(nm, false);
		snprintf(nm, sizeof nm, "%s_y", c.name);
		mm_tensor *want = npy(nm, false), *w = NULL, *b = NULL, *got[2];
		if (!strcmp(c.op, "conv")) {
			snprintf(nm, sizeof nm, "%s_w", c.name);
			w = npy(nm, false);
			snprintf(nm, sizeof nm, "%s_b", c.name);
			b = npy(nm, !c.bias);
		}
		for (int t = 0; t < 2; t++) {
			mm_diag d;
			mm_gemm_set_threads(t + 1);
			got[t] = w ? mm_conv_2d(x, w, b, &c.w, &d)
			       : mm_conv_pool2d(!strcmp(c.op, "max") ? MM_POOL_MAX
			                                             : MM_POOL_AVG,
			                        x, &c.w, c.include_pad, &d);
			ck_assert_msg(got[t] != NULL, "%s: %s", c.name, d.message);
		}
		mm_gemm_set_threads(0);
		double tol = x->dtype == MM_F64 ? 1e-12 : 1e-5;
		double e = relerr(got[0], want);
		ck_assert_msg(e <= tol, "%s: relative error %g", c.name, e);
		ck_assert_int_eq(got[0]->dtype, x->dtype);
		ck_assert(memcmp(got[0]->data, got[1]->data,
		                 mm_tensor_nbytes(got[0])) == 0);
		mm_tensor *all[] = {x, want, w, b, got[0], got[1]};
		for (size_t k = 0; k < sizeof all / sizeof *all; k++)
			mm_tensor_unref(all[k]);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 19);
}
END_TEST

/* The shape of a call through the parser and checker, as the TSV writes
 * it, or "error" (a shape or value error, as PyTorch raises). */
static void answer(const char *text, char *got, size_t cap)
{
	mm_arena a = MM_ARENA_INIT;
	mm_env env = {0};
	mm_diag d;
	mm_node *e = mm_parse_expr_text(text, strlen(text), 0, &a, &d);
	ck_assert_msg(e != NULL, "parse: %s: %s", text, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &a, &d, NULL);
	if (mm_check_expr(&c, e) != MM_OK) {
		ck_assert_msg(d.code == MM_ERR_SHAPE || d.code == MM_ERR_VALUE,
		              "%s: %s", text, d.message);
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

START_TEST(shapes_pytorch)
{
	FILE *f = fopen(MM_TEST_DATA "/conv_shapes.tsv", "r");
	ck_assert_ptr_nonnull(f);
	char line[512], got[64];
	int n = 0, errors = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		ck_assert_ptr_nonnull(tab);
		*tab = '\0';
		char *want = tab + 1;
		want[strcspn(want, "\n")] = '\0';
		answer(line, got, sizeof got);
		ck_assert_msg(!strcmp(got, want), "%s: PyTorch %s, mmcalc %s", line,
		              want, got);
		errors += !strcmp(want, "error");
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 250);
	ck_assert_int_gt(errors, 50);
}
END_TEST

/* The error of a call, its message checked for a part, its span
 * starting where `at` is in the text (NULL: at the call). */
static void error_of(const char *text, mm_code code, const char *part,
                     const char *at)
{
	mm_arena a = MM_ARENA_INIT;
	mm_env env = {0};
	mm_diag d;
	mm_node *e = mm_parse_expr_text(text, strlen(text), 0, &a, &d);
	ck_assert_ptr_nonnull(e);
	mm_checker c;
	mm_checker_init(&c, &env, &a, &d, NULL);
	ck_assert_msg(mm_check_expr(&c, e) == code, "%s: %s", text, d.message);
	ck_assert_msg(strstr(d.message, part) != NULL, "%s: %s", text, d.message);
	size_t want = at ? (size_t)(strstr(text, at) - text) : 0;
	ck_assert_msg(d.span.start == want, "%s: at %u", text, d.span.start);
	mm_arena_free(&a);
	mm_env_free(&env);
}

START_TEST(errors)
{
	error_of("conv2d((1x4x9x9), (8x3x3x3))", MM_ERR_SHAPE,
	         "expect the input (1 x 4 x 9 x 9) to have 3 channels, got 4", "(1x4");
	error_of("conv2d((1x4x9x9), (7x2x3x3), groups=2)", MM_ERR_SHAPE,
	         "groups=2 must divide the weight's 7 output channels", "(7x");
	error_of("conv2d((4x9x9x1x1), (8x4x3x3))", MM_ERR_SHAPE,
	         "3-d (unbatched) or 4-d (batched) input", "(4x");
	error_of("conv2d((1x4x9x9), (8x4x3))", MM_ERR_SHAPE,
	         "expected a 4-d weight", "(8x");
	error_of("conv2d((1x4x9x9), (8x4x3x3), (4,))", MM_ERR_SHAPE,
	         "the bias must be (8,)", "(4,)");
	error_of("conv2d((1x4x2x9), (8x4x3x3))", MM_ERR_SHAPE,
	         "the padded input (2 x 9) is smaller than the dilated kernel "
	         "(3 x 3)", "(1x");
	error_of("conv2d((1x4x9x9), (8x4x3x3), stride=0)", MM_ERR_VALUE,
	         "stride must be at least 1, got 0", "0)");
	error_of("conv2d((1x4x9x9), (8x4x3x3), dilation=(1, 0))", MM_ERR_VALUE,
	         "dilation must be at least 1", "(1, 0)");
	error_of("conv2d((1x4x9x9), (8x4x3x3), padding=\"full\")", MM_ERR_VALUE,
	         "padding \"full\" is not", "\"full");
	error_of("conv2d((1x4x9x9), (8x4x3x3), padding=same, stride=2)",
	         MM_ERR_VALUE, "not supported for strided convolutions", NULL);
	error_of("max_pool2d((1x4x9x9), 3, padding=2)", MM_ERR_VALUE,
	         "at most half of the effective kernel size", "2)");
	error_of("avg_pool2d((1x4x2x2), 3)", MM_ERR_SHAPE,
	         "gives the output (1 x 4 x 0 x 0): too small", NULL);
	error_of("max_pool2d((1x4x9x9))", MM_ERR_ARG, "needs a kernel_size", NULL);
}
END_TEST

/* The cost of a call, checked against its formula. */
static mm_cost cost_of(const char *text)
{
	static mm_arena a = MM_ARENA_INIT;
	mm_env env = {0};
	mm_diag d;
	mm_node *e = mm_parse_expr_text(text, strlen(text), 0, &a, &d);
	ck_assert_ptr_nonnull(e);
	mm_checker c;
	mm_checker_init(&c, &env, &a, &d, NULL);
	ck_assert_msg(mm_check_expr(&c, e) == MM_OK, "%s: %s", text, d.message);
	mm_env_free(&env);
	return e->info->cost;
}

START_TEST(costs)
{
	/* ViT-B/16's patch embedding: 768 outputs of 14·14 positions, each
	 * 3·16·16 MACs; the bias 1 per output element */
	mm_cost c = cost_of("conv2d((2x3x224x224), (768x3x16x16), (768,), "
	                    "stride=16)");
	uint64_t out = 2ull * 768 * 14 * 14, macs = out * 3 * 16 * 16;
	ck_assert_uint_eq(c.macs.exact, macs);
	ck_assert_uint_eq(c.matmul_flops.exact, 2 * macs);
	ck_assert_uint_eq(c.flops.exact, 2 * macs + out);
	ck_assert_uint_eq(c.bytes.exact,
	                  4 * (2ull * 3 * 224 * 224 + 768 * 3 * 16 * 16 + 768 + out));
	/* groups divide the MACs: C/groups per output */
	c = cost_of("conv2d((1x64x56x56), (64x1x3x3), padding=1, groups=64)");
	ck_assert_uint_eq(c.macs.exact, 64ull * 56 * 56 * 9);
	/* a pool: the window's elements per output */
	c = cost_of("max_pool2d((1x64x112x112), 3, stride=2, padding=1)");
	ck_assert_uint_eq(c.flops.exact, 64ull * 56 * 56 * 9);
	c = cost_of("avg_pool2d((8x2048x7x7), 7)");
	ck_assert_uint_eq(c.flops.exact, 8ull * 2048 * 49);
	/* symbols: the batch and the image's side */
	c = cost_of("conv2d((B x 3 x 224 x 224), (768 x 3 x 16 x 16), "
	            "stride=16)");
	ck_assert_ptr_nonnull(c.sflops);
	mm_buf b = MM_BUF_INIT;
	mm_poly_print(&b, c.sflops, MM_POLY_ASCII | MM_POLY_EXPAND);
	ck_assert_str_eq(mm_buf_str(&b), "231211008*B");
	mm_buf_free(&b);
}
END_TEST

START_TEST(nan_and_inf)
{
	static const double v[] = {1, NAN, 3, 4, -INFINITY, -INFINITY, 2, 0};
	mm_tensor *x = mm_tensor_from_doubles(MM_F64, 4, (int64_t[]){1, 2, 2, 2},
	                                      v, NULL);
	mm_window w = {.kernel = {2, 2}, .stride = {2, 2}, .dilation = {1, 1},
	               .groups = 1};
	mm_tensor *y = mm_conv_pool2d(MM_POOL_MAX, x, &w, true, NULL);
	ck_assert(isnan(mm_tensor_get_flat(y, 0)));
	ck_assert_double_eq(mm_tensor_get_flat(y, 1), 2);
	mm_tensor_unref(y);
	/* a window that reaches only padding (none here) would be -inf; a
	 * window of -inf and 0 gives 0 */
	y = mm_conv_pool2d(MM_POOL_AVG, x, &w, true, NULL);
	ck_assert(isnan(mm_tensor_get_flat(y, 0)));
	ck_assert(isinf(mm_tensor_get_flat(y, 1)));
	mm_tensor_unref(y);
	mm_tensor_unref(x);
}
END_TEST

/* A convolution by a one-hot kernel copies a shifted image: checks the
 * im2col bounds with large padding, strides and dilation against an
 * independent loop. */
START_TEST(shifted_copies)
{
	int64_t xs[4] = {1, 1, 6, 5};
	mm_tensor *x = mm_tensor_arange(MM_F32, 1, 31, 1, NULL);
	mm_tensor *x4 = mm_op_reshape(x, 4, xs, NULL);
	for (int64_t tap = 0; tap < 6; tap++) {
		mm_tensor *w = mm_tensor_zeros(MM_F32, 4, (int64_t[]){1, 1, 2, 3},
		                               NULL);
		((float *)w->data)[tap] = 1;
		mm_window p = {.stride = {2, 3}, .pad_lo = {3, 2}, .pad_hi = {3, 2},
		               .dilation = {3, 2}, .groups = 1};
		mm_diag d;
		mm_tensor *y = mm_conv_2d(x4, w, NULL, &p, &d);
		ck_assert_msg(y != NULL, "%s", d.message);
		int64_t ki = tap / 3, kj = tap % 3;
		for (int64_t oh = 0; oh < y->shape[2]; oh++)
			for (int64_t ow = 0; ow < y->shape[3]; ow++) {
				int64_t ih = oh * 2 - 3 + ki * 3, iw = ow * 3 - 2 + kj * 2;
				double want = ih >= 0 && ih < 6 && iw >= 0 && iw < 5
				                  ? (double)(ih * 5 + iw + 1) : 0;
				ck_assert_double_eq(
				    mm_tensor_get(y, (int64_t[]){0, 0, oh, ow}), want);
			}
		mm_tensor_unref(y);
		mm_tensor_unref(w);
	}
	mm_tensor_unref(x4);
	mm_tensor_unref(x);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conv");
	TCase *tc = tcase_create("conv");
	tcase_add_test(tc, values_numpy);
	tcase_add_test(tc, shapes_pytorch);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, costs);
	tcase_add_test(tc, nan_and_inf);
	tcase_add_test(tc, shifted_copies);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
