/* chart_svg.c — charts as standalone SVG 1.1 documents: log or linear
 * axes with grid lines, the roofline, markers, labels placed where they
 * overlap nothing, and a legend below the plot. Written by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart_internal.h"

#define FONT 12.0   /* px, ticks, labels and legend */
#define TITLE 15.0  /* px, the title */
#define EM 0.62     /* an estimate of a column's width, in font sizes */
#define LEGEND_ROW 20.0

/* Okabe and Ito's colour-blind-safe palette. */
static const char *const palette[] = {
	[MM_CHART_C_NONE] = "#000000",     [MM_CHART_C_PRED] = "#0072B2",
	[MM_CHART_C_MEAS] = "#D55E00",     [MM_CHART_C_ROOF] = "#009E73",
	[MM_CHART_C_RIDGE] = "#777777",    [MM_CHART_C_CEIL] = "#E69F00",
	[MM_CHART_C_CEIL + 1] = "#CC79A7", [MM_CHART_C_CEIL + 2] = "#56B4E9",
	[MM_CHART_C_CEIL + 3] = "#882255",
};

/* XML character data or attribute text: &<>"' escaped, U+FFFD for bytes
 * that are not UTF-8, characters XML 1.0 forbids (controls, U+FFFE,
 * U+FFFF) dropped, line breaks as spaces. */
static void esc(mm_buf *b, const char *s)
{
	int n;
	for (; s && *s; s += n) {
		uint32_t cp = mm_chart_u8_decode(s, &n);
		switch (cp) {
		case '&': mm_buf_puts(b, "&amp;"); continue;
		case '<': mm_buf_puts(b, "&lt;"); continue;
		case '>': mm_buf_puts(b, "&gt;"); continue;
		case '"': mm_buf_puts(b, "&quot;"); continue;
		case '\'': mm_buf_puts(b, "&#39;"); continue;
		case '\t': case '\n': case '\r': mm_buf_putc(b, ' '); continue;
		default: break;
		}
		if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
			continue;
		if (cp == 0xFFFD)
			mm_buf_puts(b, "\xef\xbf\xbd");
		else
			mm_buf_add(b, s, (size_t)n);
	}
}

static double text_px(const char *s, double size)
{
	return mm_chart_text_width(s) * EM * size;
}

/* ---- the state ---- */

typedef struct box {
	double x0, y0, x1, y1;
} box;

typedef struct S {
	const mm_chart *c;
	mm_chart_geom g;
	mm_chart_ticks xt, yt;
	double W, H, px, py, pw, ph; /* document; plot's left, top, size */
	double legend_y;             /* the middle of the legend's first row */
	box *boxes;                  /* what labels must not cover */
	size_t nbox, capbox;
	mm_chart_segs drawn;         /* the lines, in px: avoided if possible */
	bool *placed;
	mm_chart_hidden hidden;
	bool failed;
} S;

static double X(const S *s, double f) { return s->px + f * s->pw; }
static double Y(const S *s, double f) { return s->py + (1 - f) * s->ph; }

static void occupy(S *s, box b)
{
	if (s->nbox == s->capbox) {
		size_t cap = s->capbox ? s->capbox * 2 : 32;
		box *p = realloc(s->boxes, cap * sizeof *p);
		if (!p) {
			s->failed = true;
			return;
		}
		s->boxes = p;
		s->capbox = cap;
	}
	s->boxes[s->nbox++] = b;
}

/* Whether segment g crosses box b (Liang–Barsky). */
static bool crosses(const mm_chart_seg *g, box b)
{
	double dx = g->x1 - g->x0, dy = g->y1 - g->y0, t0 = 0, t1 = 1;
	double p[4] = {-dx, dx, -dy, dy};
	double q[4] = {g->x0 - b.x0, b.x1 - g->x0, g->y0 - b.y0, b.y1 - g->y0};
	for (int i = 0; i < 4; i++) {
		if (p[i] == 0) {
			if (q[i] < 0)
				return false;
			continue;
		}
		double t = q[i] / p[i];
		if (p[i] < 0)
			t0 = fmax(t0, t);
		else
			t1 = fmin(t1, t);
		if (t0 > t1)
			return false;
	}
	return true;
}

