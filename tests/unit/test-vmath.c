/* test-vmath.c — vmath: accuracy against the C library, special values,
 * the same bits from the scalar functions and from every ISA path and
 * thread count, row operations against double-precision references,
 * empty inputs, bad arguments and interrupts. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/vmath.h"

#define SQRT1_2L 0.707106781186547524400844362104849039L
#define PIL 3.14159265358979323846264338327950288L

/* Every 17th float bit pattern (`test-vmath --sweep` does all of them).
 * The scalar functions run without FMA hardware's help where the build
 * has plain flags (libm's fma, about 3 ns a call): the sweeps compare
 * them with the kernels on every 16th input only, and test_isa_identity
 * on a mixed set for every path. */
enum { F32_STRIDE = 17, F64_SAMPLES = 3000000, BATCH = 65536,
       SCALAR_EVERY = 16 };

/* The largest error allowed, in ulps, by function: what the functions
 * reach (include/mmcalc/vmath.h states the same) rounded up. */
static const double bound_f32[MM_VMATH_FN_COUNT] = {
	[MM_VMATH_EXP] = 1, [MM_VMATH_LOG] = 1, [MM_VMATH_TANH] = 2,
	[MM_VMATH_ERF] = 2, [MM_VMATH_SIGMOID] = 2, [MM_VMATH_GELU] = 6,
	[MM_VMATH_GELU_TANH] = 3, [MM_VMATH_SILU] = 3,
};
static const double bound_f64[MM_VMATH_FN_COUNT] = {
	[MM_VMATH_EXP] = 1.1, [MM_VMATH_LOG] = 1.0, [MM_VMATH_TANH] = 2.5,
	[MM_VMATH_ERF] = 1.5, [MM_VMATH_SIGMOID] = 2.5, [MM_VMATH_GELU] = 7,
	[MM_VMATH_GELU_TANH] = 3.5, [MM_VMATH_SILU] = 3.5,
};

/* The references: the C library in long double (for f64) and in double
 * (for f32, rounded to float by the caller). sigmoid and silu through
 * exp of −|x|, gelu through erfc, gelu_tanh through exp of the argument:
 * the forms avoid cancellation, so the references are accurate in the
 * tails. gelu_tanh's 0.044715 is the double nearest it, as PyTorch
 * computes in f64 (f32 implementations differ from one another there;
 * ours computes the argument in double). */
#define REF(NAME, T, EXP, LOG, TANH, ERF, ERFC, SQRT, FABS, HALF, S12, PI)   \
	static T NAME(mm_vmath_fn fn, T x)                                    \
	{                                                                     \
		T e, v;                                                       \
		switch (fn) {                                                 \
		case MM_VMATH_EXP:                                            \
			return EXP(x);                                        \
		case MM_VMATH_LOG:                                            \
			return LOG(x);                                        \
		case MM_VMATH_TANH:                                           \
			return TANH(x);                                       \
		case MM_VMATH_ERF:                                            \
			return ERF(x);                                        \
		case MM_VMATH_SIGMOID:                                        \
			e = EXP(-FABS(x));                                    \
			return x >= 0 ? 1 / (1 + e) : e / (1 + e);           \
		default:                                                      \
			break;                                                \
		}                                                             \
		if (isinf(x))                                                 \
			return x > 0 ? x : NAN;                               \
		if (fn == MM_VMATH_GELU)                                      \
			return HALF * x * ERFC(-x * S12);                     \
		v = x;                                                        \
		if (fn == MM_VMATH_GELU_TANH)                                 \
			v = 2 * SQRT(2 / PI) * (x + (T)0.044715 * x * x * x); \
		e = EXP(-FABS(v));                                            \
		return x >= 0 ? x / (1 + e) : x * e / (1 + e);                \
	}
REF(ref64, long double, expl, logl, tanhl, erfl, erfcl, sqrtl, fabsl, 0.5L,
    SQRT1_2L, PIL)
REF(ref32, double, exp, log, tanh, erf, erfc, sqrt, fabs, 0.5,
    (double)SQRT1_2L, (double)PIL)
#undef REF

/* Bit patterns as integers ordered like the floats they hold. */
static int64_t ord32(float x)
{
	int32_t i;
	memcpy(&i, &x, sizeof i);
	return i < 0 ? -(int64_t)(i & 0x7fffffff) : i;
}

