/* chart_internal.h — what the text and SVG chart renderers share: the
 * checked and fitted geometry of a chart, its lines as segments in the
 * unit square, markers, ticks, colours and UTF-8 helpers. Not a public
 * header; chart.c implements it. */
#ifndef MMCALC_CHART_INTERNAL_H
#define MMCALC_CHART_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/chart.h"

/* Colours: an index into each renderer's palette. Ceilings take
 * MM_CHART_C_CEIL + i % MM_CHART_NCEIL, in order of appearance. */
enum {
	MM_CHART_C_NONE,
	MM_CHART_C_PRED,
	MM_CHART_C_MEAS,
	MM_CHART_C_ROOF,
	MM_CHART_C_RIDGE,
	MM_CHART_C_CEIL,
	MM_CHART_NCEIL = 4,
	MM_CHART_NCOLOURS = MM_CHART_C_CEIL + MM_CHART_NCEIL,
};

/* The chart's axes as drawn. f(x) = (t(x) - t0) / (t1 - t0) with t the
 * identity or log10. */
typedef struct mm_chart_geom {
	double xmin, xmax, ymin, ymax;
	bool xlog, ylog;
	double tx0, tx1, ty0, ty1; /* t(min), t(max) per axis */
	double roof;    /* the steepest showable ROOF slope, 0 without one */
	double top;     /* the highest showable CEILING, NaN without one */
} mm_chart_geom;

/* Checks c and fits its ranges. */
mm_code mm_chart_prepare(const mm_chart *c, mm_chart_geom *g, mm_diag *d);

/* The unit-square position of x (y); false when the value cannot be shown
 * (not finite, <= 0 on a log axis, outside the range). */
bool mm_chart_fx(const mm_chart_geom *g, double x, double *f);
bool mm_chart_fy(const mm_chart_geom *g, double y, double *f);
/* Unclamped f of a value known to be showable on the axis' scale. */
double mm_chart_fx_raw(const mm_chart_geom *g, double x);
double mm_chart_fy_raw(const mm_chart_geom *g, double y);

/* A line segment in the unit square. */
typedef struct mm_chart_seg {
	double x0, y0, x1, y1;
} mm_chart_seg;

typedef struct mm_chart_segs {
	mm_chart_seg *s;
	size_t n, cap;
	bool failed; /* out of memory */
} mm_chart_segs;

/* Appends series i's line (LINE, ROOF, CEILING, RIDGE; nothing for
 * POINTS) to out as segments clipped to the unit square, in drawing
 * order. A roof on axes of different scales is a curve: it comes as 128
 * pieces. */
void mm_chart_series_segs(const mm_chart *c, const mm_chart_geom *g,
                          size_t i, mm_chart_segs *out);
void mm_chart_segs_free(mm_chart_segs *s);

/* Colour and dotting of series i. */
int mm_chart_series_colour(const mm_chart *c, size_t i);
bool mm_chart_series_dotted(const mm_chart *c, size_t i);
/* Whether series i has markers (POINTS, LINE). */
bool mm_chart_has_points(const mm_chart_series *s);
/* The points of all series with points. */
size_t mm_chart_total_points(const mm_chart *c);
/* Its points that cannot be shown. */
size_t mm_chart_hidden_points(const mm_chart_geom *g,
                              const mm_chart_series *s);
/* Whether a ROOF, CEILING or RIDGE series has a line on the chart. */
bool mm_chart_line_shown(const mm_chart *c, const mm_chart_geom *g,
                         size_t i);

/* Ticks of one axis: values in increasing order, at most MM_CHART_TICKS. */
#define MM_CHART_TICKS 64
typedef struct mm_chart_ticks {
	int n;
	double v[MM_CHART_TICKS];
	char text[MM_CHART_TICKS][24];
	bool major[MM_CHART_TICKS]; /* labelled */
} mm_chart_ticks;

/* The candidate ticks of an axis: every decade in range on a log axis
 * (plus the ends, when fewer than two decades fall inside); on a linear
 * one multiples of the 1-2-5 step `level` steps above the finest that
 * gives at most MM_CHART_TICKS ticks (level 0 is that finest step). All
 * start labelled; the caller thins them. */
void mm_chart_axis_ticks(bool log, double lo, double hi, int level,
                         mm_chart_ticks *t);
/* Keeps the label of every k-th tick: on a log axis the decades whose
 * exponent is a multiple of k, on a linear one every k-th from the
 * first multiple of k steps. */
void mm_chart_thin_ticks(mm_chart_ticks *t, bool log, int k);
/* A tick label: 0.01, 0.1, 1, 10, 1k, 2.5M, 1e21. */
void mm_chart_tick_label(char *out, size_t n, double v);

/* One label for points that share a cell: labels[0..n) joined by ','
 * ("1,2"), each once, NULL and empty ones skipped; when all are integers,
 * in order, with runs of three or more as "4-7". */
void mm_chart_join_labels(mm_buf *b, const char *const *labels, size_t n);

/* Labels of points that found no place on the chart, each with the
 * series whose legend entry names it. */
typedef struct mm_chart_hidden {
	const char **label;
	size_t *series;
	size_t n, cap;
	bool failed;
} mm_chart_hidden;

void mm_chart_hide(mm_chart_hidden *h, size_t series, const char *label);
void mm_chart_hidden_free(mm_chart_hidden *h);
/* The legend text of series i: its label ("predicted" or "measured" when
 * it has none) and, for points, notes: "(2 off the chart; labels 2,3,7-11
 * hidden)"; a line not shown: "label (off the chart)". */
void mm_chart_entry_text(mm_buf *t, const mm_chart *c, const mm_chart_geom *g,
                         size_t i, const mm_chart_hidden *h);

/* The axis' title: "label (unit)", "label", "(unit)" or "". */
void mm_chart_axis_title(mm_buf *b, const mm_chart_axis *a);

/* The code point at s (its length in *len, at least 1 unless *s is NUL);
 * U+FFFD for a byte that starts no valid UTF-8 sequence. */
uint32_t mm_chart_u8_decode(const char *s, int *len);
/* Display columns of code point cp: 0, 1 or 2. */
int mm_chart_cp_width(uint32_t cp);

#endif
