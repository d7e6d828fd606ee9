/* csv.c — reading and writing matrices as CSV/TSV text. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcalc/csv.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/path.h"

static const mm_span nospan = {0, 0};

/* Longest cell accepted, after trimming: far beyond any number's text. */
#define MAX_CELL 512
/* Lines between polls of mm_interrupted(). */
#define POLL_LINES 65536
/* Bytes of formatted text collected before each write when saving. */
#define FLUSH_BYTES ((size_t)1 << 20)

/* Numbers are read and written in the "C" locale whatever the program's
 * locale: a German LC_NUMERIC must not turn "1.5" into 1. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t get_c_locale(void)
{
	pthread_once(&c_locale_once, make_c_locale);
	return c_locale;
}

/* --- reading */

typedef struct text {
	const char *p, *end; /* the whole input */
	const char *name;
	mm_diag *d;
} text;

/* One physical line: [s, e) without its '\n' (nor a '\r' before it). */
typedef struct line {
	const char *s, *e;
	long no; /* 1-based */
} line;

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Advances *at to the next line; false at the end of the input. */
static bool next_line(const text *t, const char **at, line *l)
{
	if (*at >= t->end)
		return false;
	const char *s = *at;
	const char *nl = memchr(s, '\n', (size_t)(t->end - s));
	const char *e = nl ? nl : t->end;
	*at = nl ? nl + 1 : t->end;
	if (e > s && e[-1] == '\r')
		e--;
	l->s = s;
	l->e = e;
	l->no++;
	return true;
}

/* Blank lines and '#' comments hold no data. */
static bool skippable(const line *l)
{
	const char *p = l->s;
	while (p < l->e && is_blank(*p))
		p++;
	return p == l->e || *p == '#';
}

static char detect_sep(const line *l)
{
	static const char order[] = {'\t', ';', ','};
	for (size_t i = 0; i < sizeof order; i++)
		if (memchr(l->s, order[i], (size_t)(l->e - l->s)))
			return order[i];
	return ' ';
}

/* Splits the next cell off [*p, e): sets [*cs, *ce) trimmed of blanks and
 * advances *p past the separator. Returns false when no cell is left. For
 * sep ' ' cells are runs of non-blanks; otherwise a separator inside
 * double quotes does not split. */
static bool next_cell(const char **p, const char *e, char sep, bool *first,
                      const char **cs, const char **ce)
{
	const char *q = *p;
	if (sep == ' ') {
		while (q < e && is_blank(*q))
			q++;
		if (q == e)
			return false;
		*cs = q;
		while (q < e && !is_blank(*q))
			q++;
		*ce = q;
		*p = q;
		return true;
	}
	if (!*first) {
		if (q >= e)
			return false;
		q++; /* the separator that ended the previous cell */
	}
	*first = false;
	const char *s = q;
	bool quoted = false;
	while (q < e && (quoted || *q != sep)) {
		if (*q == '"')
			quoted = !quoted;
		q++;
	}
	*p = q;
	while (s < q && is_blank(*s))
		s++;
	while (q > s && is_blank(q[-1]))
		q--;
	*cs = s;
	*ce = q;
	return true;
}

static int64_t count_cells(const line *l, char sep)
{
	const char *p = l->s, *cs, *ce;
	bool first = true;
	int64_t n = 0;
	while (next_cell(&p, l->e, sep, &first, &cs, &ce))
		n++;
	return n;
}

static const char *sep_name(char sep)
{
	switch (sep) {
	case '\t': return "tab";
	case ';': return "';'";
	case ',': return "','";
	default: return "blanks";
	}
}

/* Parses one cell as a number; fills d (naming line and column) when it
 * is not one. */
static mm_code parse_cell(const text *t, const char *s, const char *e,
                          long lineno, int64_t col, bool f32, void *out,
                          bool first_row, bool header)
{
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		s++;
		e--;
		while (s < e && is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			e--;
	}
	size_t n = (size_t)(e - s);
	if (n == 0)
		return mm_diag_set(t->d, MM_ERR_FORMAT, nospan,
		                   "%s: line %ld, column %" PRId64 ": empty "
		                   "cell, expected a number", t->name, lineno,
		                   col);
	char buf[MAX_CELL + 1];
	if (n <= MAX_CELL) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		char *end;
		if (f32) {
			float v = strtof_l(buf, &end, get_c_locale());
			if (end == buf + n) {
				*(float *)out = v;
				return MM_OK;
			}
		} else {
			double v = strtod_l(buf, &end, get_c_locale());
			if (end == buf + n) {
				*(double *)out = v;
				return MM_OK;
			}
		}
	}
	char shown[48];
	size_t k = 0;
	for (; k < n && k < 40; k++)
		shown[k] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
	shown[k] = '\0';
	mm_diag_set(t->d, MM_ERR_FORMAT, nospan,
	            "%s: line %ld, column %" PRId64 ": '%s%s' is not a number",
	            t->name, lineno, col, shown, n > 40 ? "..." : "");
	if (first_row && !header)
		mm_diag_hint(t->d, "if the first line is a header, load with "
		                   "header=true");
	return MM_ERR_FORMAT;
}

