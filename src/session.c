/* session.c — statements in, results out: expressions are checked,
 * executed when concrete and reported; commands go to their rows
 * (command.c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmcalc/eval.h"
#include "mmcalc/gemm.h"
#include "mmcalc/help.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/solve.h"
#include "mmcalc/suggest.h"
#include "session_int.h"

/* :bench warms up for at least mm_sx_warmup() (or this many runs) first. */
#define WARM_MAX 10000

static uint64_t physical_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || size <= 0)
		return UINT64_C(4) << 30;
	return (uint64_t)pages * (uint64_t)size;
}

const char *mm_version(void)
{
	return MM_VERSION;
}

mm_session *mm_session_new(void)
{
	mm_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	mm_print_opts po = MM_PRINT_OPTS_DEFAULT;
	s->set = (mm_settings){
		.precision = po.precision, .threshold = po.threshold,
		.memlimit = physical_memory() / 2, .dtype = MM_F32,
		.threads = n > 0 ? (int)n : 1,
		.convention = 0, .conv = mm_convention_at(0)->c,
		.width = 80,
	};
	s->defaults = s->set;
	mm_gemm_set_threads((int)s->set.threads);
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
	free(s->root);
	free(s->preset_dir);
	mm_buf_free(&s->text);
	mm_buf_free(&s->jbuf);
	mm_sx_free_fns(s);
	for (int k = 0; k < s->nnames; k++)
		free(s->names[k]);
	free(s->names);
	free(s);
}

#define MAX_NAMES 4096

const char *mm_sx_intern(mm_session *s, const char *name)
{
	for (int k = 0; k < s->nnames; k++)
		if (strcmp(s->names[k], name) == 0)
			return s->names[k];
	if (s->nnames == MAX_NAMES)
		return NULL;
	if (s->nnames % 64 == 0) {
		char **p = realloc(s->names, sizeof *p * (size_t)(s->nnames + 64));
		if (!p)
			return NULL;
		s->names = p;
	}
	char *c = strdup(name);
	if (c)
		s->names[s->nnames++] = c;
	return c;
}

void mm_session_set_json(mm_session *s, bool on) { s->json = on; }

void mm_session_set_terminal(mm_session *s, int width, bool unicode,
                             bool colour)
{
	if (width >= 30 && width <= 1000)
		s->set.width = s->defaults.width = width;
	s->set.unicode = s->defaults.unicode = unicode;
	s->set.colour = s->defaults.colour = colour;
}

void mm_session_set_cache_path(mm_session *s, const char *path)
{
	free(s->cache_path);
	s->cache_path = path ? strdup(path) : NULL;
}
bool mm_session_quit(const mm_session *s) { return s->quit; }

/* ---- emitting ---- */

static void emit(mm_stmtctx *c, mm_result_kind kind, const mm_diag *d)
{
	mm_result r = {kind, c->file, c->line, c->src, c->len, d,
	               mm_buf_str(&c->s->text),
	               c->s->json && c->s->jbuf.len ? mm_buf_str(&c->s->jbuf) : NULL};
	c->emit(c->ctx, &r);
	mm_buf_reset(&c->s->text);
	mm_buf_reset(&c->s->jbuf);
}

void mm_sx_emit(mm_stmtctx *c, mm_result_kind kind)
{
	emit(c, kind, NULL);
}

/* A diagnostic as the result of kind (an error or a warning). */
static void emit_diag(mm_stmtctx *c, mm_result_kind kind, const mm_diag *d)
{
	mm_buf_reset(&c->s->text);
	mm_buf_reset(&c->s->jbuf);
	if (c->s->json)
		mm_format_error_json(&c->s->jbuf, c->file, c->line, d, c->src, c->len);
	emit(c, kind, d);
}

int mm_sx_error(mm_stmtctx *c, const mm_diag *d)
{
	emit_diag(c, MM_R_ERROR, d);
	return 1;
}

void mm_sx_warn(mm_stmtctx *c, const mm_diag *d)
{
	emit_diag(c, MM_R_WARNING, d);
}

int mm_sx_text(mm_stmtctx *c)
{
	mm_buf_reset(&c->s->jbuf);
	/* A command that said nothing (a setting changed) has no object */
	if (c->s->json && c->s->text.len)
		mm_format_text_json(&c->s->jbuf, c->line, mm_buf_str(&c->s->text));
	emit(c, MM_R_TEXT, NULL);
	return 0;
}