/* Whether b is inside the plot, overlaps no occupied box and, unless
 * over_lines, crosses no line. */
static bool free_box(const S *s, box b, bool over_lines)
{
	for (size_t i = 0; !over_lines && i < s->drawn.n; i++)
		if (crosses(&s->drawn.s[i], b))
			return false;
	if (b.x0 < s->px || b.x1 > s->px + s->pw || b.y0 < s->py ||
	    b.y1 > s->py + s->ph)
		return false;
	for (size_t i = 0; i < s->nbox; i++) {
		const box *o = &s->boxes[i];
		if (b.x0 < o->x1 && o->x0 < b.x1 && b.y0 < o->y1 && o->y0 < b.y1)
			return false;
	}
	return true;
}

/* A label at (x, y) (its baseline; anchor "start", "middle" or "end"),
 * rotated by deg about that point, with a white halo under it so lines
 * beneath it do not cross it. */
static void label(mm_buf *b, double x, double y, const char *anchor,
                  double deg, const char *colour, const char *text)
{
	for (int pass = 0; pass < 2; pass++) {
		mm_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"",
		              x, y, anchor);
		if (deg != 0)
			mm_buf_printf(b, " transform=\"rotate(%.1f %.1f %.1f)\"", deg,
			              x, y);
		if (pass == 0)
			mm_buf_puts(b, " fill=\"none\" stroke=\"#ffffff\" "
			               "stroke-width=\"3\" stroke-linejoin=\"round\">");
		else
			mm_buf_printf(b, " fill=\"%s\">", colour);
		esc(b, text);
		mm_buf_puts(b, "</text>\n");
	}
}

/* ---- axes ---- */

/* Ticks thinned (log) or coarsened (linear) until labels `gap` px apart
 * fit along `len` px; width is their extent along the axis. */
static void ticks(bool log, double lo, double hi, double len, bool along_x,
                  const mm_chart_geom *g, mm_chart_ticks *t)
{
	for (int k = 1; k <= MM_CHART_TICKS; k++) {
		mm_chart_axis_ticks(log, lo, hi, log ? 0 : k - 1, t);
		if (log)
			mm_chart_thin_ticks(t, true, k);
		double last = -1e9, prev_w = 0;
		bool ok = true;
		for (int i = 0; i < t->n && ok; i++) {
			if (!t->major[i])
				continue;
			double f = along_x ? mm_chart_fx_raw(g, t->v[i])
			                   : mm_chart_fy_raw(g, t->v[i]);
			double w = along_x ? text_px(t->text[i], FONT) : FONT;
			ok = f * len - w / 2 >= last + prev_w / 2 + 8 || last < -1e8;
			last = f * len;
			prev_w = w;
		}
		if (ok)
			return;
	}
}

static void grid_line(mm_buf *b, const S *s, bool vertical, double f,
                      const char *colour)
{
	if (vertical)
		mm_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		              "y2=\"%.1f\" stroke=\"%s\"/>\n", X(s, f), s->py,
		              X(s, f), s->py + s->ph, colour);
	else
		mm_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		              "y2=\"%.1f\" stroke=\"%s\"/>\n", s->px, Y(s, f),
		              s->px + s->pw, Y(s, f), colour);
}

/* Fainter lines at 2..9 times each decade, when there are few decades. */
static void minor_grid(mm_buf *b, const S *s, bool vertical)
{
	double lo = vertical ? s->g.xmin : s->g.ymin;
	double hi = vertical ? s->g.xmax : s->g.ymax;
	if (log10(hi / lo) > 12)
		return;
	for (int e = (int)floor(log10(lo)); e <= (int)ceil(log10(hi)); e++)
		for (int m = 2; m <= 9; m++) {
			double v = m * pow(10.0, e);
			if (v <= lo || v >= hi)
				continue;
			grid_line(b, s, vertical, vertical ? mm_chart_fx_raw(&s->g, v)
			                                   : mm_chart_fy_raw(&s->g, v),
			          "#eeeeee");
		}
}

