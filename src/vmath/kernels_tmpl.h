/* kernels_tmpl.h — vmath's kernels, compiled once per ISA: the includer
 * defines VM_TABLE (the table's name) and its own c_args (-mavx2 -mfma,
 * -mavx512f ...). Every loop is plain C over vmath_fn.h, which the
 * vectoriser turns into the ISA's SIMD code; no intrinsics, so the
 * operations, and the bits, are the same on every path. Pointers are not
 * restrict: the compiler's overlap check lets y == x through to the
 * vector loop. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "vmath_fn.h"
#include "vmath_internal.h"

/* Lanes of the reductions' accumulators: enough independent chains to
 * hide the adder's latency on AVX-512 (4 registers of doubles). */
#define LANES 32

/* --- elementwise ---------------------------------------------------------- */

#define MAP(NAME, T, FN)                                                      \
	static void NAME(int64_t n, const T *x, T *y)                        \
	{                                                                     \
		for (int64_t i = 0; i < n; i++)                               \
			y[i] = FN(x[i]);                                      \
	}
MAP(log_f32, float, vm_log_f)
MAP(tanh_f32, float, vm_tanh_f)
MAP(erf_f32, float, vm_erf_f)
MAP(sigmoid_f32, float, vm_sigmoid_f)
MAP(silu_f32, float, vm_silu_f)
MAP(exp_f64, double, vm_exp_d)
MAP(log_f64, double, vm_log_d)
MAP(tanh_f64, double, vm_tanh_d)
MAP(erf_f64, double, vm_erf_d)
MAP(sigmoid_f64, double, vm_sigmoid_d)
MAP(gelu_f64, double, vm_gelu_d)
MAP(gelu_tanh_f64, double, vm_gelu_tanh_d)
MAP(silu_f64, double, vm_silu_d)
#undef MAP

/* exp, gelu and gelu_tanh f32 block by block: the fast form runs on the
 * block while its inputs are counted out of its range (OK; NaN is not);
 * where none is, that is the function's bits. A block with a few inputs
 * outside runs the fast form into a buffer, then the function on the
 * groups of 16 that hold those inputs (only on those inputs); a block
 * with many runs the function throughout. */
enum { FAST_BLOCK = 512, FAST_GROUP = 16, FAST_FEW = 32 };

#define FASTMAP(NAME, FAST, FN, OK)                                           \
	static void NAME##_fixed(int64_t len, const float *xb, float *yb)    \
	{                                                                     \
		float buf[FAST_BLOCK];                                        \
		for (int64_t i = 0; i < len; i++)                             \
			buf[i] = FAST(xb[i]);                                 \
		for (int64_t g = 0; g < len; g += FAST_GROUP) {               \
			int64_t gl = len - g < FAST_GROUP ? len - g           \
			                                  : FAST_GROUP;       \
			int any = 0;                                          \
			for (int64_t i = g; i < g + gl; i++)                  \
				any |= !OK(xb[i]);                            \
			if (!any)                                             \
				continue;                                     \
			for (int64_t i = g; i < g + gl; i++)                  \
				if (!OK(xb[i]))                               \
					buf[i] = FN(xb[i]);                   \
		}                                                             \
		for (int64_t i = 0; i < len; i++)                             \
			yb[i] = buf[i];                                       \
	}                                                                     \
	static void NAME(int64_t n, const float *x, float *y)                \
	{                                                                     \
		for (int64_t b = 0; b < n; b += FAST_BLOCK) {                 \
			int64_t len = n - b < FAST_BLOCK ? n - b : FAST_BLOCK; \
			const float *xb = x + b;                              \
			float *yb = y + b;                                    \
			/* the fast form and the count in one loop (a     \
			 * loop of its own for the count would read the   \
			 * block from memory with nothing to overlap);    \
			 * in place, into a buffer so that x survives     \
			 * for the tail forms */                          \
			float buf[FAST_BLOCK];                                \
			float *out = (const float *)yb == xb ? buf : yb;      \
			int tail = 0;                                         \
			for (int64_t i = 0; i < len; i++) {                   \
				out[i] = FAST(xb[i]);                         \
				tail += !OK(xb[i]);                           \
			}                                                     \
			if (tail == 0) {                                      \
				for (int64_t i = 0; out == buf && i < len; i++) \
					yb[i] = buf[i];                       \
			} else if (tail <= FAST_FEW) {                        \
				NAME##_fixed(len, xb, yb);                    \
			} else {                                              \
				for (int64_t i = 0; i < len; i++)             \
					yb[i] = FN(xb[i]);                    \
			}                                                     \
		}                                                             \
	}
