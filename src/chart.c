/* chart.c — charts: checking and fitting a description, its lines as
 * clipped segments, ticks and their labels, the JSON of its data, share
 * bars, and UTF-8 widths. The text and SVG drawings are chart_text.c and
 * chart_svg.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_internal.h"
#include "mmcalc/count.h"
#include "mmcalc/format.h"

/* ---- checking and fitting ---- */

static bool on_scale(double v, bool log) { return isfinite(v) && (!log || v > 0); }

static double tr(double v, bool log) { return log ? log10(v) : v; }

static mm_code check_axis(const mm_chart_axis *a, const char *name, mm_diag *d)
{
	if (a->scale != MM_CHART_LINEAR && a->scale != MM_CHART_LOG10)
		return mm_diag_set(d, MM_ERR_VALUE, (mm_span){0, 0},
		                   "chart: the %s axis has an unknown scale", name);
	if (!a->fixed)
		return MM_OK;
	if (!isfinite(a->min) || !isfinite(a->max) || !(a->min < a->max))
		return mm_diag_set(d, MM_ERR_VALUE, (mm_span){0, 0},
		                   "chart: the %s axis' range must be finite with "
		                   "min < max", name);
	if (a->scale == MM_CHART_LOG10 && a->min <= 0)
		return mm_diag_set(d, MM_ERR_VALUE, (mm_span){0, 0},
		                   "chart: the %s axis is logarithmic: its range "
		                   "must be above 0", name);
	return MM_OK;
}

static mm_code check(const mm_chart *c, mm_diag *d)
{
	if (!c || (c->nseries && !c->series))
		return mm_diag_set(d, MM_ERR_ARG, (mm_span){0, 0},
		                   "chart: no description");
	mm_code r = check_axis(&c->x, "x", d);
	if (r == MM_OK)
		r = check_axis(&c->y, "y", d);
	if (r != MM_OK)
		return r;
	for (size_t i = 0; i < c->nseries; i++) {
		const mm_chart_series *s = &c->series[i];
		if ((unsigned)s->kind > MM_CHART_RIDGE)
			return mm_diag_set(d, MM_ERR_ARG, (mm_span){0, 0},
			                   "chart: series %zu has an unknown kind", i);
		if (mm_chart_has_points(s) && s->npoints && !s->points)
			return mm_diag_set(d, MM_ERR_ARG, (mm_span){0, 0},
			                   "chart: series %zu has %zu points and no "
			                   "array", i, s->npoints);
	}
	return MM_OK;
}

bool mm_chart_has_points(const mm_chart_series *s)
{
	return s->kind == MM_CHART_POINTS || s->kind == MM_CHART_LINE;
}

size_t mm_chart_total_points(const mm_chart *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nseries; i++)
		if (mm_chart_has_points(&c->series[i]))
			n += c->series[i].npoints;
	return n;
}

/* A running minimum and maximum. */
typedef struct span {
	double lo, hi;
	bool any;
} span;

static void grow(span *s, double v)
{
	if (!s->any || v < s->lo)
		s->lo = v;
	if (!s->any || v > s->hi)
		s->hi = v;
	s->any = true;
}

/* Whether v can be on the axis: on its scale, and inside a fixed range. */
static bool on_axis(const mm_chart_axis *a, double v)
{
	if (!on_scale(v, a->scale == MM_CHART_LOG10))
		return false;
	return !a->fixed || (v >= a->min && v <= a->max);
}

/* 10^e for an integer e, exact where doubles allow. */
static double p10(int e) { return pow(10.0, e); }

/* The decade exponent of v > 0: 10^e <= v < 10^(e+1); 0 for values
 * that have none (0, negative, not finite). */
static int decade(double v)
{
	if (!(v > 0) || !isfinite(v))
		return 0;
	int e = (int)floor(log10(v));
	if (p10(e + 1) <= v)
		e++;
	else if (p10(e) > v)
		e--;
	return e;
}

