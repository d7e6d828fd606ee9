/* test-isa.c — every ISA path of the library, one run per path: the first
 * argument names it ("generic", "avx2", "avx512", "avx512bf16",
 * "avx512vnni" or "amx") and each module that has such a path runs on it:
 * the f32 and f64 GEMM, vmath's functions and rows, the narrow dtypes'
 * rounding, the bf16 and i8 GEMMs. A path that no module can run on this
 * CPU or build exits 77 (skipped), so the summary says which paths this
 * machine tested. The modules' own tests go deeper; these check each
 * path against a reference (long double products, the scalar functions,
 * the generic path's bits) with bounds that fail on a wrong result. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/dtype_round.h"
#include "mmcalc/gemm.h"
#include "mmcalc/gemm_lowp.h"
#include "mmcalc/vmath.h"

static const char *path;

/* Which modules run on the path (set in main). */
static bool on_gemm, on_vmath, on_round, on_bf16, on_i8;

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double uniform(void) /* in [-1, 1) */
{
	return (double)(next() >> 11) * 0x1p-52 - 1.0;
}

static float bits_f(uint32_t u)
{
	float x;
	memcpy(&x, &u, sizeof x);
	return x;
}

static uint32_t f_bits(float x)
{
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

enum { M = 61, N = 83, K = 301 };

/* C = 0.5·A·B + 2·C with A stored transposed (k×m), against long double:
 * each element within 2·k·u·(0.5·Σ|a||b| + 2|c|) (u the unit roundoff). */
static void gemm_case(bool f64)
{
	size_t es = f64 ? sizeof(double) : sizeof(float);
	char *a = malloc(es * M * K), *b = malloc(es * K * N);
	char *c = malloc(es * M * N), *c0 = malloc(es * M * N);
	ck_assert(a && b && c && c0);
	for (int i = 0; i < M * K; i++)
		f64 ? (void)(((double *)a)[i] = uniform())
		    : (void)(((float *)a)[i] = (float)uniform());
	for (int i = 0; i < K * N; i++)
		f64 ? (void)(((double *)b)[i] = uniform())
		    : (void)(((float *)b)[i] = (float)uniform());
	for (int i = 0; i < M * N; i++)
		f64 ? (void)(((double *)c0)[i] = uniform())
		    : (void)(((float *)c0)[i] = (float)uniform());
	memcpy(c, c0, es * M * N);
	int rc = f64 ? mm_dgemm(M, N, K, 0.5, (double *)a, 1, M, (double *)b, N,
	                        1, 2.0, (double *)c, N, 1)
	             : mm_sgemm(M, N, K, 0.5f, (float *)a, 1, M, (float *)b, N,
	                        1, 2.0f, (float *)c, N, 1);
	ck_assert_int_eq(rc, 0);
	double u = f64 ? 0x1p-53 : 0x1p-24, worst = 0;
#define AT(p, i) (f64 ? (long double)((double *)(p))[i] \
	              : (long double)((float *)(p))[i])
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			long double s = 0, mag = 0;
			for (int p = 0; p < K; p++) {
				long double t = AT(a, p * M + i) * AT(b, p * N + j);
				s += t;
				mag += fabsl(t);
			}
			long double ref = 0.5L * s + 2 * AT(c0, i * N + j);
			long double bound = 2.0L * K * u *
			        (0.5L * mag + 2 * fabsl(AT(c0, i * N + j)));
			double r = (double)(fabsl(AT(c, i * N + j) - ref) / bound);
			worst = r > worst ? r : worst;
		}
#undef AT
	ck_assert_msg(worst <= 1, "%s %s GEMM: error %.3g x bound", path,
	              f64 ? "f64" : "f32", worst);
	free(a);
	free(b);
	free(c);
	free(c0);
}

START_TEST(gemm_f32_f64)
{
	if (!on_gemm)
		return;
	ck_assert_str_eq(mm_gemm_isa(), path);
	gemm_case(false);
	gemm_case(true);
}
END_TEST

