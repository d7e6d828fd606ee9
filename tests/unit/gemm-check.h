/* gemm-check.h — what the GEMM's unit tests share (test-gemm.c,
 * test-gemm-paths.c): a random source, products of any layout checked
 * against a triple loop accumulated in long double (run, expect_ok), the
 * ISA loop and bit-for-bit comparison across thread counts. Included
 * once by each test; every function is static. */
#ifndef MMCALC_TEST_GEMM_CHECK_H
#define MMCALC_TEST_GEMM_CHECK_H

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/gemm.h"

static const char *const isas[] = {"generic", "avx2", "avx512"};
enum { NISA = 3 };

static uint64_t rng = 88172645463325252u;

static inline uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static inline double uniform(void) /* in [-1, 1) */
{
	return (double)(next() >> 11) * 0x1p-52 - 1.0;
}

static inline int64_t upto(int64_t n) /* in [0, n] */
{
	return (int64_t)(next() % (uint64_t)(n + 1));
}

/* One product: op(A) is m×k, op(B) k×n, each stored row- or column-major
 * (trans), with `pad` extra elements per leading dimension and elements
 * `step` apart; C likewise. */
struct spec {
	int64_t m, n, k;
	bool ta, tb, tc;
	int64_t pad, step;
	double alpha, beta;
	bool f64;
};

/* Strides of an r×c operand stored with the spec's layout. */
static inline void strides(int64_t r, int64_t c, bool t, int64_t pad, int64_t step,
                    int64_t *rs, int64_t *cs, int64_t *len)
{
	int64_t ld = (t ? r : c) + pad;
	*rs = (t ? 1 : ld) * step;
	*cs = (t ? ld : 1) * step;
	*len = ((t ? c : r) * ld + 1) * step;
}

/* Runs a spec; returns the worst error over the allowed error, so a value
 * above 1 is a failure. `corrupt` perturbs one element of the result to
 * show that the check can fail. Elements of C's buffer outside the matrix
 * must keep their sentinel. */
static inline double run(const struct spec *s, bool corrupt)
{
	int64_t rsa, csa, la, rsb, csb, lb, rsc, csc, lc;
	strides(s->m, s->k, s->ta, s->pad, s->step, &rsa, &csa, &la);
	strides(s->k, s->n, s->tb, s->pad, s->step, &rsb, &csb, &lb);
	strides(s->m, s->n, s->tc, s->pad, s->step, &rsc, &csc, &lc);
	double *a = malloc((size_t)la * sizeof *a);
	double *b = malloc((size_t)lb * sizeof *b);
	double *c0 = malloc((size_t)lc * sizeof *c0);
	void *cv = malloc((size_t)lc * sizeof(double));
	ck_assert(a && b && c0 && cv);
	for (int64_t i = 0; i < la; i++)
		a[i] = uniform();
	for (int64_t i = 0; i < lb; i++)
		b[i] = uniform();
	for (int64_t i = 0; i < lc; i++)
		c0[i] = s->beta == 0 ? NAN : uniform();
	if (!s->f64) { /* the operands are exactly representable floats */
		for (int64_t i = 0; i < la; i++)
			a[i] = (float)a[i];
		for (int64_t i = 0; i < lb; i++)
			b[i] = (float)b[i];
		for (int64_t i = 0; i < lc; i++)
			c0[i] = (float)c0[i];
	}
	const double sentinel = 12345.0;
	bool *inside = calloc((size_t)lc, 1);
	ck_assert(inside);
	for (int64_t i = 0; i < s->m; i++)
		for (int64_t j = 0; j < s->n; j++)
			inside[i * rsc + j * csc] = true;
	int rc;
	if (s->f64) {
		double *c = cv;
		for (int64_t i = 0; i < lc; i++)
			c[i] = inside[i] ? c0[i] : sentinel;
		rc = mm_dgemm(s->m, s->n, s->k, s->alpha, a, rsa, csa, b, rsb,
		              csb, s->beta, c, rsc, csc);
	} else {
		float *af = malloc((size_t)la * sizeof *af);
		float *bf = malloc((size_t)lb * sizeof *bf);
		float *c = cv;
		ck_assert(af && bf);
		for (int64_t i = 0; i < la; i++)
			af[i] = (float)a[i];
		for (int64_t i = 0; i < lb; i++)
			bf[i] = (float)b[i];
		for (int64_t i = 0; i < lc; i++)
			c[i] = (float)(inside[i] ? c0[i] : sentinel);
		rc = mm_sgemm(s->m, s->n, s->k, (float)s->alpha, af, rsa, csa,
		              bf, rsb, csb, (float)s->beta, c, rsc, csc);
		free(af);
		free(bf);
	}
	ck_assert_int_eq(rc, 0);

	double eps = s->f64 ? 0x1p-52 : 0x1p-23, worst = 0;
	for (int64_t i = 0; i < lc; i++) {
		double got = s->f64 ? ((double *)cv)[i] : ((float *)cv)[i];
		if (!inside[i])
			ck_assert_msg(got == sentinel, "wrote outside C at %lld",
			              (long long)i);
	}
	for (int64_t i = 0; i < s->m; i++)
		for (int64_t j = 0; j < s->n; j++) {
			long double sum = 0, mag = 0;
			for (int64_t p = 0; p < s->k; p++) {
				long double x = a[i * rsa + p * csa];
				long double y = b[p * rsb + j * csb];
				sum += x * y;
				mag += fabsl(x * y);
			}
			int64_t at = i * rsc + j * csc;
			long double want = s->alpha * sum, bound = fabs(s->alpha) * mag;
			if (s->beta != 0) {
				want += s->beta * c0[at];
				bound += fabs(s->beta * c0[at]);
			}
			double got = s->f64 ? ((double *)cv)[at] : ((float *)cv)[at];
			if (corrupt && i == s->m - 1 && j == s->n - 1)
				got += 1e-3 * (1 + fabs(got));
			/* Tolerance relative to k·eps·|A||B| (plus the rounding of
			 * alpha·acc + beta·c itself). */
			double tol = 2.0 * (double)(s->k + 3) * eps * (double)bound +
			             1e-300;
			double err = fabs(got - (double)want);
			if (!(err <= tol)) { /* NaN fails too */
				worst = isnan(err) ? INFINITY : fmax(worst, err / tol);
			} else {
				worst = fmax(worst, err / tol);
			}
		}
	free(a);
	free(b);
	free(c0);
	free(cv);
	free(inside);
	return worst;
}

