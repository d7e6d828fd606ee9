/* test-gemm-lowp.c — the bf16 and i8 GEMMs (gemm_lowp.h) on the path named
 * by the first argument: "generic", "avx512bf16", "avx512vnni" or "amx"
 * (exit 77, skipped, when this CPU or build lacks it), or with "common"
 * what involves no path in particular (names, empty products, the bounds
 * themselves). bf16 results are checked against a long double reference
 * with a bound derived from k, the inputs' magnitudes and the rounding of
 * the inputs to bf16 and of the f32 sums (one that fails on a wrong
 * rounding, see bound_can_fail); i8 results must be exact. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/gemm_lowp.h"
#include "mmcalc/interrupt.h"

static const char *path; /* the path under test, or "common" */

static uint64_t rng = 0x9e3779b97f4a7c15u;

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

static int64_t upto(int64_t n) /* in [0, n] */
{
	return (int64_t)(next() % (uint64_t)(n + 1));
}

static uint32_t bits(float x)
{
	uint32_t u;
	memcpy(&u, &x, 4);
	return u;
}

static float from_bits(uint32_t u)
{
	float x;
	memcpy(&x, &u, 4);
	return x;
}

/* bf16 rounding to nearest-even, subnormals to zero (the documented
 * treatment), written from the definition: keep the high 16 bits, add
 * one unit if the rest is over half a unit, or exactly half and the kept
 * part is odd. Infinity and NaN are not fed through it. */
static float bf16_rne(float x)
{
	uint32_t u = bits(x);
	if ((u & 0x7f800000u) == 0)
		return from_bits(u & 0x80000000u);
	uint32_t kept = u & 0xffff0000u, rest = u & 0xffffu;
	if (rest > 0x8000u || (rest == 0x8000u && (kept & 0x10000u)))
		kept += 0x10000u;
	return from_bits(kept);
}

/* The same with truncation: what a wrong conversion would give. */
static float bf16_trunc(float x)
{
	return from_bits(bits(x) & 0xffff0000u);
}

/* i8 conversion as documented: saturate, round half to even, NaN -128. */
static int i8_of(float x)
{
	if (isnan(x) || x <= -128.0f)
		return -128;
	if (x >= 127.0f)
		return 127;
	return (int)nearbyintf(x);
}

/* One product: op(A) m×k, op(B) k×n, each stored row- or column-major
 * (trans), `pad` extra elements per leading dimension, elements `step`
 * apart; C likewise. i8: beta != 0 means accumulate. */
struct spec {
	int64_t m, n, k;
	bool ta, tb, tc;
	int64_t pad, step;
	float alpha, beta;
};

static void strides(int64_t r, int64_t c, bool t, int64_t pad, int64_t step,
                    int64_t *rs, int64_t *cs, int64_t *len)
{
	int64_t ld = (t ? r : c) + pad;
	*rs = (t ? 1 : ld) * step;
	*cs = (t ? ld : 1) * step;
	*len = ((t ? c : r) * ld + 1) * step;
}

/* A spec with layout and scalars drawn from the variant number v. */
static struct spec vary(int64_t m, int64_t n, int64_t k, unsigned v)
{
	static const float alphas[] = {1.0f, -0.75f, 2.5f, 1.0f};
	static const float betas[] = {0.0f, 1.0f, -0.5f, 0.0f, 0.25f};
	struct spec s = {
		.m = m, .n = n, .k = k,
		.ta = v & 1, .tb = (v >> 1) & 1, .tc = (v >> 2) & 1,
		.pad = (v % 5 == 3) ? 3 : 0, .step = (v % 7 == 5) ? 2 : 1,
		.alpha = alphas[v % 4], .beta = betas[v % 5],
	};
	return s;
}

enum { SENTINEL = 12345 };

/* Operands of a spec: random in [-1, 1) (bf16) or integers in
 * [-128, 127] (i8), C's buffer with a sentinel outside C. */
struct operands {
	int64_t rsa, csa, la, rsb, csb, lb, rsc, csc, lc;
	float *a, *b, *c0;
	bool *inside;
};

static void make(const struct spec *s, bool i8, struct operands *o)
{
	strides(s->m, s->k, s->ta, s->pad, s->step, &o->rsa, &o->csa, &o->la);
	strides(s->k, s->n, s->tb, s->pad, s->step, &o->rsb, &o->csb, &o->lb);
	strides(s->m, s->n, s->tc, s->pad, s->step, &o->rsc, &o->csc, &o->lc);
	o->a = malloc((size_t)o->la * 4);
	o->b = malloc((size_t)o->lb * 4);
	o->c0 = malloc((size_t)o->lc * 4);
	o->inside = calloc((size_t)o->lc, 1);
	ck_assert(o->a && o->b && o->c0 && o->inside);
	for (int64_t i = 0; i < o->la; i++)
		o->a[i] = i8 ? (float)(int)(next() % 256) - 128 : (float)uniform();
	for (int64_t i = 0; i < o->lb; i++)
		o->b[i] = i8 ? (float)(int)(next() % 256) - 128 : (float)uniform();
	for (int64_t i = 0; i < s->m; i++)
		for (int64_t j = 0; j < s->n; j++)
			o->inside[i * o->rsc + j * o->csc] = true;
	for (int64_t i = 0; i < o->lc; i++)
		o->c0[i] = !o->inside[i] ? SENTINEL
		           : i8 ? (float)(int64_t)(next() % 2000000) - 1e6f
		           : s->beta == 0 ? NAN : (float)uniform();
}

