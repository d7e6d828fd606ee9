/* bench-einsum.c — einsum against the same product written with @, side
 * by side in one run: for each case the two are timed alternately, N
 * runs each, and the medians, their ratio (einsum / @) and the range of
 * the runs' ratios are printed, with the CPU model and thread count. The
 * results are compared too. Cases: a 1024³ matrix product, attention's
 * scores and output (bhqd,bhkd->bhqk and bhqk,bhkd->bhqd against
 * Q @ K.T and P @ V), and scores from (b, s, h, d) layouts, whose @ form
 * needs two permutes. Exit status 1 when a result differs or, in the full
 * run, the 1024³ product's ratio passes 1.2 (issue 21's bound).
 * --quick: sizes divided by 4 and 5 runs, ratios reported only;
 * --threads N: the GEMM's threads (the default: one per core). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmcalc/einsum.h"
#include "mmcalc/gemm.h"
#include "mmcalc/ops.h"

#define MAX_RUNS 15

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void cpu_model(char *out, size_t cap)
{
	snprintf(out, cap, "unknown CPU");
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "model name", 10) == 0) {
			char *c = strchr(line, ':');
			if (c) {
				c += 2;
				c[strcspn(c, "\n")] = '\0';
				snprintf(out, cap, "%s", c);
			}
			break;
		}
	if (f)
		fclose(f);
}

/* The @ side of a case: the product written with matmul and views. */
typedef mm_tensor *matmul_form(mm_tensor *a, mm_tensor *b, mm_diag *d);

static mm_tensor *plain(mm_tensor *a, mm_tensor *b, mm_diag *d)
{
	return mm_op_matmul(a, b, d);
}

static mm_tensor *times_bt(mm_tensor *a, mm_tensor *b, mm_diag *d)
{
	mm_tensor *bt = mm_tensor_transpose(b, d);
	mm_tensor *r = bt ? mm_op_matmul(a, bt, d) : NULL;
	mm_tensor_unref(bt);
	return r;
}

/* (b, s, h, d) layouts: permute(Q, 0, 2, 1, 3) @ permute(K, 0, 2, 3, 1) */
static mm_tensor *heads_last(mm_tensor *a, mm_tensor *b, mm_diag *d)
{
	mm_tensor *qa = mm_tensor_permute(a, (int[]){0, 2, 1, 3}, d);
	mm_tensor *kb = qa ? mm_tensor_permute(b, (int[]){0, 2, 3, 1}, d) : NULL;
	mm_tensor *r = kb ? mm_op_matmul(qa, kb, d) : NULL;
	mm_tensor_unref(qa);
	mm_tensor_unref(kb);
	return r;
}

/* The largest difference between two results, relative to the largest
 * element. */
static double rel_diff(const mm_tensor *x, const mm_tensor *y)
{
	if (!mm_tensor_same_shape(x, y))
		return INFINITY;
	double num = 0, den = 0;
	for (int64_t i = 0; i < mm_tensor_numel(x); i++) {
		double a = mm_tensor_get_flat(x, i), b = mm_tensor_get_flat(y, i);
		num = fmax(num, fabs(a - b));
		den = fmax(den, fabs(b));
	}
	return den ? num / den : num;
}

/* Times einsum(spec, A, B) against form(A, B) alternately; prints a row;
 * *ratio gets the medians' ratio. False on an error or a wrong result. */
