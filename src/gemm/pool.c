/* pool.c — a persistent pthread pool for the GEMM: workers are created once
 * and then sleep between calls, spinning briefly first so back-to-back
 * products do not pay a wake-up each. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* Pause iterations before sleeping (a few tens of microseconds). */
enum { SPIN_WAKE = 4000, SPIN_YIELD = 2000 };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake, done;
	pthread_t *threads;
	int nworkers;
	bool quit;
	atomic_ulong gen;          /* bumped for each job */
	mm_gemm_job_fn *fn;
	void *arg;
	int nt;
	atomic_int pending;        /* workers still inside the current job */
	/* The current job's generation (high 32 bits), SHARED and CLOSED
	 * flags, and (shared jobs) the workers inside it. */
	_Atomic uint64_t state;
	atomic_int bar_count;
	atomic_uint bar_gen;
	atomic_bool bar_flag;
	atomic_bool bar_result[2];
} pool = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
};

#define ST_SHARED (UINT64_C(1) << 31)
#define ST_CLOSED (UINT64_C(1) << 30)
#define ST_COUNT (ST_CLOSED - 1)

/* A worker enters shared job g unless it has closed (or is not g). */
static bool join_shared(uint32_t g)
{
	uint64_t st = atomic_load(&pool.state);
	while ((uint32_t)(st >> 32) == g && !(st & ST_CLOSED))
		if (atomic_compare_exchange_weak(&pool.state, &st, st + 1))
			return true;
	return false;
}

struct worker_start {
	int id;
	unsigned long gen;
};

static void *worker(void *p)
{
	struct worker_start ws = *(struct worker_start *)p;
	free(p);
	unsigned long seen = ws.gen;
	for (;;) {
		unsigned long g;
		int spins = 0;
		while ((g = atomic_load(&pool.gen)) == seen && spins < SPIN_WAKE) {
			cpu_relax();
			spins++;
		}
		if (g == seen) {
			pthread_mutex_lock(&pool.mu);
			while ((g = atomic_load(&pool.gen)) == seen && !pool.quit)
				pthread_cond_wait(&pool.wake, &pool.mu);
			bool quit = pool.quit;
			pthread_mutex_unlock(&pool.mu);
			if (quit)
				return NULL;
		}
		seen = g;
		uint64_t st = atomic_load(&pool.state);
		if ((uint32_t)(st >> 32) != (uint32_t)g)
			continue; /* a shared job, over already: look again */
		if (st & ST_SHARED) {
			/* Join only while the caller still works on it; once
			 * in, the job's fields stay put until we leave. */
			if (join_shared((uint32_t)g)) {
				if (ws.id < pool.nt)
					pool.fn(pool.arg, ws.id, pool.nt);
				atomic_fetch_sub(&pool.state, 1);
			}
			continue;
		}
		if (ws.id < pool.nt)
			pool.fn(pool.arg, ws.id, pool.nt);
		if (atomic_fetch_sub(&pool.pending, 1) == 1) {
			pthread_mutex_lock(&pool.mu);
			pthread_cond_signal(&pool.done);
			pthread_mutex_unlock(&pool.mu);
		}
	}
}

/* Makes the pool have exactly n workers; returns how many it has. */
static int resize(int n)
{
	if (pool.nworkers == n)
		return n;
	mm_gemm_pool_shutdown();
	if (n <= 0)
		return 0;
	pool.threads = calloc((size_t)n, sizeof *pool.threads);
	if (!pool.threads)
		return 0;
	pool.quit = false;
	while (pool.nworkers < n) {
		struct worker_start *ws = malloc(sizeof *ws);
		if (!ws)
			break;
		ws->id = pool.nworkers + 1;
		ws->gen = atomic_load(&pool.gen);
		if (pthread_create(&pool.threads[pool.nworkers], NULL, worker, ws)) {
			free(ws);
			break;
		}
		pool.nworkers++;
	}
	return pool.nworkers;
}

int mm_gemm_pool_run(int nt, mm_gemm_job_fn *fn, void *arg)
{
	if (nt > 1)
		nt = 1 + resize(nt - 1);
	if (nt <= 1) {
		fn(arg, 0, 1);
		return 1;
	}
	pool.fn = fn;
	pool.arg = arg;
	pool.nt = nt;
	atomic_store(&pool.bar_count, 0);
	atomic_store(&pool.bar_flag, false);
	atomic_store(&pool.pending, pool.nworkers);
	pthread_mutex_lock(&pool.mu);
	unsigned long g = atomic_load(&pool.gen) + 1;
	atomic_store(&pool.state, (uint64_t)(uint32_t)g << 32);
	atomic_store(&pool.gen, g);
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.mu);

	fn(arg, 0, nt);

	for (int spins = 0; atomic_load(&pool.pending) && spins < SPIN_WAKE;
	     spins++)
		cpu_relax();
	if (atomic_load(&pool.pending)) {
		pthread_mutex_lock(&pool.mu);
		while (atomic_load(&pool.pending))
			pthread_cond_wait(&pool.done, &pool.mu);
		pthread_mutex_unlock(&pool.mu);
	}
	return nt;
}

void mm_gemm_pool_run_shared(int nt, mm_gemm_job_fn *fn, void *arg)
{
	if (nt > 1)
		nt = 1 + resize(nt - 1);
	if (nt <= 1) {
		fn(arg, 0, 1);
		return;
	}
	pool.fn = fn;
	pool.arg = arg;
	pool.nt = nt;
	pthread_mutex_lock(&pool.mu);
	unsigned long g = atomic_load(&pool.gen) + 1;
	atomic_store(&pool.state, (uint64_t)(uint32_t)g << 32 | ST_SHARED);
	atomic_store(&pool.gen, g);
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.mu);

	fn(arg, 0, nt);

	/* Close the job to latecomers; wait for those inside (they are
	 * running, not asleep, so spin and yield). */
	atomic_fetch_or(&pool.state, ST_CLOSED);
	for (int spins = 0; atomic_load(&pool.state) & ST_COUNT; spins++) {
		if (spins < SPIN_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

bool mm_gemm_pool_barrier(int nt, bool stop)
{
	if (nt <= 1)
		return stop;
	unsigned g = atomic_load(&pool.bar_gen);
	if (stop)
		atomic_store(&pool.bar_flag, true);
	if (atomic_fetch_add(&pool.bar_count, 1) == nt - 1) {
		atomic_store(&pool.bar_result[g & 1],
		             atomic_exchange(&pool.bar_flag, false));
		atomic_store(&pool.bar_count, 0);
		atomic_fetch_add(&pool.bar_gen, 1);
	} else {
		/* Spin, then yield: the machine may be oversubscribed and the
		 * thread we wait for may need this core. */
		for (int spins = 0; atomic_load(&pool.bar_gen) == g; spins++) {
			if (spins < SPIN_YIELD)
				cpu_relax();
			else
				sched_yield();
		}
	}
	return atomic_load(&pool.bar_result[g & 1]);
}

void mm_gemm_pool_shutdown(void)
{
	if (!pool.threads)
		return;
	pthread_mutex_lock(&pool.mu);
	pool.quit = true;
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.mu);
	for (int i = 0; i < pool.nworkers; i++)
		pthread_join(pool.threads[i], NULL);
	free(pool.threads);
	pool.threads = NULL;
	pool.nworkers = 0;
	pool.quit = false;
}
