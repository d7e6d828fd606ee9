/* chart.h — charts people look at rather than read: a chart description
 * (a title, two axes, series of labelled points and polylines, and the
 * elements of a roofline: memory roofs, compute ceilings, a ridge marker)
 * drawn as text for a terminal (Unicode braille or plain ASCII, ANSI colour
 * on request), as a standalone SVG 1.1 document, and written as JSON data.
 * Also the share bars of a table. The module knows nothing of the language
 * or of devices: the commands that use it fill in the description.
 *
 * Ownership: the caller owns the description and everything it points to
 * (strings, point and series arrays); these functions only read it, keep
 * no pointer to it, and append to a caller-owned mm_buf. They are pure: no
 * I/O, no environment, no terminal queries; the caller decides width,
 * height, Unicode and colour. Strings are UTF-8; a byte that starts no
 * valid sequence is shown as U+FFFD. */
#ifndef MMCALC_CHART_H
#define MMCALC_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "mmcalc/buf.h"
#include "mmcalc/diag.h"

typedef enum mm_chart_scale {
	MM_CHART_LINEAR,
	MM_CHART_LOG10, /* decades; values <= 0 cannot be shown */
} mm_chart_scale;

typedef struct mm_chart_axis {
	const char *label; /* "arithmetic intensity"; NULL or "" for none */
	const char *unit;  /* "FLOP/B"; shown after the label as "(FLOP/B)",
	                    * never on the ticks, which are bare SI figures
	                    * ("100m" is never used: 0.1, 1, 10, 1k, 1M, 1G) */
	mm_chart_scale scale;
	/* true: [min, max] is the range (min < max, both > 0 on a log axis);
	 * false: the range is fitted to the data: whole decades on a log axis
	 * (a single decade widened to one each side), and on a linear axis
	 * multiples of a 1-2-5 step, from 0 when no value is negative. */
	bool fixed;
	double min, max;
} mm_chart_axis;

typedef enum mm_chart_kind {
	MM_CHART_POINTS,  /* a marker per point, with its label beside it */
	MM_CHART_LINE,    /* a polyline through the points in order, with a
	                   * marker at each (a sweep's measured or predicted
	                   * curve); unshowable points break the line */
	MM_CHART_ROOF,    /* the line y = value·x (value: bandwidth, B/s) */
	MM_CHART_CEILING, /* the line y = value (value: a peak, FLOP/s) */
	MM_CHART_RIDGE,   /* the vertical line x = value (the ridge point) */
} mm_chart_kind;

/* How POINTS and LINE series look: predicted values ● (ASCII o), dotted
 * lines; measured ones ◆ (ASCII *), solid lines; each its own colour. */
typedef enum mm_chart_style {
	MM_CHART_PREDICTED,
	MM_CHART_MEASURED,
} mm_chart_style;

typedef struct mm_chart_point {
	double x, y;
	const char *label; /* short: the operation's number "3"; may be NULL */
} mm_chart_point;

typedef struct mm_chart_series {
	mm_chart_kind kind;
	mm_chart_style style; /* POINTS and LINE only */
	/* The legend's text; for ROOF, CEILING and RIDGE also the label drawn
	 * beside the line ("f32 peak 140 TFLOP/s"). May be NULL. */
	const char *label;
	const mm_chart_point *points; /* POINTS and LINE: npoints of them */
	size_t npoints;
	double value; /* ROOF: slope; CEILING: y; RIDGE: x */
} mm_chart_series;

/* A chart. Together ROOF and CEILING series make a roofline: each roof is
 * drawn up to the highest ceiling, and each ceiling from where the
 * steepest roof meets it; a ridge is drawn from the x axis up to the
 * roofline (the whole height without a roof). A fitted log x axis keeps
 * each ridge at least a decade from either edge, so both sides of the
 * roofline show; a fitted y axis reaches down to where the roofs enter
 * at the left edge, and up past the highest ceiling, room for its label
 * (to twice it on a log axis, so a ceiling on or just under a decade
 * gets the next decade above it; 5% more on a linear one).
 *
 * Points that cannot be shown — a coordinate NaN or infinite, <= 0 on a
 * log axis, or outside a fixed range — are left out of the picture and
 * of the fitting, and counted in the legend ("2 off the chart"); the JSON
 * marks them "shown": false. A ROOF, CEILING or RIDGE whose value cannot
 * be shown is left out the same way. */
typedef struct mm_chart {
	const char *title; /* may be NULL */
	mm_chart_axis x, y;
	const mm_chart_series *series;
	size_t nseries;
} mm_chart;

/* ---- text ---- */

#define MM_CHART_MIN_WIDTH 30
#define MM_CHART_MIN_HEIGHT 10
#define MM_CHART_MAX_WIDTH 1000
#define MM_CHART_MAX_HEIGHT 500

typedef struct mm_chart_text_opts {
	int width;    /* display columns; no line is wider */
	int height;   /* lines, all included (see mm_chart_text) */
	bool unicode; /* braille lines, box-drawing axes, ● ◆ markers */
	bool colour;  /* ANSI SGR colour sequences (they take no columns) */
} mm_chart_text_opts;

/* Where mm_chart_text puts things: the plot area's top-left cell (0-based
 * column and line of the output), its size in cells, and the axes' ranges
 * (given or fitted). A value x on the axis is drawn in column
 * plot_left + round(f·(plot_width - 1)), f = (x - min) / (max - min) on a
 * linear axis and (log10 x - log10 min) / (log10 max - log10 min) on a log
 * one (halves round up); y likewise, counted up from the bottom row. */
