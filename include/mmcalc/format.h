/* format.h — the reports people and programs read: a statement's result
 * with its shape, cost and timing, as text and as one JSON object; plus
 * numbers in the shortest form that reads back exactly. Appends to mm_buf;
 * never prints. */
#ifndef MMCALC_FORMAT_H
#define MMCALC_FORMAT_H

#include <stdbool.h>

#include "mmcalc/buf.h"
#include "mmcalc/check.h"
#include "mmcalc/print.h"

/* How a report is written. */
typedef struct mm_report_opts {
	bool exact;            /* exact digits next to SI figures */
	bool no_values;        /* report without the values (:run, :bench) */
	mm_print_opts print;   /* how values print */
} mm_report_opts;

/* Timing of an executed statement. */
typedef struct mm_timing {
	bool executed;
	double seconds;        /* best run */
	double seconds_median; /* :bench only, else 0 */
	int runs;              /* :bench only, else 0 */
	bool filled;           /* :run filled abstract operands */
	const char *computed;  /* how a dtype other than f32/f64 was computed
	                        * ("computed in f32", "accumulated in i32"),
	                        * or NULL */
	double predicted;      /* roofline seconds on device, or < 0 */
	const char *device;    /* the device's name when predicted >= 0 */
	bool compute_bound;
	double ridge;          /* the device's ridge intensity, FLOP/B */
	mm_dtype dtype;        /* the dtype predicted for, and the one whose */
	mm_dtype rate_dtype;   /* peak was taken (mm_device_peak's fallback) */
	mm_count bytes_peak;   /* executed: the inputs and what was allocated at
	                          the peak (scratch included), measured */
} mm_timing;

/* A double in the shortest form that reads back to the same value
 * ("0.1", "1024", "1e+300", "nan", "inf"). */
void mm_format_double(mm_buf *b, double v);

/* The human report of a statement's value: name may be NULL (an
 * expression) or the assigned variable. i describes the value, t the
 * statement's totals (NULL for numbers and strings), tm its timing. */
void mm_format_report(mm_buf *b, const char *name, const mm_info *i,
                      const mm_totals *t, const mm_timing *tm,
                      const mm_report_opts *o);

/* The same as one JSON object (no newline). */
void mm_format_report_json(mm_buf *b, long line, const char *name,
                           const mm_info *i, const mm_totals *t,
                           const mm_timing *tm, int max_values);

/* The report of a value with symbolic dims: shape, FLOPs, MACs and bytes
 * as polynomials (st), then what the shape checks assumed (as, may be
 * NULL). */
void mm_format_report_sym(mm_buf *b, const char *name, const mm_info *i,
                          const mm_sym_totals *st, const mm_assume *as);
void mm_format_report_sym_json(mm_buf *b, long line, const char *name,
                               const mm_info *i, const mm_sym_totals *st,
                               const mm_assume *as);

/* An error as one JSON object: {"line":..,"kind":"error","error":{..}}.
 * src is the statement's line for column numbers (may be NULL). */
void mm_format_error_json(mm_buf *b, const char *file, long line,
                          const mm_diag *d, const char *src, size_t len);

/* A command's text output as one JSON object:
 * {"line":N,"kind":"text","text":"..."}. */
void mm_format_text_json(mm_buf *b, long line, const char *text);
/* A count of unit as a polynomial: 16·n B, 16 KiB·(n + 4096) (iec:
 * binary prefixes for a common factor, else SI's). */
void mm_format_poly_unit(mm_buf *b, const mm_poly *p, const char *unit,
                         bool iec);

/* A JSON string literal with escapes. */
void mm_format_json_string(mm_buf *b, const char *s);

/* A count as a JSON value: an exact integer, or a float when approximate. */
void mm_format_json_count(mm_buf *b, mm_count c);

/* A polynomial as a JSON value: its count when constant, else its
 * formula as a string ("2*n*d^2"). */
void mm_format_json_poly(mm_buf *b, const mm_poly *p);

#endif
