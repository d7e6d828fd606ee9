/* test-chart.c — charts: where things land on the text grid (worked out
 * by hand), golden renderings, label collisions, axes, extreme values,
 * widths, SVG well-formedness and escaping, JSON, share bars. With the
 * argument --xmllint it instead runs xmllint on SVG documents (exit 77
 * when xmllint is not installed). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmcalc/chart.h"

/* ---- helpers ---- */

/* The chart as text; fails the test on an error. */
static char *text(const mm_chart *c, int w, int h, bool unicode, bool colour)
{
	mm_buf b = MM_BUF_INIT;
	mm_diag d;
	mm_chart_text_opts o = {w, h, unicode, colour};
	mm_code r = mm_chart_text(&b, c, &o, &d);
	ck_assert_msg(r == MM_OK, "mm_chart_text: %s", d.message);
	char *s = strdup(mm_buf_str(&b));
	mm_buf_free(&b);
	return s;
}

/* Line n (from 0) of s, without its newline; "" past the end. */
static char *line(const char *s, int n)
{
	static char out[4096];
	for (; n > 0 && *s; s++)
		if (*s == '\n')
			n--;
	size_t k = 0;
	while (s[k] && s[k] != '\n' && k + 1 < sizeof out)
		k++;
	memcpy(out, s, k);
	out[k] = '\0';
	return out;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The character (its UTF-8 bytes) at display column col of line n; ""
 * past the end of the line. Every character the charts draw is one
 * column wide unless a test says otherwise. */
static const char *at(const char *s, int n, int col)
{
	static char ch[8];
	const char *p = line(s, n);
	int c = 0;
	while (*p) {
		int len = 1;
		while ((p[len] & 0xC0) == 0x80)
			len++;
		if (c == col) {
			memcpy(ch, p, (size_t)len);
			ch[len] = '\0';
			return ch;
		}
		p += len;
		c++;
	}
	return "";
}

/* Whether line n holds word starting at display column col. */
static bool word_at(const char *s, int n, int col, const char *word)
{
	const char *p = line(s, n);
	for (int c = 0; *p && c < col; c++) {
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
	}
	return strncmp(p, word, strlen(word)) == 0;
}

/* s without its SGR colour sequences (ESC [ ... m). */
static char *strip_sgr(const char *s)
{
	char *o = malloc(strlen(s) + 1), *q = o;
	while (*s) {
		if (*s == '\033' && s[1] == '[') {
			s += 2;
			while (*s && *s != 'm')
				s++;
			if (*s)
				s++;
			continue;
		}
		*q++ = *s++;
	}
	*q = '\0';
	return o;
}

/* Fails unless every line of s is at most w display columns. */
static void assert_width(const char *s, int w)
{
	int n = count_lines(s);
	for (int i = 0; i < n; i++) {
		int cols = mm_chart_text_width(line(s, i));
		ck_assert_msg(cols <= w, "line %d is %d columns (limit %d): '%s'", i,
		              cols, w, line(s, i));
	}
}

/* ---- the roofline every golden test draws ----
 *
 * A device with 1 TB/s of memory bandwidth and 100 TFLOP/s f32 peak: its
 * ridge is at 100 FLOP/B. Three operations: 1 at 0.1 FLOP/B (memory-bound:
 * 0.1 · 1 TB/s = 100 GFLOP/s), 2 at 10 FLOP/B (10 TFLOP/s), 3 at 1000
 * FLOP/B (compute-bound: 100 TFLOP/s); and 3 measured at 50 TFLOP/s.
 *
 * Fitted axes: x spans the points 0.1..1000 and the ridge's decade either
 * side (10..1000): 0.1..1000, four decades. y spans the points 1e11..1e14,
 * the roof at the left edge (0.1 · 1e12 = 1e11) and the ceiling, which
 * sits on a decade and so gets the next one above it: 1e11..1e15, four
 * decades. */
static const mm_chart_point roof_pred[] = {
	{0.1, 1e11, "1"}, {10, 1e13, "2"}, {1000, 1e14, "3"}};
static const mm_chart_point roof_meas[] = {{1000, 5e13, "3"}};
static const mm_chart_series roof_series[] = {
	{.kind = MM_CHART_ROOF, .label = "memory 1 TB/s", .value = 1e12},
	{.kind = MM_CHART_CEILING, .label = "f32 peak 100 TFLOP/s", .value = 1e14},
	{.kind = MM_CHART_RIDGE, .label = "ridge 100 FLOP/B", .value = 100},
	{.kind = MM_CHART_POINTS, .style = MM_CHART_PREDICTED,
	 .label = "predicted", .points = roof_pred, .npoints = 3},
	{.kind = MM_CHART_POINTS, .style = MM_CHART_MEASURED,
	 .label = "measured", .points = roof_meas, .npoints = 1},
};
static const mm_chart roofline = {
	.title = "roofline",
	.x = {"intensity", "FLOP/B", MM_CHART_LOG10, false, 0, 0},
	.y = {"attainable", "FLOP/s", MM_CHART_LOG10, false, 0, 0},
	.series = roof_series,
	.nseries = 5,
};

/* ---- where things land, by hand ---- */

/* At 80 × 23: lines 0 and 1 are the title and the y axis' title; the y
 * tick labels are at most 4 columns ("100G"), the axis is column 4, so
 * the plot starts at column 5; the last x tick, "1k", is at the right end
 * and gets half its width (1 column) of margin: the plot is 80 - 5 - 1 =
 * 74 columns wide, 0..73. Under it: the axis, the tick labels, the x
 * title and one legend line: 5 lines besides the plot and the legend, so
 * the plot has 23 - 6 = 17 lines, 2..18, and 16 steps of height: four
 * lines a decade. */
START_TEST(layout_by_hand)
{
	mm_chart_layout l;
	mm_chart_text_opts o = {80, 23, false, false};
	ck_assert_int_eq(mm_chart_text_layout(&roofline, &o, &l, NULL), MM_OK);
	ck_assert_int_eq(l.plot_left, 5);
	ck_assert_int_eq(l.plot_top, 2);
	ck_assert_int_eq(l.plot_width, 74);
	ck_assert_int_eq(l.plot_height, 17);
	ck_assert_int_eq(l.lines, 23);
	ck_assert(l.xmin == 0.1 && l.xmax == 1000);
	ck_assert(l.ymin == 1e11 && l.ymax == 1e15);
	o.unicode = true; /* the same layout either way */
	mm_chart_layout u;
	ck_assert_int_eq(mm_chart_text_layout(&roofline, &o, &u, NULL), MM_OK);
	ck_assert_int_eq(u.plot_left, l.plot_left);
	ck_assert_int_eq(u.plot_width, l.plot_width);
	ck_assert_int_eq(u.plot_height, l.plot_height);
	ck_assert_int_eq(u.lines, l.lines);
}
END_TEST

/* Column of x: 5 + round(f · 73), f = (log10 x + 1) / 4; line of y:
 * 18 - round(f · 16), f = (log10 y - 11) / 4 (halves round up). */
static void check_positions(const char *s, bool u)
{
	const char *pred = u ? "\u25cf" : "o", *meas = u ? "\u25c6" : "*";
	ck_assert_int_eq(count_lines(s), 23);
	/* 1: x 0.1 is f = 0, column 5; y 1e11 is f = 0, line 18 */
	ck_assert_str_eq(at(s, 18, 5), pred);
	/* 2: x 10 is f = 2/4, 36.5 -> column 5 + 37 = 42; y 1e13 is f = 2/4,
	 * 8 lines up: line 10 */
	ck_assert_str_eq(at(s, 10, 42), pred);
	/* 3: x 1000 is f = 1, column 5 + 73 = 78; y 1e14 is f = 3/4, 12 up:
	 * line 6 */
	ck_assert_str_eq(at(s, 6, 78), pred);
	/* 3 measured: y 5e13 is f = (13.699 - 11) / 4 = 0.6747, 10.8 -> 11
	 * lines up: line 7 */
	ck_assert_str_eq(at(s, 7, 78), meas);
	/* Labels: right of the marker when free; 3's are at the right edge
	 * and go left. */
	ck_assert(word_at(s, 10, 43, "2"));
	ck_assert(word_at(s, 6, 77, "3"));
	ck_assert(word_at(s, 7, 77, "3"));
	ck_assert(word_at(s, 18, 6, "1"));
	/* The ridge at x 100: f = 3/4, 54.75 -> column 5 + 55 = 60, dotted
	 * from the axis up to the roofline at 1e14 (line 6). In braille it
	 * is at dot column round(2 · 54.75 + 0.5) = 110, the left dots of
	 * cell 55 (bits 0x47). */
	for (int ln = 8; ln <= 17; ln++) {
		const char *ch = at(s, ln, 60);
		if (!u) {
			ck_assert_str_eq(ch, ":");
			continue;
		}
		unsigned cp = ((unsigned)(ch[0] & 0x0F) << 12) |
		              ((unsigned)(ch[1] & 0x3F) << 6) | (ch[2] & 0x3F);
		ck_assert_msg(cp > 0x2800 && cp <= 0x28FF && !((cp - 0x2800) & ~0x47u),
		              "line %d: U+%04X is not the ridge's left dots", ln, cp);
	}
	/* Its label right of it on the bottom line. */
	ck_assert(word_at(s, 18, 61, "ridge 100 FLOP/B"));
	/* The ceiling at 1e14 is line 6 from where the roof meets it (x 100,
	 * column 60) to the right; its label on the line above, flush right:
	 * 20 columns ending at column 78. */
	if (!u)
		for (int col = 61; col < 77; col++)
			ck_assert_str_eq(at(s, 6, col), "-");
	ck_assert(word_at(s, 5, 59, "f32 peak 100 TFLOP/s"));
	/* y ticks: a decade every 4 lines, right-aligned before the axis. */
	ck_assert(word_at(s, 2, 2, "1P"));
	ck_assert(word_at(s, 6, 0, "100T"));
	ck_assert(word_at(s, 10, 1, "10T"));
	ck_assert(word_at(s, 14, 2, "1T"));
	ck_assert(word_at(s, 18, 0, "100G"));
	ck_assert_str_eq(at(s, 6, 4), u ? "\u2524" : "+");
	ck_assert_str_eq(at(s, 7, 4), u ? "\u2502" : "|");
	/* x ticks at 0.1, 1, 10, 100, 1k: columns 5 + round(k · 18.25) =
	 * 5, 23, 42, 60, 78, labels centred under them ("0.1" from 4). */
	int tick[] = {5, 23, 42, 60, 78};
	for (int k = 0; k < 5; k++)
		ck_assert_str_eq(at(s, 19, tick[k]), u ? "\u252c" : "+");
	ck_assert(word_at(s, 20, 4, "0.1"));
	ck_assert(word_at(s, 20, 23, "1 "));
	ck_assert(word_at(s, 20, 42, "10 "));
	ck_assert(word_at(s, 20, 59, "100 "));
	ck_assert(word_at(s, 20, 78, "1k"));
	/* the x title centred under the plot: 5 + (74 - 18) / 2 = 33 */
	ck_assert(word_at(s, 21, 33, "intensity (FLOP/B)"));
	/* the title centred: (80 - 8) / 2 = 36 */
	ck_assert(word_at(s, 0, 36, "roofline"));
	ck_assert_str_eq(line(s, 1), "attainable (FLOP/s)");
	/* Every line label found room: only the points are in the legend. */
	ck_assert_str_eq(line(s, 22), u ? "\u25cf predicted   \u25c6 measured"
	                                : "o predicted   * measured");
	assert_width(s, 80);
}

START_TEST(positions_ascii)
{
	char *s = text(&roofline, 80, 23, false, false);
	check_positions(s, false);
	for (const char *p = s; *p; p++)
		ck_assert_msg((unsigned char)*p < 0x80, "not ASCII");
	free(s);
}
END_TEST

START_TEST(positions_unicode)
{
	char *s = text(&roofline, 80, 23, true, false);
	check_positions(s, true);
	free(s);
}
END_TEST

/* ---- golden renderings ----
 * Read against the positions above (checked by positions_*): the roof
 * rises a line every 4.5 columns (4 lines a decade over 18.25 columns). */

static const char *const golden_ascii_80 =
	"                                    roofline\n"
	"attainable (FLOP/s)\n"
	"  1P+\n"
	"    |\n"
	"    |\n"
	"    |                                                      f32 peak 100 TFLOP/s\n"
	"100T+                                                     -------------------3o\n"
	"    |                                                ----/  :                3*\n"
	"    |                                            ---/       :\n"
	"    |                                       ----/           :\n"
	" 10T+                                   --o2                :\n"
	"    |                              ----/                    :\n"
	"    |                          ---/                         :\n"
	"    |                     ----/   memory 1 TB/s             :\n"
	"  1T+                ----/                                  :\n"
	"    |            ---/                                       :\n"
	"    |       ----/                                           :\n"
	"    |   ---/                                                :\n"
	"100G+o1/                                                    :ridge 100 FLOP/B\n"
	"    ++-----------------+------------------+-----------------+-----------------+\n"
	"    0.1                1                  10               100                1k\n"
	"                                 intensity (FLOP/B)\n"
	"o predicted   * measured\n";

static const char *const golden_unicode_80 =
	"                                    roofline\n"
	"attainable (FLOP/s)\n"
	"  1P┤\n"
	"    │\n"
	"    │\n"
	"    │                                                      f32 peak 100 TFLOP/s\n"
	"100T┤                                                     ⣀⠤⡒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒3●\n"
	"    │                                                ⢀⡠⠔⠒⠉  ⡂                3◆\n"
	"    │                                            ⣀⠤⠒⠉⠁      ⡂\n"
	"    │                                       ⣀⡠⠔⠊⠉           ⡂\n"
	" 10T┤                                  ⢀⣀⠤●2                ⡂\n"
	"    │                              ⣀⠤⠔⠊⠁                    ⡂\n"
	"    │                         ⢀⡠⠔⠒⠉                         ⡂\n"
	"    │                     ⣀⠤⠒⠊⠁   memory 1 TB/s             ⡂\n"
	"  1T┤                ⢀⡠⠔⠊⠉                                  ⡂\n"
	"    │           ⢀⣀⠤⠒⠉⠁                                      ⡂\n"
	"    │       ⣀⡠⠔⠊⠁                                           ⡂\n"
	"    │  ⢀⡠⠤⠒⠉                                                ⡂\n"
	"100G┤●1⠁                                                    ⠂ridge 100 FLOP/B\n"
	"    └┬─────────────────┬──────────────────┬─────────────────┬─────────────────┬\n"
	"    0.1                1                  10               100                1k\n"
	"                                 intensity (FLOP/B)\n"
	"● predicted   ◆ measured\n";

START_TEST(golden_80)
{
	char *s = text(&roofline, 80, 23, false, false);
	ck_assert_str_eq(s, golden_ascii_80);
	free(s);
	s = text(&roofline, 80, 23, true, false);
	ck_assert_str_eq(s, golden_unicode_80);
	free(s);
}
END_TEST

/* At 40 × 14 the plot is 40 - 5 - 1 = 34 columns by 14 - 6 = 8 lines:
 * 33 columns over 4 decades (8.25 a decade) and 7 steps of height (1.75
 * lines a decade). Point 2 (f 1/2 both ways) is at column 5 + round(16.5)
 * = 22, line 2 + 7 - round(3.5) = 5; its right is the roof, so its label
 * goes left. 3 predicted (y f 3/4: 5.25) and 3 measured (0.675: 4.72)
 * both round to 5 lines up, line 4: one cell, the measured marker, one
 * label. The y labels thin to even exponents (1.75 lines apart is too
 * close): 1T and 100T. The ridge (f 3/4: column 5 + 25 = 30) has no room
 * for its label on its right: it goes left. */
static const char *const golden_ascii_40 =
	"                roofline\n"
	"attainable (FLOP/s)\n"
	"    |\n"
	"    |              f32 peak 100 TFLOP/s\n"
	"100T+                      ----------3*\n"
	"    |memory 1 TB/s   2o---/   :\n"
	"    |            ----/        :\n"
	"  1T+        ---/             :\n"
	"    |   ----/                 :\n"
	"    |o1/      ridge 100 FLOP/B:\n"
	"    ++-------+--------+-------+-------+\n"
	"    0.1      1        10     100      1k\n"
	"             intensity (FLOP/B)\n"
	"o predicted   * measured\n";

START_TEST(golden_40)
{
	char *s = text(&roofline, 40, 14, false, false);
	ck_assert_str_eq(s, golden_ascii_40);
	assert_width(s, 40);
	free(s);
}
END_TEST

/* ---- labels ---- */

/* Points 1 and 2 in one cell share a marker and a label; so do 4..7, as
 * a run. Predicted and measured points in one cell show the measured
 * marker (the later series) and one label. */
START_TEST(labels_share_cells)
{
	/* x 1..100 over a plot of 80 - 3 - 1 - 1 = 75 columns: a cell is
	 * 1/37 of a decade, and 10 · 1.001 is still 10's cell. */
	mm_chart_point p[] = {{10, 10, "1"}, {10.01, 10, "2"}, {3, 3, "4"},
	                      {3, 3, "5"}, {3.001, 3, "6"}, {3, 3.001, "7"}};
	mm_chart_point m[] = {{10, 10, "1"}};
	mm_chart_series s[] = {
		{.kind = MM_CHART_POINTS, .points = p, .npoints = 6},
		{.kind = MM_CHART_POINTS, .style = MM_CHART_MEASURED, .points = m,
		 .npoints = 1},
	};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LOG10, true, 1, 100},
	              .y = {NULL, NULL, MM_CHART_LOG10, true, 1, 100},
	              .series = s, .nseries = 2};
	char *t = text(&c, 80, 20, false, false);
	ck_assert_ptr_nonnull(strstr(t, "*1,2"));
	ck_assert_ptr_nonnull(strstr(t, "o4-7"));
	ck_assert_ptr_null(strstr(t, "o1"));
	free(t);
}
END_TEST