static void unmake(struct operands *o)
{
	free(o->a);
	free(o->b);
	free(o->c0);
	free(o->inside);
}

/* The worst error of a bf16 result over its bound (above 1: a failure),
 * against the reference from `round` applied to the inputs. The bound
 * for C = alpha·Σ â·b̂ + beta·c0 with Σ|â·b̂| = S:
 *   the products are exact, k f32 sums each within a relative 2^-24 of
 *   their operands: γ_k·S with γ_k = k·2^-24 / (1 - k·2^-24);
 *   then alpha·acc (+ beta·c0 through an FMA): 2^-24 of each term;
 *   sums below 2^-126 may be flushed: k·2^-126.
 * With round = the identity (the f32 inputs themselves), each product
 * may also be off by (2^-8 + 2^-8 + 2^-16)·|a·b| from the inputs'
 * rounding to bf16 (plus the same on the sums' magnitudes). */
static double bf16_worst(const struct spec *s, const struct operands *o,
                         const float *c, float (*round)(float), bool exact_in,
                         int64_t corrupt_at)
{
	const double u = 0x1p-24, ui = 0x1p-8;
	double kk = (double)s->k, worst = 0;
	double gamma = kk * u / (1 - kk * u);
	for (int64_t i = 0; i < s->m; i++)
		for (int64_t j = 0; j < s->n; j++) {
			long double sum = 0, mag = 0;
			for (int64_t p = 0; p < s->k; p++) {
				float x = o->a[i * o->rsa + p * o->csa];
				float y = o->b[p * o->rsb + j * o->csb];
				if (exact_in) {
					x = round(x);
					y = round(y);
				}
				sum += (long double)x * y;
				mag += fabsl((long double)x * y);
			}
			int64_t at = i * o->rsc + j * o->csc;
			double c0 = s->beta == 0 ? 0 : o->c0[at];
			double want = (double)(s->alpha * sum) + (double)s->beta * c0;
			double S = (double)mag, fa = fabs((double)s->alpha);
			double tol = fa * gamma * S + u * (fa * S + 2 * fabs(s->beta * c0)) +
			             fa * kk * 0x1p-126;
			if (!exact_in) {
				double in = 2 * ui + ui * ui;
				tol += fa * (in + gamma * (1 + in)) * S;
			}
			double got = c[at] + (at == corrupt_at ? 1e-3 * fabs(c[at]) : 0);
			double err = fabs(got - want);
			worst = fmax(worst, err / (tol + 1e-300));
			if (isnan(err))
				worst = INFINITY;
		}
	return worst;
}

static float identity(float x)
{
	return x;
}

/* Runs a bf16 spec on the current path; both bounds must hold and C's
 * buffer outside C must keep its sentinel. */
static void bf16_check(const struct spec *s)
{
	struct operands o;
	make(s, false, &o);
	float *c = malloc((size_t)o.lc * 4);
	ck_assert(c);
	memcpy(c, o.c0, (size_t)o.lc * 4);
	int rc = mm_gemm_bf16(s->m, s->n, s->k, s->alpha, o.a, o.rsa, o.csa, o.b,
	                      o.rsb, o.csb, s->beta, c, o.rsc, o.csc);
	ck_assert_int_eq(rc, 0);
	for (int64_t i = 0; i < o.lc; i++)
		if (!o.inside[i])
			ck_assert_msg(c[i] == SENTINEL, "wrote outside C at %lld",
			              (long long)i);
	double tight = bf16_worst(s, &o, c, bf16_rne, true, -1);
	double loose = bf16_worst(s, &o, c, identity, false, -1);
	ck_assert_msg(tight <= 1 && loose <= 1,
	              "bf16 %s %lldx%lldx%lld ta=%d tb=%d tc=%d pad=%lld step=%lld "
	              "alpha=%g beta=%g: error %.3g x bound (bf16 inputs), %.3g x "
	              "bound (f32 inputs)", mm_gemm_bf16_isa(), (long long)s->m,
	              (long long)s->n, (long long)s->k, s->ta, s->tb, s->tc,
	              (long long)s->pad, (long long)s->step, (double)s->alpha,
	              (double)s->beta, tight, loose);
	free(c);
	unmake(&o);
}

/* Runs an i8 spec: C must be exactly the int64 sum wrapped to int32
 * (plus C's old value if accumulating), the rest of C's buffer kept. */
