/* test-dtype-round.c — dtypes' names and promotion, and what each narrow
 * dtype stores: every case of tests/data/dtype_round.txt (NumPy's f16 and
 * int8 casts, ml_dtypes' int4, and bf16 / OCP FP8 values from the formats'
 * definitions, made by dtype_round_cases.py), the same bits from the
 * array and tensor functions, and the .npy half-precision bits. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/dtype_round.h"
#include "mmcalc/gemm.h"

#ifndef MM_TEST_DATA
#define MM_TEST_DATA "tests/data"
#endif

static float from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static uint32_t to_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

/* The same value, or both NaN of the same sign (payloads differ between
 * implementations and print alike). */
static bool same(float got, float want)
{
	if (isnan(want))
		return isnan(got) && signbit(got) == signbit(want);
	return to_bits(got) == to_bits(want);
}

typedef struct cases {
	int n;
	mm_dtype *t;
	float *in, *want;
} cases;

static cases load_cases(void)
{
	cases c = {0};
	FILE *f = fopen(MM_TEST_DATA "/dtype_round.txt", "r");
	ck_assert_msg(f != NULL, "cannot open dtype_round.txt");
	int cap = 0;
	char line[128], name[32];
	unsigned in, out;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%31s %x %x", name, &in, &out), 3);
		if (c.n == cap) {
			cap = cap ? 2 * cap : 4096;
			c.t = realloc(c.t, (size_t)cap * sizeof *c.t);
			c.in = realloc(c.in, (size_t)cap * sizeof *c.in);
			c.want = realloc(c.want, (size_t)cap * sizeof *c.want);
			ck_assert(c.t && c.in && c.want);
		}
		ck_assert_msg(mm_dtype_parse(name, &c.t[c.n]), "dtype %s", name);
		c.in[c.n] = from_bits(in);
		c.want[c.n] = from_bits(out);
		c.n++;
	}
	fclose(f);
	return c;
}

static void free_cases(cases *c)
{
	free(c->t);
	free(c->in);
	free(c->want);
}

START_TEST(names)
{
	mm_dtype t;
	ck_assert(mm_dtype_parse("f8", &t) && t == MM_F8E4M3);
	ck_assert(mm_dtype_parse("fp8", &t) && t == MM_F8E4M3);
	ck_assert(mm_dtype_parse("float8_e4m3fn", &t) && t == MM_F8E4M3);
	ck_assert(mm_dtype_parse("f8e5m2", &t) && t == MM_F8E5M2);
	ck_assert(mm_dtype_parse("e5m2", &t) && t == MM_F8E5M2);
	ck_assert(!mm_dtype_parse("float8_e4m3", &t)); /* IEEE-style: not OCP's */
	ck_assert_str_eq(mm_dtype_name(MM_F8E4M3), "f8e4m3");
	ck_assert_str_eq(mm_dtype_name(MM_F8E5M2), "f8e5m2");
	ck_assert_uint_eq(mm_dtype_bits(MM_F8E5M2), 8);
	ck_assert_uint_eq(mm_dtype_bits(MM_I4), 4);
	ck_assert(mm_dtype_narrow(MM_BF16) && mm_dtype_narrow(MM_I4));
	ck_assert(!mm_dtype_narrow(MM_F32) && !mm_dtype_narrow(MM_TF32) &&
	          !mm_dtype_narrow(MM_F64));
	ck_assert(mm_dtype_is_int(MM_I8) && !mm_dtype_is_int(MM_F8E4M3));
}
END_TEST

