/* chart_text.c — charts drawn as text: braille or ASCII lines on a grid of
 * character cells, markers and labels placed where they collide with
 * nothing, axes with SI tick labels, a legend; ANSI colour on request. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart_internal.h"

/* ---- cells ---- */

enum { K_BLANK, K_TEXT, K_AXIS, K_MARK, K_LABEL };

/* One character cell: the UTF-8 bytes it shows (a character and perhaps
 * a combining mark), 2 for the first cell of a wide character and 0 for
 * the cell it covers, its colour and what put it there. */
typedef struct cell {
	char s[12];
	uint8_t n, w, colour, kind;
} cell;

#define C_BOLD MM_CHART_NCOLOURS

static const char *const sgr[] = {
	[MM_CHART_C_NONE] = "0",       [MM_CHART_C_PRED] = "36",
	[MM_CHART_C_MEAS] = "35",      [MM_CHART_C_ROOF] = "32",
	[MM_CHART_C_RIDGE] = "90",     [MM_CHART_C_CEIL] = "33",
	[MM_CHART_C_CEIL + 1] = "31",  [MM_CHART_C_CEIL + 2] = "34",
	[MM_CHART_C_CEIL + 3] = "92",  [C_BOLD] = "1",
};

/* Writes text s into row (ncols cells) from column col, clipped at the
 * end of the row; returns the columns written. Control characters are
 * skipped and combining marks join the cell before them. */
static int put_cells(cell *row, int ncols, int col, const char *s,
                     int colour, int kind)
{
	int start = col, n;
	for (; s && *s && col < ncols; s += n) {
		uint32_t cp = mm_chart_u8_decode(s, &n);
		int w = mm_chart_cp_width(cp);
		const char *bytes = cp == 0xFFFD ? "\xef\xbf\xbd" : s;
		int nb = cp == 0xFFFD ? 3 : n;
		if (w == 0) {
			if (cp >= 0x300 && col > start) {
				cell *p = &row[col - 1];
				if (p->w == 0 && col - 2 >= start)
					p = &row[col - 2];
				if (p->n + nb <= (int)sizeof p->s) {
					memcpy(p->s + p->n, bytes, (size_t)nb);
					p->n = (uint8_t)(p->n + nb);
				}
			}
			continue;
		}
		if (col + w > ncols)
			break;
		if (col < 0) { /* text that starts left of the row: cut */
			col += w;
			continue;
		}
		cell *c = &row[col];
		memcpy(c->s, bytes, (size_t)nb);
		c->n = (uint8_t)nb;
		c->w = (uint8_t)w;
		c->colour = (uint8_t)colour;
		c->kind = (uint8_t)kind;
		if (w == 2)
			row[col + 1] = (cell){.w = 0, .colour = (uint8_t)colour,
			                      .kind = (uint8_t)kind};
		col += w;
	}
	return col - start;
}

/* s cut to at most w columns, ending in an ellipsis when it was cut. */
static void fit_text(mm_buf *out, const char *s, int w, bool unicode)
{
	mm_buf_reset(out);
	if (!s)
		return;
	if (mm_chart_text_width(s) <= w) {
		mm_buf_puts(out, s);
		return;
	}
	const char *ell = unicode ? "\u2026" : "...";
	int room = w - (unicode ? 1 : 3), used = 0, n;
	for (; *s; s += n) {
		int cw = mm_chart_cp_width(mm_chart_u8_decode(s, &n));
		if (used + cw > room)
			break;
		mm_buf_add(out, s, (size_t)n);
		used += cw;
	}
	if (w >= (unicode ? 1 : 3))
		mm_buf_puts(out, ell);
}

/* ---- the renderer's state ---- */

typedef struct entry {
	mm_buf text;
	const char *glyph;
	int colour;
} entry;

typedef struct R {
	const mm_chart *c;
	const mm_chart_text_opts *o;
	mm_chart_geom g;
	mm_chart_ticks xt, yt;
	bool xtick_all; /* a tick mark at every x tick, not only labelled */
	int tw, rm, pl, pt, pw, ph;
	cell *ov;        /* markers and labels, pw × ph */
	uint8_t *dots;   /* braille dots */
	char *ach;       /* ASCII line characters */
	uint8_t *inkc;   /* colour of the line in the cell */
	bool *placed;    /* per series: its line's label is on the chart */
	mm_chart_hidden hidden; /* point labels with no place */
	entry *legend;
	int nlegend, legend_lines;
	bool failed;
} R;

static int rnd(double x) { return (int)floor(x + 0.5); }

static int colx(const R *r, double f) { return rnd(f * (r->pw - 1)); }
/* Line of the plot (0 at the top) for a unit-square y. */
static int rowy(const R *r, double f) { return r->ph - 1 - rnd(f * (r->ph - 1)); }

