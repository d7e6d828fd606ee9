/* test-gemm-paths.c — the GEMM's paths for the shapes AI runs, on every
 * ISA this CPU has, against the triple loop of gemm-check.h: the skinny
 * path (a few rows of A, B streamed in place), narrow products (A read in
 * place), operands packed through vector transposes, the work split and
 * the blocks packed once for all units (bits the same for 1, 2 and 3
 * threads), and batches (each entry bit for bit as mm_sgemm makes it). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "../../src/gemm/gemm_internal.h"
#include "gemm-check.h"

/* L1 4 KiB, L2 32 KiB, L3 128 KiB: blocks of a few dozen rows and
 * columns, so that small products cross every block boundary. */
static void small_caches(void)
{
	mm_gemm_test_caches(4096, 32768, 131072);
}

static void real_caches(void)
{
	mm_gemm_test_caches(0, 0, 0);
}

/* A product with B row-major and C row-major (the skinny path's
 * layouts), A either way, scalars from v. */
static struct spec plain(int64_t m, int64_t n, int64_t k, bool ta,
                         unsigned v, bool f64)
{
	static const double alphas[] = {1.0, -0.75, 1.0, 2.5};
	static const double betas[] = {0.0, 0.0, 1.0, -0.5};
	struct spec s = {m, n, k, ta, false, false, v % 3 == 2 ? 3 : 0, 1,
	                 alphas[v % 4], betas[(v / 4) % 4], f64};
	return s;
}

/* Rows of A 2 to 16 (and 17, past the skinny path), k past the small
 * path with whole and partial groups of 32 rows of B, n across slivers
 * and, with small caches, across the chunks of columns whose sums stay
 * in L2; alpha 1 and beta 0 (sums in C itself) and not. */
START_TEST(skinny_rows)
{
	if (!use_isa(_i))
		return;
	static const int64_t ks[] = {257, 288, 289, 319, 640};
	for (int f = 0; f < 2; f++)
		for (int cache = 0; cache < 2; cache++) {
			if (cache)
				small_caches();
			for (int64_t m = 2; m <= 17; m++) {
				int64_t k = ks[(m + cache) % 5];
				int64_t n = m % 4 == 0 ? 32 * m : 1 + upto(700);
				struct spec s = plain(m, n, k, m & 1, (unsigned)m, f);
				expect_ok(&s);
			}
			real_caches();
		}
}
END_TEST

/* The layouts around the skinny path: B by columns or strided, C
 * column-major or strided, alpha 0, k of 0. */
START_TEST(skinny_layouts)
{
	if (!use_isa(_i))
		return;
	for (int f = 0; f < 2; f++)
		for (unsigned v = 0; v < 40; v++) {
			struct spec s = vary(2 + upto(14), 1 + upto(500), 257 + upto(300),
			                     v, f);
			expect_ok(&s);
		}
	for (int f = 0; f < 2; f++) {
		expect_ok(&(struct spec){5, 77, 300, false, false, false, 0, 1,
		                         0.0, 0.5, f});
		expect_ok(&(struct spec){5, 77, 0, false, false, false, 0, 1,
		                         1.0, -2.0, f});
	}
}
END_TEST

/* A few rows of A times B stored by columns (x @ W.T): the blocked path
 * with k in long blocks, right against the triple loop in every layout
 * of A and C, over blocks of columns made small by small caches. */
START_TEST(skinny_b_by_columns)
{
	if (!use_isa(_i))
		return;
	for (int f = 0; f < 2; f++)
		for (int cache = 0; cache < 2; cache++) {
			if (cache)
				small_caches();
			for (unsigned v = 0; v < 16; v++) {
				struct spec s = {2 + upto(14), 1 + upto(600),
				                 257 + upto(400), v & 1, true, v & 2,
				                 v % 3 == 1 ? 3 : 0, 1, v & 4 ? 1.0 : -0.5,
				                 v & 8 ? 0.0 : 0.75, f};
				expect_ok(&s);
			}
			real_caches();
		}
	/* k past SKINNY_KC: two blocks */
	for (int f = 0; f < 2; f++) {
		struct spec s = {3, 40, 8200, false, true, false, 0, 1, 1.0, 0.0, f};
		expect_ok(&s);
	}
}
END_TEST

