/* bench-gemm.c — mmcalc's GEMM against OpenBLAS (when built with it), side
 * by side: for each size, threads and type, the two run alternately and the
 * best of several runs counts. Prints GFLOP/s and the ratio mmcalc/OpenBLAS.
 *
 *   bench-gemm [--quick] [--rounds N] [--threads N] [--f32|--f64]
 *              [--size MxKxN]...
 *
 * On AVX-512 CPUs OpenBLAS 0.3.21 needs OPENBLAS_CORETYPE=SkylakeX to use
 * its AVX-512 kernels; it reads the variable when the library is loaded,
 * before main, so the bench sets it and re-executes itself. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmcalc/gemm.h"

#ifdef HAVE_OPENBLAS
#include <cblas.h>
#endif

struct shape {
	int64_t m, k, n;
	const char *label;
};

static const struct shape full[] = {
	{64, 64, 64, NULL}, {128, 128, 128, NULL}, {256, 256, 256, NULL},
	{512, 512, 512, NULL}, {1000, 1000, 1000, NULL},
	{1024, 1024, 1024, NULL}, {1025, 1025, 1025, NULL},
	{2048, 2048, 2048, NULL}, {4096, 4096, 4096, NULL},
	{1024, 4096, 4096, "layer"}, {4096, 128, 4096, "attn scores"},
	{1, 4096, 4096, "one token"},
};
static const struct shape quick[] = {
	{64, 64, 64, NULL}, {128, 128, 128, NULL}, {256, 256, 256, NULL},
	{1, 1024, 1024, "one token"},
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct problem {
	struct shape s;
	bool f64;
	void *a, *b, *c;
};

/* One product by mmcalc (lib 0) or OpenBLAS (lib 1), row-major. */
static void multiply(const struct problem *p, int lib)
{
	int64_t m = p->s.m, n = p->s.n, k = p->s.k;
	if (lib == 0) {
		int rc = p->f64 ? mm_dgemm(m, n, k, 1.0, p->a, k, 1, p->b, n, 1,
		                           0.0, p->c, n, 1)
		                : mm_sgemm(m, n, k, 1.0f, p->a, k, 1, p->b, n, 1,
		                           0.0f, p->c, n, 1);
		if (rc) {
			fprintf(stderr, "bench-gemm: gemm failed (%d)\n", rc);
			exit(1);
		}
		return;
	}
#ifdef HAVE_OPENBLAS
	if (p->f64)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m,
		            (int)n, (int)k, 1.0, p->a, (int)k, p->b, (int)n,
		            0.0, p->c, (int)n);
	else
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m,
		            (int)n, (int)k, 1.0f, p->a, (int)k, p->b, (int)n,
		            0.0f, p->c, (int)n);
#endif
}

/* Seconds per product: enough repetitions to last `min_time`. */
static double timed(const struct problem *p, int lib, int reps)
{
	double t0 = now();
	for (int r = 0; r < reps; r++)
		multiply(p, lib);
	return (now() - t0) / reps;
}

static void *filled(int64_t count, bool f64)
{
	void *x = aligned_alloc(64, (size_t)((count * (f64 ? 8 : 4) + 63) / 64 * 64));
	if (!x) {
		fprintf(stderr, "bench-gemm: out of memory\n");
		exit(1);
	}
	uint64_t s = 0x9e3779b97f4a7c15u;
	for (int64_t i = 0; i < count; i++) {
		s = s * 6364136223846793005u + 1442695040888963407u;
		double v = (double)(s >> 11) * 0x1p-53 - 0.5;
		if (f64)
			((double *)x)[i] = v;
		else
			((float *)x)[i] = (float)v;
	}
	return x;
}

static void set_threads(int t)
{
	mm_gemm_set_threads(t);
#ifdef HAVE_OPENBLAS
	openblas_set_num_threads(t);
#endif
}

