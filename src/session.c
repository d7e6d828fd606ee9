/* session.c — statements in, results out: variables, settings, commands. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmcalc/chain.h"
#include "mmcalc/device.h"
#include "mmcalc/eval.h"
#include "mmcalc/explain.h"
#include "mmcalc/format.h"
#include "mmcalc/gemm.h"
#include "mmcalc/help.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/path.h"
#include "mmcalc/session.h"
#include "mmcalc/solve.h"
#include "mmcalc/suggest.h"

/* Scripts may source scripts, but not forever. */
#define MAX_SOURCE_DEPTH 16
/* :bench warms up for at least this long (or this many runs) first. */
#define WARM_S 0.02
#define WARM_MAX 10000

struct mm_session {
	mm_env env;
	mm_arena arena;
	mm_rng rng;
	uint64_t seed;
	mm_dtype dtype;
	bool json;
	mm_report_opts report;
	uint64_t memlimit, memlimit_default;
	bool strict;      /* :set strict: symbolic assumptions are errors */
	int threads, threads_default;
	bool quit;
	int source_depth;
	char *base_dir;   /* the directory of the script being sourced */
	mm_device dev;    /* the device predictions are for */
	bool dev_ready;   /* dev holds figures (host: calibrated or cached) */
	bool dev_chosen;  /* picked with :device: abstract reports predict */
	char *cache_path; /* the host calibration cache, or NULL */
	mm_buf text, jbuf;
};

/* What one statement is being run with. */
typedef struct stmt_ctx {
	mm_session *s;
	const char *file;
	long line;
	const char *src;
	size_t len;
	mm_emit_fn emit;
	void *ctx;
	bool values; /* the expression's tree may hold tensors to release */
} stmt_ctx;

static const char *const commands[] = {
	"help", "vars", "clear", "set", "dtype", "seed", "threads", "run",
	"bench", "source", "explain", "order", "device", "devices", "quit", NULL,
};

static uint64_t physical_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || size <= 0)
		return UINT64_C(4) << 30;
	return (uint64_t)pages * (uint64_t)size;
}

mm_session *mm_session_new(void)
{
	mm_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->dtype = MM_F32;
	s->report.print = MM_PRINT_OPTS_DEFAULT;
	s->memlimit = s->memlimit_default = physical_memory() / 2;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	s->threads = s->threads_default = n > 0 ? (int)n : 1;
	mm_gemm_set_threads(s->threads);
	mm_rng_seed(&s->rng, 0);
	return s;
}

void mm_session_free(mm_session *s)
{
	if (!s)
		return;
	mm_env_free(&s->env);
	mm_arena_free(&s->arena);
	free(s->base_dir);
	free(s->cache_path);
	mm_buf_free(&s->text);
	mm_buf_free(&s->jbuf);
	free(s);
}

void mm_session_set_json(mm_session *s, bool on) { s->json = on; }

void mm_session_set_cache_path(mm_session *s, const char *path)
{
	free(s->cache_path);
	s->cache_path = path ? strdup(path) : NULL;
}
bool mm_session_quit(const mm_session *s) { return s->quit; }

/* ---- emitting ---- */

static void emit(stmt_ctx *c, mm_result_kind kind, const mm_diag *d)
{
	mm_result r = {kind, c->file, c->line, c->src, c->len, d,
	               mm_buf_str(&c->s->text),
	               c->s->json && c->s->jbuf.len ? mm_buf_str(&c->s->jbuf) : NULL};
	c->emit(c->ctx, &r);
	mm_buf_reset(&c->s->text);
	mm_buf_reset(&c->s->jbuf);
}

static int emit_error(stmt_ctx *c, const mm_diag *d)
{
	mm_buf_reset(&c->s->text);
	mm_buf_reset(&c->s->jbuf);
	if (c->s->json)
		mm_format_error_json(&c->s->jbuf, c->file, c->line, d, c->src, c->len);
	emit(c, MM_R_ERROR, d);
	return 1;
}

/* Emits the text accumulated in s->text as a command's output. */
static int emit_text(stmt_ctx *c)
{
	if (c->s->json) {
		mm_buf_reset(&c->s->jbuf);
		mm_buf_printf(&c->s->jbuf, "{\"line\":%ld,\"kind\":\"text\",\"text\":",
		              c->line);
		mm_format_json_string(&c->s->jbuf, mm_buf_str(&c->s->text));
		mm_buf_putc(&c->s->jbuf, '}');
	}
	emit(c, MM_R_TEXT, NULL);
	return 0;
}

