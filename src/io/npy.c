/* npy.c — reading and writing NumPy .npy files (format 1.0, 2.0, 3.0). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcalc/ckd.h"
#include "mmcalc/dtype_round.h"
#include "mmcalc/npy.h"

static const mm_span nospan = {0, 0};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static const bool host_big = true;
#else
static const bool host_big = false;
#endif

/* NumPy refuses headers over 10000 bytes unless told otherwise; a simple
 * array's header is under 200. Anything past this is a lie or an attack. */
#define MAX_HEADER ((uint32_t)1 << 20)
/* Elements converted per step: bounce buffers stay at 1 MiB. */
#define STEP_ELEMS ((size_t)1 << 17)

enum kind { K_FLOAT, K_INT, K_UINT, K_BOOL };

typedef struct header {
	int major, minor;
	char descr[16];
	enum kind kind;
	unsigned itemsize;
	bool big;
	bool fortran;
	int ndim;
	int64_t shape[MM_IO_MAXDIM];
} header;

/* --- the header dict: a Python literal such as
 *   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
 * keys in any order, blanks anywhere, trailing commas allowed. */

typedef struct lexer {
	const char *p, *end;
	const char *name;
	mm_diag *d;
} lexer;

static void skip_ws(lexer *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' ||
	                         *x->p == '\n' || *x->p == '\r'))
		x->p++;
}

static bool at(lexer *x, char c)
{
	skip_ws(x);
	return x->p < x->end && *x->p == c;
}

static mm_code bad_header(lexer *x, const char *what)
{
	return mm_diag_set(x->d, MM_ERR_FORMAT, nospan,
	                   "%s: malformed .npy header: %s", x->name, what);
}

/* Copies s into out (cap bytes) with anything unprintable as '?', so a
 * message never carries control bytes from a hostile file. */
