/* diag.c — diagnostics: setting them, and rendering them with a caret. */
#include <stdio.h>
#include <string.h>

#include "mmcalc/diag.h"

static const char *const code_names[MM_ERR_COUNT] = {
	[MM_OK] = "ok",
	[MM_ERR_SYNTAX] = "syntax error",
	[MM_ERR_NAME] = "name error",
	[MM_ERR_SHAPE] = "shape error",
	[MM_ERR_TYPE] = "type error",
	[MM_ERR_ARG] = "argument error",
	[MM_ERR_VALUE] = "value error",
	[MM_ERR_LIMIT] = "limit reached",
	[MM_ERR_NOMEM] = "out of memory",
	[MM_ERR_IO] = "I/O error",
	[MM_ERR_FORMAT] = "bad file format",
	[MM_ERR_INTERRUPTED] = "interrupted",
	[MM_ERR_UNSUPPORTED] = "unsupported",
};

const char *mm_code_name(mm_code code)
{
	if (code < 0 || code >= MM_ERR_COUNT)
		return "error";
	return code_names[code];
}

void mm_diag_clear(mm_diag *d)
{
	if (!d)
		return;
	d->code = MM_OK;
	d->span.start = d->span.end = 0;
	d->message[0] = '\0';
	d->hint[0] = '\0';
}

mm_code mm_diag_vset(mm_diag *d, mm_code code, mm_span span,
                     const char *fmt, va_list ap)
{
	if (!d)
		return code;
	d->code = code;
	d->span = span;
	vsnprintf(d->message, sizeof d->message, fmt, ap);
	d->hint[0] = '\0';
	return code;
}

mm_code mm_diag_set(mm_diag *d, mm_code code, mm_span span,
                    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mm_diag_vset(d, code, span, fmt, ap);
	va_end(ap);
	return code;
}

void mm_diag_hint(mm_diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->hint, sizeof d->hint, fmt, ap);
	va_end(ap);
}

/* A UTF-8 continuation byte does not start a character. */
static int is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

long mm_diag_column(const char *src, size_t len, size_t off)
{
	long col = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++)
		if (!is_cont((unsigned char)src[i]))
			col++;
	return col;
}

/* Appends to buf at *pos, never past cap - 1, keeping it terminated. */
static void put(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
	if (*pos + 1 >= cap)
		return;
	size_t room = cap - 1 - *pos;
	if (n > room)
		n = room;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

/* The longest source excerpt shown under an error, in bytes. */
#define SHOW_MAX 160

size_t mm_diag_render(const mm_diag *d, const char *file, long line,
                      const char *src, size_t len, char *buf, size_t cap)
{
	size_t pos = 0;
	char head[64];
	if (cap == 0)
		return 0;
	buf[0] = '\0';
	put(buf, cap, &pos, file, strlen(file));
	if (src) {
		long col = mm_diag_column(src, len, d->span.start);
		snprintf(head, sizeof head, ":%ld:%ld: error: ", line, col);
	} else if (line > 0) {
		snprintf(head, sizeof head, ":%ld: error: ", line);
	} else {
		snprintf(head, sizeof head, ": error: ");
	}
	put(buf, cap, &pos, head, strlen(head));
	put(buf, cap, &pos, d->message, strlen(d->message));
	put(buf, cap, &pos, "\n", 1);
	if (src) {
		/* Show a window of the line around the span so that a 1 MB line
		 * does not flood the terminal. */
		size_t s = d->span.start > len ? len : d->span.start;
		size_t e = d->span.end > len ? len : d->span.end;
		if (e < s)
			e = s;
		size_t from = 0, to = len;
		while (to > 0 && (src[to - 1] == '\n' || src[to - 1] == '\r'))
			to--;
		if (to - from > SHOW_MAX) {
			from = s > SHOW_MAX / 2 ? s - SHOW_MAX / 2 : 0;
			while (from > 0 && is_cont((unsigned char)src[from]))
				from--;
			to = from + SHOW_MAX < to ? from + SHOW_MAX : to;
			while (to < len && is_cont((unsigned char)src[to]))
				to++;
		}
		put(buf, cap, &pos, "  ", 2);
		for (size_t i = from; i < to; i++) {
			char c = src[i];
			put(buf, cap, &pos, c == '\t' ? " " : &c, 1);
		}
		put(buf, cap, &pos, "\n  ", 3);
		for (size_t i = from; i < s && i < to; i++)
			if (!is_cont((unsigned char)src[i]))
				put(buf, cap, &pos, " ", 1);
		put(buf, cap, &pos, "^", 1);
		size_t i = s;
		if (i < e) /* the caret covers the first character */
			for (i++; i < e && is_cont((unsigned char)src[i]); i++)
				;
		for (; i < e && i < to; i++)
			if (!is_cont((unsigned char)src[i]))
				put(buf, cap, &pos, "~", 1);
		put(buf, cap, &pos, "\n", 1);
	}
	if (d->hint[0]) {
		put(buf, cap, &pos, "hint: ", 6);
		put(buf, cap, &pos, d->hint, strlen(d->hint));
		put(buf, cap, &pos, "\n", 1);
	}
	return pos;
}