static int error_at(stmt_ctx *c, mm_code code, mm_span at, const char *hint,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int error_at(stmt_ctx *c, mm_code code, mm_span at, const char *hint,
                    const char *fmt, ...)
{
	mm_diag d;
	char msg[MM_DIAG_MSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mm_diag_set(&d, code, at, "%s", msg);
	if (hint)
		mm_diag_hint(&d, "%s", hint);
	return emit_error(c, &d);
}

/* ---- devices ---- */

/* Makes s->dev usable: the host is measured (or read from the cache) the
 * first time a prediction needs it. */
static mm_code ensure_device(mm_session *s, mm_diag *d)
{
	if (s->dev_ready)
		return MM_OK;
	mm_code r = mm_device_host(&s->dev, s->cache_path, false, NULL, d);
	if (r == MM_OK)
		s->dev_ready = true;
	return r;
}

static double predict(void *ctx, mm_count flops, mm_count bytes, mm_dtype t,
                      mm_diag *d)
{
	mm_session *s = ctx;
	mm_roofline rl;
	if (ensure_device(s, d) != MM_OK ||
	    mm_device_roofline(&s->dev, flops, bytes, t, &rl, d) != MM_OK)
		return -1;
	return rl.seconds;
}

/* For :explain, which has no diag to fill. */
static double predict_quiet(void *ctx, mm_count flops, mm_count bytes,
                            mm_dtype t)
{
	mm_diag d;
	return predict(ctx, flops, bytes, t, &d);
}

/* Fills the prediction of tm for a statement's totals (quietly: a device
 * without a figure for this dtype just predicts nothing). */
static void add_prediction(mm_session *s, const mm_totals *t, mm_dtype dt,
                           mm_timing *tm)
{
	mm_diag d;
	mm_roofline rl;
	tm->predicted = -1;
	if (ensure_device(s, &d) != MM_OK ||
	    mm_device_roofline(&s->dev, t->flops,
	                       mm_count_add(t->bytes_in, t->bytes_out), dt, &rl,
	                       &d) != MM_OK)
		return;
	tm->predicted = rl.seconds;
	tm->device = s->dev.name;
	tm->compute_bound = rl.compute_bound;
	tm->ridge = rl.ridge;
}

/* Every field but the assumptions' text, which only assume_rel() writes
 * (up to assume.n): zeroing and returning the whole checker, 900 bytes of
 * it that text, was a fifth of run_expr's own time. */
static void checker_init(mm_checker *ck, mm_session *s, mm_diag *d, bool fill)
{
	ck->env = &s->env;
	ck->arena = &s->arena;
	ck->diag = d;
	ck->opts = (mm_check_opts){
		.dtype = s->dtype, .fill_abstract = fill, .base_dir = s->base_dir,
		.memlimit = s->memlimit, .strict = s->strict, .predict = predict,
		.predict_ctx = s,
	};
	ck->depth = 0;
	ck->next_leaf = 0;
	ck->hole = NULL;
	ck->assume.strict = s->strict;
	ck->assume.n = 0;
	ck->nvalues = 0;
}

/* ---- evaluation of an expression statement ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* How an expression is to be run. */
typedef struct run_opts {
	bool fill;    /* :run */
	int bench;    /* :bench: runs after a warm-up, else 0 */
} run_opts;

/* Checks, executes when concrete, and fills *i and *t. On an error the
 * diag is set and the tree's values are released. */
static mm_code evaluate(stmt_ctx *c, mm_node *e, const run_opts *ro,
                        mm_totals *t, mm_timing *tm, mm_assume *as,
                        mm_diag *d)
{
	mm_session *s = c->s;
	mm_checker ck;
	checker_init(&ck, s, d, ro->fill);
	memset(tm, 0, sizeof *tm);
	mm_code r = mm_check_expr(&ck, e);
	as->strict = ck.assume.strict;
	as->n = ck.assume.n;
	memcpy(as->text, ck.assume.text, (size_t)as->n * sizeof as->text[0]);
	/* Only checked nodes hold tensors until something is executed: a
	 * shape-only statement skips the walk that releases them. */
	c->values = ck.nvalues > 0;
	if (r != MM_OK)
		return r;
	mm_info *i = e->info;
	memset(t, 0, sizeof *t);
	tm->predicted = -1;
	if (i->v.kind != MM_K_TENSOR || i->symbolic)
		return MM_OK;
	mm_check_totals(e, t);
	/* Abstract results only cost; a bare variable already has its data. */
	if (!i->concrete || (i->leaf && i->value && !ro->fill)) {
		if (s->dev_chosen && !mm_count_is_zero(t->flops))
			add_prediction(s, t, i->v.dtype, tm);
		return MM_OK;
	}
	if (mm_count_cmp(t->bytes_alloc, mm_count_of(s->memlimit)) > 0) {
		mm_buf need = MM_BUF_INIT, lim = MM_BUF_INIT;
		mm_count_format_iec(&need, t->bytes_alloc, "B", 4);
		mm_count_format_iec(&lim, mm_count_of(s->memlimit), "B", 4);
		mm_diag_set(d, MM_ERR_LIMIT, e->span,
		            "executing this needs %s, over the memory limit of %s",
		            mm_buf_str(&need), mm_buf_str(&lim));
		mm_diag_hint(d, "nothing was allocated; raise it with :set memlimit "
		                "SIZE, or use shapes alone for the cost");
		mm_buf_free(&need);
		mm_buf_free(&lim);
		return MM_ERR_LIMIT;
	}
	mm_evaluator ev = {&s->rng, d};
	c->values = true;
	mm_interrupt_clear();
	if (ro->fill) {
		if ((r = mm_eval_fill(&ev, e)) != MM_OK)
			return r;
		tm->filled = t->nabstract > 0;
	}
	if (ro->bench > 0) {
		/* Warm-up: once, and again until WARM_S has passed, so that a
		 * small product is timed as it runs when repeated (caches
		 * filled, the core at speed after idling at the prompt) rather
		 * than from idle. Measured on 64³: after one warm-up run
		 * 41 GFLOP/s, after 2 ms 85-100, after 20 ms 102-105 (the
		 * kernel's own rate is 108). */
		double t0 = now();
		for (int w = 0;; w++) {
			if (w > 0)
				mm_eval_release(e, false);
			if ((r = mm_eval(&ev, e)) != MM_OK)
				return r;
			if (now() - t0 >= WARM_S || w >= WARM_MAX)
				break;
		}
		mm_eval_release(e, false);
	}
	int runs = ro->bench > 0 ? ro->bench : 1;
	double times[64];
	if (runs > 64)
		runs = 64;
	for (int k = 0; k < runs; k++) {
		if (k > 0)
			mm_eval_release(e, false);
		double t0 = now();
		if ((r = mm_eval(&ev, e)) != MM_OK)
			return r;
		times[k] = now() - t0;
	}
	tm->executed = t->nops > 0;
	if (ro->bench > 0) {
		qsort(times, (size_t)runs, sizeof times[0], cmp_double);
		tm->runs = runs;
		tm->seconds = times[0];
		tm->seconds_median = runs % 2 ? times[runs / 2]
		                              : (times[runs / 2 - 1] + times[runs / 2]) / 2;
	} else {
		tm->seconds = times[0];
	}
	tm->computed_f32 = i->v.dtype != MM_F32 && i->v.dtype != MM_F64;
	/* The prediction beside the measurement: always for :run and :bench,
	 * otherwise once there is enough work for a roofline to mean much. */
	if (tm->executed && !mm_count_is_zero(t->flops) &&
	    (ro->fill || ro->bench || mm_count_to_double(t->flops) >= 1e6))
		add_prediction(s, t, i->v.dtype, tm);
	return MM_OK;
}

/* Converts the statement's value for `-> UNIT` into s->text. */
static int convert_unit(stmt_ctx *c, const mm_stmt *st, const mm_info *i,
                        const mm_totals *t)
{
	const mm_unit *u = mm_count_unit_find(st->unit);
	if (!u) {
		const char *sug = mm_count_unit_suggest(st->unit);
		char hint[64];
		snprintf(hint, sizeof hint, "did you mean '%s'?", sug ? sug : "");
		return error_at(c, MM_ERR_ARG, st->unit_span,
		                sug ? hint
		                    : "units: FLOP kFLOP .. EFLOP, MAC kMAC .. EMAC, "
		                      "B kB .. PB, KiB .. PiB, ns us ms s min h",
		                "unknown unit '%s'", st->unit);
	}
	mm_count v = MM_COUNT_ZERO;
	double secs = -1;
	if (i->v.kind == MM_K_NUMBER && i->v.measure == MM_M_SECOND) {
		if (u->kind != MM_UNIT_SECOND)
			return error_at(c, MM_ERR_ARG, st->unit_span, NULL,
			                "cannot convert seconds to %s", u->name);
		secs = i->v.num;
	} else if (i->v.kind == MM_K_NUMBER) {
		bool fits = (i->v.measure == MM_M_FLOP && u->kind == MM_UNIT_FLOP) ||
		            (i->v.measure == MM_M_MAC && u->kind == MM_UNIT_MAC) ||
		            (i->v.measure == MM_M_BYTE && u->kind == MM_UNIT_BYTE) ||
		            (i->v.measure == MM_M_PLAIN && u->kind != MM_UNIT_SECOND);
		if (!fits)
			return error_at(c, MM_ERR_ARG, st->unit_span, NULL,
			                "cannot convert %s to %s",
			                i->v.measure == MM_M_FLOP ? "FLOPs"
			                : i->v.measure == MM_M_MAC ? "MACs" : "bytes",
			                u->name);
		v = i->v.measure == MM_M_PLAIN ? mm_count_from_double(i->v.num) : i->v.cnt;
	} else if (i->v.kind == MM_K_TENSOR) {
		if (u->kind == MM_UNIT_FLOP)
			v = t->flops;
		else if (u->kind == MM_UNIT_MAC)
			v = t->macs;
		else if (u->kind == MM_UNIT_BYTE)
			v = i->leaf ? t->bytes_in : mm_count_add(t->bytes_in, t->bytes_out);
		else {
			mm_diag d;
			secs = predict(c->s, t->flops, mm_count_add(t->bytes_in, t->bytes_out),
			               i->v.dtype, &d);
			if (secs < 0) {
				d.span = st->span;
				return emit_error(c, &d);
			}
		}
	} else {
		return error_at(c, MM_ERR_TYPE, st->span, NULL,
		                "only numbers and costs convert to units");
	}
	if (u->kind == MM_UNIT_SECOND) {
		if (secs < 0)
			return error_at(c, MM_ERR_ARG, st->unit_span,
			                "time(expr) predicts seconds; convert that",
			                "cannot convert this to %s", u->name);
		mm_count_format_seconds_in(&c->s->text, secs, u, false);
	} else {
		mm_count_format_in_unit(&c->s->text, v, u, false);
	}
	mm_buf_putc(&c->s->text, '\n');
	double x = u->kind == MM_UNIT_SECOND ? secs / u->seconds
	                                     : mm_count_in_unit(v, u);
	/* f = flops(X @ W) -> TFLOP binds f to the number in that unit. */
	mm_value num = {.kind = MM_K_NUMBER, .num = x, .measure = MM_M_PLAIN};
	if (!mm_env_set(&c->s->env, st->kind == MM_S_ASSIGN ? st->name : "ans", &num,
	                NULL))
		return error_at(c, MM_ERR_NOMEM, st->span, NULL, "out of memory");
	if (c->s->json) {
		mm_buf_printf(&c->s->jbuf, "{\"line\":%ld,\"kind\":\"value\",\"value\":",
		              c->line);
		if (isfinite(x))
			mm_buf_printf(&c->s->jbuf, "%.17g", x);
		else
			mm_buf_puts(&c->s->jbuf, "null");
		mm_buf_puts(&c->s->jbuf, ",\"unit\":");
		mm_format_json_string(&c->s->jbuf, u->name);
		mm_buf_putc(&c->s->jbuf, '}');
	}
	emit(c, MM_R_VALUE, NULL);
	return 0;
}

/* A saved binding, to restore after `where`. */
typedef struct saved {
	const char *name;
	bool existed;
	mm_value v;       /* its string and symbols copied into the arena */
	mm_tensor *value; /* one reference */
} saved;

/* `where n = 1024`: binds st's names for one statement or command,
 * saving what they were in where[0..*n). Returns 0, or 1 after reporting
 * an error (what was bound so far is in where[] to restore). */
static int bind_where(stmt_ctx *c, const mm_stmt *st, saved *where, int *n)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_diag_clear(&d);
	*n = 0;
	if (st->nwhere > 16)
		return error_at(c, MM_ERR_LIMIT, st->span, NULL,
		                "at most 16 bindings after 'where'");
	for (int k = 0; k < st->nwhere; k++) {
		const mm_binding *b = &st->where[k];
		mm_checker ck;
		checker_init(&ck, s, &d, false);
		if (mm_check_expr(&ck, b->expr) != MM_OK)
			return emit_error(c, &d);
		if (b->expr->info->v.kind != MM_K_NUMBER)
			return error_at(c, MM_ERR_TYPE, b->expr->span, NULL,
			                "'where' binds numbers (dimensions)");
		saved *sv = &where[(*n)++];
		memset(sv, 0, sizeof *sv);
		sv->name = b->name;
		mm_var *old = mm_env_find(&s->env, b->name);
		if (old) {
			/* A copy that outlives the variable: binding the name
			 * frees the variable's own string and polynomials. */
			if (!mm_value_copy(&sv->v, &old->v, &s->arena)) {
				(*n)--;
				return error_at(c, MM_ERR_NOMEM, b->span, NULL,
				                "out of memory");
			}
			sv->existed = true;
			sv->value = mm_tensor_ref(old->value);
		}
		if (!mm_env_set(&s->env, b->name, &b->expr->info->v, NULL))
			return error_at(c, MM_ERR_NOMEM, b->span, NULL, "out of memory");
	}
	return 0;
}

/* Puts back what bind_where saved (entries with no name stay as they are
 * now). */
static void restore_where(mm_session *s, saved *where, int n)
{
	for (int k = n - 1; k >= 0; k--) {
		if (!where[k].name) {
			mm_tensor_unref(where[k].value);
			continue;
		}
		if (where[k].existed)
			mm_env_set(&s->env, where[k].name, &where[k].v, where[k].value);
		else
			mm_env_remove(&s->env, where[k].name);
		mm_tensor_unref(where[k].value);
	}
}

static int run_expr(stmt_ctx *c, const mm_stmt *st, const run_opts *ro)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_diag_clear(&d);
	mm_totals t;
	mm_timing tm;
	saved where[16];
	int nwhere = 0, failed = 0;

	c->values = true;
	if ((failed = bind_where(c, st, where, &nwhere)) != 0)
		goto restore;

	mm_assume as;
	if (evaluate(c, st->expr, ro, &t, &tm, &as, &d) != MM_OK) {
		failed = emit_error(c, &d);
		goto done;
	}
	mm_info *i = st->expr->info;
	const char *name = st->kind == MM_S_ASSIGN ? st->name : NULL;
	if (i->v.kind == MM_K_TENSOR && i->symbolic) {
		mm_sym_totals sym;
		if (st->unit || ro->fill) {
			failed = error_at(c, MM_ERR_UNSUPPORTED, st->span,
			                  "bind the symbols first (n = 1024), or for this "
			                  "statement only: ... where n = 1024",
			                  "%s needs numeric dimensions",
			                  st->unit ? "a unit conversion" : "execution");
			goto done;
		}
		if (mm_check_totals_sym(st->expr, &s->arena, &sym, &d) != MM_OK) {
			failed = emit_error(c, &d);
			goto done;
		}
		mm_format_report_sym(&s->text, name, i, &sym, &as);
		if (s->json)
			mm_format_report_sym_json(&s->jbuf, c->line, name, i, &sym, &as);
		emit(c, name ? MM_R_ASSIGN : MM_R_VALUE, NULL);
		if (!mm_env_set(&s->env, name ? name : "ans", &i->v, i->value))
			failed = error_at(c, MM_ERR_NOMEM, st->span, NULL, "out of memory");
		goto done;
	}
	if (st->unit) {
		failed = convert_unit(c, st, i, &t);
		goto done;
	}
	const mm_totals *tp = i->v.kind == MM_K_TENSOR ? &t : NULL;
	if (i->v.kind != MM_K_NONE) {
		/* Random operands make random values: :run reports the time. */
		mm_report_opts ro_report = s->report;
		ro_report.no_values = ro->fill;
		mm_format_report(&s->text, name, i, tp, &tm, &ro_report);
		if (s->json)
			mm_format_report_json(&s->jbuf, c->line, name, i, tp, &tm,
			                      (int)s->report.print.threshold);
	}
	emit(c, st->kind == MM_S_ASSIGN ? MM_R_ASSIGN : MM_R_VALUE, NULL);
	/* Bind after reporting: a failed statement changes nothing. */
	if (i->v.kind != MM_K_NONE &&
	    !mm_env_set(&s->env, name ? name : "ans", &i->v, i->value))
		failed = error_at(c, MM_ERR_NOMEM, st->span, NULL, "out of memory");
	if (name)
		for (int k = 0; k < nwhere; k++)
			if (strcmp(where[k].name, name) == 0)
				where[k].name = NULL; /* the assignment wins */
done:
	if (c->values)
		mm_eval_release_all(st->expr);
restore:
	restore_where(s, where, nwhere);
	return failed;
}