static void printable(char *out, size_t cap, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && i + 1 < cap; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

/* string := '...' | "..." (backslash escapes skipped over). Sets *s, *n to
 * the raw contents. */
static mm_code lex_string(lexer *x, const char **s, size_t *n)
{
	skip_ws(x);
	if (x->p >= x->end || (*x->p != '\'' && *x->p != '"'))
		return bad_header(x, "expected a quoted string");
	char q = *x->p++;
	const char *start = x->p;
	while (x->p < x->end && *x->p != q) {
		if (*x->p == '\\' && x->p + 1 < x->end)
			x->p++;
		x->p++;
	}
	if (x->p >= x->end)
		return bad_header(x, "unterminated string");
	*s = start;
	*n = (size_t)(x->p - start);
	x->p++;
	return MM_OK;
}

static bool lex_word(lexer *x, const char *w)
{
	size_t n = strlen(w);
	skip_ws(x);
	if ((size_t)(x->end - x->p) < n || memcmp(x->p, w, n) != 0)
		return false;
	const char *after = x->p + n;
	if (after < x->end && ((*after >= 'a' && *after <= 'z') ||
	                       (*after >= 'A' && *after <= 'Z') ||
	                       (*after >= '0' && *after <= '9') || *after == '_'))
		return false;
	x->p = after;
	return true;
}

/* descr := string; a list (structured dtype) or tuple (sub-array) is
 * recognised to be refused by name. */
static mm_code parse_descr(lexer *x, header *h)
{
	if (at(x, '['))
		return mm_diag_set(x->d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s: structured dtypes (records with named "
		                   "fields) are not supported", x->name);
	if (at(x, '('))
		return mm_diag_set(x->d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s: sub-array dtypes are not supported",
		                   x->name);
	const char *s;
	size_t n;
	mm_code c = lex_string(x, &s, &n);
	if (c)
		return c;
	char shown[16];
	printable(shown, sizeof shown, s, n);
	if (n >= sizeof h->descr)
		goto unsupported;
	memcpy(h->descr, shown, n + 1);
	const char *t = h->descr;
	bool big = host_big;
	if (*t == '<' || *t == '>' || *t == '|' || *t == '=') {
		if (*t == '<')
			big = false;
		else if (*t == '>')
			big = true;
		t++;
	}
	h->big = big;
	if (*t == 'O')
		return mm_diag_set(x->d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s: object arrays (pickled Python objects, "
		                   "dtype '%s') are not supported: save a numeric "
		                   "array", x->name, h->descr);
	if (*t == 'V')
		return mm_diag_set(x->d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s: structured/void dtype '%s' is not "
		                   "supported", x->name, h->descr);
	static const struct {
		const char *code;
		enum kind kind;
		unsigned size;
	} known[] = {
		{"f8", K_FLOAT, 8}, {"f4", K_FLOAT, 4}, {"f2", K_FLOAT, 2},
		{"i8", K_INT, 8},   {"i4", K_INT, 4},   {"i2", K_INT, 2},
		{"i1", K_INT, 1},   {"u8", K_UINT, 8},  {"u4", K_UINT, 4},
		{"u2", K_UINT, 2},  {"u1", K_UINT, 1},  {"b1", K_BOOL, 1},
		{"?", K_BOOL, 1},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(t, known[i].code) == 0) {
			h->kind = known[i].kind;
			h->itemsize = known[i].size;
			return MM_OK;
		}
unsupported:
	return mm_diag_set(x->d, MM_ERR_UNSUPPORTED, nospan,
	                   "%s: dtype '%s' is not supported", x->name, shown);
}

/* shape := '(' [int (',' int)* [',']] ')' (a list '[...]' is accepted). */
static mm_code parse_shape(lexer *x, header *h)
{
	skip_ws(x);
	if (x->p >= x->end || (*x->p != '(' && *x->p != '['))
		return bad_header(x, "shape is not a tuple");
	char close = *x->p == '(' ? ')' : ']';
	x->p++;
	h->ndim = 0;
	for (;;) {
		if (at(x, close)) {
			x->p++;
			return MM_OK;
		}
		if (x->p < x->end && *x->p == '-')
			return bad_header(x, "negative dimension in shape");
		if (x->p >= x->end || *x->p < '0' || *x->p > '9')
			return bad_header(x, "shape holds something other than "
			                     "integers");
		int64_t v = 0;
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9') {
			int digit = *x->p++ - '0';
			if (v > (INT64_MAX - digit) / 10)
				return mm_diag_set(x->d, MM_ERR_LIMIT, nospan,
				                   "%s: a dimension in the shape "
				                   "overflows 64 bits", x->name);
			v = v * 10 + digit;
		}
		if (x->p < x->end && (*x->p == 'L' || *x->p == 'l'))
			x->p++; /* Python 2 long */
		if (h->ndim == MM_IO_MAXDIM)
			return mm_diag_set(x->d, MM_ERR_UNSUPPORTED, nospan,
			                   "%s: arrays of more than %d dimensions "
			                   "are not supported", x->name,
			                   MM_IO_MAXDIM);
		h->shape[h->ndim++] = v;
		if (at(x, ',')) {
			x->p++;
			continue;
		}
		if (!at(x, close))
			return bad_header(x, "expected ',' or the end of the "
			                     "shape");
	}
}

/* dict := '{' (key ':' value ','?)* '}' with the three keys NumPy writes. */
static mm_code parse_dict(const char *text, size_t len, const char *name,
                          header *h, mm_diag *d)
{
	lexer x = {text, text + len, name, d};
	bool seen_descr = false, seen_order = false, seen_shape = false;
	mm_code c;
	if (!at(&x, '{'))
		return bad_header(&x, "it does not start with '{'");
	x.p++;
	for (;;) {
		if (at(&x, '}'))
			break;
		const char *k;
		size_t kn;
		if ((c = lex_string(&x, &k, &kn)))
			return c;
		if (!at(&x, ':'))
			return bad_header(&x, "expected ':' after a key");
		x.p++;
		if (kn == 5 && memcmp(k, "descr", 5) == 0) {
			if ((c = parse_descr(&x, h)))
				return c;
			seen_descr = true;
		} else if (kn == 13 && memcmp(k, "fortran_order", 13) == 0) {
			if (lex_word(&x, "True"))
				h->fortran = true;
			else if (lex_word(&x, "False"))
				h->fortran = false;
			else
				return bad_header(&x, "fortran_order is not "
				                      "True or False");
			seen_order = true;
		} else if (kn == 5 && memcmp(k, "shape", 5) == 0) {
			if ((c = parse_shape(&x, h)))
				return c;
			seen_shape = true;
		} else {
			char shown[32], msg[64];
			printable(shown, sizeof shown, k, kn);
			snprintf(msg, sizeof msg, "unexpected key '%s'", shown);
			return bad_header(&x, msg);
		}
		if (at(&x, ',')) {
			x.p++;
			continue;
		}
		if (!at(&x, '}'))
			return bad_header(&x, "expected ',' or '}'");
	}
	x.p++;
	skip_ws(&x);
	if (x.p != x.end)
		return bad_header(&x, "text after the closing '}'");
	if (!seen_descr)
		return bad_header(&x, "no 'descr' key");
	if (!seen_order)
		return bad_header(&x, "no 'fortran_order' key");
	if (!seen_shape)
		return bad_header(&x, "no 'shape' key");
	return MM_OK;
}

/* --- reading */

static mm_code truncated(mm_io_reader *r, mm_diag *d, const char *what)
{
	return mm_diag_set(d, MM_ERR_FORMAT, nospan,
	                   "%s: truncated .npy file: %s", r->name, what);
}

static uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

/* Magic, version and header; leaves r at the first data byte. */
static mm_code read_header(mm_io_reader *r, header *h, mm_diag *d)
{
	unsigned char pre[12];
	int64_t k = mm_io_read(r, pre, 8, d);
	if (k < 0)
		return d ? d->code : MM_ERR_IO;
	if (k >= 4 && memcmp(pre, "PK\x03\x04", 4) == 0) {
		mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
		            "%s: this is a .npz archive (a zip of arrays), not a "
		            ".npy file", r->name);
		mm_diag_hint(d, "unzip it and load the .npy members one by one");
		return MM_ERR_UNSUPPORTED;
	}
	if (k < 6 || memcmp(pre, "\x93NUMPY", 6) != 0)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: not a .npy file (it does not start with "
		                   "\\x93NUMPY)", r->name);
	if (k < 8)
		return truncated(r, d, "no version");
	h->major = pre[6];
	h->minor = pre[7];
	if (h->major < 1 || h->major > 3 || h->minor != 0)
		return mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s: .npy format version %d.%d is not "
		                   "supported (1.0, 2.0 and 3.0 are)", r->name,
		                   h->major, h->minor);
	size_t lenbytes = h->major == 1 ? 2 : 4;
	k = mm_io_read(r, pre + 8, lenbytes, d);
	if (k < 0)
		return d ? d->code : MM_ERR_IO;
	if ((size_t)k < lenbytes)
		return truncated(r, d, "no header length");
	uint32_t hlen = h->major == 1 ? (uint32_t)pre[8] | (uint32_t)pre[9] << 8
	                              : le32(pre + 8);
	int64_t left = mm_io_reader_left(r);
	if (left >= 0 && hlen > left)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: the header claims %" PRIu32 " bytes but "
		                   "only %" PRId64 " follow: the file is "
		                   "truncated or not a .npy file", r->name, hlen,
		                   left);
	if (hlen > MAX_HEADER)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: header length %" PRIu32 " is "
		                   "implausibly large", r->name, hlen);
	char *text = malloc(hlen ? hlen : 1);
	if (!text)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: out of memory reading the header",
		                   r->name);
	k = mm_io_read(r, text, hlen, d);
	mm_code c;
	if (k < 0)
		c = d ? d->code : MM_ERR_IO;
	else if ((uint64_t)k < hlen)
		c = truncated(r, d, "the header is cut short");
	else
		c = parse_dict(text, hlen, r->name, h, d);
	free(text);
	return c;
}

