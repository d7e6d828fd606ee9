/* cmd_roofline.c — :roofline EXPR: the device's roofline (memory slope,
 * a compute ceiling per dtype, the ridge) with each operation of the
 * expression as a point numbered as in :explain, and with run=true or
 * bench=N the same operations measured on this machine beside them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_chart.h"
#include "mmcalc/eval.h"
#include "mmcalc/explain.h"
#include "mmcalc/interrupt.h"

/* What the chart is drawn from; its strings live in the arena. */
typedef struct roof {
	mm_session *s;
	const mm_device *dev;
	mm_explain_row *rows;
	int nrows;
	double *meas;           /* per row: measured seconds, or -1 */
	mm_chart_series ser[MM_DTYPE_COUNT * 2 + 4];
	int nser;
	mm_chart_point *pred, *mpts;
	int npred, nmeas;
	double ridge[MM_DTYPE_COUNT]; /* per dtype used: peak / bw, or 0 */
} roof;

static const char *arena_str(mm_session *s, const mm_buf *b)
{
	const char *p = mm_arena_strndup(&s->arena, mm_buf_str(b), b->len);
	return p ? p : "";
}

/* The compute ceilings: one per distinct peak, its dtypes named
 * ("f16/bf16 989.4 TFLOP/s"), "peak" when every dtype has it, "other
 * dtypes" for four or more. */
static void ceilings(roof *r)
{
	static const mm_dtype order[] = {MM_F64, MM_F32, MM_TF32, MM_F16,
	                                 MM_BF16, MM_F8E4M3, MM_F8E5M2, MM_I8,
	                                 MM_I4};
	enum { N = sizeof order / sizeof order[0] };
	const double *pk = r->dev->peak;
	bool done[N] = {false};
	int with = 0;
	for (int i = 0; i < N; i++)
		with += pk[order[i]] > 0;
	for (int i = 0; i < N; i++) {
		if (done[i] || !(pk[order[i]] > 0))
			continue;
		mm_buf b = MM_BUF_INIT;
		int count = 0;
		bool ints = true;
		for (int j = i; j < N; j++) {
			if (done[j] || pk[order[j]] != pk[order[i]])
				continue;
			done[j] = true;
			count++;
			ints &= order[j] == MM_I8 || order[j] == MM_I4;
			/* the two FP8 formats read as one */
			if (order[j] == MM_F8E5M2 && j > 0 && pk[order[j - 1]] == pk[order[j]])
				continue;
			mm_buf_printf(&b, "%s%s", count > 1 ? "/" : "",
			              order[j] == MM_F8E4M3 ? "f8" : mm_dtype_name(order[j]));
		}
		/* every dtype: "peak"; most of them: "other dtypes" */
		if ((count == with && with > 1) || count >= 4) {
			mm_buf_reset(&b);
			mm_buf_puts(&b, count == with ? "peak" : "other dtypes");
		}
		mm_buf_putc(&b, ' ');
		mm_count_format_si_f(&b, pk[order[i]], ints ? "OP/s" : "FLOP/s", 4);
		r->ser[r->nser++] = (mm_chart_series){.kind = MM_CHART_CEILING,
			.label = arena_str(r->s, &b), .value = pk[order[i]]};
		mm_buf_free(&b);
	}
}

/* The memory slope and the ridge of every dtype the operations use. */
static void roof_and_ridges(roof *r)
{
	mm_buf b = MM_BUF_INIT;
	mm_buf_puts(&b, "memory ");
	mm_count_format_si_f(&b, r->dev->bw, "B/s", 4);
	r->ser[r->nser++] = (mm_chart_series){.kind = MM_CHART_ROOF,
		.label = arena_str(r->s, &b), .value = r->dev->bw};
	int ndt = 0;
	/* without operations, the ridge of the session's dtype */
	for (int k = 0; k < (r->nrows ? r->nrows : 1); k++) {
		mm_dtype t = r->nrows ? r->rows[k].dtype : r->s->set.dtype;
		double p = mm_device_peak(r->dev, t, NULL);
		if (!r->ridge[t] && p > 0 && r->dev->bw > 0) {
			r->ridge[t] = p / r->dev->bw;
			ndt++;
		}
	}
	for (int t = 0; t < MM_DTYPE_COUNT; t++) {
		if (!r->ridge[t])
			continue;
		bool dup = false;
		for (int u = 0; u < t; u++)
			dup |= r->ridge[u] == r->ridge[t];
		if (dup)
			continue;
		mm_buf_reset(&b);
		mm_buf_puts(&b, "ridge ");
		mm_count_format_si_f(&b, r->ridge[t], "FLOP/B", 4);
		if (ndt > 1)
			mm_buf_printf(&b, " (%s)", mm_dtype_name((mm_dtype)t));
		r->ser[r->nser++] = (mm_chart_series){.kind = MM_CHART_RIDGE,
			.label = arena_str(r->s, &b), .value = r->ridge[t]};
	}
	mm_buf_free(&b);
}