/* ---- commands ---- */

/* The argument text of a command as a NUL-terminated copy in the arena. */
static const char *args_of(stmt_ctx *c, const mm_stmt *st)
{
	const char *a = mm_arena_strndup(&c->s->arena, c->src + st->args.start,
	                                 st->args.end - st->args.start);
	return a ? a : "";
}

static void help_devices(mm_buf *b);

static int cmd_help(stmt_ctx *c, const mm_stmt *st)
{
	const char *topic = args_of(c, st);
	mm_buf *b = &c->s->text;
	size_t n;
	const mm_help_topic *t = mm_help_topics(&n);
	if (!*topic) {
		mm_buf_puts(b, t[0].text);
		mm_buf_puts(b, "\nTopics:\n");
		for (size_t k = 0; k < n; k++)
			mm_buf_printf(b, "  %-10s %s\n", t[k].name, t[k].summary);
		mm_buf_printf(b, "  %-10s %s\n", "devices", "device profiles and their sources");
		return emit_text(c);
	}
	const char *word = topic[0] == ':' ? topic + 1 : topic;
	if (!strcmp(word, "devices") || !strcmp(word, "device")) {
		help_devices(b);
		return emit_text(c);
	}
	const mm_help_topic *h = mm_help_find(word);
	if (!h) {
		const char *names[16];
		size_t k;
		for (k = 0; k < n && k < 15; k++)
			names[k] = t[k].name;
		names[k] = NULL;
		const char *s = mm_suggest_in(word, names);
		char hint[128];
		snprintf(hint, sizeof hint, "did you mean :help %s?", s ? s : "");
		return error_at(c, MM_ERR_ARG, st->args, s ? hint : ":help lists the topics",
		                "no help on '%s'", word);
	}
	mm_buf_puts(b, h->text);
	return emit_text(c);
}