static uint64_t bits64(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static uint32_t bits32(float x)
{
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

/* The error of y in ulps of the double nearest r (subnormal ulps below). */
static double ulps64(double y, long double r)
{
	int e = -2000;
	if (r != 0)
		frexpl(r, &e);
	long double ulp = ldexpl(1, e - 53 < -1074 ? -1074 : e - 53);
	return (double)fabsl(((long double)y - r) / ulp);
}

/* y against the reference r where one of them is special: NaN for NaN,
 * the same infinity, and zeros of the same sign. A zero against a
 * non-zero is an ordinary error, measured in ulps by the caller: the
 * reference may round to zero where the function does not (gelu(2^-149)
 * is 2^-149·Φ(2^-149), just over half the smallest float). */
static bool special_ok(double y, long double r)
{
	if (isnan(r) || isnan(y))
		return isnan(r) && isnan(y);
	if (isinf(r) || isinf(y))
		return (long double)y == r;
	if (y == 0 && r == 0)
		return !signbit(y) == !signbit(r);
	return true;
}

/* The f32 sweep: the largest ulp distance from the reference over the
 * bit patterns 0, stride, 2·stride ..., where it is, and the first input
 * whose special value differs from the C library's, or whose kernel
 * result differs from the scalar function's (checked on every
 * SCALAR_EVERY-th input). */
struct sweep {
	double worst;
	float at;
	bool bad; /* bad_x shows where */
	float bad_x, bad_y, bad_want;
};

static bool sweep_f32(mm_vmath_fn fn, uint64_t stride, struct sweep *w)
{
	float *x = malloc(BATCH * sizeof *x), *y = malloc(BATCH * sizeof *y);
	*w = (struct sweep){0};
	for (uint64_t u = 0; x && y && u < UINT64_C(1) << 32 && !w->bad;) {
		int n = 0;
		for (; n < BATCH && u < UINT64_C(1) << 32; n++, u += stride) {
			uint32_t b = (uint32_t)u;
			memcpy(&x[n], &b, sizeof b);
		}
		if (mm_vmath_map_f32(fn, n, x, y) != MM_OK)
			break;
		for (int i = 0; i < n && !w->bad; i++) {
			float r = (float)ref32(fn, x[i]);
			if ((i % SCALAR_EVERY == 0 &&
			     bits32(y[i]) != bits32(mm_vmath_scalar_f32(fn, x[i]))) ||
			    !special_ok(y[i], r)) {
				*w = (struct sweep){w->worst, w->at, true, x[i],
				                    y[i], r};
				break;
			}
			if (isnan(r) || isinf(r))
				continue;
			double err = (double)llabs(ord32(y[i]) - ord32(r));
			if (err > w->worst) {
				w->worst = err;
				w->at = x[i];
			}
		}
	}
	bool ok = x && y;
	free(x);
	free(y);
	return ok;
}

START_TEST(test_f32_accuracy)
{
	mm_vmath_fn fn = (mm_vmath_fn)_i;
	struct sweep w;
	ck_assert(sweep_f32(fn, F32_STRIDE, &w));
	ck_assert_msg(!w.bad, "%s(%a) = %a, C library %a (or the scalar "
	              "function differs)", mm_vmath_fn_name(fn),
	              (double)w.bad_x, (double)w.bad_y, (double)w.bad_want);
	printf("%-9s f32: %.0f ulp at %a\n", mm_vmath_fn_name(fn), w.worst,
	       (double)w.at);
	ck_assert_msg(w.worst <= bound_f32[fn],
	              "%s f32: %.0f ulp at %a (bound %.0f)",
	              mm_vmath_fn_name(fn), w.worst, (double)w.at,
	              bound_f32[fn]);
}
END_TEST

/* Random bit patterns, random values where the function varies, and
 * the edges: thresholds of overflow, underflow and the formulas'
 * regions, subnormals, ±0, ±inf, NaN. */
static double sample64(uint64_t *s, int64_t i)
{
	static const double edges[] = {
		0.0, -0.0, INFINITY, -INFINITY, NAN, DBL_MIN, -DBL_MIN,
		DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MAX, -DBL_MAX, 1.0, -1.0,
		709.782712893384, 709.7827128933841, -745.1332191019411,
		-745.1332191019412, -708.3964185322641, 0.875, -0.875,
		1.2374368670764582, -1.2374368670764582, 27.5, 28.0, -38.6,
		-39.5, 20.0, -21.8, 0x1p-1022, 0x1.fffffffffffffp-1023, 1e-300,
	};
	enum { NE = sizeof edges / sizeof edges[0] };
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	uint64_t u = *s;
	double x;
	switch (i % 4) {
	case 0:
		memcpy(&x, &u, sizeof x);
		return x;
	case 1: /* where every function varies */
		return ((double)(u >> 11) * 0x1p-53 - 0.5) * 80;
	case 2: /* the far tails */
		return ((double)(u >> 11) * 0x1p-53 - 0.5) * 1600;
	default:
		if (i % 64 == 3)
			return edges[(i / 64) % NE];
		/* near an edge */
		x = edges[(u >> 32) % NE];
		memcpy(&u, &x, sizeof u);
		u += (uint64_t)(int64_t)(int8_t)(uint8_t)(*s >> 8);
		memcpy(&x, &u, sizeof x);
		return x;
	}
}

START_TEST(test_f64_accuracy)
{
	mm_vmath_fn fn = (mm_vmath_fn)_i;
	double *x = malloc(BATCH * sizeof *x), *y = malloc(BATCH * sizeof *y);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	uint64_t seed = 0x9e3779b97f4a7c15u + (uint64_t)fn;
	double worst = 0, at = 0;
	for (int64_t done = 0; done < F64_SAMPLES; done += BATCH) {
		for (int i = 0; i < BATCH; i++) {
			x[i] = sample64(&seed, done + i);
			if (fn == MM_VMATH_LOG && i % 4 == 1)
				x[i] = fabs(x[i]);
		}
		ck_assert_int_eq(mm_vmath_map_f64(fn, BATCH, x, y), MM_OK);
		for (int i = 0; i < BATCH; i++) {
			long double r = ref64(fn, x[i]);
			double err, rd = (double)r;
			if (i % SCALAR_EVERY == 0 &&
			    bits64(y[i]) != bits64(mm_vmath_scalar_f64(fn, x[i])))
				ck_abort_msg("%s(%a): kernel %a, scalar %a",
				             mm_vmath_fn_name(fn), x[i], y[i],
				             mm_vmath_scalar_f64(fn, x[i]));
			if (!special_ok(y[i], rd))
				ck_abort_msg("%s(%a) = %a, C library %a",
				             mm_vmath_fn_name(fn), x[i], y[i], rd);
			if (isnan(rd) || isinf(rd))
				continue;
			err = isinf(y[i]) ? INFINITY : ulps64(y[i], r);
			if (err > worst) {
				worst = err;
				at = x[i];
			}
		}
	}
	free(x);
	free(y);
	printf("%-9s f64: %.3f ulp at %a\n", mm_vmath_fn_name(fn), worst, at);
	ck_assert_msg(worst <= bound_f64[fn],
	              "%s f64: %.3f ulp at %a (bound %.1f)",
	              mm_vmath_fn_name(fn), worst, at, bound_f64[fn]);
}
END_TEST

/* The C library's own special values, where it defines the function:
 * the same value, sign of zero and all. */
START_TEST(test_specials)
{
	static const double xs[] = {
		0.0, -0.0, INFINITY, -INFINITY, NAN, -NAN, 1.0, -1.0,
		DBL_TRUE_MIN, -DBL_TRUE_MIN, 1000.0, -1000.0, 709.79, -746.0,
	};
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		double x = xs[i];
		double want[4] = {exp(x), log(x), tanh(x), erf(x)};
		double got[4] = {mm_vmath_exp(x), mm_vmath_log(x),
		                 mm_vmath_tanh(x), mm_vmath_erf(x)};
		float xf = (float)x;
		float wantf[4] = {expf(xf), logf(xf), tanhf(xf), erff(xf)};
		float gotf[4] = {mm_vmath_expf(xf), mm_vmath_logf(xf),
		                 mm_vmath_tanhf(xf), mm_vmath_erff(xf)};
		for (int k = 0; k < 4; k++) {
			ck_assert_msg(!isnan(wantf[k]) == !isnan(gotf[k]),
			              "fn %d at %a (f32)", k, (double)xf);
			if (isnan(want[k])) {
				ck_assert_msg(isnan(got[k]), "fn %d at %a", k, x);
				continue;
			}
			if (want[k] == 0 || isinf(want[k]) || fabs(want[k]) == 1) {
				ck_assert_msg(got[k] == want[k] &&
				              !signbit(got[k]) == !signbit(want[k]),
				              "fn %d at %a: %a, C %a", k, x, got[k],
				              want[k]);
			}
			if (wantf[k] == 0 || isinf(wantf[k]) ||
			    fabsf(wantf[k]) == 1)
				ck_assert_msg(gotf[k] == wantf[k] &&
				              !signbit(gotf[k]) == !signbit(wantf[k]),
				              "fn %d at %a: %a, C %a", k, xf,
				              (double)gotf[k], (double)wantf[k]);
		}
	}
	/* a NaN keeps its sign; the composite functions at ±inf */
	ck_assert(signbit(mm_vmath_gelu(-NAN)) && isnan(mm_vmath_gelu(-NAN)));
	ck_assert(isnan(mm_vmath_siluf(-INFINITY)));
	ck_assert(isnan(mm_vmath_gelu(-INFINITY)));
	ck_assert(mm_vmath_gelu_tanhf(INFINITY) == INFINITY);
	ck_assert(mm_vmath_sigmoid(-INFINITY) == 0);
	ck_assert(mm_vmath_sigmoidf(INFINITY) == 1);
	ck_assert(signbit(mm_vmath_geluf(-0.0f)) && !signbit(mm_vmath_gelu(0.0)));
	ck_assert(signbit(mm_vmath_silu(-0.0)) && mm_vmath_silu(-0.0) == 0);
	/* correctly rounded subnormals: exp at the bottom of the range */
	ck_assert(mm_vmath_exp(-745.1332191019411) == DBL_TRUE_MIN);
	ck_assert(mm_vmath_exp(-745.1332191019412) == 0);
	ck_assert(mm_vmath_expf(-103.97f) == expf(-103.97f));
	ck_assert(mm_vmath_exp(709.782712893384) < INFINITY);
	ck_assert(mm_vmath_exp(709.7827128933841) == INFINITY);
}
END_TEST

/* Inputs for the bit-identity tests: every kind of value. */
static void mixed_f64(double *x, int64_t n)
{
	uint64_t s = 12345;
	for (int64_t i = 0; i < n; i++)
		x[i] = sample64(&s, i);
}

static void mixed_f32(float *x, int64_t n)
{
	uint64_t s = 777;
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)sample64(&s, i);
}

