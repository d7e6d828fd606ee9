/* csv.c — reading and writing matrices as CSV/TSV text. Reading is one
 * streaming scanner, fed the text in pieces of any size, that the loader
 * runs twice (count, then parse into the caller's buffer) and mm_csv_scan
 * once (count and check every cell, keep nothing): one set of rules. */
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

#include "mmcalc/ckd.h"
#include "mmcalc/csv.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/path.h"

static const mm_span nospan = {0, 0};

/* Longest cell accepted, after trimming: far beyond any number's text. */
#define MAX_CELL 512
/* Bytes scanned between polls of mm_interrupted(). */
#define POLL_BYTES ((uint64_t)1 << 16)
/* Bytes read per step by mm_csv_scan. */
#define SCAN_CHUNK ((size_t)1 << 20)
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

/* --- reading: the rules.
 * Lines end at '\n' (a '\r' before it is a blank). A line whose first
 * non-blank is '#', or with only blanks, holds no data; with opts->header
 * the first other line is skipped. A cell is what lies between separators
 * (outside double quotes) trimmed of blanks, or for the separator ' ' a
 * run of non-blanks; a cell wrapped in double quotes loses them and is
 * trimmed again; then it must be a number as strtod reads it. The first
 * data line decides the separator when none is given: tab, ';', ',' in
 * that order of preference, else runs of blanks. */

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* One cell as it streams by, from its first non-blank: its first bytes
 * and what is needed to trim and unquote it without keeping the rest.
 * Blanks after the last non-blank are counted (and the first of them
 * kept) until something follows them; of the blanks right after a
 * leading '"', which unquoting trims, only the first SHOWN are kept, for
 * a message that quotes the cell as it is. */
#define SHOWN 40
#define CELL_CAP (MAX_CELL + SHOWN + 8)
typedef struct cell {
	char text[CELL_CAP];
	uint64_t len;         /* length through its last non-blank */
	uint64_t run;         /* blanks since the last non-blank */
	uint64_t before_last; /* the blanks just before the last non-blank */
	uint64_t after_quote; /* blanks right after a leading '"' */
	uint64_t skip;        /* bytes not kept (after_quote - SHOWN) */
	char last;            /* the last non-blank */
	bool quote_blanks;    /* only blanks since a leading '"' */
} cell;

static void cell_reset(cell *c)
{
	c->len = c->run = c->before_last = c->after_quote = c->skip = 0;
	c->last = 0;
	c->quote_blanks = false;
}

static inline void cell_keep(cell *c, uint64_t at, char ch)
{
	if (at - c->skip < CELL_CAP)
		c->text[at - c->skip] = ch;
}

static inline __attribute__((always_inline)) void cell_byte(cell *c, char ch)
{
	if (is_blank(ch)) {
		if (c->quote_blanks) {
			if (c->after_quote < SHOWN)
				c->text[1 + c->after_quote] = ch;
			c->after_quote++;
		} else if (c->len) { /* leading blanks are trimmed */
			cell_keep(c, c->len + c->run, ch);
			c->run++;
		}
		return;
	}
	if (c->quote_blanks) {
		c->len += c->after_quote;
		c->before_last = c->after_quote;
		c->skip = c->after_quote > SHOWN ? c->after_quote - SHOWN : 0;
		c->quote_blanks = false;
	} else {
		c->len += c->run;
		c->before_last = c->run;
		c->run = 0;
	}
	cell_keep(c, c->len, ch);
	c->quote_blanks = c->len == 0 && ch == '"';
	c->len++;
	c->last = ch;
}

/* The cell's contents, unquoted and trimmed when wrapped in quotes: *n
 * bytes at *s, all of them kept when *n <= MAX_CELL (a longer cell is
 * not a number, and its first SHOWN bytes are there for the message). */
