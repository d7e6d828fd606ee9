/* device_host.c — the host's profile: calibration (mmcalc's GEMMs per
 * dtype, gelu through vmath, a triad) and its cache file. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmcalc/device.h"
#include "mmcalc/gemm.h"
#include "mmcalc/gemm_lowp.h"
#include "mmcalc/io.h"
#include "mmcalc/vmath.h"

static const mm_span nospan = {0, 0};

/* ---- host calibration ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Big enough that the GEMM uses all its threads and its blocked path (a
 * 256³ product stays on one thread and under-reports the host by half),
 * small enough that a run takes milliseconds. The low-precision GEMMs
 * (AMX on Intel) do a product several times faster and reach their rate
 * on larger blocks: 1024³. */
#define CAL_N 768
#define CAL_LOWP_N 1024

/* Operands of the calibration products: small integers, exact in every
 * dtype, so that no kernel meets a special value. */
typedef struct cal_bufs {
	float *a, *b, *c, *la, *lb, *lc;
	double *da, *db, *dc;
	int32_t *ic;
} cal_bufs;

static void cal_free(cal_bufs *m)
{
	free(m->a);
	free(m->b);
	free(m->c);
	free(m->la);
	free(m->lb);
	free(m->lc);
	free(m->da);
	free(m->db);
	free(m->dc);
	free(m->ic);
}

static bool cal_alloc(cal_bufs *m)
{
	size_t n = (size_t)CAL_N * CAL_N, l = (size_t)CAL_LOWP_N * CAL_LOWP_N;
	memset(m, 0, sizeof *m);
	m->a = malloc(n * sizeof *m->a);
	m->b = malloc(n * sizeof *m->b);
	m->c = malloc(n * sizeof *m->c);
	m->da = malloc(n * sizeof *m->da);
	m->db = malloc(n * sizeof *m->db);
	m->dc = malloc(n * sizeof *m->dc);
	m->la = malloc(l * sizeof *m->la);
	m->lb = malloc(l * sizeof *m->lb);
	m->lc = malloc(l * sizeof *m->lc);
	m->ic = malloc(l * sizeof *m->ic);
	if (!m->a || !m->b || !m->c || !m->da || !m->db || !m->dc || !m->la ||
	    !m->lb || !m->lc || !m->ic)
		return false;
	for (size_t i = 0; i < n; i++) {
		m->da[i] = (double)(i % 7) - 3.0;
		m->db[i] = -m->da[i];
		m->a[i] = (float)m->da[i];
		m->b[i] = (float)m->db[i];
	}
	for (size_t i = 0; i < l; i++) {
		m->la[i] = (float)(i % 7) - 3.0f;
		m->lb[i] = (float)(i % 5) - 2.0f;
	}
	return true;
}

/* Times one product of each kind (f32, f64, bf16, i8) and keeps the best
 * rates in best[]; false when a kernel failed (interrupted, or no memory
 * for its packing). */
static bool cal_round(cal_bufs *m, double best[4])
{
	const int64_t n = CAL_N, l = CAL_LOWP_N;
	const double flops[4] = {2.0 * n * n * n, 2.0 * n * n * n,
	                         2.0 * l * l * l, 2.0 * l * l * l};
	for (int k = 0; k < 4; k++) {
		double t0 = now();
		int r = k == 0 ? mm_sgemm(n, n, n, 1.0f, m->a, n, 1, m->b, n, 1,
		                          0.0f, m->c, n, 1)
		        : k == 1 ? mm_dgemm(n, n, n, 1.0, m->da, n, 1, m->db, n, 1,
		                            0.0, m->dc, n, 1)
		        : k == 2 ? mm_gemm_bf16(l, l, l, 1.0f, m->la, l, 1, m->lb, l,
		                                1, 0.0f, m->lc, l, 1)
		                 : mm_gemm_i8(l, l, l, m->la, l, 1, m->lb, l, 1,
		                              false, m->ic, l, 1);
		double dt = now() - t0;
		if (r != 0)
			return false;
		if (dt > 0 && flops[k] / dt > best[k])
			best[k] = flops[k] / dt;
	}
	return true;
}

/* Best rates of the four GEMMs over products repeated for about budget
 * seconds. The kinds alternate, so a busy spell on a shared machine does
 * not fall on one of them only. */