static const char *const isas[] = {"generic", "avx2", "avx512"};

/* Row operations and arithmetic on N elements (rows of R), by number. */
enum { N_ID = 50000, R_ID = 37 };

static void rows_ops(int op, const double *x, const float *xf, double *y,
                     float *yf)
{
	int rows = N_ID / R_ID;
	switch (op) {
	case 0:
		mm_vmath_softmax_f32(rows, R_ID, xf, yf);
		mm_vmath_softmax_f64(rows, R_ID, x, y);
		break;
	case 1:
		mm_vmath_layernorm_f32(rows, R_ID, xf, NULL, NULL, 1e-5, yf);
		mm_vmath_log_softmax_f64(1, N_ID, x, y);
		break;
	case 2:
		mm_vmath_reduce_f32(MM_VMATH_SUM, 1, N_ID, xf, yf);
		mm_vmath_rmsnorm_f64(rows, R_ID, x, NULL, 1e-6, y);
		break;
	case 3:
		mm_vmath_binary_f32(MM_VMATH_DIV, N_ID - 1, xf, 1, xf + 1, 1, yf);
		mm_vmath_reduce_f64(MM_VMATH_LOGSUMEXP, rows, R_ID, x, y);
		break;
	case 4:
		mm_vmath_softmax_f32(1, N_ID, xf, yf);
		mm_vmath_reduce_f64(MM_VMATH_NORM, 1, N_ID, x, y);
		break;
	default:
		mm_vmath_reduce_f32(MM_VMATH_MAX, rows, R_ID, xf, yf);
		mm_vmath_binary_f64(MM_VMATH_SUB, N_ID - 1, x, 0, x + 1, 1, y);
		break;
	}
}

/* Every ISA path gives the scalar functions' bits, and the same binary
 * arithmetic and row results as the generic path. */
