/* buf.h — a growable byte string, the way library code hands text back
 * without printing it. The buffer owns its memory; free with mm_buf_free.
 * On allocation failure the buffer sets `failed` and drops later appends,
 * so callers may check once at the end. */
#ifndef MMCALC_BUF_H
#define MMCALC_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct mm_buf {
	char *data; /* NUL-terminated when len > 0 or after any append */
	size_t len, cap;
	bool failed;
} mm_buf;

#define MM_BUF_INIT {NULL, 0, 0, false}

void mm_buf_free(mm_buf *b);
void mm_buf_reset(mm_buf *b); /* length 0, keeps the memory */
void mm_buf_add_grow(mm_buf *b, const char *s, size_t n);

/* Appends n bytes. Inline, like mm_buf_puts, because reports append many
 * short pieces: with the room already there it is a copy, and a literal's
 * length is known where it is written (strlen was 5% of a shape-only
 * script's time). */
static inline void mm_buf_add(mm_buf *b, const char *s, size_t n)
{
	if (b->len + n < b->cap && !b->failed) {
		char *d = b->data + b->len;
		/* Most pieces are a few bytes: two overlapping fixed-size
		 * copies, in line, instead of a call (6% of a piped script). */
		if (n >= 8 && n <= 16) {
			memcpy(d, s, 8);
			memcpy(d + n - 8, s + n - 8, 8);
		} else if (n >= 4 && n < 8) {
			memcpy(d, s, 4);
			memcpy(d + n - 4, s + n - 4, 4);
		} else if (n < 4) {
			for (size_t i = 0; i < n; i++)
				d[i] = s[i];
		} else {
			memcpy(d, s, n);
		}
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	mm_buf_add_grow(b, s, n);
}

static inline void mm_buf_puts(mm_buf *b, const char *s)
{
	mm_buf_add(b, s, strlen(s));
}
static inline void mm_buf_putc(mm_buf *b, char c)
{
	mm_buf_add(b, &c, 1);
}
void mm_buf_printf(mm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends a decimal integer (faster than printf for the many dims and
 * counts a report writes). */
void mm_buf_put_i64(mm_buf *b, int64_t v);
/* The text so far, "" when empty (never NULL). */
const char *mm_buf_str(const mm_buf *b);

/* The columns s takes on a terminal: its UTF-8 characters (continuation
 * bytes do not count; every character is taken to be one column wide). */
size_t mm_utf8_cols(const char *s);
/* The same for b's contents. */
size_t mm_buf_cols(const mm_buf *b);

#endif