int mm_sx_error_at(mm_stmtctx *c, mm_code code, mm_span at, const char *hint,
                   const char *fmt, ...)
{
	mm_diag d;
	va_list ap;
	va_start(ap, fmt);
	mm_diag_vset(&d, code, at, fmt, ap);
	va_end(ap);
	if (hint)
		mm_diag_hint(&d, "%s", hint);
	return mm_sx_error(c, &d);
}

/* ---- devices ---- */

mm_code mm_sx_device(mm_session *s, mm_diag *d)
{
	if (s->dev_ready)
		return MM_OK;
	mm_code r = mm_sx_host(s, &s->dev, false, d);
	if (r == MM_OK)
		s->dev_ready = true;
	return r;
}

double mm_sx_predict(void *ctx, mm_count flops, mm_count transcendental,
                     mm_count bytes, mm_dtype t, mm_diag *d)
{
	mm_session *s = ctx;
	mm_roofline rl;
	if (mm_sx_device(s, d) != MM_OK ||
	    mm_device_roofline_ops(&s->dev, flops, transcendental, bytes, t, &rl,
	                           d) != MM_OK)
		return -1;
	return rl.seconds;
}

double mm_sx_predict_quiet(void *ctx, mm_count flops, mm_count transcendental,
                           mm_count bytes, mm_dtype t)
{
	mm_diag d;
	return mm_sx_predict(ctx, flops, transcendental, bytes, t, &d);
}

mm_report_opts mm_sx_report_opts(const mm_session *s)
{
	mm_report_opts o = {.exact = s->set.exact, .print = MM_PRINT_OPTS_DEFAULT};
	o.print.precision = (int)s->set.precision;
	o.print.threshold = s->set.threshold;
	return o;
}

/* Fills the prediction of tm for a statement's totals (quietly: a device
 * without a figure for this dtype just predicts nothing). */
static void add_prediction(mm_session *s, const mm_totals *t, mm_dtype dt,
                           mm_timing *tm)
{
	mm_diag d;
	mm_roofline rl;
	tm->predicted = -1;
	if (mm_sx_device(s, &d) != MM_OK ||
	    mm_device_roofline_ops(&s->dev, t->flops, t->transcendental,
	                           mm_count_add(t->bytes_in, t->bytes_out), dt,
	                           &rl, &d) != MM_OK)
		return;
	tm->predicted = rl.seconds;
	tm->dtype = dt;
	tm->rate_dtype = rl.peak_dtype;
	tm->device = s->dev.name;
	tm->compute_bound = rl.compute_bound;
	tm->ridge = rl.ridge;
}