START_TEST(test_isa_identity)
{
	const char *isa = isas[_i];
	if (mm_vmath_set_isa(isa) != 0)
		return; /* not built or not runnable here: nothing to test */
	ck_assert_str_eq(mm_vmath_isa(), isa);
	enum { N = N_ID };
	double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
	float *xf = malloc(N * sizeof *xf), *yf = malloc(N * sizeof *yf);
	double *ref64 = malloc(N * sizeof *ref64);
	float *ref32 = malloc(N * sizeof *ref32);
	ck_assert(x && y && xf && yf && ref64 && ref32);
	mixed_f64(x, N);
	mixed_f32(xf, N);
	for (int fn = 0; fn < MM_VMATH_FN_COUNT; fn++) {
		ck_assert_int_eq(mm_vmath_map_f64(fn, N, x, y), MM_OK);
		ck_assert_int_eq(mm_vmath_map_f32(fn, N, xf, yf), MM_OK);
		for (int i = 0; i < N; i++) {
			double s = mm_vmath_scalar_f64(fn, x[i]);
			float sf = mm_vmath_scalar_f32(fn, xf[i]);
			if (bits64(s) != bits64(y[i]) ||
			    bits32(sf) != bits32(yf[i]))
				ck_abort_msg("%s %s at %a / %a", isa,
				             mm_vmath_fn_name(fn), x[i],
				             (double)xf[i]);
		}
	}
	/* row operations and arithmetic against the generic path */
	for (int i = 0; i < N; i++) {
		x[i] = sin(i * 0.37) * 20;
		xf[i] = (float)x[i];
	}
	for (int op = 0; op < 6; op++) {
		memset(ref32, 0, N * sizeof *ref32);
		memset(ref64, 0, N * sizeof *ref64);
		memset(yf, 0, N * sizeof *yf);
		memset(y, 0, N * sizeof *y);
		ck_assert_int_eq(mm_vmath_set_isa("generic"), 0);
		rows_ops(op, x, xf, ref64, ref32);
		ck_assert_int_eq(mm_vmath_set_isa(isa), 0);
		rows_ops(op, x, xf, y, yf);
		ck_assert_msg(memcmp(ref32, yf, N * sizeof *yf) == 0,
		              "%s: f32 operation %d differs", isa, op);
		ck_assert_msg(memcmp(ref64, y, N * sizeof *y) == 0,
		              "%s: f64 operation %d differs", isa, op);
	}
	mm_vmath_set_isa(NULL);
	free(x);
	free(y);
	free(xf);
	free(yf);
	free(ref64);
	free(ref32);
}
END_TEST

START_TEST(test_isa_names)
{
	ck_assert_int_eq(mm_vmath_set_isa("no-such-isa"), -1);
	ck_assert_int_eq(mm_vmath_set_isa(NULL), 0);
	const char *best = mm_vmath_isa();
	ck_assert(strcmp(best, "generic") == 0 || strcmp(best, "avx2") == 0 ||
	          strcmp(best, "avx512") == 0);
	ck_assert_int_eq(mm_vmath_set_isa("generic"), 0);
	ck_assert_str_eq(mm_vmath_isa(), "generic");
	mm_vmath_set_isa(NULL);
	ck_assert_str_eq(mm_vmath_isa(), best);
	ck_assert_str_eq(mm_vmath_fn_name(MM_VMATH_GELU_TANH), "gelu_tanh");
	ck_assert_str_eq(mm_vmath_fn_name(MM_VMATH_FN_COUNT), "?");
	ck_assert(isnan(mm_vmath_scalar_f64(MM_VMATH_FN_COUNT, 1.0)));
}
END_TEST

/* The constant folder's promise: gelu(c) − sum(gelu(full(1, c))) == 0. */
START_TEST(test_fold_matches_kernel)
{
	double x = -3.862, y = 1;
	ck_assert_int_eq(mm_vmath_map_f64(MM_VMATH_GELU, 1, &x, &y), MM_OK);
	double s;
	ck_assert_int_eq(mm_vmath_reduce_f64(MM_VMATH_SUM, 1, 1, &y, &s), MM_OK);
	ck_assert(mm_vmath_gelu(-3.862) - s == 0);
}
END_TEST

/* The fast forms (exp, gelu, gelu_tanh f32): an array kernel runs a
 * block of inputs all in the fast form's range through it alone, and any
 * other block through the whole function. At the edges of the ranges and
 * at the special values, in a block of their own kind and in a block of
 * ordinary inputs, every result must be the scalar function's bits and
 * within the bound of the C library's; the ordinary inputs must come out
 * the same in both blocks. */
START_TEST(test_fast_forms)
{
	const char *isa = isas[_i];
	if (mm_vmath_set_isa(isa) != 0)
		return;
	static const struct {
		mm_vmath_fn fn;
		float edges[16];
	} cases[] = {
		{MM_VMATH_EXP, {86.0f, -86.0f, 0x1.580002p+6f, -0x1.580002p+6f,
		                88.72f, 88.73f, -87.33f, -103.97f, -104.0f,
		                0x1p-149f, -0.0f, 0x1.fffffep+127f, 1.0f,
		                -1.0f, 0.0f, 0.5f}},
		{MM_VMATH_GELU, {-6.0f, -0x1.800002p+2f, 6.0f, 0x1.800002p+2f,
		                 -14.5f, -15.0f, 1e30f, -1e30f, 0x1p-149f,
		                 -0x1p-149f, -0.0f, 0.0f, -1.3484f, 3.0f,
		                 -5.999f, 0.75f}},
		{MM_VMATH_GELU_TANH, {-9.0f, -0x1.200002p+3f, 9.0f,
		                      0x1.200002p+3f, -10.5f, -20.0f, -21.0f,
		                      20.0f, 1e30f, -1e30f, 0x1p-149f, -0.0f,
		                      -1.313f, -8.999f, 0.0f, 2.0f}},
	};
	static const float specials[] = {INFINITY, -INFINITY, NAN};
	enum { N = 2048, AT = 700 };
	float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
	float *clean = malloc(N * sizeof *clean);
	ck_assert(x && y && clean);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		mm_vmath_fn fn = cases[c].fn;
		for (int i = 0; i < N; i++)
			x[i] = (float)(sin(i * 0.77) * 3);
		ck_assert_int_eq(mm_vmath_map_f32(fn, N, x, clean), MM_OK);
		for (int e = 0; e < 16 + 3; e++) {
			float v = e < 16 ? cases[c].edges[e] : specials[e - 16];
			/* one edge among ordinary inputs, then a block of it */
			for (int pass = 0; pass < 2; pass++) {
				for (int i = 0; i < N; i++)
					x[i] = pass ? v : (float)(sin(i * 0.77) * 3);
				x[AT] = v;
				ck_assert_int_eq(mm_vmath_map_f32(fn, N, x, y), MM_OK);
				float s = mm_vmath_scalar_f32(fn, v);
				float r = (float)ref32(fn, v);
				ck_assert_msg(bits32(y[AT]) == bits32(s),
				              "%s %s(%a): kernel %a, scalar %a", isa,
				              mm_vmath_fn_name(fn), (double)v,
				              (double)y[AT], (double)s);
				ck_assert_msg(special_ok(y[AT], r),
				              "%s(%a) = %a, C library %a",
				              mm_vmath_fn_name(fn), (double)v,
				              (double)y[AT], (double)r);
				if (!isnan(r) && !isinf(r))
					ck_assert_msg((double)llabs(ord32(y[AT]) -
					                            ord32(r)) <=
					              bound_f32[fn],
					              "%s(%a) = %a, C library %a",
					              mm_vmath_fn_name(fn), (double)v,
					              (double)y[AT], (double)r);
				for (int i = 0; i < N && !pass; i++)
					if (i != AT && bits32(y[i]) != bits32(clean[i]))
						ck_abort_msg("%s %s: input %a changes "
						             "with %a in its block", isa,
						             mm_vmath_fn_name(fn),
						             (double)x[i], (double)v);
			}
		}
	}
	mm_vmath_set_isa(NULL);
	free(x);
	free(y);
	free(clean);
}
END_TEST