static void axes(mm_buf *b, S *s)
{
	const mm_chart_geom *g = &s->g;
	if (g->xlog)
		minor_grid(b, s, true);
	if (g->ylog)
		minor_grid(b, s, false);
	for (int i = 0; i < s->xt.n; i++)
		grid_line(b, s, true, mm_chart_fx_raw(g, s->xt.v[i]),
		          s->xt.major[i] ? "#cccccc" : "#e4e4e4");
	for (int i = 0; i < s->yt.n; i++)
		grid_line(b, s, false, mm_chart_fy_raw(g, s->yt.v[i]),
		          s->yt.major[i] ? "#cccccc" : "#e4e4e4");
	mm_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	              "height=\"%.1f\" fill=\"none\" stroke=\"#333333\"/>\n",
	              s->px, s->py, s->pw, s->ph);
	for (int i = 0; i < s->xt.n; i++)
		if (s->xt.major[i]) {
			double x = X(s, mm_chart_fx_raw(g, s->xt.v[i]));
			mm_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" "
			              "text-anchor=\"middle\">", x,
			              s->py + s->ph + FONT + 6);
			esc(b, s->xt.text[i]);
			mm_buf_puts(b, "</text>\n");
		}
	for (int i = 0; i < s->yt.n; i++)
		if (s->yt.major[i]) {
			double y = Y(s, mm_chart_fy_raw(g, s->yt.v[i]));
			mm_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" "
			              "text-anchor=\"end\">", s->px - 6, y + FONT * 0.35);
			esc(b, s->yt.text[i]);
			mm_buf_puts(b, "</text>\n");
		}
	mm_buf t = MM_BUF_INIT;
	mm_chart_axis_title(&t, &s->c->x);
	if (t.len) {
		mm_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		              s->px + s->pw / 2, s->py + s->ph + 2 * FONT + 14);
		esc(b, mm_buf_str(&t));
		mm_buf_puts(b, "</text>\n");
	}
	mm_buf_reset(&t);
	mm_chart_axis_title(&t, &s->c->y);
	if (t.len) {
		double x = FONT + 4, y = s->py + s->ph / 2;
		mm_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		              "transform=\"rotate(-90 %.1f %.1f)\">", x, y, x, y);
		esc(b, mm_buf_str(&t));
		mm_buf_puts(b, "</text>\n");
	}
	mm_buf_free(&t);
}

/* ---- lines and markers ---- */

/* Keeps segment g, in px, among the lines labels avoid. */
static void remember(S *s, const mm_chart_seg *g)
{
	mm_chart_segs *d = &s->drawn;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		mm_chart_seg *p = realloc(d->s, cap * sizeof *p);
		if (!p) {
			s->failed = true;
			return;
		}
		d->s = p;
		d->cap = cap;
	}
	d->s[d->n++] = (mm_chart_seg){X(s, g->x0), Y(s, g->y0), X(s, g->x1),
	                              Y(s, g->y1)};
}

static void lines(mm_buf *b, S *s)
{
	static const mm_chart_kind order[] = {MM_CHART_RIDGE, MM_CHART_CEILING,
	                                      MM_CHART_ROOF, MM_CHART_LINE};
	mm_buf_printf(b, "<g clip-path=\"url(#plot)\" fill=\"none\" "
	              "stroke-width=\"2\" stroke-linejoin=\"round\">\n");
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < s->c->nseries; i++) {
			if (s->c->series[i].kind != order[k])
				continue;
			mm_chart_segs segs = {0};
			mm_chart_series_segs(s->c, &s->g, i, &segs);
			s->failed |= segs.failed;
			if (segs.n == 0) {
				mm_chart_segs_free(&segs);
				continue;
			}
			mm_buf_printf(b, "<path stroke=\"%s\"%s d=\"",
			              palette[mm_chart_series_colour(s->c, i)],
			              mm_chart_series_dotted(s->c, i)
			                  ? " stroke-dasharray=\"5 4\"" : "");
			for (size_t j = 0; j < segs.n; j++) {
				const mm_chart_seg *g = &segs.s[j];
				remember(s, g);
				bool joined = j > 0 && segs.s[j - 1].x1 == g->x0 &&
				              segs.s[j - 1].y1 == g->y0;
				if (!joined)
					mm_buf_printf(b, "%sM%.1f %.1f", j ? " " : "",
					              X(s, g->x0), Y(s, g->y0));
				mm_buf_printf(b, " L%.1f %.1f", X(s, g->x1), Y(s, g->y1));
			}
			mm_buf_puts(b, "\"/>\n");
			mm_chart_segs_free(&segs);
		}
	mm_buf_puts(b, "</g>\n");
}

