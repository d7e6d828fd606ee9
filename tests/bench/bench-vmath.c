/* bench-vmath.c — vmath's elementwise and row operations on large f32
 * arrays against memcpy of the same bytes, on 1 and 2 threads, measured
 * side by side in one run: each repetition times memcpy and then every
 * operation, and the table gives each one's best time and its bandwidth
 * as a ratio to memcpy's best in the same run. Bandwidth counts bytes
 * read plus bytes written (memcpy and y = f(x) move 2 × size, a
 * reduction 1 × size). --quick: 1 MiB, 3 repetitions, one thread count
 * (a smoke test). --isa NAME forces a path. --threads N runs N threads
 * only. --cpu times one thread's rows by the process's CPU seconds
 * rather than the wall clock: on a machine shared with other work, time
 * this process was not running is not counted (contention for the memory
 * still is). Rows of more threads are timed by the clock (memcpy runs on
 * one thread whatever the count: CPU seconds would not compare). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmcalc/gemm.h"
#include "mmcalc/vmath.h"

enum { ROW = 4096 }; /* elements per row of the row operations */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct buffers {
	float *x, *y, *w, *b, *out;
	int64_t n;
};

typedef int op_fn(const struct buffers *B);

static int op_memcpy(const struct buffers *B)
{
	memcpy(B->y, B->x, (size_t)B->n * sizeof *B->x);
	return 0;
}

static int op_exp(const struct buffers *B)
{
	return mm_vmath_map_f32(MM_VMATH_EXP, B->n, B->x, B->y);
}

static int op_tanh(const struct buffers *B)
{
	return mm_vmath_map_f32(MM_VMATH_TANH, B->n, B->x, B->y);
}

static int op_sigmoid(const struct buffers *B)
{
	return mm_vmath_map_f32(MM_VMATH_SIGMOID, B->n, B->x, B->y);
}

static int op_gelu(const struct buffers *B)
{
	return mm_vmath_map_f32(MM_VMATH_GELU, B->n, B->x, B->y);
}

static int op_gelu_tanh(const struct buffers *B)
{
	return mm_vmath_map_f32(MM_VMATH_GELU_TANH, B->n, B->x, B->y);
}

static int op_silu(const struct buffers *B)
{
	return mm_vmath_map_f32(MM_VMATH_SILU, B->n, B->x, B->y);
}

static int op_add(const struct buffers *B)
{
	return mm_vmath_binary_f32(MM_VMATH_MUL, B->n, B->x, 1, B->w, 0, B->y);
}

static int op_softmax(const struct buffers *B)
{
	return mm_vmath_softmax_f32(B->n / ROW, ROW, B->x, B->y);
}

static int op_layernorm(const struct buffers *B)
{
	return mm_vmath_layernorm_f32(B->n / ROW, ROW, B->x, B->w, B->b,
	                              MM_VMATH_LAYERNORM_EPS, B->y);
}

static int op_rmsnorm(const struct buffers *B)
{
	return mm_vmath_rmsnorm_f32(B->n / ROW, ROW, B->x, B->w,
	                            MM_VMATH_RMSNORM_EPS_F32, B->y);
}

static int op_sum(const struct buffers *B)
{
	return mm_vmath_reduce_f32(MM_VMATH_SUM, 1, B->n, B->x, B->out);
}

static int op_sum_rows(const struct buffers *B)
{
	return mm_vmath_reduce_f32(MM_VMATH_SUM, B->n / ROW, ROW, B->x,
	                           B->out);
}

static int op_softmax_long(const struct buffers *B)
{
	return mm_vmath_softmax_f32(1, B->n, B->x, B->y);
}

static const struct {
	const char *name;
	op_fn *fn;
	int moves; /* × size of bytes read and written */
} ops[] = {
	{"memcpy", op_memcpy, 2},
	{"exp", op_exp, 2},
	{"tanh", op_tanh, 2},
	{"sigmoid", op_sigmoid, 2},
	{"gelu", op_gelu, 2},
	{"gelu_tanh", op_gelu_tanh, 2},
	{"silu", op_silu, 2},
	{"x * s", op_add, 2},
	{"softmax 4096", op_softmax, 2},
	{"softmax 1 row", op_softmax_long, 2},
	{"layernorm 4096", op_layernorm, 2},
	{"rmsnorm 4096", op_rmsnorm, 2},
	{"sum", op_sum, 1},
	{"sum 4096", op_sum_rows, 1},
};
enum { NOPS = sizeof ops / sizeof ops[0] };