static mm_code gemm_rates(double budget, mm_host_calib *c)
{
	cal_bufs m;
	double best[4] = {0, 0, 0, 0};
	mm_code rc = MM_OK;
	if (!cal_alloc(&m)) {
		rc = MM_ERR_NOMEM;
	} else {
		double start = now();
		for (int it = 0; it < 3 || now() - start < budget; it++)
			if (!cal_round(&m, best) || it > 100000) {
				rc = it > 100000 ? MM_OK : MM_ERR_INTERRUPTED;
				break;
			}
	}
	cal_free(&m);
	c->peak_f32 = best[0];
	c->peak_f64 = best[1];
	c->peak_bf16 = best[2];
	c->peak_i8 = best[3];
	return rc;
}

/* Elements gelu takes per second through vmath on every thread, on an
 * array that stays in cache (the function's rate, not memory's). */
#define TRANS_N ((int64_t)1 << 18)

static mm_code transcendental_rate(double budget, double *rate)
{
	float *x = malloc((size_t)TRANS_N * sizeof *x),
	      *y = malloc((size_t)TRANS_N * sizeof *y);
	mm_code rc = MM_OK;
	*rate = 0;
	if (!x || !y) {
		rc = MM_ERR_NOMEM;
		goto out;
	}
	for (int64_t i = 0; i < TRANS_N; i++)
		x[i] = (float)(i % 1001) * 0.01f - 5.0f;
	double start = now();
	for (int it = 0; it < 5 || now() - start < budget; it++) {
		double t0 = now();
		if (mm_vmath_map_f32(MM_VMATH_GELU, TRANS_N, x, y) != 0) {
			rc = MM_ERR_INTERRUPTED;
			break;
		}
		double dt = now() - t0;
		if (dt > 0 && (double)TRANS_N / dt > *rate)
			*rate = (double)TRANS_N / dt;
		if (it > 100000)
			break;
	}
out:
	free(x);
	free(y);
	return rc;
}

#define TRIAD_N ((size_t)4 << 20) /* doubles per array: 32 MiB */
#define MAX_TRIAD_THREADS 64

typedef struct triad_job {
	double *a;
	const double *b, *c;
	size_t lo, hi;
} triad_job;

static void *triad_run(void *arg)
{
	triad_job *j = arg;
	for (size_t i = j->lo; i < j->hi; i++)
		j->a[i] = j->b[i] + 3.0 * j->c[i];
	return NULL;
}

/* One pass of a = b + 3·c over nth threads. */
static void triad_pass(double *a, const double *b, const double *c, int nth)
{
	pthread_t tid[MAX_TRIAD_THREADS];
	triad_job job[MAX_TRIAD_THREADS];
	bool started[MAX_TRIAD_THREADS] = {false};
	for (int t = 0; t < nth; t++) {
		job[t] = (triad_job){a, b, c, TRIAD_N * (size_t)t / (size_t)nth,
		                     TRIAD_N * (size_t)(t + 1) / (size_t)nth};
		if (t > 0)
			started[t] = pthread_create(&tid[t], NULL, triad_run,
			                            &job[t]) == 0;
	}
	triad_run(&job[0]);
	for (int t = 1; t < nth; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			triad_run(&job[t]); /* no thread: do its share here */
	}
}

static mm_code triad_rate(int nth, double budget, double *rate)
{
	double *a = malloc(TRIAD_N * sizeof *a), *b = malloc(TRIAD_N * sizeof *b),
	       *c = malloc(TRIAD_N * sizeof *c);
	*rate = 0;
	if (!a || !b || !c) {
		free(a);
		free(b);
		free(c);
		return MM_ERR_NOMEM;
	}
	for (size_t i = 0; i < TRIAD_N; i++) {
		a[i] = 0;
		b[i] = (double)(i & 15);
		c[i] = 0.5;
	}
	double bytes = 3.0 * sizeof(double) * (double)TRIAD_N, start = now();
	for (int it = 0; it < 3 || now() - start < budget; it++) {
		double t0 = now();
		triad_pass(a, b, c, nth);
		double dt = now() - t0;
		if (dt > 0 && bytes / dt > *rate)
			*rate = bytes / dt;
		if (it > 1000)
			break;
	}
	free(a);
	free(b);
	free(c);
	return MM_OK;
}