static const char *num_label(mm_session *s, int num)
{
	char t[16];
	snprintf(t, sizeof t, "%d", num);
	return mm_arena_strndup(&s->arena, t, strlen(t));
}

/* The points: predicted (and measured) rate against intensity. */
static bool points(roof *r)
{
	r->pred = malloc(sizeof *r->pred * (size_t)(r->nrows + 1));
	r->mpts = malloc(sizeof *r->mpts * (size_t)(r->nrows + 1));
	if (!r->pred || !r->mpts)
		return false;
	for (int k = 0; k < r->nrows; k++) {
		const mm_explain_row *w = &r->rows[k];
		if (w->sym)
			continue;
		double x = w->bytes > 0 ? w->flops / w->bytes : NAN;
		const char *l = num_label(r->s, w->num);
		if (w->sec > 0)
			r->pred[r->npred++] = (mm_chart_point){x, w->flops / w->sec, l};
		if (r->meas && r->meas[k] > 0)
			r->mpts[r->nmeas++] = (mm_chart_point){x, w->flops / r->meas[k], l};
	}
	r->ser[r->nser++] = (mm_chart_series){.kind = MM_CHART_POINTS,
		.style = MM_CHART_PREDICTED, .label = "predicted",
		.points = r->pred, .npoints = (size_t)r->npred};
	if (r->meas)
		r->ser[r->nser++] = (mm_chart_series){.kind = MM_CHART_POINTS,
			.style = MM_CHART_MEASURED, .label = "measured here",
			.points = r->mpts, .npoints = (size_t)r->nmeas};
	return true;
}

/* Row k's operation (function/op) and shape cells into op and shape. */
static void name_cells(const roof *r, int k, mm_buf *op, mm_buf *shape)
{
	const mm_explain_row *w = &r->rows[k];
	if (w->module)
		mm_buf_printf(op, "%s/", w->module);
	mm_buf_puts(op, w->op);
	mm_shape_print(shape, &w->g->v.shape);
}

/* The key under the chart: each point's operation, shape, intensity,
 * rates and which roof bounds it. */
static void key(roof *r, mm_buf *b)
{
	if (!r->nrows)
		return;
	mm_buf op = MM_BUF_INIT, shape = MM_BUF_INIT, cell = MM_BUF_INIT;
	int wop = 2, wshape = 5;
	for (int k = 0; k < r->nrows; k++) {
		name_cells(r, k, &op, &shape);
		wop = (int)mm_buf_cols(&op) > wop ? (int)mm_buf_cols(&op) : wop;
		wshape = (int)mm_buf_cols(&shape) > wshape ? (int)mm_buf_cols(&shape)
		                                           : wshape;
		mm_buf_reset(&op);
		mm_buf_reset(&shape);
	}
	mm_buf_printf(b, "%-4s%-*s %-*s %-10s%-16s%s%s\n", "#", wop, "op",
	              wshape, "shape", "FLOP/B", "predicted",
	              r->meas ? "measured        " : "", "bound by");
	for (int k = 0; k < r->nrows; k++) {
		const mm_explain_row *w = &r->rows[k];
		mm_buf_printf(b, "%-4d", w->num);
		name_cells(r, k, &op, &shape);
		mm_chart_cmd_cell(b, &op, wop + 1);
		mm_chart_cmd_cell(b, &shape, wshape + 1);
		if (w->sym || !(w->bytes > 0))
			mm_buf_puts(&cell, "-");
		else
			mm_buf_printf(&cell, "%.4g", w->flops / w->bytes);
		mm_chart_cmd_cell(b, &cell, 10);
		mm_chart_cmd_rate(&cell, w->flops, w->sym ? -1 : w->sec);
		mm_chart_cmd_cell(b, &cell, 16);
		if (r->meas) {
			mm_chart_cmd_rate(&cell, w->flops, r->meas[k]);
			mm_chart_cmd_cell(b, &cell, 16);
		}
		double ridge = r->ridge[w->dtype];
		if (!w->sym && w->bytes > 0 && ridge > 0)
			mm_buf_puts(b, w->flops / w->bytes >= ridge ? "compute"
			                                            : "memory");
		else
			mm_buf_puts(b, "-");
		mm_buf_putc(b, '\n');
	}
	mm_buf_free(&op);
	mm_buf_free(&shape);
	mm_buf_free(&cell);
}

