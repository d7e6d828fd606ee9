/* parallel.h — a loop's pieces run on the GEMM's thread pool
 * (src/gemm/pool.h), for work outside the GEMM: elementwise kernels, row
 * operations, reductions.
 *
 * The caller owns arg and everything fn touches; nothing is retained after
 * return. One parallel loop uses the pool at a time: a loop started while
 * another runs (from fn, or from another thread) runs on its caller's
 * thread alone. The pool is shared with the GEMM, whose own lock this
 * module cannot take: do not run a GEMM from another thread during a
 * parallel loop, and do not call the GEMM from fn. */
#ifndef MMCALC_PARALLEL_H
#define MMCALC_PARALLEL_H

#include <stdint.h>

/* Does items [begin, end) of the caller's loop. */
typedef void mm_parallel_fn(void *arg, int64_t begin, int64_t end);

/* Calls fn(arg, b, e) for the pieces [k·grain, min((k+1)·grain, n)) of
 * [0, n), each exactly once, in no fixed order, on up to
 * mm_gemm_threads() threads (never more than there are pieces; one piece
 * runs on the caller). The pieces' bounds do not depend on the thread
 * count, so an fn that writes piece k's result to slot k gives the same
 * bits whatever the threads. grain < 1 counts as 1; n ≤ 0 calls nothing.
 * Polls mm_interrupted() before each piece. Returns 0 (MM_OK), or
 * MM_ERR_INTERRUPTED (diag.h) when it stopped early: some pieces were
 * then not done. */
int mm_parallel_for(int64_t n, int64_t grain, mm_parallel_fn *fn, void *arg);

#endif
