/* test-gemm.c — the blocked GEMM against a naive triple loop (accumulated in
 * long double), on every ISA path this CPU runs: sizes, block boundaries,
 * transposes, strides, alpha/beta, both types, threads and interruption. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "../../src/gemm/gemm_internal.h"
#include "gemm-check.h"

START_TEST(sizes_0_to_64)
{
	if (!use_isa(_i))
		return;
	for (int f = 0; f < 2; f++)
		for (int64_t s = 0; s <= 64; s++) {
			expect_ok(&(struct spec){s, s, s, false, false, false, 0,
			                         1, 1.0, 0.0, f});
			struct spec v = vary(s, upto(64), upto(64), (unsigned)s, f);
			expect_ok(&v);
			v = vary(upto(64), s, upto(64), (unsigned)s + 3, f);
			expect_ok(&v);
			v = vary(upto(64), upto(64), s, (unsigned)s + 5, f);
			expect_ok(&v);
		}
}
END_TEST

START_TEST(transposes_strides_scalars)
{
	if (!use_isa(_i))
		return;
	static const double alphas[] = {1.0, 0.0, -1.5};
	static const double betas[] = {0.0, 1.0, 0.5};
	for (int f = 0; f < 2; f++)
		for (unsigned t = 0; t < 8; t++)
			for (int pad = 0; pad <= 5; pad += 5)
				for (int step = 1; step <= 2; step++)
					for (int al = 0; al < 3; al++)
						for (int be = 0; be < 3; be++) {
							struct spec s = {
								37, 45, 29, t & 1, (t >> 1) & 1,
								(t >> 2) & 1, pad, step,
								alphas[al], betas[be], f};
							expect_ok(&s);
						}
}
END_TEST

START_TEST(block_boundaries)
{
	if (!use_isa(_i))
		return;
	/* Register tiles (MR, NR of every kernel), k blocks (KC of every
	 * kernel, the small path's 256), then NC and MC made small by
	 * pretending the caches are small. */
	static const int64_t tile[] = {4, 6, 8, 16, 32};
	static const int64_t depth[] = {256, 384, 512};
	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < sizeof tile / sizeof tile[0]; i++)
			for (int64_t d = -1; d <= 1; d++) {
				int64_t t = tile[i] + d;
				struct spec v = vary(t, 2 * t + 1, 7, (unsigned)(i + d + 1), f);
				expect_ok(&v);
				v = vary(3 * t, t, t + 5, (unsigned)(i + 2), f);
				expect_ok(&v);
			}
		for (size_t i = 0; i < sizeof depth / sizeof depth[0]; i++)
			for (int64_t d = -1; d <= 1; d++) {
				struct spec v = vary(13, 35, depth[i] + d, (unsigned)(i + d + 2), f);
				expect_ok(&v);
				v = vary(100, 70, depth[i] + d, (unsigned)(i + 4), f);
				expect_ok(&v);
			}
	}
	/* L1 4 KiB, L2 32 KiB, L3 128 KiB: KC is a few dozen and NC and MC
	 * a few dozen to a few hundred; sweep around them, with k past the
	 * small path's 256 so that the packed path runs. */
	mm_gemm_test_caches(4096, 32768, 131072);
	for (int f = 0; f < 2; f++) {
		const struct mm_gemm_isa_kernels *kr = mm_gemm_select(isas[_i]);
		int64_t es = f ? 8 : 4, mr = f ? kr->mr_d : kr->mr_s;
		int64_t nr = f ? kr->nr_d : kr->nr_s;
		int64_t kcl1 = 4096 * 3 / 4 / (mr * es);
		int64_t kc = kcl1 < 32 ? 32 : kcl1;
		int64_t k = (256 / kc + 1) * kc + 1; /* > 256, a short last block */
		int64_t nkb = (k + kc - 1) / kc, kb = (k + nkb - 1) / nkb;
		int64_t nc = 32768 / 2 / (kb * es) / nr * nr;
		int64_t mc = 32768 / (kb * es) / mr * mr; /* min(L2, L3/4) */
		if (nc < nr)
			nc = nr;
		if (mc < 4 * mr)
			mc = 4 * mr;
		for (int64_t d = -1; d <= 1; d++) {
			struct spec v = vary(50, nc + d, k, (unsigned)(d + 1), f);
			expect_ok(&v);
			v = vary(mc + d, 40, k, (unsigned)(d + 4), f);
			expect_ok(&v);
			v = vary(mc + d, 2 * nc + d, k, (unsigned)(d + 6), f);
			expect_ok(&v);
			/* units in a grid: two across n, three down m, so A
			 * and B are both packed once and shared */
			v = vary(2 * mc + 3 + d, 2 * mc + 200, k, (unsigned)(d + 8), f);
			expect_ok(&v);
		}
	}
	mm_gemm_test_caches(0, 0, 0);
}
END_TEST