void mm_sx_checker(mm_checker *ck, mm_session *s, mm_diag *d, bool fill)
{
	mm_check_opts o = {
		.dtype = s->set.dtype, .fill_abstract = fill, .base_dir = s->base_dir,
		.root = s->root,
		.memlimit = s->set.memlimit, .strict = s->set.strict,
		.conv = &s->set.conv, .predict = mm_sx_predict, .predict_ctx = s,
		.stmt = ++s->stmt_serial,
		.find_fn = mm_sx_find_fn, .fn_ctx = s,
	};
	mm_checker_init(ck, &s->env, &s->arena, d, &o);
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

/* How a result of dtype t was computed, said beside its time: low
 * precision floats in f32 (their products are exact there), then
 * rounded; integers in f32, then wrapped, except products, which the i8
 * GEMM sums in i32. */
static const char *computed_as(mm_dtype t, const mm_totals *tot)
{
	if (t == MM_F32 || t == MM_F64)
		return NULL;
	if (!mm_dtype_is_int(t) || mm_count_is_zero(tot->matmul_flops))
		return "computed in f32";
	if (mm_count_eq(tot->matmul_flops, tot->flops))
		return "accumulated in i32";
	return "products accumulated in i32, the rest computed in f32";
}

/* Runs e once (bench 0) or, after a warm-up, bench times, and fills the
 * timing of tm: the best run and, for a benchmark, the median. */
static mm_code timed(mm_evaluator *ev, mm_node *e, int bench, double warm_s,
                     mm_timing *tm)
{
	mm_code r;
	if (bench > 0) {
		/* Warm-up: once, and again until warm_s has passed, so that a
		 * small product is timed as it runs when repeated (caches
		 * filled, the core at speed after idling at the prompt) rather
		 * than from idle. Measured on 64³: after one warm-up run
		 * 41 GFLOP/s, after 2 ms 85-100, after 20 ms 102-105 (the
		 * kernel's own rate is 108). */
		double t0 = now();
		for (int w = 0;; w++) {
			if (w > 0)
				mm_eval_release(e, false);
			if ((r = mm_eval(ev, e)) != MM_OK)
				return r;
			if (now() - t0 >= warm_s || w >= WARM_MAX)
				break;
		}
		mm_eval_release(e, false);
	}
	int runs = bench > 0 ? bench : 1;
	double times[64];
	if (runs > 64)
		runs = 64;
	for (int k = 0; k < runs; k++) {
		if (k > 0)
			mm_eval_release(e, false);
		double t0 = now();
		if ((r = mm_eval(ev, e)) != MM_OK)
			return r;
		times[k] = now() - t0;
	}
	tm->seconds = times[0];
	if (bench > 0) {
		qsort(times, (size_t)runs, sizeof times[0], cmp_double);
		tm->runs = runs;
		tm->seconds = times[0];
		tm->seconds_median = runs % 2 ? times[runs / 2]
		                              : (times[runs / 2 - 1] + times[runs / 2]) / 2;
	}
	return MM_OK;
}

/* Checks, executes when concrete, and fills *i and *t. On an error the
 * diag is set and the tree's values are released. */
static mm_code evaluate(mm_stmtctx *c, mm_node *e, const mm_run_opts *ro,
                        mm_totals *t, mm_timing *tm, mm_assume *as,
                        mm_diag *d)
{
	mm_session *s = c->s;
	mm_checker ck;
	mm_sx_checker(&ck, s, d, ro->fill);
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
	/* Abstract results only cost. */
	if (!i->concrete) {
		if (s->dev_chosen && !mm_count_is_zero(t->flops))
			add_prediction(s, t, i->v.dtype, tm);
		return MM_OK;
	}
	mm_evaluator ev = {&s->rng, d};
	if (i->leaf && !ro->fill) {
		/* A bare input: its data is fetched, nothing runs. */
		c->values = true;
		return mm_eval(&ev, e);
	}
	if (mm_count_cmp(t->bytes_alloc, mm_count_of(s->set.memlimit)) > 0) {
		mm_buf need = MM_BUF_INIT, lim = MM_BUF_INIT;
		mm_count_format_iec(&need, t->bytes_alloc, "B", 4);
		mm_count_format_iec(&lim, mm_count_of(s->set.memlimit), "B", 4);
		mm_diag_set(d, MM_ERR_LIMIT, e->span,
		            "executing this needs %s, over the memory limit of %s",
		            mm_buf_str(&need), mm_buf_str(&lim));
		mm_diag_hint(d, "nothing was allocated; raise it with :set memlimit "
		                "SIZE, or use shapes alone for the cost");
		mm_buf_free(&need);
		mm_buf_free(&lim);
		return MM_ERR_LIMIT;
	}
	c->values = true;
	mm_interrupt_clear();
	/* memlimit bounds what this statement allocates (its result and every
	 * temporary, scratch buffers of the ops included) beside what the
	 * variables already hold. */
	mm_tensor_limit_more(s->set.memlimit);
	r = MM_OK;
	if (ro->fill) {
		r = mm_eval_fill(&ev, e);
		tm->filled = r == MM_OK && t->nabstract > 0;
	}
	/* What was really allocated at the peak, scratch included, beside
	 * the inputs (filled ones too) live before: the model's peak's peer. */
	mm_tensor_reset_peak();
	uint64_t live0 = mm_tensor_live_bytes();
	if (r == MM_OK)
		r = timed(&ev, e, ro->bench, mm_sx_warmup(s), tm);
	mm_tensor_set_limit(0);
	if (r != MM_OK)
		return r;
	tm->bytes_peak = mm_count_add(t->bytes_in,
	                              mm_count_of(mm_tensor_peak_bytes() - live0));
	tm->executed = t->nops > 0;
	tm->computed = computed_as(i->v.dtype, t);
	/* The prediction beside the measurement: always for :run and :bench,
	 * otherwise once there is enough work for a roofline to mean much. */
	if (tm->executed && !mm_count_is_zero(t->flops) &&
	    (ro->fill || ro->bench || mm_count_to_double(t->flops) >= 1e6))
		add_prediction(s, t, i->v.dtype, tm);
	return MM_OK;
}

/* An unknown unit: the error, with the closest unit or the list. A count
 * (the figure has dimension dim, or is a tensor's) typed as a plural that
 * reads as a rate (GFLOPS) gets the count's unit. */
static int unknown_unit(mm_stmtctx *c, const mm_stmt *st, const mm_info *i)
{
	const char *sug = mm_count_unit_suggest(st->unit);
	const mm_unit *su = mm_count_unit_find(sug);
	size_t n = strlen(st->unit);
	bool count = i->v.kind == MM_K_TENSOR || mm_dim_is_count(i->v.dim);
	if (count && su && su->kind == MM_UNIT_RATE && n > 1 && n < 16) {
		char stem[16];
		snprintf(stem, sizeof stem, "%.*s", (int)n - 1, st->unit);
		const mm_unit *u = mm_count_unit_find(stem);
		if (u)
			sug = u->name;
	}
	char hint[96];
	snprintf(hint, sizeof hint, sug && sug[0] == '\'' ? "did you mean %s?"
	                                                   : "did you mean '%s'?",
	         sug ? sug : "");
	return mm_sx_error_at(c, MM_ERR_ARG, st->unit_span,
	                      sug ? hint
	                          : "units: FLOP kFLOP .. YFLOP, MAC .. YMAC, B kB .. "
	                            "PB, KiB .. PiB, b kb .. Tb (bits), ns us ms s "
	                            "min h day, FLOP/s .. EFLOP/s, B/s .. PB/s",
	                      "unknown unit '%s'", st->unit);
}

/* The statement's figure in base units (FLOP, MAC, B, s, or per second)
 * for unit u: *exact when it is an exact count, else *x. Returns 0, or 1
 * after reporting why it does not convert. */
static int figure_for(mm_stmtctx *c, const mm_stmt *st, const mm_info *i,
                      const mm_totals *t, const mm_unit *u, mm_count *exact,
                      double *x)
{
	*exact = mm_count_approx(NAN);
	if (i->v.kind == MM_K_NUMBER) {
		/* a plain number is taken in the unit's base units */
		if (!mm_dim_is_none(i->v.dim) && !mm_dim_eq(i->v.dim, u->dim)) {
			mm_buf from = MM_BUF_INIT;
			mm_dim_print(&from, i->v.dim, false);
			int r = mm_sx_error_at(c, MM_ERR_ARG, st->unit_span, NULL,
			                       "cannot convert %s to %s",
			                       mm_buf_str(&from), u->name);
			mm_buf_free(&from);
			return r;
		}
		*x = i->v.num;
		if (mm_dim_is_count(i->v.dim))
			*exact = i->v.cnt;
		else if (i->v.is_int && i->v.ival >= 0)
			*exact = mm_count_of((uint64_t)i->v.ival);
		return 0;
	}
	if (i->v.kind != MM_K_TENSOR)
		return mm_sx_error_at(c, MM_ERR_TYPE, st->span, NULL,
		                      "only numbers and costs convert to units");
	mm_count traffic = mm_count_add(t->bytes_in, t->bytes_out);
	switch (u->kind) {
	case MM_UNIT_FLOP: *exact = t->flops; break;
	case MM_UNIT_MAC: *exact = t->macs; break;
	case MM_UNIT_BYTE: *exact = i->leaf ? t->bytes_in : traffic; break;
	case MM_UNIT_SECOND: {
		mm_diag d;
		*x = mm_sx_predict(c->s, t->flops, t->transcendental, traffic,
		                   i->v.dtype, &d);
		if (*x < 0) {
			d.span = st->span;
			return mm_sx_error(c, &d);
		}
		return 0;
	}
	default:
		return mm_sx_error_at(c, MM_ERR_ARG, st->unit_span,
		                      "a rate is a count over a time: "
		                      "flops(e) / time(e) -> TFLOP/s",
		                      "an expression has no %s of its own", u->name);
	}
	*x = mm_count_to_double(*exact);
	return 0;
}

/* Converts the statement's value for `-> UNIT` into s->text. */
static int convert_unit(mm_stmtctx *c, const mm_stmt *st, const mm_info *i,
                        const mm_totals *t)
{
	const mm_unit *u = mm_count_unit_find(st->unit);
	if (!u)
		return unknown_unit(c, st, i);
	mm_count exact;
	double base = 0, x;
	if (figure_for(c, st, i, t, u, &exact, &base))
		return 1;
	if (u->kind == MM_UNIT_SECOND) {
		mm_count_format_seconds_in(&c->s->text, base, u, false);
		x = base / u->factor;
	} else if (!exact.approx && u->scale) {
		mm_count_format_in_unit(&c->s->text, exact, u, false);
		x = mm_count_in_unit(exact, u);
	} else {
		/* 12 significant digits, as a count that does not divide */
		x = base / u->factor;
		char digits[40];
		snprintf(digits, sizeof digits, "%.12g", x);
		mm_buf_printf(&c->s->text, "%s %s", digits, u->name);
	}
	mm_buf_putc(&c->s->text, '\n');
	/* f = flops(X @ W) -> TFLOP binds f to the number in that unit. */
	mm_value num;
	mm_value_set_num(&num, x);
	if (!mm_env_set(&c->s->env, st->kind == MM_S_ASSIGN ? st->name : "ans", &num,
	                NULL, NULL))
		return mm_sx_error_at(c, MM_ERR_NOMEM, st->span, NULL, "out of memory");
	if (c->s->json) {
		mm_buf_printf(&c->s->jbuf, "{\"line\":%ld,\"kind\":\"value\",\"value\":",
		              c->line);
		mm_print_json_number(&c->s->jbuf, x, false);
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
	mm_gnode *g;      /* one reference */
} saved;

/* `where n = 1024`: binds st's names for one statement or command,
 * saving what they were in where[0..*n). Returns 0, or 1 after reporting
 * an error (what was bound so far is in where[] to restore). */
static int bind_where(mm_stmtctx *c, const mm_stmt *st, saved *where, int *n)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_diag_clear(&d);
	*n = 0;
	if (st->nwhere > 16)
		return mm_sx_error_at(c, MM_ERR_LIMIT, st->span, NULL,
		                "at most 16 bindings after 'where'");
	for (int k = 0; k < st->nwhere; k++) {
		const mm_binding *b = &st->where[k];
		mm_checker ck;
		mm_sx_checker(&ck, s, &d, false);
		if (mm_check_expr(&ck, b->expr) != MM_OK)
			return mm_sx_error(c, &d);
		if (b->expr->info->v.kind != MM_K_NUMBER)
			return mm_sx_error_at(c, MM_ERR_TYPE, b->expr->span, NULL,
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
				return mm_sx_error_at(c, MM_ERR_NOMEM, b->span, NULL,
				                "out of memory");
			}
			sv->existed = true;
			sv->value = mm_tensor_ref(old->value);
			sv->g = mm_graph_ref(old->g);
		}
		if (!mm_env_set(&s->env, b->name, &b->expr->info->v, NULL, NULL))
			return mm_sx_error_at(c, MM_ERR_NOMEM, b->span, NULL, "out of memory");
	}
	mm_sx_where_unused(c, st);
	return 0;
}