/* The 1-2-5 step at or above x > 0 (x itself when it is not finite). */
static double nice_step(double x)
{
	if (!isfinite(x) || !(x > 0))
		return x > 0 ? x : 1;
	double m = p10(decade(x));
	static const double f[] = {1, 2, 5, 10};
	for (int i = 0; i < 4; i++)
		if (f[i] * m >= x * (1 - 1e-12))
			return f[i] * m;
	return 10 * m;
}

static void fit(const mm_chart_axis *a, span s, double *lo, double *hi)
{
	if (a->fixed) {
		*lo = a->min;
		*hi = a->max;
		return;
	}
	bool log = a->scale == MM_CHART_LOG10;
	if (!s.any) {
		*lo = log ? 1 : 0;
		*hi = log ? 10 : 1;
		return;
	}
	if (log) {
		int e0 = decade(s.lo), e1 = decade(s.hi);
		if (p10(e1) < s.hi)
			e1++;
		if (e0 == e1)
			e0--, e1++;
		/* 10^-323 and 10^308 are the decades doubles hold; past them
		 * the value itself */
		e0 = e0 < -323 ? -323 : e0;
		e1 = e1 > 308 ? 308 : e1;
		if (e0 >= e1)
			e0 = e1 - 1;
		*lo = fmin(p10(e0), s.lo);
		*hi = fmax(p10(e1), s.hi);
		return;
	}
	double l = s.lo >= 0 ? 0 : s.lo, h = s.hi;
	if (h == l) {
		double w = l == 0 ? 1 : fabs(l);
		l -= w / 2;
		h += w / 2;
		if (s.lo >= 0 && l < 0)
			l = 0;
	}
	double step = nice_step((h - l) / 5);
	*lo = floor(l / step + 1e-9) * step;
	*hi = ceil(h / step - 1e-9) * step;
}

/* Grows s by the x (or y) of series r's points that can be shown. */
static void grow_points(const mm_chart *c, const mm_chart_series *r, bool x,
                        span *s)
{
	for (size_t k = 0; k < r->npoints; k++)
		if (on_axis(&c->x, r->points[k].x) && on_axis(&c->y, r->points[k].y))
			grow(s, x ? r->points[k].x : r->points[k].y);
}

/* The range of x the points and ridges ask for. */
static span x_data(const mm_chart *c)
{
	span s = {0, 0, false};
	bool xlog = c->x.scale == MM_CHART_LOG10;
	for (size_t i = 0; i < c->nseries; i++) {
		const mm_chart_series *r = &c->series[i];
		if (mm_chart_has_points(r)) {
			grow_points(c, r, true, &s);
		} else if (r->kind == MM_CHART_RIDGE && on_axis(&c->x, r->value)) {
			grow(&s, r->value);
			if (xlog) {
				grow(&s, r->value / 10);
				grow(&s, r->value * 10);
			}
		}
	}
	return s;
}

static span y_data(const mm_chart *c, const mm_chart_geom *g)
{
	span s = {0, 0, false};
	for (size_t i = 0; i < c->nseries; i++) {
		const mm_chart_series *r = &c->series[i];
		if (mm_chart_has_points(r)) {
			grow_points(c, r, false, &s);
		} else if (r->kind == MM_CHART_CEILING && on_axis(&c->y, r->value)) {
			/* room above for its label: a third of a decade on a
			 * log axis (so a ceiling at or just under a decade gets
			 * the next one), a twentieth on a linear one */
			double up = c->y.scale == MM_CHART_LOG10 ? 2 : 1.05;
			grow(&s, r->value * (r->value > 0 ? up : 1 / up));
		} else if (r->kind == MM_CHART_ROOF && isfinite(r->value) &&
		           r->value > 0) {
			double lo = r->value * g->xmin, hi = r->value * g->xmax;
			if (!isnan(g->top)) {
				lo = fmin(lo, g->top);
				hi = lo;
			}
			if (on_axis(&c->y, lo))
				grow(&s, lo);
			if (on_axis(&c->y, hi))
				grow(&s, hi);
		}
	}
	return s;
}