/* Twenty points in a row, one cell apart, each labelled: labels cannot
 * sit beside their markers (the next marker is there), so they go above
 * and below, never on a marker, never touching another label, and those
 * with no room are named in the legend. */
START_TEST(labels_crowded)
{
	mm_chart_point p[20];
	char lab[20][4];
	/* x 0..19 on a fixed 0..38 axis over 39 columns: one column per x/2,
	 * so point k is at column 2k... of a 40-wide chart with "0" ticks;
	 * the spacing is what matters: two columns apart. */
	for (int k = 0; k < 20; k++) {
		snprintf(lab[k], sizeof lab[k], "%d", k + 10);
		p[k] = (mm_chart_point){k, 5, lab[k]};
	}
	mm_chart_series s[] = {{.kind = MM_CHART_POINTS, .points = p,
	                        .npoints = 20}};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LINEAR, true, 0, 19},
	              .y = {NULL, NULL, MM_CHART_LINEAR, true, 0, 10},
	              .series = s, .nseries = 1};
	mm_chart_layout l;
	mm_chart_text_opts o = {40, 12, false, false};
	ck_assert_int_eq(mm_chart_text_layout(&c, &o, &l, NULL), MM_OK);
	char *t = text(&c, 40, 12, false, false);
	int row = l.plot_top + (l.plot_height - 1) / 2; /* y 5 of 0..10 */
	int shown = 0;
	for (int k = 0; k < 20; k++) {
		int col = l.plot_left +
		          (int)floor(k / 19.0 * (l.plot_width - 1) + 0.5);
		ck_assert_str_eq(at(t, row, col), "o");
		/* every label shown is whole and has a blank on both sides */
		for (int r = row - 1; r <= row + 1; r++) {
			const char *ln = line(t, r);
			const char *f = strstr(ln, lab[k]);
			while (f && ((f > ln && f[-1] >= '0' && f[-1] <= '9') ||
			             (f[2] >= '0' && f[2] <= '9')))
				f = strstr(f + 1, lab[k]);
			shown += f != NULL;
		}
	}
	ck_assert_int_gt(shown, 5);
	if (shown < 20)
		ck_assert_ptr_nonnull(strstr(t, " hidden)"));
	/* no label runs into another: in the lines above and below the
	 * markers, runs of digits are exactly two long */
	for (int r = row - 1; r <= row + 1; r += 2) {
		const char *ln = line(t, r);
		for (const char *q = ln; *q; q++)
			if (*q >= '0' && *q <= '9' && (q == ln || q[-1] < '0' || q[-1] > '9')) {
				int n = 0;
				while (q[n] >= '0' && q[n] <= '9')
					n++;
				ck_assert_msg(n == 2, "run of %d digits in '%s'", n, ln);
			}
	}
	free(t);
}
END_TEST

