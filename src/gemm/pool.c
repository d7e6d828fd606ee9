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
	atomic_int bar_count;
	atomic_uint bar_gen;
	atomic_bool bar_flag;
	atomic_bool bar_result[2];
} pool = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
};

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
	atomic_fetch_add(&pool.gen, 1);
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