/* Puts back what bind_where saved (entries with no name stay as they are
 * now). */
static void restore_where(mm_session *s, saved *where, int n)
{
	for (int k = n - 1; k >= 0; k--) {
		if (where[k].name) {
			if (where[k].existed)
				mm_env_set(&s->env, where[k].name, &where[k].v,
				           where[k].value, where[k].g);
			else
				mm_env_remove(&s->env, where[k].name);
		}
		mm_tensor_unref(where[k].value);
		mm_graph_unref(where[k].g);
	}
}

int mm_sx_run_expr(mm_stmtctx *c, const mm_stmt *st, const mm_run_opts *ro)
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
		failed = mm_sx_error(c, &d);
		goto done;
	}
	mm_info *i = st->expr->info;
	const char *name = st->kind == MM_S_ASSIGN ? st->name : NULL;
	if (i->v.kind == MM_K_TENSOR && i->symbolic) {
		mm_sym_totals sym;
		if (st->unit || ro->fill) {
			failed = mm_sx_error_at(c, MM_ERR_UNSUPPORTED, st->span,
			                  "bind the symbols first (n = 1024), or for this "
			                  "statement only: ... where n = 1024",
			                  "%s needs numeric dimensions",
			                  st->unit ? "a unit conversion" : "execution");
			goto done;
		}
		if (mm_check_totals_sym(st->expr, &s->arena, &sym, &d) != MM_OK) {
			failed = mm_sx_error(c, &d);
			goto done;
		}
		mm_format_report_sym(&s->text, name, i, &sym, &as);
		if (!i->leaf)
			mm_sx_total_add_sym(s, &sym);
		if (s->json)
			mm_format_report_sym_json(&s->jbuf, c->line, name, i, &sym, &as);
		emit(c, name ? MM_R_ASSIGN : MM_R_VALUE, NULL);
		if (!mm_env_set(&s->env, name ? name : "ans", &i->v, i->value, i->g))
			failed = mm_sx_error_at(c, MM_ERR_NOMEM, st->span, NULL, "out of memory");
		else if (i->g)
			mm_graph_set_origin(i->g, mm_sx_intern(s, name ? name : "ans"));
		goto done;
	}
	if (st->unit) {
		failed = convert_unit(c, st, i, &t);
		goto done;
	}
	const mm_totals *tp = i->v.kind == MM_K_TENSOR ? &t : NULL;
	if (i->v.kind != MM_K_NONE) {
		/* Random operands make random values: :run reports the time. */
		mm_report_opts ro_report = mm_sx_report_opts(s);
		ro_report.no_values = ro->fill;
		mm_format_report(&s->text, name, i, tp, &tm, &ro_report);
		if (s->json)
			mm_format_report_json(&s->jbuf, c->line, name, i, tp, &tm,
			                      (int)s->set.threshold);
	}
	emit(c, st->kind == MM_S_ASSIGN ? MM_R_ASSIGN : MM_R_VALUE, NULL);
	if (tp)
		mm_sx_total_add(s, tp, &tm);
	/* Bind after reporting: a failed statement changes nothing. */
	if (i->v.kind != MM_K_NONE &&
	    !mm_env_set(&s->env, name ? name : "ans", &i->v, i->value, i->g))
		failed = mm_sx_error_at(c, MM_ERR_NOMEM, st->span, NULL, "out of memory");
	else if (i->g)
		mm_graph_set_origin(i->g, mm_sx_intern(s, name ? name : "ans"));
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

