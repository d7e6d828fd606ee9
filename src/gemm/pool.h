/* pool.h — the GEMM's persistent thread pool, shared by the GEMMs, the
 * low-precision GEMMs and mm_parallel_for. Not a public header. One job
 * runs at a time: a caller that finds the pool busy runs its job alone. */
#ifndef MMCALC_GEMM_POOL_H
#define MMCALC_GEMM_POOL_H

typedef void mm_gemm_job_fn(void *arg, int tid, int nt);

/* Runs fn(arg, tid, nt) on the calling thread (tid 0) and on the workers
 * (tid 1..nt-1) that wake up before the caller's fn returns; latecomers
 * skip it. So fn must take its work from a counter the threads share, and
 * any number of them from 1 to nt must finish the job. Returns when the
 * caller's fn has returned and every worker that joined has finished,
 * with the number of threads the pool has (fewer than nt if workers could
 * not be started; fn then sees that nt). */
int mm_gemm_pool_run(int nt, mm_gemm_job_fn *fn, void *arg);

/* Joins the workers and frees the pool (a later run starts it again). */
void mm_gemm_pool_shutdown(void);

#endif