/* Nine points on a 3 × 3 block of cells, labelled 1..9 row by row from
 * the top left, placed in that order: 1 goes left (2's marker is on its
 * right), 2 above-right (markers either side), 3 right, 4 left, 6 right,
 * 7 left, 8 below-right, 9 right. 5 is surrounded by markers on every
 * side and its label is named in the legend instead. */
START_TEST(labels_hidden)
{
	mm_chart_point p[9];
	char lab[9][2];
	mm_chart_series s[] = {{.kind = MM_CHART_POINTS, .points = p,
	                        .npoints = 9}};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LINEAR, true, 0, 29},
	              .y = {NULL, NULL, MM_CHART_LINEAR, true, 0, 9},
	              .series = s, .nseries = 1};
	for (int k = 0; k < 9; k++) {
		snprintf(lab[k], sizeof lab[k], "%d", k + 1);
		p[k] = (mm_chart_point){10 + k % 3, 4 - k / 3, lab[k]};
	}
	mm_chart_layout l;
	mm_chart_text_opts o = {40, 14, false, false};
	/* make x a column and y a line: the range one less than the size */
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(mm_chart_text_layout(&c, &o, &l, NULL), MM_OK);
		c.x.max = l.plot_width - 1;
		c.y.max = l.plot_height - 1;
	}
	ck_assert_int_eq(mm_chart_text_layout(&c, &o, &l, NULL), MM_OK);
	ck_assert(c.x.max == l.plot_width - 1 && c.y.max == l.plot_height - 1);
	char *t = text(&c, 40, 14, false, false);
	int top = l.plot_top + l.plot_height - 1 - 4, left = l.plot_left + 10;
	for (int k = 0; k < 9; k++)
		ck_assert_str_eq(at(t, top + k / 3, left + k % 3), "o");
	ck_assert_str_eq(at(t, top, left - 1), "1");
	ck_assert_str_eq(at(t, top - 1, left + 2), "2");
	ck_assert_str_eq(at(t, top, left + 3), "3");
	ck_assert_str_eq(at(t, top + 1, left - 1), "4");
	ck_assert_str_eq(at(t, top + 1, left + 3), "6");
	ck_assert_str_eq(at(t, top + 2, left - 1), "7");
	ck_assert_str_eq(at(t, top + 3, left + 2), "8");
	ck_assert_str_eq(at(t, top + 2, left + 3), "9");
	for (int r = top - 1; r <= top + 3; r++)
		for (int col = left - 2; col <= left + 4; col++)
			ck_assert_str_ne(at(t, r, col), "5");
	ck_assert_ptr_nonnull(strstr(t, "o predicted (labels 5 hidden)"));
	free(t);
}
END_TEST