static int cmd_vars(stmt_ctx *c)
{
	mm_session *s = c->s;
	mm_buf *b = &s->text;
	mm_count total = MM_COUNT_ZERO, held = MM_COUNT_ZERO;
	if (s->env.n == 0) {
		mm_buf_puts(b, "no variables\n");
		return emit_text(c);
	}
	mm_buf_printf(b, "%-12s %-24s %-6s %-12s %s\n", "name", "shape", "dtype",
	              "bytes", "kind");
	mm_buf row = MM_BUF_INIT;
	for (int k = 0; k < s->env.n; k++) {
		const mm_var *v = &s->env.vars[k];
		mm_buf_reset(&row);
		if (v->v.kind == MM_K_TENSOR) {
			mm_buf shape = MM_BUF_INIT, bytes = MM_BUF_INIT;
			mm_shape_print(&shape, &v->v.shape);
			mm_count nb = mm_cost_tensor_bytes(&v->v.shape, v->v.dtype);
			mm_count_format_iec(&bytes, nb, "B", 4);
			total = mm_count_add(total, nb);
			if (v->value)
				held = mm_count_add(held, nb);
			mm_buf_printf(b, "%-12s %-24s %-6s %-12s %s\n", v->name,
			              mm_buf_str(&shape), mm_dtype_name(v->v.dtype),
			              mm_buf_str(&bytes), v->value ? "concrete" : "abstract");
			mm_buf_free(&shape);
			mm_buf_free(&bytes);
		} else if (v->v.kind == MM_K_NUMBER) {
			mm_format_double(&row, v->v.num);
			mm_buf_printf(b, "%-12s %-24s %-6s %-12s %s\n", v->name,
			              mm_buf_str(&row), "", "", "number");
		} else {
			mm_format_json_string(&row, v->v.str ? v->v.str : "");
			mm_buf_printf(b, "%-12s %-24s %-6s %-12s %s\n", v->name,
			              mm_buf_str(&row), "", "", "string");
		}
	}
	mm_buf_reset(&row);
	mm_count_format_iec(&row, total, "B", 4);
	mm_buf_printf(b, "%-12s %-24s %-6s %-12s", "total", "", "", mm_buf_str(&row));
	mm_buf_reset(&row);
	mm_count_format_iec(&row, held, "B", 4);
	mm_buf_printf(b, " (%s held in memory)\n", mm_buf_str(&row));
	mm_buf_free(&row);
	return emit_text(c);
}

static int cmd_clear(stmt_ctx *c, const mm_stmt *st)
{
	const char *a = args_of(c, st);
	if (!*a) {
		mm_env_clear(&c->s->env);
		return emit_text(c);
	}
	char *copy = strdup(a), *save = NULL;
	if (!copy)
		return error_at(c, MM_ERR_NOMEM, st->args, NULL, "out of memory");
	int failed = 0;
	for (char *w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save))
		if (!mm_env_remove(&c->s->env, w) && !failed)
			failed = error_at(c, MM_ERR_NAME, st->args, NULL,
			                  "no variable named '%s'", w);
	free(copy);
	return failed ? failed : emit_text(c);
}

/* Parses a size such as 4GiB, 512 MiB, 2e9 or 1.5GB into bytes. */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0 || !isfinite(v))
		return false;
	while (*end == ' ')
		end++;
	double scale = 1;
	if (*end) {
		const mm_unit *u = mm_count_unit_find(end);
		if (!u || u->kind != MM_UNIT_BYTE)
			return false;
		scale = (double)u->scale;
	}
	v *= scale;
	if (v >= 18446744073709551615.0)
		return false;
	*out = (uint64_t)v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "on") || !strcmp(s, "true") || !strcmp(s, "1") ||
	    !strcmp(s, "yes")) {
		*out = true;
		return true;
	}
	if (!strcmp(s, "off") || !strcmp(s, "false") || !strcmp(s, "0") ||
	    !strcmp(s, "no")) {
		*out = false;
		return true;
	}
	return false;
}

static bool parse_int(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int set_dtype(stmt_ctx *c, mm_span at, const char *v)
{
	mm_dtype t;
	if (!mm_dtype_parse(v, &t))
		return error_at(c, MM_ERR_ARG, at, "dtypes: f64 f32 tf32 f16 bf16 f8 i8 i4",
		                "unknown dtype '%s'", v);
	c->s->dtype = t;
	return 0;
}

static int set_seed(stmt_ctx *c, mm_span at, const char *v)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (end == v || *end || errno || v[0] == '-')
		return error_at(c, MM_ERR_ARG, at, NULL,
		                "a seed is a whole number from 0 to 2^64-1, got '%s'", v);
	c->s->seed = n;
	mm_rng_seed(&c->s->rng, n);
	return 0;
}

static int set_threads(stmt_ctx *c, mm_span at, const char *v)
{
	long long n;
	if (!parse_int(v, 1, 1024, &n))
		return error_at(c, MM_ERR_ARG, at, NULL,
		                "threads must be a whole number from 1 to 1024, got '%s'", v);
	/* The host's figures are measured with a thread count: the next
	 * prediction reads or measures them for the new one. */
	if (mm_gemm_threads() != (int)n && c->s->dev.kind == MM_DEVICE_HOST)
		c->s->dev_ready = false;
	c->s->threads = (int)n;
	mm_gemm_set_threads((int)n);
	return 0;
}

static void list_settings(stmt_ctx *c)
{
	mm_session *s = c->s;
	mm_buf *b = &s->text;
	mm_buf lim = MM_BUF_INIT;
	mm_count_format_iec(&lim, mm_count_of(s->memlimit), "B", 4);
	mm_buf_printf(b, "%c precision  %d\n", s->report.print.precision != 8 ? '*' : ' ',
	              s->report.print.precision);
	mm_buf_printf(b, "%c threshold  %lld\n",
	              s->report.print.threshold != 1000 ? '*' : ' ',
	              (long long)s->report.print.threshold);
	mm_buf_printf(b, "%c memlimit   %s\n", s->memlimit != s->memlimit_default ? '*' : ' ',
	              mm_buf_str(&lim));
	mm_buf_printf(b, "%c exact      %s\n", s->report.exact ? '*' : ' ',
	              s->report.exact ? "on" : "off");
	mm_buf_printf(b, "%c strict     %s\n", s->strict ? '*' : ' ',
	              s->strict ? "on" : "off");
	mm_buf_printf(b, "%c dtype      %s\n", s->dtype != MM_F32 ? '*' : ' ',
	              mm_dtype_name(s->dtype));
	mm_buf_printf(b, "%c seed       %llu\n", s->seed ? '*' : ' ',
	              (unsigned long long)s->seed);
	mm_buf_printf(b, "%c threads    %d\n", s->threads != s->threads_default ? '*' : ' ',
	              s->threads);
	mm_buf_puts(b, "(* marks a setting changed from its default)\n");
	mm_buf_free(&lim);
}

