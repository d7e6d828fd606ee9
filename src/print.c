/* print.c — NumPy-like text (np.array2string) and JSON for tensors, in
 * the dtype a tensor holds: integers as integers, f16 in its own digits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/print.h"

#define NB 512 /* room for any %f of a double plus sign */

/* How every element of one printout is formatted (NumPy's
 * FloatingFormat with floatmode 'maxprec' and sign '-', or its
 * IntegerFormat). */
typedef struct fmt {
	bool integer;  /* i8, i4: right-aligned digits, pad_left wide */
	bool exp;      /* scientific notation */
	mm_dtype rt;   /* shortest digits that read back as this type */
	int precision; /* positional: most fraction digits; exp: exact */
	int pad_left, pad_right, exp_size;
} fmt;

/* True when y, rounded to nearest even into binary16 (10 mantissa bits,
 * exponents from -14), gives x (finite, positive, an f16 value): y lies
 * within half a gap of x, or on the half and x's last bit is 0. Exact
 * in double, not through f32, whose rounding could land y on a tie. */
static bool reads_as_f16(double y, double x)
{
	if (x == 0)
		return y <= 0x1p-25; /* half the least subnormal: a tie to 0 */
	int e = ilogb(x) < -14 ? -14 : ilogb(x);
	double ulp = ldexp(1, e - 10), up = ulp / 2, down = ulp / 2;
	if (x == ldexp(1, e) && e > -14)
		down = ulp / 4; /* the binade below has half the gap */
	bool even = fmod(x / ulp, 2) == 0;
	double dist = y - x;
	if (dist >= 0)
		return dist < up || (dist == up && even);
	return -dist < down || (-dist == down && even);
}

/* Whether the decimal y reads back as x in the type rt (f64 as a
 * double, f16 as a binary16, every other as a float). */
static bool reads_as(mm_dtype rt, double y, double x)
{
	return rt == MM_F64   ? y == x
	       : rt == MM_F16 ? reads_as_f16(y, x)
	                      : (float)y == (float)x;
}

/* "d.ddde±x" into its digits (no point) and its exponent, returned. */
static int split(const char *buf, char *dig)
{
	const char *e = strchr(buf, 'e');
	int n = 0;
	for (const char *c = buf; c < e; c++)
		if (*c != '.')
			dig[n++] = *c;
	dig[n] = '\0';
	return atoi(e + 1);
}

/* The digits d (exponent *e) one unit in their last place up (dir 1) or
 * down (-1), in place; false when that would take a digit away (1.00
 * down to 0.99). */
static bool step(char *d, int *e, int dir)
{
	int i = (int)strlen(d) - 1;
	char from = dir > 0 ? '9' : '0', to = dir > 0 ? '0' : '9';
	while (i >= 0 && d[i] == from)
		d[i--] = to;
	if (i < 0) { /* 9.99 up: 1.00 at the next exponent */
		d[0] = '1';
		++*e;
		return true;
	}
	d[i] = (char)(d[i] + dir);
	return d[0] != '0';
}

/* Shortest decimal digits of |x| that read back as x in the type rt:
 * digits into dig (no point), returns the decimal exponent of the first
 * digit. x is finite. */
static int shortest(double x, mm_dtype rt, char *dig)
{
	char buf[48], alt[24];
	int e = 0;
	x = fabs(x);
	for (int p = 0; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p, x);
		e = split(buf, dig);
		double y = strtod(buf, NULL);
		if (reads_as(rt, y, x))
			return e;
		/* A power of two has a gap twice as wide above as below:
		 * there the digits on the far side of x may read back when
		 * the nearest do not (as NumPy's Dragon4 finds: 0.01563 for
		 * the f16 2^-6 = 0.015625) */
		int ea = e;
		snprintf(alt, sizeof alt, "%s", dig);
		if (step(alt, &ea, y < x ? 1 : -1)) {
			snprintf(buf, sizeof buf, "%c.%se%d", alt[0], alt + 1, ea);
			if (reads_as(rt, strtod(buf, NULL), x)) {
				strcpy(dig, alt);
				return ea;
			}
		}
	}
	return e;
}

static void trim_zeros(char *frac)
{
	size_t n = strlen(frac);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
}

/* Positional: integer part (with '-') and fraction digits, unique digits
 * cut off at prec fraction digits, trailing zeros trimmed. */
static void positional(double x, mm_dtype rt, int prec, char *ip, char *fp)
{
	char dig[40], buf[400];
	int e = shortest(x, rt, dig), nd = (int)strlen(dig);
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
static void scientific(double x, mm_dtype rt, int prec, char *ip, char *fp,
                       int *ex)
{
	char dig[40], buf[64];
	int e = shortest(x, rt, dig), nd = (int)strlen(dig);
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

/* NumPy's IntegerFormat: as wide as the longest of the displayed
 * values v[0..n-1] (the stored integers of an i8 or i4 tensor). */
static fmt int_fmt(const double *v, int64_t n)
{
	fmt f = {true, false, MM_F32, 0, 0, 0, 0};
	for (int64_t i = 0; i < n; i++) {
		char b[32];
		int w = snprintf(b, sizeof b, "%lld", (long long)v[i]);
		f.pad_left = w > f.pad_left ? w : f.pad_left;
	}
	return f;
}

/* NumPy's fillFormat over the displayed values v[0..n-1], whose digits
 * read back in the type rt. */
static fmt make_fmt(const double *v, int64_t n, mm_dtype rt,
                    const mm_print_opts *o)
{
	fmt f = {false, false, rt, o->precision, 0, 0, -1};
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
			scientific(v[i], rt, o->precision, ip, fp, &e);
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
			positional(v[i], rt, o->precision, ip, fp);
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
	if (f->integer) {
		mm_buf_printf(b, "%*lld", f->pad_left, (long long)x);
		return;
	}
	if (!isfinite(x)) {
		const char *s = isnan(x) ? "nan" : x < 0 ? "-inf" : "inf";
		int w = f->pad_left + f->pad_right + 1 - (int)strlen(s);
		mm_buf_printf(b, "%*s%s", w > 0 ? w : 0, "", s);
		return;
	}
	if (f->exp) {
		int e;
		scientific(x, f->rt, f->precision, ip, fp, &e);
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
	positional(x, f->rt, f->precision, ip, fp);
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
	mm_print_tensor_as(b, t, t->dtype, opts);
}

void mm_print_tensor_as(mm_buf *b, const mm_tensor *t, mm_dtype dtype,
                        const mm_print_opts *opts)
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
	/* f64 storage is f64 whatever the label; narrow floats other than
	 * f16 (bf16, the f8s, which NumPy lacks) print their exact values
	 * as float32 does */
	mm_dtype rt = t->dtype == MM_F64 ? MM_F64
	              : dtype == MM_F16  ? MM_F16
	                                 : MM_F32;
	p.f = t->dtype != MM_F64 && mm_dtype_is_int(dtype)
	          ? int_fmt(v, k)
	          : make_fmt(v, k, rt, &o);
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