static mm_code parse(const char *data, size_t len, const char *name,
                     const mm_io_load_opts *opts, mm_io_info *info,
                     mm_diag *d)
{
	text t = {data, data + len, name, d};
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		t.p += 3; /* a UTF-8 byte-order mark */
	char sep = opts->sep;
	if (sep && sep != ',' && sep != '\t' && sep != ';' && sep != ' ')
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: separator '%c' is not one of ',' ';' "
		                   "tab or ' '", name, sep);
	/* pass 1: the header, the separator, the rows, the columns */
	const char *at = t.p;
	line l = {0};
	line first = {0};
	bool header_done = !opts->header, any = false;
	int64_t rows = 0, cols = 0;
	while (next_line(&t, &at, &l)) {
		if (l.no % POLL_LINES == 0 && mm_interrupted())
			return mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
			                   "%s: reading interrupted", name);
		if (skippable(&l))
			continue;
		any = true;
		if (!header_done) {
			header_done = true;
			continue;
		}
		if (rows == 0) {
			first = l;
			if (!sep)
				sep = detect_sep(&l);
			cols = count_cells(&l, sep);
		} else {
			int64_t n = count_cells(&l, sep);
			if (n != cols)
				return mm_diag_set(d, MM_ERR_FORMAT, nospan,
				                   "%s: line %ld has %" PRId64
				                   " columns, but line %ld has %"
				                   PRId64 " (separator: %s)", name,
				                   l.no, n, first.no, cols,
				                   sep_name(sep));
		}
		rows++;
	}
	if (!any)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: the file is empty: no numbers to load",
		                   name);
	if (rows == 0)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: no data rows after the header line", name);
	size_t osize = opts->f32 ? 4 : 8;
	if ((uint64_t)rows > (uint64_t)INT64_MAX / (uint64_t)cols / osize)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: too many cells", name);
	uint64_t bytes = (uint64_t)rows * (uint64_t)cols * osize;
	if (opts->max_bytes && bytes > opts->max_bytes)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: %" PRId64 " x %" PRId64 " values need %"
		                   PRIu64 " bytes, over the limit of %" PRIu64
		                   " bytes", name, rows, cols, bytes,
		                   opts->max_bytes);
	if (!opts->alloc)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: no allocator given", name);
	int64_t shape[2] = {rows, cols};
	mm_dtype dtype = opts->f32 ? MM_F32 : MM_F64;
	mm_diag_clear(d);
	unsigned char *dst = opts->alloc(opts->alloc_ctx, dtype, 2, shape, d);
	if (!dst) {
		if (d && d->code == MM_OK)
			mm_diag_set(d, MM_ERR_NOMEM, nospan,
			            "%s: cannot allocate %" PRIu64 " bytes", name,
			            bytes);
		return d ? d->code : MM_ERR_NOMEM;
	}
	/* pass 2: the numbers */
	at = first.s;
	l = first;
	l.no--;
	int64_t k = 0;
	while (k < rows * cols && next_line(&t, &at, &l)) {
		if (l.no % POLL_LINES == 0 && mm_interrupted())
			return mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
			                   "%s: reading interrupted", name);
		if (skippable(&l))
			continue;
		const char *p = l.s, *cs, *ce;
		bool firstcell = true;
		int64_t col = 0;
		while (next_cell(&p, l.e, sep, &firstcell, &cs, &ce)) {
			mm_code c = parse_cell(&t, cs, ce, l.no, col + 1,
			                       opts->f32, dst + (size_t)k * osize,
			                       l.no == first.no, opts->header);
			if (c)
				return c;
			k++;
			col++;
		}
	}
	if (info) {
		memset(info, 0, sizeof *info);
		info->dtype = dtype;
		info->ndim = 2;
		info->shape[0] = rows;
		info->shape[1] = cols;
		info->data = dst;
		memcpy(info->file_dtype, "text", 5);
		info->sep = sep;
		info->header_skipped = opts->header;
	}
	return MM_OK;
}

mm_code mm_csv_load_mem(const void *p, size_t len, const char *name,
                        const mm_io_load_opts *opts, mm_io_info *info,
                        mm_diag *d)
{
	return parse(p, len, name ? name : "(memory)", opts, info, d);
}

/* Text of a non-mappable input is buffered; bound it when the caller
 * bounds the data (a cell of text never makes fewer than 2 bytes). */
static size_t text_limit(const mm_io_load_opts *opts)
{
	if (!opts->max_bytes || opts->max_bytes > SIZE_MAX / 64)
		return 0;
	return (size_t)opts->max_bytes * 32 + ((size_t)1 << 20);
}

