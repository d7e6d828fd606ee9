/* print.c — NumPy-like text (np.array2string) and JSON for tensors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/print.h"

#define NB 512 /* room for any %f of a double plus sign */

/* How every element of one printout is formatted (NumPy's
 * FloatingFormat with floatmode 'maxprec' and sign '-'). */
typedef struct fmt {
	bool exp;      /* scientific notation */
	bool f32;      /* shortest digits that round-trip as a float */
	int precision; /* positional: most fraction digits; exp: exact */
	int pad_left, pad_right, exp_size;
} fmt;

/* Shortest decimal digits of |x| that read back as x (as a float when
 * f32): digits into dig (no point), returns the decimal exponent of the
 * first digit. x is finite. */
static int shortest(double x, bool f32, char *dig)
{
	char buf[40];
	x = fabs(x);
	for (int p = 0; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p, x);
		double y = strtod(buf, NULL);
		if (f32 ? (float)y == (float)x : y == x)
			break;
	}
	char *e = strchr(buf, 'e');
	int n = 0;
	for (char *c = buf; c < e; c++)
		if (*c != '.')
			dig[n++] = *c;
	dig[n] = '\0';
	return atoi(e + 1);
}

static void trim_zeros(char *frac)
{
	size_t n = strlen(frac);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
}

/* Positional: integer part (with '-') and fraction digits, unique digits
 * cut off at prec fraction digits, trailing zeros trimmed. */
static void positional(double x, bool f32, int prec, char *ip, char *fp)
{
	char dig[40], buf[400];
	int e = shortest(x, f32, dig), nd = (int)strlen(dig);
	int nfrac = nd - 1 - e > 0 ? nd - 1 - e : 0;
	const char *sign = signbit(x) ? "-" : "";
	if (nfrac <= prec) {
		if (e >= nd - 1) {
			/* an integer whose shortest digits stop before the
			 * point: NumPy prints its exact digits, not zeros */
			snprintf(buf, sizeof buf, "%.0f", fabs(x));
			snprintf(ip, NB, "%s%s", sign, buf);
			fp[0] = '\0';
		} else if (e >= 0) {
			char in[400];
			int k = 0;
			for (int i = 0; i <= e; i++)
				in[k++] = i < nd ? dig[i] : '0';
			in[k] = '\0';
			snprintf(ip, NB, "%s%s", sign, in);
			snprintf(fp, NB, "%s", nd > e + 1 ? dig + e + 1 : "");
		} else {
			snprintf(ip, NB, "%s0", sign);
			int k = 0;
			for (int i = 0; i < -e - 1; i++)
				fp[k++] = '0';
			strcpy(fp + k, dig);
		}
	} else {
		snprintf(buf, sizeof buf, "%.*f", prec, fabs(x));
		char *dot = strchr(buf, '.');
		if (dot)
			*dot = '\0';
		snprintf(ip, NB, "%s%s", sign, buf);
		snprintf(fp, NB, "%s", dot ? dot + 1 : "");
	}
	trim_zeros(fp);
}

/* Scientific: mantissa integer digit (with '-'), fraction digits (unique,
 * at most prec, trimmed) and the exponent value. */
static void scientific(double x, bool f32, int prec, char *ip, char *fp,
                       int *ex)
{
	char dig[40], buf[64];
	int e = shortest(x, f32, dig), nd = (int)strlen(dig);
	const char *sign = signbit(x) ? "-" : "";
	if (nd - 1 <= prec) {
		snprintf(ip, NB, "%s%c", sign, dig[0]);
		snprintf(fp, NB, "%s", dig + 1);
		*ex = e;
	} else {
		snprintf(buf, sizeof buf, "%.*e", prec, fabs(x));
		char *end = strchr(buf, 'e');
		*ex = atoi(end + 1);
		*end = '\0';
		char *dot = strchr(buf, '.');
		if (dot)
			*dot = '\0';
		snprintf(ip, NB, "%s%s", sign, buf);
		snprintf(fp, NB, "%s", dot ? dot + 1 : "");
	}
	trim_zeros(fp);
}

static int exp_len(int e)
{
	char b[16];
	return snprintf(b, sizeof b, "%d", abs(e)) < 2 ? 2
	                                               : (int)strlen(b);
}

