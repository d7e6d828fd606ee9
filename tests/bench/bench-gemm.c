/* bench-gemm.c — mmcalc's GEMM against OpenBLAS and BLIS (those built
 * in), side by side, on the shapes AI runs (decode, attention, transposed
 * operands, batches) and on squares, 1 and 2 threads, f32 and f64.
 *
 *   bench-gemm [--quick] [--cpu] [--rounds N] [--threads N] [--f32|--f64]
 *              [--only WORD] [--isa NAME] [--size [BATCHx]MxKxN[tA][tB]]...
 *
 * --isa runs mmcalc's kernels for that ISA (generic, avx2, avx512) on
 * every row but those that name their own.
 *
 * --cpu times one thread's rows by the CPU time of the thread (all the
 * libraries then run on it), which other work on a shared machine does
 * not inflate; two threads' rows are always timed by the clock.
 * Each round times every library once, in turns (the first to go changes
 * from round to round); a library's figure is the median of its rounds,
 * and the ratio (mmcalc over the best anchor of the same round) is given
 * as the median and the range of the rounds. % peak divides by the best
 * FMA peak seen in the run (peak.c) for that type and thread count; rows
 * bound by memory (decode) also give the share of their roofline, the
 * lower of that peak and the bandwidth bound (B's bytes over the read
 * bandwidth measured on B itself, in the same rounds). Every product's
 * result is compared with the anchors'.
 *
 * The anchors run their best kernels for this CPU whatever the
 * environment says (anchor_environment: OPENBLAS_CORETYPE, which OpenBLAS
 * reads when it is loaded, so the bench executes itself again, and
 * BLIS_ARCH_TYPE); the header says what was preset and what ran. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anchor.h"
#include "mmcalc/gemm.h"
#include "peak.h"

/* One row of the table: batch × (m×k)@(k×n), op(A) = Aᵀ if ta (A stored
 * k×m), op(B) = Bᵀ if tb (B stored n×k). */
struct row {
	int64_t batch, m, k, n;
	bool ta, tb;
	unsigned types;            /* bit 0 f32, bit 1 f64 */
	const char *isa;           /* mmcalc's kernels, NULL: the best */
	bool bw;                   /* bound by reading B: give that bound */
	const char *label;
};

enum { F32 = 1, F64 = 2, BOTH = 3 };

static const struct row full[] = {
	{1, 8, 4096, 4096, 0, 0, F32, NULL, true, "decode, batch 8"},
	{1, 16, 4096, 4096, 0, 0, F32, NULL, true, "decode, batch 16"},
	{1, 1, 4096, 4096, 0, 0, BOTH, NULL, true, "one token"},
	{96, 1024, 1024, 64, 0, 0, BOTH, NULL, false, "P@V"},
	{96, 1024, 64, 1024, 0, 1, F32, NULL, false, "Q@K.T"},
	{1, 4096, 128, 4096, 0, 1, F32, NULL, false, "scores, one head"},
	{1, 1024, 1024, 1024, 0, 0, BOTH, NULL, false, "A@B"},
	{1, 1024, 1024, 1024, 0, 1, BOTH, NULL, false, "A@B.T"},
	{1, 1024, 1024, 1024, 1, 0, BOTH, NULL, false, "A.T@B"},
	{1, 1024, 1024, 1024, 1, 1, BOTH, NULL, false, "A.T@B.T"},
	{1, 1024, 4096, 4096, 0, 0, BOTH, NULL, false, "layer"},
	{1, 64, 64, 64, 0, 0, BOTH, NULL, false, NULL},
	{1, 96, 96, 96, 0, 0, BOTH, NULL, false, NULL},
	{1, 128, 128, 128, 0, 0, BOTH, NULL, false, NULL},
	{1, 256, 256, 256, 0, 0, BOTH, NULL, false, NULL},
	{1, 384, 384, 384, 0, 0, BOTH, NULL, false, NULL},
	{1, 512, 512, 512, 0, 0, BOTH, NULL, false, NULL},
	{1, 768, 768, 768, 0, 0, BOTH, NULL, false, NULL},
	{1, 1000, 1000, 1000, 0, 0, BOTH, NULL, false, NULL},
	{1, 1025, 1025, 1025, 0, 0, BOTH, NULL, false, NULL},
	{1, 1536, 1536, 1536, 0, 0, BOTH, NULL, false, NULL},
	{1, 2048, 2048, 2048, 0, 0, BOTH, NULL, false, NULL},
	{1, 4096, 4096, 4096, 0, 0, BOTH, NULL, false, NULL},
	{1, 2048, 2048, 2048, 0, 0, F64, "avx2", false, "mmcalc on AVX2"},
};