mm_code mm_chart_prepare(const mm_chart *c, mm_chart_geom *g, mm_diag *d)
{
	mm_code r = check(c, d);
	if (r != MM_OK)
		return r;
	memset(g, 0, sizeof *g);
	g->xlog = c->x.scale == MM_CHART_LOG10;
	g->ylog = c->y.scale == MM_CHART_LOG10;
	g->top = NAN;
	for (size_t i = 0; i < c->nseries; i++) {
		const mm_chart_series *s = &c->series[i];
		if (s->kind == MM_CHART_ROOF && isfinite(s->value) && s->value > 0)
			g->roof = fmax(g->roof, s->value);
		if (s->kind == MM_CHART_CEILING && on_scale(s->value, g->ylog) &&
		    (isnan(g->top) || s->value > g->top))
			g->top = s->value;
	}
	fit(&c->x, x_data(c), &g->xmin, &g->xmax);
	fit(&c->y, y_data(c, g), &g->ymin, &g->ymax);
	g->tx0 = tr(g->xmin, g->xlog);
	g->tx1 = tr(g->xmax, g->xlog);
	g->ty0 = tr(g->ymin, g->ylog);
	g->ty1 = tr(g->ymax, g->ylog);
	return MM_OK;
}

double mm_chart_fx_raw(const mm_chart_geom *g, double x)
{
	return (tr(x, g->xlog) - g->tx0) / (g->tx1 - g->tx0);
}

double mm_chart_fy_raw(const mm_chart_geom *g, double y)
{
	return (tr(y, g->ylog) - g->ty0) / (g->ty1 - g->ty0);
}

/* Values within a millionth of the range of an end count as inside. */
#define EDGE 1e-6

static bool in_unit(double f, double *out)
{
	if (!(f >= -EDGE && f <= 1 + EDGE))
		return false;
	*out = f < 0 ? 0 : f > 1 ? 1 : f;
	return true;
}

bool mm_chart_fx(const mm_chart_geom *g, double x, double *f)
{
	return on_scale(x, g->xlog) && in_unit(mm_chart_fx_raw(g, x), f);
}

bool mm_chart_fy(const mm_chart_geom *g, double y, double *f)
{
	return on_scale(y, g->ylog) && in_unit(mm_chart_fy_raw(g, y), f);
}

size_t mm_chart_hidden_points(const mm_chart_geom *g, const mm_chart_series *s)
{
	size_t n = 0;
	double f;
	for (size_t k = 0; k < s->npoints; k++)
		if (!mm_chart_fx(g, s->points[k].x, &f) ||
		    !mm_chart_fy(g, s->points[k].y, &f))
			n++;
	return n;
}

/* ---- lines ---- */

void mm_chart_segs_free(mm_chart_segs *s)
{
	free(s->s);
	s->s = NULL;
	s->n = s->cap = 0;
}

static void push(mm_chart_segs *o, double x0, double y0, double x1, double y1)
{
	if (o->failed)
		return;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		mm_chart_seg *p = realloc(o->s, cap * sizeof *p);
		if (!p) {
			o->failed = true;
			return;
		}
		o->s = p;
		o->cap = cap;
	}
	o->s[o->n++] = (mm_chart_seg){x0, y0, x1, y1};
}

/* Liang–Barsky: one edge's test, narrowing [*t0, *t1]. */
static bool clip_edge(double p, double q, double *t0, double *t1)
{
	if (p == 0)
		return q >= -EDGE;
	double t = q / p;
	if (p < 0) {
		if (t > *t1)
			return false;
		if (t > *t0)
			*t0 = t;
	} else {
		if (t < *t0)
			return false;
		if (t < *t1)
			*t1 = t;
	}
	return true;
}

