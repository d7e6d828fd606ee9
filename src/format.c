/* format.c — reports of results, as text and as JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/format.h"

void mm_format_double(mm_buf *b, double v)
{
	char s[40];
	if (isnan(v)) {
		mm_buf_puts(b, "nan");
		return;
	}
	if (isinf(v)) {
		mm_buf_puts(b, v < 0 ? "-inf" : "inf");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e16) {
		snprintf(s, sizeof s, "%.0f", v);
		mm_buf_puts(b, strcmp(s, "-0") == 0 ? "-0" : s);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof s, "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	mm_buf_puts(b, s);
}

static const char *sep = " \xc2\xb7 "; /* " · " */

static void put_shape(mm_buf *b, const mm_info *i)
{
	mm_shape_print(b, &i->v.shape);
	mm_buf_putc(b, ' ');
	mm_buf_puts(b, mm_dtype_name(i->v.dtype));
}

static void put_exact(mm_buf *b, mm_count c, const char *unit,
                      const mm_report_opts *o)
{
	uint64_t v;
	if (o && o->exact && mm_count_get_u64(c, &v) && v >= 1000)
		mm_buf_printf(b, " = %llu %s", (unsigned long long)v, unit);
}

/* "34.36 GFLOP (17.18 GMAC) · in 80 MiB · out 16 MiB · peak 96 MiB ·
 *  341.3 FLOP/B" */
static void put_costs(mm_buf *b, const mm_totals *t, const mm_report_opts *o)
{
	mm_count_format_si(b, t->flops, "FLOP", 4);
	put_exact(b, t->flops, "FLOP", o);
	if (!mm_count_is_zero(t->macs)) {
		mm_buf_puts(b, " (");
		mm_count_format_si(b, t->macs, "MAC", 4);
		mm_buf_putc(b, ')');
	}
	mm_buf_puts(b, sep);
	mm_buf_puts(b, "in ");
	mm_count_format_iec(b, t->bytes_in, "B", 4);
	put_exact(b, t->bytes_in, "B", o);
	mm_buf_puts(b, sep);
	mm_buf_puts(b, "out ");
	mm_count_format_iec(b, t->bytes_out, "B", 4);
	mm_buf_puts(b, sep);
	mm_buf_puts(b, "peak ");
	mm_count_format_iec(b, t->bytes_peak, "B", 4);
	mm_count traffic = mm_count_add(t->bytes_in, t->bytes_out);
	if (!mm_count_is_zero(traffic)) {
		mm_buf_puts(b, sep);
		mm_count_format_si_f(b, mm_count_ratio(t->flops, traffic), "FLOP/B", 4);
	}
}

/* "on H100 SXM: 34.72 µs, compute-bound (ridge 295.3 FLOP/B)" */
static void put_prediction(mm_buf *b, const mm_timing *tm)
{
	mm_buf_printf(b, "predicted on %s: ", tm->device);
	mm_count_format_seconds(b, tm->predicted, 4, false);
	mm_buf_printf(b, ", %s-bound (ridge ", tm->compute_bound ? "compute" : "memory");
	if (tm->rate_dtype == tm->dtype) {
		mm_count_format_si_f(b, tm->ridge, "FLOP/B)", 4);
		return;
	}
	/* the device has no figure for the dtype: say whose rate stood in */
	mm_count_format_si_f(b, tm->ridge, "FLOP/B", 4);
	mm_buf_printf(b, "; %s at the %s rate)", mm_dtype_name(tm->dtype),
	              mm_dtype_name(tm->rate_dtype));
}

/* Whether running allocated more than the model's peak (inputs and live
 * results) by over 1 MiB: scratch and temporaries the model leaves out
 * (attention's scores, QR's copies), said beside the time. */
static bool beyond_model(const mm_totals *t, const mm_timing *tm)
{
	mm_count slack = mm_count_add(t->bytes_peak, mm_count_of(1u << 20));
	return mm_count_cmp(tm->bytes_peak, slack) > 0;
}