/* Spot checks against the scalar functions: the benchmark measures
 * kernels that compute the right thing. */
static bool check(const struct buffers *B)
{
	if (mm_vmath_map_f32(MM_VMATH_GELU, B->n, B->x, B->y) != 0)
		return false;
	for (int64_t i = 0; i < B->n; i += 4099)
		if (B->y[i] != mm_vmath_geluf(B->x[i]))
			return false;
	if (mm_vmath_softmax_f32(1, ROW, B->x, B->y) != 0)
		return false;
	double s = 0;
	for (int i = 0; i < ROW; i++)
		s += B->y[i];
	return fabs(s - 1) < 1e-5;
}

static bool use_cpu; /* --cpu */

/* The clock of a sample: the wall's, or with --cpu on one thread the
 * process's CPU seconds. */
static double sample_clock(int threads)
{
	if (!use_cpu || threads > 1)
		return now();
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(const struct buffers *B, int runs, int threads)
{
	double best[NOPS];
	for (int k = 0; k < NOPS; k++)
		best[k] = 1e30;
	mm_gemm_set_threads(threads);
	for (int r = 0; r < runs; r++)
		for (int k = 0; k < NOPS; k++) {
			double t0 = sample_clock(threads);
			if (ops[k].fn(B) != 0) {
				fprintf(stderr, "bench-vmath: %s failed\n",
				        ops[k].name);
				return 1;
			}
			double t = sample_clock(threads) - t0;
			best[k] = t < best[k] ? t : best[k];
		}
	double size = (double)B->n * sizeof(float);
	double cpy = 2 * size / best[0] / 1e9;
	printf("\n%d thread%s (%s)%s\n", threads, threads > 1 ? "s" : "",
	       mm_vmath_isa(), use_cpu && threads == 1 ? ", CPU time" : "");
	printf("  %-16s %9s %8s %7s\n", "op", "ms", "GB/s", "/memcpy");
	for (int k = 0; k < NOPS; k++) {
		double bw = ops[k].moves * size / best[k] / 1e9;
		printf("  %-16s %9.3f %8.2f %7.2f\n", ops[k].name,
		       best[k] * 1e3, bw, bw / cpy);
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool quick = false;
	int only = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (strcmp(argv[i], "--cpu") == 0) {
			use_cpu = true;
		} else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
			only = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--isa") == 0 && i + 1 < argc) {
			if (mm_vmath_set_isa(argv[++i]) != 0) {
				fprintf(stderr, "bench-vmath: no ISA path %s "
				        "here\n", argv[i]);
				return 77;
			}
		} else {
			fprintf(stderr, "usage: bench-vmath [--quick] [--cpu] "
			        "[--threads N] [--isa NAME]\n");
			return 2;
		}
	}
	size_t bytes = quick ? (size_t)1 << 20 : (size_t)64 << 20;
	int runs = quick ? 3 : 7;
	struct buffers B = {.n = (int64_t)(bytes / sizeof(float))};
	B.x = malloc(bytes);
	B.y = malloc(bytes);
	B.w = malloc(ROW * sizeof *B.w);
	B.b = malloc(ROW * sizeof *B.b);
	B.out = malloc((size_t)B.n / ROW * sizeof *B.out);
	if (!B.x || !B.y || !B.w || !B.b || !B.out) {
		fprintf(stderr, "bench-vmath: out of memory\n");
		return 1;
	}
	srand(1);
	for (int64_t i = 0; i < B.n; i++)
		B.x[i] = (float)(rand() / (double)RAND_MAX * 8 - 4);
	for (int i = 0; i < ROW; i++) {
		B.w[i] = 1.0f + (float)i / ROW;
		B.b[i] = (float)i / ROW;
	}
	memset(B.y, 0, bytes);
	if (!check(&B)) {
		fprintf(stderr, "bench-vmath: wrong results\n");
		return 1;
	}
	printf("vmath, f32, %zu MiB, best of %d; rows of %d elements\n",
	       bytes >> 20, runs, ROW);
	int rc = run(&B, runs, only > 0 ? only : 1);
	if (!quick && !only && rc == 0)
		rc = run(&B, runs, 2);
	free(B.x);
	free(B.y);
	free(B.w);
	free(B.b);
	free(B.out);
	mm_gemm_shutdown();
	return rc;
}