/* Appends the part of the segment inside the unit square. */
static void clipped(mm_chart_segs *o, double x0, double y0, double x1,
                    double y1)
{
	if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1))
		return;
	double dx = x1 - x0, dy = y1 - y0, t0 = 0, t1 = 1;
	if (clip_edge(-dx, x0, &t0, &t1) && clip_edge(dx, 1 - x0, &t0, &t1) &&
	    clip_edge(-dy, y0, &t0, &t1) && clip_edge(dy, 1 - y0, &t0, &t1) &&
	    t0 <= t1) {
		double a = x0 + t0 * dx, b = y0 + t0 * dy;
		double e = x0 + t1 * dx, f = y0 + t1 * dy;
		push(o, fmin(fmax(a, 0), 1), fmin(fmax(b, 0), 1),
		     fmin(fmax(e, 0), 1), fmin(fmax(f, 0), 1));
	}
}

static void line_segs(const mm_chart_geom *g, const mm_chart_series *s,
                      mm_chart_segs *o)
{
	for (size_t k = 1; k < s->npoints; k++) {
		const mm_chart_point *p = &s->points[k - 1], *q = &s->points[k];
		if (on_scale(p->x, g->xlog) && on_scale(p->y, g->ylog) &&
		    on_scale(q->x, g->xlog) && on_scale(q->y, g->ylog))
			clipped(o, mm_chart_fx_raw(g, p->x), mm_chart_fy_raw(g, p->y),
			        mm_chart_fx_raw(g, q->x), mm_chart_fy_raw(g, q->y));
	}
}

/* y = a·x from the left edge up to the highest ceiling. */
static void roof_segs(const mm_chart_geom *g, double a, mm_chart_segs *o)
{
	if (!isfinite(a) || a <= 0)
		return;
	double x0 = g->xmin, x1 = g->xmax;
	if (!isnan(g->top))
		x1 = fmin(x1, g->top / a);
	if (!(x1 > x0))
		return;
	int n = g->xlog == g->ylog ? 1 : 128;
	double t0 = tr(x0, g->xlog), t1 = tr(x1, g->xlog);
	double px = 0, py = 0;
	bool have = false;
	for (int i = 0; i <= n; i++) {
		double t = t0 + (t1 - t0) * i / n;
		double x = g->xlog ? pow(10.0, t) : t;
		if (i == n)
			x = x1;
		double y = a * x;
		if (!on_scale(y, g->ylog)) {
			have = false;
			continue;
		}
		double fx = mm_chart_fx_raw(g, x), fy = mm_chart_fy_raw(g, y);
		if (have)
			clipped(o, px, py, fx, fy);
		px = fx, py = fy, have = true;
	}
}

void mm_chart_series_segs(const mm_chart *c, const mm_chart_geom *g,
                          size_t i, mm_chart_segs *o)
{
	const mm_chart_series *s = &c->series[i];
	double v = s->value;
	switch (s->kind) {
	case MM_CHART_POINTS:
		break;
	case MM_CHART_LINE:
		line_segs(g, s, o);
		break;
	case MM_CHART_ROOF:
		roof_segs(g, v, o);
		break;
	case MM_CHART_CEILING: {
		if (!on_scale(v, g->ylog))
			break;
		double x0 = g->roof > 0 ? fmax(v / g->roof, g->xmin) : g->xmin;
		if (x0 < g->xmax && on_scale(x0, g->xlog)) {
			double fy = mm_chart_fy_raw(g, v);
			clipped(o, mm_chart_fx_raw(g, x0), fy, 1, fy);
		}
		break;
	}
	case MM_CHART_RIDGE: {
		if (!on_scale(v, g->xlog))
			break;
		double y1 = g->ymax;
		if (g->roof > 0)
			y1 = g->roof * v;
		if (!isnan(g->top))
			y1 = fmin(y1, g->top);
		if (on_scale(y1, g->ylog) && y1 > g->ymin) {
			double fx = mm_chart_fx_raw(g, v);
			clipped(o, fx, 0, fx, fmin(mm_chart_fy_raw(g, y1), 1));
		}
		break;
	}
	}
}

bool mm_chart_line_shown(const mm_chart *c, const mm_chart_geom *g, size_t i)
{
	mm_chart_segs s = {0};
	mm_chart_series_segs(c, g, i, &s);
	bool shown = s.n > 0;
	mm_chart_segs_free(&s);
	return shown;
}