START_TEST(promotion)
{
	ck_assert_int_eq(mm_dtype_promote(MM_F16, MM_BF16), MM_F32);
	ck_assert_int_eq(mm_dtype_promote(MM_BF16, MM_F16), MM_F32);
	ck_assert_int_eq(mm_dtype_promote(MM_F8E4M3, MM_F8E5M2), MM_BF16);
	ck_assert_int_eq(mm_dtype_promote(MM_F8E5M2, MM_F8E4M3), MM_BF16);
	ck_assert_int_eq(mm_dtype_promote(MM_F8E5M2, MM_F8E5M2), MM_F8E5M2);
	ck_assert_int_eq(mm_dtype_promote(MM_I8, MM_F16), MM_F16);
	ck_assert_int_eq(mm_dtype_promote(MM_I8, MM_F8E4M3), MM_F8E4M3);
	ck_assert_int_eq(mm_dtype_promote(MM_I4, MM_I8), MM_I8);
	ck_assert_int_eq(mm_dtype_promote(MM_F8E4M3, MM_F16), MM_F16);
	ck_assert_int_eq(mm_dtype_promote(MM_BF16, MM_F32), MM_F32);
	ck_assert_int_eq(mm_dtype_promote(MM_F32, MM_F64), MM_F64);
}
END_TEST

/* Values the formats' specifications fix, whatever the data file says. */
START_TEST(spec_values)
{
	ck_assert(isinf(mm_dtype_round(MM_F16, 65520.0f)));
	ck_assert(mm_dtype_round(MM_F16, 65519.0f) == 65504.0f);
	ck_assert(isinf(mm_dtype_round(MM_F16, 70000.0f)));
	ck_assert(mm_dtype_round(MM_F16, 0x1p-25f) == 0.0f); /* tie to 0 */
	ck_assert(mm_dtype_round(MM_F16, 0x1.000002p-25f) == 0x1p-24f);
	ck_assert(mm_dtype_round(MM_F16, 1.0f + 0x1p-11f) == 1.0f); /* tie */
	ck_assert(mm_dtype_round(MM_F16, 1.0f + 0x3p-11f) == 1.0f + 0x1p-9f);
	ck_assert(mm_dtype_round(MM_BF16, 1.0f + 0x1p-8f) == 1.0f);
	ck_assert(mm_dtype_round(MM_BF16, 1.0f + 0x3p-8f) == 1.0f + 0x1p-6f);
	ck_assert(isinf(mm_dtype_round(MM_BF16, 0x1.ffp127f)));
	ck_assert(mm_dtype_round(MM_BF16, 0x1p-133f) == 0x1p-133f);
	ck_assert(mm_dtype_round(MM_BF16, 0x1p-134f) == 0.0f);
	ck_assert(mm_dtype_round(MM_BF16, 0x1.8p-134f) == 0x1p-133f);
	ck_assert(mm_dtype_round(MM_F8E4M3, 448.0f) == 448.0f);
	ck_assert(mm_dtype_round(MM_F8E4M3, 464.0f) == 448.0f);
	ck_assert(isnan(mm_dtype_round(MM_F8E4M3, 464.5f)));
	ck_assert(isnan(mm_dtype_round(MM_F8E4M3, INFINITY)));
	ck_assert(mm_dtype_round(MM_F8E4M3, 0x1p-9f) == 0x1p-9f);
	ck_assert(mm_dtype_round(MM_F8E4M3, 0x1p-10f) == 0.0f);
	ck_assert(mm_dtype_round(MM_F8E4M3, 0x1.8p-10f) == 0x1p-9f);
	ck_assert(mm_dtype_round(MM_F8E4M3, 17.0f) == 16.0f); /* tie, even */
	ck_assert(mm_dtype_round(MM_F8E4M3, 19.0f) == 20.0f);
	ck_assert(mm_dtype_round(MM_F8E5M2, 57344.0f) == 57344.0f);
	ck_assert(mm_dtype_round(MM_F8E5M2, 61439.0f) == 57344.0f);
	ck_assert(isinf(mm_dtype_round(MM_F8E5M2, 61440.0f)));
	ck_assert(mm_dtype_round(MM_F8E5M2, 0x1p-16f) == 0x1p-16f);
	ck_assert(mm_dtype_round(MM_F8E5M2, 4.5f) == 4.0f); /* ties, even */
	ck_assert(mm_dtype_round(MM_F8E5M2, 5.5f) == 6.0f);
	float nz = mm_dtype_round(MM_F8E5M2, -0x1p-20f);
	ck_assert(nz == 0.0f && signbit(nz));
	ck_assert(mm_dtype_round(MM_I8, 200.0f) == -56.0f);
	ck_assert(mm_dtype_round(MM_I8, 300.0f) == 44.0f);
	ck_assert(mm_dtype_round(MM_I8, -2.9f) == -2.0f);
	ck_assert(mm_dtype_round(MM_I8, NAN) == 0.0f);
	ck_assert(mm_dtype_round(MM_I4, 9.0f) == -7.0f);
	ck_assert(mm_dtype_round(MM_I4, -9.0f) == 7.0f);
	ck_assert(mm_dtype_round(MM_I4, 7.5f) == 7.0f);
	ck_assert(mm_dtype_round(MM_F32, 1e-45f) == 1e-45f);
	ck_assert(mm_dtype_round_double(MM_F64, 0.1) == 0.1);
	ck_assert(mm_dtype_round_double(MM_F16, 0.1) ==
	          (double)mm_dtype_round(MM_F16, 0.1f));
}
END_TEST