static void put_timing(mm_buf *b, const mm_totals *t, const mm_timing *tm)
{
	if (tm && !tm->executed && tm->predicted >= 0 && tm->device &&
	    !mm_count_is_zero(t->flops)) {
		mm_buf_puts(b, "\n  ");
		put_prediction(b, tm);
	}
	/* Constructors alone are not worth a timing line. */
	if (!tm || !tm->executed || (mm_count_is_zero(t->flops) && !tm->runs))
		return;
	mm_buf_puts(b, "\n  ");
	if (tm->runs > 0) {
		mm_buf_printf(b, "best of %d: ", tm->runs);
		mm_count_format_seconds(b, tm->seconds, 4, false);
		mm_buf_puts(b, ", median ");
		mm_count_format_seconds(b, tm->seconds_median, 4, false);
	} else {
		mm_buf_puts(b, "ran in ");
		mm_count_format_seconds(b, tm->seconds, 4, false);
	}
	if (t && !mm_count_is_zero(t->flops) && tm->seconds > 0) {
		mm_buf_puts(b, sep);
		mm_count_format_si_f(b, mm_count_to_double(t->flops) / tm->seconds,
		                     "FLOP/s", 4);
	}
	if (t && beyond_model(t, tm)) {
		mm_buf_puts(b, sep);
		mm_count_format_iec(b, tm->bytes_peak, "B", 4);
		mm_buf_puts(b, " allocated at peak");
	}
	if (tm->filled)
		mm_buf_puts(b, " (operands filled with random data)");
	if (tm->computed)
		mm_buf_printf(b, " (%s)", tm->computed);
	if (tm->predicted >= 0 && tm->device) {
		mm_buf_puts(b, "\n  ");
		put_prediction(b, tm);
	}
}

static void put_number(mm_buf *b, const mm_info *i)
{
	mm_dim d = i->v.dim;
	if (mm_dim_is_none(d)) {
		if (i->v.is_int)
			mm_buf_printf(b, "%lld", (long long)i->v.ival);
		else
			mm_format_double(b, i->v.num);
		return;
	}
	if (mm_dim_eq(d, MM_DIM_SECOND)) {
		mm_count_format_seconds(b, i->v.num, 4, false);
		return;
	}
	if (!mm_dim_is_count(d)) {
		/* a rate gets an SI prefix, anything else its digits */
		mm_buf unit = MM_BUF_INIT;
		mm_dim_print(&unit, d, false);
		if ((d.flop == 1 || d.byte == 1) && d.sec == -1 && !d.mac &&
		    d.flop + d.byte == 1 && i->v.num >= 0) {
			mm_count_format_si_f(b, i->v.num, mm_buf_str(&unit), 4);
		} else {
			mm_format_double(b, i->v.num);
			mm_buf_printf(b, " %s", mm_buf_str(&unit));
		}
		mm_buf_free(&unit);
		return;
	}
	const char *unit = d.flop ? "FLOP" : d.mac ? "MAC" : "B";
	mm_count_format_digits(b, i->v.cnt, 0);
	mm_buf_printf(b, " %s", unit);
	uint64_t v;
	if (!mm_count_get_u64(i->v.cnt, &v) || v >= 1000) {
		mm_buf_puts(b, " (");
		if (d.byte)
			mm_count_format_iec(b, i->v.cnt, unit, 4);
		else
			mm_count_format_si(b, i->v.cnt, unit, 4);
		mm_buf_putc(b, ')');
	}
}