static void cell_contents(const cell *c, const char **s, uint64_t *n)
{
	*s = c->text;
	*n = c->len;
	if (c->len >= 2 && c->text[0] == '"' && c->last == '"') {
		uint64_t inner = c->len - 2;
		uint64_t lead = c->after_quote < SHOWN ? c->after_quote : SHOWN;
		*s = c->text + 1 + lead;
		*n = inner <= c->after_quote
		             ? 0 : inner - c->after_quote - c->before_last;
	}
}

/* The cells of one line under one separator. */
typedef struct splitter {
	char sep;
	bool quoted, in_run;
	int64_t n;      /* cells finished on this line */
	cell c;
	bool bad;       /* a cell of this line was not a number */
	mm_diag err;    /* the first such cell */
} splitter;

enum mode {
	COUNT, /* rows and columns only */
	SCAN,  /* and every cell checked, the first bad one kept */
	PARSE, /* and every cell converted into dst; the first bad one stops */
};

typedef struct scanner {
	const mm_io_load_opts *opts;
	const char *name;
	mm_diag *d;
	enum mode mode;
	char sep;            /* 0 until the first data line decides */
	splitter sp[4];      /* candidates on the first data line, else sp[0] */
	int nsp;
	bool has[3];         /* the first data line holds tab, ';', ',' */
	enum { LEAD, DATA, SKIP } state; /* of the current line */
	bool at_start;       /* no byte seen yet (for the byte-order mark) */
	int bom;             /* bytes of a byte-order mark matched */
	long lineno, first_line;
	uint64_t lead_tabs;  /* tabs among the blanks before a line's data */
	bool any, header_done;
	int64_t rows, cols;
	unsigned char *dst;  /* PARSE */
	int64_t k, ncells;
	bool stops[256];     /* the bytes that end a piece of an unquoted cell:
	                        the separator, '"' and '\n' (blanks and '\n'
	                        for the separator ' ') */
	mm_code err;         /* fatal: ragged, a bad cell in PARSE, interrupted */
	bool bad;            /* SCAN: a bad cell was seen... */
	mm_diag bad_diag;    /* ...this one, the first */
	uint64_t since_poll;
} scanner;

/* Converts a finished cell (PARSE: into dst; SCAN: checked only) or
 * records why it is not a number in sp->err. */
static void cell_done(scanner *sc, splitter *sp)
{
	sp->n++;
	if (sc->mode == COUNT || sp->bad)
		return;
	const char *s;
	uint64_t n;
	cell_contents(&sp->c, &s, &n);
	long line = sc->lineno;
	int64_t col = sp->n;
	if (n == 0) {
		mm_diag_set(&sp->err, MM_ERR_FORMAT, nospan,
		            "%s: line %ld, column %" PRId64 ": empty cell, "
		            "expected a number", sc->name, line, col);
		sp->bad = true;
		return;
	}
	if (n <= MAX_CELL) {
		char buf[MAX_CELL + 1];
		memcpy(buf, s, (size_t)n);
		buf[n] = '\0';
		char *end;
		bool wrote = sc->mode == PARSE && sc->k < sc->ncells;
		if (sc->opts->f32) {
			float v = strtof_l(buf, &end, get_c_locale());
			if (end == buf + n) {
				if (wrote)
					memcpy(sc->dst + (size_t)sc->k * 4, &v, 4);
				sc->k++;
				return;
			}
		} else {
			double v = strtod_l(buf, &end, get_c_locale());
			if (end == buf + n) {
				if (wrote)
					memcpy(sc->dst + (size_t)sc->k * 8, &v, 8);
				sc->k++;
				return;
			}
		}
	}
	char shown[48];
	size_t k = 0;
	for (; k < n && k < 40; k++)
		shown[k] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
	shown[k] = '\0';
	mm_diag_set(&sp->err, MM_ERR_FORMAT, nospan,
	            "%s: line %ld, column %" PRId64 ": '%s%s' is not a number",
	            sc->name, line, col, shown, n > 40 ? "..." : "");
	if (line == sc->first_line && !sc->opts->header)
		mm_diag_hint(&sp->err, "if the first line is a header, load "
		                       "with header=true");
	sp->bad = true;
}