static int cmd_set(stmt_ctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	const char *a = args_of(c, st);
	if (!*a) {
		list_settings(c);
		return emit_text(c);
	}
	size_t kl = strcspn(a, " \t");
	char key[32];
	if (kl >= sizeof key)
		kl = sizeof key - 1;
	memcpy(key, a, kl);
	key[kl] = '\0';
	const char *v = a + strcspn(a, " \t");
	while (*v == ' ' || *v == '\t')
		v++;
	if (!*v)
		return error_at(c, MM_ERR_ARG, st->args, "write :set KEY VALUE; :set alone lists them",
		                "a value is missing after '%s'", key);
	long long n;
	int r = 0;
	if (!strcmp(key, "precision")) {
		if (!parse_int(v, 0, 17, &n))
			return error_at(c, MM_ERR_ARG, st->args, NULL,
			                "precision is a whole number from 0 to 17");
		s->report.print.precision = (int)n;
	} else if (!strcmp(key, "threshold")) {
		if (!parse_int(v, 0, INT32_MAX, &n))
			return error_at(c, MM_ERR_ARG, st->args, NULL,
			                "threshold is a whole number of elements");
		s->report.print.threshold = n;
	} else if (!strcmp(key, "memlimit")) {
		uint64_t lim;
		if (!parse_size(v, &lim))
			return error_at(c, MM_ERR_ARG, st->args, "sizes: 512MiB, 4GiB, 2e9, 1.5GB",
			                "not a size: '%s'", v);
		s->memlimit = lim;
	} else if (!strcmp(key, "strict")) {
		if (!parse_bool(v, &s->strict))
			return error_at(c, MM_ERR_ARG, st->args, NULL, "strict is on or off");
	} else if (!strcmp(key, "exact")) {
		if (!parse_bool(v, &s->report.exact))
			return error_at(c, MM_ERR_ARG, st->args, NULL, "exact is on or off");
	} else if (!strcmp(key, "dtype")) {
		r = set_dtype(c, st->args, v);
	} else if (!strcmp(key, "seed")) {
		r = set_seed(c, st->args, v);
	} else if (!strcmp(key, "threads")) {
		r = set_threads(c, st->args, v);
	} else {
		static const char *const keys[] = {"precision", "threshold", "memlimit",
		                                   "exact", "strict", "dtype", "seed",
		                                   "threads", NULL};
		const char *sug = mm_suggest_in(key, keys);
		char hint[96];
		snprintf(hint, sizeof hint, "did you mean '%s'?", sug ? sug : "");
		return error_at(c, MM_ERR_ARG, st->args,
		                sug ? hint : "keys: precision threshold memlimit exact dtype seed threads",
		                "no setting named '%s'", key);
	}
	return r ? r : emit_text(c);
}

/* :run EXPR and :bench EXPR [N] */
static int cmd_run(stmt_ctx *c, const mm_stmt *st, bool bench)
{
	mm_diag d;
	mm_span a = st->args;
	int runs = 5;
	if (a.end == a.start)
		return error_at(c, MM_ERR_ARG, st->name_span, NULL,
		                ":%s needs an expression", st->name);
	if (bench) {
		/* A trailing whole number is the count of runs. */
		uint32_t e = a.end, k = e;
		while (k > a.start && c->src[k - 1] >= '0' && c->src[k - 1] <= '9')
			k--;
		if (k < e && k > a.start && (c->src[k - 1] == ' ' || c->src[k - 1] == '\t')) {
			long long n = 0;
			for (uint32_t j = k; j < e; j++)
				n = n * 10 + (c->src[j] - '0');
			if (n < 1 || n > 50)
				return error_at(c, MM_ERR_ARG, (mm_span){k, e}, NULL,
				                ":bench runs 1 to 50 times");
			mm_diag scratch;
			mm_node *probe = mm_parse_expr_text(c->src, k, a.start, &c->s->arena,
			                                    &scratch);
			if (probe) {
				runs = (int)n;
				a.end = k;
			}
		}
	}
	mm_node *e = mm_parse_expr_text(c->src, a.end, a.start, &c->s->arena, &d);
	if (!e)
		return emit_error(c, &d);
	mm_stmt sub = *st;
	sub.kind = MM_S_EXPR;
	sub.expr = e;
	sub.nwhere = 0;
	sub.unit = NULL;
	run_opts ro = {true, bench ? runs : 0};
	return run_expr(c, &sub, &ro);
}

static int cmd_source(stmt_ctx *c, const mm_stmt *st);

static mm_node *command_expr(stmt_ctx *c, const mm_stmt *st, mm_span a,
                             int *failed);

/* Flattens the matmul chain at the top of e into ops (at most max). */
static int chain_operands(mm_node *e, mm_node **ops, int n, int max)
{
	if (e->kind == MM_N_BINARY && e->op == MM_B_MATMUL) {
		n = chain_operands(e->lhs, ops, n, max);
		return n < 0 ? n : chain_operands(e->rhs, ops, n, max);
	}
	if (n >= max)
		return -1;
	ops[n] = e;
	return n + 1;
}

/* The name of chain operand k: a variable's name or its text. */
static void operand_name(stmt_ctx *c, const mm_node *e, int k, char *out,
                         size_t cap)
{
	size_t len = e->span.end - e->span.start;
	if (e->kind == MM_N_NAME || len < cap)
		snprintf(out, cap, "%.*s", (int)len, c->src + e->span.start);
	else
		snprintf(out, cap, "M%d", k + 1);
}

/* dim j of a 2-D chain operand as a polynomial. */
static void dim_poly(const mm_shape *s, int j, mm_poly *out)
{
	if (s->sym[j])
		*out = *s->sym[j];
	else
		mm_poly_const(out, s->dim[j]);
}

/* A sum of positive terms with its common factor in front: d·(n + r),
 * 2048·(n + r); a single term, or a sum with no factor, as it is. */
static void print_factored(mm_buf *b, const mm_poly *p)
{
	mm_poly f, rest;
	int64_t one;
	if (p->nterms < 2 ||
	    mm_poly_common_factor(p, false, &f, &rest, NULL) != MM_OK ||
	    (mm_poly_get_const(&f, &one) && one == 1)) {
		mm_poly_print(b, p, MM_POLY_EXPAND);
		return;
	}
	mm_poly_print(b, &f, MM_POLY_EXPAND);
	mm_buf_puts(b, "·(");
	mm_poly_print(b, &rest, MM_POLY_EXPAND);
	mm_buf_putc(b, ')');
}

/* :order with symbols: each bracketing's FLOPs as a polynomial, and the
 * bracketing that is cheapest for every positive size, when one is. */
static int order_symbolic(stmt_ctx *c, const mm_stmt *st, mm_node **ops, int n)
{
	mm_diag d;
	mm_poly dims[MM_CHAIN_MAX + 1];
	char names[MM_CHAIN_MAX][24];
	const char *np[MM_CHAIN_MAX];
	uint64_t ones[MM_CHAIN_MAX + 1] = {0};
	for (int k = 0; k < n; k++) {
		const mm_shape *s = &ops[k]->info->v.shape;
		if (s->ndim != 2)
			return error_at(c, MM_ERR_SHAPE, ops[k]->span, NULL,
			                ":order works on matrices (2 axes)");
		if (k == 0)
			dim_poly(s, 0, &dims[0]);
		dim_poly(s, 1, &dims[k + 1]);
		operand_name(c, ops[k], k, names[k], sizeof names[k]);
		np[k] = names[k];
	}
	for (int k = 0; k <= n; k++)
		ones[k] = 1;
	if (n > 6)
		return error_at(c, MM_ERR_LIMIT, st->args, "bind the symbols to compare longer chains",
		                ":order with symbols compares chains of at most 6 matrices");
	/* Every bracketing (all cost the same with unit dims), then its
	 * symbolic cost. */
	mm_chain_order list[42];
	mm_poly cost[42];
	size_t count;
	if (mm_chain_enumerate((size_t)n, ones, list, 42, &count, NULL, &d) != MM_OK) {
		d.span = st->args;
		return emit_error(c, &d);
	}
	/* The symbols in the order the chain first uses them, for every
	 * cost alike: a·b·c + a·c·e, not a·c·e + a·c·b. */
	const char *order[MM_POLY_MAX_SYMS * (MM_CHAIN_MAX + 1)];
	int norder = 0;
	for (int k = 0; k <= n; k++)
		for (size_t j = 0; j < mm_poly_nsyms(&dims[k]); j++)
			order[norder++] = mm_poly_sym_name(&dims[k], j);
	for (size_t k = 0; k < count; k++) {
		if (mm_chain_cost_poly(&list[k], dims, &cost[k], &d) != MM_OK) {
			d.span = st->args;
			return emit_error(c, &d);
		}
		mm_poly_reorder(&cost[k], order, norder);
	}
	mm_buf *b = &c->s->text;
	mm_buf row = MM_BUF_INIT;
	mm_buf_printf(b, "%zu bracketings of %d matrices:\n", count, n);
	int best = -1;
	for (size_t k = 0; k < count; k++) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[k], np);
		mm_buf_printf(b, "  %-40s ", mm_buf_str(&row));
		mm_poly_print(b, &cost[k], 0);
		mm_buf_puts(b, " FLOP\n");
		bool dominates = true;
		for (size_t j = 0; j < count && dominates; j++) {
			mm_poly diff; /* the other's cost minus this one's */
			if (j != k && (mm_poly_sub(&diff, &cost[j], &cost[k], &d) != MM_OK ||
			               !mm_poly_nonneg(&diff, 1)))
				dominates = false;
		}
		if (dominates && best < 0)
			best = (int)k;
	}
	if (best >= 0) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[best], np);
		mm_buf_printf(b, "cheapest for every size: %s\n", mm_buf_str(&row));
	} else if (count == 2) {
		/* Say the condition: the first is cheaper when its cost minus
		 * the second's is negative. */
		mm_poly diff;
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[0], np);
		mm_buf_printf(b, "%s is cheaper when ", mm_buf_str(&row));
		if (mm_poly_sub(&diff, &cost[0], &cost[1], &d) == MM_OK &&
		    !diff.approx) {
			/* cost0 - cost1 < 0 as "its terms < the other's terms",
			 * over what all terms share (sizes are positive, so
			 * this clears denominators too), each side with its
			 * own common factor in front: 2·n·r < d·(n + r) rather
			 * than 4·n·d·r - 2·n·d² - 2·d²·r < 0. */
			mm_poly f, red = diff;
			if (mm_poly_common_factor(&diff, true, &f, &red, NULL) != MM_OK &&
			    mm_poly_common_factor(&diff, false, &f, &red, NULL) != MM_OK)
				red = diff;
			mm_poly side[2] = {red, red};
			for (int k = 0; k < 2; k++) {
				side[k].nterms = 0;
				side[k].den = 1;
				for (int t = 0; t < red.nterms; t++) {
					int64_t cf = red.term[t].coef;
					if ((k == 0) != (cf > 0))
						continue;
					mm_poly_term *u = &side[k].term[side[k].nterms++];
					*u = red.term[t];
					u->coef = cf < 0 ? -cf : cf;
					u->fcoef = (double)u->coef;
				}
				if (k)
					mm_buf_puts(b, " < ");
				print_factored(b, &side[k]);
			}
			mm_buf_puts(b, ", the other otherwise\n");
		} else {
			mm_buf_puts(b, "its cost is the smaller\n");
		}
	} else {
		mm_buf_puts(b, "which is cheapest depends on the sizes: bind the symbols "
		               "(n = 1024) to compare\n");
	}
	mm_buf_free(&row);
	return emit_text(c);
}