void mm_format_report(mm_buf *b, const char *name, const mm_info *i,
                      const mm_totals *t, const mm_timing *tm,
                      const mm_report_opts *o)
{
	if (name)
		mm_buf_printf(b, i->v.kind == MM_K_TENSOR && i->value &&
		                     !(o && o->no_values) ? "%s =" : "%s = ", name);
	switch (i->v.kind) {
	case MM_K_NONE:
		break;
	case MM_K_NUMBER:
		put_number(b, i);
		break;
	case MM_K_FORMULA:
		mm_poly_print(b, i->v.sym, 0);
		if (!mm_dim_is_none(i->v.dim)) {
			mm_buf_putc(b, ' ');
			mm_dim_print(b, i->v.dim, false);
		}
		break;
	case MM_K_STRING:
		mm_format_json_string(b, i->v.str);
		break;
	case MM_K_TENSOR:
		if (i->value && !(o && o->no_values)) {
			/* A value prints first, NumPy-like, then what it is. */
			if (name)
				mm_buf_putc(b, '\n');
			mm_print_tensor_as(b, i->value, i->v.dtype,
			                   o ? &o->print : NULL);
			mm_buf_putc(b, '\n');
		}
		put_shape(b, i);
		if (i->note)
			mm_buf_printf(b, " (%s)", i->note);
		if (t && !mm_count_is_zero(t->flops)) {
			mm_buf_puts(b, "\n  ");
			put_costs(b, t, o);
		} else {
			mm_buf_puts(b, sep);
			mm_count_format_iec(b, mm_cost_tensor_bytes(&i->v.shape, i->v.dtype), "B", 4);
			if (i->value)
				mm_buf_puts(b, sep), mm_buf_puts(b, "concrete");
		}
		put_timing(b, t, tm);
		break;
	}
	mm_buf_putc(b, '\n');
}

/* The length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static int utf8_seq(const unsigned char *s)
{
	int n = s[0] < 0xC2 ? 0 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF5 ? 4 : 0;
	for (int k = 1; k < n; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xE0 && s[1] < 0xA0) ||  /* overlong */
	    (n == 3 && s[0] == 0xED && s[1] >= 0xA0) || /* surrogate */
	    (n == 4 && s[0] == 0xF0 && s[1] < 0x90) ||  /* overlong */
	    (n == 4 && s[0] == 0xF4 && s[1] >= 0x90))   /* past U+10FFFF */
		return 0;
	return n;
}

void mm_format_json_string(mm_buf *b, const char *s)
{
	mm_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80) {
			/* JSON is UTF-8: a byte that starts no valid sequence (user
			 * text, a message cut short) becomes U+FFFD. */
			int n = utf8_seq((const unsigned char *)s);
			if (n == 0) {
				mm_buf_puts(b, "\\ufffd");
			} else {
				mm_buf_add(b, s, (size_t)n);
				s += n - 1;
			}
		} else if (c == '"' || c == '\\')
			mm_buf_putc(b, '\\'), mm_buf_putc(b, (char)c);
		else if (c == '\n')
			mm_buf_puts(b, "\\n");
		else if (c == '\t')
			mm_buf_puts(b, "\\t");
		else if (c < 0x20)
			mm_buf_printf(b, "\\u%04x", c);
		else
			mm_buf_putc(b, (char)c);
	}
	mm_buf_putc(b, '"');
}

void mm_format_json_count(mm_buf *b, mm_count c)
{
	if (!c.approx)
		mm_count_format_digits(b, c, 0); /* exact, to 2^128 */
	else
		mm_print_json_number(b, mm_count_to_double(c), false);
}

static void json_double(mm_buf *b, double v)
{
	mm_print_json_number(b, v, false);
}

/* Whether a tensor's values as nested JSON arrays stay within max
 * numbers. Up to the first empty axis, the brackets are no more than the
 * numbers would be: an empty (1e12 x 0) is a trillion "[]" and fails,
 * (0 x 1e12) is "[]" and fits. */
static bool json_values_fit(const mm_tensor *t, int64_t max)
{
	int64_t n = 1;
	for (int i = 0; i < t->ndim; i++) {
		int64_t d = t->shape[i];
		if (d == 0)
			return true;
		if (d > max / n)
			return false;
		n *= d;
	}
	return n <= max;
}

static void json_key(mm_buf *b, const char *k)
{
	mm_buf_printf(b, ",\"%s\":", k);
}