/* The CPU's model name from /proc/cpuinfo, "" when unknown. */
static void cpu_model(char *out, size_t cap)
{
	out[0] = '\0';
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		const char *v = strchr(line, ':');
		if (!v)
			break;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		snprintf(out, cap, "%s", v);
		out[strcspn(out, "\n")] = '\0';
		break;
	}
	fclose(f);
}

mm_code mm_device_calibrate(mm_host_calib *out, double budget_s, mm_diag *d)
{
	mm_host_calib c;
	memset(&c, 0, sizeof c);
	if (!(budget_s > 0))
		budget_s = 0.6;
	c.threads = mm_gemm_threads();
	snprintf(c.isa, sizeof c.isa, "%s", mm_gemm_isa());
	cpu_model(c.cpu, sizeof c.cpu);
	mm_code rc = gemm_rates(0.5 * budget_s, &c);
	if (rc == MM_OK)
		rc = transcendental_rate(0.1 * budget_s, &c.transcendental);
	int nth = c.threads < 1 ? 1
	          : c.threads > MAX_TRIAD_THREADS ? MAX_TRIAD_THREADS
	                                          : c.threads;
	if (rc == MM_OK)
		rc = triad_rate(nth, 0.4 * budget_s, &c.bw);
	if (rc == MM_ERR_NOMEM)
		return mm_diag_set(d, rc, nospan,
		                   "not enough memory to calibrate the host");
	if (rc != MM_OK)
		return mm_diag_set(d, rc, nospan, "host calibration interrupted");
	*out = c;
	return MM_OK;
}

/* ---- the cache file ---- */

/* 3: gelu's kernel got faster, so a rate cached before is stale.
 * 4: bf16 may run on the f32 FMA (lowp.c), twice as fast where
 * vdpbf16ps is slow, so a bf16 rate cached before is stale. */
#define CACHE_VERSION 4
/* Calibrations kept in the file, one per CPU, thread count and GEMM
 * path: `:threads 1` and back does not measure the host again. */
enum { CACHE_RECORDS = 8 };

static bool same_key(const mm_host_calib *a, const mm_host_calib *b)
{
	return a->threads == b->threads && strcmp(a->cpu, b->cpu) == 0 &&
	       strcmp(a->isa, b->isa) == 0;
}

/* One record of the file as it is read. */
struct cache_rec {
	mm_host_calib c;
	int version, seen; /* seen: a bit per key, or < 0 after garbage */
};

/* Figures a real host can have: a record outside them (1e-300, a
 * negative, nan, 1e300) is corrupt or planted, and the host is measured
 * again rather than believed. */
#define HOST_RATE_MIN 1e6
#define HOST_RATE_MAX 1e18
#define HOST_THREADS_MAX 65536

static bool plausible(double v)
{
	return v >= HOST_RATE_MIN && v <= HOST_RATE_MAX;
}

static bool rec_ok(const struct cache_rec *r)
{
	const mm_host_calib *c = &r->c;
	return r->version == CACHE_VERSION && r->seen == 511 &&
	       plausible(c->peak_f32) && plausible(c->peak_f64) &&
	       plausible(c->peak_bf16) && plausible(c->peak_i8) &&
	       plausible(c->transcendental) && plausible(c->bw) &&
	       c->threads >= 1 &&
	       c->threads <= HOST_THREADS_MAX;
}

/* The cache file is small (8 records of 7 short lines); a bigger one is
 * not a cache of ours. */
#define CACHE_MAX ((size_t)64 << 10)

/* Reads up to `max` valid records of the text into out and returns how
 * many; a record runs from a `version` line to the next. *bad is set when
 * the text has none or its first is malformed; malformed ones after the
 * first are skipped. */
