/* diag.c — diagnostics: setting them, and rendering them with a caret. */
#include <stdbool.h>
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
	d->warning = false;
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
	d->warning = false;
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

/* Decodes the UTF-8 character at s (n > 0 bytes available): its length
 * (1 to 4) and code point, or 0 for a byte that starts no valid character
 * (a stray continuation, an overlong form, a surrogate, past U+10FFFF). */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
	           : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	uint32_t v = c & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if (!is_cont(s[i]))
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0;
	*cp = v;
	return len;
}

/* Characters a terminal would act on or that change how the line reads
 * without showing: C0 and C1 controls, DEL, zero-width characters and
 * the bidirectional overrides and isolates (text that reads one way and
 * runs another). */
static bool hidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
	       (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

/* How the character at s (n > 0 bytes) is shown: into out (at least 12
 * bytes) as itself, or escaped as \xHH (a control or invalid byte) or
 * \uHHHH; a tab as one space. Returns the bytes of s it covers; *len is
 * the length of out, *cols the columns it takes. */
static size_t shown(const char *s, size_t n, char *out, size_t *len,
                    size_t *cols)
{
	uint32_t cp;
	size_t k = decode((const unsigned char *)s, n, &cp);
	if (k == 0) {
		*len = *cols = (size_t)snprintf(out, 12, "\\x%02x",
		                                (unsigned char)s[0]);
		return 1;
	}
	if (cp == '\t') {
		out[0] = ' ';
		*len = *cols = 1;
	} else if (hidden(cp)) {
		*len = *cols = (size_t)(cp < 0x80
		                        ? snprintf(out, 12, "\\x%02x", (unsigned)cp)
		                        : snprintf(out, 12, "\\u%04x", (unsigned)cp));
	} else {
		memcpy(out, s, k);
		*len = k;
		*cols = 1;
	}
	return k;
}

/* put() with every character escaped as shown() does: file names,
 * messages and hints may carry bytes from a file name or a string. */
static void put_escaped(char *buf, size_t cap, size_t *pos, const char *s,
                        size_t n)
{
	char out[12];
	size_t len, cols;
	for (size_t i = 0; i < n;) {
		i += shown(s + i, n - i, out, &len, &cols);
		put(buf, cap, pos, out, len);
	}
}

/* Appends c n times. */
static void put_n(char *buf, size_t cap, size_t *pos, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(buf, cap, pos, &c, 1);
}

/* The longest source excerpt shown under an error, in bytes. */
#define SHOW_MAX 160

/* The excerpt [from, to) of src with the caret line under the span
 * [s, e), every character escaped as shown() does and the caret and
 * tildes under the columns it takes. */
static void put_excerpt(char *buf, size_t cap, size_t *pos, const char *src,
                        size_t from, size_t to, size_t s, size_t e)
{
	char out[12];
	size_t len, cols;
	put(buf, cap, pos, "  ", 2);
	for (size_t i = from; i < to;) {
		i += shown(src + i, to - i, out, &len, &cols);
		put(buf, cap, pos, out, len);
	}
	put(buf, cap, pos, "\n  ", 3);
	bool caret = false;
	for (size_t i = from; i < to && i < (e > s ? e : s + 1);) {
		size_t k = shown(src + i, to - i, out, &len, &cols);
		if (i + k <= s) {
			put_n(buf, cap, pos, ' ', cols);
		} else {
			/* the caret on the span's first character, tildes on
			 * the rest of its columns and the span's others */
			if (!caret)
				put(buf, cap, pos, "^", 1);
			put_n(buf, cap, pos, '~', cols - !caret);
			caret = true;
		}
		i += k;
	}
	if (!caret) /* an empty span at the end of the excerpt */
		put(buf, cap, pos, "^", 1);
	put(buf, cap, pos, "\n", 1);
}

size_t mm_diag_render(const mm_diag *d, const char *file, long line,
                      const char *src, size_t len, char *buf, size_t cap)
{
	size_t pos = 0;
	char head[64];
	if (cap == 0)
		return 0;
	buf[0] = '\0';
	put_escaped(buf, cap, &pos, file, strlen(file));
	const char *what = d->warning ? "warning" : "error";
	if (src) {
		long col = mm_diag_column(src, len, d->span.start);
		snprintf(head, sizeof head, ":%ld:%ld: %s: ", line, col, what);
	} else if (line > 0) {
		snprintf(head, sizeof head, ":%ld: %s: ", line, what);
	} else {
		snprintf(head, sizeof head, ": %s: ", what);
	}
	put(buf, cap, &pos, head, strlen(head));
	put_escaped(buf, cap, &pos, d->message, strlen(d->message));
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
		put_excerpt(buf, cap, &pos, src, from, to, s, e);
	}
	if (d->hint[0]) {
		put(buf, cap, &pos, "hint: ", 6);
		put_escaped(buf, cap, &pos, d->hint, strlen(d->hint));
		put(buf, cap, &pos, "\n", 1);
	}
	return pos;
}