/* A label never covers the axes: a point in the top-left corner puts its
 * label right of it, and one in the bottom-right corner left of it. */
START_TEST(labels_stay_in_plot)
{
	mm_chart_point p[] = {{1, 100, "corner"}, {100, 1, "other"}};
	mm_chart_series s[] = {{.kind = MM_CHART_POINTS, .points = p,
	                        .npoints = 2}};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LOG10, true, 1, 100},
	              .y = {NULL, NULL, MM_CHART_LOG10, true, 1, 100},
	              .series = s, .nseries = 1};
	mm_chart_layout l;
	mm_chart_text_opts o = {40, 12, false, false};
	ck_assert_int_eq(mm_chart_text_layout(&c, &o, &l, NULL), MM_OK);
	char *t = text(&c, 40, 12, false, false);
	int top = l.plot_top, bottom = l.plot_top + l.plot_height - 1;
	int right = l.plot_left + l.plot_width - 1;
	ck_assert_str_eq(at(t, top, l.plot_left), "o");
	ck_assert(word_at(t, top, l.plot_left + 1, "corner"));
	ck_assert_str_eq(at(t, bottom, right), "o");
	ck_assert(word_at(t, bottom, right - 5, "other"));
	ck_assert_str_eq(at(t, top, l.plot_left - 1), "+");
	free(t);
}
END_TEST

/* ---- axes ---- */

static void json_of(const mm_chart *c, mm_buf *b)
{
	mm_diag d;
	mm_buf_reset(b);
	ck_assert_int_eq(mm_chart_json(b, c, &d), MM_OK);
}

/* Fitted ranges: whole decades on log axes, a single decade widened,
 * 1-2-5 steps from 0 on linear ones, given ranges kept. */
START_TEST(axes_fitted)
{
	mm_chart_point p[] = {{3, 0.2, NULL}, {7, 9.5, NULL}};
	mm_chart_series s[] = {{.kind = MM_CHART_POINTS, .points = p,
	                        .npoints = 2}};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .y = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .series = s, .nseries = 1};
	mm_buf b = MM_BUF_INIT;
	/* x 3..7: the decade 1..10; y 0.2..9.5: 0.1..10 */
	json_of(&c, &b);
	ck_assert_ptr_nonnull(strstr(mm_buf_str(&b), "\"scale\":\"log10\",\"min\":1,\"max\":10}"));
	ck_assert_ptr_nonnull(strstr(mm_buf_str(&b), "\"min\":0.1,\"max\":10}"));
	/* one point exactly on a decade: a decade either side */
	p[0] = (mm_chart_point){10, 10, NULL};
	c.series = &(mm_chart_series){.kind = MM_CHART_POINTS, .points = p,
	                              .npoints = 1};
	json_of(&c, &b);
	ck_assert_ptr_nonnull(strstr(mm_buf_str(&b), "\"min\":1,\"max\":100}"));
	/* linear: 0.2..9.5 from 0; step nice(9.5 / 5) = 2: 0..10 */
	c.series = s;
	p[0] = (mm_chart_point){3, 0.2, NULL};
	c.y.scale = MM_CHART_LINEAR;
	json_of(&c, &b);
	ck_assert_ptr_nonnull(strstr(mm_buf_str(&b), "\"scale\":\"linear\",\"min\":0,\"max\":10}"));
	/* negative data: -7..9.5, step nice(16.5 / 5) = 5: -10..10 */
	p[0].y = -7;
	json_of(&c, &b);
	ck_assert_ptr_nonnull(strstr(mm_buf_str(&b), "\"min\":-10,\"max\":10}"));
	/* given ranges are kept even when the data lie outside */
	c.y.fixed = true;
	c.y.min = 2;
	c.y.max = 4;
	json_of(&c, &b);
	ck_assert_ptr_nonnull(strstr(mm_buf_str(&b), "\"min\":2,\"max\":4}"));
	mm_buf_free(&b);
}
END_TEST