static void shape_text(char *out, size_t cap, int ndim, const int64_t *shape)
{
	size_t n = 0;
	n += (size_t)snprintf(out + n, cap - n, "(");
	for (int i = 0; i < ndim && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%" PRId64,
		                      i ? ", " : "", shape[i]);
	if (n < cap)
		n += (size_t)snprintf(out + n, cap - n, ndim == 1 ? ",)" : ")");
}

static inline uint16_t swap16(uint16_t v)
{
	return (uint16_t)(v >> 8 | v << 8);
}

static inline uint32_t swap32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t swap64(uint64_t v) { return __builtin_bswap64(v); }

#define TWO53 9007199254740992.0

/* Decodes n elements of the file's type at src into dst (float for f4,
 * f2 and i1, double otherwise). Sets *lossy when an integer was rounded. */
static void decode(const header *h, bool swap, const unsigned char *src,
                   size_t n, void *dst, bool *lossy)
{
	float *fo = dst;
	double *dout = dst;
	size_t i;
	switch (h->kind) {
	case K_FLOAT:
		if (h->itemsize == 8) {
			for (i = 0; i < n; i++) {
				uint64_t v;
				memcpy(&v, src + 8 * i, 8);
				if (swap)
					v = swap64(v);
				memcpy(&dout[i], &v, 8);
			}
		} else if (h->itemsize == 4) {
			for (i = 0; i < n; i++) {
				uint32_t v;
				memcpy(&v, src + 4 * i, 4);
				if (swap)
					v = swap32(v);
				memcpy(&fo[i], &v, 4);
			}
		} else {
			for (i = 0; i < n; i++) {
				uint16_t v;
				memcpy(&v, src + 2 * i, 2);
				if (swap)
					v = swap16(v);
				fo[i] = mm_dtype_from_f16_bits(v);
			}
		}
		break;
	case K_INT:
	case K_UINT: {
		bool sgn = h->kind == K_INT;
		for (i = 0; i < n; i++) {
			const unsigned char *s = src + (size_t)h->itemsize * i;
			double v;
			if (h->itemsize == 1 && sgn) {
				fo[i] = (float)(int8_t)s[0]; /* kept as i8 */
				continue;
			}
			if (h->itemsize == 1) {
				v = (double)s[0];
			} else if (h->itemsize == 2) {
				uint16_t u;
				memcpy(&u, s, 2);
				if (swap)
					u = swap16(u);
				v = sgn ? (double)(int16_t)u : (double)u;
			} else if (h->itemsize == 4) {
				uint32_t u;
				memcpy(&u, s, 4);
				if (swap)
					u = swap32(u);
				v = sgn ? (double)(int32_t)u : (double)u;
			} else {
				uint64_t u;
				memcpy(&u, s, 8);
				if (swap)
					u = swap64(u);
				if (sgn) {
					int64_t sv = (int64_t)u;
					v = (double)sv;
					if (sv > (int64_t)1 << 53 ||
					    sv < -((int64_t)1 << 53))
						*lossy = true;
				} else {
					v = (double)u;
					if (u > (uint64_t)1 << 53)
						*lossy = true;
				}
			}
			dout[i] = v;
		}
		break;
	}
	case K_BOOL:
		for (i = 0; i < n; i++)
			dout[i] = src[i] ? 1.0 : 0.0;
		break;
	}
}