/* A row longer than a block takes its max and sum block by block: a
 * block of −inf adds nothing; +inf or all −inf make the row NaN, as
 * they do a short row. */
START_TEST(test_softmax_long_edges)
{
	enum { N = 3 * 16384 + 77 };
	float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
	ck_assert(x && y);
	for (int i = 0; i < N; i++)
		x[i] = i < 16384 + 5 ? -INFINITY : (float)(sin(i * 0.3) * 4);
	ck_assert_int_eq(mm_vmath_softmax_f32(1, N, x, y), MM_OK);
	long double m = -INFINITY, s = 0, sum = 0;
	for (int i = 0; i < N; i++)
		m = x[i] > m ? x[i] : m;
	for (int i = 0; i < N; i++)
		s += expl((long double)x[i] - m);
	for (int i = 0; i < N; i++) {
		long double want = expl((long double)x[i] - m) / s;
		ck_assert_msg(fabsl(y[i] - want) <= 0x1p-21 * want,
		              "long softmax at %d: %a vs %La", i, (double)y[i],
		              want);
		sum += y[i];
	}
	ck_assert(fabsl(sum - 1) < 1e-5);
	float lse;
	ck_assert_int_eq(mm_vmath_log_softmax_f32(1, N, x, y), MM_OK);
	ck_assert(y[0] == -INFINITY);
	ck_assert_msg(fabsl(y[N - 1] - ((long double)x[N - 1] - m - logl(s))) <
	              1e-5, "long log_softmax");
	ck_assert_int_eq(mm_vmath_reduce_f32(MM_VMATH_LOGSUMEXP, 1, N, x, &lse),
	                 MM_OK);
	ck_assert(fabsl(lse - (m + logl(s))) < 1e-5);
	x[N - 3] = INFINITY;
	ck_assert_int_eq(mm_vmath_softmax_f32(1, N, x, y), MM_OK);
	ck_assert(isnan(y[N - 1]) && isnan(y[100]));
	ck_assert_int_eq(mm_vmath_softmax_f32(1, 40, x + N - 40, y), MM_OK);
	ck_assert(isnan(y[0]));
	for (int i = 0; i < N; i++)
		x[i] = -INFINITY;
	ck_assert_int_eq(mm_vmath_softmax_f32(1, N, x, y), MM_OK);
	ck_assert(isnan(y[0]) && isnan(y[N - 1]));
	ck_assert_int_eq(mm_vmath_softmax_f32(1, 40, x, y), MM_OK);
	ck_assert(isnan(y[0]));
	free(x);
	free(y);
}
END_TEST

/* --- row operations against double-precision references ------------- */

static double rel_err(double y, double r)
{
	return r == 0 ? fabs(y) : fabs(y - r) / fabs(r);
}

/* Rows of the lengths that matter: 1, below and above the lanes, one
 * block, just over a block, several blocks. */
static const int64_t lens[] = {1, 7, 32, 33, 1000, 16384, 16385, 40000};

static void fill(double *x, float *xf, int64_t n, int64_t seed)
{
	for (int64_t i = 0; i < n; i++) {
		x[i] = sin((double)(i + seed) * 0.731) * 6 + cos(i * 0.1) * 3;
		xf[i] = (float)x[i];
		x[i] = xf[i]; /* the same values in both types */
	}
}

START_TEST(test_softmax_reference)
{
	for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
		int64_t n = lens[t], rows = n > 1000 ? 2 : 3;
		double *x = malloc((size_t)(rows * n) * sizeof *x);
		double *y = malloc((size_t)(rows * n) * sizeof *y);
		float *xf = malloc((size_t)(rows * n) * sizeof *xf);
		float *yf = malloc((size_t)(rows * n) * sizeof *yf);
		float *lf = malloc((size_t)(rows * n) * sizeof *lf);
		ck_assert(x && y && xf && yf && lf);
		fill(x, xf, rows * n, (int64_t)t);
		ck_assert_int_eq(mm_vmath_softmax_f64(rows, n, x, y), MM_OK);
		ck_assert_int_eq(mm_vmath_softmax_f32(rows, n, xf, yf), MM_OK);
		ck_assert_int_eq(mm_vmath_log_softmax_f32(rows, n, xf, lf),
		                 MM_OK);
		for (int64_t r = 0; r < rows; r++) {
			const double *xr = x + r * n;
			long double m = -INFINITY, s = 0;
			for (int64_t i = 0; i < n; i++)
				m = xr[i] > m ? xr[i] : m;
			for (int64_t i = 0; i < n; i++)
				s += expl(xr[i] - m);
			for (int64_t i = 0; i < n; i++) {
				long double want = expl(xr[i] - m) / s;
				long double lw = xr[i] - m - logl(s);
				int64_t k = r * n + i;
				ck_assert_msg(rel_err(y[k], want) < 1e-14,
				              "f64 softmax n=%lld i=%lld: %a vs %La",
				              (long long)n, (long long)k, y[k], want);
				/* f32: x − max rounds (as in PyTorch), so the
				 * bound grows with the distance from the max */
				double b = 0x1p-24 * (6 + fabsl(xr[i] - m));
				ck_assert_msg(rel_err(yf[k], want) < b,
				              "f32 softmax n=%lld i=%lld: %a vs %La",
				              (long long)n, (long long)k,
				              (double)yf[k], want);
				ck_assert_msg(fabsl(lf[k] - lw) <
				              0x1p-23 * (1 + fabsl(lw)),
				              "f32 log_softmax n=%lld i=%lld",
				              (long long)n, (long long)k);
			}
		}
		free(x);
		free(y);
		free(xf);
		free(yf);
		free(lf);
	}
}
END_TEST

