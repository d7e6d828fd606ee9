/* cmd_chart.c — what :roofline and :sweep share: their options, a chart
 * shown as the settings say, written as SVG and as JSON, and each
 * operation of an expression timed on this machine. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_chart.h"
#include "mmcalc/eval.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"
#include "mmcalc/path.h"

/* ---- options ---- */

void mm_chart_cmd_defaults(const mm_session *s, mm_chart_cmd_opts *o)
{
	memset(o, 0, sizeof *o);
	/* about a third as tall as wide, in lines (a cell is twice as tall
	 * as wide): 24 lines at 80 columns */
	int h = (int)(s->set.width * 3 / 10);
	o->height = h < 16 ? 16 : h > 40 ? 40 : h;
}

int mm_chart_cmd_opt(mm_stmtctx *c, const char *key, const mm_node *v,
                     mm_span at, mm_chart_cmd_opts *o)
{
	(void)at;
	if (!strcmp(key, "run")) {
		if (v->kind != MM_N_NAME ||
		    (strcmp(v->name, "true") && strcmp(v->name, "false")))
			return mm_sx_error_at(c, MM_ERR_ARG, v->span, NULL,
			                      "run is true or false");
		if (v->name[0] == 't' && o->runs == 0)
			o->runs = mm_sx_bench_max(c->s) < 3 ? mm_sx_bench_max(c->s) : 3;
		return 0;
	}
	if (!strcmp(key, "bench") || !strcmp(key, "height")) {
		bool bench = key[0] == 'b';
		long long lo = bench ? 1 : MM_CHART_MIN_HEIGHT,
		          hi = bench ? mm_sx_bench_max(c->s) : MM_CHART_MAX_HEIGHT;
		if (v->kind != MM_N_NUMBER || !v->is_int || v->ival < lo ||
		    v->ival > hi)
			return mm_sx_error_at(c, MM_ERR_ARG, v->span, NULL,
			                      "%s is a whole number from %lld to %lld",
			                      key, lo, hi);
		*(bench ? &o->runs : &o->height) = (int)v->ival;
		return 0;
	}
	if (!strcmp(key, "plot")) {
		if (v->kind != MM_N_STRING || !v->str || !*v->str)
			return mm_sx_error_at(c, MM_ERR_ARG, v->span,
			                      "plot=\"roofline.svg\"",
			                      "plot is the name of an SVG file, "
			                      "in quotes");
		o->plot = v->str;
		o->plot_span = v->span;
		return 0;
	}
	return -1;
}

/* ---- output ---- */

void mm_chart_cmd_cell(mm_buf *b, mm_buf *t, int w)
{
	int n = (int)mm_buf_cols(t);
	mm_buf_puts(b, mm_buf_str(t));
	for (int k = n; k < w || k == n; k++)
		mm_buf_putc(b, ' ');
	mm_buf_reset(t);
}

void mm_chart_cmd_rate(mm_buf *b, double flops, double sec)
{
	if (sec > 0 && flops > 0)
		mm_count_format_si_f(b, flops / sec, "FLOP/s", 4);
	else
		mm_buf_puts(b, "-");
}

/* Writes the SVG of ch to o->plot (resolved as load and save resolve
 * names) and says so in s->text. */
static int write_svg(mm_stmtctx *c, const mm_chart *ch,
                     const mm_chart_cmd_opts *o)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_buf svg = MM_BUF_INIT;
	if (mm_chart_svg(&svg, ch, NULL, &d) != MM_OK) {
		mm_buf_free(&svg);
		d.span = o->plot_span;
		return mm_sx_error(c, &d);
	}
	char *path = mm_sx_path(s, o->plot, false, &d);
	mm_io_atomic w;
	mm_code r = path ? mm_io_atomic_open(&w, path, &d) : d.code;
	if (r == MM_OK && (r = mm_io_atomic_write(&w, svg.data, svg.len, &d)) != MM_OK)
		mm_io_atomic_abort(&w);
	if (r == MM_OK)
		r = mm_io_atomic_commit(&w, &d);
	size_t len = svg.len;
	mm_buf_free(&svg);
	free(path);
	if (r != MM_OK) {
		d.span = o->plot_span;
		return mm_sx_error(c, &d);
	}
	mm_buf_printf(&s->text, "wrote %s (SVG, %zu bytes)\n", o->plot, len);
	return 0;
}

int mm_chart_cmd_emit(mm_stmtctx *c, const char *name, const mm_chart *ch,
                      const mm_chart_cmd_opts *o, bool chart_first)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_buf pic = MM_BUF_INIT;
	mm_chart_text_opts to = {(int)s->set.width, o->height, s->set.unicode,
	                         s->set.colour && !s->json};
	if (mm_chart_text(&pic, ch, &to, &d) != MM_OK) {
		mm_buf_free(&pic);
		return mm_sx_error(c, &d);
	}
	if (chart_first) {
		mm_buf rest = MM_BUF_INIT;
		mm_buf_puts(&rest, mm_buf_str(&s->text));
		mm_buf_reset(&s->text);
		mm_buf_puts(&s->text, mm_buf_str(&pic));
		mm_buf_putc(&s->text, '\n');
		mm_buf_puts(&s->text, mm_buf_str(&rest));
		mm_buf_free(&rest);
	} else {
		mm_buf_putc(&s->text, '\n');
		mm_buf_puts(&s->text, mm_buf_str(&pic));
	}
	mm_buf_free(&pic);
	if (o->plot && write_svg(c, ch, o))
		return 1;
	if (s->json) {
		mm_buf_reset(&s->jbuf);
		mm_buf_printf(&s->jbuf, "{\"line\":%ld,\"kind\":\"chart\","
		              "\"command\":\"%s\",\"chart\":", c->line, name);
		if (mm_chart_json(&s->jbuf, ch, &d) != MM_OK)
			return mm_sx_error(c, &d);
		mm_buf_puts(&s->jbuf, ",\"text\":");
		mm_format_json_string(&s->jbuf, mm_buf_str(&s->text));
		mm_buf_putc(&s->jbuf, '}');
	}
	mm_sx_emit(c, MM_R_TEXT);
	return 0;
}

