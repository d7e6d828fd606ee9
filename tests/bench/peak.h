/* peak.h — the machine's limits as the benchmarks measure them: the FMA
 * peak (GFLOP/s, f32 and f64, widest vectors this CPU runs) and the read
 * bandwidth over a buffer of a given size (GB/s), each on a given number
 * of threads running at once. bench-peak prints them; bench-gemm divides
 * by them. Benchmark code only: it prints nothing and allocates only in
 * peak_read_gbs (its own buffer, freed before it returns). */
#ifndef MMCALC_BENCH_PEAK_H
#define MMCALC_BENCH_PEAK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The clock the measurements read: CLOCK_MONOTONIC (the default), or
 * CLOCK_THREAD_CPUTIME_ID for one thread on a machine shared with other
 * work, where the time this thread ran is what counts. */
void peak_set_clock(clockid_t id);

/* "avx512", "avx2" or "sse2": the vectors peak_fma_gflops uses. */
const char *peak_isa(void);

/* Best of `rounds` timed runs of independent FMA chains (enough of them
 * to cover the latency) on `threads` threads at once: total GFLOP/s,
 * an FMA counted as 2 flops per lane. */
double peak_fma_gflops(bool f64, int threads, int rounds);

/* Best of `rounds` passes reading a `bytes` buffer (split among
 * `threads` threads, each summing its part with the widest loads): GB/s
 * (1e9 bytes a second). Returns 0 if the buffer cannot be allocated. */
double peak_read_gbs(size_t bytes, int threads, int rounds);

/* Reads buf[0..bytes) on `threads` threads as peak_read_gbs does; the
 * caller's buffer, so that the bandwidth bound of a product is measured
 * on the very bytes the product reads. Returns GB/s of the best round. */
double peak_read_buf_gbs(const void *buf, size_t bytes, int threads,
                         int rounds);

#endif