/* The rows kernel of the skinny path takes its rows in groups (up to 8
 * with AVX-512, 4 otherwise) and its columns in slivers of as many
 * vectors as the group leaves registers for, the last columns through a
 * padded copy: with every row of A the same and every column of B the
 * same, every element of C must come out bit for bit the same, for every
 * m of the path, n in and across slivers and tails, k over one and
 * several blocks of B's rows, alpha 1 and beta 0 or not. */
START_TEST(skinny_same_bits)
{
	if (!use_isa(_i))
		return;
	static const int64_t ns[] = {1, 5, 16, 33, 47, 48, 49, 97, 130, 257};
	mm_gemm_set_threads(1);
	for (int f = 0; f < 2; f++)
		for (int64_t m = 2; m <= 16; m++)
			for (size_t q = 0; q < sizeof ns / sizeof ns[0]; q++) {
				int64_t n = ns[q], k = 257 + 3 * m + (int64_t)q;
				size_t es = f ? 8 : 4;
				unsigned char *a = malloc((size_t)(m * k) * es);
				unsigned char *b = malloc((size_t)(k * n) * es);
				unsigned char *c = malloc((size_t)(m * n) * es);
				ck_assert(a && b && c);
				fill(a, k, f);
				for (int64_t i = 1; i < m; i++)
					memcpy(a + (size_t)(i * k) * es, a, (size_t)k * es);
				unsigned char *col = malloc((size_t)k * es);
				ck_assert(col);
				fill(col, k, f);
				for (int64_t p = 0; p < k; p++)
					for (int64_t j = 0; j < n; j++)
						memcpy(b + (size_t)(p * n + j) * es,
						       col + (size_t)p * es, es);
				double beta = q % 2 ? 0.5 : 0.0;
				for (int64_t x = 0; x < m * n; x++)
					memcpy(c + (size_t)x * es, col, es);
				int rc = f ? mm_dgemm(m, n, k, q % 3 ? 1.0 : -0.75,
				                      (double *)a, k, 1, (double *)b, n, 1,
				                      beta, (double *)c, n, 1)
				           : mm_sgemm(m, n, k, q % 3 ? 1.0f : -0.75f,
				                      (float *)a, k, 1, (float *)b, n, 1,
				                      (float)beta, (float *)c, n, 1);
				ck_assert_int_eq(rc, 0);
				for (int64_t x = 1; x < m * n; x++)
					ck_assert_msg(memcmp(c, c + (size_t)x * es, es) == 0,
					              "%s %lldx%lldx%lld: C[%lld,%lld] "
					              "differs from C[0,0]", f ? "f64" : "f32",
					              (long long)m, (long long)n, (long long)k,
					              (long long)(x / n), (long long)(x % n));
				free(a);
				free(b);
				free(c);
				free(col);
			}
}
END_TEST

/* n of at most eight slivers, A row-major: A is read in place, its last
 * tile of m mod MR rows copied where the kernel reads whole tiles; A by
 * columns is packed as usual. */
START_TEST(narrow_n)
{
	if (!use_isa(_i))
		return;
	const struct mm_gemm_isa_kernels *kr = mm_gemm_select(isas[_i]);
	for (int f = 0; f < 2; f++) {
		int64_t nr = f ? kr->nr_d : kr->nr_s, mr = f ? kr->mr_d : kr->mr_s;
		for (int64_t n = 1; n <= 8 * nr + 1; n += (n < 4 ? 1 : 5 + n / 4)) {
			int64_t m = 17 + 8 * upto(30) + n % mr;
			int64_t k = 257 + upto(400);
			struct spec s = plain(m, n, k, false, (unsigned)n, f);
			expect_ok(&s);
			s = vary(m, n, k, (unsigned)n, f);
			expect_ok(&s);
		}
		/* k past the long blocks of a narrow product's A tile */
		for (int64_t n = nr - 1; n <= nr + 1; n++) {
			struct spec s = plain(53, n, 2100, false, (unsigned)n, f);
			expect_ok(&s);
		}
		small_caches();
		for (int64_t r = 0; r < mr; r++) {
			struct spec s = plain(100 + r, 3 * nr, 333, false,
			                      (unsigned)r, f);
			expect_ok(&s);
		}
		real_caches();
	}
}
END_TEST

/* The blocked path with every pair of transposes: a row-major A and a B
 * stored by columns are packed through vector transposes (16 or 8 rows
 * at a time, then the rest one by one), around those widths. */