START_TEST(random_sizes_to_300)
{
	if (!use_isa(_i))
		return;
	static const int64_t primes[] = {97, 127, 131, 211, 251, 257, 293};
	for (int f = 0; f < 2; f++)
		for (unsigned r = 0; r < 10; r++) {
			int64_t m = r < 7 ? primes[r] : 1 + upto(299);
			struct spec v = vary(m, 1 + upto(299), 1 + upto(299), r, f);
			expect_ok(&v);
		}
	/* Skinny: vectors on either side, every layout. */
	for (int f = 0; f < 2; f++)
		for (unsigned v = 0; v < 8; v++) {
			struct spec s = vary(1, 1 + upto(3000), 1 + upto(300), v, f);
			expect_ok(&s);
			s = vary(1 + upto(3000), 1, 1 + upto(300), v + 1, f);
			expect_ok(&s);
			s = vary(1, 1, 1 + upto(300), v + 2, f);
			expect_ok(&s);
		}
}
END_TEST

START_TEST(check_can_fail)
{
	struct spec s = {20, 30, 40, false, true, false, 0, 1, 1.0, 0.5, false};
	ck_assert(run(&s, false) <= 1.0);
	ck_assert(run(&s, true) > 1.0);
	s.f64 = true;
	ck_assert(run(&s, true) > 1.0);
}
END_TEST

/* C x against alpha·A(Bx) + beta·C0 x for a random x: O(n²) checking of
 * products too large for the triple loop. */
static void residual(int64_t m, int64_t n, int64_t k, bool f64, int threads)
{
	mm_gemm_set_threads(threads);
	double *x = malloc((size_t)n * sizeof *x), *bx = malloc((size_t)k * sizeof *bx);
	double *a = malloc((size_t)(m * k) * sizeof *a), *b = malloc((size_t)(k * n) * sizeof *b);
	double *c0 = malloc((size_t)(m * n) * sizeof *c0);
	void *c = malloc((size_t)(m * n) * sizeof(double));
	ck_assert(x && bx && a && b && c0 && c);
	for (int64_t i = 0; i < m * k; i++)
		a[i] = f64 ? uniform() : (float)uniform();
	for (int64_t i = 0; i < k * n; i++)
		b[i] = f64 ? uniform() : (float)uniform();
	for (int64_t i = 0; i < m * n; i++)
		c0[i] = f64 ? uniform() : (float)uniform();
	for (int64_t j = 0; j < n; j++)
		x[j] = uniform();
	double alpha = 1.25, beta = -0.5;
	int rc;
	if (f64) {
		memcpy(c, c0, (size_t)(m * n) * sizeof(double));
		rc = mm_dgemm(m, n, k, alpha, a, k, 1, b, 1, k, beta, c, n, 1);
	} else {
		float *af = malloc((size_t)(m * k) * 4), *bf = malloc((size_t)(k * n) * 4);
		float *cf = c;
		ck_assert(af && bf);
		for (int64_t i = 0; i < m * k; i++)
			af[i] = (float)a[i];
		for (int64_t i = 0; i < k * n; i++)
			bf[i] = (float)b[i];
		for (int64_t i = 0; i < m * n; i++)
			cf[i] = (float)c0[i];
		/* B transposed here, to vary the layouts */
		rc = mm_sgemm(m, n, k, (float)alpha, af, k, 1, bf, 1, k,
		              (float)beta, cf, n, 1);
		free(af);
		free(bf);
	}
	ck_assert_int_eq(rc, 0);
	/* b is stored as Bᵀ (k×n with B[p][j] at j*k + p) */
	for (int64_t p = 0; p < k; p++) {
		long double s = 0;
		for (int64_t j = 0; j < n; j++)
			s += (long double)b[j * k + p] * x[j];
		bx[p] = (double)s;
	}
	double eps = f64 ? 0x1p-52 : 0x1p-23, worst = 0;
	for (int64_t i = 0; i < m; i++) {
		long double want = 0, got = 0, c0x = 0;
		for (int64_t p = 0; p < k; p++)
			want += (long double)a[i * k + p] * bx[p];
		for (int64_t j = 0; j < n; j++) {
			double cij = f64 ? ((double *)c)[i * n + j] : ((float *)c)[i * n + j];
			got += (long double)cij * x[j];
			c0x += (long double)c0[i * n + j] * x[j];
		}
		want = alpha * want + beta * c0x;
		/* |C x| errors: each C element within k·eps·k-ish of truth,
		 * summed over n with random signs: bound generously. */
		double tol = 4.0 * (double)(k + n) * eps * sqrt((double)n) *
		             sqrt((double)k);
		worst = fmax(worst, fabs((double)(got - want)) / tol);
	}
	ck_assert_msg(worst <= 1.0, "%s %lldx%lldx%lld threads %d residual %.3g x tol",
	              f64 ? "f64" : "f32", (long long)m, (long long)n,
	              (long long)k, threads, worst);
	free(x);
	free(bx);
	free(a);
	free(b);
	free(c0);
	free(c);
}