static bool has_ink(const R *r, int row, int col)
{
	size_t i = (size_t)row * (size_t)r->pw + (size_t)col;
	return r->o->unicode ? r->dots[i] != 0 : r->ach[i] != 0;
}

static cell *ov(R *r, int row, int col)
{
	return &r->ov[(size_t)row * (size_t)r->pw + (size_t)col];
}

/* ---- lines ---- */

static void set_ascii(R *r, int row_up, int col, char ch, int colour)
{
	if (col < 0 || col >= r->pw || row_up < 0 || row_up >= r->ph)
		return;
	size_t i = (size_t)(r->ph - 1 - row_up) * (size_t)r->pw + (size_t)col;
	r->ach[i] = ch;
	r->inkc[i] = (uint8_t)colour;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* A segment at cell resolution, one cell per step along its major axis
 * (a: columns for shallow lines, lines for steep ones; b the other):
 * `flat` where the next step stays on the same b, '/' or '\' where it
 * moves. */
static void ascii_walk(R *r, double a0, double b0, double a1, double b1,
                       bool steep, char flat, int colour)
{
	double lo = fmin(a0, a1), hi = fmax(a0, a1), k = (b1 - b0) / (a1 - a0);
	for (int a = rnd(lo); a <= rnd(hi); a++) {
		int b = rnd(b0 + (clamp(a, lo, hi) - a0) * k);
		int next = rnd(b0 + (clamp(a + 1, lo, hi) - a0) * k);
		if (a == rnd(hi) && a > rnd(lo)) /* the last: as from the one before */
			next = b + (b - rnd(b0 + (clamp(a - 1, lo, hi) - a0) * k));
		char ch = next > b ? '/' : next < b ? '\\' : flat;
		if (steep)
			set_ascii(r, a, b, ch, colour);
		else
			set_ascii(r, b, a, ch, colour);
	}
}

/* A segment in ASCII: shallow lines '-' with a '/' or '\' where the next
 * column is a line up or down; steep ones '|' with a slash where the
 * column changes. Dotted lines use '.' and ':' for '-' and '|'. */
static void ascii_seg(R *r, const mm_chart_seg *s, int colour, bool dotted)
{
	double u0 = s->x0 * (r->pw - 1), u1 = s->x1 * (r->pw - 1);
	double v0 = s->y0 * (r->ph - 1), v1 = s->y1 * (r->ph - 1);
	if (fabs(u1 - u0) < 1e-9 && fabs(v1 - v0) < 1e-9)
		set_ascii(r, rnd(v0), rnd(u0), dotted ? '.' : '-', colour);
	else if (fabs(u1 - u0) >= fabs(v1 - v0))
		ascii_walk(r, u0, v0, u1, v1, false, dotted ? '.' : '-', colour);
	else
		ascii_walk(r, v0, u0, v1, u1, true, dotted ? ':' : '|', colour);
}

/* A segment in braille dots, 2 × 4 to a cell; a cell's dot (dx, dy from
 * the top) is bit bits[dx][dy] of U+2800. Cell column c holds dots 2c and
 * 2c + 1, so a position u (columns) is dot round(2u + 0.5); likewise a
 * position v (lines, from the bottom) is dot row round(4v + 1.5). */
static void braille_seg(R *r, const mm_chart_seg *s, int colour, bool dotted)
{
	static const uint8_t bits[2][4] = {{0x01, 0x02, 0x04, 0x40},
	                                   {0x08, 0x10, 0x20, 0x80}};
	double d0 = 2 * s->x0 * (r->pw - 1) + 0.5, d1 = 2 * s->x1 * (r->pw - 1) + 0.5;
	double y0 = 4 * s->y0 * (r->ph - 1) + 1.5, y1 = 4 * s->y1 * (r->ph - 1) + 1.5;
	int n = (int)ceil(fmax(fabs(d1 - d0), fabs(y1 - y0)));
	for (int i = 0; i <= n; i++) {
		if (dotted && i % 2)
			continue;
		double t = n ? (double)i / n : 0;
		int d = rnd(d0 + t * (d1 - d0)), y = rnd(y0 + t * (y1 - y0));
		d = d < 0 ? 0 : d > 2 * r->pw - 1 ? 2 * r->pw - 1 : d;
		y = y < 0 ? 0 : y > 4 * r->ph - 1 ? 4 * r->ph - 1 : y;
		size_t k = (size_t)(r->ph - 1 - y / 4) * (size_t)r->pw + (size_t)(d / 2);
		r->dots[k] |= bits[d % 2][3 - y % 4];
		r->inkc[k] = (uint8_t)colour;
	}
}

/* Lines in layers: ridges under ceilings under roofs under data. */
static void draw_lines(R *r)
{
	static const mm_chart_kind order[] = {MM_CHART_RIDGE, MM_CHART_CEILING,
	                                      MM_CHART_ROOF, MM_CHART_LINE};
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < r->c->nseries; i++) {
			if (r->c->series[i].kind != order[k])
				continue;
			mm_chart_segs segs = {0};
			mm_chart_series_segs(r->c, &r->g, i, &segs);
			r->failed |= segs.failed;
			int colour = mm_chart_series_colour(r->c, i);
			bool dotted = mm_chart_series_dotted(r->c, i);
			for (size_t j = 0; j < segs.n; j++) {
				if (r->o->unicode)
					braille_seg(r, &segs.s[j], colour, dotted);
				else
					ascii_seg(r, &segs.s[j], colour, dotted);
			}
			mm_chart_segs_free(&segs);
		}
}