static bool bench(const char *spec, int na, const int64_t *sa, int nb,
                  const int64_t *sb, matmul_form *form, const char *as,
                  int runs, double *ratio)
{
	mm_diag d;
	mm_rng rng;
	mm_rng_seed(&rng, 7);
	mm_tensor *a = mm_tensor_randn(&rng, MM_F32, na, sa, &d);
	mm_tensor *b = a ? mm_tensor_randn(&rng, MM_F32, nb, sb, &d) : NULL;
	mm_shape shapes[2] = {mm_shape_make(na, sa), mm_shape_make(nb, sb)}, out;
	mm_einsum p;
	if (!b || mm_einsum_plan(spec, shapes, 2, &p, &out, NULL, NULL, &d) !=
	              MM_OK) {
		fprintf(stderr, "bench-einsum: %s: %s\n", spec, d.message);
		return false;
	}
	const mm_tensor *in[2] = {a, b};
	double te[MAX_RUNS], tm[MAX_RUNS], rr[MAX_RUNS], diff = 0;
	/* warm up both: the GEMM's threads and packing buffers */
	mm_tensor_unref(mm_op_einsum(&p, in, &d));
	mm_tensor_unref(form(a, b, &d));
	for (int r = 0; r < runs; r++) {
		double t0 = now();
		mm_tensor *x = mm_op_einsum(&p, in, &d);
		double t1 = now();
		mm_tensor *y = x ? form(a, b, &d) : NULL;
		double t2 = now();
		if (!y) {
			fprintf(stderr, "bench-einsum: %s: %s\n", spec, d.message);
			return false;
		}
		if (r == 0)
			diff = rel_diff(x, y);
		mm_tensor_unref(x);
		mm_tensor_unref(y);
		te[r] = t1 - t0;
		tm[r] = t2 - t1;
		rr[r] = te[r] / tm[r];
	}
	double flops = 2; /* 2 per MAC of every distinct letter */
	bool seen[MM_EINSUM_LABELS] = {false};
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < p.nd[k]; j++)
			if (!seen[p.lab[k][j]]) {
				seen[p.lab[k][j]] = true;
				flops *= (double)p.size[p.lab[k][j]];
			}
	double me = median(te, runs), mm = median(tm, runs);
	qsort(rr, (size_t)runs, sizeof *rr, cmp);
	*ratio = me / mm;
	printf("  %-22s %-26s %8.2f ms %6.1f GF/s  %8.2f ms %6.1f GF/s  "
	       "%5.3f  [%5.3f, %5.3f]\n", spec, as, me * 1e3, flops / me / 1e9,
	       mm * 1e3, flops / mm / 1e9, *ratio, rr[0], rr[runs - 1]);
	mm_tensor_unref(a);
	mm_tensor_unref(b);
	if (diff > 1e-5) {
		fprintf(stderr, "bench-einsum: %s differs from %s by %g\n", spec, as,
		        diff);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			mm_gemm_set_threads(atoi(argv[++i]));
	}
	int runs = quick ? 5 : 11, f = quick ? 4 : 1;
	char cpu[128];
	cpu_model(cpu, sizeof cpu);
	printf("einsum against @, f32, median of %d alternating runs; %s, %d "
	       "thread%s\n", runs, cpu, mm_gemm_threads(),
	       mm_gemm_threads() == 1 ? "" : "s");
	printf("  %-22s %-26s %20s  %20s  %5s  %s\n", "einsum", "@ form",
	       "einsum", "@", "ratio", "[runs' range]");
	int64_t n = 1024 / f, b = 4, h = 8, s = 512 / f, dd = 64;
	double r0, r;
	bool ok = bench("ij,jk->ik", 2, (int64_t[]){n, n}, 2, (int64_t[]){n, n},
	                plain, "A @ B", runs, &r0);
	ok = ok && bench("bhqd,bhkd->bhqk", 4, (int64_t[]){b, h, s, dd}, 4,
	                 (int64_t[]){b, h, s, dd}, times_bt, "Q @ K.T", runs, &r);
	ok = ok && bench("bhqk,bhkd->bhqd", 4, (int64_t[]){b, h, s, s}, 4,
	                 (int64_t[]){b, h, s, dd}, plain, "P @ V", runs, &r);
	ok = ok && bench("bqhd,bkhd->bhqk", 4, (int64_t[]){b, s, h, dd}, 4,
	                 (int64_t[]){b, s, h, dd}, heads_last,
	                 "permute(Q) @ permute(K)", runs, &r);
	if (!ok)
		return 1;
	if (!quick && r0 > 1.2) {
		printf("FAIL: the %lld³ product's einsum is %.3f times @ (at most "
		       "1.2)\n", (long long)n, r0);
		return 1;
	}
	return 0;
}