int mm_chart_series_colour(const mm_chart *c, size_t i)
{
	const mm_chart_series *s = &c->series[i];
	switch (s->kind) {
	case MM_CHART_POINTS:
	case MM_CHART_LINE:
		return s->style == MM_CHART_MEASURED ? MM_CHART_C_MEAS
		                                     : MM_CHART_C_PRED;
	case MM_CHART_ROOF:
		return MM_CHART_C_ROOF;
	case MM_CHART_RIDGE:
		return MM_CHART_C_RIDGE;
	case MM_CHART_CEILING:
		break;
	}
	int k = 0;
	for (size_t j = 0; j < i; j++)
		k += c->series[j].kind == MM_CHART_CEILING;
	return MM_CHART_C_CEIL + k % MM_CHART_NCEIL;
}

bool mm_chart_series_dotted(const mm_chart *c, size_t i)
{
	const mm_chart_series *s = &c->series[i];
	return s->kind == MM_CHART_RIDGE ||
	       (s->kind == MM_CHART_LINE && s->style == MM_CHART_PREDICTED);
}

/* ---- ticks ---- */

void mm_chart_tick_label(char *out, size_t n, double v)
{
	mm_buf b = MM_BUF_INIT;
	if (v < 0) {
		mm_buf_putc(&b, '-');
		v = -v;
	}
	mm_count_format_si_f(&b, v, "", 6);
	size_t k = 0;
	for (const char *p = mm_buf_str(&b); *p && k + 1 < n; p++)
		if (*p != ' ')
			out[k++] = *p;
	out[k] = '\0';
	mm_buf_free(&b);
}

static void add_tick(mm_chart_ticks *t, double v)
{
	if (t->n >= MM_CHART_TICKS)
		return;
	t->v[t->n] = v;
	t->major[t->n] = true;
	mm_chart_tick_label(t->text[t->n], sizeof t->text[0], v);
	t->n++;
}

static void log_ticks(double lo, double hi, mm_chart_ticks *t)
{
	int e0 = decade(lo), e1 = decade(hi);
	if (p10(e0) < lo * (1 - 1e-9))
		e0++;
	int count = e1 - e0 + 1, stride = 1;
	while (count > 0 && (count + stride - 1) / stride > MM_CHART_TICKS)
		stride++;
	if (count < 2) {
		/* Fewer than two decades inside: the ends carry the labels. */
		add_tick(t, lo);
		if (count == 1 && p10(e0) > lo * (1 + 1e-9) &&
		    p10(e0) < hi * (1 - 1e-9))
			add_tick(t, p10(e0));
		add_tick(t, hi);
		return;
	}
	/* Strides keep exponents that are multiples of them. Far from 1 a
	 * decade is labelled by its exponent: 10^-320 is not exactly a
	 * double, and "1e-320" reads better than its rounding. */
	for (int e = e0; e <= e1; e++)
		if (e % stride == 0) {
			add_tick(t, p10(e));
			if ((e < -4 || e > 20) && t->n)
				snprintf(t->text[t->n - 1], sizeof t->text[0], "1e%d", e);
		}
}

void mm_chart_axis_ticks(bool log, double lo, double hi, int level,
                         mm_chart_ticks *t)
{
	t->n = 0;
	if (log) {
		log_ticks(lo, hi, t);
		return;
	}
	double step = nice_step((hi - lo) / (MM_CHART_TICKS - 1));
	static const double up[] = {2, 2.5, 2}; /* 1 -> 2 -> 5 -> 10 */
	for (int i = 0; i < level; i++) {
		double m = step / p10(decade(step));
		step *= m < 1.5 ? up[0] : m < 3 ? up[1] : up[2];
	}
	double k0 = ceil(lo / step - 1e-9), k1 = floor(hi / step + 1e-9);
	for (double k = k0; k <= k1 && t->n < MM_CHART_TICKS; k++)
		add_tick(t, k == 0 ? 0 : k * step);
}