/* A marker's shape centred at (x, y): a circle for predicted values, a
 * diamond for measured ones. */
static void shape(mm_buf *b, double x, double y, mm_chart_style st,
                  const char *colour, double r)
{
	if (st == MM_CHART_MEASURED)
		mm_buf_printf(b, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f "
		              "%.1f,%.1f\" fill=\"%s\" stroke=\"#ffffff\"/>\n",
		              x, y - r * 1.3, x + r * 1.3, y, x, y + r * 1.3,
		              x - r * 1.3, y, colour);
	else
		mm_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
		              "fill=\"%s\" stroke=\"#ffffff\"/>\n", x, y, r, colour);
}

typedef struct mark {
	double x, y;
	size_t s, k;
} mark;

/* Markers of every series, each occupying its box. */
static mark *markers(mm_buf *b, S *s, size_t *n)
{
	size_t total = mm_chart_total_points(s->c);
	mark *m = malloc((total ? total : 1) * sizeof *m);
	*n = 0;
	if (!m) {
		s->failed = true;
		return NULL;
	}
	for (size_t i = 0; i < s->c->nseries; i++) {
		const mm_chart_series *r = &s->c->series[i];
		for (size_t k = 0; mm_chart_has_points(r) && k < r->npoints; k++) {
			double fx, fy;
			if (!mm_chart_fx(&s->g, r->points[k].x, &fx) ||
			    !mm_chart_fy(&s->g, r->points[k].y, &fy))
				continue;
			mark p = {X(s, fx), Y(s, fy), i, k};
			m[(*n)++] = p;
			shape(b, p.x, p.y, r->style,
			      palette[mm_chart_series_colour(s->c, i)], 4.5);
			occupy(s, (box){p.x - 5, p.y - 5, p.x + 5, p.y + 5});
		}
	}
	return m;
}

/* Point labels: points within 3 px of each other share one. */
static void point_labels(mm_buf *b, S *s, const mark *m, size_t n)
{
	bool *done = calloc(n ? n : 1, sizeof *done);
	const char **labels = malloc((n ? n : 1) * sizeof *labels);
	const mark **group = malloc((n ? n : 1) * sizeof *group);
	mm_buf text = MM_BUF_INIT;
	if (!done || !labels || !group)
		s->failed = true;
	for (size_t i = 0; i < n && !s->failed; i++) {
		if (done[i])
			continue;
		size_t g = 0;
		for (size_t j = i; j < n; j++)
			if (!done[j] && fabs(m[j].x - m[i].x) < 3 &&
			    fabs(m[j].y - m[i].y) < 3) {
				done[j] = true;
				group[g] = &m[j];
				labels[g++] = s->c->series[m[j].s].points[m[j].k].label;
			}
		mm_buf_reset(&text);
		mm_chart_join_labels(&text, labels, g);
		if (!text.len)
			continue;
		const char *t = mm_buf_str(&text);
		size_t last = group[g - 1]->s;
		double w = text_px(t, FONT), x = m[i].x, y = m[i].y;
		double h = FONT / 2;
		box cand[] = {{x + 6, y - h, x + 6 + w, y + h},
		              {x - 6 - w, y - h, x - 6, y + h},
		              {x - w / 2, y - 7 - FONT, x + w / 2, y - 7},
		              {x - w / 2, y + 7, x + w / 2, y + 7 + FONT},
		              {x + 5, y - 5 - FONT, x + 5 + w, y - 5},
		              {x + 5, y + 5, x + 5 + w, y + 5 + FONT},
		              {x - 5 - w, y - 5 - FONT, x - 5, y - 5},
		              {x - 5 - w, y + 5, x - 5, y + 5 + FONT}};
		/* free of lines first, then over them */
		int k = 0, nc = (int)(sizeof cand / sizeof cand[0]);
		while (k < nc && !free_box(s, cand[k], false))
			k++;
		if (k == nc)
			for (k = 0; k < nc && !free_box(s, cand[k], true); k++)
				;
		if (k == nc) {
			for (size_t j = 0; j < g; j++)
				mm_chart_hide(&s->hidden, last, labels[j]);
			continue;
		}
		occupy(s, cand[k]);
		label(b, (cand[k].x0 + cand[k].x1) / 2, cand[k].y1 - 2, "middle", 0,
		      palette[mm_chart_series_colour(s->c, last)], t);
	}
	mm_buf_free(&text);
	free(group);
	free(labels);
	free(done);
}

