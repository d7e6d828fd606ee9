/* io.c — byte readers over fds and memory, bounded reading of scripts and
 * lines, and sizes as users type them. (Atomic saving: save.c.) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcalc/count.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"

/* Large enough that the per-call cost vanishes next to the copy, small
 * enough that Ctrl-C is seen within a few milliseconds. */
#define CHUNK ((size_t)16 << 20)

static const mm_span nospan = {0, 0};

mm_code mm_io_open_read(const char *path, int *fd, struct stat *st,
                        mm_diag *d)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == EINTR
		               ? mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
		                             "%s: interrupted while opening", path)
		               : mm_diag_set(d, MM_ERR_IO, nospan,
		                             "%s: cannot open: %s", path,
		                             strerror(errno));
	mm_code c = MM_OK;
	if (fstat(*fd, st) != 0)
		c = mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot stat: %s", path,
		                strerror(errno));
	else if (S_ISDIR(st->st_mode))
		c = mm_diag_set(d, MM_ERR_IO, nospan,
		                "%s: is a directory, not a file", path);
	if (c != MM_OK) {
		close(*fd);
		*fd = -1;
	}
	return c;
}

void mm_io_reader_fd(mm_io_reader *r, int fd, const char *name)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->name = name ? name : "(input)";
	r->size = -1;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t at = lseek(fd, 0, SEEK_CUR);
		if (at >= 0 && at <= st.st_size)
			r->size = (int64_t)(st.st_size - at);
	}
}

mm_code mm_io_with_path(const char *path, mm_io_reader_fn fn,
                        const mm_io_load_opts *opts, mm_io_info *info,
                        mm_diag *d)
{
	struct stat st;
	int fd;
	mm_code c = mm_io_open_read(path, &fd, &st, d);
	if (c != MM_OK)
		return c;
	mm_io_reader r;
	mm_io_reader_fd(&r, fd, path);
	c = fn(&r, opts, info, d);
	close(fd);
	return c;
}

void mm_io_reader_mem(mm_io_reader *r, const void *p, size_t len,
                      const char *name)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->mem = p;
	r->mem_len = len;
	r->size = (int64_t)len;
	r->name = name ? name : "(memory)";
}

int64_t mm_io_reader_left(const mm_io_reader *r)
{
	if (r->size < 0)
		return -1;
	if (r->pos >= (uint64_t)r->size)
		return 0;
	return r->size - (int64_t)r->pos;
}

int64_t mm_io_read(mm_io_reader *r, void *buf, size_t n, mm_diag *d)
{
	unsigned char *p = buf;
	size_t got = 0;
	while (got < n) {
		if (mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
			            "%s: reading interrupted", r->name);
			return -1;
		}
		size_t want = n - got < CHUNK ? n - got : CHUNK;
		if (r->fd < 0) {
			size_t left = r->pos < r->mem_len
			                  ? r->mem_len - (size_t)r->pos : 0;
			if (want > left)
				want = left;
			if (want == 0)
				break;
			memcpy(p + got, r->mem + r->pos, want);
			got += want;
			r->pos += want;
			continue;
		}
		ssize_t k = read(r->fd, p + got, want);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot read: %s",
			            r->name, strerror(errno));
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
		r->pos += (uint64_t)k;
	}
	return (int64_t)got;
}