FASTMAP(exp_f32, vm_exp_fast_f, vm_exp_f, vm_exp_fast_ok_f)
FASTMAP(gelu_f32, vm_gelu_fast_f, vm_gelu_f, vm_gelu_fast_ok_f)
FASTMAP(gelu_tanh_f32, vm_gelu_tanh_fast_f, vm_gelu_tanh_f,
        vm_gelu_tanh_fast_ok_f)
#undef FASTMAP

/* One loop per stride pattern so that each vectorises. */
#define BIN(NAME, T, OP)                                                      \
	static void NAME(int64_t n, const T *a, int64_t sa, const T *b,      \
	                 int64_t sb, T *y)                                    \
	{                                                                     \
		if (sa && sb) {                                               \
			for (int64_t i = 0; i < n; i++)                       \
				y[i] = a[i] OP b[i];                          \
		} else if (sa) {                                              \
			T s = b[0];                                           \
			for (int64_t i = 0; i < n; i++)                       \
				y[i] = a[i] OP s;                             \
		} else if (sb) {                                              \
			T s = a[0];                                           \
			for (int64_t i = 0; i < n; i++)                       \
				y[i] = s OP b[i];                             \
		} else {                                                      \
			T s = a[0] OP b[0];                                   \
			for (int64_t i = 0; i < n; i++)                       \
				y[i] = s;                                     \
		}                                                             \
	}
BIN(add_f32, float, +)
BIN(sub_f32, float, -)
BIN(mul_f32, float, *)
BIN(div_f32, float, /)
BIN(add_f64, double, +)
BIN(sub_f64, double, -)
BIN(mul_f64, double, *)
BIN(div_f64, double, /)
#undef BIN

/* --- reductions over a block ------------------------------------------------
 * Element i goes to lane i mod LANES of its stretch; the lanes are summed
 * pairwise (16 + 16, 8 + 8, ...). */
static double lanes_total(double *acc)
{
	for (int w = LANES / 2; w >= 1; w /= 2)
		for (int k = 0; k < w; k++)
			acc[k] += acc[k + w];
	return acc[0];
}

#define SUMS(T, S)                                                            \
	static double sum_##S(int64_t n, const T *x)                          \
	{                                                                     \
		double acc[LANES] = {0};                                      \
		int64_t i = 0;                                                \
		for (; i + LANES <= n; i += LANES)                            \
			for (int k = 0; k < LANES; k++)                       \
				acc[k] += (double)x[i + k];                   \
		for (int64_t j = i; j < n; j++)                               \
			acc[j - i] += (double)x[j];                           \
		return lanes_total(acc);                                      \
	}                                                                     \
	static double sumsq_##S(int64_t n, const T *x)                        \
	{                                                                     \
		double acc[LANES] = {0};                                      \
		int64_t i = 0;                                                \
		for (; i + LANES <= n; i += LANES)                            \
			for (int k = 0; k < LANES; k++) {                     \
				double v = x[i + k];                          \
				acc[k] += v * v;                              \
			}                                                     \
		for (int64_t j = i; j < n; j++) {                             \
			double v = x[j];                                      \
			acc[j - i] += v * v;                                  \
		}                                                             \
		return lanes_total(acc);                                      \
	}                                                                     \
	static double sumsqdev_##S(int64_t n, const T *x, double c)           \
	{                                                                     \
		double acc[LANES] = {0};                                      \
		int64_t i = 0;                                                \
		for (; i + LANES <= n; i += LANES)                            \
			for (int k = 0; k < LANES; k++) {                     \
				double v = (double)x[i + k] - c;              \
				acc[k] += v * v;                              \
			}                                                     \
		for (int64_t j = i; j < n; j++) {                             \
			double v = (double)x[j] - c;                          \
			acc[j - i] += v * v;                                  \
		}                                                             \
		return lanes_total(acc);                                      \
	}
