/* pool.c — a persistent pthread pool for the GEMM: workers are created once
 * and then sleep between calls, spinning briefly first so back-to-back
 * products do not pay a wake-up each.
 *
 * A job is shared, not split: the caller starts on it at once, and each
 * worker joins when it wakes, if the caller has not finished yet. Waking a
 * sleeping worker took 0.1-1 ms on the machine this was measured on, so a
 * product that waited for every worker to arrive (a fixed split) ran at a
 * third of one thread's speed when it came after a pause at the prompt. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* Pause iterations before sleeping (a few tens of microseconds), and
 * before yielding while the caller waits for the workers inside a job. */
enum { SPIN_WAKE = 4000, SPIN_YIELD = 2000 };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	pthread_t *threads;
	int nworkers;
	bool quit;
	atomic_ulong gen;          /* bumped for each job */
	mm_gemm_job_fn *fn;
	void *arg;
	int nt;
	/* The current job's generation (high 32 bits), a CLOSED flag, and
	 * the number of workers inside it (low bits). */
	_Atomic uint64_t state;
} pool = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

#define ST_CLOSED (UINT64_C(1) << 30)
#define ST_COUNT (ST_CLOSED - 1)

/* A worker enters job g unless it is closed (or no longer the job). Once
 * in, the job's fields stay put until it leaves: the caller waits. */
static bool join(uint32_t g)
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
		if (join((uint32_t)g)) {
			if (ws.id < pool.nt)
				pool.fn(pool.arg, ws.id, pool.nt);
			atomic_fetch_sub(&pool.state, 1);
		}
	}
}

/* One job at a time, whoever calls: the GEMMs, the low-precision GEMMs
 * and mm_parallel_for share the pool. A caller that finds it busy (another
 * thread's job, or a job started from inside a job) runs its job alone. */
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;

/* Joins the workers (run_mu held). */
static void stop_workers(void)
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

/* Makes the pool have exactly n workers; returns how many it has. */
static int resize(int n)
{
	if (pool.nworkers == n)
		return n;
	stop_workers();
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
	if (nt <= 1 || pthread_mutex_trylock(&run_mu) != 0) {
		fn(arg, 0, 1);
		return 1;
	}
	nt = 1 + resize(nt - 1);
	if (nt <= 1) {
		pthread_mutex_unlock(&run_mu);
		fn(arg, 0, 1);
		return 1;
	}
	pool.fn = fn;
	pool.arg = arg;
	pool.nt = nt;
	pthread_mutex_lock(&pool.mu);
	unsigned long g = atomic_load(&pool.gen) + 1;
	atomic_store(&pool.state, (uint64_t)(uint32_t)g << 32);
	atomic_store(&pool.gen, g);
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.mu);

	fn(arg, 0, nt);

	/* Close the job to latecomers; wait for those inside (they are
	 * running, not asleep, so spin, then yield). */
	atomic_fetch_or(&pool.state, ST_CLOSED);
	for (int spins = 0; atomic_load(&pool.state) & ST_COUNT; spins++) {
		if (spins < SPIN_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
	pthread_mutex_unlock(&run_mu);
	return nt;
}

void mm_gemm_pool_shutdown(void)
{
	pthread_mutex_lock(&run_mu);
	stop_workers();
	pthread_mutex_unlock(&run_mu);
}