mm_code mm_io_read_all(mm_io_reader *r, size_t max, char **out, size_t *len,
                       mm_diag *d)
{
	*out = NULL;
	*len = 0;
	int64_t left = mm_io_reader_left(r);
	if (left >= 0 && max && (uint64_t)left > max)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: file of %lld bytes is over the limit of "
		                   "%zu bytes", r->name, (long long)left, max);
	size_t cap = left >= 0 ? (size_t)left + 2 : 65536;
	if (max && cap > max + 2)
		cap = max + 2;
	size_t n = 0;
	char *b = malloc(cap);
	if (!b)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: out of memory reading the file", r->name);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > SIZE_MAX / 2) {
				free(b);
				return mm_diag_set(d, MM_ERR_LIMIT, nospan,
				                   "%s: file too large", r->name);
			}
			/* Never more than the limit and a byte to see it
			 * passed, plus the NUL. */
			size_t ncap = cap * 2;
			if (max && ncap > max + 2)
				ncap = max + 2;
			char *nb = realloc(b, ncap);
			if (!nb) {
				free(b);
				return mm_diag_set(d, MM_ERR_NOMEM, nospan,
				                   "%s: out of memory reading the "
				                   "file", r->name);
			}
			b = nb;
			cap = ncap;
		}
		size_t req = cap - 1 - n;
		int64_t k = mm_io_read(r, b + n, req, d);
		if (k < 0) {
			free(b);
			return d ? d->code : MM_ERR_IO;
		}
		n += (size_t)k;
		if (max && n > max) {
			free(b);
			return mm_diag_set(d, MM_ERR_LIMIT, nospan,
			                   "%s: file is over the limit of %zu "
			                   "bytes", r->name, max);
		}
		if ((size_t)k < req || (left >= 0 && n == (size_t)left))
			break; /* end of input */
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return MM_OK;
}

/* --- scripts and lines */

/* "64 MiB" for messages. */
static void size_text(char *out, size_t cap, uint64_t n)
{
	mm_buf b = MM_BUF_INIT;
	mm_count_format_iec(&b, mm_count_of(n), "B", 4);
	snprintf(out, cap, "%s", b.failed ? "?" : mm_buf_str(&b));
	mm_buf_free(&b);
}

mm_code mm_io_read_text(const char *path, size_t max, char **out,
                        size_t *len, mm_diag *d)
{
	*out = NULL;
	*len = 0;
	if (!max)
		max = MM_IO_TEXT_MAX;
	struct stat st;
	int fd;
	mm_code c = mm_io_open_read(path, &fd, &st, d);
	if (c != MM_OK)
		return c;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		close(fd);
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: is a device, not a script file", path);
	}
	char lim[32];
	size_text(lim, sizeof lim, max);
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		close(fd);
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: a script of more than %s is not read "
		                   "(the limit)", path, lim);
	}
	mm_io_reader r;
	mm_io_reader_fd(&r, fd, path);
	c = mm_io_read_all(&r, max, out, len, d);
	close(fd);
	if (c == MM_ERR_LIMIT)
		mm_diag_set(d, MM_ERR_LIMIT, nospan,
		            "%s: a script of more than %s is not read (the "
		            "limit)", path, lim);
	return c;
}

void mm_io_lines_init(mm_io_lines *l, int fd, const char *name, size_t max)
{
	memset(l, 0, sizeof *l);
	l->fd = fd;
	l->name = name ? name : "(input)";
	l->max = max ? max : MM_IO_TEXT_MAX;
}

void mm_io_lines_free(mm_io_lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->cap = l->start = l->end = 0;
}

/* Reads what is there (one read() call) after l->end, growing the buffer
 * up to l->max + LINE_SLACK. Returns the bytes read, 0 at the end, -1 with
 * d set. */
#define LINE_SLACK ((size_t)64 << 10)
static ssize_t fill(mm_io_lines *l, mm_diag *d)
{
	if (l->start > 0) { /* slide the unread part to the front */
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	if (l->end == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : LINE_SLACK;
		if (ncap > l->max + LINE_SLACK)
			ncap = l->max + LINE_SLACK;
		if (ncap <= l->cap) {
			mm_diag_set(d, MM_ERR_LIMIT, nospan,
			            "%s: line too long", l->name);
			return -1;
		}
		char *nb = realloc(l->buf, ncap);
		if (!nb) {
			mm_diag_set(d, MM_ERR_NOMEM, nospan,
			            "%s: out of memory reading a line", l->name);
			return -1;
		}
		l->buf = nb;
		l->cap = ncap;
	}
	for (;;) {
		if (mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
			            "%s: reading interrupted", l->name);
			return -1;
		}
		ssize_t k = read(l->fd, l->buf + l->end, l->cap - l->end);
		if (k >= 0) {
			l->end += (size_t)k;
			return k;
		}
		if (errno != EINTR) {
			mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot read: %s",
			            l->name, strerror(errno));
			return -1;
		}
	}
}