void mm_chart_thin_ticks(mm_chart_ticks *t, bool log, int k)
{
	if (k < 1)
		k = 1;
	if (log) {
		for (int i = 0; i < t->n; i++) {
			double e = log10(t->v[i]);
			long r = lround(e);
			/* The ends of a short axis are no decades: always kept. */
			t->major[i] = fabs(e - (double)r) > 1e-9 || r % k == 0;
		}
		return;
	}
	if (t->n < 2)
		return;
	double step = t->v[1] - t->v[0];
	for (int i = 0; i < t->n; i++)
		t->major[i] = lround(t->v[i] / step) % k == 0;
}

/* ---- labels and titles ---- */

/* The integer a label spells (digits only, at most 9), or -1. */
static long as_int(const char *s)
{
	long v = 0;
	int n = 0;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n == 9)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return n ? v : -1;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

void mm_chart_join_labels(mm_buf *b, const char *const *labels, size_t n)
{
	long *v = malloc((n ? n : 1) * sizeof *v);
	size_t m = 0;
	bool ints = v != NULL;
	for (size_t i = 0; i < n && ints; i++)
		if (labels[i] && *labels[i])
			ints = (v[m++] = as_int(labels[i])) >= 0;
	if (ints && m > 1) {
		qsort(v, m, sizeof *v, cmp_long);
		for (size_t i = 0; i < m;) {
			size_t j = i;
			while (j + 1 < m && v[j + 1] <= v[j] + 1)
				j++;
			if (i)
				mm_buf_putc(b, ',');
			/* a run of three or more distinct numbers: "4-7" */
			if (v[j] - v[i] >= 2)
				mm_buf_printf(b, "%ld-%ld", v[i], v[j]);
			else
				for (size_t k = i; k <= j; k++)
					if (k == i || v[k] != v[k - 1])
						mm_buf_printf(b, k == i ? "%ld" : ",%ld", v[k]);
			i = j + 1;
		}
		free(v);
		return;
	}
	free(v);
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		const char *l = labels[i];
		bool seen = !l || !*l;
		for (size_t k = 0; k < i && !seen; k++)
			seen = labels[k] && strcmp(labels[k], l) == 0;
		if (seen)
			continue;
		if (!first)
			mm_buf_putc(b, ',');
		first = false;
		mm_buf_puts(b, l);
	}
}

void mm_chart_hide(mm_chart_hidden *h, size_t series, const char *label)
{
	if (h->failed || !label || !*label)
		return;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		const char **l = realloc(h->label, cap * sizeof *l);
		if (l)
			h->label = l;
		size_t *s = l ? realloc(h->series, cap * sizeof *s) : NULL;
		if (!s) {
			h->failed = true;
			return;
		}
		h->series = s;
		h->cap = cap;
	}
	h->label[h->n] = label;
	h->series[h->n++] = series;
}

void mm_chart_hidden_free(mm_chart_hidden *h)
{
	free(h->label);
	free(h->series);
	*h = (mm_chart_hidden){0};
}

void mm_chart_entry_text(mm_buf *t, const mm_chart *c, const mm_chart_geom *g,
                         size_t i, const mm_chart_hidden *h)
{
	const mm_chart_series *s = &c->series[i];
	if (!mm_chart_has_points(s)) {
		mm_buf_puts(t, s->label ? s->label : "");
		if (!mm_chart_line_shown(c, g, i))
			mm_buf_puts(t, " (off the chart)");
		return;
	}
	mm_buf_puts(t, s->label ? s->label
	               : s->style == MM_CHART_MEASURED ? "measured" : "predicted");
	size_t off = mm_chart_hidden_points(g, s), m = 0;
	const char **mine = malloc((h->n ? h->n : 1) * sizeof *mine);
	for (size_t k = 0; mine && k < h->n; k++)
		if (h->series[k] == i)
			mine[m++] = h->label[k];
	if (off || m) {
		mm_buf_puts(t, " (");
		if (off)
			mm_buf_printf(t, "%zu off the chart", off);
		if (m) {
			mm_buf_puts(t, off ? "; labels " : "labels ");
			mm_chart_join_labels(t, mine, m);
			mm_buf_puts(t, " hidden");
		}
		mm_buf_putc(t, ')');
	}
	free(mine);
}

