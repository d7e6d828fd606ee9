/* pool.h — the GEMM's persistent thread pool and the barrier its jobs use.
 * Not a public header; one job runs at a time (the caller serialises). */
#ifndef MMCALC_GEMM_POOL_H
#define MMCALC_GEMM_POOL_H

#include <stdbool.h>

typedef void mm_gemm_job_fn(void *arg, int tid, int nt);

/* Runs fn(arg, tid, nt) for tid = 0..nt-1, tid 0 on the calling thread, and
 * returns when all are done. Returns the number of threads really used
 * (fewer than nt if workers could not be started; fn then sees that nt). */
int mm_gemm_pool_run(int nt, mm_gemm_job_fn *fn, void *arg);

/* Runs fn(arg, tid, nt) on the calling thread (tid 0) and on the workers
 * that wake up before the caller's fn returns; latecomers skip it. So fn
 * must take its work from a counter shared by the threads, and any number
 * of them from 1 to nt must finish the job. Returns when the caller's fn
 * has returned and every worker that joined has finished. For short jobs:
 * the caller never waits for a sleeping worker to wake (0.1-1 ms here). */
void mm_gemm_pool_run_shared(int nt, mm_gemm_job_fn *fn, void *arg);

/* Waits until all nt threads of the running job arrive; returns true if
 * any of them arrived with stop set (every thread gets the same answer). */
bool mm_gemm_pool_barrier(int nt, bool stop);

/* Joins the workers and frees the pool (a later run starts it again). */
void mm_gemm_pool_shutdown(void);

#endif