START_TEST(large_residual)
{
	if (!use_isa(_i))
		return;
	residual(700, 650, 900, false, 2);
	residual(500, 530, 600, true, 2);
	residual(1, 4000, 700, false, 2);
}
END_TEST

/* A small product shared by the threads: whether the worker wakes in time
 * (back to back) or not (after a pause, when it has gone to sleep), the
 * bits are those of one thread. */
static void same_bits_after_pauses(int64_t m, int64_t n, int64_t k)
{
	float *a = malloc((size_t)(m * k) * 4), *b = malloc((size_t)(k * n) * 4);
	float *c1 = malloc((size_t)(m * n) * 4), *c2 = malloc((size_t)(m * n) * 4);
	ck_assert(a && b && c1 && c2);
	for (int64_t i = 0; i < m * k; i++)
		a[i] = (float)uniform();
	for (int64_t i = 0; i < k * n; i++)
		b[i] = (float)uniform();
	mm_gemm_set_threads(1);
	ck_assert_int_eq(mm_sgemm(m, n, k, 1, a, k, 1, b, n, 1, 0, c1, n, 1), 0);
	mm_gemm_set_threads(2);
	for (int r = 0; r < 12; r++) {
		if (r % 2)
			usleep(3000);
		memset(c2, 0, (size_t)(m * n) * 4);
		ck_assert_int_eq(mm_sgemm(m, n, k, 1, a, k, 1, b, n, 1, 0, c2, n, 1), 0);
		ck_assert_msg(memcmp(c1, c2, (size_t)(m * n) * 4) == 0,
		              "run %d of %lldx%lldx%lld differs", r, (long long)m,
		              (long long)n, (long long)k);
	}
	free(a);
	free(b);
	free(c1);
	free(c2);
}

START_TEST(threads_bit_identical)
{
	if (!use_isa(_i))
		return;
	for (int f = 0; f < 2; f++) {
		same_bits(301, 517, 800, f);   /* columns split, two k blocks */
		same_bits(900, 40, 300, f);    /* rows split */
		same_bits(1, 5000, 300, f);    /* skinny */
		same_bits(5000, 1, 300, f);
		same_bits(200, 250, 190, f);   /* small path, columns split */
		same_bits(700, 40, 200, f);    /* small path, rows split */
		if (!f)
			same_bits_after_pauses(160, 200, 120);
		mm_gemm_test_caches(4096, 32768, 131072); /* many blocks */
		same_bits(333, 251, 300, f);
		same_bits(200, 700, 300, f);   /* a grid of units */
		mm_gemm_test_caches(0, 0, 0);
	}
}
END_TEST