typedef struct mm_chart_layout {
	int plot_left, plot_top, plot_width, plot_height;
	double xmin, xmax, ymin, ymax;
	int lines; /* lines the chart takes */
} mm_chart_layout;

/* Appends the chart as text, lines ending in '\n', never wider than
 * o->width display columns (wide characters count two, combining marks
 * none). From the top: the title, centred; the y axis' label and unit;
 * the plot with y tick labels on its left; the x axis, its tick labels
 * and its label and unit, centred; the legend, its entries flowing over
 * as many lines as they need. The plot takes the lines left of o->height
 * and keeps at least 3 (a long legend in a short chart makes it taller).
 * A plot with nothing in it says "(no data)". Trailing spaces are
 * trimmed; with colour, a coloured run ends with a reset, so no line
 * leaves a colour on.
 *
 * Ticks sit at decades on log axes and 1-2-5 steps on linear ones.
 * Labels are thinned until each has a blank column on both sides (x) or
 * a free line between (y): on a log axis to the decades whose exponent k
 * divides (k = 2, 3, ...), on a linear one by taking the next 1-2-5 step.
 *
 * Labels never cover an axis, a marker or another label, and keep a blank
 * cell from other labels. Each label has candidate places in two groups;
 * the first group is tried free of lines, then over lines, then the
 * second group the same way. A point's: right of its marker, left of it;
 * then the line above or below, right, then left. Points that fall in
 * one cell, of any series, share one marker (the last series') and one
 * label ("1,2", runs of three or more integers as "4-7"). A ceiling's: on
 * the line above it, flush right and sliding left but not past where the
 * line starts, then below it the same way; then on the line itself. A
 * ridge's: beside it, right then left, from the bottom up. A roof's:
 * below-right of it, then above-left, from its middle out. A point
 * label with no place is dropped and named in its series' legend entry
 * ("(labels 2,7-9 hidden)"); a line's label with no place goes to the
 * legend, where POINTS and LINE series always are.
 *
 * MM_ERR_VALUE when the width or height is outside the limits above or
 * the description is invalid (a fixed range empty, reversed or not
 * finite, or not positive on a log axis); MM_ERR_ARG for a series with
 * points NULL and npoints > 0. MM_ERR_NOMEM when memory runs out. Nothing
 * is appended on error. */
mm_code mm_chart_text(mm_buf *b, const mm_chart *c,
                      const mm_chart_text_opts *o, mm_diag *d);
/* The layout mm_chart_text would use; same errors. */
mm_code mm_chart_text_layout(const mm_chart *c, const mm_chart_text_opts *o,
                             mm_chart_layout *out, mm_diag *d);

/* ---- SVG ---- */

typedef struct mm_chart_svg_opts {
	int width, height; /* pixels, the document's size; 0 means 720 × 480 */
} mm_chart_svg_opts;

/* Appends a standalone SVG 1.1 document (XML declaration, viewBox, text
 * as <text> elements with &<>"' escaped and characters XML forbids
 * dropped): the same content as the text chart, on real log axes with
 * grid lines at decades (and fainter ones at 2..9 times each), markers as
 * circles (predicted) and diamonds (measured), the legend below the plot.
 * The document grows taller than asked when the notes of labels that
 * found no room lengthen the legend. o may be NULL. Same errors as
 * mm_chart_text (sizes: 200..10000 px). */
mm_code mm_chart_svg(mm_buf *b, const mm_chart *c,
                     const mm_chart_svg_opts *o, mm_diag *d);

/* ---- JSON ---- */

/* Appends the chart's data as one JSON object, no newline:
 *   {"title":..,"x":{"label":..,"unit":..,"scale":"log10"|"linear",
 *    "min":..,"max":..},"y":{..},"series":[
 *    {"kind":"points"|"line","style":"predicted"|"measured","label":..,
 *     "points":[{"x":..,"y":..,"label":..,"shown":true},..]},
 *    {"kind":"roof","label":..,"slope":..},
 *    {"kind":"ceiling","label":..,"y":..},
 *    {"kind":"ridge","label":..,"x":..}]}
 * min and max are the ranges drawn (fitted or given); a missing string is
 * null, and so is a number JSON cannot hold (NaN, inf). Same errors as
 * mm_chart_text for the description. */
mm_code mm_chart_json(mm_buf *b, const mm_chart *c, mm_diag *d);

/* ---- bars ---- */

/* Appends a horizontal bar for the share f of a whole in exactly w
 * display columns (w <= 0: nothing): full blocks and an eighth block
 * (▏▎▍▌▋▊▉) in Unicode, '#' rounded to whole columns in ASCII, padded with
 * spaces. f is clamped to [0, 1]; NaN draws an empty bar. A share above 0
 * always shows at least an eighth (Unicode) or one '#' when it rounds to
 * nothing, so "small" never looks like "none". */
void mm_chart_bar(mm_buf *b, double f, int w, bool unicode);

/* ---- text width ---- */

/* Display columns of UTF-8 text s: East Asian wide and fullwidth
 * characters count 2, combining marks and zero-width characters 0, others
 * 1; control characters 0 (they are never drawn). */
int mm_chart_text_width(const char *s);

#endif