/* Tick labels: SI on decades, thinned when crowded; 1-2-5 on linear
 * axes. */
START_TEST(axes_ticks)
{
	mm_chart_point p[] = {{1e-3, 1, NULL}, {1e9, 1e15, NULL}};
	mm_chart_series s[] = {{.kind = MM_CHART_POINTS, .points = p,
	                        .npoints = 2}};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .y = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .series = s, .nseries = 1};
	/* No titles: the plot is lines 0..16 (20 less the axis, its ticks
	 * and the legend), 80 - 5 - 1 = 74 columns. x: 12 decades over 73
	 * columns, 6.08 a decade: "0.001" and "0.01" (5 and 4 wide, centred
	 * 6 apart) leave a blank between them, so every decade is labelled.
	 * y: 15 decades over 16 steps, 1.07 lines a decade: every second
	 * decade (even exponents) gives labels 2 lines or more apart. */
	mm_chart_layout l;
	mm_chart_text_opts o = {80, 20, false, false};
	ck_assert_int_eq(mm_chart_text_layout(&c, &o, &l, NULL), MM_OK);
	ck_assert_int_eq(l.plot_top, 0);
	ck_assert_int_eq(l.plot_height, 17);
	ck_assert_int_eq(l.plot_width, 74);
	char *t = text(&c, 80, 20, false, false);
	ck_assert_str_eq(line(t, 18), "   0.001  0.01  0.1    1     10   100     "
	                              "1k   10k   100k   1M   10M   100M   1G");
	static const char *const y[] = {"1", "100", "10k", "1M", "100M", "10G",
	                                "1T", "100T"};
	for (int e = 0; e <= 14; e += 2) {
		/* exponent e: line 16 - round(e / 15 · 16) */
		int ln = 16 - (int)floor(e / 15.0 * 16 + 0.5);
		char want[16];
		snprintf(want, sizeof want, "%4s+", y[e / 2]);
		ck_assert_msg(word_at(t, ln, 0, want), "10^%d: line %d is '%s'", e,
		              ln, line(t, ln));
	}
	assert_width(t, 80);
	free(t);
	/* linear 0..10 at 1-2-5 steps */
	mm_chart_point q[] = {{0, 0, NULL}, {10, 10, NULL}};
	mm_chart_series sq[] = {{.kind = MM_CHART_LINE, .points = q, .npoints = 2}};
	mm_chart lin = {.x = {NULL, NULL, MM_CHART_LINEAR, false, 0, 0},
	                .y = {NULL, NULL, MM_CHART_LINEAR, false, 0, 0},
	                .series = sq, .nseries = 1};
	o = (mm_chart_text_opts){40, 12, false, false};
	ck_assert_int_eq(mm_chart_text_layout(&lin, &o, &l, NULL), MM_OK);
	t = text(&lin, 40, 12, false, false);
	int tl = l.plot_top + l.plot_height + 1;
	/* x at 1 per tick: 10 ticks over the plot's columns */
	ck_assert(word_at(t, tl, l.plot_left, "0 "));
	ck_assert_ptr_nonnull(strstr(line(t, tl), " 10"));
	/* y: 0 at the bottom, 10 at the top */
	ck_assert_ptr_nonnull(strstr(line(t, l.plot_top), "10+"));
	ck_assert_ptr_nonnull(strstr(line(t, l.plot_top + l.plot_height - 1), "0+"));
	/* the line from corner to corner: bottom-left, top-right */
	ck_assert_str_ne(at(t, l.plot_top + l.plot_height - 1, l.plot_left), " ");
	ck_assert_str_ne(at(t, l.plot_top, l.plot_left + l.plot_width - 1), " ");
	free(t);
}
END_TEST

/* ---- the empty, the single and the extreme ---- */

START_TEST(empty_chart)
{
	mm_chart c = {.title = "nothing",
	              .x = {"x", NULL, MM_CHART_LOG10, false, 0, 0},
	              .y = {"y", NULL, MM_CHART_LINEAR, false, 0, 0}};
	for (int u = 0; u < 2; u++) {
		char *t = text(&c, 40, 12, u, false);
		ck_assert_ptr_nonnull(strstr(t, "(no data)"));
		/* no legend: the plot takes its line */
		ck_assert_int_eq(count_lines(t), 12);
		assert_width(t, 40);
		free(t);
	}
	mm_buf b = MM_BUF_INIT;
	json_of(&c, &b);
	ck_assert_str_eq(mm_buf_str(&b),
	                 "{\"title\":\"nothing\",\"x\":{\"label\":\"x\",\"unit\":null,"
	                 "\"scale\":\"log10\",\"min\":1,\"max\":10},\"y\":{\"label\":"
	                 "\"y\",\"unit\":null,\"scale\":\"linear\",\"min\":0,\"max\":1},"
	                 "\"series\":[]}");
	mm_buf_free(&b);
}
END_TEST

/* One point at 10, 1e9: the axes 1..100 and 1e8..1e10 put it in the
 * middle: column plot_left + round(0.5 · (w - 1)). */
START_TEST(single_point)
{
	mm_chart_point p[] = {{10, 1e9, "1"}};
	mm_chart_series s[] = {{.kind = MM_CHART_POINTS, .points = p,
	                        .npoints = 1}};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .y = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .series = s, .nseries = 1};
	mm_chart_layout l;
	mm_chart_text_opts o = {40, 13, true, false};
	ck_assert_int_eq(mm_chart_text_layout(&c, &o, &l, NULL), MM_OK);
	ck_assert(l.xmin == 1 && l.xmax == 100 && l.ymin == 1e8 && l.ymax == 1e10);
	char *t = text(&c, 40, 13, true, false);
	int col = l.plot_left + (int)floor(0.5 * (l.plot_width - 1) + 0.5);
	int row = l.plot_top + l.plot_height - 1 -
	          (int)floor(0.5 * (l.plot_height - 1) + 0.5);
	ck_assert_str_eq(at(t, row, col), "\u25cf");
	ck_assert(word_at(t, row, col + 1, "1"));
	free(t);
}
END_TEST

/* 0, negative, infinite and NaN coordinates on log axes are left out
 * (of the picture and the fitting), counted in the legend, "shown":false
 * in the JSON, and break a line. On linear axes 0 and negatives show. */