/* The value of a number, a formula or a string. */
static void json_scalar(mm_buf *b, const mm_info *i)
{
	if (i->v.kind == MM_K_NUMBER) {
		json_key(b, "value");
		if (!mm_dim_is_none(i->v.dim)) {
			if (mm_dim_is_count(i->v.dim))
				mm_format_json_count(b, i->v.cnt);
			else
				json_double(b, i->v.num);
			json_key(b, "unit");
			mm_buf unit = MM_BUF_INIT;
			mm_dim_print(&unit, i->v.dim, true);
			mm_format_json_string(b, mm_buf_str(&unit));
			mm_buf_free(&unit);
		} else if (i->v.is_int) {
			mm_buf_printf(b, "%lld", (long long)i->v.ival);
		} else {
			json_double(b, i->v.num);
		}
	} else if (i->v.kind == MM_K_FORMULA) {
		json_key(b, "formula");
		mm_buf f = MM_BUF_INIT;
		mm_poly_print(&f, i->v.sym, MM_POLY_ASCII);
		mm_format_json_string(b, mm_buf_str(&f));
		mm_buf_free(&f);
		if (!mm_dim_is_none(i->v.dim)) {
			json_key(b, "unit");
			mm_buf unit = MM_BUF_INIT;
			mm_dim_print(&unit, i->v.dim, true);
			mm_format_json_string(b, mm_buf_str(&unit));
			mm_buf_free(&unit);
		}
	} else if (i->v.kind == MM_K_STRING) {
		json_key(b, "value");
		mm_format_json_string(b, i->v.str);
	}
}

/* A tensor's shape, dtype, totals, timing and (when few) values. */
static void json_tensor(mm_buf *b, const mm_info *i, const mm_totals *t,
                        const mm_timing *tm, int max_values)
{
	json_key(b, "shape");
	mm_buf_putc(b, '[');
	for (int k = 0; k < i->v.shape.ndim; k++)
		mm_buf_printf(b, k ? ",%lld" : "%lld", (long long)i->v.shape.dim[k]);
	mm_buf_putc(b, ']');
	json_key(b, "dtype");
	mm_buf_printf(b, "\"%s\"", mm_dtype_name(i->v.dtype));
	mm_totals z;
	if (!t) {
		memset(&z, 0, sizeof z);
		z.bytes_out = z.bytes_in = z.bytes_peak =
			mm_cost_tensor_bytes(&i->v.shape, i->v.dtype);
		t = &z;
	}
	json_key(b, "flops");
	mm_format_json_count(b, t->flops);
	json_key(b, "macs");
	mm_format_json_count(b, t->macs);
	json_key(b, "bytes_in");
	mm_format_json_count(b, t->bytes_in);
	json_key(b, "bytes_out");
	mm_format_json_count(b, t->bytes_out);
	json_key(b, "bytes_peak");
	mm_format_json_count(b, t->bytes_peak);
	json_key(b, "intensity");
	mm_count traffic = mm_count_add(t->bytes_in, t->bytes_out);
	json_double(b, mm_count_is_zero(traffic) ? 0
	                : mm_count_ratio(t->flops, traffic));
	bool approx = t->flops.approx || t->bytes_in.approx ||
	              t->bytes_out.approx || t->bytes_peak.approx;
	json_key(b, "exact");
	mm_buf_puts(b, approx ? "false" : "true");
	json_key(b, "concrete");
	mm_buf_puts(b, i->value ? "true" : "false");
	json_key(b, "executed");
	mm_buf_puts(b, tm && tm->executed ? "true" : "false");
	if (tm && tm->predicted >= 0 && tm->device) {
		json_key(b, "predicted_seconds");
		json_double(b, tm->predicted);
		json_key(b, "device");
		mm_format_json_string(b, tm->device);
		json_key(b, "bound");
		mm_buf_puts(b, tm->compute_bound ? "\"compute\"" : "\"memory\"");
		if (tm->rate_dtype != tm->dtype) {
			json_key(b, "rate_dtype");
			mm_format_json_string(b, mm_dtype_name(tm->rate_dtype));
		}
	}
	if (tm && tm->executed) {
		json_key(b, "seconds");
		json_double(b, tm->seconds);
		json_key(b, "bytes_peak_run");
		mm_format_json_count(b, tm->bytes_peak);
		if (tm->computed) {
			json_key(b, "computed");
			mm_format_json_string(b, tm->computed);
		}
		json_key(b, "gflops");
		json_double(b, tm->seconds > 0 ? mm_count_to_double(t->flops) /
		                                     tm->seconds / 1e9
		                               : 0);
		if (tm->runs > 0) {
			json_key(b, "seconds_median");
			json_double(b, tm->seconds_median);
			json_key(b, "runs");
			mm_buf_printf(b, "%d", tm->runs);
		}
	}
	if (i->value && json_values_fit(i->value, max_values)) {
		json_key(b, "values");
		mm_print_json(b, i->value);
	}
}