/* Every tile goes through the same arithmetic, edge or not: with A's last
 * row a copy of its first (B's last column a copy of its first), C's last
 * row (column) must be bit-for-bit C's first, for every width of the last
 * tile, on the small path (k 100) and the packed one (k 300), alpha 1
 * (whole tiles store without multiplies) and 0.75, beta 0 and 1 (C's last
 * row and column start as its first ones). */
static void edge_same_bits(int64_t m, int64_t n, int64_t k, double alpha,
                           double beta, bool f64)
{
	size_t es = f64 ? 8 : 4;
	unsigned char *a = malloc((size_t)(m * k) * es), *b = malloc((size_t)(k * n) * es);
	unsigned char *c = malloc((size_t)(m * n) * es);
	ck_assert(a && b && c);
#define AT(x, i) (f64 ? ((double *)(x))[i] : (double)((float *)(x))[i])
#define PUT(x, i, v)                                            \
	do {                                                    \
		if (f64)                                        \
			((double *)(x))[i] = (v);               \
		else                                            \
			((float *)(x))[i] = (float)(v);         \
	} while (0)
	fill(a, m * k, f64);
	fill(b, k * n, f64);
	for (int64_t p = 0; p < k; p++) {
		PUT(a, (m - 1) * k + p, AT(a, p));
		PUT(b, p * n + n - 1, AT(b, p * n));
	}
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++)
			PUT(c, i * n + j, 1.0 / (double)(1 + (i % (m - 1))) +
			                  1.0 / (double)(3 + (j % (n - 1))));
	int rc = f64 ? mm_dgemm(m, n, k, alpha, (double *)a, k, 1, (double *)b, n, 1,
	                        beta, (double *)c, n, 1)
	             : mm_sgemm(m, n, k, (float)alpha, (float *)a, k, 1, (float *)b, n, 1,
	                        (float)beta, (float *)c, n, 1);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(memcmp(c, c + (size_t)((m - 1) * n) * es, (size_t)n * es) == 0,
	              "%s %lldx%lldx%lld: last row differs from the first",
	              f64 ? "f64" : "f32", (long long)m, (long long)n, (long long)k);
	for (int64_t i = 0; i < m; i++)
		ck_assert_msg(AT(c, i * n) == AT(c, i * n + n - 1),
		              "%s %lldx%lldx%lld: row %lld, last column differs "
		              "from the first", f64 ? "f64" : "f32", (long long)m,
		              (long long)n, (long long)k, (long long)i);
#undef AT
#undef PUT
	free(a);
	free(b);
	free(c);
}

START_TEST(edge_tiles_same_arithmetic)
{
	if (!use_isa(_i))
		return;
	mm_gemm_set_threads(1);
	for (int f = 0; f < 2; f++)
		for (int64_t r = 1; r <= MM_GEMM_MAX_MR + 1; r++) {
			int64_t m = 2 * MM_GEMM_MAX_MR + r;
			int64_t n = 2 * MM_GEMM_MAX_NR + r;
			edge_same_bits(m, n, 100, 1, 0, f);
			edge_same_bits(m, n, 300, 1, 1, f);
			edge_same_bits(m, n, 300, 0.75, 0, f);
			edge_same_bits(m, n, 100, 0.75, 1, f);
		}
}
END_TEST

/* The n elements of y (doubles or floats) are bit-for-bit equal. */
static void all_same(const unsigned char *y, int64_t n, int64_t k, bool f64)
{
	size_t es = f64 ? 8 : 4;
	int64_t i = 1;
	while (i < n && memcmp(y, y + (size_t)i * es, es) == 0)
		i++;
	ck_assert_msg(i >= n, "%s n=%lld k=%lld: y[%lld] differs from y[0]",
	              f64 ? "f64" : "f32", (long long)n, (long long)k,
	              (long long)i);
}

/* A product of one tile calls the kernel directly; it must give the bits
 * of the same tile inside a larger product (the small path's loops), for
 * every tile size up to MR x NR and k of 1, 5 and 64. (A row or a column,
 * m or n of 1, is a matrix-vector product, summed in another order.) */