/* ---- labels ---- */

/* Whether w cells from (row, col) are inside the plot, hold no marker or
 * label (nor line, unless ink), and have no label right beside them. */
static bool room(R *r, int row, int col, int w, bool ink)
{
	if (row < 0 || row >= r->ph || col < 0 || col + w > r->pw || w <= 0)
		return false;
	for (int i = col; i < col + w; i++)
		if (ov(r, row, i)->kind != K_BLANK || (!ink && has_ink(r, row, i)))
			return false;
	if (col > 0 && ov(r, row, col - 1)->kind == K_LABEL)
		return false;
	if (col + w < r->pw && ov(r, row, col + w)->kind == K_LABEL)
		return false;
	return true;
}

typedef struct spot {
	int row, col;
} spot;

/* Puts s at the first spot with room: among sp[0..split) free of lines,
 * then over lines, then the same among sp[split..n); false when there is
 * none. */
static bool place(R *r, const spot *sp, int split, int n, const char *s,
                  int colour)
{
	int w = mm_chart_text_width(s);
	for (int g = 0; g < 2; g++)
		for (int ink = 0; ink < 2; ink++)
			for (int i = g ? split : 0; i < (g ? n : split); i++)
				if (room(r, sp[i].row, sp[i].col, w, ink)) {
					put_cells(ov(r, sp[i].row, 0), r->pw, sp[i].col, s,
					          colour, K_LABEL);
					return true;
				}
	return false;
}

typedef struct pt {
	int cell;    /* row · pw + col */
	size_t s, k; /* series and point */
} pt;

static int cmp_pt(const void *a, const void *b)
{
	const pt *x = a, *y = b;
	if (x->cell != y->cell)
		return (x->cell > y->cell) - (x->cell < y->cell);
	if (x->s != y->s)
		return (x->s > y->s) - (x->s < y->s);
	return (x->k > y->k) - (x->k < y->k);
}

/* Groups (a first index into the sorted points and a count), in the
 * order of their first point: series, then index. */
typedef struct group {
	size_t first, n;
	const pt *p0;
} group;

static int cmp_group(const void *a, const void *b)
{
	const pt *x = ((const group *)a)->p0, *y = ((const group *)b)->p0;
	if (x->s != y->s)
		return (x->s > y->s) - (x->s < y->s);
	return (x->k > y->k) - (x->k < y->k);
}

static const char *marker(const R *r, mm_chart_style st)
{
	if (st == MM_CHART_MEASURED)
		return r->o->unicode ? "\u25c6" : "*";
	return r->o->unicode ? "\u25cf" : "o";
}

/* Every showable point of every series with points, sorted by cell; *n
 * gets their count. */
static pt *all_points(R *r, size_t *n)
{
	size_t total = mm_chart_total_points(r->c);
	pt *p = malloc((total ? total : 1) * sizeof *p);
	*n = 0;
	if (!p) {
		r->failed = true;
		return NULL;
	}
	for (size_t i = 0; i < r->c->nseries; i++) {
		const mm_chart_series *s = &r->c->series[i];
		for (size_t k = 0; mm_chart_has_points(s) && k < s->npoints; k++) {
			double fx, fy;
			if (mm_chart_fx(&r->g, s->points[k].x, &fx) &&
			    mm_chart_fy(&r->g, s->points[k].y, &fy))
				p[(*n)++] = (pt){rowy(r, fy) * r->pw + colx(r, fx), i, k};
		}
	}
	qsort(p, *n, sizeof *p, cmp_pt);
	return p;
}

/* The label of a group at cell (row, col), placed by the rule in chart.h
 * in the colour of the marker's series; a label with no place is noted
 * for that series' legend entry. */