START_TEST(reference_cases)
{
	cases c = load_cases();
	ck_assert_int_gt(c.n, 20000);
	int seen[MM_DTYPE_COUNT] = {0}, bad = 0;
	for (int i = 0; i < c.n; i++) {
		float got = mm_dtype_round(c.t[i], c.in[i]);
		seen[c.t[i]]++;
		if (!same(got, c.want[i]) && bad++ < 10)
			fprintf(stderr, "%s(%a) = %a, want %a\n",
			        mm_dtype_name(c.t[i]), (double)c.in[i], (double)got,
			        (double)c.want[i]);
	}
	ck_assert_int_eq(bad, 0);
	const mm_dtype all[] = {MM_F16, MM_BF16, MM_F8E4M3, MM_F8E5M2, MM_I8,
	                        MM_I4};
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
		ck_assert_int_gt(seen[all[k]], 1000);
	free_cases(&c);
}
END_TEST

/* The array loop on the current ISA path, at every alignment and tail
 * length, in place and not, gives the scalar function's bits. */
static void check_path(const cases *c, float *y, float *z)
{
	const mm_dtype all[] = {MM_F16, MM_BF16, MM_F8E4M3, MM_F8E5M2, MM_I8,
	                        MM_I4, MM_F32};
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
		for (int off = 0; off < 3; off++) {
			int64_t n = c->n - off - 5;
			mm_dtype_round_array(all[k], n, c->in + off, y + off);
			memcpy(z, c->in, (size_t)c->n * sizeof *z);
			mm_dtype_round_array(all[k], n, z + off, z + off);
			int64_t bad = 0;
			for (int64_t i = 0; i < n; i++) {
				float want = mm_dtype_round(all[k], c->in[off + i]);
				bad += to_bits(y[off + i]) != to_bits(want) ||
				       to_bits(z[off + i]) != to_bits(want);
			}
			ck_assert_msg(bad == 0, "%s on %s, offset %d: %lld differ",
			              mm_dtype_name(all[k]), mm_dtype_round_isa(),
			              off, (long long)bad);
		}
	}
}

/* Every ISA path this CPU runs (the others are skipped, and say so). */
START_TEST(array_matches_scalar)
{
	cases c = load_cases();
	float *y = malloc((size_t)c.n * sizeof *y + 64);
	float *z = malloc((size_t)c.n * sizeof *z + 64);
	ck_assert(y && z);
	static const char *const paths[] = {"avx512", "avx2", "generic"};
	int ran = 0;
	for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
		if (mm_dtype_round_set_isa(paths[p]) != 0) {
			printf("dtype_round: no %s path here, skipped\n", paths[p]);
			continue;
		}
		ck_assert_str_eq(mm_dtype_round_isa(), paths[p]);
		check_path(&c, y, z);
		ran++;
	}
	ck_assert_int_ge(ran, 1);
	ck_assert_int_eq(mm_dtype_round_set_isa("no-such-isa"), -1);
	ck_assert_int_eq(mm_dtype_round_set_isa(NULL), 0);
	free(y);
	free(z);
	free_cases(&c);
}
END_TEST