START_TEST(single_tile_same_bits)
{
	if (!use_isa(_i))
		return;
	const int64_t M = 2 * MM_GEMM_MAX_MR + 1, N = 2 * MM_GEMM_MAX_NR + 1;
	static const int64_t ks[] = {1, 5, 64};
	for (int f = 0; f < 2; f++)
		for (int q = 0; q < 3; q++) {
			int64_t k = ks[q];
			size_t es = f ? 8 : 4;
			unsigned char *a = malloc((size_t)(M * k) * es);
			unsigned char *b = malloc((size_t)(k * N) * es);
			unsigned char *big = malloc((size_t)(M * N) * es);
			unsigned char *bs = malloc((size_t)(k * N) * es);
			unsigned char *c = malloc((size_t)(M * N) * es);
			ck_assert(a && b && big && bs && c);
			fill(a, M * k, f);
			fill(b, k * N, f);
			int rc = f ? mm_dgemm(M, N, k, 1.0, (double *)a, k, 1,
			                      (double *)b, N, 1, 0.0,
			                      (double *)big, N, 1)
			           : mm_sgemm(M, N, k, 1.0f, (float *)a, k, 1,
			                      (float *)b, N, 1, 0.0f,
			                      (float *)big, N, 1);
			ck_assert_int_eq(rc, 0);
			int64_t bad_m = 0, bad_n = 0;
			for (int64_t m = 2; m <= MM_GEMM_MAX_MR; m++)
				for (int64_t n = 2; n <= MM_GEMM_MAX_NR; n++) {
					for (int64_t p = 0; p < k; p++) /* B's first n columns */
						memcpy(bs + (size_t)(p * n) * es,
						       b + (size_t)(p * N) * es, (size_t)n * es);
					rc = f ? mm_dgemm(m, n, k, 1.0, (double *)a, k, 1,
					                  (double *)bs, n, 1, 0.0,
					                  (double *)c, n, 1)
					       : mm_sgemm(m, n, k, 1.0f, (float *)a, k, 1,
					                  (float *)bs, n, 1, 0.0f,
					                  (float *)c, n, 1);
					ck_assert_int_eq(rc, 0);
					for (int64_t i = 0; i < m && !bad_m; i++)
						if (memcmp(c + (size_t)(i * n) * es,
						           big + (size_t)(i * N) * es,
						           (size_t)n * es) != 0) {
							bad_m = m;
							bad_n = n;
						}
				}
			ck_assert_msg(!bad_m, "%s k=%lld: the %lldx%lld product "
			              "differs from that tile of a larger one",
			              f ? "f64" : "f32", (long long)k,
			              (long long)bad_m, (long long)bad_n);
			free(a);
			free(b);
			free(big);
			free(bs);
			free(c);
		}
}
END_TEST

/* A matrix times a column vector takes its rows four at a time and the
 * rest one at a time: with every row of W the same, every element of y
 * must come out bit-for-bit the same, for n of 1 to 9 and k of 1 to 70
 * (whole blocks of the dot product, a padded last block, or only that). */
START_TEST(matvec_rows_same_bits)
{
	if (!use_isa(_i))
		return;
	for (int f = 0; f < 2; f++)
		for (int64_t n = 1; n <= 9; n++)
			for (int64_t k = 1; k <= 70; k++) {
				size_t es = f ? 8 : 4;
				unsigned char *w = malloc((size_t)(n * k) * es);
				unsigned char *x = malloc((size_t)k * es);
				unsigned char *y = malloc((size_t)n * es);
				ck_assert(w && x && y);
				fill(w, k, f);
				for (int64_t i = 1; i < n; i++)
					memcpy(w + (size_t)(i * k) * es, w, (size_t)k * es);
				fill(x, k, f);
				int rc = f ? mm_dgemm(n, 1, k, 1.0, (double *)w, k, 1,
				                      (double *)x, 1, 1, 0.0,
				                      (double *)y, 1, 1)
				           : mm_sgemm(n, 1, k, 1.0f, (float *)w, k, 1,
				                      (float *)x, 1, 1, 0.0f,
				                      (float *)y, 1, 1);
				ck_assert_int_eq(rc, 0);
				all_same(y, n, k, f);
				free(w);
				free(x);
				free(y);
			}
}
END_TEST

/* A row vector times a matrix takes 4·VL columns at a time with the sums
 * in registers and the rest in passes over rows: with every column of B
 * the same, every element of y must come out bit-for-bit the same, for n
 * across two blocks of the widest vectors and a tail, k of 1 to 40. */