static void split_start(splitter *sp)
{
	sp->n = 0;
	sp->quoted = sp->in_run = false;
	sp->bad = false;
	cell_reset(&sp->c);
}

static inline __attribute__((always_inline)) void split_byte(scanner *sc, splitter *sp, char ch)
{
	if (sp->sep == ' ') {
		if (is_blank(ch)) {
			if (sp->in_run)
				cell_done(sc, sp);
			sp->in_run = false;
			return;
		}
		if (!sp->in_run)
			cell_reset(&sp->c);
		sp->in_run = true;
	} else {
		if (ch == '"')
			sp->quoted = !sp->quoted;
		if (ch == sp->sep && !sp->quoted) {
			cell_done(sc, sp);
			cell_reset(&sp->c);
			return;
		}
	}
	if (sc->mode != COUNT)
		cell_byte(&sp->c, ch);
}

static void split_end(scanner *sc, splitter *sp)
{
	if (sp->sep != ' ' || sp->in_run)
		cell_done(sc, sp);
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

static void set_stops(scanner *sc);

/* The end of a data line: the separator decided on the first one, the
 * column count checked on the others. */
static void data_line_end(scanner *sc)
{
	for (int i = 0; i < sc->nsp; i++)
		split_end(sc, &sc->sp[i]);
	if (sc->nsp > 1) { /* the first data line: choose the separator */
		int pick = sc->has[0] ? 0 : sc->has[1] ? 1 : sc->has[2] ? 2 : 3;
		sc->sp[0] = sc->sp[pick];
		sc->sep = sc->sp[0].sep;
		sc->nsp = 1;
		set_stops(sc);
	}
	splitter *sp = &sc->sp[0];
	if (sc->rows == 0) {
		sc->cols = sp->n;
	} else if (sp->n != sc->cols) {
		sc->err = mm_diag_set(sc->d, MM_ERR_FORMAT, nospan,
		                      "%s: line %ld has %" PRId64 " columns, but "
		                      "line %ld has %" PRId64 " (separator: %s)",
		                      sc->name, sc->lineno, sp->n, sc->first_line,
		                      sc->cols, sep_name(sc->sep));
		return;
	}
	sc->rows++;
	if (sp->bad && sc->mode == PARSE) {
		*sc->d = sp->err;
		sc->err = sp->err.code;
	} else if (sp->bad && !sc->bad) {
		sc->bad = true;
		sc->bad_diag = sp->err;
	}
}

static void line_end(scanner *sc)
{
	if (sc->state == DATA)
		data_line_end(sc);
	sc->state = LEAD;
}

/* The first non-blank of a line: a comment, the header, or data. */
static void line_begins(scanner *sc, char ch)
{
	if (ch == '#') {
		sc->state = SKIP;
		return;
	}
	sc->any = true;
	if (!sc->header_done) {
		sc->header_done = true;
		sc->state = SKIP;
		return;
	}
	sc->state = DATA;
	if (sc->rows == 0)
		sc->first_line = sc->lineno;
	if (!sc->sep) {
		static const char cand[4] = {'\t', ';', ',', ' '};
		sc->nsp = 4;
		for (int i = 0; i < 4; i++)
			sc->sp[i].sep = cand[i];
		memset(sc->has, 0, sizeof sc->has);
	}
	for (int i = 0; i < sc->nsp; i++)
		split_start(&sc->sp[i]);
	/* Leading tabs separate cells (empty ones) when tab is the
	 * separator, and make it the separator when detecting: replay them,
	 * the other leading blanks being trimmed anyway. */
	if (sc->lead_tabs && sc->nsp > 1)
		sc->has[0] = true;
	for (int i = 0; i < sc->nsp; i++)
		if (sc->sp[i].sep == '\t')
			for (uint64_t t = 0; t < sc->lead_tabs; t++)
				split_byte(sc, &sc->sp[i], '\t');
}

/* cell_byte() for each of the n bytes at s, none of them a separator or
 * a quote: the same result, with the bytes copied in one piece. */
static void cell_span(cell *c, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (c->len == 0 || c->quote_blanks))
		cell_byte(c, s[i++]);
	size_t e = n;
	while (e > i && is_blank(s[e - 1]))
		e--;
	if (e > i) { /* s[i, e) ends in a non-blank: all of it is kept */
		size_t b = e - 1;
		while (b > i && is_blank(s[b - 1]))
			b--;
		uint64_t at = c->len + c->run;
		c->before_last = (e - 1 - b) + (b == i ? c->run : 0);
		if (at - c->skip < CELL_CAP) {
			size_t room = CELL_CAP - (size_t)(at - c->skip);
			memcpy(c->text + (at - c->skip), s + i,
			       e - i < room ? e - i : room);
		}
		c->len = at + (e - i);
		c->last = s[e - 1];
		c->run = 0;
	}
	for (i = e > i ? e : i; i < n; i++) { /* blanks after it, pending */
		cell_keep(c, c->len + c->run, s[i]);
		c->run++;
	}
}