/* :order A @ B @ C ... — the cost of each bracketing and the cheapest. */
static int cmd_order(stmt_ctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	int failed;
	mm_node *e = command_expr(c, st, st->args, &failed);
	if (!e)
		return failed;
	mm_node *ops[MM_CHAIN_MAX];
	int n = chain_operands(e, ops, 0, MM_CHAIN_MAX);
	uint64_t p[MM_CHAIN_MAX + 1];
	char names[MM_CHAIN_MAX][24];
	const char *np[MM_CHAIN_MAX];
	mm_buf *b = &s->text;
	if (n < 0) {
		failed = error_at(c, MM_ERR_LIMIT, st->args, NULL,
		                  ":order takes at most %d matrices", MM_CHAIN_MAX);
		goto done;
	}
	if (n < 3) {
		failed = error_at(c, MM_ERR_ARG, st->args, "e.g. :order A @ B @ C",
		                  ":order needs a chain of at least three matrices");
		goto done;
	}
	bool symbolic = false;
	for (int k = 0; k < n; k++)
		if (mm_shape_is_symbolic(&ops[k]->info->v.shape))
			symbolic = true;
	if (symbolic) {
		failed = order_symbolic(c, st, ops, n);
		goto done;
	}
	for (int k = 0; k < n; k++) {
		const mm_info *i = ops[k]->info;
		if (i->v.shape.ndim != 2) {
			failed = error_at(c, MM_ERR_SHAPE, ops[k]->span, NULL,
			                  ":order works on matrices (2 axes)");
			goto done;
		}
		if (k == 0)
			p[0] = (uint64_t)i->v.shape.dim[0];
		p[k + 1] = (uint64_t)i->v.shape.dim[1];
		operand_name(c, ops[k], k, names[k], sizeof names[k]);
		np[k] = names[k];
	}
	mm_chain_order best, left, list[8];
	size_t count;
	mm_count total;
	mm_diag d;
	if (mm_chain_optimal((size_t)n, p, &best, &d) != MM_OK ||
	    mm_chain_left((size_t)n, p, &left, &d) != MM_OK ||
	    mm_chain_enumerate((size_t)n, p, list, 8, &count, &total, &d) != MM_OK) {
		d.span = st->args;
		failed = emit_error(c, &d);
		goto done;
	}
	mm_count_format_digits(b, total, 0);
	mm_buf_printf(b, " bracketing%s of %d matrices%s:\n",
	              mm_count_cmp(total, mm_count_of(1)) == 0 ? "" : "s", n,
	              count < (size_t)mm_count_to_double(total) ? "; the cheapest" : "");
	mm_buf row = MM_BUF_INIT;
	for (size_t k = 0; k < count; k++) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[k], np);
		bool is_left = mm_count_eq(list[k].flops, left.flops) &&
		               memcmp(list[k].step, left.step,
		                      sizeof left.step[0] * left.nsteps) == 0;
		mm_buf_printf(b, "  %-40s ", mm_buf_str(&row));
		mm_count_format_si(b, list[k].flops, "FLOP", 4);
		if (is_left)
			mm_buf_puts(b, "  (left to right)");
		mm_buf_putc(b, '\n');
	}
	mm_buf_reset(&row);
	mm_chain_render(&row, &best, np);
	mm_buf_printf(b, "cheapest: %s, ", mm_buf_str(&row));
	mm_count_format_si(b, best.flops, "FLOP", 4);
	if (mm_count_cmp(left.flops, best.flops) > 0) {
		mm_buf_puts(b, "; left to right costs ");
		mm_count_format_si(b, left.flops, "FLOP", 4);
		mm_buf_printf(b, " (%.4gx as much)", mm_count_ratio(left.flops, best.flops));
	} else {
		mm_buf_puts(b, ", left to right");
	}
	mm_buf_putc(b, '\n');
	mm_buf_free(&row);
	failed = emit_text(c);
done:
	mm_eval_release_all(e);
	return failed;
}

/* :devices — every profile, one line each, with the current one marked. */
static int cmd_devices(stmt_ctx *c)
{
	mm_session *s = c->s;
	size_t n;
	const mm_device *t = mm_device_builtin(&n);
	mm_buf *b = &s->text;
	for (size_t k = 0; k < n; k++) {
		bool cur = s->dev_ready && strcmp(s->dev.key, t[k].key) == 0;
		mm_buf_puts(b, cur ? "* " : "  ");
		mm_device_describe(b, &t[k]);
		mm_buf_putc(b, '\n');
	}
	bool host = !s->dev_ready || s->dev.kind == MM_DEVICE_HOST;
	mm_buf_puts(b, host ? "* " : "  ");
	if (s->dev_ready && s->dev.kind == MM_DEVICE_HOST) {
		mm_device_describe(b, &s->dev);
		mm_buf_printf(b, "\n    %s", s->dev.source);
	} else
		mm_buf_puts(b, "host: this machine, measured when first needed");
	mm_buf_putc(b, '\n');
	if (s->dev_ready && s->dev.kind == MM_DEVICE_CUSTOM) {
		mm_buf_puts(b, "* ");
		mm_device_describe(b, &s->dev);
		mm_buf_putc(b, '\n');
	}
	mm_buf_puts(b, "(* the current device; :device NAME picks one, :help devices "
	               "names the sources)\n");
	return emit_text(c);
}