/* Measures e's operations and matches them to the rows. */
static mm_code measure(roof *r, mm_node *e, int runs, mm_diag *d)
{
	const mm_gnode **g;
	double *sec, total;
	int n;
	mm_code c = mm_chart_cmd_measure(r->s, e, runs, &g, &sec, &n, &total, d);
	if (c != MM_OK)
		return c;
	r->meas = malloc(sizeof *r->meas * (size_t)(r->nrows + 1));
	for (int k = 0; r->meas && k < r->nrows; k++) {
		r->meas[k] = -1;
		for (int j = 0; j < n; j++)
			if (g[j] == r->rows[k].g)
				r->meas[k] = sec[j];
	}
	free(g);
	free(sec);
	return r->meas ? MM_OK
	               : mm_diag_set(d, MM_ERR_NOMEM, e->span, "out of memory");
}

static int options(mm_stmtctx *c, const mm_stmt *st, mm_chart_cmd_opts *o)
{
	mm_chart_cmd_defaults(c->s, o);
	for (int k = 0; k < st->nflags; k++) {
		int r = mm_chart_cmd_opt(c, st->flags[k].key, st->flags[k].value,
		                         st->flags[k].span, o);
		if (r)
			return 1; /* the command's row admits no other key */
	}
	return 0;
}

/* Checks e and fills r's rows; 0, or 1 after reporting an error. */
static int prepare(mm_stmtctx *c, mm_node *e, roof *r, int runs)
{
	mm_session *s = c->s;
	mm_diag d;
	mm_checker ck;
	mm_sx_checker(&ck, s, &d, runs > 0);
	if (mm_check_expr(&ck, e) != MM_OK)
		return mm_sx_error(c, &d);
	if (e->info->v.kind != MM_K_TENSOR)
		return mm_sx_error_at(c, MM_ERR_TYPE, e->span, NULL,
		                      ":roofline needs a tensor expression");
	if (mm_sx_device(s, &d) != MM_OK)
		return mm_sx_error(c, &d);
	if (runs && s->dev.kind != MM_DEVICE_HOST)
		return mm_sx_error_at(c, MM_ERR_ARG, e->span,
		                      ":device host, then :roofline EXPR run=true",
		                      "measured points are for this machine, and "
		                      "the device is %s", s->dev.name);
	if (runs && e->info->symbolic)
		return mm_sx_error_at(c, MM_ERR_UNSUPPORTED, e->span,
		                      "bind the symbols first (n = 1024), or for "
		                      "this command: ... where n = 1024",
		                      "running needs numeric dimensions");
	r->s = s;
	r->dev = &s->dev;
	mm_explain_opts o = {.conv = &s->set.conv, .lookup = mm_env_lookup_int,
	                     .lookup_ctx = &s->env};
	if (mm_explain_rows(e, mm_sx_predict_quiet, s, &o, &s->arena, &d,
	                    &r->rows, &r->nrows) != MM_OK)
		return mm_sx_error(c, &d);
	int numeric = 0;
	for (int k = 0; k < r->nrows; k++)
		numeric += !r->rows[k].sym;
	if (r->nrows && !numeric)
		return mm_sx_error_at(c, MM_ERR_UNSUPPORTED, e->span,
		                      "bind the symbols first (n = 1024), or for "
		                      "this command: ... where n = 1024",
		                      "a roofline needs numeric costs");
	mm_interrupt_clear();
	if (runs && measure(r, e, runs, &d) != MM_OK)
		return mm_sx_error(c, &d);
	return 0;
}

int mm_cmd_roofline(mm_stmtctx *c, const mm_stmt *st)
{
	mm_chart_cmd_opts o;
	roof r;
	memset(&r, 0, sizeof r);
	if (options(c, st, &o))
		return 1;
	mm_node *e = st->expr;
	int failed = prepare(c, e, &r, o.runs);
	if (!failed) {
		ceilings(&r);
		roof_and_ridges(&r);
		if (!points(&r))
			failed = mm_sx_error_at(c, MM_ERR_NOMEM, e->span, NULL,
			                        "out of memory");
	}
	if (!failed) {
		mm_buf title = MM_BUF_INIT;
		mm_buf_printf(&title, "roofline of %s", r.dev->name);
		mm_chart ch = {.title = arena_str(c->s, &title),
			.x = {"arithmetic intensity", "FLOP/B", MM_CHART_LOG10,
			      false, 0, 0},
			.y = {"attainable", "FLOP/s", MM_CHART_LOG10, false, 0, 0},
			.series = r.ser, .nseries = (size_t)r.nser};
		mm_buf_free(&title);
		key(&r, &c->s->text);
		if (r.nrows == 0)
			mm_buf_puts(&c->s->text, "(no operations: a value, a view or "
			                         "a literal)\n");
		failed = mm_chart_cmd_emit(c, "roofline", &ch, &o, true);
	}
	mm_eval_release_all(e);
	free(r.rows);
	free(r.meas);
	free(r.pred);
	free(r.mpts);
	return failed;
}