START_TEST(extreme_values)
{
	mm_chart_point p[] = {{0, 1, "z"},       {-1, 1, "n"},     {INFINITY, 1, "i"},
	                      {NAN, 1, "q"},     {1, -INFINITY, "y"},
	                      {3, 5, "a"},       {1e300, 1e-300, "b"}};
	mm_chart_series s[] = {{.kind = MM_CHART_LINE, .label = "data",
	                        .points = p, .npoints = 7}};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .y = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .series = s, .nseries = 1};
	for (int u = 0; u < 2; u++) {
		char *t = text(&c, 60, 16, u, false);
		ck_assert_ptr_nonnull(strstr(t, "data (5 off the chart)"));
		assert_width(t, 60);
		free(t);
	}
	mm_chart_layout l;
	mm_chart_text_opts o = {60, 16, false, false};
	ck_assert_int_eq(mm_chart_text_layout(&c, &o, &l, NULL), MM_OK);
	/* fitted to (3, 5) and (1e300, 1e-300) only */
	ck_assert(l.xmin == 1 && l.xmax == 1e300);
	ck_assert(l.ymin == 1e-300 && l.ymax == 10);
	mm_buf b = MM_BUF_INIT;
	json_of(&c, &b);
	const char *j = mm_buf_str(&b);
	ck_assert_ptr_nonnull(strstr(j, "{\"x\":0,\"y\":1,\"label\":\"z\",\"shown\":false}"));
	ck_assert_ptr_nonnull(strstr(j, "{\"x\":null,\"y\":1,\"label\":\"i\",\"shown\":false}"));
	ck_assert_ptr_nonnull(strstr(j, "{\"x\":null,\"y\":1,\"label\":\"q\",\"shown\":false}"));
	ck_assert_ptr_nonnull(strstr(j, "{\"x\":3,\"y\":5,\"label\":\"a\",\"shown\":true}"));
	/* linear: 0 and -1 are fine, infinities and NaN are not */
	c.x.scale = c.y.scale = MM_CHART_LINEAR;
	char *t = text(&c, 60, 16, false, false);
	ck_assert_ptr_nonnull(strstr(t, "data (3 off the chart)"));
	free(t);
	/* the ends of the doubles: decades from 10^-323 to 10^308, and the
	 * values themselves past them, on log axes; on a
	 * linear one a range wider than the largest double still draws */
	mm_chart_point ends[] = {{5e-324, 1.7e308, "a"}, {1.7e308, 5e-324, "b"}};
	s[0].points = ends;
	s[0].npoints = 2;
	c.x.scale = c.y.scale = MM_CHART_LOG10;
	mm_chart_layout e;
	ck_assert_int_eq(mm_chart_text_layout(&c, &o, &e, NULL), MM_OK);
	ck_assert(e.xmin == 5e-324 && e.xmax == 1.7e308);
	t = text(&c, 60, 16, true, false);
	ck_assert_ptr_nonnull(strstr(t, "data\n"));
	free(t);
	ends[0] = (mm_chart_point){-1e308, -1e308, "a"};
	ends[1] = (mm_chart_point){1e308, 1e308, "b"};
	c.x.scale = c.y.scale = MM_CHART_LINEAR;
	t = text(&c, 60, 16, false, false);
	assert_width(t, 60);
	free(t);
	json_of(&c, &b);
	/* a roof, ceiling or ridge that cannot be shown is left out, named */
	mm_chart_series r[] = {
		{.kind = MM_CHART_CEILING, .label = "peak", .value = -5},
		{.kind = MM_CHART_ROOF, .label = "mem", .value = NAN},
		{.kind = MM_CHART_RIDGE, .label = "ridge", .value = 0}};
	mm_chart rc = {.x = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	               .y = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	               .series = r, .nseries = 3};
	t = text(&rc, 60, 16, true, false);
	ck_assert_ptr_nonnull(strstr(t, "peak (off the chart)"));
	ck_assert_ptr_nonnull(strstr(t, "mem (off the chart)"));
	ck_assert_ptr_nonnull(strstr(t, "ridge (off the chart)"));
	ck_assert_ptr_nonnull(strstr(t, "(no data)"));
	free(t);
	json_of(&rc, &b);
	ck_assert_ptr_nonnull(strstr(mm_buf_str(&b), "\"slope\":null"));
	mm_buf_free(&b);
}
END_TEST

/* ---- widths ---- */

/* No line wider than asked, at every width from the minimum, for both
 * character sets and with colour (once the SGR sequences are gone); the
 * chart takes exactly the height asked when its legend fits. Wide
 * characters in the title and labels count two columns. */
START_TEST(widths)
{
	mm_chart wide = roofline;
	wide.title = "屋根線 roofline with a title longer than the narrowest chart";
	for (int w = MM_CHART_MIN_WIDTH; w <= 132; w += 3)
		for (int u = 0; u < 2; u++)
			for (int col = 0; col < 2; col++) {
				char *t = text(&wide, w, 24, u, col);
				char *plain = strip_sgr(t);
				assert_width(plain, w);
				if (w >= 60)
					ck_assert_int_eq(count_lines(plain), 24);
				if (col) {
					char *ref = text(&wide, w, 24, u, false);
					ck_assert_str_eq(plain, ref);
					free(ref);
				} else {
					ck_assert_ptr_null(strchr(t, '\033'));
				}
				free(plain);
				free(t);
			}
	/* heights from the minimum: the plot keeps at least 3 lines */
	for (int h = MM_CHART_MIN_HEIGHT; h <= 40; h++) {
		mm_chart_layout l;
		mm_chart_text_opts o = {50, h, true, false};
		ck_assert_int_eq(mm_chart_text_layout(&roofline, &o, &l, NULL), MM_OK);
		ck_assert_int_ge(l.plot_height, 3);
		char *t = text(&roofline, 50, h, true, false);
		ck_assert_int_eq(count_lines(t), l.lines);
		free(t);
	}
	ck_assert_int_eq(mm_chart_text_width("日本"), 4);
	ck_assert_int_eq(mm_chart_text_width("e\xcc\x81"), 1); /* e + U+0301 */
	ck_assert_int_eq(mm_chart_text_width("\xff" "a"), 2); /* U+FFFD, a */
	ck_assert_int_eq(mm_chart_text_width("\u25cf\u28ff"), 2);
}
END_TEST

/* Colour: SGR only when asked; predicted and measured markers differ. */
START_TEST(colour)
{
	char *t = text(&roofline, 80, 23, true, true);
	ck_assert_ptr_nonnull(strstr(t, "\033[36m\u25cf")); /* predicted: cyan */
	ck_assert_ptr_nonnull(strstr(t, "\033[35m\u25c6")); /* measured: magenta */
	ck_assert_ptr_nonnull(strstr(t, "\033[1mroofline\033[0m"));
	/* no line leaves a colour on: its last SGR sequence is a reset */
	int n = count_lines(t);
	for (int i = 0; i < n; i++) {
		const char *l = line(t, i), *last = NULL;
		for (const char *q = strchr(l, '\033'); q; q = strchr(q + 1, '\033'))
			last = q;
		if (last)
			ck_assert(strncmp(last, "\033[0m", 4) == 0);
	}
	free(t);
}
END_TEST

/* ---- errors ---- */