static void label_group(R *r, const pt *p, size_t n, const char **labels,
                        mm_buf *text)
{
	const mm_chart *c = r->c;
	size_t last = p[n - 1].s;
	for (size_t j = 0; j < n; j++)
		labels[j] = c->series[p[j].s].points[p[j].k].label;
	mm_buf_reset(text);
	mm_chart_join_labels(text, labels, n);
	int row = p[0].cell / r->pw, col = p[0].cell % r->pw;
	int w = mm_chart_text_width(mm_buf_str(text));
	spot sp[] = {{row, col + 1}, {row, col - w},
	             {row - 1, col + 1}, {row + 1, col + 1},
	             {row - 1, col - w}, {row + 1, col - w}};
	if (w && !place(r, sp, 2, 6, mm_buf_str(text),
	                mm_chart_series_colour(c, last)))
		for (size_t j = 0; j < n; j++)
			mm_chart_hide(&r->hidden, last, labels[j]);
}

/* Markers, then labels. Points in one cell, of any series, share the
 * marker of the last series among them and one label. */
static void draw_points(R *r)
{
	size_t n, ng = 0;
	pt *p = all_points(r, &n);
	group *g = malloc((n ? n : 1) * sizeof *g);
	const char **labels = malloc((n ? n : 1) * sizeof *labels);
	if (!p || !g || !labels) {
		r->failed = true;
		n = 0;
	}
	for (size_t j = 0; j < n;) {
		size_t e = j;
		while (e < n && p[e].cell == p[j].cell)
			e++;
		const mm_chart_series *s = &r->c->series[p[e - 1].s];
		put_cells(&r->ov[p[j].cell], 1, 0, marker(r, s->style),
		          mm_chart_series_colour(r->c, p[e - 1].s), K_MARK);
		g[ng++] = (group){j, e - j, &p[j]};
		j = e;
	}
	qsort(g, ng, sizeof *g, cmp_group);
	mm_buf text = MM_BUF_INIT;
	for (size_t j = 0; j < ng; j++)
		label_group(r, &p[g[j].first], g[j].n, labels, &text);
	mm_buf_free(&text);
	free(labels);
	free(g);
	free(p);
}

/* The cells of series i's line, in drawing order, as spots; *n their
 * count. At most one spot per column (shallow) or line (steep). */
static spot *line_cells(R *r, size_t i, int *n)
{
	mm_chart_segs segs = {0};
	mm_chart_series_segs(r->c, &r->g, i, &segs);
	size_t cap = (size_t)(r->pw + r->ph) * (segs.n ? segs.n : 1);
	spot *sp = malloc(cap * sizeof *sp);
	*n = 0;
	if (!sp || segs.failed) {
		r->failed = true;
		mm_chart_segs_free(&segs);
		return sp;
	}
	for (size_t j = 0; j < segs.n; j++) {
		const mm_chart_seg *s = &segs.s[j];
		double u0 = s->x0 * (r->pw - 1), u1 = s->x1 * (r->pw - 1);
		double v0 = s->y0 * (r->ph - 1), v1 = s->y1 * (r->ph - 1);
		int steps = (int)ceil(fmax(fabs(u1 - u0), fabs(v1 - v0)));
		for (int k = 0; k <= steps && (size_t)*n < cap; k++) {
			double t = steps ? (double)k / steps : 0;
			spot p = {r->ph - 1 - rnd(v0 + t * (v1 - v0)),
			          rnd(u0 + t * (u1 - u0))};
			if (*n && sp[*n - 1].row == p.row && sp[*n - 1].col == p.col)
				continue;
			sp[(*n)++] = p;
		}
	}
	mm_chart_segs_free(&segs);
	return sp;
}

/* Candidate spots for the label (w columns) of series i's line; *split
 * ends the first group (see place). */
static int line_spots(R *r, size_t i, int w, const spot *cells, int n,
                      spot *out, int *split)
{
	int m = 0;
	switch (r->c->series[i].kind) {
	case MM_CHART_CEILING: {
		/* above the line, flush right, sliding left, then below; then on
		 * the line itself; never left of where the line starts */
		int row = cells[0].row, first = cells[0].col;
		for (int k = 0; k < n; k++)
			first = cells[k].col < first ? cells[k].col : first;
		/* flush right is a place even when the line is shorter */
		int lo = first < r->pw - w ? first : r->pw - w;
		for (int side = 0; side < 3; side++) {
			if (side == 2)
				*split = m;
			for (int col = r->pw - w; col >= lo && col >= 0; col--)
				out[m++] = (spot){row + (side == 0 ? -1 : side == 1), col};
		}
		return m;
	}
	case MM_CHART_RIDGE: /* beside it, right then left, bottom up */
		for (int k = 0; k < n; k++) {
			const spot *p = &cells[k];
			out[m++] = (spot){p->row, p->col + 1};
			out[m++] = (spot){p->row, p->col - w};
		}
		break;
	default: /* a roof: from the middle out, below-right then above-left */
		for (int d = 0; d < n; d++) {
			int k = n / 2 + (d % 2 ? -(d + 1) / 2 : d / 2);
			if (k < 0 || k >= n)
				continue;
			const spot *p = &cells[k];
			out[m++] = (spot){p->row + 1, p->col + 1};
			out[m++] = (spot){p->row, p->col + 2};
			out[m++] = (spot){p->row - 1, p->col - w};
			out[m++] = (spot){p->row, p->col - w - 1};
		}
	}
	*split = m;
	return m;
}