START_TEST(vecmat_columns_same_bits)
{
	if (!use_isa(_i))
		return;
	for (int f = 0; f < 2; f++)
		for (int64_t n = 1; n <= 2 * 64 + 3; n += (n < 20 ? 1 : 7))
			for (int64_t k = 1; k <= 40; k++) {
				size_t es = f ? 8 : 4;
				unsigned char *bm = malloc((size_t)(n * k) * es);
				unsigned char *x = malloc((size_t)k * es);
				unsigned char *y = malloc((size_t)n * es);
				unsigned char *col = malloc((size_t)k * es);
				ck_assert(bm && x && y && col);
				fill(col, k, f);
				for (int64_t p = 0; p < k; p++)
					for (int64_t j = 0; j < n; j++)
						memcpy(bm + (size_t)(p * n + j) * es,
						       col + (size_t)p * es, es);
				fill(x, k, f);
				int rc = f ? mm_dgemm(1, n, k, 1.0, (double *)x, k, 1,
				                      (double *)bm, n, 1, 0.0,
				                      (double *)y, n, 1)
				           : mm_sgemm(1, n, k, 1.0f, (float *)x, k, 1,
				                      (float *)bm, n, 1, 0.0f,
				                      (float *)y, n, 1);
				ck_assert_int_eq(rc, 0);
				all_same(y, n, k, f);
				free(bm);
				free(x);
				free(y);
				free(col);
			}
}
END_TEST

/* A page or more of memory followed by an inaccessible page: an operand
 * placed at its end (fence_end() - bytes) faults when read one byte past
 * its last element. */
struct fence {
	unsigned char *map;
	size_t len, body;
};

static struct fence fence_open(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct fence f = {NULL, 0, (bytes + page - 1) / page * page};
	f.len = f.body + page;
	f.map = mmap(NULL, f.len, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(f.map != MAP_FAILED);
	ck_assert_int_eq(mprotect(f.map + f.body, page, PROT_NONE), 0);
	return f;
}

static unsigned char *fence_end(const struct fence *f)
{
	return f->map + f->body;
}

/* The small path reads A and B in place where it can, B's narrow last
 * sliver included (the AVX-512 kernels load it masked, NRE). With each
 * operand ending right before an inaccessible page, in either layout, no
 * product may read past it (a fault fails the test), and each must be
 * right. */
static void inside(const struct fence fa[1], const struct fence fb[1],
                   int64_t m, int64_t n, int64_t k, bool ta, bool tb,
                   bool f64)
{
	size_t es = f64 ? 8 : 4;
	unsigned char *a = fence_end(fa) - (size_t)(m * k) * es;
	unsigned char *b = fence_end(fb) - (size_t)(k * n) * es;
	unsigned char *c = malloc((size_t)(m * n) * es);
	ck_assert(c);
	fill(a, m * k, f64);
	fill(b, k * n, f64);
	int64_t rsa = ta ? 1 : k, csa = ta ? m : 1;
	int64_t rsb = tb ? 1 : n, csb = tb ? k : 1;
	int rc = f64 ? mm_dgemm(m, n, k, 1.0, (double *)a, rsa, csa, (double *)b,
	                        rsb, csb, 0.0, (double *)c, n, 1)
	             : mm_sgemm(m, n, k, 1.0f, (float *)a, rsa, csa, (float *)b,
	                        rsb, csb, 0.0f, (float *)c, n, 1);
	ck_assert_int_eq(rc, 0);
	/* One assertion a product: check records each passing one. */
	int64_t bad = -1;
#define AT(x, i) (f64 ? ((double *)(x))[i] : (double)((float *)(x))[i])
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			double want = 0, mag = 0;
			for (int64_t p = 0; p < k; p++) {
				double t = AT(a, i * rsa + p * csa) *
				           AT(b, p * rsb + j * csb);
				want += t;
				mag += fabs(t);
			}
			double tol = 2.0 * (double)(k + 3) *
			             (f64 ? 0x1p-52 : 0x1p-23) * mag;
			if (!(fabs(AT(c, i * n + j) - want) <= tol) && bad < 0)
				bad = i * n + j;
		}
#undef AT
	ck_assert_msg(bad < 0, "%s %lldx%lldx%lld ta=%d tb=%d: C[%lld,%lld] wrong",
	              f64 ? "f64" : "f32", (long long)m, (long long)n,
	              (long long)k, ta, tb, (long long)(bad / n),
	              (long long)(bad % n));
	free(c);
}

