/* session_sandbox.c — what confines a session that runs someone else's
 * text (session.h): a root directory for its files, caps on memory,
 * threads and benchmark work, and fixed figures for the host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/gemm.h"
#include "mmcalc/path.h"
#include "session_int.h"

/* :bench's defaults: runs at most, and the warm-up before timing. */
#define BENCH_MAX 50
#define WARM_S 0.02

mm_code mm_session_set_root(mm_session *s, const char *dir, mm_diag *d)
{
	char *r = NULL;
	if (dir && !(r = mm_path_root(dir, d)))
		return d->code;
	free(s->root);
	s->root = r;
	/* relative names start at the root (outside a script being run) */
	if (s->source_depth == 0) {
		free(s->base_dir);
		s->base_dir = r ? strdup(r) : NULL;
	}
	return MM_OK;
}

/* v capped at cap (0: no cap). */
static uint64_t at_most(uint64_t v, uint64_t cap)
{
	return cap && v > cap ? cap : v;
}

void mm_session_set_caps(mm_session *s, const mm_session_caps *caps)
{
	s->caps = *caps;
	if (s->caps.threads < 0)
		s->caps.threads = 0;
	if (s->caps.bench_runs < 0)
		s->caps.bench_runs = 0;
	s->set.memlimit = at_most(s->set.memlimit, caps->memlimit);
	s->defaults.memlimit = at_most(s->defaults.memlimit, caps->memlimit);
	uint64_t t = (uint64_t)s->caps.threads;
	s->defaults.threads = (int64_t)at_most((uint64_t)s->defaults.threads, t);
	if ((uint64_t)s->set.threads > t && t) {
		s->set.threads = (int64_t)t;
		if (s->dev.kind == MM_DEVICE_HOST && !s->host_fixed)
			s->dev_ready = false;
		mm_gemm_set_threads((int)t);
	}
}

void mm_session_set_host(mm_session *s, const struct mm_device *dev)
{
	s->host_fixed = dev != NULL;
	if (dev)
		s->host_dev = *dev;
	/* a host profile already in use is measured again, or replaced */
	if (s->dev_ready && s->dev.kind == MM_DEVICE_HOST) {
		if (dev)
			s->dev = *dev;
		else
			s->dev_ready = false;
	}
}

mm_code mm_sx_host(mm_session *s, mm_device *out, bool recalibrate,
                   mm_diag *d)
{
	if (s->host_fixed) {
		*out = s->host_dev;
		return MM_OK;
	}
	return mm_device_host(out, s->cache_path, recalibrate, NULL, d);
}

char *mm_sx_path(mm_session *s, const char *name, bool read, mm_diag *d)
{
	return mm_path_open_name(name, s->base_dir, s->root,
	                         read ? s->preset_dir : NULL, d);
}

double mm_sx_warmup(const mm_session *s)
{
	return s->caps.warmup_s > 0 ? s->caps.warmup_s : WARM_S;
}

int mm_sx_bench_max(const mm_session *s)
{
	return s->caps.bench_runs > 0 && s->caps.bench_runs < BENCH_MAX
	               ? s->caps.bench_runs : BENCH_MAX;
}

const char *mm_sx_capped(const mm_session *s, const mm_settings *v,
                         char *buf, size_t cap)
{
	if (s->caps.memlimit && v->memlimit > s->caps.memlimit) {
		mm_buf b = MM_BUF_INIT;
		mm_count_format_iec(&b, mm_count_of(s->caps.memlimit), "B", 4);
		snprintf(buf, cap, "memlimit is capped at %s in this session",
		         mm_buf_str(&b));
		mm_buf_free(&b);
		return buf;
	}
	if (s->caps.threads && v->threads > s->caps.threads) {
		snprintf(buf, cap, "threads is capped at %d in this session",
		         s->caps.threads);
		return buf;
	}
	return NULL;
}
