/* bench-cli.c — the command as a user meets it: statements per second on a
 * large generated shape-only script piped in, the time from start to exit
 * for one -e expression, and what `:bench` reports for a product against
 * the GEMM kernel called directly on the same sizes (the evaluator and the
 * timing must add nothing); :explain of a 96-layer model written with
 * repeat, and its memory against L. Usage: bench-cli MMCALC [--quick]. */
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmcalc/gemm.h"

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs argv with stdin from in_path and stdout to out_path (each NULL:
 * /dev/null); returns the exit status or -1. */
static int run_to(char *const argv[], const char *in_path, const char *out_path)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in_path ? in_path : "/dev/null",
	                                 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	int st = -1;
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0)
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run(char *const argv[], const char *in_path)
{
	return run_to(argv, in_path, NULL);
}

/* `:bench (NxN) @ (NxN)` (5 runs, as a user types it) on one thread in
 * mmcalc, against the best of many calls of mm_sgemm on the same sizes
 * here. Returns false if mmcalc failed or printed no rate. */
static bool bench_parity(char *mmcalc, int n)
{
	char cmd[64], out[] = "/tmp/mmcalc-bench-out-XXXXXX";
	int fd = mkstemp(out);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(cmd, sizeof cmd, ":bench (%dx%d) @ (%dx%d)", n, n, n, n);
	char *argv[] = {mmcalc, "--json", "-e", ":threads 1", "-e", cmd, NULL};
	double rate = -1;
	if (run_to(argv, NULL, out) == 0) {
		FILE *f = fopen(out, "r");
		char line[4096];
		while (f && fgets(line, sizeof line, f)) {
			const char *g = strstr(line, "\"gflops\":");
			if (g)
				rate = strtod(g + 9, NULL);
		}
		if (f)
			fclose(f);
	}
	unlink(out);
	if (rate <= 0)
		return false;

	float *a = malloc(sizeof *a * (size_t)n * (size_t)n);
	float *b = malloc(sizeof *b * (size_t)n * (size_t)n);
	float *c = malloc(sizeof *c * (size_t)n * (size_t)n);
	if (!a || !b || !c)
		return false;
	for (long i = 0; i < (long)n * n; i++) {
		a[i] = (float)(i % 7) - 3.0f;
		b[i] = (float)(i % 5) - 2.0f;
	}
	mm_gemm_set_threads(1);
	double flops = 2.0 * n * n * n, best = 1e9, t_end = now() + 0.5;
	while (now() < t_end) {
		double t0 = now();
		mm_sgemm(n, n, n, 1, a, n, 1, b, n, 1, 0, c, n, 1);
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	free(a);
	free(b);
	free(c);
	double kernel = flops / best * 1e-9;
	printf(":bench (%dx%d) @ (%dx%d), 1 thread: %.1f GFLOP/s; the kernel "
	       "called directly: %.1f (ratio %.2f)\n", n, n, n, n, rate, kernel,
	       rate / kernel);
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* EXPR typed `reps` times as lone statements (each timed once, from the
 * prompt's idle, as a user meets it), then under :bench, on one thread in
 * one session over operands made by SETUP: the median lone time against
 * :bench's best. A lone statement costs more only for what :bench's
 * warm-up hides (a result's fresh pages, cold caches). */
static bool lone_vs_bench(char *mmcalc, const char *setup, const char *expr,
                          int reps)
{
	char in[] = "/tmp/mmcalc-lone-in-XXXXXX";
	char out[] = "/tmp/mmcalc-lone-out-XXXXXX";
	int fi = mkstemp(in), fo = mkstemp(out);
	if (fi < 0 || fo < 0)
		return false;
	close(fo);
	FILE *f = fdopen(fi, "w");
	fprintf(f, ":threads 1\n%s\n", setup);
	for (int r = 0; r < reps; r++)
		fprintf(f, "%s\n", expr);
	fprintf(f, ":bench %s\n", expr);
	fclose(f);
	char *argv[] = {mmcalc, "--json", NULL};
	double lone[256], bench = -1;
	int n = 0;
	if (run_to(argv, in, out) == 0) {
		FILE *g = fopen(out, "r");
		static char line[1 << 16];
		while (g && fgets(line, sizeof line, g)) {
			const char *sec = strstr(line, "\"seconds\":");
			if (!sec || !strstr(line, "\"kind\":\"value\""))
				continue;
			double t = strtod(sec + 10, NULL);
			if (strstr(line, "\"runs\":"))
				bench = t;
			else if (n < 256)
				lone[n++] = t;
		}
		if (g)
			fclose(g);
	}
	unlink(in);
	unlink(out);
	if (n == 0 || bench <= 0)
		return false;
	qsort(lone, (size_t)n, sizeof lone[0], cmp_double);
	double med = lone[n / 2];
	printf("%s typed %d times, 1 thread: median %.1f us, :bench best %.1f us "
	       "(ratio %.2f, aim >= 0.9)\n", expr, n, med * 1e6, bench * 1e6,
	       bench / med);
	return true;
}

/* Runs argv on the script at in_path; its wall time into *sec and its
 * largest resident set (KiB) into *rss. False when it failed. */
static bool run_measured(char *const argv[], const char *in_path, double *sec,
                         long *rss)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in_path, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int st = -1;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	double t0 = now();
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0)
		wait4(pid, &st, 0, &ru);
	*sec = now() - t0;
	*rss = ru.ru_maxrss;
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A script defining a GPT-3-sized block (d = 12288, 2048 tokens), then
 * nexplain times ":explain repeat(L, block, x)"; its path in path. */
static bool explain_script(char *path, long L, int nexplain)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return false;
	FILE *f = fdopen(fd, "w");
	fputs(":device h100\nd = 12288; T = 2048\n"
	      "def block(x) {\n"
	      "    h = x + layernorm(x) @ (d x d)\n"
	      "    h + gelu(layernorm(h) @ (d x 4*d)) @ (4*d x d)\n"
	      "}\n", f);
	for (int k = 0; k < nexplain; k++)
		fprintf(f, ":explain repeat(%ld, block, (T x d))\n", L);
	fclose(f);
	return true;
}

/* :explain of a 96-layer model: the time of one (the script's time less
 * that of the same script without the :explain lines, over their
 * number), and the resident memory with L = 96 and L = 96 000 000. */
static bool explain_repeat(char *mmcalc, bool quick)
{
	int n = quick ? 20 : 200;
	char *argv[] = {mmcalc, NULL};
	double base = 1e9, with = 1e9;
	long rss96 = 0, rssbig = 0;
	for (int r = 0; r < (quick ? 1 : 5); r++) {
		char p0[] = "/tmp/mmcalc-bench-explain-XXXXXX";
		char p1[] = "/tmp/mmcalc-bench-explain-XXXXXX";
		char p2[] = "/tmp/mmcalc-bench-explain-XXXXXX";
		double t0, t1, t2;
		long r0, r1, r2;
		bool ok = explain_script(p0, 96, 0) && explain_script(p1, 96, n) &&
		          explain_script(p2, 96000000, n) &&
		          run_measured(argv, p0, &t0, &r0) &&
		          run_measured(argv, p1, &t1, &r1) &&
		          run_measured(argv, p2, &t2, &r2);
		unlink(p0);
		unlink(p1);
		unlink(p2);
		if (!ok)
			return false;
		base = t0 < base ? t0 : base;
		with = t1 < with ? t1 : with;
		rss96 = r1;
		rssbig = r2;
	}
	double per = (with - base) / n;
	printf(":explain repeat(96, block, x): %.3f ms each (aim < 10 ms); "
	       "resident %ld KiB with L = 96, %ld KiB with L = 96000000\n",
	       per * 1e3, rss96, rssbig);
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-cli MMCALC [--quick]\n");
		return 2;
	}
	bool quick = argc > 2 && strcmp(argv[2], "--quick") == 0;
	long nstmt = quick ? 20000 : 1000000;
	int nexec = quick ? 20 : 200;
	char path[] = "/tmp/mmcalc-bench-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 2;
	}
	FILE *f = fdopen(fd, "w");
	static const int dims[] = {64, 128, 768, 1024, 4096, 11008};
	unsigned x = 12345;
	for (long i = 0; i < nstmt; i++) {
		x = x * 1103515245u + 12345u;
		int m = dims[(x >> 8) % 6], k = dims[(x >> 12) % 6], n = dims[(x >> 16) % 6];
		switch (i % 4) {
		case 0: fprintf(f, "(%dx%d) @ (%dx%d)\n", m, k, k, n); break;
		case 1: fprintf(f, "(%d x %d) + (%d,)\n", m, k, k); break;
		case 2: fprintf(f, "softmax((8x%dx%d))\n", m, k); break;
		default: fprintf(f, "(8x%dx%d) @ (%dx%d)\n", m, k, k, n); break;
		}
	}
	fclose(f);

	char *script_argv[] = {argv[1], NULL};
	double best = 1e9;
	for (int r = 0; r < (quick ? 1 : 3); r++) {
		double t0 = now();
		int st = run(script_argv, path);
		double t = now() - t0;
		if (st != 0) {
			fprintf(stderr, "bench-cli: mmcalc exited %d on the script\n", st);
			unlink(path);
			return 1;
		}
		if (t < best)
			best = t;
	}
	unlink(path);
	printf("script: %ld statements in %.3f s: %.0f statements/s (aim >= 1000000)\n",
	       nstmt, best, (double)nstmt / best);

	char *e_argv[] = {argv[1], "-e", "(1024x4096) @ (4096x4096)", NULL};
	double sum = 0, min = 1e9;
	for (int r = 0; r < nexec; r++) {
		double t0 = now();
		if (run(e_argv, NULL) != 0) {
			fprintf(stderr, "bench-cli: mmcalc -e failed\n");
			return 1;
		}
		double t = now() - t0;
		sum += t;
		if (t < min)
			min = t;
	}
	printf("-e start to exit: mean %.2f ms, best %.2f ms over %d runs (aim < 5 ms)\n",
	       sum / nexec * 1e3, min * 1e3, nexec);

	if (!lone_vs_bench(argv[1], "X = randn(512, 512)", "X @ X",
	                   quick ? 10 : 50) ||
	    !lone_vs_bench(argv[1], "X = randn(1024, 1024)", "X + X",
	                   quick ? 10 : 50)) {
		fprintf(stderr, "bench-cli: lone statements printed no time\n");
		return 1;
	}

	if (!explain_repeat(argv[1], quick)) {
		fprintf(stderr, "bench-cli: :explain of a repeat failed\n");
		return 1;
	}

	static const int sizes[] = {64, 256, 1024};
	for (int i = 0; i < (quick ? 1 : 3); i++)
		if (!bench_parity(argv[1], sizes[i])) {
			fprintf(stderr, "bench-cli: :bench printed no rate\n");
			return 1;
		}
	return 0;
}
