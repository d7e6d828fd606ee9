/* cmd_sweep.c — :sweep n = 64..4096 x2: EXPR — one dimension varied over
 * a range: per value, EXPR's cost, its predicted time and rate on the
 * device (and with run=true its measured ones here), as a table and a
 * chart of rate against the dimension, with the device's peak for its
 * dtype and the value where it turns compute- or memory-bound. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_chart.h"
#include "mmcalc/eval.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/parse.h"

#define MAX_POINTS 64

/* The command's text, read: the name, its values, the expression's
 * place in the line, the options. */
typedef struct sweep {
	char name[64];
	int64_t v[MAX_POINTS];
	int n;
	bool geometric;
	size_t expr_at, expr_end; /* in the line */
	mm_chart_cmd_opts o;
} sweep;

/* One value's figures. */
typedef struct point {
	mm_count flops, bytes;
	double pred, meas;   /* seconds, < 0 unknown */
	bool compute_bound;
	mm_dtype dtype;
} point;

static const char *skip(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

/* A whole number at *p (moved past it); false when there is none. */
static bool number(const char **p, const char *end, double *out)
{
	char buf[64];
	size_t n = 0;
	while (*p + n < end && n < sizeof buf - 1 &&
	       (isdigit((unsigned char)(*p)[n]) || (*p)[n] == '.' ||
	        (*p)[n] == 'e' || (*p)[n] == 'E') &&
	       !((*p)[n] == '.' && *p + n + 1 < end && (*p)[n + 1] == '.'))
		n++;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	char *e;
	errno = 0;
	double v = strtod(buf, &e);
	if (!n || *e || errno)
		return false;
	*p += n;
	*out = v;
	return true;
}

/* sweep := NAME '=' LO '..' HI [('x' | '*') FACTOR | '+' STEP] ':' */
static int header(mm_stmtctx *c, const mm_stmt *st, sweep *w)
{
	const char *line = c->src, *p = line + st->args.start,
	           *end = line + st->args.end;
	mm_span all = st->args;
	const char *usage = ":sweep n = 64..4096 x2: (n x n) @ (n x n)";
	size_t k = 0;
	while (p + k < end && (isalnum((unsigned char)p[k]) || p[k] == '_'))
		k++;
	if (!k || isdigit((unsigned char)*p) || k >= sizeof w->name)
		return mm_sx_error_at(c, MM_ERR_SYNTAX, all, usage,
		                      ":sweep needs the name of the dimension to vary");
	memcpy(w->name, p, k);
	w->name[k] = '\0';
	p = skip(p + k, end);
	double lo, hi, step = 2;
	char how = 'x';
	bool ok = p < end && *p == '=';
	if (ok) {
		p = skip(p + 1, end);
		ok = number(&p, end, &lo) && end - p >= 2 && p[0] == '.' && p[1] == '.';
	}
	if (ok) {
		p = skip(p + 2, end);
		ok = number(&p, end, &hi);
	}
	p = skip(p, end);
	if (ok && p < end && (*p == 'x' || *p == '*' || *p == '+')) {
		how = *p == '+' ? '+' : 'x';
		p = skip(p + 1, end);
		ok = number(&p, end, &step);
		p = skip(p, end);
	}
	if (!ok || p >= end || *p != ':')
		return mm_sx_error_at(c, MM_ERR_SYNTAX, all, usage,
		                      "expected NAME = FROM..TO [xFACTOR | +STEP]: EXPR");
	w->expr_at = (size_t)(p + 1 - line);
	w->geometric = how == 'x';
	if (!(lo >= 1) || !(hi >= lo) || hi > 1e15 || lo != floor(lo) ||
	    hi != floor(hi))
		return mm_sx_error_at(c, MM_ERR_VALUE, all, NULL,
		                      "the range is whole numbers from 1 up, "
		                      "FROM <= TO");
	if (w->geometric ? !(step > 1) : !(step >= 1 && step == floor(step)))
		return mm_sx_error_at(c, MM_ERR_VALUE, all, NULL,
		                      w->geometric ? "the factor must be above 1"
		                                   : "the step is a whole number "
		                                     "from 1");
	for (double v = lo; v <= hi * (1 + 1e-12); v = how == 'x' ? v * step
	                                                          : v + step) {
		int64_t iv = (int64_t)llround(v);
		if (w->n && iv <= w->v[w->n - 1])
			continue; /* x1.1 from 1: the same whole number again */
		if (w->n == MAX_POINTS)
			return mm_sx_error_at(c, MM_ERR_LIMIT, all, NULL,
			                      "a sweep has at most %d values",
			                      MAX_POINTS);
		w->v[w->n++] = iv;
	}
	return 0;
}

/* The options after the expression: trailing words key=value. */
static int options(mm_stmtctx *c, const mm_stmt *st, sweep *w)
{
	static const char *const keys[] = {"run", "bench", "plot", "height"};
	mm_chart_cmd_defaults(c->s, &w->o);
	w->expr_end = st->args.end;
	int first = st->nwords;
	while (first > 0) {
		const char *t = st->words[first - 1].text;
		bool opt = false;
		for (int k = 0; k < 4 && !opt; k++) {
			size_t l = strlen(keys[k]);
			opt = !strncmp(t, keys[k], l) && t[l] == '=';
		}
		if (!opt || st->words[first - 1].span.start <= w->expr_at)
			break;
		first--;
	}
	for (int k = first; k < st->nwords; k++) {
		const mm_word *wd = &st->words[k];
		size_t eq = strcspn(wd->text, "=");
		char key[8];
		snprintf(key, sizeof key, "%.*s", (int)eq, wd->text);
		mm_diag d;
		mm_node *v = mm_parse_expr_text(c->src, wd->span.end,
		                                 wd->span.start + eq + 1,
		                                 &c->s->arena, &d);
		if (!v)
			return mm_sx_error(c, &d);
		if (mm_chart_cmd_opt(c, key, v, wd->span, &w->o))
			return 1;
	}
	if (first < st->nwords)
		w->expr_end = st->words[first].span.start;
	return 0;
}

/* A variable's binding, kept while the sweep rebinds its name. */
typedef struct saved {
	bool existed;
	mm_value v;
	mm_tensor *value;
	mm_gnode *g;
} saved;

static bool save(mm_session *s, const char *name, saved *sv)
{
	memset(sv, 0, sizeof *sv);
	mm_var *old = mm_env_find(&s->env, name);
	if (!old)
		return true;
	if (!mm_value_copy(&sv->v, &old->v, &s->arena))
		return false;
	sv->existed = true;
	sv->value = mm_tensor_ref(old->value);
	sv->g = mm_graph_ref(old->g);
	return true;
}

static void restore(mm_session *s, const char *name, saved *sv)
{
	if (sv->existed)
		mm_env_set(&s->env, name, &sv->v, sv->value, sv->g);
	else
		mm_env_remove(&s->env, name);
	mm_tensor_unref(sv->value);
	mm_graph_unref(sv->g);
}

/* EXPR with name = value: its figures into *pt; 0, or 1 after reporting
 * an error. */
static int one(mm_stmtctx *c, const sweep *w, int64_t value, point *pt)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_value num;
	mm_value_set_int(&num, value);
	if (!mm_env_set(&s->env, w->name, &num, NULL, NULL))
		return mm_sx_error_at(c, MM_ERR_NOMEM, (mm_span){0, 0}, NULL,
		                      "out of memory");
	mm_node *e = mm_parse_expr_text(c->src, w->expr_end, w->expr_at,
	                                 &s->arena, &d);
	if (!e)
		return mm_sx_error(c, &d);
	mm_checker ck;
	mm_sx_checker(&ck, s, &d, w->o.runs > 0);
	int failed = 0;
	if (mm_check_expr(&ck, e) != MM_OK) {
		/* which value it failed at, unless the hint says more */
		if (!d.hint[0])
			mm_diag_hint(&d, "with %s = %lld", w->name, (long long)value);
		failed = mm_sx_error(c, &d);
	} else if (e->info->v.kind != MM_K_TENSOR) {
		failed = mm_sx_error_at(c, MM_ERR_TYPE, e->span, NULL,
		                        ":sweep needs a tensor expression");
	} else if (e->info->symbolic) {
		failed = mm_sx_error_at(c, MM_ERR_UNSUPPORTED, e->span,
		                        "bind the others first (d = 1024)",
		                        "symbols other than %s are left", w->name);
	}
	if (failed) {
		mm_eval_release_all(e);
		return failed;
	}
	mm_totals t;
	mm_check_totals(e, &t);
	pt->flops = t.flops;
	pt->bytes = mm_count_add(t.bytes_in, t.bytes_out);
	pt->dtype = e->info->v.dtype;
	pt->pred = pt->meas = -1;
	mm_roofline rl;
	if (mm_device_roofline_ops(&s->dev, t.flops, t.transcendental, pt->bytes,
	                           pt->dtype, &rl, &d) == MM_OK) {
		pt->pred = rl.seconds;
		pt->compute_bound = rl.compute_bound;
	}
	if (w->o.runs) {
		const mm_gnode **g;
		double *sec;
		int n;
		if (mm_chart_cmd_measure(s, e, w->o.runs, &g, &sec, &n, &pt->meas,
		                         &d) != MM_OK)
			failed = mm_sx_error(c, &d);
		else {
			free(g);
			free(sec);
		}
	}
	mm_eval_release_all(e);
	return failed;
}