static void i8_check(const struct spec *s)
{
	struct operands o;
	make(s, true, &o);
	int32_t *c = malloc((size_t)o.lc * 4);
	ck_assert(c);
	for (int64_t i = 0; i < o.lc; i++)
		c[i] = (int32_t)o.c0[i];
	bool acc = s->beta != 0;
	int rc = mm_gemm_i8(s->m, s->n, s->k, o.a, o.rsa, o.csa, o.b, o.rsb,
	                    o.csb, acc, c, o.rsc, o.csc);
	ck_assert_int_eq(rc, 0);
	for (int64_t i = 0; i < o.lc; i++)
		if (!o.inside[i])
			ck_assert_msg(c[i] == SENTINEL, "wrote outside C at %lld",
			              (long long)i);
	for (int64_t i = 0; i < s->m; i++)
		for (int64_t j = 0; j < s->n; j++) {
			int64_t sum = 0, at = i * o.rsc + j * o.csc;
			for (int64_t p = 0; p < s->k; p++)
				sum += (int64_t)o.a[i * o.rsa + p * o.csa] *
				       (int64_t)o.b[p * o.rsb + j * o.csb];
			if (acc)
				sum += (int32_t)o.c0[at];
			int32_t want = (int32_t)(uint32_t)(uint64_t)sum;
			ck_assert_msg(c[at] == want,
			              "i8 %s %lldx%lldx%lld ta=%d tb=%d tc=%d pad=%lld "
			              "step=%lld acc=%d: C[%lld,%lld] = %d, want %d",
			              mm_gemm_i8_isa(), (long long)s->m, (long long)s->n,
			              (long long)s->k, s->ta, s->tb, s->tc,
			              (long long)s->pad, (long long)s->step, acc,
			              (long long)i, (long long)j, c[at], want);
		}
	free(c);
	unmake(&o);
}

static void check_spec(const struct spec *s, bool i8)
{
	if (i8)
		i8_check(s);
	else
		bf16_check(s);
}

/* ---- Tests of one path (the loop index: 0 bf16, 1 i8) ---------------- */

/* Sizes around every kernel's tile (4, 8, 16, 32), primes, and each
 * dimension alone from 0 to 40 with the others random. */
START_TEST(edge_sizes)
{
	bool i8 = _i;
	static const int64_t sz[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32,
	                             33, 47, 63, 64, 65, 97};
	enum { NSZ = sizeof sz / sizeof sz[0] };
	unsigned v = 0;
	for (int a = 0; a < NSZ; a++)
		for (int b = 0; b < NSZ; b += 3) {
			struct spec s = vary(sz[a], sz[b], sz[(a + b) % NSZ], v++);
			check_spec(&s, i8);
		}
	for (int64_t x = 0; x <= 40; x++) {
		struct spec s = vary(x, 1 + upto(70), 1 + upto(70), v++);
		check_spec(&s, i8);
		s = vary(1 + upto(70), x, 1 + upto(70), v++);
		check_spec(&s, i8);
		s = vary(1 + upto(70), 1 + upto(70), x, v++);
		check_spec(&s, i8);
	}
	static const int64_t primes[] = {101, 131, 211, 257};
	for (int r = 0; r < 4; r++) {
		struct spec s = vary(primes[r], primes[(r + 1) % 4],
		                     primes[(r + 2) % 4], v++);
		check_spec(&s, i8);
	}
}
END_TEST

/* Every layout of A, B and C, padded and strided, with every scalar. */
START_TEST(transposes_strides_scalars)
{
	bool i8 = _i;
	static const float alphas[] = {1.0f, 0.0f, -1.5f};
	static const float betas[] = {0.0f, 1.0f, 0.5f};
	for (unsigned t = 0; t < 8; t++)
		for (int pad = 0; pad <= 5; pad += 5)
			for (int step = 1; step <= 2; step++)
				for (int al = 0; al < (i8 ? 1 : 3); al++)
					for (int be = 0; be < (i8 ? 2 : 3); be++) {
						struct spec s = {37, 45, 29, t & 1, (t >> 1) & 1,
						                 (t >> 2) & 1, pad, step,
						                 alphas[al], betas[be]};
						check_spec(&s, i8);
					}
}
END_TEST

/* Depths around every kernel's k blocks (256, 512, 1024, 4096 and
 * their chunks of 32 and 64), where sums are carried between blocks,
 * and past the deepest slice run at once (65536). */
START_TEST(k_blocks)
{
	bool i8 = _i;
	static const int64_t depth[] = {32, 64, 256, 512, 1024, 4096};
	unsigned v = 0;
	for (size_t i = 0; i < sizeof depth / sizeof depth[0]; i++)
		for (int64_t d = -1; d <= 1; d++) {
			struct spec s = vary(i < 4 ? 37 : 9, i < 4 ? 45 : 33,
			                     depth[i] + d, v++);
			check_spec(&s, i8);
		}
	struct spec s = vary(5, 40, 2 * 4096 + 3, 4);
	check_spec(&s, i8);
	s = vary(3, 34, 2 * 65536 + 5, 9);
	check_spec(&s, i8);
}
END_TEST

/* A's last row a copy of its first and B's last column of its first: C's
 * last row and column must be bit-for-bit its first ones, for every
 * width of the last tile (edge tiles compute as whole ones do). */
