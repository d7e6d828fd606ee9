/* bench-linalg.c — mmcalc's linear algebra against NumPy's (LAPACK through
 * Debian's OpenBLAS), side by side in one run: NumPy runs in a child
 * /usr/bin/python3 with OPENBLAS_CORETYPE=SkylakeX (OpenBLAS 0.3.21 does
 * not recognise this CPU and would otherwise fall back to a slower core),
 * and each round times one call on each side, alternating which goes
 * first. Prints the median and range of the rounds, mmcalc's GFLOP/s by
 * the counts its built-ins report (cost.c's mm_cost_linalg: LAPACK
 * Working Note 41's, Golub & Van Loan's for the SVD's vectors), and the
 * ratio of the medians (mmcalc time / NumPy time: below 1, mmcalc is
 * faster). Inputs are standard normal (each side draws its own), A·Aᵀ +
 * n·I for cholesky. Besides single matrices, stacks of small ones (as
 * numpy.linalg and the built-ins take them) and solve with a matrix of
 * right-hand sides.
 *
 *   bench-linalg [--quick] [--rounds N] [--threads N] [--cpu]
 *                [--python PATH] [OP [BATCHx]MxN[:K] ...]
 *
 * --threads N runs both sides on N threads (mm_gemm_set_threads and
 * OPENBLAS_NUM_THREADS); by default each uses every CPU. --cpu times the
 * process's CPU seconds instead of the wall clock's: with --threads 1,
 * a measure that a busy machine disturbs much less.
 * OP is qr, solve, inv, det, cholesky, svd, svdvals or lstsq; solve and
 * lstsq take a vector b, or K right-hand sides with :K; BATCHx makes a
 * stack of BATCH matrices. Exit 77 (skipped) when the Python has no
 * NumPy. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmcalc/cost.h"
#include "mmcalc/gemm.h"
#include "mmcalc/linalg.h"
#include "mmcalc/ops.h"

struct bcase {
	const char *op;
	int64_t m, n;
	int64_t batch; /* 0: one matrix; else a stack of this many */
	int64_t nrhs;  /* solve, lstsq: 0 for a vector b */
};

static const struct bcase full[] = {
	{"qr", 512, 512, 0, 0},         {"qr", 2048, 512, 0, 0},
	{"qr", 4096, 256, 0, 0},        {"qr", 1024, 1024, 0, 0},
	{"solve", 512, 512, 0, 0},      {"solve", 1024, 1024, 0, 0},
	{"solve", 2048, 2048, 0, 0},    {"inv", 1024, 1024, 0, 0},
	{"det", 1024, 1024, 0, 0},      {"cholesky", 512, 512, 0, 0},
	{"cholesky", 1024, 1024, 0, 0}, {"cholesky", 2048, 2048, 0, 0},
	{"svd", 256, 256, 0, 0},        {"svd", 512, 512, 0, 0},
	{"svd", 1024, 1024, 0, 0},      {"svd", 2048, 256, 0, 0},
	{"svdvals", 512, 512, 0, 0},    {"svdvals", 1024, 1024, 0, 0},
	{"lstsq", 2048, 512, 0, 0},
	/* a matrix of right-hand sides; stacks of small matrices */
	{"solve", 1024, 1024, 0, 64},   {"solve", 64, 64, 256, 0},
	{"solve", 16, 16, 4096, 0},     {"inv", 128, 128, 64, 0},
	{"det", 32, 32, 1024, 0},       {"cholesky", 64, 64, 256, 0},
	{"svd", 32, 32, 256, 0},        {"qr", 64, 32, 256, 0},
};
static const struct bcase quick[] = {
	{"qr", 256, 64, 0, 0},          {"solve", 128, 128, 0, 0},
	{"inv", 64, 64, 0, 0},          {"cholesky", 128, 128, 0, 0},
	{"svd", 64, 64, 0, 0},          {"svdvals", 64, 64, 0, 0},
	{"lstsq", 128, 32, 0, 0},       {"solve", 16, 16, 64, 0},
	{"solve", 64, 64, 0, 8},
};

/* The child: reads "OP BATCH M N K" lines, answers with the seconds of
 * one call on inputs it keeps while the case lasts. */
