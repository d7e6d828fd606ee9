/* bench-model.c — the model commands against the budget of 50 ms
 * for a 70B model: :model llama2-70b (running the preset's program),
 * :memory, :cluster and :split (the search over every split of 64
 * devices), each timed in one session through the library as the CLI
 * runs them, beside a trivial statement (`1`) as the floor. Prints the
 * median and the range of the runs; exit 1 when a median is over budget.
 * Usage: bench-model [--quick]. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmcalc/model.h"
#include "mmcalc/session.h"

#define BUDGET_S 0.050

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int failures;

static void count(void *ctx, const mm_result *r)
{
	(void)ctx;
	if (r->kind == MM_R_ERROR) {
		fprintf(stderr, "bench-model: %s\n", r->diag->message);
		failures++;
	}
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Runs line `runs` times in s; prints median, min and max in ms. Returns
 * the median in seconds. */
static double time_line(mm_session *s, const char *line, int runs)
{
	double t[64];
	for (int k = 0; k < runs; k++) {
		double t0 = now();
		mm_session_run(s, "<bench>", 1, line, strlen(line), count, NULL);
		t[k] = now() - t0;
	}
	qsort(t, (size_t)runs, sizeof *t, by_value);
	printf("  %-44s %8.3f ms  (%.3f .. %.3f)\n", line, t[runs / 2] * 1e3,
	       t[0] * 1e3, t[runs - 1] * 1e3);
	return t[runs / 2];
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	int runs = quick ? 5 : 31;
	if (!mm_model_set_path(MM_BENCH_MODELS))
		return 2;
	mm_session *s = mm_session_new();
	if (!s)
		return 2;
	static const char *const lines[] = {
		":model llama2-70b",
		":memory tp=8 pp=2 dp=4 zero=1 sp=true",
		":cluster 8 x h100 nodes=8",
		":split",
		":split gbs=512 tokens=2e12",
		":model mixtral-8x7b",
		":split",
	};
	printf("bench-model: median of %d runs (budget %.0f ms each)\n", runs,
	       BUDGET_S * 1e3);
	time_line(s, "1", runs);
	int over = 0;
	for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++)
		if (time_line(s, lines[k], runs) > BUDGET_S)
			over++;
	mm_session_free(s);
	if (over || failures)
		printf("bench-model: %d over budget, %d errors\n", over, failures);
	return over || failures ? 1 : 0;
}