/* :device [NAME | host [recalibrate] | custom peak=... bw=...] */
static int cmd_device(stmt_ctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	const char *a = args_of(c, st);
	mm_diag d;
	mm_device dev;
	if (!*a) {
		if (ensure_device(s, &d) != MM_OK) {
			d.span = st->name_span;
			return emit_error(c, &d);
		}
	} else if (strncmp(a, "custom", 6) == 0 && (a[6] == ' ' || a[6] == '\0')) {
		if (mm_device_custom(&dev, a + 6, &d) != MM_OK) {
			d.span = st->args;
			return emit_error(c, &d);
		}
		s->dev = dev;
		s->dev_ready = s->dev_chosen = true;
	} else if (strncmp(a, "host", 4) == 0 && (a[4] == ' ' || a[4] == '\0')) {
		bool re = strstr(a + 4, "recalibrate") != NULL;
		if (mm_device_host(&dev, s->cache_path, re, NULL, &d) != MM_OK) {
			d.span = st->args;
			return emit_error(c, &d);
		}
		s->dev = dev;
		s->dev_ready = s->dev_chosen = true;
	} else {
		const mm_device *f = mm_device_find(a);
		if (!f) {
			size_t n;
			const mm_device *t = mm_device_builtin(&n);
			const char *keys[64];
			size_t k;
			for (k = 0; k < n && k < 61; k++)
				keys[k] = t[k].key;
			keys[k++] = "host";
			keys[k++] = "custom";
			keys[k] = NULL;
			const char *sug = mm_suggest_in(a, keys);
			char hint[96];
			snprintf(hint, sizeof hint, "did you mean %s? :devices lists them",
			         sug ? sug : "");
			return error_at(c, MM_ERR_ARG, st->args,
			                sug ? hint : ":devices lists them",
			                "no device named '%s'", a);
		}
		s->dev = *f;
		s->dev_ready = s->dev_chosen = true;
	}
	mm_device_describe(&s->text, &s->dev);
	if (s->dev.kind == MM_DEVICE_HOST)
		mm_buf_printf(&s->text, "\n  %s", s->dev.source);
	mm_buf_putc(&s->text, '\n');
	return emit_text(c);
}

/* :help devices — the profiles and where their figures come from. */
static void help_devices(mm_buf *b)
{
	size_t n;
	const mm_device *t = mm_device_builtin(&n);
	mm_buf_puts(b, "Device profiles for predicted times (roofline: time = max(FLOPs / "
	               "peak,\nbytes / bandwidth)). Dense peaks, from the sources named:\n");
	for (size_t k = 0; k < n; k++) {
		mm_buf_puts(b, "  ");
		mm_device_describe(b, &t[k]);
		mm_buf_printf(b, "\n      source: %s%s%s\n", t[k].source,
		              t[k].note[0] ? "; " : "", t[k].note);
	}
	mm_buf_puts(b, "  host: this machine: fp32/fp64 peak of mmcalc's own GEMM and the\n"
	               "      bandwidth of a streaming triad, measured once for each number\n"
	               "      of :threads and cached in $XDG_CACHE_HOME/mmcalc/host\n"
	               "      (:device host recalibrate)\n"
	               "  custom: :device custom peak=312T bw=2TB/s [f64=... f16=...]\n");
}

/* Strips a trailing " WORD=true|false" from the span a; returns -1 when
 * absent, else the flag. */
static int trailing_flag(const char *src, mm_span *a, const char *word)
{
	size_t wl = strlen(word);
	for (int v = 0; v < 2; v++) {
		const char *val = v ? "false" : "true";
		size_t n = wl + 1 + strlen(val);
		if (a->end - a->start <= n)
			continue;
		const char *p = src + a->end - n;
		if (strncmp(p, word, wl) == 0 && p[wl] == '=' &&
		    strncmp(p + wl + 1, val, strlen(val)) == 0 &&
		    (p[-1] == ' ' || p[-1] == '\t')) {
			a->end -= (uint32_t)n;
			while (a->end > a->start && (src[a->end - 1] == ' ' ||
			                             src[a->end - 1] == '\t'))
				a->end--;
			return !v;
		}
	}
	return -1;
}

/* Parses and checks the expression of a command such as :explain. */
static mm_node *command_expr(stmt_ctx *c, const mm_stmt *st, mm_span a,
                             int *failed)
{
	mm_diag d;
	*failed = 0;
	if (a.end == a.start) {
		*failed = error_at(c, MM_ERR_ARG, st->name_span, NULL,
		                   ":%s needs an expression", st->name);
		return NULL;
	}
	mm_node *e = mm_parse_expr_text(c->src, a.end, a.start, &c->s->arena, &d);
	if (!e) {
		*failed = emit_error(c, &d);
		return NULL;
	}
	mm_session *s = c->s;
	mm_checker ck;
	checker_init(&ck, s, &d, false);
	if (mm_check_expr(&ck, e) != MM_OK) {
		*failed = emit_error(c, &d);
		mm_eval_release_all(e);
		return NULL;
	}
	if (e->info->v.kind != MM_K_TENSOR) {
		*failed = error_at(c, MM_ERR_TYPE, e->span, NULL,
		                   ":%s needs a tensor expression", st->name);
		mm_eval_release_all(e);
		return NULL;
	}
	return e;
}

static int cmd_explain(stmt_ctx *c, const mm_stmt *st)
{
	mm_span a = st->args;
	int train = trailing_flag(c->src, &a, "train");
	int failed;
	mm_node *e = command_expr(c, st, a, &failed);
	if (!e)
		return failed;
	if (e->info->symbolic) {
		/* Its table holds numbers: with symbols it would show zeros. */
		mm_eval_release_all(e);
		return error_at(c, MM_ERR_UNSUPPORTED, a,
		                "bind the symbols first (n = 1024); the expression "
		                "alone shows its symbolic cost",
		                ":explain needs numeric dimensions");
	}
	mm_explain(&c->s->text, e, predict_quiet, c->s, train == 1);
	mm_eval_release_all(e);
	return emit_text(c);
}

/* :run, :bench, :explain and :order take `where n = 1024, ...` after
 * their expression, as a statement does: the names are bound for the
 * command only. */
static int with_where(stmt_ctx *c, const mm_stmt *st,
                      int (*fn)(stmt_ctx *, const mm_stmt *, int), int arg)
{
	long w = mm_parse_find_where(c->src, st->args.end, st->args.start);
	if (w < 0)
		return fn(c, st, arg);
	mm_stmt sub = *st;
	mm_diag d;
	sub.where = NULL;
	sub.nwhere = 0;
	if (!mm_parse_where_text(c->src, st->args.end, (size_t)w, &c->s->arena,
	                         &sub, &d))
		return emit_error(c, &d);
	sub.args.end = (uint32_t)w;
	while (sub.args.end > sub.args.start &&
	       (c->src[sub.args.end - 1] == ' ' || c->src[sub.args.end - 1] == '\t'))
		sub.args.end--;
	saved where[16];
	int n = 0;
	int failed = bind_where(c, &sub, where, &n);
	sub.nwhere = 0; /* bound here, not again by run_expr */
	if (!failed)
		failed = fn(c, &sub, arg);
	restore_where(c->s, where, n);
	return failed;
}

static int cmd_explain_w(stmt_ctx *c, const mm_stmt *st, int arg)
{
	(void)arg;
	return cmd_explain(c, st);
}

static int cmd_order_w(stmt_ctx *c, const mm_stmt *st, int arg)
{
	(void)arg;
	return cmd_order(c, st);
}

static int cmd_run_w(stmt_ctx *c, const mm_stmt *st, int bench)
{
	return cmd_run(c, st, bench != 0);
}