/* Labels of ceilings, then ridges, then roofs. */
static void draw_line_labels(R *r)
{
	static const mm_chart_kind order[] = {MM_CHART_CEILING, MM_CHART_RIDGE,
	                                      MM_CHART_ROOF};
	for (int o = 0; o < 3; o++)
		for (size_t i = 0; i < r->c->nseries; i++) {
			const mm_chart_series *s = &r->c->series[i];
			if (s->kind != order[o] || !s->label || !*s->label)
				continue;
			int n;
			spot *cells = line_cells(r, i, &n);
			int w = mm_chart_text_width(s->label);
			spot *sp = malloc(((size_t)4 * (size_t)n + 3 * (size_t)r->pw + 4) * sizeof *sp);
			if (cells && sp && n > 0) {
				int split = 0, m = line_spots(r, i, w, cells, n, sp, &split);
				r->placed[i] = place(r, sp, split, m, s->label,
				                     mm_chart_series_colour(r->c, i));
			} else if (!sp) {
				r->failed = true;
			}
			free(cells);
			free(sp);
		}
}

/* ---- ticks ---- */

/* Whether the labelled ticks sit at least `gap` lines apart. */
static bool y_fits(R *r, int gap)
{
	int last = -1000;
	for (int i = 0; i < r->yt.n; i++) {
		if (!r->yt.major[i])
			continue;
		int row = rnd(mm_chart_fy_raw(&r->g, r->yt.v[i]) * (r->ph - 1));
		if (row - last < gap)
			return false;
		last = row;
	}
	return true;
}

static void y_ticks(R *r)
{
	const mm_chart_geom *g = &r->g;
	for (int k = 1; k <= MM_CHART_TICKS; k++) {
		mm_chart_axis_ticks(g->ylog, g->ymin, g->ymax, g->ylog ? 0 : k - 1,
		                    &r->yt);
		if (g->ylog)
			mm_chart_thin_ticks(&r->yt, true, k);
		if (y_fits(r, 2))
			break;
	}
	int any = 0;
	for (int i = 0; i < r->yt.n; i++)
		any += r->yt.major[i];
	if (!any && r->yt.n)
		r->yt.major[0] = true;
}

/* The first column of tick i's label, centred under its column and kept
 * inside the chart's width. */
static int x_label_col(const R *r, int i)
{
	int w = mm_chart_text_width(r->xt.text[i]);
	int col = r->pl + colx(r, mm_chart_fx_raw(&r->g, r->xt.v[i])) - (w - 1) / 2;
	if (col + w > r->o->width)
		col = r->o->width - w;
	return col < 0 ? 0 : col;
}

static bool x_fits(const R *r)
{
	int end = -2;
	for (int i = 0; i < r->xt.n; i++) {
		if (!r->xt.major[i])
			continue;
		int col = x_label_col(r, i);
		if (col < end + 2)
			return false;
		end = col + mm_chart_text_width(r->xt.text[i]) - 1;
	}
	return true;
}

static void x_ticks(R *r)
{
	const mm_chart_geom *g = &r->g;
	for (int k = 1; k <= MM_CHART_TICKS; k++) {
		mm_chart_axis_ticks(g->xlog, g->xmin, g->xmax, g->xlog ? 0 : k - 1,
		                    &r->xt);
		if (g->xlog)
			mm_chart_thin_ticks(&r->xt, true, k);
		if (x_fits(r))
			break;
	}
	int any = 0;
	for (int i = 0; i < r->xt.n; i++)
		any += r->xt.major[i];
	if (!any && r->xt.n)
		r->xt.major[0] = true;
	r->xtick_all = true;
	for (int i = 1; i < r->xt.n; i++)
		if (colx(r, mm_chart_fx_raw(g, r->xt.v[i])) -
		        colx(r, mm_chart_fx_raw(g, r->xt.v[i - 1])) < 2)
			r->xtick_all = false;
}

/* ---- layout ---- */

static bool has_title(const char *s) { return s && *s; }

static bool has_axis_title(const mm_chart_axis *a)
{
	return (a->label && *a->label) || (a->unit && *a->unit);
}

/* Lines other than the plot and the legend. */
static int fixed_lines(const mm_chart *c)
{
	return has_title(c->title) + has_axis_title(&c->y) + 2 +
	       has_axis_title(&c->x);
}

/* Columns: y tick labels, the axis, the plot, and room for half the
 * last x tick label when that tick is at the right end. */