/* The common case, a data line once the separator is known: cells cut
 * out in pieces rather than byte by byte. Consumes bytes up to the next
 * '\n' (left for the caller) or the end; returns how many. */
static void set_stops(scanner *sc)
{
	memset(sc->stops, 0, sizeof sc->stops);
	sc->stops['\n'] = true;
	if (sc->sep == ' ') {
		sc->stops[' '] = sc->stops['\t'] = sc->stops['\r'] = true;
	} else {
		sc->stops['"'] = true;
		sc->stops[(unsigned char)sc->sep] = true;
	}
}

static size_t feed_cells(scanner *sc, const char *p, size_t n)
{
	splitter *sp = &sc->sp[0];
	const char sep = sp->sep;
	const bool *stop = sc->stops;
	const bool keep = sc->mode != COUNT;
	size_t i = 0;
	if (sep == ' ') {
		while (i < n) {
			if (!sp->in_run) {
				while (i < n && is_blank(p[i]))
					i++;
				if (i == n || p[i] == '\n')
					return i;
				sp->in_run = true;
				cell_reset(&sp->c);
			}
			size_t j = i;
			while (j < n && !stop[(unsigned char)p[j]])
				j++;
			if (keep)
				cell_span(&sp->c, p + i, j - i);
			if (j == n || p[j] == '\n')
				return j;
			cell_done(sc, sp);
			sp->in_run = false;
			i = j + 1;
		}
		return i;
	}
	while (i < n) {
		size_t j = i;
		if (sp->quoted)
			while (j < n && p[j] != '"' && p[j] != '\n')
				j++;
		else
			while (j < n && !stop[(unsigned char)p[j]])
				j++;
		if (keep && j > i)
			cell_span(&sp->c, p + i, j - i);
		if (j == n || p[j] == '\n')
			return j;
		if (p[j] == '"') {
			sp->quoted = !sp->quoted;
			if (keep)
				cell_byte(&sp->c, '"');
		} else {
			cell_done(sc, sp);
			cell_reset(&sp->c);
		}
		i = j + 1;
	}
	return i;
}