START_TEST(transposed_packing)
{
	if (!use_isa(_i))
		return;
	static const int64_t sizes[][3] = {
		{100, 131, 300}, {37, 200, 257}, {129, 65, 401}, {64, 64, 512},
		{250, 97, 263},
	};
	for (int f = 0; f < 2; f++)
		for (size_t q = 0; q < sizeof sizes / sizeof sizes[0]; q++)
			for (int t = 0; t < 4; t++) {
				struct spec s = {sizes[q][0], sizes[q][1], sizes[q][2],
				                 t & 1, t >> 1, false, q % 2 ? 3 : 0, 1,
				                 1.0, q % 3 ? 0.0 : 0.5, f};
				expect_ok(&s);
			}
	small_caches();
	for (int f = 0; f < 2; f++)
		for (int t = 0; t < 4; t++) {
			struct spec s = {211, 173, 300, t & 1, t >> 1, false, 0, 1,
			                 -1.0, 0.0, f};
			expect_ok(&s);
		}
	real_caches();
}
END_TEST

/* The same product on 1, 2 and 3 threads must be bit for bit the same. */
static void bits_1_2_3(int64_t m, int64_t n, int64_t k, bool f64, bool tb)
{
	size_t es = f64 ? 8 : 4;
	unsigned char *a = malloc((size_t)(m * k) * es);
	unsigned char *b = malloc((size_t)(k * n) * es);
	unsigned char *c[3];
	ck_assert(a && b);
	fill(a, m * k, f64);
	fill(b, k * n, f64);
	int64_t rsb = tb ? 1 : n, csb = tb ? k : 1;
	for (int t = 0; t < 3; t++) {
		c[t] = calloc((size_t)(m * n), es);
		ck_assert(c[t]);
		mm_gemm_set_threads(t + 1);
		int rc = f64 ? mm_dgemm(m, n, k, 1.5, (double *)a, k, 1,
		                        (double *)b, rsb, csb, 0.0, (double *)c[t],
		                        n, 1)
		             : mm_sgemm(m, n, k, 1.5f, (float *)a, k, 1, (float *)b,
		                        rsb, csb, 0.0f, (float *)c[t], n, 1);
		ck_assert_int_eq(rc, 0);
	}
	for (int t = 1; t < 3; t++)
		ck_assert_msg(memcmp(c[0], c[t], (size_t)(m * n) * es) == 0,
		              "%s %lldx%lldx%lld: %d threads differ from 1",
		              f64 ? "f64" : "f32", (long long)m, (long long)n,
		              (long long)k, t + 1);
	free(a);
	free(b);
	for (int t = 0; t < 3; t++)
		free(c[t]);
	mm_gemm_set_threads(1);
}

START_TEST(threads_every_path)
{
	if (!use_isa(_i))
		return;
	for (int f = 0; f < 2; f++) {
		bits_1_2_3(8, 3000, 400, f, false);     /* skinny */
		bits_1_2_3(16, 1000, 300, f, false);
		for (int64_t m = 2; m <= 15; m += 3)   /* its row groups, */
			bits_1_2_3(m, 2000 + 7 * m, 270, f, false); /* tails */
		bits_1_2_3(8, 3000, 400, f, true);      /* skinny, B by columns */
		bits_1_2_3(600, 40, 500, f, false);     /* narrow */
		bits_1_2_3(384, 384, 384, f, false);    /* units a multiple */
		bits_1_2_3(96, 96, 96, f, false);       /* small, split in rows */
		bits_1_2_3(24, 230, 120, f, false);     /* small, in columns */
		bits_1_2_3(131, 20, 200, f, true);      /* small, odd rows */
		bits_1_2_3(1000, 417, 300, f, false);   /* even B blocks */
		bits_1_2_3(300, 260, 300, f, true);     /* B by columns */
		small_caches();                         /* grids, shared blocks */
		bits_1_2_3(333, 251, 300, f, false);
		bits_1_2_3(200, 700, 300, f, true);
		bits_1_2_3(12, 900, 300, f, false);
		real_caches();
	}
}
END_TEST

/* A batch, entry strides bs_a (0: one A for all), on `threads` threads,
 * against each entry computed alone by mm_sgemm/mm_dgemm on one thread:
 * the bits must be the same. C column-major if tc. */