START_TEST(reads_stay_inside)
{
	if (!use_isa(_i))
		return;
	static const int64_t ks[] = {1, 3, 64};
	const int64_t mm = MM_GEMM_MAX_MR + 1, nn = MM_GEMM_MAX_NR + 1;
	struct fence fa = fence_open((size_t)(mm * 64) * 8);
	struct fence fb = fence_open((size_t)(nn * 64) * 8);
	for (int f = 0; f < 2; f++)
		for (int64_t m = 1; m <= mm; m++)
			for (int64_t n = 1; n <= nn; n++)
				for (int t = 0; t < 4; t++)
					for (int q = 0; q < 3; q++)
						inside(&fa, &fb, m, n, ks[q], t & 1,
						       t >> 1, f);
	munmap(fa.map, fa.len);
	munmap(fb.map, fb.len);
}
END_TEST

/* Writes text to dir/index<i>/<name>, making the directory. */
static void put_file(const char *dir, int i, const char *name,
                     const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/index%d", dir, i);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/index%d/%s", dir, i, name);
	FILE *f = fopen(path, "w");
	ck_assert(f);
	fputs(text, f);
	fclose(f);
}

/* Cache sizes as Linux's sysfs gives them: the first data or unified
 * cache of each level; instruction caches, unreadable sizes and later
 * caches of a level found already are passed over. */