START_TEST(edge_tiles_same_arithmetic)
{
	bool i8 = _i;
	static const float alphas[] = {1.0f, 0.75f};
	static const float betas[] = {0.0f, 1.0f};
	for (int64_t e = 1; e <= 33; e += 4)
		for (int s = 0; s < 4; s++) {
			int64_t m = 64 + e, n = 32 + e, k = s < 2 ? 70 : 600;
			float alpha = alphas[s % 2], beta = betas[(s + e) % 2];
			float *a = malloc((size_t)(m * k) * 4), *b = malloc((size_t)(k * n) * 4);
			float *c = malloc((size_t)(m * n) * 4);
			ck_assert(a && b && c);
			for (int64_t x = 0; x < m * k; x++)
				a[x] = i8 ? (float)((int)(next() % 255) - 127) : (float)uniform();
			for (int64_t x = 0; x < k * n; x++)
				b[x] = i8 ? (float)((int)(next() % 255) - 127) : (float)uniform();
			for (int64_t p = 0; p < k; p++) {
				a[(m - 1) * k + p] = a[p];
				b[p * n + n - 1] = b[p * n];
			}
			for (int64_t i = 0; i < m; i++)
				for (int64_t j = 0; j < n; j++) {
					int64_t ii = i % (m - 1), jj = j % (n - 1);
					if (i8)
						memcpy(c + i * n + j, &(int32_t){(int32_t)(ii * 7 + jj)}, 4);
					else
						c[i * n + j] = 1.0f / (float)(1 + ii) +
						               1.0f / (float)(3 + jj);
				}
			int rc = i8 ? mm_gemm_i8(m, n, k, a, k, 1, b, n, 1, beta != 0,
			                         (int32_t *)c, n, 1)
			            : mm_gemm_bf16(m, n, k, alpha, a, k, 1, b, n, 1, beta,
			                           c, n, 1);
			ck_assert_int_eq(rc, 0);
			ck_assert_msg(memcmp(c, c + (m - 1) * n, (size_t)n * 4) == 0,
			              "%lldx%lldx%lld: last row differs from the first",
			              (long long)m, (long long)n, (long long)k);
			for (int64_t i = 0; i < m; i++)
				ck_assert_msg(memcmp(c + i * n, c + i * n + n - 1, 4) == 0,
				              "%lldx%lldx%lld: row %lld's last column differs",
				              (long long)m, (long long)n, (long long)k,
				              (long long)i);
			free(a);
			free(b);
			free(c);
		}
}
END_TEST

/* The same product with 1, 2 and 3 threads: the same bits. */
static void same_bits(int64_t m, int64_t n, int64_t k, bool i8, bool tb)
{
	float *a = malloc((size_t)(m * k) * 4), *b = malloc((size_t)(k * n) * 4);
	uint32_t *c[3];
	ck_assert(a && b);
	for (int64_t i = 0; i < m * k; i++)
		a[i] = i8 ? (float)((int)(next() % 256) - 128) : (float)uniform();
	for (int64_t i = 0; i < k * n; i++)
		b[i] = i8 ? (float)((int)(next() % 256) - 128) : (float)uniform();
	for (int t = 0; t < 3; t++) {
		c[t] = calloc((size_t)(m * n), 4);
		ck_assert(c[t]);
		mm_gemm_set_threads(t + 1);
		int64_t rsb = tb ? 1 : n, csb = tb ? k : 1;
		int rc = i8 ? mm_gemm_i8(m, n, k, a, k, 1, b, rsb, csb, false,
		                         (int32_t *)c[t], n, 1)
		            : mm_gemm_bf16(m, n, k, 0.5f, a, k, 1, b, rsb, csb, 0.0f,
		                           (float *)c[t], n, 1);
		ck_assert_int_eq(rc, 0);
	}
	mm_gemm_set_threads(1);
	for (int t = 1; t < 3; t++)
		ck_assert_msg(memcmp(c[0], c[t], (size_t)(m * n) * 4) == 0,
		              "%lldx%lldx%lld: %d threads differ from 1",
		              (long long)m, (long long)n, (long long)k, t + 1);
	free(a);
	free(b);
	for (int t = 0; t < 3; t++)
		free(c[t]);
}

START_TEST(threads_bit_identical)
{
	bool i8 = _i;
	same_bits(301, 517, 800, i8, false);   /* columns split */
	same_bits(700, 90, 600, i8, true);     /* rows split */
	same_bits(130, 150, 4100, i8, false);  /* several k blocks */
	same_bits(1, 3000, 200, i8, false);    /* a row */
	same_bits(2000, 1, 200, i8, false);    /* a column */
}
END_TEST

/* C x against alpha·Â(B̂x) for a random x (O(n²) checking): a product
 * too large for the triple loop, on 2 threads. The bound is the tight
 * one's, summed over the row with |x|. */
