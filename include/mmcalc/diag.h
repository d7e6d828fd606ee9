/* diag.h — diagnostics: an error is a value with a code, a message, a byte
 * span in the source line and an optional hint. Library code fills an
 * mm_diag and returns a status; only diag.c renders one for people. */
#ifndef MMCALC_DIAG_H
#define MMCALC_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes. The table of their short names lives in diag.c. */
typedef enum mm_code {
	MM_OK = 0,
	MM_ERR_SYNTAX,      /* the text does not parse */
	MM_ERR_NAME,        /* unknown variable or function */
	MM_ERR_SHAPE,       /* shapes do not fit the operation */
	MM_ERR_TYPE,        /* wrong kind of value (string where a tensor goes) */
	MM_ERR_ARG,         /* bad argument to a function or command */
	MM_ERR_VALUE,       /* a value out of range (negative dim, bad axis) */
	MM_ERR_LIMIT,       /* a limit reached: depth, line length, memory */
	MM_ERR_NOMEM,       /* an allocation failed */
	MM_ERR_IO,          /* a file could not be read or written */
	MM_ERR_FORMAT,      /* a file's contents are malformed */
	MM_ERR_INTERRUPTED, /* the user pressed Ctrl-C */
	MM_ERR_UNSUPPORTED, /* valid but not implemented for these operands */
	MM_ERR_COUNT
} mm_code;

/* A half-open byte range [start, end) in the statement's source text. */
typedef struct mm_span {
	uint32_t start, end;
} mm_span;

#define MM_DIAG_MSG 512
#define MM_DIAG_HINT 256

typedef struct mm_diag {
	mm_code code;
	mm_span span;
	char message[MM_DIAG_MSG];
	char hint[MM_DIAG_HINT]; /* "" when there is none */
	bool warning; /* rendered as a warning: the statement still ran */
} mm_diag;

/* Clears d to MM_OK with empty message and hint. */
void mm_diag_clear(mm_diag *d);

/* Sets code, span and a printf-style message; clears the hint. Returns code
 * so callers can write `return mm_diag_set(...)`. d may be NULL. */
mm_code mm_diag_set(mm_diag *d, mm_code code, mm_span span,
                    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same with a va_list, for functions that take a format of their own
 * (the one place a message is formatted). */
mm_code mm_diag_vset(mm_diag *d, mm_code code, mm_span span,
                     const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Sets the hint of an already-set diagnostic. d may be NULL. */
void mm_diag_hint(mm_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The short name of a code: "syntax error", "shape error", ... */
const char *mm_code_name(mm_code code);

/* Renders d for a terminal or a log into buf (always NUL-terminated):
 *   FILE:LINE:COL: error: MESSAGE
 *   <source line>
 *   <caret/underline under the span>
 *   hint: HINT
 * src is the statement's source line (len bytes) the span refers to, or
 * NULL when the error has no position. line is 1-based. Columns count
 * characters (UTF-8 code points), 1-based. Returns the length written. */
size_t mm_diag_render(const mm_diag *d, const char *file, long line,
                      const char *src, size_t len, char *buf, size_t cap);

/* The 1-based column of byte offset off in src, counting UTF-8 code points. */
long mm_diag_column(const char *src, size_t len, size_t off);

#endif