START_TEST(test_norms_reference)
{
	for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
		int64_t n = lens[t], rows = 2;
		double *x = malloc((size_t)(rows * n) * sizeof *x);
		double *y = malloc((size_t)(rows * n) * sizeof *y);
		double *w = malloc((size_t)n * sizeof *w);
		double *b = malloc((size_t)n * sizeof *b);
		float *xf = malloc((size_t)(rows * n) * sizeof *xf);
		float *yf = malloc((size_t)(rows * n) * sizeof *yf);
		float *rf = malloc((size_t)(rows * n) * sizeof *rf);
		float *wf = malloc((size_t)n * sizeof *wf);
		float *bf = malloc((size_t)n * sizeof *bf);
		ck_assert(x && y && w && b && xf && yf && rf && wf && bf);
		fill(x, xf, rows * n, 3 + (int64_t)t);
		for (int64_t i = 0; i < n; i++) {
			wf[i] = (float)(1 + 0.5 * sin((double)i));
			bf[i] = (float)(0.25 * cos((double)i));
			w[i] = wf[i];
			b[i] = bf[i];
		}
		ck_assert_int_eq(mm_vmath_layernorm_f64(rows, n, x, w, b, 1e-5,
		                                        y), MM_OK);
		ck_assert_int_eq(mm_vmath_layernorm_f32(rows, n, xf, wf, bf,
		                                        1e-5, yf), MM_OK);
		ck_assert_int_eq(mm_vmath_rmsnorm_f32(rows, n, xf, wf,
		                                      MM_VMATH_RMSNORM_EPS_F32,
		                                      rf), MM_OK);
		for (int64_t r = 0; r < rows; r++) {
			const double *xr = x + r * n;
			long double mean = 0, var = 0, ms = 0;
			for (int64_t i = 0; i < n; i++)
				mean += xr[i];
			mean /= n;
			for (int64_t i = 0; i < n; i++) {
				var += (xr[i] - mean) * (xr[i] - mean);
				ms += (long double)xr[i] * xr[i];
			}
			var /= n;
			ms /= n;
			long double inv = 1 / sqrtl(var + 1e-5L);
			long double rinv = 1 / sqrtl(ms + 0x1p-23L);
			for (int64_t i = 0; i < n; i++) {
				int64_t k = r * n + i;
				long double want = (xr[i] - mean) * inv * w[i] + b[i];
				long double rw = xr[i] * rinv * w[i];
				/* absolute in units of the row's scale (≈ 1) */
				ck_assert_msg(fabsl(y[k] - want) < 1e-13,
				              "f64 layernorm n=%lld", (long long)n);
				ck_assert_msg(fabsl(yf[k] - want) <
				              0x1p-23 * (1 + fabsl(want)),
				              "f32 layernorm n=%lld i=%lld: %a vs %La",
				              (long long)n, (long long)i,
				              (double)yf[k], want);
				ck_assert_msg(fabsl(rf[k] - rw) <
				              0x1p-23 * (1 + fabsl(rw)),
				              "f32 rmsnorm n=%lld", (long long)n);
			}
		}
		/* no weight, no bias: the plain normalisation */
		ck_assert_int_eq(mm_vmath_layernorm_f32(1, n, xf, NULL, NULL,
		                                        1e-5, yf), MM_OK);
		double s = 0, s2 = 0;
		for (int64_t i = 0; i < n; i++) {
			s += yf[i];
			s2 += (double)yf[i] * yf[i];
		}
		ck_assert(fabs(s / n) < 1e-5);
		if (n > 1)
			ck_assert(fabs(s2 / n - 1) < 1e-3);
		free(x);
		free(y);
		free(w);
		free(b);
		free(xf);
		free(yf);
		free(rf);
		free(wf);
		free(bf);
	}
}
END_TEST

START_TEST(test_reduce_reference)
{
	for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
		int64_t n = lens[t], rows = 3;
		double *x = malloc((size_t)(rows * n) * sizeof *x);
		float *xf = malloc((size_t)(rows * n) * sizeof *xf);
		ck_assert(x && xf);
		fill(x, xf, rows * n, 11 + (int64_t)t);
		for (int op = 0; op < MM_VMATH_REDUCE_COUNT; op++) {
			double out[3];
			float outf[3];
			ck_assert_int_eq(mm_vmath_reduce_f64(op, rows, n, x, out),
			                 MM_OK);
			ck_assert_int_eq(mm_vmath_reduce_f32(op, rows, n, xf,
			                                     outf), MM_OK);
			for (int64_t r = 0; r < rows; r++) {
				const double *xr = x + r * n;
				long double s = 0, sq = 0, mx = xr[0], mn = xr[0];
				for (int64_t i = 0; i < n; i++) {
					s += xr[i];
					sq += (long double)xr[i] * xr[i];
					mx = xr[i] > mx ? xr[i] : mx;
					mn = xr[i] < mn ? xr[i] : mn;
				}
				long double se = 0;
				for (int64_t i = 0; i < n; i++)
					se += expl(xr[i] - mx);
				long double want[] = {s, s / n, mx, mn, sqrtl(sq),
				                      mx + logl(se)};
				/* the sum's error is relative to Σ|x| */
				long double scale = op <= 1 ? 9.0L * n / (op ? n : 1)
				                            : fabsl(want[op]);
				ck_assert_msg(fabsl(out[r] - want[op]) <=
				              1e-14 * scale + 1e-300,
				              "f64 reduce %d n=%lld: %a vs %La", op,
				              (long long)n, out[r], want[op]);
				ck_assert_msg(fabsl(outf[r] - want[op]) <=
				              0x1p-24 * fabsl(want[op]) +
				              1e-14 * scale,
				              "f32 reduce %d n=%lld: %a vs %La", op,
				              (long long)n, (double)outf[r],
				              want[op]);
			}
		}
		free(x);
		free(xf);
	}
}
END_TEST