static void table(mm_buf *b, const sweep *w, const point *pt)
{
	int nw = (int)strlen(w->name) > 8 ? (int)strlen(w->name) + 2 : 10;
	bool m = w->o.runs > 0;
	mm_buf_printf(b, "%-*s%-14s%-12s%-10s%-12s%-16s", nw, w->name, "FLOPs",
	              "bytes", "FLOP/B", "predicted", "rate");
	if (m)
		mm_buf_printf(b, "%-12s%-16s", "measured", "rate");
	mm_buf_puts(b, "bound by\n");
	mm_buf t = MM_BUF_INIT;
	for (int k = 0; k < w->n; k++) {
		const point *p = &pt[k];
		mm_buf_printf(&t, "%lld", (long long)w->v[k]);
		mm_chart_cmd_cell(b, &t, nw);
		mm_count_format_si(&t, p->flops, "FLOP", 4);
		mm_chart_cmd_cell(b, &t, 14);
		mm_count_format_iec(&t, p->bytes, "B", 4);
		mm_chart_cmd_cell(b, &t, 12);
		if (mm_count_is_zero(p->bytes))
			mm_buf_puts(&t, "-");
		else
			mm_buf_printf(&t, "%.4g", mm_count_ratio(p->flops, p->bytes));
		mm_chart_cmd_cell(b, &t, 10);
		if (p->pred >= 0)
			mm_count_format_seconds(&t, p->pred, 4, false);
		else
			mm_buf_puts(&t, "-");
		mm_chart_cmd_cell(b, &t, 12);
		mm_chart_cmd_rate(&t, mm_count_to_double(p->flops), p->pred);
		mm_chart_cmd_cell(b, &t, 16);
		if (m) {
			mm_count_format_seconds(&t, p->meas, 4, false);
			mm_chart_cmd_cell(b, &t, 12);
			mm_chart_cmd_rate(&t, mm_count_to_double(p->flops), p->meas);
			mm_chart_cmd_cell(b, &t, 16);
		}
		mm_buf_puts(b, p->pred < 0 ? "-" : p->compute_bound ? "compute"
		                                                    : "memory");
		mm_buf_putc(b, '\n');
	}
	mm_buf_free(&t);
}

