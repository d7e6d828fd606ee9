/* vmath_fn.h — the transcendental functions of vmath, each written once as
 * a branch-free static inline function on one double or one float.
 *
 * Only +, −, ×, ÷, fma()/fmaf(), comparisons, selects (?:) and bit
 * manipulation: every operation is correctly rounded, so the same source
 * gives the same bits as a scalar function (vmath.c, plain flags; fma()
 * from libm where the CPU has no FMA) and in the array kernels, where the
 * compiler's vectoriser turns the loops of kernels_tmpl.h into AVX2 or
 * AVX-512 code performing the same operations lane by lane. Contracting
 * a*b+c into an fma would break that: GCC does not in ISO C mode, and
 * clang is told not to below; the meson.build adds -ffp-contract=off too.
 *
 * Method (the errors each function reaches are measured and bounded by
 * tests/unit/test-vmath.c and stated in include/mmcalc/vmath.h):
 *   exp      x = k·ln2 + r, |r| ≤ ln2/2 (Cody–Waite with fma), e^r by a
 *            degree 11 (f64) / 6 (f32) polynomial; 2^k applied as two
 *            factors so that subnormal results are rounded once.
 *   log      x = 2^e·m, m in [√½, √2), log m = 2·atanh(f/(2+f)).
 *   tanh     sign(x)·t/(t+2) with t = expm1(2|x|).
 *   erf      x + x·P(x²) for |x| < 0.875, else 1 − erfc(|x|) with
 *            erfc(z) = t·exp(−z² + P(t)), t = 2/(2+z), z² split exactly.
 *   sigmoid  e/(1+e) or 1/(1+e) with e = exp(−|x|).
 *   silu     x·sigmoid(x); gelu 0.5·x·(1+erf(x/√2)) through erfc for
 *            |x| ≥ 0.875·√2; gelu_tanh x·sigmoid(2·√(2/π)·(x+0.044715x³)),
 *            the argument carried with a low part (f64) or as a float
 *            pair (f32).
 * Fast forms (f32): exp for |x| ≤ 86, gelu for x ≥ −6, gelu_tanh for
 * x ≥ −9, without the clamps, scalings and special-value selects the
 * whole range needs. Each function selects its fast form on that part
 * of the range, and the array kernels run the fast form alone on blocks
 * that lie in it, so scalar and array give the same bits.
 * Coefficients: vmath_coeffs.h, fitted by coeffs.py. */
#ifndef MMCALC_VMATH_FN_H
#define MMCALC_VMATH_FN_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "vmath_coeffs.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* --- bits -------------------------------------------------------------- */