/* Most of the time of loading a big array into fresh memory goes to page
 * faults, one per 4 KiB; asking for transparent huge pages on the
 * destination (a hint: it changes no contents) makes that one per 2 MiB. */
static void hugepages(void *dst, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	if (bytes < 2 * huge)
		return;
	uintptr_t lo = ((uintptr_t)dst + huge - 1) & ~(huge - 1);
	uintptr_t hi = ((uintptr_t)dst + bytes) & ~(huge - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)dst;
	(void)bytes;
#endif
}

/* Reads the data (numel elements of h's type) into dst, converting and
 * transposing as needed. */
static mm_code read_data(mm_io_reader *r, const header *h, mm_dtype out,
                         int64_t numel, void *dst, bool *lossy, mm_diag *d)
{
	size_t osize = out == MM_F64 ? 8 : 4;
	bool swap = h->itemsize > 1 && h->big != host_big;
	int nontrivial = 0;
	for (int i = 0; i < h->ndim; i++)
		nontrivial += h->shape[i] > 1;
	bool transpose = h->fortran && nontrivial > 1;
	bool same = h->kind == K_FLOAT && h->itemsize == osize;
	hugepages(dst, (size_t)numel * osize);
	if (same && !swap && !transpose) {
		size_t bytes = (size_t)numel * osize;
		int64_t k = mm_io_read(r, dst, bytes, d);
		if (k < 0)
			return d ? d->code : MM_ERR_IO;
		if ((size_t)k < bytes)
			return truncated(r, d, "the data is cut short");
		return MM_OK;
	}
	unsigned char *raw = malloc(STEP_ELEMS * h->itemsize);
	unsigned char *lin = transpose ? malloc(STEP_ELEMS * osize) : NULL;
	if (!raw || (transpose && !lin)) {
		free(raw);
		free(lin);
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: out of memory converting the data",
		                   r->name);
	}
	/* Fortran order: the file walks axis 0 fastest. cstride is the C-order
	 * stride of each axis in the destination; idx/off follow the file. */
	int64_t cstride[MM_IO_MAXDIM], idx[MM_IO_MAXDIM] = {0};
	int64_t off = 0, stride = 1;
	for (int i = h->ndim - 1; i >= 0; i--) {
		cstride[i] = stride;
		stride *= h->shape[i];
	}
	mm_code c = MM_OK;
	unsigned char *o = dst;
	for (int64_t done = 0; done < numel;) {
		size_t n = (size_t)(numel - done) < STEP_ELEMS
		                   ? (size_t)(numel - done) : STEP_ELEMS;
		size_t bytes = n * h->itemsize;
		int64_t k = mm_io_read(r, raw, bytes, d);
		if (k < 0) {
			c = d ? d->code : MM_ERR_IO;
			break;
		}
		if ((size_t)k < bytes) {
			c = truncated(r, d, "the data is cut short");
			break;
		}
		if (!transpose) {
			decode(h, swap, raw, n, o + (size_t)done * osize, lossy);
		} else {
			decode(h, swap, raw, n, lin, lossy);
			for (size_t i = 0; i < n; i++) {
				memcpy(o + (size_t)off * osize, lin + i * osize,
				       osize);
				for (int a = 0; a < h->ndim; a++) {
					off += cstride[a];
					if (++idx[a] < h->shape[a])
						break;
					off -= idx[a] * cstride[a];
					idx[a] = 0;
				}
			}
		}
		done += (int64_t)n;
	}
	free(raw);
	free(lin);
	return c;
}