/* Feeds n bytes of text. Stops early once sc->err is set. */
static void feed(scanner *sc, const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && !sc->err) {
		if (sc->since_poll >= POLL_BYTES) {
			sc->since_poll = 0;
			if (mm_interrupted()) {
				sc->err = mm_diag_set(sc->d, MM_ERR_INTERRUPTED,
				                      nospan, "%s: reading "
				                      "interrupted", sc->name);
				return;
			}
		}
		char ch = p[i];
		if (sc->at_start) {
			/* a UTF-8 byte-order mark at the very start */
			static const char bom[3] = "\xef\xbb\xbf";
			if (sc->bom < 3 && ch == bom[sc->bom]) {
				if (++sc->bom == 3)
					sc->at_start = false;
				i++;
				continue;
			}
			sc->at_start = false;
			for (int b = 0; b < sc->bom; b++) /* not one after all */
				feed(sc, &bom[b], 1);
			continue;
		}
		if (ch == '\n') {
			line_end(sc);
			sc->lineno++;
			sc->lead_tabs = 0;
			sc->since_poll++;
			i++;
			continue;
		}
		if (sc->state == SKIP) {
			const char *nl = memchr(p + i, '\n', n - i);
			size_t k = nl ? (size_t)(nl - (p + i)) : n - i;
			sc->since_poll += k;
			i += k;
			continue;
		}
		if (sc->state == DATA && sc->nsp == 1) {
			size_t k = feed_cells(sc, p + i, n - i);
			sc->since_poll += k;
			i += k;
			continue;
		}
		sc->since_poll++;
		i++;
		if (sc->state == LEAD) {
			if (is_blank(ch)) {
				sc->lead_tabs += ch == '\t';
				continue;
			}
			line_begins(sc, ch);
			if (sc->state != DATA)
				continue;
		}
		if (sc->nsp > 1) {
			sc->has[0] |= ch == '\t';
			sc->has[1] |= ch == ';';
			sc->has[2] |= ch == ',';
		}
		for (int s = 0; s < sc->nsp; s++)
			split_byte(sc, &sc->sp[s], ch);
	}
}

static void scan_init(scanner *sc, const char *name,
                      const mm_io_load_opts *opts, enum mode mode, char sep,
                      mm_diag *d)
{
	memset(sc, 0, sizeof *sc);
	sc->opts = opts;
	sc->name = name;
	sc->d = d;
	sc->mode = mode;
	sc->sep = sep;
	sc->nsp = 1;
	sc->sp[0].sep = sep;
	if (sep)
		set_stops(sc);
	sc->at_start = true;
	sc->lineno = 1;
	sc->header_done = !opts->header;
}

/* After the last byte: the last line, then what the whole says. */
static mm_code scan_finish(scanner *sc)
{
	if (sc->err)
		return sc->err;
	if (sc->at_start && sc->bom) { /* a file of a partial mark only */
		int k = sc->bom;
		sc->at_start = false;
		feed(sc, "\xef\xbb\xbf", (size_t)k);
	}
	line_end(sc);
	if (sc->err)
		return sc->err;
	if (!sc->any)
		return mm_diag_set(sc->d, MM_ERR_FORMAT, nospan,
		                   "%s: the file is empty: no numbers to load",
		                   sc->name);
	if (sc->rows == 0)
		return mm_diag_set(sc->d, MM_ERR_FORMAT, nospan,
		                   "%s: no data rows after the header line",
		                   sc->name);
	return MM_OK;
}

/* The checks between counting and allocating: the separator, the size
 * against int64 and opts->max_bytes. *bytes gets the data's size. */
static mm_code check_size(scanner *sc, uint64_t *bytes)
{
	uint64_t osize = sc->opts->f32 ? 4 : 8;
	int64_t shape[2] = {sc->rows, sc->cols}, numel;
	if (mm_ckd_numel(2, shape, osize, &numel))
		return mm_diag_set(sc->d, MM_ERR_LIMIT, nospan,
		                   "%s: too many cells", sc->name);
	*bytes = (uint64_t)numel * osize;
	if (sc->opts->max_bytes && *bytes > sc->opts->max_bytes)
		return mm_diag_set(sc->d, MM_ERR_LIMIT, nospan,
		                   "%s: %" PRId64 " x %" PRId64 " values need %"
		                   PRIu64 " bytes, over the limit of %" PRIu64
		                   " bytes", sc->name, sc->rows, sc->cols, *bytes,
		                   sc->opts->max_bytes);
	return MM_OK;
}

static mm_code check_sep(char sep, const char *name, mm_diag *d)
{
	if (sep && sep != ',' && sep != '\t' && sep != ';' && sep != ' ')
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: separator '%c' is not one of ',' ';' "
		                   "tab or ' '", name, sep);
	return MM_OK;
}