int mm_sx_with_where(mm_stmtctx *c, const mm_stmt *st, mm_command_fn *fn)
{
	saved where[16];
	int n = 0;
	int failed = bind_where(c, st, where, &n);
	if (!failed)
		failed = fn(c, st);
	restore_where(c->s, where, n);
	return failed;
}

/* An unknown command: the error, with the closest command's name. */
static int unknown_command(mm_stmtctx *c, const mm_stmt *st)
{
	mm_suggest sg;
	mm_suggest_init(&sg, st->name);
	for (size_t k = 0; mm_command_at(k); k++)
		mm_suggest_add(&sg, mm_command_at(k)->name);
	const char *sug = mm_suggest_best(&sg);
	char hint[96];
	snprintf(hint, sizeof hint, "did you mean :%s?", sug ? sug : "");
	return mm_sx_error_at(c, MM_ERR_NAME, st->name_span,
	                      sug ? hint : ":help commands lists them",
	                      "unknown command ':%s'", st->name);
}

/* Runs a command statement: its arguments as its row allows, then its
 * function, with its `where` names bound for it alone. */
static int command(mm_stmtctx *c, const mm_stmt *st)
{
	const mm_command *k = st->cmd;
	if (!k)
		return unknown_command(c, st);
	if (k->args == MM_ARGS_NONE && st->nwords > 0)
		return mm_sx_error_at(c, MM_ERR_ARG, st->args, NULL,
		                      ":%s takes no arguments", k->name);
	for (int f = 0; f < st->nflags; f++) {
		const char *key = st->flags[f].key;
		size_t kl = strlen(key);
		bool ok = false;
		for (const char *p = k->flags; p && *p && !ok;) {
			size_t l = strcspn(p, " ");
			ok = l == kl && strncmp(p, key, l) == 0;
			p += l + (p[l] == ' ');
		}
		if (!ok) {
			char hint[96];
			snprintf(hint, sizeof hint, "usage: %s", k->usage);
			return mm_sx_error_at(c, MM_ERR_ARG, st->flags[f].span, hint,
			                      ":%s has no option '%s'", k->name, key);
		}
	}
	if (st->nwhere)
		return mm_sx_with_where(c, st, k->run);
	return k->run(c, st);
}