/* The dtype a file's type loads as: f4, f2 and i1 keep theirs (f16 and
 * i8 stored as exact f32 values), the other integers and bool widen to
 * f64. */
static mm_dtype out_dtype(const header *h)
{
	if (h->kind == K_FLOAT)
		return h->itemsize == 8 ? MM_F64 : h->itemsize == 4 ? MM_F32 : MM_F16;
	return h->kind == K_INT && h->itemsize == 1 ? MM_I8 : MM_F64;
}

/* What the header says the load will make, checked against every limit
 * before anything is allocated. */
typedef struct plan {
	header h;
	mm_dtype out;        /* out_dtype: f64 stored as double, the rest as f32 */
	int64_t numel;
	uint64_t out_bytes;  /* of the loaded array */
} plan;

/* Reads the header (nothing past it) and checks the shape against
 * NumPy's size rule, int64/size_t, opts->max_bytes and the bytes left in
 * the file when its size is known. */
static mm_code plan_load(mm_io_reader *r, const mm_io_load_opts *opts,
                         plan *pl, mm_diag *d)
{
	header *h = &pl->h;
	memset(pl, 0, sizeof *pl);
	mm_code c = read_header(r, h, d);
	if (c)
		return c;
	pl->out = out_dtype(h);
	size_t osize = pl->out == MM_F64 ? 8 : 4;
	char shp[160];
	shape_text(shp, sizeof shp, h->ndim, h->shape);
	/* NumPy's rule (mm_ckd_numel): the non-zero dims times the element
	 * size must fit even when a 0 dim makes the array empty, in the
	 * file's type and in the type loaded as. */
	uint64_t es = h->itemsize > osize ? h->itemsize : osize;
	if (mm_ckd_numel(h->ndim, h->shape, es, &pl->numel) ||
	    (uint64_t)pl->numel > SIZE_MAX / es)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: shape %s is too large: its byte count "
		                   "overflows 64 bits", r->name, shp);
	uint64_t file_bytes = (uint64_t)pl->numel * h->itemsize;
	pl->out_bytes = (uint64_t)pl->numel * osize;
	if (opts && opts->max_bytes && pl->out_bytes > opts->max_bytes)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: an array of shape %s needs %" PRIu64
		                   " bytes, over the limit of %" PRIu64 " bytes",
		                   r->name, shp, pl->out_bytes, opts->max_bytes);
	int64_t left = mm_io_reader_left(r);
	if (left >= 0 && (uint64_t)left < file_bytes)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: truncated .npy file: shape %s of '%s' "
		                   "needs %" PRIu64 " data bytes but only %"
		                   PRId64 " are there", r->name, shp, h->descr,
		                   file_bytes, left);
	return MM_OK;
}

