/* peak.c — FMA peak and read bandwidth, measured (see peak.h). The FMA
 * loops run 16 independent chains of fused multiply-adds on the widest
 * vectors the CPU has (two FMA pipes of latency 4 need 8), compiled for
 * that ISA with target attributes and chosen at run time; the read loop
 * sums 32-bit integers (no floating-point assists on odd bit patterns)
 * in several streams at once. */
#include "peak.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PEAK_X86 1
#endif

static clockid_t clock_id = CLOCK_MONOTONIC;

void peak_set_clock(clockid_t id)
{
	clock_id = id;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(clock_id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Sixteen chains c = c·x + y, x just under 1 so the values stay finite. */
#define CHAINS(V, FMA, SET1, ADD, T)                                     \
	V x = SET1((T)0.999999), y = SET1((T)1e-6);                      \
	V c0 = SET1((T)0.1), c1 = SET1((T)0.2), c2 = SET1((T)0.3),       \
	  c3 = SET1((T)0.4), c4 = SET1((T)0.5), c5 = SET1((T)0.6),       \
	  c6 = SET1((T)0.7), c7 = SET1((T)0.8), c8 = SET1((T)0.9),       \
	  c9 = SET1((T)1.0), c10 = SET1((T)1.1), c11 = SET1((T)1.2),     \
	  c12 = SET1((T)1.3), c13 = SET1((T)1.4), c14 = SET1((T)1.5),    \
	  c15 = SET1((T)1.6);                                            \
	for (long i = 0; i < iters; i++) {                               \
		c0 = FMA(c0, x, y); c1 = FMA(c1, x, y);                  \
		c2 = FMA(c2, x, y); c3 = FMA(c3, x, y);                  \
		c4 = FMA(c4, x, y); c5 = FMA(c5, x, y);                  \
		c6 = FMA(c6, x, y); c7 = FMA(c7, x, y);                  \
		c8 = FMA(c8, x, y); c9 = FMA(c9, x, y);                  \
		c10 = FMA(c10, x, y); c11 = FMA(c11, x, y);              \
		c12 = FMA(c12, x, y); c13 = FMA(c13, x, y);              \
		c14 = FMA(c14, x, y); c15 = FMA(c15, x, y);              \
	}                                                                \
	c0 = ADD(ADD(ADD(c0, c1), ADD(c2, c3)), ADD(ADD(c4, c5), ADD(c6, c7))); \
	c8 = ADD(ADD(ADD(c8, c9), ADD(c10, c11)),                        \
	         ADD(ADD(c12, c13), ADD(c14, c15)));                     \
	c0 = ADD(c0, c8);                                                \
	T out[sizeof(V) / sizeof(T)];                                    \
	memcpy(out, &c0, sizeof out);                                    \
	return (double)out[0];

#ifdef PEAK_X86
__attribute__((target("avx512f,fma"))) static double fma512_s(long iters)
{
	CHAINS(__m512, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_add_ps, float)
}

__attribute__((target("avx512f,fma"))) static double fma512_d(long iters)
{
	CHAINS(__m512d, _mm512_fmadd_pd, _mm512_set1_pd, _mm512_add_pd, double)
}

__attribute__((target("avx2,fma"))) static double fma256_s(long iters)
{
	CHAINS(__m256, _mm256_fmadd_ps, _mm256_set1_ps, _mm256_add_ps, float)
}

__attribute__((target("avx2,fma"))) static double fma256_d(long iters)
{
	CHAINS(__m256d, _mm256_fmadd_pd, _mm256_set1_pd, _mm256_add_pd, double)
}

/* SSE2 has no FMA: a multiply and an add count as one here. */
#define MULADD_S(c, x, y) _mm_add_ps(_mm_mul_ps(c, x), y)
#define MULADD_D(c, x, y) _mm_add_pd(_mm_mul_pd(c, x), y)
static double fma128_s(long iters)
{
	CHAINS(__m128, MULADD_S, _mm_set1_ps, _mm_add_ps, float)
}

static double fma128_d(long iters)
{
	CHAINS(__m128d, MULADD_D, _mm_set1_pd, _mm_add_pd, double)
}
#endif

#define SCALAR(x) (x)
#define SUM(x, y) ((x) + (y))
static double fma_scalar_s(long iters)
{
	CHAINS(float, fmaf, SCALAR, SUM, float)
}

static double fma_scalar_d(long iters)
{
	CHAINS(double, fma, SCALAR, SUM, double)
}

enum { ISA_SCALAR, ISA_SSE2, ISA_AVX2, ISA_AVX512 };

static int isa(void)
{
#ifdef PEAK_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"))
		return ISA_AVX512;
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return ISA_AVX2;
	return ISA_SSE2;
#else
	return ISA_SCALAR;
#endif
}

const char *peak_isa(void)
{
	static const char *const names[] = {"scalar", "sse2", "avx2", "avx512"};
	return names[isa()];
}

/* Bytes of one vector of the ISA: lanes = this / sizeof(element). */
static int vec_bytes(void)
{
	static const int bytes[] = {8, 16, 32, 64};
	return bytes[isa()];
}

static double run_fma(bool f64, long iters)
{
	switch (isa()) {
#ifdef PEAK_X86
	case ISA_AVX512: return f64 ? fma512_d(iters) : fma512_s(iters);
	case ISA_AVX2: return f64 ? fma256_d(iters) : fma256_s(iters);
	case ISA_SSE2: return f64 ? fma128_d(iters) : fma128_s(iters);
#endif
	default: return f64 ? fma_scalar_d(iters) : fma_scalar_s(iters);
	}
}

/* Integer sum of n bytes (a multiple of 256) with the widest loads, in
 * STREAMS interleaved sequential streams: one core reading one stream
 * reached 8 GB/s from memory here, eight 14 GB/s, as many as the GEMM's
 * skinny path keeps going (the bound would otherwise be too low). */
enum { STREAMS = 8 };

#ifdef PEAK_X86
__attribute__((target("avx512f"))) static uint64_t read512(const char *p,
                                                           size_t n)
{
	__m512i s0 = _mm512_setzero_si512(), s1 = s0;
	size_t seg = n / STREAMS / 128 * 128;
	for (size_t i = 0; i < seg; i += 128)
		for (int q = 0; q < STREAMS; q++) {
			const char *x = p + (size_t)q * seg + i;
			s0 = _mm512_add_epi32(s0, _mm512_loadu_si512((const void *)x));
			s1 = _mm512_add_epi32(s1, _mm512_loadu_si512((const void *)(x + 64)));
		}
	for (size_t i = seg * STREAMS; i < n; i += 64)
		s0 = _mm512_add_epi32(s0, _mm512_loadu_si512((const void *)(p + i)));
	return (uint64_t)_mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
}

__attribute__((target("avx2"))) static uint64_t read256(const char *p,
                                                        size_t n)
{
	__m256i s0 = _mm256_setzero_si256(), s1 = s0;
	size_t seg = n / STREAMS / 64 * 64;
	for (size_t i = 0; i < seg; i += 64)
		for (int q = 0; q < STREAMS; q++) {
			const char *x = p + (size_t)q * seg + i;
			s0 = _mm256_add_epi32(s0, _mm256_loadu_si256((const void *)x));
			s1 = _mm256_add_epi32(s1, _mm256_loadu_si256((const void *)(x + 32)));
		}
	for (size_t i = seg * STREAMS; i < n; i += 32)
		s0 = _mm256_add_epi32(s0, _mm256_loadu_si256((const void *)(p + i)));
	s0 = _mm256_add_epi32(s0, s1);
	return (uint64_t)_mm256_extract_epi32(s0, 0);
}
#endif

static uint64_t read_any(const char *p, size_t n)
{
#ifdef PEAK_X86
	if (isa() == ISA_AVX512)
		return read512(p, n);
	if (isa() == ISA_AVX2)
		return read256(p, n);
#endif
	uint64_t s = 0;
	for (size_t i = 0; i < n; i += sizeof s) {
		uint64_t v;
		memcpy(&v, p + i, sizeof v);
		s += v;
	}
	return s;
}

/* One measurement on several threads: each round starts together behind
 * a barrier and ends when the last thread is done (a second barrier);
 * thread 0 keeps the best round's seconds. */
struct team {
	pthread_barrier_t bar;
	int threads, rounds;
	bool f64;
	long iters;                /* FMA: iterations per thread */
	const char *buf;           /* read: the buffer and its size */
	size_t bytes;
	int passes;                /* read: passes over it a round */
	double best;
	volatile double sink;
};

static void work(struct team *t, int id)
{
	if (!t->buf) {
		t->sink = run_fma(t->f64, t->iters);
		return;
	}
	/* thread id's share, in whole 256-byte blocks */
	size_t blocks = t->bytes / 256;
	size_t lo = blocks * (size_t)id / (size_t)t->threads * 256;
	size_t hi = blocks * (size_t)(id + 1) / (size_t)t->threads * 256;
	uint64_t sum = 0;
	for (int i = 0; i < t->passes; i++)
		sum += read_any(t->buf + lo, hi - lo);
	t->sink = (double)sum;
}

struct member {
	struct team *t;
	int id;
};

static void *member_main(void *p)
{
	struct member *m = p;
	struct team *t = m->t;
	for (int r = 0; r < t->rounds; r++) {
		pthread_barrier_wait(&t->bar);
		double t0 = now();
		work(t, m->id);
		pthread_barrier_wait(&t->bar);
		double dt = now() - t0;
		if (m->id == 0 && dt < t->best)
			t->best = dt;
	}
	return NULL;
}

/* Runs the team; returns the best round's seconds. */
static double run_team(struct team *t)
{
	enum { MAXT = 64 };
	if (t->threads < 1)
		t->threads = 1;
	if (t->threads > MAXT)
		t->threads = MAXT;
	pthread_t th[MAXT];
	struct member mem[MAXT];
	t->best = 1e30;
	pthread_barrier_init(&t->bar, NULL, (unsigned)t->threads);
	int started = 1;
	for (int i = 1; i < t->threads; i++) {
		mem[i] = (struct member){t, i};
		if (pthread_create(&th[i], NULL, member_main, &mem[i]) != 0)
			break;
		started++;
	}
	if (started < t->threads) { /* could not start them all */
		pthread_barrier_destroy(&t->bar);
		pthread_barrier_init(&t->bar, NULL, (unsigned)started);
	}
	mem[0] = (struct member){t, 0};
	member_main(&mem[0]);
	for (int i = 1; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&t->bar);
	return t->best;
}

double peak_fma_gflops(bool f64, int threads, int rounds)
{
	/* iterations for about 40 ms on one thread, found once a type */
	static long calibrated[2];
	long iters = calibrated[f64];
	for (iters = iters ? iters : 1 << 16; !calibrated[f64]; iters *= 4) {
		double t0 = now();
		(void)run_fma(f64, iters);
		double dt = now() - t0;
		if (dt > 0.01 || iters > (1L << 40))
			calibrated[f64] = (long)((double)iters * 0.04 / (dt + 1e-9)) + 1;
	}
	iters = calibrated[f64];
	struct team t = {.threads = threads, .rounds = rounds < 1 ? 1 : rounds,
	                 .f64 = f64, .iters = iters};
	double sec = run_team(&t);
	double lanes = (double)vec_bytes() / (f64 ? 8.0 : 4.0);
	return 2.0 * 16.0 * lanes * (double)iters * (double)t.threads / sec * 1e-9;
}

double peak_read_buf_gbs(const void *buf, size_t bytes, int threads,
                         int rounds)
{
	struct team t = {.threads = threads, .rounds = rounds < 1 ? 1 : rounds,
	                 .buf = buf, .bytes = bytes / 256 * 256};
	if (t.bytes == 0)
		return 0;
	/* a round reads at least 64 MiB: small buffers many times over */
	size_t least = (size_t)64 << 20;
	t.passes = t.bytes >= least ? 1 : (int)(least / t.bytes);
	double sec = run_team(&t);
	return (double)t.bytes * t.passes / sec * 1e-9;
}

double peak_read_gbs(size_t bytes, int threads, int rounds)
{
	bytes = (bytes + 255) / 256 * 256;
	char *buf = aligned_alloc(64, bytes);
	if (!buf)
		return 0;
	memset(buf, 1, bytes);
	double g = peak_read_buf_gbs(buf, bytes, threads, rounds);
	free(buf);
	return g;
}