/* ---- line labels ---- */

/* A ceiling's label above its line at the right, sliding left but not
 * past its start, else below; free of lines first. */
static bool ceiling_label(mm_buf *b, S *s, size_t i, const mm_chart_seg *g)
{
	const char *t = s->c->series[i].label;
	double w = text_px(t, FONT), y = Y(s, g->y0), x1 = X(s, g->x1) - 4;
	double lo = fmax(s->px, fmin(X(s, g->x0), x1 - w));
	for (int over = 0; over < 2; over++)
	for (int below = 0; below < 2; below++)
		for (double dx = 0; x1 - dx - w >= lo; dx += 10) {
			box c = {x1 - dx - w, below ? y + 6 : y - 6 - FONT, x1 - dx,
			         below ? y + 6 + FONT : y - 6};
			if (free_box(s, c, over)) {
				occupy(s, c);
				label(b, c.x1, c.y1 - 2, "end", 0,
				      palette[mm_chart_series_colour(s->c, i)], t);
				return true;
			}
		}
	return false;
}

/* A roof's or ridge's label along its line, reading left to right (up,
 * for a ridge), above it or else below it, somewhere from the middle out;
 * the rotated text occupies its bounding box. */
static bool sloped_label(mm_buf *b, S *s, size_t i, const mm_chart_seg *g0,
                         const mm_chart_seg *g1)
{
	const char *t = s->c->series[i].label;
	double ax = X(s, g0->x0), ay = Y(s, g0->y0);
	double bx = X(s, g1->x1), by = Y(s, g1->y1);
	double len = hypot(bx - ax, by - ay), w = text_px(t, FONT);
	if (len < w + 8)
		return false;
	double ux = (bx - ax) / len, uy = (by - ay) / len;
	if (ux < 0 || (ux == 0 && uy > 0))
		ux = -ux, uy = -uy;
	double nx = uy, ny = -ux; /* "up" from the text: -(its down) */
	double deg = atan2(uy, ux) * 180 / M_PI;
	double hx = fabs(ux) * w / 2 + fabs(nx) * FONT / 2;
	double hy = fabs(uy) * w / 2 + fabs(ny) * FONT / 2;
	static const double where[] = {0.5, 0.35, 0.65, 0.2, 0.8};
	for (int side = 0; side < 2; side++)
		for (int k = 0; k < 5; k++) {
			double along = len * where[k];
			if (along < w / 2 + 2 || along > len - w / 2 - 2)
				continue;
			double px = ax + (bx - ax) * where[k], py = ay + (by - ay) * where[k];
			double off = (side ? -1 : 1) * (3 + FONT / 2);
			double cx = px + nx * off, cy = py + ny * off;
			box c = {cx - hx, cy - hy, cx + hx, cy + hy};
			if (!free_box(s, c, true))
				continue;
			occupy(s, c);
			label(b, cx - nx * FONT * 0.35, cy - ny * FONT * 0.35, "middle",
			      deg, palette[mm_chart_series_colour(s->c, i)], t);
			return true;
		}
	return false;
}