/* Random inputs for vmath: half any bit pattern, half in [-30, 30]. */
static float vm_input(int i)
{
	return i % 2 ? bits_f((uint32_t)next()) : (float)(30 * uniform());
}

static bool same_f(float x, float y)
{
	return (isnan(x) && isnan(y)) || f_bits(x) == f_bits(y);
}

/* Every function's array kernel on this path gives the scalar function's
 * bits; softmax and layernorm rows give the generic path's bits. */
START_TEST(vmath_functions_and_rows)
{
	if (!on_vmath)
		return;
	enum { NV = 20000, ROWS = 7, LEN = 1000 };
	float *x = malloc(NV * sizeof *x), *y = malloc(NV * sizeof *y);
	float *g = malloc(NV * sizeof *g);
	ck_assert(x && y && g);
	for (int i = 0; i < NV; i++)
		x[i] = vm_input(i);
	for (int f = 0; f < MM_VMATH_FN_COUNT; f++) {
		ck_assert_int_eq(mm_vmath_map_f32((mm_vmath_fn)f, NV, x, y), 0);
		int bad = 0, first = -1;
		for (int i = 0; i < NV; i++)
			if (!same_f(y[i], mm_vmath_scalar_f32((mm_vmath_fn)f, x[i])) &&
			    bad++ == 0)
				first = i;
		ck_assert_msg(bad == 0, "%s %s: %d of %d differ from the scalar, "
		              "first at %a", path, mm_vmath_fn_name((mm_vmath_fn)f),
		              bad, NV, first >= 0 ? x[first] : 0.0f);
	}
	for (int i = 0; i < ROWS * LEN; i++)
		x[i] = (float)(8 * uniform());
	for (int op = 0; op < 2; op++) {
		ck_assert_int_eq(mm_vmath_set_isa("generic"), 0);
		int rc = op ? mm_vmath_layernorm_f32(ROWS, LEN, x, NULL, NULL,
		                                     MM_VMATH_LAYERNORM_EPS, g)
		            : mm_vmath_softmax_f32(ROWS, LEN, x, g);
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(mm_vmath_set_isa(path), 0);
		rc = op ? mm_vmath_layernorm_f32(ROWS, LEN, x, NULL, NULL,
		                                 MM_VMATH_LAYERNORM_EPS, y)
		        : mm_vmath_softmax_f32(ROWS, LEN, x, y);
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(memcmp(y, g, ROWS * LEN * sizeof *y) == 0,
		              "%s %s: not the generic path's bits", path,
		              op ? "layernorm" : "softmax");
	}
	free(x);
	free(y);
	free(g);
}
END_TEST

/* The array rounding of every narrow dtype gives the scalar's bits, on
 * any bit pattern. */
START_TEST(dtype_rounding)
{
	if (!on_round)
		return;
	ck_assert_str_eq(mm_dtype_round_isa(), path);
	enum { NR = 65536 };
	static const mm_dtype narrow[] = {MM_F16, MM_BF16, MM_F8E4M3,
	                                  MM_F8E5M2, MM_I8, MM_I4};
	float *x = malloc(NR * sizeof *x), *y = malloc(NR * sizeof *y);
	ck_assert(x && y);
	for (int i = 0; i < NR; i++)
		x[i] = i % 2 ? bits_f((uint32_t)next()) : (float)(300 * uniform());
	for (size_t d = 0; d < sizeof narrow / sizeof narrow[0]; d++) {
		mm_dtype_round_array(narrow[d], NR, x, y);
		int bad = 0;
		for (int i = 0; i < NR; i++)
			bad += !same_f(y[i], mm_dtype_round(narrow[d], x[i]));
		ck_assert_msg(bad == 0, "%s %s: %d of %d differ from the scalar",
		              path, mm_dtype_name(narrow[d]), bad, NR);
	}
	free(x);
	free(y);
}
END_TEST

/* Whether a low-precision GEMM runs on the path: by its name, or for
 * "avx512" (the best of them, gemm_lowp.h) on one of the AVX-512 ones. */
static bool same_path(const char *isa)
{
	return strcmp(path, "avx512") == 0 ? strncmp(isa, "avx512", 6) == 0
	                                   : strcmp(isa, path) == 0;
}