START_TEST(errors)
{
	mm_buf b = MM_BUF_INIT;
	mm_diag d;
	mm_chart_text_opts o = {MM_CHART_MIN_WIDTH - 1, 20, false, false};
	ck_assert_int_eq(mm_chart_text(&b, &roofline, &o, &d), MM_ERR_VALUE);
	o = (mm_chart_text_opts){80, MM_CHART_MIN_HEIGHT - 1, false, false};
	ck_assert_int_eq(mm_chart_text(&b, &roofline, &o, &d), MM_ERR_VALUE);
	o.height = 20;
	mm_chart c = roofline;
	c.x.fixed = true;
	c.x.min = 0;
	c.x.max = 10; /* a log axis from 0 */
	ck_assert_int_eq(mm_chart_text(&b, &c, &o, &d), MM_ERR_VALUE);
	ck_assert_ptr_nonnull(strstr(d.message, "above 0"));
	c.x.min = 10;
	c.x.max = 1; /* reversed */
	ck_assert_int_eq(mm_chart_json(&b, &c, &d), MM_ERR_VALUE);
	c.x.max = NAN;
	ck_assert_int_eq(mm_chart_svg(&b, &c, NULL, &d), MM_ERR_VALUE);
	mm_chart_series s[] = {{.kind = MM_CHART_POINTS, .npoints = 3}};
	mm_chart e = {.series = s, .nseries = 1};
	ck_assert_int_eq(mm_chart_text(&b, &e, &o, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_chart_svg(&b, &roofline,
	                              &(mm_chart_svg_opts){100, 100}, &d),
	                 MM_ERR_VALUE);
	ck_assert_uint_eq(b.len, 0); /* nothing appended on error */
	mm_buf_free(&b);
}
END_TEST

/* ---- SVG ---- */

static char *svg(const mm_chart *c)
{
	mm_buf b = MM_BUF_INIT;
	mm_diag d;
	ck_assert_int_eq(mm_chart_svg(&b, c, NULL, &d), MM_OK);
	char *s = strdup(mm_buf_str(&b));
	mm_buf_free(&b);
	return s;
}

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* A small well-formedness check, for machines without xmllint: one
 * declaration first, tags nest and close, attributes are quoted, every
 * '&' starts an entity, no '<' or '>' in text, no control characters. */
static void assert_well_formed(const char *s)
{
	const char *stack[64];
	size_t lens[64];
	int depth = 0, roots = 0;
	ck_assert(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"", 36) == 0);
	s = strstr(s, "?>") + 2;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		ck_assert_msg(ch >= 0x20 || ch == '\n' || ch == '\t', "control 0x%02x", ch);
		ck_assert_msg(ch != '>', "'>' in text");
		if (ch == '&') {
			ck_assert(!strncmp(s, "&amp;", 5) || !strncmp(s, "&lt;", 4) ||
			          !strncmp(s, "&gt;", 4) || !strncmp(s, "&quot;", 6) ||
			          !strncmp(s, "&#39;", 5));
			continue;
		}
		if (ch != '<')
			continue;
		bool close = s[1] == '/';
		const char *name = s + 1 + close;
		size_t n = strcspn(name, " />");
		const char *end = name + n;
		/* attributes: name="value" with no '<' inside */
		while (*end && *end != '>' && !(end[0] == '/' && end[1] == '>')) {
			if (*end == '"') {
				const char *q = strchr(end + 1, '"');
				ck_assert_ptr_nonnull(q);
				for (const char *v = end + 1; v < q; v++)
					ck_assert(*v != '<');
				end = q;
			}
			end++;
		}
		ck_assert(*end);
		bool empty = *end == '/';
		if (close) {
			ck_assert_int_gt(depth, 0);
			depth--;
			ck_assert(lens[depth] == n && !strncmp(stack[depth], name, n));
		} else if (!empty) {
			ck_assert_int_lt(depth, 64);
			roots += depth == 0;
			stack[depth] = name;
			lens[depth++] = n;
		}
		s = end + (empty ? 1 : 0);
	}
	ck_assert_int_eq(depth, 0);
	ck_assert_int_eq(roots, 1);
}

START_TEST(svg_document)
{
	char *s = svg(&roofline);
	assert_well_formed(s);
	ck_assert_ptr_nonnull(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	                                "version=\"1.1\" width=\"720\""));
	ck_assert_ptr_nonnull(strstr(s, "viewBox=\"0 0 720 "));
	ck_assert_ptr_nonnull(strstr(s, "<title>roofline</title>"));
	/* grid lines at the decades: 5 on x (0.1..1k) and 5 on y (100G..1P),
	 * the fainter 2..9 between them: 8 per decade, 4 decades each */
	ck_assert_int_eq(count(s, "stroke=\"#cccccc\""), 10);
	ck_assert_int_eq(count(s, "stroke=\"#eeeeee\""), 64);
	/* three predicted circles and one measured diamond, plus one of
	 * each in the legend */
	ck_assert_int_eq(count(s, "<circle"), 4);
	ck_assert_int_eq(count(s, "<polygon"), 2);
	/* the ridge dashed, the roof and the ceiling solid */
	ck_assert_int_eq(count(s, "stroke-dasharray"), 1);
	ck_assert_ptr_nonnull(strstr(s, ">f32 peak 100 TFLOP/s</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">memory 1 TB/s</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">1k</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">100T</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">intensity (FLOP/B)</text>"));
	free(s);
}
END_TEST

/* Text is escaped; characters XML forbids are dropped; bytes that are
 * not UTF-8 become U+FFFD. */
START_TEST(svg_escaping)
{
	mm_chart_point p[] = {{1, 1, "<a&b>"}, {10, 10, "\"q'"}};
	mm_chart_series s[] = {{.kind = MM_CHART_POINTS, .label = "x < y & z",
	                        .points = p, .npoints = 2}};
	mm_chart c = {.title = "t\x01\x1f<\xff>",
	              .x = {"a\"b", "c'd", MM_CHART_LOG10, false, 0, 0},
	              .y = {NULL, NULL, MM_CHART_LINEAR, false, 0, 0},
	              .series = s, .nseries = 1};
	char *v = svg(&c);
	assert_well_formed(v);
	ck_assert_ptr_nonnull(strstr(v, "<title>t&lt;\xef\xbf\xbd&gt;</title>"));
	ck_assert_ptr_nonnull(strstr(v, ">&lt;a&amp;b&gt;</text>"));
	ck_assert_ptr_nonnull(strstr(v, ">&quot;q&#39;</text>"));
	ck_assert_ptr_nonnull(strstr(v, ">x &lt; y &amp; z</text>"));
	ck_assert_ptr_nonnull(strstr(v, ">a&quot;b (c&#39;d)</text>"));
	free(v);
}
END_TEST