static void columns(R *r)
{
	y_ticks(r);
	r->tw = 1;
	for (int i = 0; i < r->yt.n; i++)
		if (r->yt.major[i]) {
			int w = mm_chart_text_width(r->yt.text[i]);
			r->tw = w > r->tw ? w : r->tw;
		}
	mm_chart_ticks t;
	mm_chart_axis_ticks(r->g.xlog, r->g.xmin, r->g.xmax, 0, &t);
	r->rm = 0;
	if (t.n && mm_chart_fx_raw(&r->g, t.v[t.n - 1]) > 1 - 1e-9)
		r->rm = mm_chart_text_width(t.text[t.n - 1]) / 2;
	if (r->tw > r->o->width / 3)
		r->tw = r->o->width / 3; /* absurd tick labels get cut */
	r->pl = r->tw + 1;
	r->pw = r->o->width - r->pl - r->rm;
	x_ticks(r);
}

/* ---- legend ---- */

static int entry_width(const entry *e)
{
	return mm_chart_text_width(e->glyph) + 1 +
	       mm_chart_text_width(mm_buf_str(&e->text));
}

/* The column of the next legend entry (w columns) on a line of W where
 * *used columns are taken, three blanks after the last entry; *nl tells
 * whether it starts a line (the first does, and one that does not fit). */
static int flow(int *used, int w, int W, bool *nl)
{
	int col = *used ? *used + 3 : 0;
	*nl = *used == 0 || col + w > W;
	if (*nl)
		col = 0;
	*used = col + (w > W ? W : w);
	return col;
}

static void add_entry(R *r, const char *glyph, int colour, const char *text)
{
	entry *e = &r->legend[r->nlegend++];
	e->glyph = glyph;
	e->colour = colour;
	mm_buf_reset(&e->text);
	mm_buf_puts(&e->text, text);
}

static void point_entry(R *r, size_t i)
{
	mm_buf t = MM_BUF_INIT;
	mm_chart_entry_text(&t, r->c, &r->g, i, &r->hidden);
	add_entry(r, marker(r, r->c->series[i].style),
	          mm_chart_series_colour(r->c, i), mm_buf_str(&t));
	mm_buf_free(&t);
}

/* Entries: every series with points, every line whose label is not on
 * the chart; then the lines they flow over. */
static void legend(R *r)
{
	bool u = r->o->unicode;
	r->nlegend = 0;
	for (size_t i = 0; i < r->c->nseries; i++) {
		const mm_chart_series *s = &r->c->series[i];
		if (mm_chart_has_points(s)) {
			point_entry(r, i);
			continue;
		}
		if (r->placed[i] || !s->label || !*s->label)
			continue;
		bool dotted = mm_chart_series_dotted(r->c, i);
		const char *g = dotted ? (u ? "\u2504\u2504" : "..")
		                       : (u ? "\u2500\u2500" : "--");
		mm_buf t = MM_BUF_INIT;
		mm_chart_entry_text(&t, r->c, &r->g, i, &r->hidden);
		add_entry(r, g, mm_chart_series_colour(r->c, i), mm_buf_str(&t));
		mm_buf_free(&t);
	}
	int lines = 0, used = 0;
	for (int k = 0; k < r->nlegend; k++) {
		bool nl;
		flow(&used, entry_width(&r->legend[k]), r->o->width, &nl);
		lines += nl;
	}
	r->legend_lines = lines;
}

/* ---- one rendering ---- */

static void release(R *r)
{
	free(r->ov);
	free(r->dots);
	free(r->ach);
	free(r->inkc);
	r->ov = NULL;
	r->dots = NULL;
	r->ach = NULL;
	r->inkc = NULL;
	r->failed |= r->hidden.failed;
	mm_chart_hidden_free(&r->hidden);
}

/* Lays out and draws the plot with ph lines; the legend follows. */
static void draw(R *r, int ph)
{
	release(r);
	r->ph = ph;
	r->pt = has_title(r->c->title) + has_axis_title(&r->c->y);
	columns(r);
	size_t n = (size_t)r->pw * (size_t)r->ph;
	r->ov = calloc(n, sizeof *r->ov);
	r->dots = calloc(n, 1);
	r->ach = calloc(n, 1);
	r->inkc = calloc(n, 1);
	if (!r->ov || !r->dots || !r->ach || !r->inkc) {
		r->failed = true;
		return;
	}
	memset(r->placed, 0, r->c->nseries * sizeof *r->placed);
	draw_lines(r);
	draw_points(r);
	draw_line_labels(r);
	legend(r);
}

/* Draws with the plot as tall as the height allows once the legend is
 * known: the legend's length depends on which line labels found room,
 * which depends on the plot's height, so a few rounds settle it. */