/* Labels of the lines of the kinds in order[0..n). */
static void line_labels(mm_buf *b, S *s, const mm_chart_kind *order, int n)
{
	for (int o = 0; o < n; o++)
		for (size_t i = 0; i < s->c->nseries; i++) {
			const mm_chart_series *r = &s->c->series[i];
			if (r->kind != order[o] || !r->label || !*r->label)
				continue;
			mm_chart_segs segs = {0};
			mm_chart_series_segs(s->c, &s->g, i, &segs);
			s->failed |= segs.failed;
			if (segs.n && r->kind == MM_CHART_CEILING)
				s->placed[i] = ceiling_label(b, s, i, &segs.s[0]);
			else if (segs.n)
				s->placed[i] = sloped_label(b, s, i, &segs.s[0],
				                            &segs.s[segs.n - 1]);
			mm_chart_segs_free(&segs);
		}
}

/* ---- legend ---- */

static bool in_legend(const S *s, size_t i)
{
	const mm_chart_series *r = &s->c->series[i];
	return mm_chart_has_points(r) || (!s->placed[i] && r->label && *r->label);
}

/* The legend's rows over width px from x0 (drawn when b is not NULL, the
 * first row's middle at y0). */
static int legend(mm_buf *b, S *s, double x0, double y0, double width)
{
	mm_buf t = MM_BUF_INIT;
	double x = x0;
	int rows = 0;
	for (size_t i = 0; i < s->c->nseries; i++) {
		if (!in_legend(s, i))
			continue;
		mm_buf_reset(&t);
		mm_chart_entry_text(&t, s->c, &s->g, i, &s->hidden);
		double w = 30 + text_px(mm_buf_str(&t), FONT);
		if (rows == 0 || (x > x0 && x + w > x0 + width)) {
			rows++;
			x = x0;
		}
		double y = y0 + (rows - 1) * LEGEND_ROW;
		const mm_chart_series *r = &s->c->series[i];
		const char *col = palette[mm_chart_series_colour(s->c, i)];
		if (b && mm_chart_has_points(r)) {
			shape(b, x + 10, y, r->style, col, 4.5);
		} else if (b) {
			mm_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			              "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
			              x, y, x + 22, y, col,
			              mm_chart_series_dotted(s->c, i)
			                  ? " stroke-dasharray=\"5 4\"" : "");
		}
		if (b) {
			mm_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", x + 28,
			              y + FONT * 0.35);
			esc(b, mm_buf_str(&t));
			mm_buf_puts(b, "</text>\n");
		}
		x += w + 24;
	}
	mm_buf_free(&t);
	return rows;
}

/* ---- the document ---- */

/* Margins from the tick labels, titles and legend; the legend's rows
 * depend on which line labels went onto the plot, so it is measured with
 * every label in it (the most it can take). */
static void layout(S *s, double W, double H)
{
	const mm_chart *c = s->c;
	mm_buf t = MM_BUF_INIT;
	s->W = W;
	s->H = H;
	s->py = (c->title && *c->title) ? TITLE + 22 : 16;
	mm_chart_axis_ticks(s->g.ylog, s->g.ymin, s->g.ymax, 0, &s->yt);
	double tw = 0;
	for (int i = 0; i < s->yt.n; i++)
		tw = fmax(tw, text_px(s->yt.text[i], FONT));
	mm_chart_axis_title(&t, &c->y);
	s->px = tw + 14 + (t.len ? FONT + 12 : 0);
	s->pw = W - s->px - 24;
	memset(s->placed, 0, (c->nseries ? c->nseries : 1) * sizeof *s->placed);
	int rows = legend(NULL, s, s->px, 0, s->pw);
	mm_buf_reset(&t);
	mm_chart_axis_title(&t, &c->x);
	double below = FONT + 10 + (t.len ? FONT + 10 : 0);
	s->ph = H - s->py - below - rows * LEGEND_ROW - 10;
	s->legend_y = s->py + s->ph + below + LEGEND_ROW / 2 + 2;
	mm_buf_free(&t);
	ticks(s->g.xlog, s->g.xmin, s->g.xmax, s->pw, true, &s->g, &s->xt);
	ticks(s->g.ylog, s->g.ymin, s->g.ymax, s->ph, false, &s->g, &s->yt);
}