START_TEST(cache_sizes_from_sysfs)
{
	char dir[] = "/tmp/mmcalc-cachesXXXXXX";
	ck_assert(mkdtemp(dir));
	int64_t sz[3];
	ck_assert_int_eq(mm_gemm_caches_from(dir, sz), 0);
	ck_assert(sz[0] == 0 && sz[1] == 0 && sz[2] == 0);
	static const char *const t[][3] = {
		{"1\n", "Instruction\n", "32K\n"}, {"1\n", "Data\n", "48K\n"},
		{"2\n", "Unified\n", "many\n"}, {"2\n", "Unified\n", "2048K\n"},
		{"3\n", "Unified\n", "32M\n"}, {"3\n", "Unified\n", "16384K\n"},
	};
	for (int i = 0; i < 6; i++) {
		put_file(dir, i + (i > 3), "level", t[i][0]); /* index4 missing */
		put_file(dir, i + (i > 3), "type", t[i][1]);
		put_file(dir, i + (i > 3), "size", t[i][2]);
	}
	ck_assert_int_eq(mm_gemm_caches_from(dir, sz), 3);
	ck_assert_int_eq(sz[0], 48 * 1024);
	ck_assert_int_eq(sz[1], 2048 * 1024);
	ck_assert_int_eq(sz[2], 32 * 1024 * 1024);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A product that packs 64.5 MiB of B once for its units keeps the buffer
 * for the next large product, and a smaller product of any kind frees it. */
START_TEST(shared_buffers_trimmed)
{
	const int64_t m = 512, k = 33000, n = 512; /* B: 67.6 MB */
	float *a = calloc((size_t)(m * k), 4), *b = calloc((size_t)(k * n), 4);
	float *c = calloc((size_t)(m * n), 4);
	ck_assert(a && b && c);
	mm_gemm_set_threads(1);
	ck_assert_int_eq(mm_sgemm(m, n, k, 1, a, k, 1, b, n, 1, 0, c, n, 1), 0);
	size_t big = mm_gemm_test_shared_bytes();
	ck_assert_uint_ge(big, (size_t)(k * n * 4));
	ck_assert_int_eq(mm_sgemm(m, n, k, 1, a, k, 1, b, n, 1, 0, c, n, 1), 0);
	ck_assert_uint_eq(mm_gemm_test_shared_bytes(), big);
	ck_assert_int_eq(mm_sgemm(m, n, 512, 1, a, 512, 1, b, n, 1, 0, c, n, 1),
	                 0);
	ck_assert_uint_lt(mm_gemm_test_shared_bytes(), (size_t)64 << 20);
	/* and so does a small product, or a row vector times a matrix */
	for (int r = 0; r < 2; r++) {
		ck_assert_int_eq(mm_sgemm(m, n, k, 1, a, k, 1, b, n, 1, 0, c, n, 1), 0);
		ck_assert_uint_eq(mm_gemm_test_shared_bytes(), big);
		ck_assert_int_eq(mm_sgemm(r ? 1 : 64, 64, 64, 1, a, 64, 1, b, 64, 1,
		                          0, c, 64, 1), 0);
		ck_assert_uint_lt(mm_gemm_test_shared_bytes(), (size_t)64 << 20);
	}
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(interrupted)
{
	if (!use_isa(_i))
		return;
	int64_t n = 400;
	float *a = calloc((size_t)(n * n), 4), *b = calloc((size_t)(n * n), 4);
	float *c = calloc((size_t)(n * n), 4);
	ck_assert(a && b && c);
	for (int t = 1; t <= 2; t++) {
		mm_gemm_set_threads(t);
		mm_interrupt_request();
		ck_assert_int_eq(mm_sgemm(n, n, n, 1, a, n, 1, b, n, 1, 0, c, n, 1),
		                 MM_ERR_INTERRUPTED);
		ck_assert_int_eq(mm_sgemm(1, n * n / 4, 4, 1, a, 4, 1, b, n, 1, 0, c, n, 1),
		                 MM_ERR_INTERRUPTED);
		ck_assert_int_eq(mm_sgemm(30, 30, 30, 1, a, n, 1, b, n, 1, 0, c, n, 1),
		                 MM_ERR_INTERRUPTED);
		ck_assert_int_eq(mm_sgemm(200, 200, 200, 1, a, n, 1, b, n, 1, 0, c, n, 1),
		                 MM_ERR_INTERRUPTED);
		mm_interrupt_clear();
		ck_assert_int_eq(mm_sgemm(n, n, n, 1, a, n, 1, b, n, 1, 0, c, n, 1), 0);
	}
	free(a);
	free(b);
	free(c);
	mm_gemm_shutdown();
}
END_TEST

START_TEST(isa_names)
{
	const char *best = mm_gemm_isa();
	ck_assert(strcmp(best, "generic") == 0 || strcmp(best, "avx2") == 0 ||
	          strcmp(best, "avx512") == 0);
	ck_assert_int_eq(mm_gemm_set_isa("generic"), 0);
	ck_assert_str_eq(mm_gemm_isa(), "generic");
	ck_assert_int_eq(mm_gemm_set_isa("nonsense"), -1);
	ck_assert_str_eq(mm_gemm_isa(), "generic");
	ck_assert_int_eq(mm_gemm_set_isa(NULL), 0);
	mm_gemm_set_threads(3);
	ck_assert_int_eq(mm_gemm_threads(), 3);
	mm_gemm_set_threads(0);
	ck_assert_int_ge(mm_gemm_threads(), 1);
}
END_TEST

static Suite *gemm_suite(void)
{
	Suite *s = suite_create("gemm");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, check_can_fail);
	tcase_add_test(tc, isa_names);
	tcase_add_loop_test(tc, sizes_0_to_64, 0, NISA);
	tcase_add_loop_test(tc, transposes_strides_scalars, 0, NISA);
	tcase_add_loop_test(tc, block_boundaries, 0, NISA);
	tcase_add_loop_test(tc, random_sizes_to_300, 0, NISA);
	tcase_add_loop_test(tc, large_residual, 0, NISA);
	tcase_add_loop_test(tc, threads_bit_identical, 0, NISA);
	tcase_add_loop_test(tc, edge_tiles_same_arithmetic, 0, NISA);
	tcase_add_loop_test(tc, reads_stay_inside, 0, NISA);
	tcase_add_loop_test(tc, single_tile_same_bits, 0, NISA);
	tcase_add_loop_test(tc, matvec_rows_same_bits, 0, NISA);
	tcase_add_loop_test(tc, vecmat_columns_same_bits, 0, NISA);
	tcase_add_loop_test(tc, interrupted, 0, NISA);
	tcase_add_test(tc, shared_buffers_trimmed);
	tcase_add_test(tc, cache_sizes_from_sysfs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gemm_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
