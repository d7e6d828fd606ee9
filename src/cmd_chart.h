/* cmd_chart.h — what the commands that draw charts (:roofline in
 * cmd_roofline.c, :sweep in cmd_sweep.c) share (cmd_chart.c): their
 * options, showing a chart as the settings say (width, unicode, colour),
 * writing it as SVG (plot="file.svg") and as JSON data (--json), and
 * timing each operation of an expression on this machine. Not a public
 * header.
 *
 * Ownership: charts and nodes are the caller's; strings returned live in
 * the session's arena (the statement's). */
#ifndef MMCALC_CMD_CHART_H
#define MMCALC_CMD_CHART_H

#include "mmcalc/chart.h"
#include "session_int.h"

int mm_cmd_roofline(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_sweep(mm_stmtctx *c, const mm_stmt *st);

/* The options both commands take: run=true, bench=N, plot="file.svg",
 * height=N. */
typedef struct mm_chart_cmd_opts {
	int runs;          /* timed runs: 0 (predict only), 3 for run=true,
	                      N for bench=N */
	const char *plot;  /* the SVG file as typed, or NULL */
	mm_span plot_span;
	int height;        /* lines of the text chart */
} mm_chart_cmd_opts;

/* Reads one option key=value into o: 0 when done, 1 after reporting an
 * error, -1 when key is none of them. */
int mm_chart_cmd_opt(mm_stmtctx *c, const char *key, const mm_node *value,
                     mm_span at, mm_chart_cmd_opts *o);
/* The defaults: no runs, no file, a height for the width setting. */
void mm_chart_cmd_defaults(const mm_session *s, mm_chart_cmd_opts *o);

/* Appends ch as text to c->s->text as the settings say; with --json
 * also the chart's data as s->jbuf's object
 * {"line":..,"kind":"chart","command":NAME,"chart":{..},"text":..}
 * (the caller appends the rest of its text first: the JSON's text is
 * s->text when this is called, and the chart goes after it when
 * chart_first is false, else before it); with o->plot, the SVG written
 * there and a line saying so. Emits the result: 0, or 1 after reporting
 * an error. */
int mm_chart_cmd_emit(mm_stmtctx *c, const char *name, const mm_chart *ch,
                      const mm_chart_cmd_opts *o, bool chart_first);

/* Appends cell t padded with spaces to w display columns, at least one
 * space after it, and empties t. */
void mm_chart_cmd_cell(mm_buf *b, mm_buf *t, int w);
/* Appends flops / sec as a rate ("64 TFLOP/s"), or "-" when either is
 * not above zero. */
void mm_chart_cmd_rate(mm_buf *b, double flops, double sec);

/* The seconds each operation of e took on this machine: e (checked with
 * its abstract leaves to be filled, :run's way) is filled with random
 * data and run o->runs times after a warm-up, every operation timed on
 * its own (its operands computed before), the best run of each kept.
 * Nodes of e's tree and their times go into *g (the operations' graph
 * nodes) and *sec, *n of them (malloc'd, the caller frees both); *total
 * is the best whole run. Values are released afterwards. MM_ERR_LIMIT
 * over the memory limit, MM_ERR_INTERRUPTED (the caller clears the
 * interrupt flag before its work starts), or an evaluation error. */
mm_code mm_chart_cmd_measure(mm_session *s, mm_node *e, int runs,
                             const mm_gnode ***g, double **sec, int *n,
                             double *total, mm_diag *d);

#endif