/* EXPR = SHAPE with one '?' in EXPR: which shape must it be? */
static int run_equation(mm_stmtctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_diag_clear(&d);
	mm_checker ck;
	mm_sx_checker(&ck, s, &d, false);
	int failed = 0;
	mm_shape hole;
	if (mm_check_expr(&ck, st->rhs) != MM_OK) {
		failed = mm_sx_error(c, &d);
	} else if (st->rhs->info->v.kind != MM_K_TENSOR) {
		failed = mm_sx_error_at(c, MM_ERR_TYPE, st->rhs->span,
		                  "write the result as a shape, e.g. (1024x512)",
		                  "the right side of an equation must be a shape");
	} else if (mm_solve_hole(&ck, st->expr, &st->rhs->info->v.shape, &hole) != MM_OK) {
		failed = mm_sx_error(c, &d);
	} else {
		mm_totals t;
		mm_check_totals(st->expr, &t);
		mm_buf *b = &s->text;
		mm_buf_puts(b, "? = ");
		mm_shape_print(b, &hole);
		mm_buf_printf(b, " %s\n", mm_dtype_name(s->set.dtype));
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
		mm_shape alt;
		if (mm_solve_batched(&ck, st->expr, &st->rhs->info->v.shape, &hole,
		                     &alt)) {
			mm_buf_puts(b, "  (shared by the batch; a batched ");
			mm_shape_print(b, &alt);
			mm_buf_puts(b, " fits too, with the same FLOPs)\n");
		}
		emit(c, MM_R_VALUE, NULL);
	}
	mm_eval_release_all(st->expr);
	mm_eval_release_all(st->rhs);
	return failed;
}