static void fill_info(mm_io_info *info, const scanner *sc, void *data)
{
	if (!info)
		return;
	memset(info, 0, sizeof *info);
	info->dtype = sc->opts->f32 ? MM_F32 : MM_F64;
	info->ndim = 2;
	info->shape[0] = sc->rows;
	info->shape[1] = sc->cols;
	info->data = data;
	memcpy(info->file_dtype, "text", 5);
	info->sep = sc->sep;
	info->header_skipped = sc->opts->header;
}

/* Loads text in memory: a counting pass, the checks, the buffer from
 * opts->alloc, a converting pass. */
static mm_code parse(const char *data, size_t len, const char *name,
                     const mm_io_load_opts *opts, mm_io_info *info,
                     mm_diag *d)
{
	mm_code c = check_sep(opts->sep, name, d);
	if (c)
		return c;
	scanner sc;
	scan_init(&sc, name, opts, COUNT, opts->sep, d);
	feed(&sc, data, len);
	uint64_t bytes;
	if ((c = scan_finish(&sc)) || (c = check_size(&sc, &bytes)))
		return c;
	if (!opts->alloc)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: no allocator given", name);
	int64_t shape[2] = {sc.rows, sc.cols};
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
	scanner pc;
	mm_diag local;
	scan_init(&pc, name, opts, PARSE, sc.sep, d ? d : &local);
	pc.dst = dst;
	pc.ncells = sc.rows * sc.cols;
	feed(&pc, data, len);
	if ((c = scan_finish(&pc)))
		return c;
	fill_info(info, &sc, dst);
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

/* --- the shape without the data */

/* Scans text from a reader in SCAN_CHUNK pieces. */
static mm_code scan_reader(mm_io_reader *r, const mm_io_load_opts *opts,
                           mm_io_info *info, mm_diag *d)
{
	mm_io_load_opts none = {0};
	if (!opts)
		opts = &none;
	mm_code c = check_sep(opts->sep, r->name, d);
	if (c)
		return c;
	char *buf = malloc(SCAN_CHUNK);
	if (!buf)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: out of memory", r->name);
	scanner sc;
	mm_diag local;
	scan_init(&sc, r->name, opts, SCAN, opts->sep, d ? d : &local);
	for (;;) {
		int64_t k = mm_io_read(r, buf, SCAN_CHUNK, sc.d);
		if (k < 0) {
			free(buf);
			return sc.d->code;
		}
		feed(&sc, buf, (size_t)k);
		if (sc.err || (size_t)k < SCAN_CHUNK)
			break;
	}
	free(buf);
	uint64_t bytes;
	if ((c = scan_finish(&sc)) || (c = check_size(&sc, &bytes)))
		return c;
	if (sc.bad) {
		*sc.d = sc.bad_diag;
		return sc.bad_diag.code;
	}
	fill_info(info, &sc, NULL);
	return MM_OK;
}

mm_code mm_csv_scan(const char *path, const mm_io_load_opts *opts,
                    mm_io_info *info, mm_diag *d)
{
	return mm_io_with_path(path, scan_reader, opts, info, d);
}

mm_code mm_csv_scan_mem(const void *p, size_t len, const char *name,
                        const mm_io_load_opts *opts, mm_io_info *info,
                        mm_diag *d)
{
	mm_io_reader r;
	mm_io_reader_mem(&r, p, len, name ? name : "(memory)");
	return scan_reader(&r, opts, info, d);
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
	/* An array with no elements is no text at all, however many empty
	 * rows its shape has ((2^60 x 0) must not write 2^60 newlines: they
	 * would not read back either). */
	if (rows == 0 || cols == 0)
		return MM_OK;
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
		} else if (!w && out->len >= FLUSH_BYTES && mm_interrupted()) {
			c = mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
			                "%s: formatting interrupted", name);
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