static void fill_info(mm_io_info *info, const plan *pl, void *data,
                      bool lossy)
{
	if (!info)
		return;
	const header *h = &pl->h;
	memset(info, 0, sizeof *info);
	info->dtype = pl->out;
	info->ndim = h->ndim;
	memcpy(info->shape, h->shape, sizeof h->shape);
	info->data = data;
	memcpy(info->file_dtype, h->descr, sizeof info->file_dtype);
	info->widened = pl->out == MM_F64 && h->kind != K_FLOAT;
	info->lossy = lossy;
	info->byteswapped = h->itemsize > 1 && h->big != host_big;
	info->fortran_order = h->fortran;
	info->version_major = h->major;
	info->version_minor = h->minor;
}

mm_code mm_npy_load_reader(mm_io_reader *r, const mm_io_load_opts *opts,
                           mm_io_info *info, mm_diag *d)
{
	plan pl;
	mm_code c = plan_load(r, opts, &pl, d);
	if (c)
		return c;
	if (!opts->alloc)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: no allocator given", r->name);
	mm_diag_clear(d);
	void *dst = opts->alloc(opts->alloc_ctx, pl.out, pl.h.ndim, pl.h.shape,
	                        d);
	if (!dst) {
		if (d && d->code == MM_OK)
			mm_diag_set(d, MM_ERR_NOMEM, nospan,
			            "%s: cannot allocate %" PRIu64 " bytes",
			            r->name, pl.out_bytes);
		return d ? d->code : MM_ERR_NOMEM;
	}
	bool lossy = false;
	if (pl.numel > 0 &&
	    (c = read_data(r, &pl.h, pl.out, pl.numel, dst, &lossy, d)))
		return c;
	fill_info(info, &pl, dst, lossy);
	return MM_OK;
}

mm_code mm_npy_read_header_reader(mm_io_reader *r,
                                  const mm_io_load_opts *opts,
                                  mm_io_info *info, mm_diag *d)
{
	plan pl;
	mm_code c = plan_load(r, opts, &pl, d);
	if (c == MM_OK)
		fill_info(info, &pl, NULL, false);
	return c;
}

mm_code mm_npy_read_header(const char *path, const mm_io_load_opts *opts,
                           mm_io_info *info, mm_diag *d)
{
	return mm_io_with_path(path, mm_npy_read_header_reader, opts, info, d);
}

mm_code mm_npy_load_fd(int fd, const char *name, const mm_io_load_opts *opts,
                       mm_io_info *info, mm_diag *d)
{
	mm_io_reader r;
	mm_io_reader_fd(&r, fd, name);
	return mm_npy_load_reader(&r, opts, info, d);
}

mm_code mm_npy_load_mem(const void *p, size_t len, const char *name,
                        const mm_io_load_opts *opts, mm_io_info *info,
                        mm_diag *d)
{
	mm_io_reader r;
	mm_io_reader_mem(&r, p, len, name);
	return mm_npy_load_reader(&r, opts, info, d);
}

mm_code mm_npy_load(const char *path, const mm_io_load_opts *opts,
                    mm_io_info *info, mm_diag *d)
{
	return mm_io_with_path(path, mm_npy_load_reader, opts, info, d);
}

/* --- writing */

/* The file type a tensor of dtype t is written as ("" when NumPy has
 * none: bf16 and the f8s), and its element size. */
static const char *file_type(mm_dtype t, size_t *size)
{
	switch (t) {
	case MM_F64: *size = 8; return "f8";
	case MM_F32:
	case MM_TF32: *size = 4; return "f4";
	case MM_F16: *size = 2; return "f2";
	case MM_I8:
	case MM_I4: *size = 1; return "i1";
	default: *size = 0; return "";
	}
}