/* Reads and drops input up to and including the next '\n' (the rest of
 * an over-long line), in the buffer as it is. */
static int skip_line(mm_io_lines *l, mm_diag *d)
{
	for (;;) {
		char *nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (nl) {
			l->start = (size_t)(nl - l->buf) + 1;
			return 0;
		}
		l->start = l->end = 0;
		ssize_t k = fill(l, d);
		if (k < 0)
			return -1;
		if (k == 0) {
			l->eof = true;
			return 0;
		}
	}
}

int mm_io_lines_next(mm_io_lines *l, const char **line, size_t *len,
                     mm_diag *d)
{
	*line = NULL;
	*len = 0;
	size_t scanned = l->start;
	for (;;) {
		char *nl = l->buf ? memchr(l->buf + scanned, '\n',
		                           l->end - scanned) : NULL;
		if (nl || (l->eof && l->end > l->start)) {
			size_t e = nl ? (size_t)(nl - l->buf) : l->end;
			l->lineno++;
			if (e - l->start > l->max) {
				l->start = nl ? e + 1 : l->end;
				goto too_long;
			}
			*line = l->buf + l->start;
			*len = e - l->start;
			l->start = nl ? e + 1 : l->end;
			return 1;
		}
		if (l->eof)
			return 0;
		if (l->end - l->start > l->max) {
			/* No end in sight within the limit: drop what is
			 * here and the rest of the line as it comes. */
			l->lineno++;
			l->start = l->end;
			if (skip_line(l, d) < 0)
				return -1;
			goto too_long;
		}
		scanned = l->end - l->start; /* relative: fill() slides */
		ssize_t k = fill(l, d);
		if (k < 0)
			return -1;
		scanned += l->start;
		if (k == 0)
			l->eof = true;
	}
too_long:;
	char lim[32];
	size_text(lim, sizeof lim, l->max);
	mm_diag_set(d, MM_ERR_LIMIT, nospan,
	            "%s: line %ld is longer than %s (the limit): skipped",
	            l->name, l->lineno, lim);
	return -1;
}

/* --- sizes */

mm_code mm_io_parse_size(const char *s, const char *what, uint64_t *out,
                         mm_diag *d)
{
	char *end;
	const char *w = what ? what : "size";
	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	double v = strtod(s, &end);
	bool range = errno == ERANGE;
	if (end == s)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: '%s' is not a size (a number of bytes, "
		                   "with a unit like MiB or GB)", w, s);
	if (isnan(v) || isinf(v) || (range && fabs(v) > 1))
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: %s is not a finite size", w, s);
	if (v < 0 || (*s == '-' && (v != 0 || range)))
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: a size cannot be negative (%s)", w, s);
	if (range) /* a positive number too small for a double */
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: %s is less than one byte", w, s);
	while (*end == ' ' || *end == '\t')
		end++;
	double scale = 1;
	if (*end) {
		const mm_unit *u = mm_count_unit_find(end);
		if (!u)
			return mm_diag_set(d, MM_ERR_ARG, nospan,
			                   "%s: unknown unit '%s' (B, kB, MB, GB, "
			                   "KiB, MiB, GiB, ...)", w, end);
		if (u->kind != MM_UNIT_BYTE)
			return mm_diag_set(d, MM_ERR_ARG, nospan,
			                   "%s: '%s' is not a unit of bytes", w,
			                   end);
		scale = (double)u->scale;
	}
	double bytes = v * scale;
	if (bytes >= 18446744073709551616.0)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: %s is too large (2^64 bytes or more)", w,
		                   s);
	double r = nearbyint(bytes);
	if (bytes > 0 && r < 1)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: %s is less than one byte", w, s);
	*out = r >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)r;
	return MM_OK;
}