/* ---- lines and scripts ---- */

static int run_line(mm_session *s, const char *file, long line,
                    const char *src, size_t len, mm_emit_fn emit_fn, void *ctx);

int mm_session_run(mm_session *s, const char *file, long line,
                   const char *src, size_t len, mm_emit_fn emit_fn, void *ctx)
{
	const char *text;
	size_t tlen;
	int g = mm_sx_gather(s, file, line, src, len, &text, &tlen);
	if (g == 0)
		return run_line(s, file, line, src, len, emit_fn, ctx);
	if (g == 1)
		return 0;
	if (g < 0) {
		mm_stmtctx c = {s, file, line, src, len, emit_fn, ctx, true};
		mm_diag d;
		mm_diag_set(&d, MM_ERR_LIMIT, (mm_span){0, 0},
		            "a definition longer than 1 MiB");
		mm_diag_hint(&d, "is a '}' missing?");
		return mm_sx_error(&c, &d);
	}
	return mm_session_flush(s, emit_fn, ctx);
}

int mm_session_flush(mm_session *s, mm_emit_fn emit_fn, void *ctx)
{
	if (!s->pending.len)
		return 0;
	/* the gathered definition, as one line from where it began */
	size_t n = s->pending.len;
	char *text = malloc(n + 1);
	char *file = s->pending_file;
	long line = s->pending_line;
	if (text)
		memcpy(text, mm_buf_str(&s->pending), n + 1);
	s->pending_file = NULL;
	mm_buf_reset(&s->pending);
	int failed = text ? run_line(s, file, line, text, n, emit_fn, ctx) : 1;
	free(text);
	free(file);
	return failed;
}