/* The chart: predicted (and measured) rate against the value, the peak
 * of the dtype, and where the bound changes. */
static int chart(mm_stmtctx *c, const sweep *w, const point *pt)
{
	mm_session *s = c->s;
	mm_chart_point pp[MAX_POINTS], mp[MAX_POINTS];
	for (int k = 0; k < w->n; k++) {
		double f = mm_count_to_double(pt[k].flops);
		pp[k] = (mm_chart_point){(double)w->v[k],
		                         pt[k].pred > 0 ? f / pt[k].pred : NAN, NULL};
		mp[k] = (mm_chart_point){(double)w->v[k],
		                         pt[k].meas > 0 ? f / pt[k].meas : NAN, NULL};
	}
	mm_chart_series ser[4];
	size_t ns = 0;
	mm_buf lab = MM_BUF_INIT, peak = MM_BUF_INIT, turn = MM_BUF_INIT,
	       title = MM_BUF_INIT;
	mm_buf_printf(&lab, "predicted on %s", s->dev.name);
	ser[ns++] = (mm_chart_series){.kind = MM_CHART_LINE,
		.style = MM_CHART_PREDICTED, .label = mm_buf_str(&lab),
		.points = pp, .npoints = (size_t)w->n};
	if (w->o.runs)
		ser[ns++] = (mm_chart_series){.kind = MM_CHART_LINE,
			.style = MM_CHART_MEASURED, .label = "measured here",
			.points = mp, .npoints = (size_t)w->n};
	mm_dtype used;
	double pk = mm_device_peak(&s->dev, pt[0].dtype, &used);
	if (pk > 0) {
		mm_buf_printf(&peak, "%s peak ", mm_dtype_name(used));
		bool ints = used == MM_I8 || used == MM_I4;
		mm_count_format_si_f(&peak, pk, ints ? "OP/s" : "FLOP/s", 4);
		ser[ns++] = (mm_chart_series){.kind = MM_CHART_CEILING,
			.label = mm_buf_str(&peak), .value = pk};
	}
	for (int k = 1; k < w->n; k++)
		if (pt[k].pred >= 0 && pt[k - 1].pred >= 0 &&
		    pt[k].compute_bound != pt[k - 1].compute_bound) {
			mm_buf_printf(&turn, "%s-bound from %s=%lld",
			              pt[k].compute_bound ? "compute" : "memory",
			              w->name, (long long)w->v[k]);
			ser[ns++] = (mm_chart_series){.kind = MM_CHART_RIDGE,
				.label = mm_buf_str(&turn), .value = (double)w->v[k]};
			break;
		}
	/* the expression as typed, without its surrounding blanks */
	const char *e0 = c->src + w->expr_at, *e1 = c->src + w->expr_end;
	while (e0 < e1 && isspace((unsigned char)*e0))
		e0++;
	while (e1 > e0 && isspace((unsigned char)e1[-1]))
		e1--;
	mm_buf_printf(&title, "%.*s on %s", (int)(e1 - e0), e0, s->dev.name);
	/* the x axis spans the values swept */
	bool span = w->n > 1;
	mm_chart ch = {.title = mm_buf_str(&title),
		.x = {w->name, NULL, w->geometric ? MM_CHART_LOG10 : MM_CHART_LINEAR,
		      span, (double)w->v[0], (double)w->v[w->n - 1]},
		.y = {"rate", "FLOP/s", MM_CHART_LOG10, false, 0, 0},
		.series = ser, .nseries = ns};
	int r = mm_chart_cmd_emit(c, "sweep", &ch, &w->o, false);
	mm_buf_free(&lab);
	mm_buf_free(&peak);
	mm_buf_free(&turn);
	mm_buf_free(&title);
	return r;
}