SUMS(float, f32)
SUMS(double, f64)
#undef SUMS

/* NaN is noted beside the extremum, not in it, so the compare-and-select
 * stays one vector max (min) per step. */
#define EXTREMUM(NAME, T, CMP)                                                \
	static T NAME(int64_t n, const T *x)                                  \
	{                                                                     \
		T acc[LANES];                                                 \
		int nan[LANES];                                               \
		for (int k = 0; k < LANES; k++) {                             \
			acc[k] = x[0];                                        \
			nan[k] = 0;                                           \
		}                                                             \
		int64_t i = 0;                                                \
		for (; i + LANES <= n; i += LANES)                            \
			for (int k = 0; k < LANES; k++) {                     \
				T v = x[i + k];                               \
				acc[k] = v CMP acc[k] ? v : acc[k];           \
				nan[k] |= v != v;                             \
			}                                                     \
		for (int64_t j = i; j < n; j++) {                             \
			T v = x[j];                                           \
			acc[j - i] = v CMP acc[j - i] ? v : acc[j - i];       \
			nan[j - i] |= v != v;                                 \
		}                                                             \
		T m = acc[0];                                                 \
		int any = nan[0];                                             \
		for (int k = 1; k < LANES; k++) {                             \
			m = acc[k] CMP m ? acc[k] : m;                        \
			any |= nan[k];                                        \
		}                                                             \
		return any ? (T)NAN : m;                                      \
	}
EXTREMUM(max_f32, float, >)
EXTREMUM(min_f32, float, <)
EXTREMUM(max_f64, double, >)
EXTREMUM(min_f64, double, <)
#undef EXTREMUM

/* --- softmax pieces ------------------------------------------------------ */

/* sumexp: the exps first (into y, or a buffer of SUMEXP_CHUNK in L1),
 * then their sum by lanes as sum_ does: two loops rather than one, so
 * that the exp's constants and the accumulators both stay in registers
 * (together they spill, and every add waits on a store to the stack).
 * The chunk is a multiple of LANES: the lanes are those of one loop. */
enum { SUMEXP_CHUNK = 512 };

#define SOFTMAX_PARTS(T, S, EXP)                                              \
	static void addlanes_##S(double *acc, int64_t n, const T *e)          \
	{                                                                     \
		int64_t i = 0;                                                \
		for (; i + LANES <= n; i += LANES)                            \
			for (int k = 0; k < LANES; k++)                       \
				acc[k] += (double)e[i + k];                   \
		for (int64_t j = i; j < n; j++)                               \
			acc[j - i] += (double)e[j];                           \
	}                                                                     \
	static double sumexp_##S(int64_t n, const T *x, T m, T *y)            \
	{                                                                     \
		double acc[LANES] = {0};                                      \
		T buf[SUMEXP_CHUNK];                                          \
		for (int64_t b = 0; b < n; b += SUMEXP_CHUNK) {               \
			int64_t len = n - b < SUMEXP_CHUNK ? n - b            \
			                                   : SUMEXP_CHUNK;    \
			T *e = y ? y + b : buf;                               \
			if (EXPOK_ALL(x + b, len, m)) {                       \
				for (int64_t i = 0; i < len; i++)             \
					e[i] = FASTEXP(x[b + i] - m);         \
			} else {                                              \
				for (int64_t i = 0; i < len; i++)             \
					e[i] = EXP(x[b + i] - m);             \
			}                                                     \
			addlanes_##S(acc, len, e);                            \
		}                                                             \
		return lanes_total(acc);                                      \
	}                                                                     \
	static void scale_##S(int64_t n, T *y, T r)                           \
	{                                                                     \
		for (int64_t i = 0; i < n; i++)                               \
			y[i] = y[i] * r;                                      \
	}                                                                     \
	static void expscale_##S(int64_t n, const T *x, T m, T r, T *y)       \
	{                                                                     \
		for (int64_t b = 0; b < n; b += SUMEXP_CHUNK) {               \
			int64_t len = n - b < SUMEXP_CHUNK ? n - b            \
			                                   : SUMEXP_CHUNK;    \
			const T *xb = x + b;                                  \
			T *yb = y + b, buf[SUMEXP_CHUNK];                     \
			T *out = (const T *)yb == xb ? buf : yb;              \
			int tail = EXPOK_MANY(out, xb, len, m, r);            \
			for (int64_t i = 0; tail && i < len; i++)             \
				out[i] = EXP(xb[i] - m) * r;                  \
			for (int64_t i = 0; out == buf && i < len; i++)       \
				yb[i] = buf[i];                               \
		}                                                             \
	}                                                                     \
	static void shift_##S(int64_t n, const T *x, double c, T *y)          \
	{                                                                     \
		for (int64_t i = 0; i < n; i++)                               \
			y[i] = (T)((double)x[i] - c);                         \
	}                                                                     \
	/* t = (x − c)·s in the accumulation type, rounded once to T;     \
	 * then t·w + b in T with one fma (PyTorch works in T).          */ \
	static void affine_##S(int64_t n, const T *x, double c, double s,     \
	                       const T *w, const T *b, T *y)                  \
	{                                                                     \
		if (w && b) {                                                 \
			for (int64_t i = 0; i < n; i++)                       \
				y[i] = VM_FMA_##S(                            \
				    (T)(((double)x[i] - c) * s), w[i], b[i]); \
		} else if (w) {                                               \
			for (int64_t i = 0; i < n; i++)                       \
				y[i] = (T)(((double)x[i] - c) * s) * w[i];    \
		} else if (b) {                                               \
			for (int64_t i = 0; i < n; i++)                       \
				y[i] = (T)(((double)x[i] - c) * s) + b[i];    \
		} else {                                                      \
			for (int64_t i = 0; i < n; i++)                       \
				y[i] = (T)(((double)x[i] - c) * s);           \
		}                                                             \
	}