void mm_chart_axis_title(mm_buf *b, const mm_chart_axis *a)
{
	bool l = a->label && *a->label, u = a->unit && *a->unit;
	if (l)
		mm_buf_puts(b, a->label);
	if (u)
		mm_buf_printf(b, "%s(%s)", l ? " " : "", a->unit);
}

/* ---- JSON ---- */

static void json_str(mm_buf *b, const char *s)
{
	if (s)
		mm_format_json_string(b, s);
	else
		mm_buf_puts(b, "null");
}

static void json_num(mm_buf *b, double v)
{
	if (isfinite(v))
		mm_format_double(b, v);
	else
		mm_buf_puts(b, "null");
}

static void json_axis(mm_buf *b, const mm_chart_axis *a, double lo, double hi)
{
	mm_buf_puts(b, "{\"label\":");
	json_str(b, a->label);
	mm_buf_puts(b, ",\"unit\":");
	json_str(b, a->unit);
	mm_buf_puts(b, a->scale == MM_CHART_LOG10 ? ",\"scale\":\"log10\""
	                                          : ",\"scale\":\"linear\"");
	mm_buf_puts(b, ",\"min\":");
	json_num(b, lo);
	mm_buf_puts(b, ",\"max\":");
	json_num(b, hi);
	mm_buf_putc(b, '}');
}

static void json_series(mm_buf *b, const mm_chart_geom *g,
                        const mm_chart_series *s)
{
	static const char *const kind[] = {"points", "line", "roof", "ceiling",
	                                   "ridge"};
	static const char *const key[] = {"", "", "slope", "y", "x"};
	mm_buf_printf(b, "{\"kind\":\"%s\"", kind[s->kind]);
	if (mm_chart_has_points(s))
		mm_buf_puts(b, s->style == MM_CHART_MEASURED
		                       ? ",\"style\":\"measured\""
		                       : ",\"style\":\"predicted\"");
	mm_buf_puts(b, ",\"label\":");
	json_str(b, s->label);
	if (!mm_chart_has_points(s)) {
		mm_buf_printf(b, ",\"%s\":", key[s->kind]);
		json_num(b, s->value);
		mm_buf_putc(b, '}');
		return;
	}
	mm_buf_puts(b, ",\"points\":[");
	for (size_t k = 0; k < s->npoints; k++) {
		const mm_chart_point *p = &s->points[k];
		double f;
		bool shown = mm_chart_fx(g, p->x, &f) && mm_chart_fy(g, p->y, &f);
		mm_buf_puts(b, k ? ",{\"x\":" : "{\"x\":");
		json_num(b, p->x);
		mm_buf_puts(b, ",\"y\":");
		json_num(b, p->y);
		mm_buf_puts(b, ",\"label\":");
		json_str(b, p->label);
		mm_buf_puts(b, shown ? ",\"shown\":true}" : ",\"shown\":false}");
	}
	mm_buf_puts(b, "]}");
}

mm_code mm_chart_json(mm_buf *b, const mm_chart *c, mm_diag *d)
{
	mm_chart_geom g;
	mm_code r = mm_chart_prepare(c, &g, d);
	if (r != MM_OK)
		return r;
	mm_buf_puts(b, "{\"title\":");
	json_str(b, c->title);
	mm_buf_puts(b, ",\"x\":");
	json_axis(b, &c->x, g.xmin, g.xmax);
	mm_buf_puts(b, ",\"y\":");
	json_axis(b, &c->y, g.ymin, g.ymax);
	mm_buf_puts(b, ",\"series\":[");
	for (size_t i = 0; i < c->nseries; i++) {
		if (i)
			mm_buf_putc(b, ',');
		json_series(b, &g, &c->series[i]);
	}
	mm_buf_puts(b, "]}");
	return MM_OK;
}

/* ---- bars ---- */