size_t mm_npy_header(mm_dtype dtype, int ndim, const int64_t *shape,
                     char *out, size_t cap)
{
	size_t es;
	const char *ft = file_type(dtype, &es);
	if (!*ft || ndim < 0 || ndim > MM_IO_MAXDIM)
		return 0;
	char dict[400];
	int n = snprintf(dict, sizeof dict,
	                 "{'descr': '%c%s', 'fortran_order': False, 'shape': (",
	                 es == 1 ? '|' : host_big ? '>' : '<', ft);
	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 0)
			return 0;
		n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%" PRId64,
		              i ? ", " : "", shape[i]);
	}
	n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }",
	              ndim == 1 ? "," : "");
	/* magic(6) + version(2) + length(2 or 4) + dict + pad + '\n' */
	size_t pre = 10, dn = (size_t)n;
	size_t total = (pre + dn + 1 + 63) / 64 * 64;
	if (total - pre > 65535) {
		pre = 12;
		total = (pre + dn + 1 + 63) / 64 * 64;
	}
	if (total > cap)
		return total;
	size_t hlen = total - pre;
	memcpy(out, "\x93NUMPY", 6);
	out[6] = pre == 10 ? 1 : 2;
	out[7] = 0;
	for (size_t i = 0; i < pre - 8; i++)
		out[8 + i] = (char)(hlen >> (8 * i) & 0xff);
	memcpy(out + pre, dict, dn);
	memset(out + pre + dn, ' ', total - pre - dn - 1);
	out[total - 1] = '\n';
	return total;
}

/* Writes n elements of data (stored as dtype t: double for f64, float
 * otherwise) in the file's type, converting a step at a time. */
static mm_code write_data(mm_io_atomic *w, mm_dtype t, const void *data,
                          int64_t n, mm_diag *d)
{
	size_t es;
	file_type(t, &es);
	if (es >= 4)
		return mm_io_atomic_write(w, data, (size_t)n * es, d);
	unsigned char *buf = malloc(STEP_ELEMS * es);
	if (!buf)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "out of memory converting the data");
	const float *f = data;
	mm_code c = MM_OK;
	for (int64_t done = 0; done < n && c == MM_OK;) {
		size_t k = (size_t)(n - done) < STEP_ELEMS ? (size_t)(n - done)
		                                           : STEP_ELEMS;
		if (es == 2) {
			uint16_t *h = (uint16_t *)(void *)buf;
			mm_dtype_to_f16_bits((int64_t)k, f + done, h);
			for (size_t i = 0; host_big && i < k; i++)
				h[i] = swap16(h[i]);
		} else {
			for (size_t i = 0; i < k; i++)
				buf[i] = (unsigned char)(int8_t)mm_dtype_round(
				        MM_I8, f[done + (int64_t)i]);
		}
		c = mm_io_atomic_write(w, buf, k * es, d);
		done += (int64_t)k;
	}
	free(buf);
	return c;
}

mm_code mm_npy_save(const char *path, mm_dtype dtype, int ndim,
                    const int64_t *shape, const void *data, mm_diag *d)
{
	size_t esize;
	if (!*file_type(dtype, &esize)) {
		const char *name = mm_dtype_name(dtype);
		mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
		            "%s: NumPy has no %s type, so a .npy file cannot hold "
		            "a%s %s tensor", path, name, name[0] == 'f' ? "n" : "",
		            name);
		/* every f8 value is exact in f16; bf16's range is f32's */
		mm_diag_hint(d, dtype == MM_BF16
		                    ? "save astype(x, dtype=f32) (exact), or "
		                      "astype(x, dtype=f16) (rounded, and inf "
		                      "beyond 65504)"
		                    : "save astype(x, dtype=f16) (exact, 2 bytes "
		                      "an element) or astype(x, dtype=f32)");
		return MM_ERR_UNSUPPORTED;
	}
	char hdr[512];
	size_t hn = mm_npy_header(dtype, ndim, shape, hdr, sizeof hdr);
	if (hn == 0 || hn > sizeof hdr)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "%s: cannot save: bad dtype or shape", path);
	int64_t numel;
	if (mm_ckd_numel(ndim, shape, esize > 4 ? esize : 4, &numel))
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: cannot save: size overflows", path);
	mm_io_atomic w;
	mm_code c = mm_io_atomic_open(&w, path, d);
	if (c)
		return c;
	if ((c = mm_io_atomic_write(&w, hdr, hn, d)) ||
	    (c = write_data(&w, dtype, data, numel, d))) {
		mm_io_atomic_abort(&w);
		return c;
	}
	return mm_io_atomic_commit(&w, d);
}