int mm_cmd_sweep(mm_stmtctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	sweep w;
	memset(&w, 0, sizeof w);
	if (header(c, st, &w) || options(c, st, &w))
		return 1;
	mm_diag d;
	if (mm_sx_device(s, &d) != MM_OK)
		return mm_sx_error(c, &d);
	if (w.o.runs && s->dev.kind != MM_DEVICE_HOST)
		return mm_sx_error_at(c, MM_ERR_ARG, st->args,
		                      ":device host, then :sweep ... run=true",
		                      "measured rates are this machine's, and the "
		                      "device is %s", s->dev.name);
	point pt[MAX_POINTS];
	saved sv;
	if (!save(s, w.name, &sv))
		return mm_sx_error_at(c, MM_ERR_NOMEM, st->args, NULL,
		                      "out of memory");
	int failed = 0;
	mm_interrupt_clear();
	for (int k = 0; k < w.n && !failed; k++) {
		if (mm_interrupted())
			failed = mm_sx_error_at(c, MM_ERR_INTERRUPTED, st->args, NULL,
			                        "interrupted");
		else
			failed = one(c, &w, w.v[k], &pt[k]);
	}
	restore(s, w.name, &sv);
	if (failed)
		return failed;
	table(&s->text, &w, pt);
	return chart(c, &w, pt);
}