static const char *script =
	"import os, sys, time\n"
	"import numpy as np\n"
	"np.seterr(all='ignore')\n"
	"rng = np.random.default_rng(1)\n"
	"ops = {\n"
	" 'qr': lambda A, b: np.linalg.qr(A),\n"
	" 'solve': lambda A, b: np.linalg.solve(A, b),\n"
	" 'inv': lambda A, b: np.linalg.inv(A),\n"
	" 'det': lambda A, b: np.linalg.det(A),\n"
	" 'cholesky': lambda A, b: np.linalg.cholesky(A),\n"
	" 'svd': lambda A, b: np.linalg.svd(A, full_matrices=False),\n"
	" 'svdvals': lambda A, b: np.linalg.svd(A, compute_uv=False),\n"
	" 'lstsq': lambda A, b: np.linalg.lstsq(A, b, rcond=None),\n"
	"}\n"
	"key, data = None, None\n"
	"cpu = os.environ.get('BENCH_LINALG_CPU') == '1'\n"
	"print('ready', np.__version__, os.environ.get('OPENBLAS_CORETYPE',"
	" '(unset)'), os.environ.get('OPENBLAS_NUM_THREADS', 'all'),"
	" flush=True)\n"
	"for line in sys.stdin:\n"
	"    op, bt, m, n, k = line.split()\n"
	"    bt, m, n, k = int(bt), int(m), int(n), int(k)\n"
	"    if key != (op, bt, m, n, k):\n"
	"        lead = (bt,) if bt else ()\n"
	"        A = rng.standard_normal(lead + (m, n))\n"
	"        if op == 'cholesky':\n"
	"            A = A @ np.swapaxes(A, -1, -2) + n * np.eye(n)\n"
	"        b = rng.standard_normal(lead + (m,) + ((k,) if k else ()))\n"
	"        key, data = (op, bt, m, n, k), (A, b)\n"
	"    clock = time.process_time if cpu else time.perf_counter\n"
	"    t = clock(); ops[op](*data)\n"
	"    print(clock() - t, flush=True)\n";

struct child {
	pid_t pid;
	FILE *to, *from;
};

/* Starts the NumPy side; false when it cannot (no Python, no NumPy). */
static bool cpu_time; /* --cpu */

