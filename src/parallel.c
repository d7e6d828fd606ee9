/* parallel.c — mm_parallel_for: fixed pieces handed out by a shared
 * counter to the threads of the GEMM's pool. */
#include <stdatomic.h>
#include <stdbool.h>

#include "gemm/pool.h"
#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/parallel.h"

/* Held while a loop uses the pool; a loop that cannot take it runs on its
 * caller alone (nested, or another thread's). */

struct job {
	int64_t n, grain, pieces;
	mm_parallel_fn *fn;
	void *arg;
	atomic_llong next;
	atomic_bool stop;
};

/* Each thread takes the next piece until none is left (the pool starts
 * late workers on a job already under way, so nobody owns a share). */
static void run(void *p, int tid, int nt)
{
	(void)tid;
	(void)nt;
	struct job *j = p;
	for (;;) {
		if (atomic_load_explicit(&j->stop, memory_order_relaxed))
			return;
		if (mm_interrupted()) {
			atomic_store(&j->stop, true);
			return;
		}
		int64_t k = atomic_fetch_add(&j->next, 1);
		if (k >= j->pieces)
			return;
		int64_t b = k * j->grain;
		int64_t e = j->n - b < j->grain ? j->n : b + j->grain;
		j->fn(j->arg, b, e);
	}
}

int mm_parallel_for(int64_t n, int64_t grain, mm_parallel_fn *fn, void *arg)
{
	if (n <= 0)
		return MM_OK;
	if (grain < 1)
		grain = 1;
	struct job j = {
		.n = n,
		.grain = grain,
		.pieces = n / grain + (n % grain != 0),
		.fn = fn,
		.arg = arg,
	};
	atomic_init(&j.next, 0);
	atomic_init(&j.stop, false);
	/* one piece: no need to ask (mm_gemm_threads() may read sysfs) */
	int nt = j.pieces > 1 ? mm_gemm_threads() : 1;
	if (nt > j.pieces)
		nt = (int)j.pieces;
	/* the pool runs one job at a time; busy, it runs this one here */
	mm_gemm_pool_run(nt, run, &j);
	return atomic_load(&j.stop) ? MM_ERR_INTERRUPTED : MM_OK;
}