void mm_chart_bar(mm_buf *b, double f, int w, bool unicode)
{
	if (w <= 0)
		return;
	if (!(f > 0))
		f = 0;
	if (f > 1)
		f = 1;
	int cols = 0;
	if (unicode) {
		long units = lround(f * w * 8);
		if (f > 0 && units == 0)
			units = 1;
		for (long i = 0; i < units / 8; i++)
			mm_buf_puts(b, "\u2588");
		cols = (int)(units / 8);
		if (units % 8) {
			/* U+2589 is seven eighths, down to U+258F, one eighth */
			static const char *const part[] = {"", "\u258f", "\u258e",
				"\u258d", "\u258c", "\u258b", "\u258a", "\u2589"};
			mm_buf_puts(b, part[units % 8]);
			cols++;
		}
	} else {
		long n = lround(f * w);
		if (f > 0 && n == 0)
			n = 1;
		for (long i = 0; i < n; i++)
			mm_buf_putc(b, '#');
		cols = (int)n;
	}
	for (; cols < w; cols++)
		mm_buf_putc(b, ' ');
}

/* ---- UTF-8 ---- */

uint32_t mm_chart_u8_decode(const char *s, int *len)
{
	const unsigned char *u = (const unsigned char *)s;
	*len = u[0] ? 1 : 0;
	if (u[0] < 0x80)
		return u[0];
	int n = u[0] >= 0xF0 && u[0] <= 0xF4 ? 4
	      : u[0] >= 0xE0                 ? 3
	      : u[0] >= 0xC2 && u[0] <= 0xDF ? 2 : 0;
	if (!n || (u[0] >= 0xF5))
		return 0xFFFD;
	uint32_t cp = u[0] & (0x7F >> n);
	for (int i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0xFFFD;
		cp = cp << 6 | (u[i] & 0x3F);
	}
	/* overlong forms, surrogates and beyond U+10FFFF are not UTF-8 */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0xFFFD;
	*len = n;
	return cp;
}

typedef struct range {
	uint32_t lo, hi;
} range;

static bool in(const range *r, size_t n, uint32_t cp)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

int mm_chart_cp_width(uint32_t cp)
{
	/* Combining marks, variation selectors and zero-width characters. */
	static const range zero[] = {
		{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},
		{0x0610, 0x061A}, {0x064B, 0x065F}, {0x0E31, 0x0E31},
		{0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
		{0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},
		{0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
		{0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
	};
	/* East Asian Wide and Fullwidth (Unicode 15, ranges merged). */
	static const range wide[] = {
		{0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A},
		{0x23E9, 0x23EC}, {0x25FD, 0x25FE}, {0x2614, 0x2615},
		{0x2648, 0x2653}, {0x26A1, 0x26A1}, {0x26AA, 0x26AB},
		{0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26D4, 0x26D4},
		{0x26EA, 0x26EA}, {0x26F2, 0x26F5}, {0x26FA, 0x26FD},
		{0x2705, 0x2705}, {0x270A, 0x270B}, {0x2728, 0x2728},
		{0x274C, 0x274C}, {0x2753, 0x2755}, {0x2757, 0x2757},
		{0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
		{0x2B1B, 0x2B1C}, {0x2B50, 0x2B55}, {0x2E80, 0x303E},
		{0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
		{0xA000, 0xA4CF}, {0xA960, 0xA97F}, {0xAC00, 0xD7A3},
		{0xF900, 0xFAFF}, {0xFE10, 0xFE19}, {0xFE30, 0xFE6F},
		{0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x18CFF},
		{0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
		{0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251},
		{0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB},
		{0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
		{0x30000, 0x3FFFD},
	};
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return 0;
	if (cp < 0x300)
		return 1;
	if (in(zero, sizeof zero / sizeof zero[0], cp))
		return 0;
	return in(wide, sizeof wide / sizeof wide[0], cp) ? 2 : 1;
}

int mm_chart_text_width(const char *s)
{
	int w = 0, n;
	if (!s)
		return 0;
	for (; *s; s += n)
		w += mm_chart_cp_width(mm_chart_u8_decode(s, &n));
	return w;
}