static void batch_same(int64_t batch, int64_t m, int64_t n, int64_t k,
                       bool share_a, bool tc, int threads, bool f64)
{
	size_t es = f64 ? 8 : 4;
	int64_t bs_a = share_a ? 0 : m * k, bs_b = k * n, bs_c = m * n;
	int64_t rs_c = tc ? 1 : n, cs_c = tc ? m : 1;
	unsigned char *a = malloc((size_t)((share_a ? 1 : batch) * m * k) * es);
	unsigned char *b = malloc((size_t)(batch * k * n) * es);
	unsigned char *c = malloc((size_t)(batch * m * n) * es);
	unsigned char *one = malloc((size_t)(m * n) * es);
	ck_assert(a && b && c && one);
	fill(a, (share_a ? 1 : batch) * m * k, f64);
	fill(b, batch * k * n, f64);
	fill(c, batch * m * n, f64);
	unsigned char *c0 = malloc((size_t)(batch * m * n) * es);
	ck_assert(c0);
	memcpy(c0, c, (size_t)(batch * m * n) * es);
	mm_gemm_set_threads(threads);
	int rc = f64 ? mm_dgemm_batch(batch, m, n, k, 0.5, (double *)a, bs_a, k,
	                              1, (double *)b, bs_b, n, 1, 0.25,
	                              (double *)c, bs_c, rs_c, cs_c)
	             : mm_sgemm_batch(batch, m, n, k, 0.5f, (float *)a, bs_a, k,
	                              1, (float *)b, bs_b, n, 1, 0.25f,
	                              (float *)c, bs_c, rs_c, cs_c);
	ck_assert_int_eq(rc, 0);
	mm_gemm_set_threads(1);
	for (int64_t q = 0; q < batch; q++) {
		memcpy(one, c0 + (size_t)(q * bs_c) * es, (size_t)(m * n) * es);
		const unsigned char *aq = a + (size_t)(q * bs_a) * es;
		const unsigned char *bq = b + (size_t)(q * bs_b) * es;
		rc = f64 ? mm_dgemm(m, n, k, 0.5, (const double *)aq, k, 1,
		                    (const double *)bq, n, 1, 0.25, (double *)one,
		                    rs_c, cs_c)
		         : mm_sgemm(m, n, k, 0.5f, (const float *)aq, k, 1,
		                    (const float *)bq, n, 1, 0.25f, (float *)one,
		                    rs_c, cs_c);
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(memcmp(one, c + (size_t)(q * bs_c) * es,
		                     (size_t)(m * n) * es) == 0,
		              "%s batch %lld of %lldx%lldx%lld, %d threads: "
		              "entry %lld differs from mm_gemm alone",
		              f64 ? "f64" : "f32", (long long)batch, (long long)m,
		              (long long)n, (long long)k, threads, (long long)q);
	}
	free(a);
	free(b);
	free(c);
	free(c0);
	free(one);
}

/* As batch_same for B stored by columns (entries k×n, column-major). */
static void batch_same_tb(int64_t batch, int64_t m, int64_t n, int64_t k,
                          int threads, bool f64)
{
	size_t es = f64 ? 8 : 4;
	unsigned char *a = malloc((size_t)(batch * m * k) * es);
	unsigned char *b = malloc((size_t)(batch * k * n) * es);
	unsigned char *c = malloc((size_t)(batch * m * n) * es);
	unsigned char *one = malloc((size_t)(m * n) * es);
	ck_assert(a && b && c && one);
	fill(a, batch * m * k, f64);
	fill(b, batch * k * n, f64);
	mm_gemm_set_threads(threads);
	int rc = f64 ? mm_dgemm_batch(batch, m, n, k, 1.0, (double *)a, m * k, k,
	                              1, (double *)b, k * n, 1, k, 0.0,
	                              (double *)c, m * n, n, 1)
	             : mm_sgemm_batch(batch, m, n, k, 1.0f, (float *)a, m * k, k,
	                              1, (float *)b, k * n, 1, k, 0.0f,
	                              (float *)c, m * n, n, 1);
	ck_assert_int_eq(rc, 0);
	mm_gemm_set_threads(1);
	for (int64_t q = 0; q < batch; q++) {
		const unsigned char *aq = a + (size_t)(q * m * k) * es;
		const unsigned char *bq = b + (size_t)(q * k * n) * es;
		rc = f64 ? mm_dgemm(m, n, k, 1.0, (const double *)aq, k, 1,
		                    (const double *)bq, 1, k, 0.0, (double *)one, n, 1)
		         : mm_sgemm(m, n, k, 1.0f, (const float *)aq, k, 1,
		                    (const float *)bq, 1, k, 0.0f, (float *)one, n, 1);
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(memcmp(one, c + (size_t)(q * m * n) * es,
		                     (size_t)(m * n) * es) == 0,
		              "B by columns: entry %lld differs", (long long)q);
	}
	free(a);
	free(b);
	free(c);
	free(one);
}