/* bf16 operands (values bf16 holds, so the products are exact) against
 * long double: each element within 2·k·2^-24·Σ|a||b|, f32 sums. */
START_TEST(bf16_gemm)
{
	if (!on_bf16)
		return;
	ck_assert(same_path(mm_gemm_bf16_isa()));
	float *a = malloc(M * K * sizeof *a), *b = malloc(K * N * sizeof *b);
	float *c = malloc(M * N * sizeof *c);
	ck_assert(a && b && c);
	for (int i = 0; i < M * K; i++)
		a[i] = mm_dtype_round(MM_BF16, (float)uniform());
	for (int i = 0; i < K * N; i++)
		b[i] = mm_dtype_round(MM_BF16, (float)uniform());
	ck_assert_int_eq(mm_gemm_bf16(M, N, K, 1.0f, a, K, 1, b, N, 1, 0.0f, c,
	                              N, 1), 0);
	double worst = 0;
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			long double s = 0, mag = 0;
			for (int p = 0; p < K; p++) {
				long double t = (long double)a[i * K + p] * b[p * N + j];
				s += t;
				mag += fabsl(t);
			}
			double r = (double)(fabsl(c[i * N + j] - s) /
			                    (2.0L * K * 0x1p-24L * mag));
			worst = r > worst ? r : worst;
		}
	ck_assert_msg(worst <= 1, "%s bf16 GEMM: error %.3g x bound", path,
	              worst);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* i8 operands (integers in [-128, 127]): int32 sums, exact. */
START_TEST(i8_gemm)
{
	if (!on_i8)
		return;
	ck_assert(same_path(mm_gemm_i8_isa()));
	float *a = malloc(M * K * sizeof *a), *b = malloc(K * N * sizeof *b);
	int32_t *c = malloc(M * N * sizeof *c);
	ck_assert(a && b && c);
	for (int i = 0; i < M * K; i++)
		a[i] = (float)((int)(next() % 256) - 128);
	for (int i = 0; i < K * N; i++)
		b[i] = (float)((int)(next() % 256) - 128);
	ck_assert_int_eq(mm_gemm_i8(M, N, K, a, K, 1, b, N, 1, false, c, N, 1),
	                 0);
	int bad = 0;
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			int64_t s = 0;
			for (int p = 0; p < K; p++)
				s += (int64_t)a[i * K + p] * (int64_t)b[p * N + j];
			bad += s != c[i * N + j];
		}
	ck_assert_msg(bad == 0, "%s i8 GEMM: %d of %d sums wrong", path, bad,
	              M * N);
	free(a);
	free(b);
	free(c);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-isa generic|avx2|avx512|avx512bf16|"
		                "avx512vnni|amx\n");
		return 2;
	}
	path = argv[1];
	on_gemm = mm_gemm_set_isa(path) == 0;
	on_vmath = mm_vmath_set_isa(path) == 0;
	on_round = mm_dtype_round_set_isa(path) == 0;
	on_bf16 = mm_gemm_bf16_set_isa(path) == 0;
	on_i8 = mm_gemm_i8_set_isa(path) == 0;
	printf("%s: gemm %s, vmath %s, dtype rounding %s, bf16 GEMM %s, "
	       "i8 GEMM %s\n", path, on_gemm ? "yes" : "no",
	       on_vmath ? "yes" : "no", on_round ? "yes" : "no",
	       on_bf16 ? "yes" : "no", on_i8 ? "yes" : "no");
	if (!(on_gemm || on_vmath || on_round || on_bf16 || on_i8)) {
		printf("no %s path on this CPU or build: skipped\n", path);
		return 77;
	}
	Suite *s = suite_create("isa");
	TCase *tc = tcase_create(path);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, gemm_f32_f64);
	tcase_add_test(tc, vmath_functions_and_rows);
	tcase_add_test(tc, dtype_rounding);
	tcase_add_test(tc, bf16_gemm);
	tcase_add_test(tc, i8_gemm);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	mm_gemm_lowp_shutdown();
	mm_gemm_shutdown();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