static bool start(struct child *c, const char *python, int threads,
                  char *ready, size_t cap)
{
	int in[2], out[2];
	if (pipe(in) || pipe(out))
		return false;
	c->pid = fork();
	if (c->pid < 0)
		return false;
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
		setenv("BENCH_LINALG_CPU", cpu_time ? "1" : "0", 1);
		if (threads > 0) {
			char t[16];
			snprintf(t, sizeof t, "%d", threads);
			setenv("OPENBLAS_NUM_THREADS", t, 1);
		}
		execl(python, python, "-c", script, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->to = fdopen(in[1], "w");
	c->from = fdopen(out[0], "r");
	return c->to && c->from && fgets(ready, (int)cap, c->from) &&
	       strncmp(ready, "ready ", 6) == 0;
}

static double numpy_time(struct child *c, const struct bcase *k)
{
	char line[128];
	fprintf(c->to, "%s %lld %lld %lld %lld\n", k->op, (long long)k->batch,
	        (long long)k->m, (long long)k->n, (long long)k->nrhs);
	fflush(c->to);
	if (!fgets(line, sizeof line, c->from)) {
		fprintf(stderr, "bench-linalg: the NumPy side stopped\n");
		exit(1);
	}
	return strtod(line, NULL);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(cpu_time ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The FLOPs the built-ins report for the case (cost.c): LAWN 41's
 * counts of what NumPy's routines do. */
static double flops(const struct bcase *k)
{
	static const struct {
		const char *op;
		mm_la_cost cost;
	} ops[] = {{"qr", MM_LA_QR}, {"solve", MM_LA_SOLVE}, {"inv", MM_LA_INV},
	           {"det", MM_LA_DET}, {"cholesky", MM_LA_CHOLESKY},
	           {"svd", MM_LA_SVD}, {"svdvals", MM_LA_SVDVALS},
	           {"lstsq", MM_LA_LSTSQ}};
	mm_la_cost op = MM_LA_SOLVE;
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
		if (!strcmp(ops[i].op, k->op))
			op = ops[i].cost;
	int lead = k->batch ? 1 : 0;
	int64_t as[3] = {k->batch, k->m, k->n}, bs[3] = {k->batch, k->m, k->nrhs};
	mm_shape sa = mm_shape_make(2 + lead, as + 1 - lead);
	mm_shape sb = mm_shape_make(1 + lead + (k->nrhs > 0), bs + 1 - lead);
	mm_value a, b;
	mm_value_set_tensor(&a, &sa, MM_F64);
	mm_value_set_tensor(&b, &sb, MM_F64);
	mm_arena arena = MM_ARENA_INIT;
	mm_diag d;
	mm_cost_ctx x = {&arena, &d, NULL, NULL};
	mm_cost c;
	/* the output's shape matters to solve alone: b's */
	mm_code r = mm_cost_linalg(&x, op, &b, &a, &b, &c);
	mm_arena_free(&arena);
	return r == MM_OK ? mm_count_to_double(c.flops) : 0;
}

/* The inputs of a case, and one timed call by mmcalc. */
struct inputs {
	mm_tensor *a, *b;
};

static struct inputs make(const struct bcase *k, mm_rng *rng)
{
	int lead = k->batch ? 1 : 0;
	int64_t s[3] = {k->batch, k->m, k->n}, bs[3] = {k->batch, k->m, k->nrhs};
	struct inputs in = {
		mm_tensor_randn(rng, MM_F64, 2 + lead, s + 1 - lead, NULL),
		mm_tensor_randn(rng, MM_F64, 1 + lead + (k->nrhs > 0),
		                bs + 1 - lead, NULL)};
	if (!strcmp(k->op, "cholesky")) {
		mm_tensor *at = mm_tensor_transpose(in.a, NULL);
		mm_tensor *aat = mm_op_matmul(in.a, at, NULL);
		mm_tensor *ni = mm_tensor_eye(MM_F64, k->n, -1, NULL);
		mm_tensor *sc = mm_tensor_scalar(MM_F64, (double)k->n, NULL);
		mm_tensor *nis = mm_op_binary(MM_OP_MUL, ni, sc, NULL);
		mm_tensor_unref(in.a);
		in.a = mm_op_binary(MM_OP_ADD, aat, nis, NULL);
		mm_tensor *list[] = {at, aat, ni, sc, nis};
		for (size_t i = 0; i < sizeof list / sizeof *list; i++)
			mm_tensor_unref(list[i]);
	}
	if (!in.a || !in.b) {
		fprintf(stderr, "bench-linalg: out of memory\n");
		exit(1);
	}
	return in;
}

static double mmcalc_time(const struct bcase *k, const struct inputs *in)
{
	mm_diag d;
	mm_tensor *r[3] = {NULL, NULL, NULL};
	mm_code c = MM_OK;
	const char *op = k->op;
	double t = now();
	if (!strcmp(op, "qr"))
		c = mm_linalg_qr(in->a, &r[0], &r[1], &d);
	else if (!strcmp(op, "solve"))
		c = (r[0] = mm_linalg_solve(in->a, in->b, &d)) ? MM_OK : d.code;
	else if (!strcmp(op, "inv"))
		c = (r[0] = mm_linalg_inv(in->a, &d)) ? MM_OK : d.code;
	else if (!strcmp(op, "det"))
		c = (r[0] = mm_linalg_det(in->a, &d)) ? MM_OK : d.code;
	else if (!strcmp(op, "cholesky"))
		c = (r[0] = mm_linalg_cholesky(in->a, &d)) ? MM_OK : d.code;
	else if (!strcmp(op, "svd"))
		c = mm_linalg_svd(in->a, &r[0], &r[1], &r[2], &d);
	else if (!strcmp(op, "svdvals"))
		c = (r[0] = mm_linalg_svdvals(in->a, &d)) ? MM_OK : d.code;
	else {
		mm_lstsq ls;
		c = mm_linalg_lstsq(in->a, in->b, -1, false, &ls, &d);
		if (c == MM_OK)
			mm_linalg_lstsq_free(&ls);
	}
	t = now() - t;
	if (c != MM_OK) {
		fprintf(stderr, "bench-linalg: %s %lldx%lld: %s\n", op,
		        (long long)k->m, (long long)k->n, d.message);
		exit(1);
	}
	for (int i = 0; i < 3; i++)
		mm_tensor_unref(r[i]);
	return t;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, by_value);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void run(const struct bcase *k, int rounds, struct child *c,
                mm_rng *rng)
{
	struct inputs in = make(k, rng);
	double tm[64], tn[64];
	mmcalc_time(k, &in); /* warm-up: threads, page faults, caches */
	numpy_time(c, k);
	for (int r = 0; r < rounds; r++) {
		if (r % 2) {
			tn[r] = numpy_time(c, k);
			tm[r] = mmcalc_time(k, &in);
		} else {
			tm[r] = mmcalc_time(k, &in);
			tn[r] = numpy_time(c, k);
		}
	}
	double mm = median(tm, rounds), np = median(tn, rounds);
	char shape[48], stack[24] = "", rhs[24] = "";
	if (k->batch)
		snprintf(stack, sizeof stack, "%lldx", (long long)k->batch);
	if (k->nrhs)
		snprintf(rhs, sizeof rhs, ":%lld", (long long)k->nrhs);
	snprintf(shape, sizeof shape, "%s%lldx%lld%s", stack, (long long)k->m,
	         (long long)k->n, rhs);
	printf("%-9s %-13s %9.4f %9.4f-%-9.4f %9.4f %9.4f-%-9.4f %8.1f %6.2f\n",
	       k->op, shape, mm, tm[0], tm[rounds - 1], np, tn[0],
	       tn[rounds - 1], flops(k) / mm * 1e-9, mm / np);
	fflush(stdout);
	mm_tensor_unref(in.a);
	mm_tensor_unref(in.b);
}

int main(int argc, char **argv)
{
	bool is_quick = false;
	int rounds = 5, threads = 0;
	const char *python = "/usr/bin/python3";
	struct bcase custom[32];
	int ncustom = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			is_quick = true;
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cpu"))
			cpu_time = true;
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--python") && i + 1 < argc)
			python = argv[++i];
		else if (i + 1 < argc && ncustom < 32) {
			long long b = 0, m, n, k = 0;
			const char *sz = argv[i + 1];
			int got = sscanf(sz, "%lldx%lldx%lld", &b, &m, &n);
			if (got != 3) {
				b = 0;
				got = sscanf(sz, "%lldx%lld", &m, &n) + 1;
			}
			const char *colon = strchr(sz, ':');
			if (got != 3 || (colon && sscanf(colon + 1, "%lld", &k) != 1)) {
				fprintf(stderr, "bench-linalg: bad size %s\n", sz);
				return 2;
			}
			custom[ncustom++] = (struct bcase){argv[i], m, n, b, k};
			i++;
		} else {
			fprintf(stderr, "usage: bench-linalg [--quick] [--rounds N]"
			        " [--threads N] [--cpu] [--python PATH] [OP"
			        " [BATCHx]MxN[:K] ...]\n");
			return 2;
		}
	}
	if (rounds < 1 || rounds > 64)
		rounds = 5;
	if (is_quick)
		rounds = 1;
	signal(SIGPIPE, SIG_IGN);
	struct child c;
	char ready[256];
	if (threads > 0)
		mm_gemm_set_threads(threads);
	if (!start(&c, python, threads, ready, sizeof ready)) {
		printf("bench-linalg: skipped, %s cannot import numpy\n", python);
		return 77;
	}
	ready[strcspn(ready, "\n")] = '\0';
	char ver[64] = "", core[64] = "", nt[16] = "";
	sscanf(ready, "ready %63s %63s %15s", ver, core, nt);
	printf("mmcalc: GEMM %s, %d threads; NumPy %s, OPENBLAS_CORETYPE=%s, "
	       "OPENBLAS_NUM_THREADS=%s\n", mm_gemm_isa(), mm_gemm_threads(),
	       ver, core, nt);
	printf("median of %d rounds (range), %s seconds; ratio = mmcalc / NumPy"
	       "\n", rounds, cpu_time ? "CPU" : "wall-clock");
	printf("%-9s %-13s %9s %-19s %9s %-19s %8s %6s\n", "op", "shape",
	       "mmcalc", " (range)", "numpy", " (range)", "GFLOP/s", "ratio");
	const struct bcase *list = ncustom ? custom : is_quick ? quick : full;
	size_t n = ncustom ? (size_t)ncustom
	           : is_quick ? sizeof quick / sizeof *quick
	                      : sizeof full / sizeof *full;
	mm_rng rng;
	mm_rng_seed(&rng, 1);
	for (size_t i = 0; i < n; i++)
		run(&list[i], rounds, &c, &rng);
	fclose(c.to);
	fclose(c.from);
	waitpid(c.pid, NULL, 0);
	mm_gemm_shutdown();
	return 0;
}