/* A tensor large enough to be split over threads, and a strided view,
 * round as the scalar function does; f32 and f64 are left alone. */
START_TEST(tensors)
{
	mm_diag d = {0};
	int64_t shape[2] = {1000, 777};
	mm_rng rng;
	mm_rng_seed(&rng, 7);
	mm_tensor *x = mm_tensor_randn(&rng, MM_F32, 2, shape, &d);
	ck_assert_ptr_nonnull(x);
	int64_t n = mm_tensor_numel(x);
	float *orig = malloc((size_t)n * sizeof *orig);
	ck_assert_ptr_nonnull(orig);
	float *px = x->data;
	for (int64_t i = 0; i < n; i++)
		px[i] *= 300.0f;
	memcpy(orig, px, (size_t)n * sizeof *orig);
	for (int th = 1; th <= 2; th++) {
		mm_gemm_set_threads(th);
		memcpy(px, orig, (size_t)n * sizeof *orig);
		ck_assert_int_eq(mm_dtype_round_tensor(x, MM_F8E5M2, &d), MM_OK);
		int64_t bad = 0;
		for (int64_t i = 0; i < n; i++)
			bad += to_bits(px[i]) !=
			       to_bits(mm_dtype_round(MM_F8E5M2, orig[i]));
		ck_assert_int_eq(bad, 0);
	}
	memcpy(px, orig, (size_t)n * sizeof *orig);
	mm_tensor *t = mm_tensor_transpose(x, &d);
	ck_assert_int_eq(mm_dtype_round_tensor(t, MM_I8, &d), MM_OK);
	int64_t bad = 0;
	for (int64_t i = 0; i < n; i++)
		bad += px[i] != mm_dtype_round(MM_I8, orig[i]);
	ck_assert_int_eq(bad, 0);
	memcpy(px, orig, (size_t)n * sizeof *orig);
	ck_assert_int_eq(mm_dtype_round_tensor(x, MM_F32, &d), MM_OK);
	ck_assert_int_eq(memcmp(px, orig, (size_t)n * sizeof *orig), 0);
	mm_tensor_unref(t);
	mm_tensor_unref(x);
	free(orig);
}
END_TEST

/* Every f16 bit pattern decodes and encodes back to itself (NaNs to a
 * NaN), and the encoding of the NumPy cases' f16 values agrees. */
START_TEST(f16_bits)
{
	for (uint32_t h = 0; h < 65536; h++) {
		float f = mm_dtype_from_f16_bits((uint16_t)h);
		uint16_t back;
		mm_dtype_to_f16_bits(1, &f, &back);
		if ((h & 0x7c00u) == 0x7c00u && (h & 0x3ffu)) {
			ck_assert(isnan(f));
			ck_assert((back & 0x7c00u) == 0x7c00u && (back & 0x3ffu));
			ck_assert_uint_eq(back & 0x8000u, h & 0x8000u);
		} else {
			ck_assert_msg(back == h, "%04x -> %a -> %04x", h, (double)f,
			              back);
			ck_assert(mm_dtype_round(MM_F16, f) == f || isnan(f));
		}
	}
	uint16_t b[4];
	const float v[4] = {1.0f, -2.0f, 65504.0f, 0x1p-24f};
	mm_dtype_to_f16_bits(4, v, b);
	ck_assert_uint_eq(b[0], 0x3c00);
	ck_assert_uint_eq(b[1], 0xc000);
	ck_assert_uint_eq(b[2], 0x7bff);
	ck_assert_uint_eq(b[3], 0x0001);
	float big = 70000.0f;
	mm_dtype_to_f16_bits(1, &big, b);
	ck_assert_uint_eq(b[0], 0x7c00);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dtype-round");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, names);
	tcase_add_test(tc, promotion);
	tcase_add_test(tc, spec_values);
	tcase_add_test(tc, reference_cases);
	tcase_add_test(tc, array_matches_scalar);
	tcase_add_test(tc, tensors);
	tcase_add_test(tc, f16_bits);
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