void mm_format_report_json(mm_buf *b, long line, const char *name,
                           const mm_info *i, const mm_totals *t,
                           const mm_timing *tm, int max_values)
{
	mm_buf_printf(b, "{\"line\":%ld,\"kind\":\"%s\"", line,
	              name ? "assign" : "value");
	if (name) {
		json_key(b, "name");
		mm_format_json_string(b, name);
	}
	if (i->v.kind == MM_K_TENSOR)
		json_tensor(b, i, t, tm, max_values);
	else
		json_scalar(b, i);
	mm_buf_putc(b, '}');
}

void mm_format_error_json(mm_buf *b, const char *file, long line,
                          const mm_diag *d, const char *src, size_t len)
{
	mm_buf_printf(b, "{\"line\":%ld,\"kind\":\"%s\",\"%s\":{", line,
	              d->warning ? "warning" : "error",
	              d->warning ? "warning" : "error");
	mm_buf_puts(b, "\"message\":");
	mm_format_json_string(b, d->message);
	mm_buf_puts(b, ",\"code\":");
	mm_format_json_string(b, mm_code_name(d->code));
	mm_buf_puts(b, ",\"file\":");
	mm_format_json_string(b, file);
	mm_buf_printf(b, ",\"line\":%ld", line);
	if (src) {
		mm_buf_printf(b, ",\"col\":%ld,\"end_col\":%ld",
		              mm_diag_column(src, len, d->span.start),
		              mm_diag_column(src, len, d->span.end));
	}
	if (d->hint[0]) {
		mm_buf_puts(b, ",\"hint\":");
		mm_format_json_string(b, d->hint);
	}
	mm_buf_puts(b, "}}");
}

static void put_assumptions(mm_buf *b, const mm_assume *as)
{
	if (!as || as->n == 0)
		return;
	mm_buf_puts(b, "  assuming ");
	for (int k = 0; k < as->n; k++) {
		if (k)
			mm_buf_puts(b, ", ");
		mm_buf_puts(b, as->text[k]);
	}
	mm_buf_putc(b, '\n');
}

/* A symbolic count and its unit. A content of a million or more (of bytes,
 * also a whole number of KiB) goes in front with a prefix, 34.36 GFLOP·L
 * and 16 KiB·(n + 4096), where the bare polynomial read 34359738368·L
 * FLOP; otherwise the polynomial, then the unit: 2·n·d² FLOP. */
static void put_poly_unit(mm_buf *b, const mm_poly *p, const char *unit,
                          bool iec)
{
	mm_poly rest;
	int64_t g = mm_poly_content(p, &rest);
	bool big = g >= 1000000 || (iec && g >= 1024 && g % 1024 == 0);
	if (big && p->den == 1 && !mm_poly_is_const(p)) {
		if (iec)
			mm_count_format_iec(b, mm_count_of((uint64_t)g), unit, 4);
		else
			mm_count_format_si(b, mm_count_of((uint64_t)g), unit, 4);
		mm_buf_puts(b, rest.nterms > 1 ? "·(" : "·");
		mm_poly_print(b, &rest, 0);
		if (rest.nterms > 1)
			mm_buf_putc(b, ')');
		return;
	}
	mm_poly_print(b, p, 0);
	mm_buf_printf(b, " %s", unit);
}