START_TEST(large_residual)
{
	bool i8 = _i;
	int64_t m = 400, n = 330, k = 1100;
	float *a = malloc((size_t)(m * k) * 4), *b = malloc((size_t)(k * n) * 4);
	float *c = malloc((size_t)(m * n) * 4);
	double *x = malloc((size_t)n * 8), *bx = malloc((size_t)k * 8);
	double *bm = malloc((size_t)k * 8);
	ck_assert(a && b && c && x && bx && bm);
	for (int64_t i = 0; i < m * k; i++)
		a[i] = i8 ? (float)((int)(next() % 256) - 128) : (float)uniform();
	for (int64_t i = 0; i < k * n; i++)
		b[i] = i8 ? (float)((int)(next() % 256) - 128) : (float)uniform();
	for (int64_t j = 0; j < n; j++)
		x[j] = i8 ? (double)(int)(next() % 7) - 3 : uniform();
	mm_gemm_set_threads(2);
	int rc = i8 ? mm_gemm_i8(m, n, k, a, k, 1, b, n, 1, false, (int32_t *)c, n, 1)
	            : mm_gemm_bf16(m, n, k, 1.0f, a, k, 1, b, n, 1, 0.0f, c, n, 1);
	mm_gemm_set_threads(1);
	ck_assert_int_eq(rc, 0);
	for (int64_t p = 0; p < k; p++) {
		long double s = 0, sm = 0;
		for (int64_t j = 0; j < n; j++) {
			double y = i8 ? b[p * n + j] : bf16_rne(b[p * n + j]);
			s += (long double)y * x[j];
			sm += fabsl((long double)y * x[j]);
		}
		bx[p] = (double)s;
		bm[p] = (double)sm;
	}
	const double u = 0x1p-24, gamma = (double)k * u / (1 - (double)k * u);
	for (int64_t i = 0; i < m; i++) {
		long double want = 0, got = 0, mag = 0;
		for (int64_t p = 0; p < k; p++) {
			double y = i8 ? a[i * k + p] : bf16_rne(a[i * k + p]);
			want += (long double)y * bx[p];
			mag += fabsl((long double)y) * bm[p];
		}
		for (int64_t j = 0; j < n; j++)
			got += i8 ? (long double)((int32_t *)c)[i * n + j] * x[j]
			          : (long double)c[i * n + j] * x[j];
		if (i8) {
			ck_assert_msg(got == want, "i8 row %lld: C x differs",
			              (long long)i);
		} else {
			double tol = (gamma + u) * (double)mag + (double)k * 0x1p-120;
			ck_assert_msg(fabs((double)(got - want)) <= tol,
			              "bf16 row %lld: |Cx - ÂB̂x| = %.3g over %.3g",
			              (long long)i, fabs((double)(got - want)), tol);
		}
	}
	free(a);
	free(b);
	free(c);
	free(x);
	free(bx);
	free(bm);
}
END_TEST

START_TEST(interrupted)
{
	bool i8 = _i;
	int64_t n = 300;
	float *a = calloc((size_t)(n * n), 4), *b = calloc((size_t)(n * n), 4);
	float *c = calloc((size_t)(n * n), 4);
	ck_assert(a && b && c);
	for (int t = 1; t <= 2; t++) {
		mm_gemm_set_threads(t);
		mm_interrupt_request();
		int rc = i8 ? mm_gemm_i8(n, n, n, a, n, 1, b, n, 1, false,
		                         (int32_t *)c, n, 1)
		            : mm_gemm_bf16(n, n, n, 1, a, n, 1, b, n, 1, 0, c, n, 1);
		ck_assert_int_eq(rc, MM_ERR_INTERRUPTED);
		mm_interrupt_clear();
		rc = i8 ? mm_gemm_i8(n, n, n, a, n, 1, b, n, 1, false,
		                     (int32_t *)c, n, 1)
		        : mm_gemm_bf16(n, n, n, 1, a, n, 1, b, n, 1, 0, c, n, 1);
		ck_assert_int_eq(rc, 0);
	}
	mm_gemm_set_threads(1);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* bf16: a single product x·1 is exactly x rounded to bf16; pairs that
 * tie go to the even neighbour. */
START_TEST(bf16_rounding)
{
	static const struct {
		float in, out;
	} cases[] = {
		{1.0f + 0x1p-8f, 1.0f},                 /* tie, down to even */
		{1.0f + 3 * 0x1p-8f, 1.0f + 0x1p-6f},   /* tie, up to even */
		{1.0f + 0x1p-8f + 0x1p-20f, 1.0f + 0x1p-7f},
		{1.0f + 0x1p-8f - 0x1p-20f, 1.0f},
		{-(1.0f + 0x1p-8f), -1.0f},
		{-(1.0f + 3 * 0x1p-8f), -(1.0f + 0x1p-6f)},
		{3.14159265f, 3.140625f},
		{0x1.fffffep127f, INFINITY},            /* rounds past the largest */
		{0x1.fep127f, 0x1.fep127f},
		{1e-40f, 0.0f},                         /* subnormal: zero */
		{0x1p-126f, 0x1p-126f},                 /* smallest normal */
		{INFINITY, INFINITY},
		{-INFINITY, -INFINITY},
	};
	float one = 1.0f;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (int side = 0; side < 2; side++) {
			float c = -7.0f;
			const float *a = side ? &one : &cases[i].in;
			const float *b = side ? &cases[i].in : &one;
			ck_assert_int_eq(mm_gemm_bf16(1, 1, 1, 1.0f, a, 1, 1, b, 1, 1,
			                              0.0f, &c, 1, 1), 0);
			ck_assert_msg(c == cases[i].out,
			              "%s: bf16(%a) gave %a, want %a", mm_gemm_bf16_isa(),
			              (double)cases[i].in, (double)c,
			              (double)cases[i].out);
		}
	float nan = NAN, c = 0;
	ck_assert_int_eq(mm_gemm_bf16(1, 1, 1, 1.0f, &nan, 1, 1, &one, 1, 1,
	                              0.0f, &c, 1, 1), 0);
	ck_assert(isnan(c));
	/* beta 0 does not read C: a NaN there does not leak */
	float a4[4] = {1, 2, 3, 4}, c4[4] = {NAN, NAN, NAN, NAN};
	ck_assert_int_eq(mm_gemm_bf16(2, 2, 1, 1.0f, a4, 1, 1, a4 + 2, 2, 1, 0.0f,
	                              c4, 2, 1), 0);
	ck_assert(c4[0] == 3 && c4[1] == 4 && c4[2] == 6 && c4[3] == 8);
}
END_TEST

/* bf16 exact on representable inputs where every sum is representable:
 * small integers, whatever the order of the sums. */
START_TEST(bf16_exact_integers)
{
	int64_t m = 70, n = 90, k = 600;
	float *a = malloc((size_t)(m * k) * 4), *b = malloc((size_t)(k * n) * 4);
	float *c = malloc((size_t)(m * n) * 4);
	ck_assert(a && b && c);
	for (int64_t i = 0; i < m * k; i++)
		a[i] = (float)((int)(next() % 33) - 16);
	for (int64_t i = 0; i < k * n; i++)
		b[i] = (float)((int)(next() % 33) - 16);
	ck_assert_int_eq(mm_gemm_bf16(m, n, k, 1.0f, a, k, 1, b, n, 1, 0.0f, c,
	                              n, 1), 0);
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			int64_t s = 0;
			for (int64_t p = 0; p < k; p++)
				s += (int64_t)a[i * k + p] * (int64_t)b[p * n + j];
			ck_assert_msg(c[i * n + j] == (float)s, "C[%lld,%lld] = %g, want %lld",
			              (long long)i, (long long)j, (double)c[i * n + j],
			              (long long)s);
		}
	free(a);
	free(b);
	free(c);
}
END_TEST