static int run_line(mm_session *s, const char *file, long line,
                    const char *src, size_t len, mm_emit_fn emit_fn, void *ctx)
{
	mm_stmtctx c = {s, file, line, src, len, emit_fn, ctx, true};
	mm_parser p;
	mm_stmt st;
	mm_diag d;
	int failed = 0;
	if (len > UINT32_MAX / 2) {
		mm_diag_set(&d, MM_ERR_LIMIT, (mm_span){0, 0},
		            "line too long (%zu bytes)", len);
		c.src = NULL;
		c.len = 0;
		return mm_sx_error(&c, &d);
	}
	mm_parse_init(&p, src, len, &s->arena);
	for (;;) {
		/* Each statement's tree, values and deferred frees go with it:
		 * a line of a million statements runs in one statement's memory. */
		mm_arena_reset(&s->arena);
		mm_diag_clear(&d);
		int r = mm_parse_next(&p, &st, &d);
		if (r == 0)
			break;
		if (r < 0) {
			failed += mm_sx_error(&c, &d);
		} else if (st.kind == MM_S_COMMAND) {
			failed += command(&c, &st);
		} else if (st.kind == MM_S_DEF) {
			failed += mm_sx_define(&c, &st);
		} else if (st.kind == MM_S_EQUATION) {
			failed += run_equation(&c, &st);
		} else {
			mm_run_opts ro = {false, 0};
			failed += mm_sx_run_expr(&c, &st, &ro);
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
	/* a definition left open at the end of the text */
	return failed + mm_session_flush(s, emit_fn, ctx);
}

/* Candidate k of a kind for completion (NULL past the last); buf may
 * hold it. */
typedef const char *(*cand_fn)(mm_session *s, size_t k, char *buf, size_t cap);

static const char *cand_command(mm_session *s, size_t k, char *buf, size_t cap)
{
	(void)s;
	const mm_command *c = mm_command_at(k);
	if (!c)
		return NULL;
	snprintf(buf, cap, ":%s", c->name);
	return buf;
}

static const char *cand_setting(mm_session *s, size_t k, char *buf, size_t cap)
{
	(void)s, (void)buf, (void)cap;
	const mm_setting *t = mm_setting_at(k);
	return t ? t->key : NULL;
}

static const char *cand_topic(mm_session *s, size_t k, char *buf, size_t cap)
{
	(void)s, (void)buf, (void)cap;
	size_t n;
	const mm_help_topic *t = mm_help_topics(&n);
	return k < n ? t[k].name : NULL;
}

static const char *cand_device(mm_session *s, size_t k, char *buf, size_t cap)
{
	(void)s, (void)buf, (void)cap;
	size_t n;
	const mm_device *t = mm_device_builtin(&n);
	return k < n ? t[k].key : k == n ? "host" : k == n + 1 ? "custom" : NULL;
}

static const char *cand_dtype(mm_session *s, size_t k, char *buf, size_t cap)
{
	(void)s, (void)buf, (void)cap;
	return k < MM_DTYPE_COUNT ? mm_dtype_name((mm_dtype)k) : NULL;
}

/* Functions, then variables. */
static const char *cand_name(mm_session *s, size_t k, char *buf, size_t cap)
{
	(void)buf, (void)cap;
	const mm_builtin *f = mm_builtin_at(k);
	if (f)
		return f->name;
	size_t nf = 0;
	while (mm_builtin_at(nf))
		nf++;
	k -= nf;
	return k < (size_t)s->env.n ? s->env.vars[k].name : NULL;
}

static const char *nth(mm_session *s, cand_fn next, const char *prefix, int i)
{
	static char buf[64];
	size_t n = strlen(prefix);
	const char *c;
	for (size_t k = 0; (c = next(s, k, buf, sizeof buf)) != NULL; k++)
		if (strncmp(c, prefix, n) == 0 && i-- == 0)
			return c;
	return NULL;
}

/* What the word at `at` of line is: the first argument of :set, :help,
 * :device or :dtype takes that command's candidates. */
static cand_fn context(const char *line, size_t at)
{
	size_t k = 0;
	while (k < at && (line[k] == ' ' || line[k] == '\t'))
		k++;
	if (k >= at || line[k] != ':')
		return NULL;
	size_t name = ++k;
	while (k < at && line[k] != ' ' && line[k] != '\t')
		k++;
	char cmd[16];
	snprintf(cmd, sizeof cmd, "%.*s", (int)(k - name), line + name);
	while (k < at && (line[k] == ' ' || line[k] == '\t'))
		k++;
	if (k != at) /* not the first argument */
		return NULL;
	const mm_command *c = mm_command_find(cmd);
	if (!c)
		return NULL;
	if (!strcmp(c->name, "set"))
		return cand_setting;
	if (!strcmp(c->name, "help"))
		return cand_topic;
	if (!strcmp(c->name, "device"))
		return cand_device;
	if (!strcmp(c->name, "dtype"))
		return cand_dtype;
	return NULL;
}

const char *mm_session_complete_at(mm_session *s, const char *line,
                                   size_t at, const char *prefix, int i)
{
	cand_fn next = line ? context(line, at) : NULL;
	if (!next)
		next = prefix[0] == ':' ? cand_command : cand_name;
	return nth(s, next, prefix, i);
}

const char *mm_session_complete(mm_session *s, const char *prefix, int i)
{
	return mm_session_complete_at(s, NULL, 0, prefix, i);
}