static int cache_parse(const char *text, mm_host_calib *out, int max,
                       bool *bad)
{
	struct cache_rec r;
	int n = 0, nrec = 0;
	char line[512];
	*bad = true;
	for (const char *p = text;;) {
		bool more = *p != '\0';
		char *v = NULL;
		if (more) {
			size_t k = strcspn(p, "\n");
			snprintf(line, sizeof line, "%.*s",
			         (int)(k < sizeof line ? k : sizeof line - 1), p);
			p += k + (p[k] == '\n');
			line[strcspn(line, "\r")] = '\0';
			if (line[0] == '#' || !(v = strchr(line, ' ')))
				continue;
			*v++ = '\0';
		}
		if (nrec && (!more || strcmp(line, "version") == 0)) {
			bool ok = rec_ok(&r); /* the record before ends */
			if (nrec == 1)
				*bad = !ok;
			if (ok && n < max)
				out[n++] = r.c;
		}
		if (!more)
			return n;
		if (!nrec || strcmp(line, "version") == 0) {
			memset(&r, 0, sizeof r);
			nrec++;
		}
		char *end = NULL;
		mm_host_calib *c = &r.c;
		if (strcmp(line, "version") == 0) {
			r.version = (int)strtol(v, &end, 10);
		} else if (strcmp(line, "cpu") == 0) {
			snprintf(c->cpu, sizeof c->cpu, "%s", v);
			r.seen |= 1;
		} else if (strcmp(line, "threads") == 0) {
			c->threads = (int)strtol(v, &end, 10);
			r.seen |= 2;
		} else if (strcmp(line, "isa") == 0) {
			snprintf(c->isa, sizeof c->isa, "%s", v);
			r.seen |= 4;
		} else if (strcmp(line, "peak_f32") == 0) {
			c->peak_f32 = strtod(v, &end);
			r.seen |= 8;
		} else if (strcmp(line, "peak_f64") == 0) {
			c->peak_f64 = strtod(v, &end);
			r.seen |= 16;
		} else if (strcmp(line, "bw") == 0) {
			c->bw = strtod(v, &end);
			r.seen |= 32;
		} else if (strcmp(line, "peak_bf16") == 0) {
			c->peak_bf16 = strtod(v, &end);
			r.seen |= 64;
		} else if (strcmp(line, "peak_i8") == 0) {
			c->peak_i8 = strtod(v, &end);
			r.seen |= 128;
		} else if (strcmp(line, "transcendental") == 0) {
			c->transcendental = strtod(v, &end);
			r.seen |= 256;
		}
		if (end && *end)
			r.seen = -1000; /* trailing garbage after a number */
	}
}

/* Reads the valid records of the file at path into out (up to max), *n
 * of them; fails when it is missing, not a private file of the user's
 * (see io.h), too big, or its first record is malformed. */
static mm_code cache_read_all(const char *path, mm_host_calib *out, int max,
                              int *n, mm_diag *d)
{
	*n = 0;
	char *text;
	size_t len;
	mm_code c = mm_io_read_private(path, CACHE_MAX, &text, &len, d);
	if (c != MM_OK)
		return c;
	bool bad;
	*n = cache_parse(text, out, max, &bad);
	free(text);
	if (bad)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s is not a valid host calibration", path);
	return MM_OK;
}

mm_code mm_device_cache_write(const char *path, const mm_host_calib *c,
                              mm_diag *d)
{
	/* The other calibrations already there stay, after this one; a
	 * malformed or unreadable file is replaced. */
	mm_host_calib old[CACHE_RECORDS];
	int nold = 0;
	if (cache_read_all(path, old, CACHE_RECORDS, &nold, NULL) != MM_OK)
		nold = 0;
	mm_buf b = MM_BUF_INIT;
	mm_buf_puts(&b, "# mmcalc host calibrations, newest first: mmcalc's "
	                "GEMM rates (FLOP/s, OP/s for i8), gelu's rate "
	                "(elements/s) and triad bandwidth (B/s)\n");
	int kept = 0;
	for (int i = -1; i < nold && kept < CACHE_RECORDS; i++) {
		const mm_host_calib *r = i < 0 ? c : &old[i];
		if (i >= 0 && same_key(r, c))
			continue;
		mm_buf_printf(&b,
		              "version %d\ncpu %s\nthreads %d\nisa %s\n"
		              "peak_f32 %.6e\npeak_f64 %.6e\npeak_bf16 %.6e\n"
		              "peak_i8 %.6e\ntranscendental %.6e\nbw %.6e\n",
		              CACHE_VERSION, r->cpu, r->threads, r->isa,
		              r->peak_f32, r->peak_f64, r->peak_bf16, r->peak_i8,
		              r->transcendental, r->bw);
		kept++;
	}
	if (b.failed) {
		mm_buf_free(&b);
		return mm_diag_set(d, MM_ERR_NOMEM, nospan, "out of memory");
	}
	/* In a directory only the user may write, by a new file renamed
	 * into place: a link planted at the file's name or at a fixed
	 * temporary name cannot redirect the write. */
	mm_io_atomic w;
	mm_code rc = mm_io_atomic_open_private(&w, path, d);
	if (rc == MM_OK) {
		rc = mm_io_atomic_write(&w, b.data, b.len, d);
		if (rc == MM_OK)
			rc = mm_io_atomic_commit(&w, d);
		else
			mm_io_atomic_abort(&w);
	}
	mm_buf_free(&b);
	return rc;
}