/* i8: each conversion of the documented rule, as a 1×1×1 product. */
START_TEST(i8_conversion)
{
	static const float in[] = {0, 1, -1, 127, -128, 200, -300, 2.5f, 3.5f,
	                           -2.5f, -0.5f, 0.5f, 127.4f, 126.5f, 1e30f,
	                           -INFINITY, INFINITY, NAN};
	float one = 1.0f;
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
		for (int side = 0; side < 2; side++) {
			int32_t c = 99;
			const float *a = side ? &one : &in[i], *b = side ? &in[i] : &one;
			ck_assert_int_eq(mm_gemm_i8(1, 1, 1, a, 1, 1, b, 1, 1, false, &c,
			                            1, 1), 0);
			ck_assert_msg(c == i8_of(in[i]), "%s: i8(%g) gave %d, want %d",
			              mm_gemm_i8_isa(), (double)in[i], c, i8_of(in[i]));
		}
}
END_TEST

/* Sums past int32 wrap modulo 2^32, so the low 8 bits (NumPy's int8
 * result) stay exact: (-128)·(-128) a 16384 times k; and the issue's
 * example, [[100, 100]] @ [[1], [1]] = 200, which is -56 in int8. */
START_TEST(i8_wraps)
{
	int64_t k = 140001, m = 3, n = 2;
	float *a = malloc((size_t)(m * k) * 4), *b = malloc((size_t)(k * n) * 4);
	int32_t c[6];
	ck_assert(a && b);
	for (int64_t i = 0; i < m * k; i++)
		a[i] = -128;
	for (int64_t i = 0; i < k * n; i++)
		b[i] = i % n ? 127 : -128;
	ck_assert_int_eq(mm_gemm_i8(m, n, k, a, k, 1, b, n, 1, false, c, n, 1), 0);
	int32_t w0 = (int32_t)(uint32_t)(uint64_t)(16384 * k);
	int32_t w1 = (int32_t)(uint32_t)(uint64_t)(-16256 * k);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(c[2 * i], w0);
		ck_assert_int_eq(c[2 * i + 1], w1);
	}
	ck_assert_int_eq((int8_t)c[0], (int8_t)(uint8_t)((16384 * k) & 0xff));
	float x[2] = {100, 100}, y[2] = {1, 1};
	ck_assert_int_eq(mm_gemm_i8(1, 1, 2, x, 2, 1, y, 1, 1, false, c, 1, 1), 0);
	ck_assert_int_eq(c[0], 200);
	ck_assert_int_eq((int8_t)(uint8_t)c[0], -56);
	free(a);
	free(b);
}
END_TEST

/* The path's bits against the portable kernel's: the same arithmetic
 * for i8 always, and for bf16 on the AVX512_BF16 and FMA paths
 * (vdpbf16ps's order, which the portable kernel follows) away from
 * subnormals. */
START_TEST(same_bits_as_generic)
{
	bool i8 = _i;
	if (!i8 && strcmp(path, "avx512bf16") != 0 &&
	    strcmp(path, "avx512fma") != 0)
		return;
	static const int64_t dims[][3] = {{37, 45, 29}, {130, 70, 700},
	                                  {64, 96, 1100}};
	for (int d = 0; d < 3; d++)
		for (int v = 0; v < 4; v++) {
			int64_t m = dims[d][0], n = dims[d][1], k = dims[d][2];
			struct spec s = vary(m, n, k, (unsigned)v * 3);
			struct operands o;
			make(&s, i8, &o);
			float *c[2];
			for (int g = 0; g < 2; g++) {
				c[g] = malloc((size_t)o.lc * 4);
				ck_assert(c[g]);
				for (int64_t i = 0; i < o.lc; i++) {
					if (i8)
						memcpy(c[g] + i, &(int32_t){(int32_t)o.c0[i]}, 4);
					else
						c[g][i] = o.c0[i];
				}
				ck_assert_int_eq(i8 ? mm_gemm_i8_set_isa(g ? "generic" : path)
				                    : mm_gemm_bf16_set_isa(g ? "generic" : path),
				                 0);
				int rc = i8 ? mm_gemm_i8(m, n, k, o.a, o.rsa, o.csa, o.b,
				                         o.rsb, o.csb, s.beta != 0,
				                         (int32_t *)c[g], o.rsc, o.csc)
				            : mm_gemm_bf16(m, n, k, s.alpha, o.a, o.rsa,
				                           o.csa, o.b, o.rsb, o.csb, s.beta,
				                           c[g], o.rsc, o.csc);
				ck_assert_int_eq(rc, 0);
			}
			ck_assert_msg(memcmp(c[0], c[1], (size_t)o.lc * 4) == 0,
			              "%s %lldx%lldx%lld variant %d: bits differ from "
			              "generic", path, (long long)m, (long long)n,
			              (long long)k, v);
			ck_assert_int_eq(i8 ? mm_gemm_i8_set_isa(path)
			                    : mm_gemm_bf16_set_isa(path), 0);
			free(c[0]);
			free(c[1]);
			unmake(&o);
		}
}
END_TEST