/* Entries of every path (small, skinny, narrow, blocked, matrix-vector),
 * batches a multiple of the threads (entries shared out) or not (one
 * after the other), A shared by all entries or not, C by columns. */
START_TEST(batch_entries)
{
	if (!use_isa(_i))
		return;
	static const int64_t shapes[][3] = {
		{20, 40, 30}, {8, 200, 300}, {300, 40, 400}, {130, 140, 300},
		{1, 300, 500}, {3, 3, 3},
	};
	/* B by columns, the skinny path's other half */
	for (int f = 0; f < 2; f++)
		for (int t = 1; t <= 3; t += 2)
			batch_same_tb(6, 8, 100, 400, t, f);
	for (int f = 0; f < 2; f++)
		for (size_t q = 0; q < sizeof shapes / sizeof shapes[0]; q++)
			for (int t = 1; t <= 3; t++) {
				const int64_t *s = shapes[q];
				batch_same(6, s[0], s[1], s[2], false, false, t, f);
				batch_same(5, s[0], s[1], s[2], q % 2, q % 3 == 0, t, f);
			}
	small_caches();
	for (int f = 0; f < 2; f++)
		batch_same(4, 150, 90, 300, false, true, 2, f);
	real_caches();
}
END_TEST

/* A batch of nothing, of empty products, and one with alpha 0 or k 0
 * (C scaled by beta), and an interrupted one. */
START_TEST(batch_edges)
{
	float a[64], b[64], c[64];
	for (int i = 0; i < 64; i++)
		a[i] = b[i] = 1, c[i] = 2;
	mm_gemm_set_threads(2);
	ck_assert_int_eq(mm_sgemm_batch(0, 2, 2, 2, 1, a, 4, 2, 1, b, 4, 2, 1,
	                                0, c, 4, 2, 1), 0);
	ck_assert(c[0] == 2);
	ck_assert_int_eq(mm_sgemm_batch(4, 0, 2, 2, 1, a, 4, 2, 1, b, 4, 2, 1,
	                                0, c, 4, 2, 1), 0);
	ck_assert(c[0] == 2);
	ck_assert_int_eq(mm_sgemm_batch(4, 2, 2, 2, 0, a, 4, 2, 1, b, 4, 2, 1,
	                                0.5f, c, 4, 2, 1), 0);
	for (int i = 0; i < 16; i++)
		ck_assert(c[i] == 1);
	ck_assert(c[16] == 2);
	ck_assert_int_eq(mm_sgemm_batch(4, 2, 2, 0, 1, a, 4, 2, 1, b, 4, 2, 1,
	                                0, c, 4, 2, 1), 0);
	for (int i = 0; i < 16; i++)
		ck_assert(c[i] == 0);
	ck_assert_int_eq(mm_sgemm_batch(4, 2, 2, 2, 1, a, 0, 2, 1, b, 4, 2, 1,
	                                0, c, 4, 2, 1), 0);
	for (int i = 0; i < 16; i++)
		ck_assert(c[i] == 2);
	int64_t n = 200;
	float *x = calloc((size_t)(4 * n * n), 4), *y = calloc((size_t)(4 * n * n), 4);
	ck_assert(x && y);
	mm_interrupt_request();
	ck_assert_int_eq(mm_sgemm_batch(4, n, n, n, 1, x, n * n, n, 1, x,
	                                n * n, n, 1, 0, y, n * n, n, 1),
	                 MM_ERR_INTERRUPTED);
	mm_interrupt_clear();
	free(x);
	free(y);
	mm_gemm_set_threads(1);
}
END_TEST

static Suite *paths_suite(void)
{
	Suite *s = suite_create("gemm-paths");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, skinny_rows, 0, NISA);
	tcase_add_loop_test(tc, skinny_layouts, 0, NISA);
	tcase_add_loop_test(tc, skinny_b_by_columns, 0, NISA);
	tcase_add_loop_test(tc, skinny_same_bits, 0, NISA);
	tcase_add_loop_test(tc, narrow_n, 0, NISA);
	tcase_add_loop_test(tc, transposed_packing, 0, NISA);
	tcase_add_loop_test(tc, threads_every_path, 0, NISA);
	tcase_add_loop_test(tc, batch_entries, 0, NISA);
	tcase_add_test(tc, batch_edges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(paths_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	mm_gemm_shutdown();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