static inline uint64_t vm_bits_d(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static inline double vm_from_d(uint64_t u)
{
	double x;
	memcpy(&x, &u, sizeof x);
	return x;
}

static inline uint32_t vm_bits_f(float x)
{
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static inline float vm_from_f(uint32_t u)
{
	float x;
	memcpy(&x, &u, sizeof x);
	return x;
}

/* |y| with the sign of x */
static inline double vm_signed_d(double y, double x)
{
	return vm_from_d(vm_bits_d(y) | (vm_bits_d(x) & 0x8000000000000000u));
}

static inline float vm_signed_f(float y, float x)
{
	return vm_from_f(vm_bits_f(y) | (vm_bits_f(x) & 0x80000000u));
}

/* Clamps that keep a NaN (so the caller's final NaN select sees it). */
static inline double vm_atleast_d(double x, double lo)
{
	return x < lo ? lo : x;
}

static inline float vm_atleast_f(float x, float lo)
{
	return x < lo ? lo : x;
}

static inline double vm_clamp_d(double x, double lo, double hi)
{
	x = x < lo ? lo : x;
	return x > hi ? hi : x;
}

static inline float vm_clamp_f(float x, float lo, float hi)
{
	x = x < lo ? lo : x;
	return x > hi ? hi : x;
}

/* Horner's rule over a constant table, unrolled by the compiler (the
 * loops of the array kernels must have no inner loop to vectorise). */
#ifdef __clang__
#define VM_UNROLL _Pragma("unroll")
#else
#define VM_UNROLL _Pragma("GCC unroll 32")
#endif
#define VM_POLY(T, FMA)                                                       \
	static inline T vm_poly_##T(T x, const T *c, int n)                  \
	{                                                                     \
		T p = c[n - 1];                                               \
		VM_UNROLL                                                     \
		for (int i = n - 2; i >= 0; i--)                              \
			p = FMA(p, x, c[i]);                                  \
		return p;                                                     \
	}
VM_POLY(double, fma)
VM_POLY(float, fmaf)
#undef VM_POLY

#define VM_NPOLY(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* --- constants ---------------------------------------------------------- */

#define VM_LOG2E_D 0x1.71547652b82fep+0
#define VM_LN2HI_D 0x1.62e42fee00000p-1 /* 32 bits: k·LN2HI is exact */
#define VM_LN2LO_D 0x1.a39ef35793c76p-33
#define VM_SHIFT_D 0x1.8p52 /* adding it rounds to an integer */
#define VM_SQRT1_2_D 0x1.6a09e667f3bcdp-1
#define VM_LOG2E_F 0x1.715476p+0f
#define VM_LN2HI_F 0x1.62e4p-1f /* 15 bits: k·LN2HI is exact */
#define VM_LN2LO_F 0x1.7f7d1cp-20f
#define VM_SHIFT_F 0x1.8p23f
#define VM_SQRT1_2_F 0x1.6a09e6p-1f
/* 2·√(2/π) as a double-double, and in float */
#define VM_GT_C1H 0x1.9884533d43651p+0
#define VM_GT_C1L -0x1.cbc0d30ebfd15p-54
#define VM_GT_B 0x1.6e4e26d4801f7p-5 /* 0.044715 */
/* Where the exp cores' inputs are clamped: beyond, results are 0 or inf
 * for every function that uses them (the scaling below stays in range). */
#define VM_EXP_MIN_D (-800.0)
#define VM_EXP_MAX_D 710.0
#define VM_EXP_MIN_F (-120.0f)
#define VM_EXP_MAX_F 89.0f
/* erf below this uses the odd polynomial; erfc's fit ends at ZMAX, past
 * which erfc underflows (and erf is ±1). */
#define VM_ERF_SPLIT 0.875
#define VM_ERFC_ZMAX_D 28.0
#define VM_ERFC_ZMAX_F 10.5f
#define VM_GELU_AMAX_D 39.5 /* ≤ ZMAX·√2; gelu(−AMAX) underflows */
#define VM_GELU_AMAX_F 14.5f

/* --- exp cores ---------------------------------------------------------
 * e^x = (1 + p)·2^k with k = round(x·log2e), r = x − k·ln2 (exact, then
 * less k·ln2lo), p = e^r − 1 (so expm1 keeps its accuracy near 0); k is
 * returned as an integer-valued double (float). The _lo forms take
 * x = hi + lo, hi − k·ln2 being exact in the format (as for hi = −z²
 * rounded, |k| ≤ 1200). */
static inline double vm_expm1_r_d(double r)
{
	return fma(r * r, vm_poly_double(r, exp_q_d, VM_NPOLY(exp_q_d)), r);
}

static inline float vm_expm1_r_f(float r)
{
	return fmaf(r * r, vm_poly_float(r, exp_q_f, VM_NPOLY(exp_q_f)), r);
}

static inline double vm_expm1_core_d(double x, double *k)
{
	double kf = fma(x, VM_LOG2E_D, VM_SHIFT_D) - VM_SHIFT_D;
	double r = fma(kf, -VM_LN2LO_D, fma(kf, -VM_LN2HI_D, x));
	*k = kf;
	return vm_expm1_r_d(r);
}

static inline float vm_expm1_core_f(float x, float *k)
{
	float kf = fmaf(x, VM_LOG2E_F, VM_SHIFT_F) - VM_SHIFT_F;
	float r = fmaf(kf, -VM_LN2LO_F, fmaf(kf, -VM_LN2HI_F, x));
	*k = kf;
	return vm_expm1_r_f(r);
}

static inline double vm_expm1_core_lo_d(double hi, double lo, double *k)
{
	double kf = fma(hi + lo, VM_LOG2E_D, VM_SHIFT_D) - VM_SHIFT_D;
	double r = fma(kf, -VM_LN2HI_D, hi);
	*k = kf;
	return vm_expm1_r_d(fma(kf, -VM_LN2LO_D, r + lo));
}

static inline float vm_expm1_core_lo_f(float hi, float lo, float *k)
{
	float kf = fmaf(hi + lo, VM_LOG2E_F, VM_SHIFT_F) - VM_SHIFT_F;
	float r = fmaf(kf, -VM_LN2HI_F, hi);
	*k = kf;
	return vm_expm1_r_f(fmaf(kf, -VM_LN2LO_F, r + lo));
}

/* 2^j for an integer-valued j with j + bias in the normal range. */
static inline double vm_pow2_d(double j)
{
	return vm_from_d(vm_bits_d(j + (VM_SHIFT_D + 1023.0)) << 52);
}

static inline float vm_pow2_f(float j)
{
	return vm_from_f(vm_bits_f(j + (VM_SHIFT_F + 127.0f)) << 23);
}

/* exp's 2^k, k in [−1160, 1030] (f32 [−180, 130]), as s1·s2, both
 * normal: y·s1 is exact and y·s1·s2 rounds once, also to a subnormal. */
static inline void vm_split2_d(double k, double *s1, double *s2)
{
	double k1 = (k * 0.5 + VM_SHIFT_D) - VM_SHIFT_D;
	*s1 = vm_pow2_d(k1);
	*s2 = vm_pow2_d(k - k1);
}

static inline void vm_split2_f(float k, float *s1, float *s2)
{
	float k1 = (k * 0.5f + VM_SHIFT_F) - VM_SHIFT_F;
	*s1 = vm_pow2_f(k1);
	*s2 = vm_pow2_f(k - k1);
}

/* The same for k ≤ 0 only, in one factor: 2^k = 2^(k+OFF)·2^−OFF, and
 * y·2^(k+OFF) is exact. */
#define VM_OFF_D 200.0
#define VM_UNOFF_D 0x1p-200
#define VM_OFF_F 64.0f
#define VM_UNOFF_F 0x1p-64f

/* --- exp ---------------------------------------------------------------- */

static inline double vm_exp_d(double x)
{
	double k, s1, s2;
	double p = vm_expm1_core_d(vm_clamp_d(x, VM_EXP_MIN_D, VM_EXP_MAX_D),
	                           &k);
	vm_split2_d(k, &s1, &s2);
	double y = ((1.0 + p) * s1) * s2;
	return x != x ? x + x : y;
}

static inline float vm_exp_f(float x)
{
	float k, s1, s2;
	float p = vm_expm1_core_f(vm_clamp_f(x, VM_EXP_MIN_F, VM_EXP_MAX_F),
	                          &k);
	vm_split2_f(k, &s1, &s2);
	float y = ((1.0f + p) * s1) * s2;
	return x != x ? x + x : y;
}

/* exp for |x| ≤ 86, where e^x is normal: vm_exp_f's operations, with
 * 2^k added to the exponent of 1 + p rather than applied as two factors
 * (which is exact there), so the same bits for fewer operations. The
 * array kernels run it on blocks whose inputs are all in its range. */
#define VM_EXP_FAST_F 86.0f

static inline float vm_exp_fast_f(float x)
{
	float ks = fmaf(x, VM_LOG2E_F, VM_SHIFT_F), kf = ks - VM_SHIFT_F;
	float r = fmaf(kf, -VM_LN2LO_F, fmaf(kf, -VM_LN2HI_F, x));
	float e = 1.0f + vm_expm1_r_f(r);
	return vm_from_f(vm_bits_f(e) + (vm_bits_f(ks) << 23));
}

static inline int vm_exp_fast_ok_f(float x)
{
	return fabsf(x) <= VM_EXP_FAST_F;
}

/* --- log ----------------------------------------------------------------
 * The exponent comes from the bits of x/√½ offset to stay unsigned
 * (no 64-bit arithmetic shift before AVX-512), the mantissa m from x's
 * bits less that exponent; a subnormal x is first scaled by 2^52 / 2^23. */
static inline double vm_log_d(double x)
{
	int sub = x < 0x1p-1022;
	double xs = sub ? x * 0x1p52 : x;
	uint64_t u = vm_bits_d(xs);
	uint64_t ei = (u - 0x3fe6a09e667f3bcdu + 0x4000000000000000u) >> 52;
	double m = vm_from_d(u - (ei << 52) + (UINT64_C(1024) << 52));
	double e = (vm_from_d(ei | 0x4330000000000000u) - 0x1p52) -
	           (sub ? 1076.0 : 1024.0);
	double f = m - 1.0;
	double s = f / (2.0 + f);
	double z = s * s;
	double hfsq = 0.5 * f * f;
	double r = z * vm_poly_double(z, log_g_d, VM_NPOLY(log_g_d));
	double lo = fma(s, hfsq + r, e * VM_LN2LO_D);
	double y = fma(e, VM_LN2HI_D, f - (hfsq - lo));
	y = x == 0.0 ? -INFINITY : y;
	y = x < 0.0 ? NAN : y;
	y = x == INFINITY ? x : y;
	return x != x ? x + x : y;
}

static inline float vm_log_f(float x)
{
	int sub = x < 0x1p-126f;
	float xs = sub ? x * 0x1p23f : x;
	uint32_t u = vm_bits_f(xs);
	uint32_t ei = (u - 0x3f3504f3u + 0x40000000u) >> 23;
	float m = vm_from_f(u - (ei << 23) + (UINT32_C(128) << 23));
	float e = (float)(int32_t)ei - (sub ? 151.0f : 128.0f);
	float f = m - 1.0f;
	float s = f / (2.0f + f);
	float z = s * s;
	float hfsq = 0.5f * f * f;
	float r = z * vm_poly_float(z, log_g_f, VM_NPOLY(log_g_f));
	float lo = fmaf(s, hfsq + r, e * VM_LN2LO_F);
	float y = fmaf(e, VM_LN2HI_F, f - (hfsq - lo));
	y = x == 0.0f ? -INFINITY : y;
	y = x < 0.0f ? NAN : y;
	y = x == INFINITY ? x : y;
	return x != x ? x + x : y;
}

/* --- tanh --------------------------------------------------------------- */

static inline double vm_tanh_d(double x)
{
	double a = vm_clamp_d(fabs(x), 0.0, 20.0), k;
	double p = vm_expm1_core_d(a + a, &k);
	double s = vm_pow2_d(k);
	double t = fma(s, p, s - 1.0);
	double y = vm_signed_d(t / (t + 2.0), x);
	return x != x ? x + x : y;
}

static inline float vm_tanh_f(float x)
{
	float a = vm_clamp_f(fabsf(x), 0.0f, 9.5f), k;
	float p = vm_expm1_core_f(a + a, &k);
	float s = vm_pow2_f(k);
	float t = fmaf(s, p, s - 1.0f);
	float y = vm_signed_f(t / (t + 2.0f), x);
	return x != x ? x + x : y;
}

/* --- erf, erfc ----------------------------------------------------------
 * erfc(z) = c·s·2^−OFF for z in the fit's range (clamped by the caller to
 * ZMAX), given −z² exactly as nh + nl: returns c. */
static inline double vm_erfc_core_d(double z, double nh, double nl,
                                    double *s)
{
	double t = 2.0 / (2.0 + z), k;
	double p = vm_poly_double(t - ERFC_P_D_CENTRE, erfc_p_d,
	                          VM_NPOLY(erfc_p_d));
	double e = 1.0 + vm_expm1_core_lo_d(nh, nl + p, &k);
	*s = vm_pow2_d(k + VM_OFF_D);
	return t * e;
}

static inline float vm_erfc_core_f(float z, float nh, float nl, float *s)
{
	float t = 2.0f / (2.0f + z), k;
	float p = vm_poly_float(t - ERFC_P_F_CENTRE, erfc_p_f,
	                        VM_NPOLY(erfc_p_f));
	float e = 1.0f + vm_expm1_core_lo_f(nh, nl + p, &k);
	*s = vm_pow2_f(k + VM_OFF_F);
	return t * e;
}

static inline double vm_erf_d(double x)
{
	double a = fabs(x), s;
	double small = fma(x, vm_poly_double(x * x, erf_e_d, VM_NPOLY(erf_e_d)),
	                   x);
	double z = vm_clamp_d(a, 0.0, VM_ERFC_ZMAX_D);
	double h = z * z, l = fma(z, z, -h);
	double c = vm_erfc_core_d(z, -h, -l, &s);
	double big = vm_signed_d(1.0 - (c * s) * VM_UNOFF_D, x);
	double y = a < VM_ERF_SPLIT ? small : big;
	return x != x ? x + x : y;
}

static inline float vm_erf_f(float x)
{
	float a = fabsf(x), s;
	float small = fmaf(x, vm_poly_float(x * x, erf_e_f, VM_NPOLY(erf_e_f)),
	                   x);
	float z = vm_clamp_f(a, 0.0f, VM_ERFC_ZMAX_F);
	float h = z * z, l = fmaf(z, z, -h);
	float c = vm_erfc_core_f(z, -h, -l, &s);
	float big = vm_signed_f(1.0f - (c * s) * VM_UNOFF_F, x);
	float y = a < (float)VM_ERF_SPLIT ? small : big;
	return x != x ? x + x : y;
}

/* --- sigmoid and silu ---------------------------------------------------
 * e = exp(−|x|) = (1+p)·s·2^−OFF never overflows; for x < 0 the result
 * (x·)e/(1+e) is formed from 1+p and scaled last, so that it rounds once
 * into the subnormals. silu(−inf) is NaN, as x·sigmoid(x) (and PyTorch's
 * x/(1+exp(−x))) give. */
static inline double vm_sigmoid_d(double x)
{
	double k;
	double p = 1.0 + vm_expm1_core_d(vm_atleast_d(-fabs(x), VM_EXP_MIN_D),
	                                 &k);
	double s = vm_pow2_d(k + VM_OFF_D);
	double den = 1.0 + (p * s) * VM_UNOFF_D;
	double q = (x < 0.0 ? p : 1.0) / den; /* one division, not two */
	double y = x < 0.0 ? (q * s) * VM_UNOFF_D : q;
	return x != x ? x + x : y;
}

static inline float vm_sigmoid_f(float x)
{
	float k;
	float p = 1.0f + vm_expm1_core_f(vm_atleast_f(-fabsf(x), VM_EXP_MIN_F),
	                                 &k);
	float s = vm_pow2_f(k + VM_OFF_F);
	float den = 1.0f + (p * s) * VM_UNOFF_F;
	float q = (x < 0.0f ? p : 1.0f) / den; /* one division, not two */
	float y = x < 0.0f ? (q * s) * VM_UNOFF_F : q;
	return x != x ? x + x : y;
}

static inline double vm_silu_d(double x)
{
	double xc = vm_atleast_d(x, VM_EXP_MIN_D), k;
	double p = 1.0 + vm_expm1_core_d(vm_atleast_d(-fabs(x), VM_EXP_MIN_D),
	                                 &k);
	double s = vm_pow2_d(k + VM_OFF_D);
	double den = 1.0 + (p * s) * VM_UNOFF_D;
	double q = (x < 0.0 ? xc * p : x) / den;
	double y = x < 0.0 ? (q * s) * VM_UNOFF_D : q;
	y = x == -INFINITY ? NAN : y;
	return x != x ? x + x : y;
}

static inline float vm_silu_f(float x)
{
	float xc = vm_atleast_f(x, VM_EXP_MIN_F), k;
	float p = 1.0f + vm_expm1_core_f(vm_atleast_f(-fabsf(x), VM_EXP_MIN_F),
	                                 &k);
	float s = vm_pow2_f(k + VM_OFF_F);
	float den = 1.0f + (p * s) * VM_UNOFF_F;
	float q = (x < 0.0f ? xc * p : x) / den;
	float y = x < 0.0f ? (q * s) * VM_UNOFF_F : q;
	y = x == -INFINITY ? NAN : y;
	return x != x ? x + x : y;
}

/* --- gelu ---------------------------------------------------------------
 * x·Φ(x) with Φ(x) = 1 − C/2 for x > 0 and C/2 for x ≤ 0, where
 * C = erfc(|x|/√2) and −x²/2 is split exactly: no cancellation anywhere.
 * f32 uses erfc down to 0; f64's erfc fit starts at 0.875, so below
 * |x|/√2 = 0.875 it is 0.5·x·(1 + erf(x/√2)) with erf's polynomial.
 * gelu(inf) = inf, gelu(−inf) = NaN (as 0.5·x·(1 + erf(x/√2)) gives). */
static inline double vm_gelu_d(double x)
{
	double a = fabs(x), w = x * VM_SQRT1_2_D, s;
	double e = fma(w, vm_poly_double(w * w, erf_e_d, VM_NPOLY(erf_e_d)), w);
	double small = (0.5 * x) * (1.0 + e);
	double ac = vm_clamp_d(a, 0.0, VM_GELU_AMAX_D);
	double z = ac * VM_SQRT1_2_D;
	double h = ac * ac, l = fma(ac, ac, -h);
	double c = vm_erfc_core_d(z, -0.5 * h, -0.5 * l, &s);
	double big = x > 0.0 ? fma(-0.5 * x, (c * s) * VM_UNOFF_D, x)
	                     : (((-0.5 * ac) * c) * s) * VM_UNOFF_D;
	double y = z < VM_ERF_SPLIT ? small : big;
	y = a == INFINITY ? (x > 0.0 ? x : NAN) : y;
	return x != x ? x + x : y;
}

static inline float vm_gelu_tail_f(float x)
{
	/* a NaN passes the clamps; +inf gives x − tiny = inf by itself */
	float a = fabsf(x), s;
	float ac = a > VM_GELU_AMAX_F ? VM_GELU_AMAX_F : a;
	float h = ac * ac, l = fmaf(ac, ac, -h);
	float c = vm_erfc_core_f(ac * VM_SQRT1_2_F, -0.5f * h, -0.5f * l, &s);
	float m = c * s; /* exact: erfc(|x|/√2) = m·2^−OFF */
	float xn = x < -VM_GELU_AMAX_F ? -VM_GELU_AMAX_F : x;
	float y = x > 0.0f ? fmaf(-0.5f * ac, m * VM_UNOFF_F, x)
	                   : ((0.5f * xn) * m) * VM_UNOFF_F;
	y = x == -INFINITY ? NAN : y;
	return x != x ? x + x : y;
}

/* f32 for x ≥ −6 (the fast form, which the array kernel runs alone on a
 * block holding no other input): Q = erfc(|x|/√2)/2 = tp·exp(−x²/2 +
 * P(tp)), tp = (K/2)/(K + |x|), K = 2√2 (the same t as erfc's above,
 * halved), P fitted for |x| ≤ 6; gelu = x·(1 − Q) for x > 0, x·Q below.
 * |x| is clamped to 6, where 1 − Q rounds to 1: gelu(x) = x above, +inf
 * included. No scaling: x·Q ≥ 6·1e−9 stays normal. */
#define VM_GELU_FAST_F 6.0f
#define VM_GELU_K_F 0x1.6a09e6p+1f /* 2√2 */

/* e^(−r2/2), |r2| ≤ ln2 (+ a little): exp's polynomial by Horner's rule
 * in r2, its coefficients scaled by powers of −1/2 (exactly). */
static inline float vm_exp_m2_f(float r2)
{
	float p = fmaf(exp_q_f[4] * 0x1p-6f, r2, exp_q_f[3] * -0x1p-5f);
	p = fmaf(p, r2, exp_q_f[2] * 0x1p-4f);
	p = fmaf(p, r2, exp_q_f[1] * -0x1p-3f);
	p = fmaf(p, r2, exp_q_f[0] * 0x1p-2f);
	p = fmaf(p, r2, -0.5f);
	return fmaf(p, r2, 1.0f);
}

static inline float vm_gelu_fast_f(float x)
{
	float a = fabsf(x);
	a = a < VM_GELU_FAST_F ? a : VM_GELU_FAST_F;
	float h = a * a, l = fmaf(a, a, -h);
	float tp = (0.5f * VM_GELU_K_F) / (VM_GELU_K_F + a);
	float p = vm_poly_float(tp - GELU_P_F_CENTRE, gelu_p_f,
	                        VM_NPOLY(gelu_p_f));
	/* the exponent −(h + l)/2 + p is −(h + wl)/2 */
	float wl = fmaf(-2.0f, p, l);
	float ks = fmaf(h + wl, -0.5f * VM_LOG2E_F, VM_SHIFT_F); /* k + SHIFT */
	float kf = ks - VM_SHIFT_F;
	/* r2 = −2r = h + wl + 2k·ln2, h + 2k·ln2hi exactly */
	float r2 = fmaf(kf, 2.0f * VM_LN2LO_F,
	                fmaf(kf, 2.0f * VM_LN2HI_F, h) + wl);
	/* tp·2^k: k added to tp's exponent (k + SHIFT holds k in its low
	 * bits; tp·2^k stays normal) */
	float tk = vm_from_f(vm_bits_f(tp) + (vm_bits_f(ks) << 23));
	float q = tk * vm_exp_m2_f(r2);
	return x * (x > 0.0f ? 1.0f - q : q);
}

static inline int vm_gelu_fast_ok_f(float x)
{
	return x >= -VM_GELU_FAST_F;
}

/* Below −6 (and NaN), the tail form. */
static inline float vm_gelu_f(float x)
{
	float fast = vm_gelu_fast_f(x), tail = vm_gelu_tail_f(x);
	return x >= -VM_GELU_FAST_F ? fast : tail;
}

/* --- gelu_tanh ------------------------------------------------------------
 * 0.5·x·(1 + tanh(u)) = x·sigmoid(2u), 2u = 2·√(2/π)·x·(1 + 0.044715·x²).
 * 2u reaches −745 where the result underflows, so it is carried as
 * hi + lo (f64: error-free products and sums; f32: in double). */
static inline double vm_gelu_tanh_d(double x)
{
	double x2h = x * x, x2l = fma(x, x, -x2h);
	double bh = VM_GT_B * x2h, bl = fma(VM_GT_B, x2h, -bh) + VM_GT_B * x2l;
	double sh = 1.0 + bh, bb = sh - 1.0;
	double sl = ((1.0 - (sh - bb)) + (bh - bb)) + bl;
	double yh = x * sh, yl = fma(x, sh, -yh) + x * sl;
	double vh = VM_GT_C1H * yh;
	double vl = (fma(VM_GT_C1H, yh, -vh) + VM_GT_C1H * yl) + VM_GT_C1L * yh;
	/* −|v| as hi + lo; the sign of v is the sign of x */
	double nh = x < 0.0 ? vh : -vh, nl = x < 0.0 ? vl : -vl;
	nh = vm_clamp_d(nh, VM_EXP_MIN_D, 0.0);
	nl = nh == VM_EXP_MIN_D ? 0.0 : nl;
	double xc = vm_atleast_d(x, -40.0), k;
	double p = 1.0 + vm_expm1_core_lo_d(nh, nl, &k);
	double s = vm_pow2_d(k + VM_OFF_D);
	double den = 1.0 + (p * s) * VM_UNOFF_D;
	double q = (x < 0.0 ? xc * p : x) / den;
	double y = x < 0.0 ? (q * s) * VM_UNOFF_D : q;
	y = x == -INFINITY ? NAN : y;
	return x != x ? x + x : y;
}

/* f32: −|2u| = −a·(C + C·B·a²), a = |x|, C = 2·√(2/π), is carried as a
 * float pair (error-free products, a two-sum, the constants' low parts)
 * to about 2^−44 relative; |x| is clamped to 20, where 2u is beyond the
 * exp's clamp. */
#define VM_GT_CH_F 0x1.988454p+0f
#define VM_GT_CL_F -0x1.857936p-25f
#define VM_GT_CBH_F 0x1.2444f2p-4f /* C·B */
#define VM_GT_CBL_F 0x1.49b16ap-29f

/* −2u = −a·(C + C·B·a²) for a = |x|, as the pair nh + nl. */
static inline void vm_gelu_tanh_arg_f(float a, float *nh_, float *nl_)
{
	float x2h = a * a, x2l = fmaf(a, a, -x2h);
	/* w = −(C + C·B·a²) = wh + wl */
	float ph = -VM_GT_CBH_F * x2h, pl = fmaf(-VM_GT_CBH_F, x2h, -ph);
	float wh = -VM_GT_CH_F + ph, bb = wh + VM_GT_CH_F;
	float err = (-VM_GT_CH_F - (wh - bb)) + (ph - bb);
	float wl = fmaf(-VM_GT_CBL_F, x2h, fmaf(-VM_GT_CBH_F, x2l, pl));
	wl = err + (wl - VM_GT_CL_F);
	float nh = a * wh;
	*nh_ = nh;
	*nl_ = fmaf(a, wl, fmaf(a, wh, -nh));
}

static inline float vm_gelu_tanh_tail_f(float x)
{
	float a = fabsf(x);
	a = a > 20.0f ? 20.0f : a;
	float nh, nl;
	vm_gelu_tanh_arg_f(a, &nh, &nl);
	nl = nh < VM_EXP_MIN_F ? 0.0f : nl;
	nh = vm_atleast_f(nh, VM_EXP_MIN_F);
	float xc = vm_atleast_f(x, -20.0f), k;
	float p = 1.0f + vm_expm1_core_lo_f(nh, nl, &k);
	float s = vm_pow2_f(k + VM_OFF_F);
	float den = 1.0f + (p * s) * VM_UNOFF_F;
	float q = (x < 0.0f ? xc * p : x) / den;
	float y = x < 0.0f ? (q * s) * VM_UNOFF_F : q;
	y = x == -INFINITY ? NAN : y;
	return x != x ? x + x : y;
}

/* f32 for x ≥ −9 (the fast form, as gelu's): the same argument, a =
 * |x| clamped to 9 (where 2u = 66: x·σ(2u) rounds to x above, and stays
 * normal at −9); e = exp(−|2u|) needs no scaling, and gelu_tanh is x/(1+e)
 * for x > 0 and x·e/(1+e) below. */
#define VM_GELU_TANH_FAST_F 9.0f

/* e^r, |r| ≤ ln2/2 (+ a little), by Horner's rule */
static inline float vm_exp_r_f(float r)
{
	float p = vm_poly_float(r, exp_q_f, VM_NPOLY(exp_q_f));
	return fmaf(fmaf(p, r, 1.0f), r, 1.0f);
}

static inline float vm_gelu_tanh_fast_f(float x)
{
	float a = fabsf(x);
	a = a < VM_GELU_TANH_FAST_F ? a : VM_GELU_TANH_FAST_F;
	float nh, nl;
	vm_gelu_tanh_arg_f(a, &nh, &nl);
	float ks = fmaf(nh + nl, VM_LOG2E_F, VM_SHIFT_F); /* k + SHIFT */
	float kf = ks - VM_SHIFT_F;
	float r = fmaf(kf, -VM_LN2LO_F, fmaf(kf, -VM_LN2HI_F, nh) + nl);
	/* e^r·2^k: k added to the exponent (e ≥ 2^−97 stays normal) */
	float e = vm_from_f(vm_bits_f(vm_exp_r_f(r)) + (vm_bits_f(ks) << 23));
	return (x > 0.0f ? x : x * e) / (1.0f + e);
}

static inline int vm_gelu_tanh_fast_ok_f(float x)
{
	return x >= -VM_GELU_TANH_FAST_F;
}

/* Below −9 (and NaN), the tail form. */
static inline float vm_gelu_tanh_f(float x)
{
	float fast = vm_gelu_tanh_fast_f(x), tail = vm_gelu_tanh_tail_f(x);
	return x >= -VM_GELU_TANH_FAST_F ? fast : tail;
}

#endif