mm_code mm_csv_load_fd(int fd, const char *name, const mm_io_load_opts *opts,
                       mm_io_info *info, mm_diag *d)
{
	mm_io_reader r;
	mm_io_reader_fd(&r, fd, name);
	char *buf;
	size_t len;
	mm_code c = mm_io_read_all(&r, text_limit(opts), &buf, &len, d);
	if (c)
		return c;
	c = parse(buf, len, r.name, opts, info, d);
	free(buf);
	return c;
}

mm_code mm_csv_load(const char *path, const mm_io_load_opts *opts,
                    mm_io_info *info, mm_diag *d)
{
	struct stat st;
	int fd;
	mm_code oc = mm_io_open_read(path, &fd, &st, d);
	if (oc != MM_OK)
		return oc;
	mm_code c;
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	           (uint64_t)st.st_size <= SIZE_MAX) {
		/* mapped: no copy of the text, whatever its size */
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		               fd, 0);
		if (m == MAP_FAILED) {
			c = mm_csv_load_fd(fd, path, opts, info, d);
		} else {
			madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
			c = parse(m, (size_t)st.st_size, path, opts, info, d);
			munmap(m, (size_t)st.st_size);
		}
	} else {
		c = mm_csv_load_fd(fd, path, opts, info, d);
	}
	close(fd);
	return c;
}

/* --- writing */

char mm_csv_sep_for_path(const char *path)
{
	return mm_path_has_ext(path, ".tsv") || mm_path_has_ext(path, ".tab")
	               ? '\t' : ',';
}

/* Formats the array into out; when w is given, writes out whenever it
 * holds more than FLUSH_BYTES and empties it. */
static mm_code format(mm_buf *out, mm_io_atomic *w, mm_dtype dtype, int ndim,
                      const int64_t *shape, const void *data, char sep,
                      const char *name, mm_diag *d)
{
	if (dtype != MM_F32 && dtype != MM_F64)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: only f32 and f64 arrays can be saved",
		                   name);
	if (ndim > 2)
		return mm_diag_set(d, MM_ERR_SHAPE, nospan,
		                   "%s: a CSV file holds at most 2 dimensions, "
		                   "this array has %d", name, ndim);
	if (ndim < 0)
		return mm_diag_set(d, MM_ERR_ARG, nospan, "%s: bad shape", name);
	if (!sep)
		sep = ',';
	int64_t rows = ndim == 0 ? 1 : shape[0];
	int64_t cols = ndim == 2 ? shape[1] : 1;
	if (rows < 0 || cols < 0)
		return mm_diag_set(d, MM_ERR_ARG, nospan, "%s: bad shape", name);
	locale_t old = uselocale(get_c_locale());
	mm_code c = MM_OK;
	char num[40];
	for (int64_t i = 0; i < rows && !c; i++) {
		for (int64_t j = 0; j < cols; j++) {
			size_t k = (size_t)(i * cols + j);
			int n = dtype == MM_F64
			            ? snprintf(num, sizeof num, "%.17g",
			                       ((const double *)data)[k])
			            : snprintf(num, sizeof num, "%.9g",
			                       (double)((const float *)data)[k]);
			if (j)
				mm_buf_putc(out, sep);
			mm_buf_add(out, num, (size_t)n);
		}
		mm_buf_putc(out, '\n');
		if (out->failed) {
			c = mm_diag_set(d, MM_ERR_NOMEM, nospan,
			                "%s: out of memory formatting", name);
		} else if (w && out->len >= FLUSH_BYTES) {
			c = mm_io_atomic_write(w, out->data, out->len, d);
			mm_buf_reset(out);
		}
	}
	uselocale(old);
	return c;
}

mm_code mm_csv_format(mm_buf *out, mm_dtype dtype, int ndim,
                      const int64_t *shape, const void *data, char sep,
                      mm_diag *d)
{
	return format(out, NULL, dtype, ndim, shape, data, sep, "(csv)", d);
}

mm_code mm_csv_save(const char *path, mm_dtype dtype, int ndim,
                    const int64_t *shape, const void *data, char sep,
                    mm_diag *d)
{
	if (ndim > 2 || ndim < 0 || (dtype != MM_F32 && dtype != MM_F64))
		return format(NULL, NULL, dtype, ndim, shape, data, sep, path,
		              d);
	mm_io_atomic w;
	mm_code c = mm_io_atomic_open(&w, path, d);
	if (c)
		return c;
	mm_buf b = MM_BUF_INIT;
	c = format(&b, &w, dtype, ndim, shape, data, sep, path, d);
	if (!c && b.len)
		c = mm_io_atomic_write(&w, b.data, b.len, d);
	mm_buf_free(&b);
	if (c) {
		mm_io_atomic_abort(&w);
		return c;
	}
	return mm_io_atomic_commit(&w, d);
}