mm_code mm_device_cache_read(const char *path, mm_host_calib *out,
                             mm_diag *d)
{
	mm_host_calib r[1];
	int n;
	mm_code rc = cache_read_all(path, r, 1, &n, d);
	if (rc == MM_OK)
		*out = r[0];
	return rc;
}

mm_code mm_device_cache_find(const char *path, const mm_host_calib *key,
                             mm_host_calib *out, mm_diag *d)
{
	mm_host_calib r[CACHE_RECORDS];
	int n;
	mm_code rc = cache_read_all(path, r, CACHE_RECORDS, &n, d);
	if (rc != MM_OK)
		return rc;
	for (int i = 0; i < n; i++)
		if (same_key(&r[i], key)) {
			*out = r[i];
			return MM_OK;
		}
	return mm_diag_set(d, MM_ERR_IO, nospan,
	                   "%s has no calibration for %s with %d thread%s "
	                   "and the %s kernels", path,
	                   key->cpu[0] ? key->cpu : "this CPU", key->threads,
	                   key->threads == 1 ? "" : "s", key->isa);
}

bool mm_device_cache_path(mm_buf *out, const char *xdg_cache_home,
                          const char *home)
{
	if (xdg_cache_home && xdg_cache_home[0] == '/') {
		mm_buf_printf(out, "%s/mmcalc/host", xdg_cache_home);
		return true;
	}
	if (home && home[0] == '/') {
		mm_buf_printf(out, "%s/.cache/mmcalc/host", home);
		return true;
	}
	return false;
}

void mm_device_from_calib(mm_device *out, const mm_host_calib *c)
{
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "host");
	snprintf(out->key, sizeof out->key, "host");
	out->kind = MM_DEVICE_HOST;
	out->peak[MM_F32] = c->peak_f32;
	out->peak[MM_F64] = c->peak_f64;
	out->peak[MM_BF16] = c->peak_bf16;
	out->peak[MM_I8] = c->peak_i8;
	out->transcendental = c->transcendental;
	out->bw = c->bw;
	snprintf(out->source, sizeof out->source,
	         "measured: mmcalc's GEMM (%s, %d thread%s), its bf16 (%s) and "
	         "i8 (%s) GEMMs, gelu and a triad",
	         c->isa, c->threads, c->threads == 1 ? "" : "s",
	         mm_gemm_bf16_isa(), mm_gemm_i8_isa());
	snprintf(out->note, sizeof out->note, "%s%s",
	         c->cpu[0] ? c->cpu : "unknown CPU",
	         "; f16 and tf32 at the f32 rate, f8 at bf16's, i4 at i8's");
}

mm_code mm_device_host(mm_device *out, const char *cache_path,
                       bool recalibrate, bool *measured, mm_diag *d)
{
	mm_host_calib c;
	if (measured)
		*measured = false;
	if (cache_path && !recalibrate) {
		mm_host_calib key;
		memset(&key, 0, sizeof key);
		cpu_model(key.cpu, sizeof key.cpu);
		key.threads = mm_gemm_threads();
		snprintf(key.isa, sizeof key.isa, "%s", mm_gemm_isa());
		if (mm_device_cache_find(cache_path, &key, &c, NULL) == MM_OK) {
			mm_device_from_calib(out, &c);
			return MM_OK;
		}
	}
	mm_code rc = mm_device_calibrate(&c, 0, d);
	if (rc != MM_OK)
		return rc;
	if (measured)
		*measured = true;
	if (cache_path)
		mm_device_cache_write(cache_path, &c, NULL);
	mm_device_from_calib(out, &c);
	return MM_OK;
}