void mm_format_poly_unit(mm_buf *b, const mm_poly *p, const char *unit,
                         bool iec)
{
	put_poly_unit(b, p, unit, iec);
}

void mm_format_report_sym(mm_buf *b, const char *name, const mm_info *i,
                          const mm_sym_totals *st, const mm_assume *as)
{
	if (name)
		mm_buf_printf(b, "%s = ", name);
	put_shape(b, i);
	if (i->note)
		mm_buf_printf(b, " (%s)", i->note);
	if (st && !mm_poly_is_zero(st->flops)) {
		mm_buf_puts(b, "\n  ");
		put_poly_unit(b, st->flops, "FLOP", false);
		if (!mm_poly_is_zero(st->macs)) {
			mm_buf_puts(b, " (");
			put_poly_unit(b, st->macs, "MAC", false);
			mm_buf_putc(b, ')');
		}
		mm_buf_puts(b, sep);
		mm_buf_puts(b, "in ");
		put_poly_unit(b, st->bytes_in, "B", true);
		mm_buf_puts(b, sep);
		mm_buf_puts(b, "out ");
		put_poly_unit(b, st->bytes_out, "B", true);
	} else if (st) {
		mm_buf_puts(b, sep);
		put_poly_unit(b, st->bytes_out, "B", true);
	}
	mm_buf_putc(b, '\n');
	put_assumptions(b, as);
}

void mm_format_json_poly(mm_buf *b, const mm_poly *p)
{
	mm_count c;
	if (mm_poly_get_count(p, &c)) {
		mm_format_json_count(b, c);
		return;
	}
	mm_buf t = MM_BUF_INIT;
	mm_poly_print(&t, p, MM_POLY_ASCII | MM_POLY_EXPAND);
	mm_format_json_string(b, mm_buf_str(&t));
	mm_buf_free(&t);
}

void mm_format_report_sym_json(mm_buf *b, long line, const char *name,
                               const mm_info *i, const mm_sym_totals *st,
                               const mm_assume *as)
{
	mm_buf_printf(b, "{\"line\":%ld,\"kind\":\"%s\"", line,
	              name ? "assign" : "value");
	if (name) {
		json_key(b, "name");
		mm_format_json_string(b, name);
	}
	json_key(b, "shape");
	mm_buf_putc(b, '[');
	for (int k = 0; k < i->v.shape.ndim; k++) {
		if (k)
			mm_buf_putc(b, ',');
		if (i->v.shape.sym[k])
			mm_format_json_poly(b, i->v.shape.sym[k]);
		else
			mm_buf_printf(b, "%lld", (long long)i->v.shape.dim[k]);
	}
	mm_buf_putc(b, ']');
	json_key(b, "dtype");
	mm_buf_printf(b, "\"%s\"", mm_dtype_name(i->v.dtype));
	json_key(b, "symbolic");
	mm_buf_puts(b, "true");
	json_key(b, "flops");
	mm_format_json_poly(b, st->flops);
	json_key(b, "macs");
	mm_format_json_poly(b, st->macs);
	json_key(b, "bytes_in");
	mm_format_json_poly(b, st->bytes_in);
	json_key(b, "bytes_out");
	mm_format_json_poly(b, st->bytes_out);
	json_key(b, "executed");
	mm_buf_puts(b, "false");
	if (as && as->n) {
		json_key(b, "assumptions");
		mm_buf_putc(b, '[');
		for (int k = 0; k < as->n; k++) {
			if (k)
				mm_buf_putc(b, ',');
			mm_format_json_string(b, as->text[k]);
		}
		mm_buf_putc(b, ']');
	}
	mm_buf_putc(b, '}');
}

void mm_format_text_json(mm_buf *b, long line, const char *text)
{
	mm_buf_printf(b, "{\"line\":%ld,\"kind\":\"text\",\"text\":", line);
	mm_format_json_string(b, text);
	mm_buf_putc(b, '}');
}