static void render(R *r)
{
	int fixed = fixed_lines(r->c), guess = 0;
	for (size_t i = 0; i < r->c->nseries; i++)
		guess += mm_chart_has_points(&r->c->series[i]);
	guess = guess ? 1 : 0;
	for (int round = 0; round < 4 && !r->failed; round++) {
		int ph = r->o->height - fixed - guess;
		draw(r, ph < 3 ? 3 : ph);
		if (r->legend_lines <= guess || ph <= 3)
			break;
		guess = r->legend_lines;
	}
}

/* ---- composing the lines ---- */

static void compose_axes(R *r, cell *scr, int W)
{
	bool u = r->o->unicode;
	int base = r->pt + r->ph;
	for (int row = 0; row < r->ph; row++)
		put_cells(scr + (size_t)(r->pt + row) * W, W, r->tw,
		          u ? "\u2502" : "|", 0, K_AXIS);
	for (int i = 0; i < r->yt.n; i++) {
		if (!r->yt.major[i])
			continue;
		int row = r->pt + rowy(r, mm_chart_fy_raw(&r->g, r->yt.v[i]));
		cell *line = scr + (size_t)row * W;
		put_cells(line, W, r->tw, u ? "\u2524" : "+", 0, K_AXIS);
		put_cells(line, W, r->tw - mm_chart_text_width(r->yt.text[i]),
		          r->yt.text[i], 0, K_TEXT);
	}
	cell *axis = scr + (size_t)base * W;
	put_cells(axis, W, r->tw, u ? "\u2514" : "+", 0, K_AXIS);
	for (int col = 0; col < r->pw; col++)
		put_cells(axis, W, r->pl + col, u ? "\u2500" : "-", 0, K_AXIS);
	for (int i = 0; i < r->xt.n; i++) {
		if (!r->xt.major[i] && !r->xtick_all)
			continue;
		int col = r->pl + colx(r, mm_chart_fx_raw(&r->g, r->xt.v[i]));
		put_cells(axis, W, col, u ? "\u252c" : "+", 0, K_AXIS);
		if (r->xt.major[i])
			put_cells(axis + W, W, x_label_col(r, i), r->xt.text[i], 0,
			          K_TEXT);
	}
}

static void compose_plot(R *r, cell *scr, int W)
{
	bool any = false;
	for (int row = 0; row < r->ph; row++) {
		cell *line = scr + (size_t)(r->pt + row) * W + r->pl;
		for (int col = 0; col < r->pw; col++) {
			size_t i = (size_t)row * (size_t)r->pw + (size_t)col;
			const cell *o = &r->ov[i];
			if (o->kind != K_BLANK) {
				line[col] = *o;
				any = true;
			} else if (r->o->unicode && r->dots[i]) {
				char s[4] = {(char)0xE2, (char)(0xA0 | r->dots[i] >> 6),
				             (char)(0x80 | (r->dots[i] & 0x3F)), 0};
				put_cells(line, r->pw, col, s, r->inkc[i], K_TEXT);
				any = true;
			} else if (!r->o->unicode && r->ach[i]) {
				char s[2] = {r->ach[i], 0};
				put_cells(line, r->pw, col, s, r->inkc[i], K_TEXT);
				any = true;
			}
		}
	}
	if (!any) {
		const char *s = "(no data)";
		int col = r->pl + (r->pw - mm_chart_text_width(s)) / 2;
		put_cells(scr + (size_t)(r->pt + r->ph / 2) * W, W, col, s, 0, K_TEXT);
	}
}

static void compose_text(R *r, cell *scr, int W, int legend_row)
{
	mm_buf t = MM_BUF_INIT;
	bool u = r->o->unicode;
	if (has_title(r->c->title)) {
		fit_text(&t, r->c->title, W, u);
		int w = mm_chart_text_width(mm_buf_str(&t));
		put_cells(scr, W, (W - w) / 2, mm_buf_str(&t), C_BOLD, K_TEXT);
	}
	mm_buf title = MM_BUF_INIT;
	if (has_axis_title(&r->c->y)) {
		mm_chart_axis_title(&title, &r->c->y);
		fit_text(&t, mm_buf_str(&title), W, u);
		put_cells(scr + (size_t)has_title(r->c->title) * W, W, 0,
		          mm_buf_str(&t), 0, K_TEXT);
	}
	if (has_axis_title(&r->c->x)) {
		mm_buf_reset(&title);
		mm_chart_axis_title(&title, &r->c->x);
		fit_text(&t, mm_buf_str(&title), W, u);
		int w = mm_chart_text_width(mm_buf_str(&t));
		int col = r->pl + (r->pw - w) / 2;
		col = col + w > W ? W - w : col < 0 ? 0 : col;
		put_cells(scr + (size_t)(r->pt + r->ph + 2) * W, W, col,
		          mm_buf_str(&t), 0, K_TEXT);
	}
	int row = legend_row - 1, used = 0;
	for (int k = 0; k < r->nlegend; k++) {
		entry *e = &r->legend[k];
		int gw = mm_chart_text_width(e->glyph);
		bool nl;
		int col = flow(&used, entry_width(e), W, &nl);
		row += nl;
		cell *line = scr + (size_t)row * W;
		put_cells(line, W, col, e->glyph, e->colour, K_TEXT);
		fit_text(&t, mm_buf_str(&e->text), W - col - gw - 1, u);
		put_cells(line, W, col + gw + 1, mm_buf_str(&t), 0, K_TEXT);
	}
	mm_buf_free(&title);
	mm_buf_free(&t);
}