#define VM_FMA_f32 fmaf
#define VM_FMA_f64 fma
/* Whether exp(x − m) is in the fast exp's range for all n of x. */
static int expok_all_f32(const float *x, int64_t n, float m)
{
	int ok = 1;
	for (int64_t i = 0; i < n; i++)
		ok &= vm_exp_fast_ok_f(x[i] - m);
	return ok;
}

/* out = exp(x − m)·r by the fast exp, and whether an input was out of
 * its range (out is then to be computed again). */
static int expok_many_f32(float *out, const float *x, int64_t n, float m,
                          float r)
{
	int tail = 0;
	for (int64_t i = 0; i < n; i++) {
		out[i] = vm_exp_fast_f(x[i] - m) * r;
		tail |= !vm_exp_fast_ok_f(x[i] - m);
	}
	return tail;
}

#define EXPOK_ALL expok_all_f32
#define EXPOK_MANY expok_many_f32
#define FASTEXP vm_exp_fast_f
SOFTMAX_PARTS(float, f32, vm_exp_f)
#undef EXPOK_ALL
#undef EXPOK_MANY
#undef FASTEXP
/* f64: no fast form */
#define EXPOK_ALL(x, n, m) 0
#define EXPOK_MANY(out, x, n, m, r) 1
#define FASTEXP vm_exp_d
SOFTMAX_PARTS(double, f64, vm_exp_d)
#undef EXPOK_ALL
#undef EXPOK_MANY
#undef FASTEXP
#undef SOFTMAX_PARTS

/* --- the table -------------------------------------------------------------- */

#define VM_TABLE_OF(S)                                                        \
	{                                                                     \
		.map = {exp_##S, log_##S, tanh_##S, erf_##S, sigmoid_##S,     \
		        gelu_##S, gelu_tanh_##S, silu_##S},                   \
		.binary = {add_##S, sub_##S, mul_##S, div_##S},               \
		.sum = sum_##S,                                               \
		.sumsq = sumsq_##S,                                           \
		.sumsqdev = sumsqdev_##S,                                     \
		.max = max_##S,                                               \
		.min = min_##S,                                               \
		.sumexp = sumexp_##S,                                         \
		.scale = scale_##S,                                           \
		.expscale = expscale_##S,                                     \
		.shift = shift_##S,                                           \
		.affine = affine_##S,                                         \
	}

const struct mm_vmath_kernels VM_TABLE = {
	.name = VM_TABLE_NAME,
	.f32 = VM_TABLE_OF(f32),
	.f64 = VM_TABLE_OF(f64),
};