/* NumPy's fillFormat over the displayed values v[0..n-1]. */
static fmt make_fmt(const double *v, int64_t n, bool f32,
                    const mm_print_opts *o)
{
	fmt f = {false, f32, o->precision, 0, 0, -1};
	double mx = 0, mn = INFINITY;
	int64_t nfin = 0;
	bool nonfin = false, neginf = false;
	for (int64_t i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			nonfin = true;
			neginf |= isinf(v[i]) && v[i] < 0;
			continue;
		}
		nfin++;
		double a = fabs(v[i]);
		if (a == 0)
			continue;
		mx = a > mx ? a : mx;
		mn = a < mn ? a : mn;
	}
	if (mx > 0 && (mx >= 1e8 ||
	               (!o->suppress && (mn < 1e-4 || mx / mn > 1e3))))
		f.exp = true;
	char ip[NB], fp[NB];
	if (nfin > 0 && f.exp) {
		int maxfrac = 0, maxint = 0, maxexp = 2;
		for (int64_t i = 0; i < n; i++) {
			if (!isfinite(v[i]))
				continue;
			int e;
			scientific(v[i], f32, o->precision, ip, fp, &e);
			int fl = (int)strlen(fp), il = (int)strlen(ip);
			maxfrac = fl > maxfrac ? fl : maxfrac;
			maxint = il > maxint ? il : maxint;
			maxexp = exp_len(e) > maxexp ? exp_len(e) : maxexp;
		}
		f.precision = maxfrac;
		f.pad_left = maxint;
		f.exp_size = maxexp;
		f.pad_right = f.exp_size + 2 + f.precision;
	} else if (nfin > 0) {
		for (int64_t i = 0; i < n; i++) {
			if (!isfinite(v[i]))
				continue;
			positional(v[i], f32, o->precision, ip, fp);
			int fl = (int)strlen(fp), il = (int)strlen(ip);
			f.pad_right = fl > f.pad_right ? fl : f.pad_right;
			f.pad_left = il > f.pad_left ? il : f.pad_left;
		}
	}
	if (nonfin) {
		int off = f.pad_right + 1, inflen = 3 + (neginf ? 1 : 0);
		if (3 - off > f.pad_left)
			f.pad_left = 3 - off;
		if (inflen - off > f.pad_left)
			f.pad_left = inflen - off;
	}
	return f;
}

/* One element, padded as the format says, appended to b. */
static void put_elem(mm_buf *b, const fmt *f, double x)
{
	char ip[NB], fp[NB];
	if (!isfinite(x)) {
		const char *s = isnan(x) ? "nan" : x < 0 ? "-inf" : "inf";
		int w = f->pad_left + f->pad_right + 1 - (int)strlen(s);
		mm_buf_printf(b, "%*s%s", w > 0 ? w : 0, "", s);
		return;
	}
	if (f->exp) {
		int e;
		scientific(x, f->f32, f->precision, ip, fp, &e);
		if ((int)strlen(fp) < f->precision) {
			/* like Dragon4's min_digits: more digits of the exact
			 * value, not zeros (they differ for f32) */
			char buf[64];
			snprintf(buf, sizeof buf, "%.*e", f->precision, fabs(x));
			char *end = strchr(buf, 'e'), *dot = strchr(buf, '.');
			e = atoi(end + 1);
			*end = '\0';
			snprintf(fp, NB, "%s", dot ? dot + 1 : "");
			snprintf(ip, NB, "%s%c", signbit(x) ? "-" : "", buf[0]);
		}
		mm_buf_printf(b, "%*s.%s", f->pad_left, ip, fp);
		mm_buf_printf(b, "e%c%0*d", e < 0 ? '-' : '+', f->exp_size,
		              abs(e));
		return;
	}
	positional(x, f->f32, f->precision, ip, fp);
	mm_buf_printf(b, "%*s.%-*s", f->pad_left, ip, f->pad_right, fp);
}

typedef struct printer {
	const mm_tensor *t;
	const mm_print_opts *o;
	fmt f;
	bool summary;
} printer;

static bool shown(const printer *p, int axis)
{
	return p->summary && 2 * (int64_t)p->o->edgeitems < p->t->shape[axis];
}

/* Collects the displayed values in display order. */
static void collect(const printer *p, int axis, int64_t off, double *v,
                    int64_t *n)
{
	const mm_tensor *t = p->t;
	if (axis == t->ndim) {
		v[(*n)++] = t->dtype == MM_F64 ? ((const double *)t->data)[off]
		                               : ((const float *)t->data)[off];
		return;
	}
	int64_t len = t->shape[axis], e = p->o->edgeitems;
	for (int64_t i = 0; i < len; i++) {
		if (shown(p, axis) && i == e)
			i = len - e;
		collect(p, axis + 1, off + i * t->strides[axis], v, n);
	}
}

static void spaces(mm_buf *b, int n)
{
	for (int i = 0; i < n; i++)
		mm_buf_putc(b, ' ');
}

/* NumPy's _extendLine: wraps before word when the line would pass width
 * (unless nothing but the indent is on it). */
static void extend(mm_buf *s, mm_buf *line, const char *word, int width,
                   int hi)
{
	size_t wl = strlen(word);
	if ((int)(line->len + wl) > width && (int)line->len > hi) {
		size_t n = line->len;
		while (n > 0 && line->data[n - 1] == ' ')
			n--;
		mm_buf_add(s, line->data, n);
		mm_buf_putc(s, '\n');
		mm_buf_reset(line);
		spaces(line, hi);
	}
	mm_buf_puts(line, word);
}