/* A row vector's product (no packing) against the same row of a packed
 * product, B row-major: the same sums in the same order, so the same
 * bits, on the paths whose packed sums run in vdpbf16ps's order (bf16)
 * and on all (i8, exact). Two strips of columns, an odd k over several
 * k blocks, alpha and beta. */
START_TEST(row_vector_same_bits)
{
	bool i8 = _i;
	if (!i8 && strcmp(path, "amx") == 0)
		return;
	int64_t m = 5, n = 1500, k = 777;
	float *a = malloc((size_t)(m * k) * 4), *b = malloc((size_t)(k * n) * 4);
	float *c = malloc((size_t)(m * n) * 4), *y = malloc((size_t)n * 4);
	ck_assert(a && b && c && y);
	for (int64_t i = 0; i < m * k; i++)
		a[i] = i8 ? (float)((int)(next() % 256) - 128) : (float)uniform();
	for (int64_t i = 0; i < k * n; i++)
		b[i] = i8 ? (float)((int)(next() % 256) - 128) : (float)uniform();
	for (int64_t j = 0; j < n; j++) {
		float v = i8 ? (float)(int)(next() % 1000) : (float)uniform();
		memcpy(c + j, i8 ? (void *)&(int32_t){(int32_t)v} : (void *)&v, 4);
		memcpy(y + j, c + j, 4);
	}
	mm_gemm_set_threads(2);
	int rc = i8 ? mm_gemm_i8(m, n, k, a, k, 1, b, n, 1, true, (int32_t *)c,
	                         n, 1)
	            : mm_gemm_bf16(m, n, k, 1.5f, a, k, 1, b, n, 1, 0.5f, c, n, 1);
	ck_assert_int_eq(rc, 0);
	rc = i8 ? mm_gemm_i8(1, n, k, a, k, 1, b, n, 1, true, (int32_t *)y, n, 1)
	        : mm_gemm_bf16(1, n, k, 1.5f, a, k, 1, b, n, 1, 0.5f, y, n, 1);
	ck_assert_int_eq(rc, 0);
	mm_gemm_set_threads(1);
	for (int64_t j = 0; j < n; j++)
		ck_assert_msg(memcmp(c + j, y + j, 4) == 0,
		              "%s: column %lld of the row vector's product differs",
		              path, (long long)j);
	free(a);
	free(b);
	free(c);
	free(y);
}
END_TEST

/* ---- Tests of no path in particular ---------------------------------- */

/* The bound fails on a result one element of which is off by 1e-3 of
 * itself, and on the reference of truncated rather than rounded inputs:
 * it tells the conversion's rounding apart. */
START_TEST(bound_can_fail)
{
	struct spec s = vary(20, 30, 400, 0);
	struct operands o;
	make(&s, false, &o);
	float *c = malloc((size_t)o.lc * 4);
	ck_assert(c);
	ck_assert_int_eq(mm_gemm_bf16(s.m, s.n, s.k, s.alpha, o.a, o.rsa, o.csa,
	                              o.b, o.rsb, o.csb, s.beta, c, o.rsc, o.csc),
	                 0);
	ck_assert(bf16_worst(&s, &o, c, bf16_rne, true, -1) <= 1);
	ck_assert(bf16_worst(&s, &o, c, identity, false, -1) <= 1);
	ck_assert(bf16_worst(&s, &o, c, bf16_rne, true, 5 * o.rsc + 7 * o.csc) > 1);
	ck_assert(bf16_worst(&s, &o, c, bf16_trunc, true, -1) > 1);
	/* and the f32 GEMM's result is no bf16 result */
	ck_assert_int_eq(mm_sgemm(s.m, s.n, s.k, s.alpha, o.a, o.rsa, o.csa, o.b,
	                          o.rsb, o.csb, s.beta, c, o.rsc, o.csc), 0);
	ck_assert(bf16_worst(&s, &o, c, bf16_rne, true, -1) > 1);
	free(c);
	unmake(&o);
}
END_TEST