static int command(stmt_ctx *c, const mm_stmt *st)
{
	const char *name = st->name;
	if (!strcmp(name, "help") || !strcmp(name, "h"))
		return cmd_help(c, st);
	if (!strcmp(name, "vars") || !strcmp(name, "whos"))
		return cmd_vars(c);
	if (!strcmp(name, "clear"))
		return cmd_clear(c, st);
	if (!strcmp(name, "set"))
		return cmd_set(c, st);
	if (!strcmp(name, "quit") || !strcmp(name, "q") || !strcmp(name, "exit")) {
		c->s->quit = true;
		return 0;
	}
	if (!strcmp(name, "run"))
		return with_where(c, st, cmd_run_w, 0);
	if (!strcmp(name, "bench"))
		return with_where(c, st, cmd_run_w, 1);
	if (!strcmp(name, "source"))
		return cmd_source(c, st);
	if (!strcmp(name, "explain"))
		return with_where(c, st, cmd_explain_w, 0);
	if (!strcmp(name, "devices"))
		return cmd_devices(c);
	if (!strcmp(name, "order"))
		return with_where(c, st, cmd_order_w, 0);
	if (!strcmp(name, "device"))
		return cmd_device(c, st);
	if (!strcmp(name, "dtype") || !strcmp(name, "seed") || !strcmp(name, "threads")) {
		const char *v = args_of(c, st);
		if (!*v) {
			if (!strcmp(name, "dtype"))
				mm_buf_printf(&c->s->text, "%s\n", mm_dtype_name(c->s->dtype));
			else if (!strcmp(name, "seed"))
				mm_buf_printf(&c->s->text, "%llu\n", (unsigned long long)c->s->seed);
			else
				mm_buf_printf(&c->s->text, "%d\n", c->s->threads);
			return emit_text(c);
		}
		int r = !strcmp(name, "dtype") ? set_dtype(c, st->args, v)
		      : !strcmp(name, "seed")  ? set_seed(c, st->args, v)
		                               : set_threads(c, st->args, v);
		return r ? r : emit_text(c);
	}
	const char *sug = mm_suggest_in(name, commands);
	char hint[96];
	snprintf(hint, sizeof hint, "did you mean :%s?", sug ? sug : "");
	return error_at(c, MM_ERR_NAME, st->name_span,
	                sug ? hint
	                    : ":help commands lists them",
	                "unknown command ':%s'", name);
}

/* EXPR = SHAPE with one '?' in EXPR: which shape must it be? */
static int run_equation(stmt_ctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_diag_clear(&d);
	mm_checker ck;
	checker_init(&ck, s, &d, false);
	int failed = 0;
	mm_shape hole;
	if (mm_check_expr(&ck, st->rhs) != MM_OK) {
		failed = emit_error(c, &d);
	} else if (st->rhs->info->v.kind != MM_K_TENSOR) {
		failed = error_at(c, MM_ERR_TYPE, st->rhs->span,
		                  "write the result as a shape, e.g. (1024x512)",
		                  "the right side of an equation must be a shape");
	} else if (mm_solve_hole(&ck, st->expr, &st->rhs->info->v.shape, &hole) != MM_OK) {
		failed = emit_error(c, &d);
	} else {
		mm_totals t;
		mm_check_totals(st->expr, &t);
		mm_buf *b = &s->text;
		mm_buf_puts(b, "? = ");
		mm_shape_print(b, &hole);
		mm_buf_printf(b, " %s\n", mm_dtype_name(s->dtype));
		if (s->json) {
			mm_buf_printf(&s->jbuf, "{\"line\":%ld,\"kind\":\"solve\",\"shape\":[",
			              c->line);
			for (int k = 0; k < hole.ndim; k++)
				mm_buf_printf(&s->jbuf, k ? ",%lld" : "%lld", (long long)hole.dim[k]);
			mm_buf_puts(&s->jbuf, "],\"flops\":");
			mm_format_json_count(&s->jbuf, t.flops);
			mm_buf_putc(&s->jbuf, '}');
		}
		if (!mm_count_is_zero(t.flops)) {
			mm_buf_puts(b, "  then the left side costs ");
			mm_count_format_si(b, t.flops, "FLOP", 4);
			mm_buf_putc(b, '\n');
		}
		emit(c, MM_R_VALUE, NULL);
	}
	mm_eval_release_all(st->expr);
	mm_eval_release_all(st->rhs);
	return failed;
}

/* ---- lines and scripts ---- */

int mm_session_run(mm_session *s, const char *file, long line,
                   const char *src, size_t len, mm_emit_fn emit_fn, void *ctx)
{
	stmt_ctx c = {s, file, line, src, len, emit_fn, ctx, true};
	mm_parser p;
	mm_stmt st;
	mm_diag d;
	int failed = 0;
	if (len > UINT32_MAX / 2) {
		mm_diag_set(&d, MM_ERR_LIMIT, (mm_span){0, 0},
		            "line too long (%zu bytes)", len);
		c.src = NULL;
		c.len = 0;
		return emit_error(&c, &d);
	}
	mm_arena_reset(&s->arena);
	mm_parse_init(&p, src, len, &s->arena);
	for (;;) {
		mm_diag_clear(&d);
		int r = mm_parse_next(&p, &st, &d);
		if (r == 0)
			break;
		if (r < 0) {
			failed += emit_error(&c, &d);
		} else if (st.kind == MM_S_COMMAND) {
			failed += command(&c, &st);
		} else if (st.kind == MM_S_EQUATION) {
			failed += run_equation(&c, &st);
		} else {
			run_opts ro = {false, 0};
			failed += run_expr(&c, &st, &ro);
		}
		if (s->quit)
			break;
	}
	return failed;
}

int mm_session_run_text(mm_session *s, const char *file, const char *text,
                        size_t len, mm_emit_fn emit_fn, void *ctx)
{
	int failed = 0;
	long line = 1;
	size_t i = 0;
	while (i < len && !s->quit) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		failed += mm_session_run(s, file, line, text + i, j - i, emit_fn, ctx);
		i = j + 1;
		line++;
	}
	return failed;
}

static int cmd_source(stmt_ctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	const char *a = args_of(c, st);
	char path[4096];
	size_t n = strlen(a);
	if (n >= 2 && a[0] == '"' && a[n - 1] == '"') {
		a++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof path)
		return error_at(c, MM_ERR_ARG, st->args, NULL, ":source needs a file name");
	memcpy(path, a, n);
	path[n] = '\0';
	if (s->source_depth >= MAX_SOURCE_DEPTH)
		return error_at(c, MM_ERR_LIMIT, st->args, NULL,
		                "scripts sourced %d deep; is one sourcing itself?",
		                MAX_SOURCE_DEPTH);
	mm_diag d;
	char *resolved = mm_path_resolve(path, s->base_dir, &d);
	if (!resolved) {
		d.span = st->args;
		return emit_error(c, &d);
	}
	snprintf(path, sizeof path, "%s", resolved);
	free(resolved);
	FILE *f = fopen(path, "rb");
	if (!f)
		return error_at(c, MM_ERR_IO, st->args, NULL, "cannot open %s: %s", path,
		                strerror(errno));
	mm_buf text = MM_BUF_INIT;
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		mm_buf_add(&text, chunk, got);
	bool bad = ferror(f) || text.failed;
	fclose(f);
	if (bad) {
		mm_buf_free(&text);
		return error_at(c, MM_ERR_IO, st->args, NULL, "cannot read %s", path);
	}
	/* The sourced script gets the session's arena afresh line by line;
	 * this statement's nodes are no longer needed. */
	/* Inside the script, relative names start at its directory. */
	char *outer = s->base_dir;
	s->base_dir = mm_path_dirname(path);
	s->source_depth++;
	int failed = mm_session_run_text(s, path, mm_buf_str(&text), text.len,
	                                 c->emit, c->ctx);
	s->source_depth--;
	free(s->base_dir);
	s->base_dir = outer;
	mm_buf_free(&text);
	return failed ? 1 : 0;
}

const char *mm_session_complete(mm_session *s, const char *prefix, int i)
{
	size_t n = strlen(prefix);
	static char cmd[32];
	if (prefix[0] == ':') {
		for (int k = 0; commands[k]; k++)
			if (strncmp(commands[k], prefix + 1, n - 1) == 0 && i-- == 0) {
				snprintf(cmd, sizeof cmd, ":%s", commands[k]);
				return cmd;
			}
		return NULL;
	}
	for (size_t f = 0; mm_builtin_at(f); f++) {
		const char *name = mm_builtin_at(f)->name;
		if (strncmp(name, prefix, n) == 0 && i-- == 0)
			return name;
	}
	for (int k = 0; k < s->env.n; k++)
		if (strncmp(s->env.vars[k].name, prefix, n) == 0 && i-- == 0)
			return s->env.vars[k].name;
	return NULL;
}