/* ---- timing ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The operations of e's tree in evaluation order (operands first), each
 * once: nodes that compute something (not leaves). */
typedef struct order {
	mm_node **v;
	int n, cap;
	bool failed;
} order;

static void post(order *o, mm_node *e)
{
	if (o->failed || !e->info || e->info->v.kind != MM_K_TENSOR ||
	    e->info->leaf)
		return;
	for (int k = 0; k < o->n; k++)
		if (o->v[k] == e)
			return;
	mm_node *kids[MM_MAX_OPERANDS];
	int n = mm_check_operands(e, kids);
	for (int k = 0; k < n; k++)
		post(o, kids[k]);
	if (o->n == o->cap) {
		int cap = o->cap ? 2 * o->cap : 32;
		mm_node **v = realloc(o->v, sizeof *v * (size_t)cap);
		if (!v) {
			o->failed = true;
			return;
		}
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = e;
}

/* One run: every operation in order, each timed into t[]; the sum. */
static mm_code run_once(mm_evaluator *ev, const order *o, double *t,
                        double *sum)
{
	*sum = 0;
	for (int k = 0; k < o->n; k++) {
		double t0 = now();
		mm_code r = mm_eval(ev, o->v[k]);
		if (r != MM_OK)
			return r;
		t[k] = now() - t0;
		*sum += t[k];
	}
	mm_eval_release(o->v[o->n - 1], false);
	return MM_OK;
}

/* A warm-up before timing, as :bench does: at least once, and on until
 * warm_s (mm_sx_warmup) has passed (caches filled, the core at speed). */
#define WARM_MAX 1000

static mm_code timed(mm_evaluator *ev, const order *o, int runs,
                     double warm_s, double *best, double *total, mm_diag *d)
{
	double *t = malloc(sizeof *t * (size_t)o->n), sum;
	if (!t)
		return mm_diag_set(d, MM_ERR_NOMEM, (mm_span){0, 0}, "out of memory");
	mm_code r = MM_OK;
	double t0 = now();
	for (int w = 0; r == MM_OK && w < WARM_MAX; w++) {
		r = run_once(ev, o, t, &sum);
		if (now() - t0 >= warm_s)
			break;
	}
	for (int k = 0; k < o->n; k++)
		best[k] = -1;
	*total = -1;
	for (int run = 0; r == MM_OK && run < runs; run++) {
		if (mm_interrupted()) {
			r = mm_diag_set(d, MM_ERR_INTERRUPTED, (mm_span){0, 0},
			                "interrupted");
			break;
		}
		if ((r = run_once(ev, o, t, &sum)) != MM_OK)
			break;
		for (int k = 0; k < o->n; k++)
			if (best[k] < 0 || t[k] < best[k])
				best[k] = t[k];
		if (*total < 0 || sum < *total)
			*total = sum;
	}
	free(t);
	return r;
}

mm_code mm_chart_cmd_measure(mm_session *s, mm_node *e, int runs,
                             const mm_gnode ***g, double **sec, int *n,
                             double *total, mm_diag *d)
{
	*g = NULL;
	*sec = NULL;
	*n = 0;
	mm_totals t;
	mm_check_totals(e, &t);
	if (mm_count_cmp(t.bytes_alloc, mm_count_of(s->set.memlimit)) > 0) {
		mm_buf need = MM_BUF_INIT;
		mm_count_format_iec(&need, t.bytes_alloc, "B", 4);
		mm_diag_set(d, MM_ERR_LIMIT, e->span, "running this needs %s, over "
		            "the memory limit", mm_buf_str(&need));
		mm_diag_hint(d, "nothing was allocated; raise it with :set "
		                "memlimit SIZE");
		mm_buf_free(&need);
		return MM_ERR_LIMIT;
	}
	order o = {0};
	post(&o, e);
	double *best = o.failed ? NULL : malloc(sizeof *best * (size_t)(o.n + 1));
	const mm_gnode **gs = best ? malloc(sizeof *gs * (size_t)(o.n + 1)) : NULL;
	if (!gs) {
		free(o.v);
		free(best);
		return mm_diag_set(d, MM_ERR_NOMEM, e->span, "out of memory");
	}
	mm_evaluator ev = {&s->rng, d};
	mm_tensor_limit_more(s->set.memlimit);
	mm_code r = mm_eval_fill(&ev, e);
	if (r == MM_OK && o.n)
		r = timed(&ev, &o, runs, mm_sx_warmup(s), best, total, d);
	else
		*total = 0;
	mm_tensor_set_limit(0);
	for (int k = 0; k < o.n; k++)
		gs[k] = o.v[k]->info->g;
	mm_eval_release_all(e);
	if (r != MM_OK) {
		free(o.v);
		free(best);
		free(gs);
		return r;
	}
	*g = gs;
	*sec = best;
	*n = o.n;
	free(o.v);
	return MM_OK;
}