static inline void expect_ok(const struct spec *s)
{
	double w = run(s, false);
	ck_assert_msg(w <= 1.0,
	              "isa %s %s m=%lld n=%lld k=%lld ta=%d tb=%d tc=%d pad=%lld "
	              "step=%lld alpha=%g beta=%g: error %.3g x tolerance",
	              mm_gemm_isa(), s->f64 ? "f64" : "f32", (long long)s->m,
	              (long long)s->n, (long long)s->k, s->ta, s->tb, s->tc,
	              (long long)s->pad, (long long)s->step, s->alpha, s->beta, w);
}

/* A spec with layout and scalars drawn from the variant number v. */
static inline struct spec vary(int64_t m, int64_t n, int64_t k, unsigned v, bool f64)
{
	static const double alphas[] = {1.0, -0.75, 2.5, 1.0};
	static const double betas[] = {0.0, 1.0, -0.5, 0.0, 0.25};
	struct spec s = {
		.m = m, .n = n, .k = k,
		.ta = v & 1, .tb = (v >> 1) & 1, .tc = (v >> 2) & 1,
		.pad = (v % 5 == 3) ? 3 : 0, .step = (v % 7 == 5) ? 2 : 1,
		.alpha = alphas[v % 4], .beta = betas[v % 5], .f64 = f64,
	};
	return s;
}

/* Loops over the ISA paths this CPU runs (the test index is the path). */
static inline bool use_isa(int i)
{
	mm_gemm_set_threads(1);
	return mm_gemm_set_isa(isas[i]) == 0;
}

/* count random values in [-1, 1) at x, doubles or floats. */
static inline void fill(void *x, int64_t count, bool f64)
{
	for (int64_t i = 0; i < count; i++) {
		if (f64)
			((double *)x)[i] = uniform();
		else
			((float *)x)[i] = (float)uniform();
	}
}

/* The same product with 1 and 2 threads must be bit-for-bit equal. */
static inline void same_bits(int64_t m, int64_t n, int64_t k, bool f64)
{
	size_t es = f64 ? 8 : 4;
	unsigned char *a = malloc((size_t)(m * k) * es), *b = malloc((size_t)(k * n) * es);
	unsigned char *c1 = malloc((size_t)(m * n) * es), *c2 = malloc((size_t)(m * n) * es);
	ck_assert(a && b && c1 && c2);
	fill(a, m * k, f64);
	fill(b, k * n, f64);
	for (int t = 1; t <= 2; t++) {
		unsigned char *c = t == 1 ? c1 : c2;
		memset(c, 0, (size_t)(m * n) * es);
		mm_gemm_set_threads(t);
		int rc = f64 ? mm_dgemm(m, n, k, 0.5, (double *)a, k, 1, (double *)b, n, 1,
		                        0.0, (double *)c, n, 1)
		             : mm_sgemm(m, n, k, 0.5f, (float *)a, k, 1, (float *)b, n, 1,
		                        0.0f, (float *)c, n, 1);
		ck_assert_int_eq(rc, 0);
	}
	ck_assert_msg(memcmp(c1, c2, (size_t)(m * n) * es) == 0,
	              "%s %lldx%lldx%lld differs between 1 and 2 threads",
	              f64 ? "f64" : "f32", (long long)m, (long long)n, (long long)k);
	free(a);
	free(b);
	free(c1);
	free(c2);
}

#endif