START_TEST(names)
{
	static const char *const bf[] = {"generic", "avx512bf16", "avx512fma",
	                                 "amx"};
	static const char *const i8[] = {"generic", "avx512vnni", "amx"};
	bool found = false;
	for (int i = 0; i < 4; i++)
		found |= strcmp(mm_gemm_bf16_isa(), bf[i]) == 0;
	ck_assert(found);
	found = false;
	for (int i = 0; i < 3; i++)
		found |= strcmp(mm_gemm_i8_isa(), i8[i]) == 0;
	ck_assert(found);
	const char *best = mm_gemm_bf16_isa();
	ck_assert_int_eq(mm_gemm_bf16_set_isa("generic"), 0);
	ck_assert_str_eq(mm_gemm_bf16_isa(), "generic");
	ck_assert_int_eq(mm_gemm_bf16_set_isa("nonsense"), -1);
	ck_assert_int_eq(mm_gemm_bf16_set_isa("avx512vnni"), -1); /* i8 only */
	ck_assert_int_eq(mm_gemm_i8_set_isa("avx512bf16"), -1);   /* bf16 only */
	ck_assert_int_eq(mm_gemm_i8_set_isa("avx512fma"), -1);    /* bf16 only */
	/* "avx512": the best AVX-512 path, never AMX, where there is one */
	bool wide = mm_gemm_bf16_set_isa("avx512fma") == 0;
	ck_assert_int_eq(mm_gemm_bf16_set_isa("avx512"), wide ? 0 : -1);
	if (wide)
		ck_assert(strncmp(mm_gemm_bf16_isa(), "avx512", 6) == 0);
	ck_assert_int_eq(mm_gemm_bf16_set_isa("generic"), 0);
	ck_assert_str_eq(mm_gemm_bf16_isa(), "generic");
	ck_assert_int_eq(mm_gemm_bf16_set_isa(NULL), 0);
	ck_assert_str_eq(mm_gemm_bf16_isa(), best);
	ck_assert_int_eq(mm_gemm_i8_set_isa("generic"), 0);
	ck_assert_str_eq(mm_gemm_i8_isa(), "generic");
	ck_assert_int_eq(mm_gemm_i8_set_isa(NULL), 0);
}
END_TEST

/* m or n 0: nothing touched; k 0 (or alpha 0): C = beta·C, or zeros
 * (i8 without accumulating). */
START_TEST(empty)
{
	float a[6] = {1, 2, 3, 4, 5, 6}, c[4] = {1, 2, 3, 4};
	int32_t ci[4] = {1, 2, 3, 4};
	ck_assert_int_eq(mm_gemm_bf16(0, 2, 3, 1, a, 3, 1, a, 2, 1, 0, c, 2, 1), 0);
	ck_assert_int_eq(mm_gemm_bf16(2, 0, 3, 1, a, 3, 1, a, 2, 1, 0, c, 2, 1), 0);
	ck_assert(c[0] == 1 && c[3] == 4);
	ck_assert_int_eq(mm_gemm_bf16(2, 2, 0, 1, a, 1, 1, a, 2, 1, 0.5f, c, 2, 1), 0);
	ck_assert(c[0] == 0.5f && c[3] == 2);
	ck_assert_int_eq(mm_gemm_bf16(2, 2, 3, 0, a, 3, 1, a, 2, 1, 0, c, 2, 1), 0);
	ck_assert(c[0] == 0 && c[3] == 0);
	ck_assert_int_eq(mm_gemm_i8(2, 2, 0, a, 1, 1, a, 2, 1, true, ci, 2, 1), 0);
	ck_assert(ci[0] == 1 && ci[3] == 4);
	ck_assert_int_eq(mm_gemm_i8(2, 2, 0, a, 1, 1, a, 2, 1, false, ci, 2, 1), 0);
	ck_assert(ci[0] == 0 && ci[3] == 0);
}
END_TEST

static Suite *path_suite(bool bf16, bool i8)
{
	Suite *s = suite_create(path);
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 900);
	int lo = bf16 ? 0 : 1, hi = i8 ? 2 : 1;
	tcase_add_loop_test(tc, edge_sizes, lo, hi);
	tcase_add_loop_test(tc, transposes_strides_scalars, lo, hi);
	tcase_add_loop_test(tc, k_blocks, lo, hi);
	tcase_add_loop_test(tc, edge_tiles_same_arithmetic, lo, hi);
	tcase_add_loop_test(tc, threads_bit_identical, lo, hi);
	tcase_add_loop_test(tc, large_residual, lo, hi);
	tcase_add_loop_test(tc, interrupted, lo, hi);
	tcase_add_loop_test(tc, row_vector_same_bits, lo, hi);
	if (strcmp(path, "generic") != 0)
		tcase_add_loop_test(tc, same_bits_as_generic, lo, hi);
	if (bf16) {
		tcase_add_test(tc, bf16_rounding);
		tcase_add_test(tc, bf16_exact_integers);
	}
	if (i8) {
		tcase_add_test(tc, i8_conversion);
		tcase_add_test(tc, i8_wraps);
	}
	suite_add_tcase(s, tc);
	return s;
}

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, bound_can_fail);
	tcase_add_test(tc, names);
	tcase_add_test(tc, empty);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	path = argc > 1 ? argv[1] : "common";
	Suite *s;
	if (strcmp(path, "common") == 0) {
		s = common_suite();
	} else {
		bool bf16 = mm_gemm_bf16_set_isa(path) == 0;
		bool i8 = mm_gemm_i8_set_isa(path) == 0;
		if (!bf16 && !i8) {
			printf("%s: not built or not run by this CPU, skipped\n", path);
			return 77;
		}
		s = path_suite(bf16, i8);
	}
	mm_gemm_set_threads(1);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	mm_gemm_lowp_shutdown();
	mm_gemm_shutdown();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