/* NumPy's NaN rules and the extremes. */
START_TEST(test_reduce_nan_inf)
{
	float x[40];
	for (int i = 0; i < 40; i++)
		x[i] = (float)i;
	float out;
	x[37] = NAN;
	for (int op = 0; op < MM_VMATH_REDUCE_COUNT; op++) {
		ck_assert_int_eq(mm_vmath_reduce_f32(op, 1, 40, x, &out), MM_OK);
		ck_assert_msg(isnan(out), "reduce %d ignores a NaN", op);
	}
	x[37] = -INFINITY;
	mm_vmath_reduce_f32(MM_VMATH_MIN, 1, 40, x, &out);
	ck_assert(out == -INFINITY);
	x[3] = INFINITY;
	mm_vmath_reduce_f32(MM_VMATH_LOGSUMEXP, 1, 40, x, &out);
	ck_assert(out == INFINITY);
	for (int i = 0; i < 40; i++)
		x[i] = -INFINITY;
	mm_vmath_reduce_f32(MM_VMATH_LOGSUMEXP, 1, 40, x, &out);
	ck_assert(out == -INFINITY);
	/* a NaN in one row leaves the others alone; softmax's row is NaN */
	double d[6] = {1, 2, NAN, 4, 5, 6}, o[2], sm[6];
	mm_vmath_reduce_f64(MM_VMATH_MAX, 2, 3, d, o);
	ck_assert(isnan(o[0]) && o[1] == 6);
	mm_vmath_softmax_f64(2, 3, d, sm);
	ck_assert(isnan(sm[0]) && isnan(sm[1]) && isnan(sm[2]));
	ck_assert(fabs(sm[3] + sm[4] + sm[5] - 1) < 1e-15);
}
END_TEST

START_TEST(test_empty)
{
	float xf[1] = {3}, yf[4] = {7, 7, 7, 7};
	double x[1] = {3}, y[4] = {7, 7, 7, 7};
	ck_assert_int_eq(mm_vmath_map_f32(MM_VMATH_GELU, 0, xf, yf), MM_OK);
	ck_assert_int_eq(mm_vmath_binary_f64(MM_VMATH_ADD, 0, x, 1, x, 0, y),
	                 MM_OK);
	ck_assert_int_eq(mm_vmath_softmax_f32(0, 5, xf, yf), MM_OK);
	ck_assert_int_eq(mm_vmath_softmax_f32(4, 0, xf, yf), MM_OK);
	ck_assert_int_eq(mm_vmath_layernorm_f64(3, 0, x, NULL, NULL, 1e-5, y),
	                 MM_OK);
	ck_assert(yf[0] == 7 && y[0] == 7);
	/* reductions of empty rows: NumPy's identities */
	ck_assert_int_eq(mm_vmath_reduce_f32(MM_VMATH_SUM, 2, 0, xf, yf), MM_OK);
	ck_assert(yf[0] == 0 && yf[1] == 0 && yf[2] == 7);
	mm_vmath_reduce_f64(MM_VMATH_MEAN, 1, 0, x, y);
	ck_assert(isnan(y[0]));
	mm_vmath_reduce_f64(MM_VMATH_LOGSUMEXP, 1, 0, x, y);
	ck_assert(y[0] == -INFINITY);
	mm_vmath_reduce_f64(MM_VMATH_NORM, 1, 0, x, y);
	ck_assert(y[0] == 0);
	y[0] = 7;
	ck_assert_int_eq(mm_vmath_reduce_f64(MM_VMATH_MAX, 1, 0, x, y),
	                 MM_ERR_VALUE);
	ck_assert(y[0] == 7);
	ck_assert_int_eq(mm_vmath_reduce_f32(MM_VMATH_MIN, 0, 0, xf, yf),
	                 MM_OK);
}
END_TEST

START_TEST(test_bad_arguments)
{
	float xf[4] = {1, 2, 3, 4}, yf[4];
	ck_assert_int_eq(mm_vmath_map_f32(MM_VMATH_FN_COUNT, 4, xf, yf),
	                 MM_ERR_ARG);
	ck_assert_int_eq(mm_vmath_map_f32(MM_VMATH_EXP, -1, xf, yf),
	                 MM_ERR_ARG);
	ck_assert_int_eq(mm_vmath_binary_f32(MM_VMATH_ADD, 2, xf, 2, xf, 1, yf),
	                 MM_ERR_ARG);
	ck_assert_int_eq(mm_vmath_binary_f32(MM_VMATH_BINOP_COUNT, 2, xf, 1,
	                                     xf, 1, yf), MM_ERR_ARG);
	ck_assert_int_eq(mm_vmath_softmax_f32(-1, 4, xf, yf), MM_ERR_ARG);
	ck_assert_int_eq(mm_vmath_reduce_f32(MM_VMATH_REDUCE_COUNT, 1, 4, xf,
	                                     yf), MM_ERR_ARG);
	ck_assert_int_eq(mm_vmath_softmax_f32(INT64_MAX / 2, 4, xf, yf),
	                 MM_ERR_ARG);
}
END_TEST

/* Binary arithmetic: each stride pattern, in place too. */
START_TEST(test_binary)
{
	enum { N = 1000 };
	double a[N], b[N], y[N];
	for (int i = 0; i < N; i++) {
		a[i] = i * 0.5 - 100;
		b[i] = 3 + i % 7;
	}
	for (int op = 0; op < MM_VMATH_BINOP_COUNT; op++)
		for (int sa = 0; sa < 2; sa++)
			for (int sb = 0; sb < 2; sb++) {
				ck_assert_int_eq(mm_vmath_binary_f64(op, N, a, sa, b,
				                                     sb, y), MM_OK);
				for (int i = 0; i < N; i++) {
					double u = a[i * sa], v = b[i * sb];
					double w = op == 0 ? u + v : op == 1 ? u - v
					         : op == 2 ? u * v : u / v;
					ck_assert(y[i] == w);
				}
			}
	float f[N], g[N];
	for (int i = 0; i < N; i++) {
		f[i] = (float)i;
		g[i] = 2;
	}
	ck_assert_int_eq(mm_vmath_binary_f32(MM_VMATH_MUL, N, f, 1, g, 1, f),
	                 MM_OK);
	ck_assert_int_eq(mm_vmath_map_f32(MM_VMATH_EXP, N, g, g), MM_OK);
	for (int i = 0; i < N; i++) {
		ck_assert(f[i] == 2.0f * i);
		ck_assert(g[i] == mm_vmath_expf(2));
	}
}
END_TEST