/* Every chart of these tests is well-formed, the empty one included. */
START_TEST(svg_many)
{
	mm_chart empty = {.x = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	                  .y = {NULL, NULL, MM_CHART_LOG10, false, 0, 0}};
	char *v = svg(&empty);
	assert_well_formed(v);
	ck_assert_ptr_nonnull(strstr(v, "(no data)"));
	free(v);
	mm_chart_point p[40];
	for (int k = 0; k < 40; k++)
		p[k] = (mm_chart_point){1 + k * 0.01, 1 + k * 0.01, "7"};
	mm_chart_series s[] = {{.kind = MM_CHART_LINE, .points = p, .npoints = 40}};
	mm_chart c = {.x = {NULL, NULL, MM_CHART_LINEAR, false, 0, 0},
	              .y = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	              .series = s, .nseries = 1};
	v = svg(&c);
	assert_well_formed(v);
	free(v);
}
END_TEST

/* ---- JSON ---- */

START_TEST(json_data)
{
	mm_chart_point p[] = {{0.5, 2.5e11, "1"}, {1e3, 1e14, NULL}};
	mm_chart_series s[] = {
		{.kind = MM_CHART_POINTS, .label = "predicted", .points = p, .npoints = 2},
		{.kind = MM_CHART_ROOF, .label = "memory \"HBM\"", .value = 5e11},
		{.kind = MM_CHART_CEILING, .value = 1e14},
		{.kind = MM_CHART_RIDGE, .label = "ridge", .value = 200},
	};
	mm_chart c = {.title = "t",
	              .x = {"intensity", "FLOP/B", MM_CHART_LOG10, false, 0, 0},
	              .y = {"rate", "FLOP/s", MM_CHART_LOG10, true, 1e10, 1e15},
	              .series = s, .nseries = 4};
	mm_buf b = MM_BUF_INIT;
	json_of(&c, &b);
	/* x: points 0.5..1000 and the ridge's 20..2000: 0.1..10000 */
	ck_assert_str_eq(mm_buf_str(&b),
		"{\"title\":\"t\",\"x\":{\"label\":\"intensity\",\"unit\":\"FLOP/B\","
		"\"scale\":\"log10\",\"min\":0.1,\"max\":10000},\"y\":{\"label\":\"rate\","
		"\"unit\":\"FLOP/s\",\"scale\":\"log10\",\"min\":10000000000,"
		"\"max\":1000000000000000},\"series\":[{\"kind\":\"points\","
		"\"style\":\"predicted\",\"label\":\"predicted\",\"points\":["
		"{\"x\":0.5,\"y\":250000000000,\"label\":\"1\",\"shown\":true},"
		"{\"x\":1000,\"y\":100000000000000,\"label\":null,\"shown\":true}]},"
		"{\"kind\":\"roof\",\"label\":\"memory \\\"HBM\\\"\",\"slope\":500000000000},"
		"{\"kind\":\"ceiling\",\"label\":null,\"y\":100000000000000},"
		"{\"kind\":\"ridge\",\"label\":\"ridge\",\"x\":200}]}");
	mm_buf_free(&b);
}
END_TEST

/* ---- share bars ---- */

static void bar_eq(double f, int w, bool u, const char *want)
{
	mm_buf b = MM_BUF_INIT;
	mm_chart_bar(&b, f, w, u);
	ck_assert_str_eq(mm_buf_str(&b), want);
	ck_assert_int_eq(mm_chart_text_width(mm_buf_str(&b)), w > 0 ? w : 0);
	mm_buf_free(&b);
}

START_TEST(bars)
{
	bar_eq(0.5, 8, false, "####    ");
	bar_eq(0.5, 8, true, "████    ");
	/* 0.3 · 10 = 3 columns = 24 eighths: three full blocks */
	bar_eq(0.3, 10, true, "███       ");
	/* 0.33 · 10 · 8 = 26.4 -> 26 eighths: 3 full and a quarter */
	bar_eq(0.33, 10, true, "███▎      ");
	/* small but not nothing: an eighth, or one '#' */
	bar_eq(0.001, 10, true, "▏         ");
	bar_eq(0.001, 10, false, "#         ");
	bar_eq(0, 4, true, "    ");
	bar_eq(NAN, 4, true, "    ");
	bar_eq(-1, 4, false, "    ");
	bar_eq(7, 4, false, "####");
	bar_eq(1, 3, true, "███");
	bar_eq(0.5, 0, true, "");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("chart");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, layout_by_hand);
	tcase_add_test(tc, positions_ascii);
	tcase_add_test(tc, positions_unicode);
	tcase_add_test(tc, golden_80);
	tcase_add_test(tc, golden_40);
	tcase_add_test(tc, labels_share_cells);
	tcase_add_test(tc, labels_crowded);
	tcase_add_test(tc, labels_hidden);
	tcase_add_test(tc, labels_stay_in_plot);
	tcase_add_test(tc, axes_fitted);
	tcase_add_test(tc, axes_ticks);
	tcase_add_test(tc, empty_chart);
	tcase_add_test(tc, single_point);
	tcase_add_test(tc, extreme_values);
	tcase_add_test(tc, widths);
	tcase_add_test(tc, colour);
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, svg_document);
	tcase_add_test(tc, svg_escaping);
	tcase_add_test(tc, svg_many);
	tcase_add_test(tc, json_data);
	tcase_add_test(tc, bars);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- xmllint ---- */

/* Writes each chart's SVG to a file and has xmllint check it: 77 (skip)
 * when xmllint is not installed, 1 when a document is rejected. */
static int xmllint(void)
{
	if (system("command -v xmllint >/dev/null 2>&1") != 0) {
		puts("xmllint not installed: skipped");
		return 77;
	}
	mm_chart_point p[] = {{1, 1, "<&>"}, {10, 100, "\"'"}};
	mm_chart_series s[] = {{.kind = MM_CHART_LINE, .label = "a & b",
	                        .points = p, .npoints = 2}};
	mm_chart odd = {.title = "<\xff\x01>",
	                .x = {"x", "u", MM_CHART_LINEAR, false, 0, 0},
	                .y = {"y", NULL, MM_CHART_LOG10, false, 0, 0},
	                .series = s, .nseries = 1};
	mm_chart empty = {.x = {NULL, NULL, MM_CHART_LOG10, false, 0, 0},
	                  .y = {NULL, NULL, MM_CHART_LOG10, false, 0, 0}};
	const mm_chart *charts[] = {&roofline, &odd, &empty};
	char path[] = "/tmp/mmcalc-chart-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	int bad = 0;
	for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
		mm_buf b = MM_BUF_INIT;
		mm_diag d;
		FILE *f = fopen(path, "w");
		if (!f || mm_chart_svg(&b, charts[i], NULL, &d) != MM_OK) {
			bad = 1;
		} else {
			fputs(mm_buf_str(&b), f);
		}
		if (f)
			fclose(f);
		mm_buf_free(&b);
		char cmd[128];
		snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
		if (system(cmd) != 0) {
			printf("chart %zu: xmllint rejects the SVG\n", i);
			bad = 1;
		}
	}
	unlink(path);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--xmllint") == 0)
		return xmllint();
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