static void serialize(mm_buf *b, const cell *scr, int W, int H, bool colour)
{
	for (int row = 0; row < H; row++) {
		const cell *line = scr + (size_t)row * W;
		int end = W;
		while (end > 0 && line[end - 1].kind == K_BLANK)
			end--;
		int cur = 0;
		for (int col = 0; col < end; col++) {
			const cell *c = &line[col];
			if (c->kind != K_BLANK && c->w == 0)
				continue;
			int want = c->kind == K_BLANK ? 0 : c->colour;
			if (colour && want != cur) {
				mm_buf_printf(b, "\033[%sm", cur ? "0" : sgr[want]);
				if (cur && want)
					mm_buf_printf(b, "\033[%sm", sgr[want]);
				cur = want;
			}
			if (c->kind == K_BLANK)
				mm_buf_putc(b, ' ');
			else
				mm_buf_add(b, c->s, c->n);
		}
		if (cur)
			mm_buf_puts(b, "\033[0m");
		mm_buf_putc(b, '\n');
	}
}

/* ---- entry points ---- */

static mm_code start(R *r, const mm_chart *c, const mm_chart_text_opts *o,
                     mm_diag *d)
{
	memset(r, 0, sizeof *r);
	if (!o || o->width < MM_CHART_MIN_WIDTH || o->width > MM_CHART_MAX_WIDTH ||
	    o->height < MM_CHART_MIN_HEIGHT || o->height > MM_CHART_MAX_HEIGHT)
		return mm_diag_set(d, MM_ERR_VALUE, (mm_span){0, 0},
		                   "chart: the size must be %d..%d columns by "
		                   "%d..%d lines", MM_CHART_MIN_WIDTH,
		                   MM_CHART_MAX_WIDTH, MM_CHART_MIN_HEIGHT,
		                   MM_CHART_MAX_HEIGHT);
	mm_code code = mm_chart_prepare(c, &r->g, d);
	if (code != MM_OK)
		return code;
	r->c = c;
	r->o = o;
	size_t n = c->nseries ? c->nseries : 1;
	r->placed = calloc(n, sizeof *r->placed);

	r->legend = calloc(n, sizeof *r->legend);
	if (!r->placed || !r->legend)
		r->failed = true;
	else
		render(r);
	return MM_OK;
}

static void finish(R *r)
{
	release(r);
	for (size_t i = 0; r->c && i < r->c->nseries; i++) {
		if (r->legend)
			mm_buf_free(&r->legend[i].text);
	}
	free(r->placed);
	free(r->legend);
}

static mm_code nomem(R *r, mm_diag *d)
{
	finish(r);
	return mm_diag_set(d, MM_ERR_NOMEM, (mm_span){0, 0},
	                   "chart: out of memory");
}

static int total_lines(const R *r)
{
	return r->pt + r->ph + 2 + has_axis_title(&r->c->x) + r->legend_lines;
}

mm_code mm_chart_text_layout(const mm_chart *c, const mm_chart_text_opts *o,
                             mm_chart_layout *out, mm_diag *d)
{
	R r;
	mm_code code = start(&r, c, o, d);
	if (code != MM_OK)
		return code;
	if (r.failed)
		return nomem(&r, d);
	*out = (mm_chart_layout){r.pl, r.pt, r.pw, r.ph, r.g.xmin, r.g.xmax,
	                         r.g.ymin, r.g.ymax, total_lines(&r)};
	finish(&r);
	return MM_OK;
}

mm_code mm_chart_text(mm_buf *b, const mm_chart *c,
                      const mm_chart_text_opts *o, mm_diag *d)
{
	R r;
	mm_code code = start(&r, c, o, d);
	if (code != MM_OK)
		return code;
	if (r.failed)
		return nomem(&r, d);
	int W = o->width, H = total_lines(&r);
	cell *scr = calloc((size_t)W * (size_t)H, sizeof *scr);
	if (!scr)
		return nomem(&r, d);
	compose_axes(&r, scr, W);
	compose_plot(&r, scr, W);
	compose_text(&r, scr, W, H - r.legend_lines);
	serialize(b, scr, W, H, o->colour);
	free(scr);
	finish(&r);
	return MM_OK;
}