/* One and two threads: the same bits, elementwise, by rows and along one
 * long row. */
START_TEST(test_threads)
{
	enum { N = 3 * 16384 * 4 + 1234 };
	float *x = malloc(N * sizeof *x), *a = malloc(N * sizeof *a);
	float *b = malloc(N * sizeof *b);
	ck_assert(x && a && b);
	for (int i = 0; i < N; i++)
		x[i] = (float)(sin(i * 0.01) * 5);
	for (int op = 0; op < 6; op++) {
		for (int t = 1; t <= 2; t++) {
			float *y = t == 1 ? a : b;
			memset(y, 0, N * sizeof *y);
			mm_gemm_set_threads(t);
			int rc;
			switch (op) {
			case 0:
				rc = mm_vmath_map_f32(MM_VMATH_GELU, N, x, y);
				break;
			case 1:
				rc = mm_vmath_softmax_f32(N / 100, 100, x, y);
				break;
			case 2:
				rc = mm_vmath_softmax_f32(1, N, x, y);
				break;
			case 3:
				rc = mm_vmath_reduce_f32(MM_VMATH_SUM, 1, N, x, y);
				break;
			case 4:
				rc = mm_vmath_layernorm_f32(2, N / 2, x, NULL,
				                            NULL, 1e-5, y);
				break;
			default:
				rc = mm_vmath_reduce_f32(MM_VMATH_LOGSUMEXP,
				                         N / 1000, 1000, x, y);
				break;
			}
			ck_assert_int_eq(rc, MM_OK);
		}
		ck_assert_msg(memcmp(a, b, N * sizeof *a) == 0,
		              "operation %d differs on 2 threads", op);
	}
	mm_gemm_set_threads(0);
	free(x);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_interrupt)
{
	enum { N = 1 << 20 };
	float *x = calloc(N, sizeof *x), *y = calloc(N, sizeof *y);
	ck_assert(x && y);
	mm_interrupt_request();
	ck_assert_int_eq(mm_vmath_map_f32(MM_VMATH_SILU, N, x, y),
	                 MM_ERR_INTERRUPTED);
	ck_assert_int_eq(mm_vmath_softmax_f32(1, N, x, y), MM_ERR_INTERRUPTED);
	ck_assert_int_eq(mm_vmath_softmax_f32(N / 64, 64, x, y),
	                 MM_ERR_INTERRUPTED);
	ck_assert_int_eq(mm_vmath_reduce_f32(MM_VMATH_SUM, 1, N, x, y),
	                 MM_ERR_INTERRUPTED);
	mm_interrupt_clear();
	ck_assert_int_eq(mm_vmath_map_f32(MM_VMATH_SILU, N, x, y), MM_OK);
	free(x);
	free(y);
}
END_TEST

static Suite *vmath_suite(void)
{
	Suite *s = suite_create("vmath");
	TCase *acc = tcase_create("accuracy");
	tcase_set_timeout(acc, 900);
	tcase_add_loop_test(acc, test_f32_accuracy, 0, MM_VMATH_FN_COUNT);
	tcase_add_loop_test(acc, test_f64_accuracy, 0, MM_VMATH_FN_COUNT);
	tcase_add_test(acc, test_specials);
	suite_add_tcase(s, acc);
	TCase *isa = tcase_create("isa");
	tcase_set_timeout(isa, 300);
	tcase_add_loop_test(isa, test_isa_identity, 0,
	                    (int)(sizeof isas / sizeof isas[0]));
	tcase_add_test(isa, test_isa_names);
	tcase_add_test(isa, test_fold_matches_kernel);
	tcase_add_loop_test(isa, test_fast_forms, 0,
	                    (int)(sizeof isas / sizeof isas[0]));
	suite_add_tcase(s, isa);
	TCase *rows = tcase_create("rows");
	tcase_set_timeout(rows, 300);
	tcase_add_test(rows, test_softmax_reference);
	tcase_add_test(rows, test_norms_reference);
	tcase_add_test(rows, test_reduce_reference);
	tcase_add_test(rows, test_reduce_nan_inf);
	tcase_add_test(rows, test_empty);
	tcase_add_test(rows, test_bad_arguments);
	tcase_add_test(rows, test_binary);
	tcase_add_test(rows, test_threads);
	tcase_add_test(rows, test_softmax_long_edges);
	tcase_add_test(rows, test_interrupt);
	suite_add_tcase(s, rows);
	return s;
}

/* test-vmath --sweep [FN]: every float bit pattern (2^32) through the
 * named function (default all), by hand: a few minutes a function. */
static int sweep_all(const char *only)
{
	int rc = 0;
	for (int fn = 0; fn < MM_VMATH_FN_COUNT; fn++) {
		if (only && strcmp(only, mm_vmath_fn_name(fn)) != 0)
			continue;
		struct sweep w;
		if (!sweep_f32(fn, 1, &w))
			return 1;
		printf("%-9s f32 over all 2^32 inputs: %.0f ulp at %a "
		       "(bound %.0f)%s\n", mm_vmath_fn_name(fn), w.worst,
		       (double)w.at, bound_f32[fn],
		       w.worst > bound_f32[fn] ? " OVER" : "");
		if (w.bad)
			printf("  %s(%a) = %a, C library %a\n",
			       mm_vmath_fn_name(fn), (double)w.bad_x,
			       (double)w.bad_y, (double)w.bad_want);
		rc |= w.bad || w.worst > bound_f32[fn];
		fflush(stdout);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--sweep") == 0)
		return sweep_all(argc > 2 ? argv[2] : NULL);
	SRunner *sr = srunner_create(vmath_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	mm_gemm_shutdown();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