static const struct row quick[] = {
	{1, 64, 64, 64, 0, 0, BOTH, NULL, false, NULL},
};

/* The clock of the current row (--cpu: one thread's rows by the time
 * that thread ran). */
static clockid_t clock_id = CLOCK_MONOTONIC;

static double now(void)
{
	struct timespec ts;
	clock_gettime(clock_id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *filled(int64_t count, bool f64)
{
	size_t bytes = (size_t)count * (f64 ? 8 : 4);
	void *x = aligned_alloc(64, (bytes + 63) / 64 * 64);
	if (!x) {
		fprintf(stderr, "bench-gemm: out of memory\n");
		exit(1);
	}
	uint64_t s = 0x9e3779b97f4a7c15u;
	for (int64_t i = 0; i < count; i++) {
		s = s * 6364136223846793005u + 1442695040888963407u;
		double v = (double)(s >> 11) * 0x1p-53 - 0.5;
		if (f64)
			((double *)x)[i] = v;
		else
			((float *)x)[i] = (float)v;
	}
	return x;
}

struct problem {
	struct row r;
	bool f64;
	int threads;
	void *a, *b, *c;
	int64_t sa, sb, sc;        /* elements from one batch entry to the next */
};

/* The participants of a round besides the libraries (0 mmcalc, 1.. the
 * anchors): reading B once, and the FMA peak. */
enum { READ_B = -1, FMA_PEAK = -2 };

/* Library lib (0 mmcalc, 1.. the anchors, READ_B) once. */
static void run(const struct problem *p, int lib)
{
	const struct row *r = &p->r;
	int64_t m = r->m, n = r->n, k = r->k;
	int64_t lda = r->ta ? m : k, ldb = r->tb ? k : n;
	size_t es = p->f64 ? 8 : 4;
	if (lib == READ_B) {
		peak_read_buf_gbs(p->b, (size_t)(r->batch * p->sb) * es, p->threads,
		                  1);
		return;
	}
	if (lib == 0) {
		int64_t rsa = r->ta ? 1 : lda, csa = r->ta ? lda : 1;
		int64_t rsb = r->tb ? 1 : ldb, csb = r->tb ? ldb : 1;
		int rc = p->f64
		         ? mm_dgemm_batch(r->batch, m, n, k, 1.0, p->a, p->sa, rsa,
		                          csa, p->b, p->sb, rsb, csb, 0.0, p->c,
		                          p->sc, n, 1)
		         : mm_sgemm_batch(r->batch, m, n, k, 1.0f, p->a, p->sa, rsa,
		                          csa, p->b, p->sb, rsb, csb, 0.0f, p->c,
		                          p->sc, n, 1);
		if (rc) {
			fprintf(stderr, "bench-gemm: gemm failed (%d)\n", rc);
			exit(1);
		}
		return;
	}
	for (int64_t q = 0; q < r->batch; q++)
		anchor_gemm(lib - 1, p->f64, r->ta, r->tb, m, n, k, 1.0,
		            (const char *)p->a + (size_t)(q * p->sa) * es, lda,
		            (const char *)p->b + (size_t)(q * p->sb) * es, ldb, 0.0,
		            (char *)p->c + (size_t)(q * p->sc) * es, n);
}

/* The best FMA peak seen in this run, by type and threads (up to 2 as
 * the table runs them, more with --threads): a peak measured on two
 * threads of a machine shared with other work comes out low whenever one
 * of them is preempted (a static split cannot make up for it, as the
 * GEMM's shared units do), which put mmcalc at 116-158% of "peak" on
 * many rows. Noise only ever lowers a peak, so the highest measurement,
 * a first one of several rounds and one in every round after it, is the
 * one to divide by. */
enum { MAXT_PEAK = 64, PEAK_FIRST_ROUNDS = 5 };
static double peak_best[2][MAXT_PEAK + 1];

static double peak_seen(const struct problem *p, int rounds)
{
	int t = p->threads < 1 ? 1 : p->threads > MAXT_PEAK ? MAXT_PEAK : p->threads;
	double g = peak_fma_gflops(p->f64, t, rounds);
	if (g > peak_best[p->f64][t])
		peak_best[p->f64][t] = g;
	return peak_best[p->f64][t];
}

static double timed(const struct problem *p, int lib, int reps)
{
	if (lib == FMA_PEAK)
		return peak_seen(p, 1);
	double t0 = now();
	for (int i = 0; i < reps; i++)
		run(p, lib);
	return (now() - t0) / reps;
}

enum { MAXROUNDS = 64, MAXLIBS = 3 };

/* Elements of C compared between mmcalc and each anchor. */
enum { NCHECK = 4096 };

static void sample(const struct problem *p, double *out)
{
	int64_t total = p->r.batch * p->sc;
	for (int i = 0; i < NCHECK; i++) {
		int64_t at = (int64_t)((uint64_t)i * 2654435761u % (uint64_t)total);
		out[i] = p->f64 ? ((double *)p->c)[at] : ((float *)p->c)[at];
	}
}

/* Whether the anchor's C agrees with mmcalc's (ref): within k·eps·(the
 * size of the terms, 0.5² · k at most). */
static bool agrees(const struct problem *p, const double *ref)
{
	double got[NCHECK];
	sample(p, got);
	double eps = p->f64 ? 0x1p-52 : 0x1p-23;
	double tol = 4.0 * (double)p->r.k * eps * 0.25 * (double)p->r.k + 1e-30;
	for (int i = 0; i < NCHECK; i++)
		if (!(fabs(got[i] - ref[i]) <= tol))
			return false;
	return true;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}


static void set_threads(int t)
{
	mm_gemm_set_threads(t);
	for (int i = 0; i < anchor_count(); i++)
		anchor_threads(i, t);
}

/* Prints the row's name into buf. */
static void row_name(const struct row *r, char *buf, size_t size)
{
	char ops[64];
	if (r->m == r->k && r->k == r->n && !r->ta && !r->tb)
		snprintf(ops, sizeof ops, "%lld", (long long)r->m);
	else
		snprintf(ops, sizeof ops, "(%lldx%lld)%s@(%lldx%lld)%s",
		         (long long)(r->ta ? r->k : r->m),
		         (long long)(r->ta ? r->m : r->k), r->ta ? ".T" : "",
		         (long long)(r->tb ? r->n : r->k),
		         (long long)(r->tb ? r->k : r->n), r->tb ? ".T" : "");
	if (r->batch > 1)
		snprintf(buf, size, "%lldx%s", (long long)r->batch, ops);
	else
		snprintf(buf, size, "%s", ops);
}

/* What the rounds of one row measured: GFLOP/s of each library, mmcalc
 * over the best anchor, and B's read bandwidth (GB/s), each round's. */
struct results {
	double gf[MAXLIBS][MAXROUNDS], ratio[MAXROUNDS];
	double bw[MAXROUNDS];
	bool ok[MAXLIBS];
};

/* The rounds: every library, the FMA peak and (for rows bound by
 * memory) reading B, in turns that start one further each round. The
 * FMA peak and B's read bandwidth are measured in the rounds too: on a
 * machine shared with other work they vary as much as the products do. */
static void measure(const struct problem *p, int rounds, int reps,
                    struct results *res)
{
	const struct row *r = &p->r;
	double flops = 2.0 * (double)r->batch * (double)r->m * (double)r->n *
	               (double)r->k;
	int libs = 1 + anchor_count(), order[MAXLIBS + 2], nord = 0;
	for (int l = 0; l < libs; l++)
		order[nord++] = l;
	order[nord++] = FMA_PEAK;
	if (r->bw)
		order[nord++] = READ_B;
	for (int q = 0; q < rounds; q++) {
		for (int o = 0; o < nord; o++) {
			int lib = order[(o + q) % nord];
			/* the last library's threads go to sleep first (BLIS's
			 * OpenMP threads, OpenBLAS's spin a while) */
			usleep(2000);
			double t = timed(p, lib, lib < 0 ? 1 : reps);
			if (lib == FMA_PEAK)
				;       /* kept in peak_best */
			else if (lib == READ_B)
				res->bw[q] = (double)(r->batch * p->sb) *
				             (p->f64 ? 8 : 4) / t * 1e-9;
			else
				res->gf[lib][q] = flops / t * 1e-9;
		}
		double best = 0;
		for (int l = 1; l < libs; l++)
			best = res->gf[l][q] > best ? res->gf[l][q] : best;
		res->ratio[q] = best > 0 ? res->gf[0][q] / best : 0;
	}
}

/* One line of the table: medians, and the range of the ratios. */
static void print_row(const struct problem *p, int rounds,
                      struct results *res)
{
	const struct row *r = &p->r;
	int libs = 1 + anchor_count();
	char name[96];
	row_name(r, name, sizeof name);
	double med[MAXLIBS];
	for (int l = 0; l < libs; l++)
		med[l] = median(res->gf[l], rounds);
	double rmed = median(res->ratio, rounds);
	/* median() sorted them */
	double rlo = res->ratio[0], rhi = res->ratio[rounds - 1];
	printf("%-26s %-4s %2d %8.1f", name, p->f64 ? "f64" : "f32", p->threads,
	       med[0]);
	for (int l = 1; l < libs; l++)
		printf(" %8.1f%s", med[l], res->ok[l] ? " " : "!");
	for (int l = libs; l < MAXLIBS; l++)
		printf(" %8s ", "-");
	if (libs > 1)
		printf(" %5.2f [%4.2f-%4.2f]", rmed, rlo, rhi);
	else
		printf(" %5s %11s", "-", "");
	int tp = p->threads > MAXT_PEAK ? MAXT_PEAK : p->threads;
	printf(" %5.0f%%", 100.0 * med[0] / peak_best[p->f64][tp]);
	if (r->bw) {
		double bw = median(res->bw, rounds);
		double flops = 2.0 * (double)r->batch * (double)r->m *
		               (double)r->n * (double)r->k;
		double bytes = (double)(r->batch * p->sb) * (p->f64 ? 8 : 4);
		/* the roofline: reading B, or the FMA peak when that is
		 * lower (m = 16 on a fast memory: B at 35 GB/s would allow
		 * 280 GFLOP/s, more than a core computes) */
		double bound = flops / (bytes / (bw * 1e9)) * 1e-9;
		bool by_peak = peak_best[p->f64][tp] < bound;
		if (by_peak)
			bound = peak_best[p->f64][tp];
		printf("  %4.0f%% of %.1f (%s; B read at %.1f GB/s)",
		       100.0 * med[0] / bound, bound,
		       by_peak ? "the FMA peak" : "B's bytes", bw);
	}
	if (r->label)
		printf("  %s", r->label);
	printf("\n");
	fflush(stdout);
}

static void bench(const struct row *r, bool f64, int threads, int rounds,
                  bool cpu)
{
	clock_id = cpu && threads == 1 ? CLOCK_THREAD_CPUTIME_ID
	                               : CLOCK_MONOTONIC;
	peak_set_clock(clock_id);
	struct problem p = {*r, f64, threads, NULL, NULL, NULL, r->m * r->k,
	                    r->k * r->n, r->m * r->n};
	p.a = filled(r->batch * p.sa, f64);
	p.b = filled(r->batch * p.sb, f64);
	p.c = filled(r->batch * p.sc, f64);
	const char *isa = mm_gemm_isa();
	if (r->isa && mm_gemm_set_isa(r->isa) != 0) {
		printf("# %s: mmcalc cannot run %s here\n", r->label, r->isa);
	} else {
		set_threads(threads);
		/* Warm up (threads, buffers, pages) and check the anchors'
		 * results against mmcalc's; then size the repetitions so
		 * that a sample lasts about 40 ms (a first call alone, cold,
		 * took 100 times as long as the next at 12³). */
		static struct results res;
		double ref[NCHECK];
		run(&p, 0);
		sample(&p, ref);
		for (int l = 1; l < 1 + anchor_count(); l++) {
			run(&p, l);
			res.ok[l] = agrees(&p, ref);
		}
		int reps = 1;
		double t1 = timed(&p, 0, 1);
		while (t1 * reps < 0.01 && reps < (1 << 24)) {
			reps *= 4;
			t1 = timed(&p, 0, reps);
		}
		reps = t1 > 0.04 ? 1 : (int)(0.04 / (t1 + 1e-12)) + 1;
		int tp = threads > MAXT_PEAK ? MAXT_PEAK : threads;
		if (peak_best[f64][tp] == 0)
			(void)peak_seen(&p, PEAK_FIRST_ROUNDS);
		measure(&p, rounds, reps, &res);
		print_row(&p, rounds, &res);
	}
	mm_gemm_set_isa(isa);
	free(p.a);
	free(p.b);
	free(p.c);
}

/* [BATCHx]MxKxN, then "tA", "tB" or both: a --size argument. */
static bool parse_size(const char *s, struct row *r)
{
	long long v[4];
	int used = 0, nv = 0;
	*r = (struct row){1, 0, 0, 0, false, false, BOTH, NULL, false, NULL};
	while (nv < 4 && sscanf(s, "%lld%n", &v[nv], &used) == 1) {
		nv++;
		s += used;
		if (*s != 'x')
			break;
		s++;
	}
	if (nv < 3)
		return false;
	int o = nv - 3;
	if (nv == 4)
		r->batch = v[0];
	r->m = v[o];
	r->k = v[o + 1];
	r->n = v[o + 2];
	r->ta = strstr(s, "tA") != NULL;
	r->tb = strstr(s, "tB") != NULL;
	r->bw = r->m <= 16;
	return r->batch > 0 && r->m > 0 && r->k > 0 && r->n > 0;
}

/* Puts the anchors' variables in the environment, and GOMP_SPINCOUNT
 * (BLIS's OpenMP threads would otherwise spin for about 10 ms after each
 * call, on the CPU the next library wants) unless the user set OpenMP's
 * waiting; executes the bench again if anything changed. */
static void environment(char **argv, char *was, int was_size)
{
	bool changed = anchor_environment(was, was_size);
	if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT")) {
		setenv("GOMP_SPINCOUNT", "10000", 1);
		changed = true;
	}
	if (!changed || getenv("BENCH_GEMM_REEXEC"))
		return;
	setenv("BENCH_GEMM_REEXEC", was, 1);
	execv("/proc/self/exe", argv);
	perror("bench-gemm: could not execute itself again; the anchors keep "
	       "their own choice of kernels");
}

int main(int argc, char **argv)
{
	char was[256];
	environment(argv, was, sizeof was);
	if (getenv("BENCH_GEMM_REEXEC"))
		snprintf(was, sizeof was, "%s", getenv("BENCH_GEMM_REEXEC"));
	bool is_quick = false, cpu = false;
	unsigned only_types = BOTH;
	int rounds = 7, only_threads = 0;
	const char *only = NULL, *isa = NULL;
	struct row custom[32];
	size_t ncustom = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			is_quick = true;
		else if (strcmp(argv[i], "--cpu") == 0)
			cpu = true;
		else if (strcmp(argv[i], "--f32") == 0)
			only_types = F32;
		else if (strcmp(argv[i], "--f64") == 0)
			only_types = F64;
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			only_threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--isa") == 0 && i + 1 < argc)
			isa = argv[++i];
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc &&
		         ncustom < 32 && parse_size(argv[i + 1], &custom[ncustom]))
			ncustom++, i++;
		else {
			fprintf(stderr, "usage: %s [--quick] [--cpu] [--rounds N] "
			        "[--threads N] [--f32|--f64] [--only WORD] "
			        "[--isa NAME] [--size [BATCHx]MxKxN[tA][tB]]...\n",
			        argv[0]);
			return 2;
		}
	}
	if (isa && mm_gemm_set_isa(isa) != 0) {
		fprintf(stderr, "bench-gemm: mmcalc cannot run %s here\n", isa);
		return 2;
	}
	if (is_quick)
		rounds = 2;
	rounds = rounds < 1 ? 1 : rounds > MAXROUNDS ? MAXROUNDS : rounds;
	const struct row *rows = ncustom ? custom : is_quick ? quick : full;
	size_t nrows = ncustom ? ncustom
	             : is_quick ? sizeof quick / sizeof quick[0]
	                        : sizeof full / sizeof full[0];

	printf("# environment before: %s\n", was[0] ? was : "(nothing set)");
	for (int i = 0; i < anchor_count(); i++)
		printf("# anchor %s: kernels %s\n", anchor_name(i),
		       anchor_kernels(i));
	if (!anchor_count())
		printf("# no anchor built in: mmcalc figures only\n");
	int maxt = mm_gemm_threads() > 1 ? 2 : 1;
	printf("# mmcalc kernels: %s; GFLOP/s = 2·batch·mnk / time (%s), "
	       "median of %d rounds\n", mm_gemm_isa(),
	       cpu ? "1 thread: its CPU time; 2: wall clock" : "wall clock",
	       rounds);
	printf("# %%peak: mmcalc's median over the best FMA peak seen in this "
	       "run (%s vectors; best of %d rounds at a type's first row, then "
	       "once more in every round)\n", peak_isa(), PEAK_FIRST_ROUNDS);
	printf("%-26s %-4s %2s %8s", "shape", "type", "T", "mmcalc");
	for (int i = 0; i < MAXLIBS - 1; i++)
		printf(" %8s ", i < anchor_count() ? anchor_name(i) : "-");
	printf(" %5s %11s %6s\n", "ratio", "[range]", "%peak");
	for (size_t i = 0; i < nrows; i++) {
		if (only && !(rows[i].label && strstr(rows[i].label, only)))
			continue;
		for (int f = 0; f < 2; f++) {
			if (!(rows[i].types & only_types & (1u << f)))
				continue;
			for (int t = 1; t <= maxt; t++)
				if (!only_threads || t == only_threads)
					bench(&rows[i], f == 1, t, rounds, cpu);
		}
	}
	printf("# '!' after an anchor's figure: its result differed from "
	       "mmcalc's\n");
	mm_gemm_shutdown();
	return 0;
}