/* NumPy's _formatArray recurser: the text of the sub-array at axis/off
 * appended to out. hi is the hanging indent, width the current width. */
static void layout(const printer *p, int axis, int64_t off, int hi,
                   int width, mm_buf *out)
{
	const mm_tensor *t = p->t;
	if (axis == t->ndim) {
		double x = t->dtype == MM_F64 ? ((const double *)t->data)[off]
		                              : ((const float *)t->data)[off];
		put_elem(out, &p->f, x);
		return;
	}
	int64_t len = t->shape[axis], e = p->o->edgeitems;
	int64_t st = t->strides[axis];
	bool sum = shown(p, axis);
	int left = t->ndim - axis;
	mm_buf s = MM_BUF_INIT;
	if (left == 1) {
		mm_buf line = MM_BUF_INIT, word = MM_BUF_INIT;
		spaces(&line, hi);
		for (int64_t i = 0; i < len; i++) {
			if (sum && i == e) {
				extend(&s, &line, "...", width - 1, hi);
				mm_buf_putc(&line, ' ');
				i = len - e;
			}
			mm_buf_reset(&word);
			put_elem(&word, &p->f, t->dtype == MM_F64
				? ((const double *)t->data)[off + i * st]
				: ((const float *)t->data)[off + i * st]);
			extend(&s, &line, mm_buf_str(&word), width - 1, hi);
			if (i < len - 1)
				mm_buf_putc(&line, ' ');
		}
		mm_buf_add(&s, line.data, line.len);
		s.failed |= line.failed || word.failed;
		mm_buf_free(&line);
		mm_buf_free(&word);
	} else {
		for (int64_t i = 0; i < len; i++) {
			if (sum && i == e) {
				spaces(&s, hi);
				mm_buf_puts(&s, "...");
				for (int k = 0; k < left - 1; k++)
					mm_buf_putc(&s, '\n');
				i = len - e;
			}
			spaces(&s, hi);
			layout(p, axis + 1, off + i * st, hi + 1, width - 1, &s);
			if (i < len - 1)
				for (int k = 0; k < left - 1; k++)
					mm_buf_putc(&s, '\n');
		}
	}
	mm_buf_putc(out, '[');
	if (s.len > (size_t)hi)
		mm_buf_add(out, s.data + hi, s.len - (size_t)hi);
	mm_buf_putc(out, ']');
	out->failed |= s.failed;
	mm_buf_free(&s);
}

void mm_print_tensor(mm_buf *b, const mm_tensor *t, const mm_print_opts *opts)
{
	mm_print_opts o = opts ? *opts : MM_PRINT_OPTS_DEFAULT;
	if (o.edgeitems < 1)
		o.edgeitems = 1;
	int64_t n = mm_tensor_numel(t);
	if (n == 0) {
		mm_buf_puts(b, "[]");
		return;
	}
	printer p = {t, &o, {0}, n > o.threshold};
	int64_t cap = 1;
	for (int i = 0; i < t->ndim; i++) {
		bool s = p.summary && 2 * (int64_t)o.edgeitems < t->shape[i];
		cap *= s ? 2 * o.edgeitems : t->shape[i];
	}
	double *v = malloc((size_t)cap * sizeof *v);
	if (!v) {
		b->failed = true;
		return;
	}
	int64_t k = 0;
	collect(&p, 0, 0, v, &k);
	p.f = make_fmt(v, k, t->dtype != MM_F64, &o);
	free(v);
	layout(&p, 0, 0, 1, o.linewidth, b);
}

static void json_rec(mm_buf *b, const mm_tensor *t, int axis, int64_t off)
{
	if (axis == t->ndim) {
		double x = t->dtype == MM_F64 ? ((const double *)t->data)[off]
		                              : ((const float *)t->data)[off];
		mm_print_json_number(b, x, t->dtype != MM_F64);
		return;
	}
	mm_buf_putc(b, '[');
	for (int64_t i = 0; i < t->shape[axis]; i++) {
		if (i)
			mm_buf_putc(b, ',');
		json_rec(b, t, axis + 1, off + i * t->strides[axis]);
	}
	mm_buf_putc(b, ']');
}

void mm_print_json(mm_buf *b, const mm_tensor *t)
{
	json_rec(b, t, 0, 0);
}

void mm_print_json_number(mm_buf *b, double v, bool f32)
{
	if (isnan(v)) {
		mm_buf_puts(b, "\"nan\"");
		return;
	}
	if (isinf(v)) {
		mm_buf_puts(b, v < 0 ? "\"-inf\"" : "\"inf\"");
		return;
	}
	char s[40];
	if (v == floor(v) && fabs(v) < 1e16) { /* whole numbers in digits */
		mm_buf_printf(b, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof s, "%.*g", prec, v);
		if (f32 ? strtof(s, NULL) == (float)v : strtod(s, NULL) == v)
			break;
	}
	mm_buf_puts(b, s);
}