static void bench(const struct shape *s, bool f64, int threads, int rounds,
                  bool have_blas)
{
	struct problem p = {*s, f64, filled(s->m * s->k, f64),
	                    filled(s->k * s->n, f64), filled(s->m * s->n, f64)};
	double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;
	set_threads(threads);
	int libs = have_blas ? 2 : 1;
	/* Warm up (threads, buffers, caches) and size the repetitions so a
	 * timed sample lasts about 50 ms. The time of one product is taken
	 * over 10 ms or more: a first call alone (cold caches, page faults)
	 * took 100 times as long as the next at 12^3, and sized samples of
	 * under a millisecond, whose ratios moved by 20% from run to run. */
	int reps = 1;
	double t1 = timed(&p, 0, 1);
	if (have_blas)
		timed(&p, 1, 1);
	while (t1 * reps < 0.01 && reps < (1 << 24)) {
		reps *= 4;
		t1 = timed(&p, 0, reps);
	}
	reps = t1 > 0.05 ? 1 : (int)(0.05 / (t1 + 1e-9)) + 1;
	double best[2] = {1e30, 1e30};
	for (int r = 0; r < rounds; r++)
		for (int lib = 0; lib < libs; lib++) {
			/* alternate which goes first, so neither always gets the
			 * warmer caches or the quieter moment */
			int which = (r & 1) ? libs - 1 - lib : lib;
			double t = timed(&p, which, reps);
			if (t < best[which])
				best[which] = t;
		}
	char name[64];
	if (s->m == s->k && s->k == s->n)
		snprintf(name, sizeof name, "%lld", (long long)s->m);
	else
		snprintf(name, sizeof name, "%lldx%lld@%lldx%lld", (long long)s->m,
		         (long long)s->k, (long long)s->k, (long long)s->n);
	double g0 = flops / best[0] * 1e-9;
	if (have_blas) {
		double g1 = flops / best[1] * 1e-9;
		printf("%-22s %-4s %7d %10.1f %10.1f %7.2f%s%s\n", name,
		       f64 ? "f64" : "f32", threads, g0, g1, g0 / g1,
		       s->label ? "  " : "", s->label ? s->label : "");
	} else {
		printf("%-22s %-4s %7d %10.1f %10s %7s%s%s\n", name,
		       f64 ? "f64" : "f32", threads, g0, "-", "-",
		       s->label ? "  " : "", s->label ? s->label : "");
	}
	fflush(stdout);
	free(p.a);
	free(p.b);
	free(p.c);
}

/* Sets OPENBLAS_CORETYPE=SkylakeX on AVX-512 CPUs (unless the user chose
 * a core) and re-executes, since OpenBLAS reads it when it is loaded. */
static void coretype_for_openblas(char **argv)
{
#if defined(HAVE_OPENBLAS) && (defined(__x86_64__) || defined(__i386__))
	if (getenv("OPENBLAS_CORETYPE") || getenv("BENCH_GEMM_REEXEC"))
		return;
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx512f"))
		return;
	setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
	setenv("BENCH_GEMM_REEXEC", "1", 1);
	execv("/proc/self/exe", argv);
	perror("bench-gemm: re-exec failed, OpenBLAS keeps its own core choice");
#else
	(void)argv;
#endif
}

int main(int argc, char **argv)
{
	coretype_for_openblas(argv);
	bool is_quick = false, only32 = false, only64 = false;
	int rounds = 5, only_threads = 0;
	struct shape custom[32];
	size_t ncustom = 0;
	for (int i = 1; i < argc; i++) {
		long long m, k, n;
		if (strcmp(argv[i], "--quick") == 0)
			is_quick = true;
		else if (strcmp(argv[i], "--f32") == 0)
			only32 = true;
		else if (strcmp(argv[i], "--f64") == 0)
			only64 = true;
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			only_threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc &&
		         ncustom < 32 &&
		         sscanf(argv[++i], "%lldx%lldx%lld", &m, &k, &n) == 3)
			custom[ncustom++] = (struct shape){m, k, n, NULL};
		else {
			fprintf(stderr, "usage: %s [--quick] [--rounds N] "
			        "[--threads N] [--f32|--f64] [--size MxKxN]...\n",
			        argv[0]);
			return 2;
		}
	}
	if (rounds < 1)
		rounds = 1;
	const struct shape *shapes = ncustom ? custom : is_quick ? quick : full;
	size_t nshapes = ncustom ? ncustom
	               : is_quick ? sizeof quick / sizeof quick[0]
	                          : sizeof full / sizeof full[0];
	if (is_quick)
		rounds = rounds < 2 ? rounds : 2;

	bool have_blas = false;
#ifdef HAVE_OPENBLAS
	have_blas = true;
	printf("# OpenBLAS %s, core %s (OPENBLAS_CORETYPE=%s)\n",
	       openblas_get_config(), openblas_get_corename(),
	       getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset");
#else
	printf("# OpenBLAS not built in: mmcalc figures only\n");
#endif
	printf("# mmcalc kernels: %s; best of %d alternating runs; GFLOP/s = "
	       "2mnk/time\n", mm_gemm_isa(), rounds);
	printf("%-22s %-4s %7s %10s %10s %7s\n", "size (m k n)", "type",
	       "threads", "mmcalc", "OpenBLAS", "ratio");
	int maxt = mm_gemm_threads();
	for (size_t i = 0; i < nshapes; i++)
		for (int f = 0; f < 2; f++) {
			if ((f == 0 && only64) || (f == 1 && only32))
				continue;
			for (int t = 1; t <= 2 && t <= (maxt > 1 ? 2 : 1); t++) {
				if (only_threads && t != only_threads)
					continue;
				bench(&shapes[i], f == 1, t, rounds, have_blas);
			}
		}
	mm_gemm_shutdown();
	return 0;
}