static void document(mm_buf *b, S *s)
{
	const mm_chart *c = s->c;
	mm_buf_printf(b, "<defs><clipPath id=\"plot\"><rect x=\"%.1f\" y=\"%.1f\" "
	              "width=\"%.1f\" height=\"%.1f\"/></clipPath></defs>\n",
	              s->px, s->py, s->pw, s->ph);
	if (c->title && *c->title) {
		mm_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		              "font-size=\"%.0f\" font-weight=\"bold\">", s->W / 2,
		              TITLE + 8, TITLE);
		esc(b, c->title);
		mm_buf_puts(b, "</text>\n");
	}
	axes(b, s);
	lines(b, s);
	/* Ceilings' labels before the points': the points' have places on
	 * every side, a ceiling's only along its line. */
	static const mm_chart_kind ceilings[] = {MM_CHART_CEILING};
	static const mm_chart_kind others[] = {MM_CHART_RIDGE, MM_CHART_ROOF};
	size_t n;
	mark *m = markers(b, s, &n);
	line_labels(b, s, ceilings, 1);
	if (m)
		point_labels(b, s, m, n);
	free(m);
	line_labels(b, s, others, 2);
	if (n == 0) {
		bool any = false;
		for (size_t i = 0; i < c->nseries; i++)
			any |= !mm_chart_has_points(&c->series[i]) &&
			       mm_chart_line_shown(c, &s->g, i);
		if (!any)
			mm_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
			              "fill=\"#777777\">(no data)</text>\n",
			              s->px + s->pw / 2, s->py + s->ph / 2);
	}
	int rows = legend(b, s, s->px, s->legend_y, s->pw);
	mm_buf_puts(b, "</svg>\n");
	/* notes of hidden labels can make the legend longer than measured */
	s->H = fmax(s->H, s->legend_y + (rows - 0.5) * LEGEND_ROW + 8);
}

static void header(mm_buf *b, const S *s)
{
	mm_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" "
	              "standalone=\"no\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
	              "version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
	              "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, "
	              "Helvetica, Arial, sans-serif\" font-size=\"%.0f\">\n",
	              s->W, ceil(s->H), s->W, ceil(s->H), FONT);
	if (s->c->title && *s->c->title) {
		mm_buf_puts(b, "<title>");
		esc(b, s->c->title);
		mm_buf_puts(b, "</title>\n");
	}
	mm_buf_printf(b, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
	              s->W, ceil(s->H));
}

mm_code mm_chart_svg(mm_buf *b, const mm_chart *c, const mm_chart_svg_opts *o,
                     mm_diag *d)
{
	double W = o && o->width ? o->width : 720, H = o && o->height ? o->height : 480;
	if (W < 200 || W > 10000 || H < 200 || H > 10000)
		return mm_diag_set(d, MM_ERR_VALUE, (mm_span){0, 0},
		                   "chart: an SVG must be 200..10000 px wide and high");
	S s = {.c = c};
	mm_code r = mm_chart_prepare(c, &s.g, d);
	if (r != MM_OK)
		return r;
	size_t n = c->nseries ? c->nseries : 1;
	s.placed = calloc(n, sizeof *s.placed);
	mm_buf out = MM_BUF_INIT, body = MM_BUF_INIT;
	if (s.placed) {
		layout(&s, W, H);
		document(&body, &s);
		header(&out, &s);
		mm_buf_add(&out, mm_buf_str(&body), body.len);
	}
	out.failed |= body.failed;
	mm_buf_free(&body);
	bool failed = !s.placed || s.failed || s.hidden.failed || out.failed;
	mm_chart_hidden_free(&s.hidden);
	free(s.placed);
	free(s.boxes);
	mm_chart_segs_free(&s.drawn);
	if (!failed)
		mm_buf_add(b, out.data, out.len);
	mm_buf_free(&out);
	if (failed)
		return mm_diag_set(d, MM_ERR_NOMEM, (mm_span){0, 0},
		                   "chart: out of memory");
	return MM_OK;
}
