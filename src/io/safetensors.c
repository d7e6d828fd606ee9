/* safetensors.c — reading .safetensors headers (checked, with jansson)
 * and loading one tensor's data. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcalc/ckd.h"
#include "mmcalc/safetensors.h"

static const mm_span nospan = {0, 0};

/* Elements converted per step: bounce buffers stay at 1 MiB or less. */
#define STEP_ELEMS ((size_t)1 << 17)

/* ---- dtypes ---- */

static const struct {
	const char *name;
	unsigned bits;
} dtypes[MM_ST_DTYPE_COUNT] = {
	[MM_ST_BOOL] = {"BOOL", 8},       [MM_ST_F4] = {"F4", 4},
	[MM_ST_F6_E2M3] = {"F6_E2M3", 6}, [MM_ST_F6_E3M2] = {"F6_E3M2", 6},
	[MM_ST_U8] = {"U8", 8},           [MM_ST_I8] = {"I8", 8},
	[MM_ST_F8_E5M2] = {"F8_E5M2", 8}, [MM_ST_F8_E4M3] = {"F8_E4M3", 8},
	[MM_ST_F8_E8M0] = {"F8_E8M0", 8}, [MM_ST_I16] = {"I16", 16},
	[MM_ST_U16] = {"U16", 16},        [MM_ST_F16] = {"F16", 16},
	[MM_ST_BF16] = {"BF16", 16},      [MM_ST_I32] = {"I32", 32},
	[MM_ST_U32] = {"U32", 32},        [MM_ST_F32] = {"F32", 32},
	[MM_ST_C64] = {"C64", 64},        [MM_ST_F64] = {"F64", 64},
	[MM_ST_I64] = {"I64", 64},        [MM_ST_U64] = {"U64", 64},
};

const char *mm_st_dtype_name(mm_st_dtype t)
{
	return (unsigned)t < MM_ST_DTYPE_COUNT ? dtypes[t].name : "?";
}

unsigned mm_st_dtype_bits(mm_st_dtype t)
{
	return (unsigned)t < MM_ST_DTYPE_COUNT ? dtypes[t].bits : 0;
}

bool mm_st_dtype_parse(const char *s, mm_st_dtype *out)
{
	for (int i = 0; i < MM_ST_DTYPE_COUNT; i++)
		if (strcmp(s, dtypes[i].name) == 0) {
			*out = (mm_st_dtype)i;
			return true;
		}
	return false;
}

bool mm_st_dtype_loads_as(mm_st_dtype t, mm_dtype *out)
{
	switch (t) {
	case MM_ST_F64:
		*out = MM_F64;
		return true;
	case MM_ST_F32:
	case MM_ST_F8_E5M2:
	case MM_ST_F8_E4M3:
	case MM_ST_F8_E8M0:
		*out = MM_F32;
		return true;
	case MM_ST_F16:
		*out = MM_F16;
		return true;
	case MM_ST_BF16:
		*out = MM_BF16;
		return true;
	case MM_ST_F4:
	case MM_ST_F6_E2M3:
	case MM_ST_F6_E3M2:
	case MM_ST_C64:
		return false;
	default: /* integers and BOOL */
		*out = MM_F64;
		return (unsigned)t < MM_ST_DTYPE_COUNT;
	}
}

/* The dtypes as a list for messages. */
static void dtype_list(char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < MM_ST_DTYPE_COUNT && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "",
		                      dtypes[i].name);
}

/* ---- names in messages ---- */

/* Cuts at a UTF-8 boundary: jansson guarantees valid UTF-8. */
const char *mm_st_shown(char out[MM_ST_SHOWN], const char *s)
{
	size_t n = strlen(s), k = n > 60 ? 60 : n;
	while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s[i];
		out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[o++] = '"';
	if (k < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "a whole number";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	default: return "null";
	}
}

/* "(2 x 3)", "()" for a scalar; cut short past the buffer. */
static const char *shape_text(char *out, size_t cap, int ndim,
                              const int64_t *shape)
{
	size_t n = (size_t)snprintf(out, cap, "(");
	for (int i = 0; i < ndim && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%" PRId64,
		                      i ? " x " : "", shape[i]);
	if (n < cap)
		snprintf(out + n, cap - n, ndim == 1 ? ",)" : ")");
	return out;
}

/* ---- names in order ---- */

static bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

int mm_st_name_cmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	while (*p && *q) {
		if (digit(*p) && digit(*q)) {
			while (*p == '0')
				p++;
			while (*q == '0')
				q++;
			const unsigned char *pe = p, *qe = q;
			while (digit(*pe))
				pe++;
			while (digit(*qe))
				qe++;
			if (pe - p != qe - q)
				return pe - p < qe - q ? -1 : 1;
			int c = memcmp(p, q, (size_t)(pe - p));
			if (c)
				return c < 0 ? -1 : 1;
			p = pe;
			q = qe;
			continue;
		}
		if (*p != *q)
			return *p < *q ? -1 : 1;
		p++;
		q++;
	}
	if (*p || *q)
		return *p ? 1 : -1;
	int c = strcmp(a, b);
	return (c > 0) - (c < 0);
}

const mm_st_tensor *mm_st_find(const mm_st_file *f, const char *name)
{
	size_t lo = 0, hi = f->ntensors;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const mm_st_tensor *t = &f->tensors[f->by_name[mid]];
		int c = mm_st_name_cmp(name, t->name);
		if (c == 0)
			return t;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const mm_st_tensor *mm_st_nth_by_name(const mm_st_file *f, size_t i)
{
	return i < f->ntensors ? &f->tensors[f->by_name[i]] : NULL;
}

static int by_name_cmp(const void *a, const void *b, void *ctx)
{
	const mm_st_tensor *t = ctx;
	return mm_st_name_cmp(t[*(const size_t *)a].name,
	                      t[*(const size_t *)b].name);
}

static int by_offset_cmp(const void *a, const void *b)
{
	const mm_st_tensor *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* ---- the header's JSON into an mm_st_file ---- */

typedef struct ctx {
	const char *file; /* for messages */
	mm_diag *d;
	mm_st_file *f;
	int64_t *dims;    /* the next free dim of f's block */
	char *strings;    /* the next free byte of f's block */
} ctx;

/* An MM_ERR_FORMAT error "FILE: ...": BAD(x, fmt, args...), fmt a
 * literal and at least one argument. */
#define BAD(x, fmt, ...)                                               \
	mm_diag_set((x)->d, MM_ERR_FORMAT, nospan, "%s: " fmt, (x)->file, \
	            __VA_ARGS__)

static char *keep(ctx *x, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = memcpy(x->strings, s, n);
	x->strings += n;
	return p;
}

/* Element i of the list v as a whole number >= 0 into *out. */
static bool whole(const json_t *v, size_t i, int64_t *out)
{
	const json_t *e = json_array_get(v, i);
	if (!json_is_integer(e) || json_integer_value(e) < 0)
		return false;
	*out = (int64_t)json_integer_value(e);
	return true;
}

/* What element i of the list v is, for a message: "-3", "a string". */
static const char *what_elem(char out[32], const json_t *v, size_t i)
{
	const json_t *e = json_array_get(v, i);
	if (json_is_integer(e)) {
		snprintf(out, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(e));
		return out;
	}
	return json_kind(e);
}

/* shape: a list of whole numbers >= 0, kept in the block. */
static mm_code entry_shape(ctx *x, const char *nm, const json_t *sh,
                           mm_st_tensor *t)
{
	char w[32];
	if (!sh)
		return BAD(x, "tensor %s has no shape", nm);
	if (!json_is_array(sh))
		return BAD(x, "tensor %s: shape must be a list of whole numbers, "
		              "found %s", nm, json_kind(sh));
	size_t n = json_array_size(sh);
	if (n > INT32_MAX)
		return BAD(x, "tensor %s: too many axes", nm);
	t->ndim = (int)n;
	t->shape = x->dims;
	for (size_t i = 0; i < n; i++)
		if (!whole(sh, i, &x->dims[i]))
			return BAD(x, "tensor %s: dimension %zu of shape is %s; "
			              "dimensions are whole numbers >= 0", nm, i,
			           what_elem(w, sh, i));
	x->dims += n;
	return MM_OK;
}

/* data_offsets: [BEGIN, END], whole numbers, BEGIN <= END. */
static mm_code entry_offsets(ctx *x, const char *nm, const json_t *off,
                             mm_st_tensor *t)
{
	char w[32];
	if (!off)
		return BAD(x, "tensor %s has no data_offsets", nm);
	if (!json_is_array(off) || json_array_size(off) != 2)
		return BAD(x, "tensor %s: data_offsets must be a list of two "
		              "whole numbers [BEGIN, END], found %s", nm,
		           json_is_array(off) ? "a list of another length"
		                              : json_kind(off));
	int64_t b, e;
	if (!whole(off, 0, &b))
		return BAD(x, "tensor %s: data_offsets' BEGIN is %s; offsets are "
		              "whole numbers >= 0", nm, what_elem(w, off, 0));
	if (!whole(off, 1, &e))
		return BAD(x, "tensor %s: data_offsets' END is %s; offsets are "
		              "whole numbers >= 0", nm, what_elem(w, off, 1));
	if (e < b)
		return BAD(x, "tensor %s: data_offsets [%" PRId64 ", %" PRId64
		              "] end before they begin", nm, b, e);
	t->begin = (uint64_t)b;
	t->end = (uint64_t)e;
	if (t->end > x->f->data_len)
		return BAD(x, "tensor %s: data_offsets [%" PRIu64 ", %" PRIu64
		              "] run past the end of the file, which holds %"
		              PRIu64 " bytes of data after the header (truncated?)",
		           nm, t->begin, t->end, x->f->data_len);
	return MM_OK;
}

/* The element count and byte length the shape and dtype make, against
 * the offsets, in checked arithmetic. */
static mm_code entry_size(ctx *x, const char *nm, mm_st_tensor *t)
{
	char shp[128];
	const char *dn = mm_st_dtype_name(t->dtype);
	unsigned bits = mm_st_dtype_bits(t->dtype);
	uint64_t total;
	if (mm_ckd_numel(t->ndim, t->shape, 1, &t->numel) ||
	    mm_ckd_mul(&total, (uint64_t)t->numel, bits))
		return mm_diag_set(x->d, MM_ERR_FORMAT, nospan,
		                   "%s: tensor %s: shape %s of %s is too large: "
		                   "its size overflows 64 bits", x->file, nm,
		                   shape_text(shp, sizeof shp, t->ndim, t->shape),
		                   dn);
	if (total % 8)
		return BAD(x, "tensor %s: %" PRId64 " elements of %s (%u bits "
		              "each) do not fill whole bytes", nm, t->numel, dn,
		           bits);
	if (total / 8 != t->end - t->begin)
		return BAD(x, "tensor %s: shape %s of %s is %" PRIu64 " bytes, "
		              "but its data_offsets [%" PRIu64 ", %" PRIu64
		              "] hold %" PRIu64, nm,
		           shape_text(shp, sizeof shp, t->ndim, t->shape), dn,
		           total / 8, t->begin, t->end, t->end - t->begin);
	return MM_OK;
}

/* One "name": {"dtype": ..., "shape": [...], "data_offsets": [b, e]}.
 * Other keys are ignored, as the reference implementation does. */
static mm_code entry(ctx *x, const char *key, const json_t *v,
                     mm_st_tensor *t)
{
	char nm[MM_ST_SHOWN];
	mm_st_shown(nm, key);
	t->name = keep(x, key);
	if (!json_is_object(v))
		return BAD(x, "tensor %s: expected an object with dtype, shape "
		              "and data_offsets, found %s", nm, json_kind(v));
	const json_t *dt = json_object_get(v, "dtype");
	if (!dt)
		return BAD(x, "tensor %s has no dtype", nm);
	if (!json_is_string(dt))
		return BAD(x, "tensor %s: dtype must be a string such as \"F32\", "
		              "found %s", nm, json_kind(dt));
	if (!mm_st_dtype_parse(json_string_value(dt), &t->dtype)) {
		char dn[MM_ST_SHOWN], list[160];
		BAD(x, "tensor %s: unknown dtype %s", nm,
		    mm_st_shown(dn, json_string_value(dt)));
		dtype_list(list, sizeof list);
		mm_diag_hint(x->d, "safetensors' dtypes: %s", list);
		return MM_ERR_FORMAT;
	}
	mm_code c;
	if ((c = entry_shape(x, nm, json_object_get(v, "shape"), t)) ||
	    (c = entry_offsets(x, nm, json_object_get(v, "data_offsets"), t)))
		return c;
	return entry_size(x, nm, t);
}

/* "__metadata__": an object of strings, kept in file order. */
static mm_code metadata(ctx *x, const json_t *v)
{
	if (!json_is_object(v))
		return BAD(x, "__metadata__ must be an object of strings, "
		              "found %s", json_kind(v));
	const char *k;
	const json_t *s;
	size_t i = 0;
	json_object_foreach((json_t *)v, k, s) {
		char nm[MM_ST_SHOWN];
		if (!json_is_string(s))
			return BAD(x, "__metadata__ maps names to strings, but %s "
			              "is %s", mm_st_shown(nm, k), json_kind(s));
		x->f->meta_key[i] = keep(x, k);
		x->f->meta_value[i] = keep(x, json_string_value(s));
		i++;
	}
	x->f->nmeta = i;
	return MM_OK;
}

/* The data covered exactly: in offset order, each tensor begins where the
 * one before ended, and the last ends at the end of the file. */
static mm_code coverage(ctx *x)
{
	const mm_st_file *f = x->f;
	char a[MM_ST_SHOWN], b[MM_ST_SHOWN];
	uint64_t at = 0;
	for (size_t i = 0; i < f->ntensors; i++) {
		const mm_st_tensor *t = &f->tensors[i];
		if (t->begin > at)
			return BAD(x, "bytes %" PRIu64 " to %" PRIu64 " of the data "
			              "belong to no tensor (a hole before %s): the "
			              "tensors must cover the data exactly", at,
			           t->begin, mm_st_shown(a, t->name));
		if (t->begin < at)
			return BAD(x, "the data of %s [%" PRIu64 ", %" PRIu64 ") "
			              "overlaps that of %s [%" PRIu64 ", %" PRIu64
			              ")", mm_st_shown(a, t->name), t->begin, t->end,
			           mm_st_shown(b, f->tensors[i - 1].name),
			           f->tensors[i - 1].begin, f->tensors[i - 1].end);
		at = t->end;
	}
	if (at != f->data_len)
		return BAD(x, "%" PRIu64 " bytes after the last tensor's data "
		              "belong to no tensor: the tensors must cover the "
		              "data exactly", f->data_len - at);
	return MM_OK;
}


/* What the block of an mm_st_file holds. */
typedef struct counts {
	size_t tensors, meta, dims, strings;
} counts;

static void count(const json_t *root, counts *n)
{
	const char *k;
	const json_t *v;
	memset(n, 0, sizeof *n);
	json_object_foreach((json_t *)root, k, v) {
		if (strcmp(k, "__metadata__") == 0) {
			const char *mk;
			const json_t *mv;
			json_object_foreach((json_t *)v, mk, mv) {
				n->meta++;
				n->strings += strlen(mk) + 1;
				if (json_is_string(mv))
					n->strings += json_string_length(mv) + 1;
			}
			continue;
		}
		n->tensors++;
		n->strings += strlen(k) + 1;
		n->dims += json_array_size(json_object_get(v, "shape"));
	}
}

/* Lays out f's block: tensors, by_name, dims, metadata, strings. */
static mm_code lay_out(ctx *x, const counts *n)
{
	mm_st_file *f = x->f;
	size_t bytes = n->tensors * (sizeof(mm_st_tensor) + sizeof(size_t)) +
	               n->dims * sizeof(int64_t) +
	               n->meta * 2 * sizeof(char *) + n->strings;
	char *mem = malloc(bytes ? bytes : 1);
	if (!mem)
		return mm_diag_set(x->d, MM_ERR_NOMEM, nospan,
		                   "%s: out of memory reading the header", x->file);
	f->mem_ = mem;
	f->tensors = (mm_st_tensor *)mem;
	f->by_name = (size_t *)(f->tensors + n->tensors);
	x->dims = (int64_t *)(f->by_name + n->tensors);
	f->meta_key = (const char **)(x->dims + n->dims);
	f->meta_value = f->meta_key + n->meta;
	x->strings = (char *)(f->meta_value + n->meta);
	return MM_OK;
}

/* Fills x->f (data_len set) from the parsed root object and checks it. */
static mm_code from_json(ctx *x, const json_t *root)
{
	mm_st_file *f = x->f;
	counts n;
	count(root, &n);
	mm_code c = lay_out(x, &n);
	if (c)
		return c;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)root, k, v) {
		if (strcmp(k, "__metadata__") == 0)
			c = metadata(x, v);
		else
			c = entry(x, k, v, &f->tensors[f->ntensors++]);
		if (c)
			return c;
	}
	qsort(f->tensors, f->ntensors, sizeof *f->tensors, by_offset_cmp);
	if ((c = coverage(x)))
		return c;
	for (size_t i = 0; i < f->ntensors; i++) {
		f->by_name[i] = i;
		f->params += (uint64_t)f->tensors[i].numel;
	}
	qsort_r(f->by_name, f->ntensors, sizeof *f->by_name, by_name_cmp,
	        f->tensors);
	return MM_OK;
}

/* jansson's message with anything but printable ASCII as '?' (its "near"
 * text quotes the file's bytes). */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/* An upper bound on what parsing the n bytes of JSON at buf takes:
 * jansson's tree (2.14 with glibc's malloc, as measured: 232 bytes an
 * object, 136 a list, 88 a string beside its text, 40 a number) and this
 * module's table, from one pass that counts what the text opens. */
static uint64_t parse_cost(const char *buf, size_t n)
{
	uint64_t objects = 0, lists = 0, strings = 0, others = 1;
	bool in_string = false;
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		objects += c == '{';
		lists += c == '[';
		strings += c == '"';
		others += c == ',' || c == ':';
		in_string = c == '"';
	}
	return 256 * objects + 160 * lists + 96 * strings + 48 * others +
	       2 * (uint64_t)n;
}

/* Parses and checks the n bytes of JSON at buf. */
static mm_code parse_json(const char *buf, size_t n, const char *file,
                          uint64_t data_len, mm_st_file **out, mm_diag *d)
{
	json_error_t e;
	uint64_t cost = parse_cost(buf, n);
	*out = NULL;
	if (cost > MM_ST_PARSE_MAX)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: parsing its %zu-byte header would take "
		                   "about %" PRIu64 " MiB, over the limit of %"
		                   PRIu64 " MiB (no model has so many tensors)",
		                   file, n, cost >> 20, MM_ST_PARSE_MAX >> 20);
	json_t *root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		clean(e.text);
		if (json_error_code(&e) == json_error_out_of_memory)
			return mm_diag_set(d, MM_ERR_NOMEM, nospan,
			                   "%s: out of memory reading the header",
			                   file);
		const char *near = strstr(e.text, "near ");
		if (json_error_code(&e) == json_error_duplicate_key && near)
			return mm_diag_set(d, MM_ERR_FORMAT, nospan,
			                   "%s: the header has the key %s twice: "
			                   "tensor names (and __metadata__'s keys) "
			                   "must be unique", file, near + 5);
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: the header is not valid JSON: %s (byte %d "
		                   "of the header)", file, e.text, e.position);
	}
	mm_st_file *f = calloc(1, sizeof *f);
	mm_code c;
	if (!f) {
		c = mm_diag_set(d, MM_ERR_NOMEM, nospan, "%s: out of memory", file);
	} else {
		f->header_len = n;
		f->data_len = data_len;
		ctx x = {file, d, f, NULL, NULL};
		c = json_is_object(root)
		        ? from_json(&x, root)
		        : mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                      "%s: the header is not a JSON object", file);
	}
	json_decref(root);
	if (c != MM_OK) {
		mm_st_free(f);
		f = NULL;
	}
	*out = f;
	return c;
}

void mm_st_free(mm_st_file *f)
{
	if (!f)
		return;
	free(f->mem_);
	free(f);
}

/* ---- reading a file ---- */

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

mm_code mm_st_read_reader(mm_io_reader *r, mm_st_file **out, mm_diag *d)
{
	*out = NULL;
	int64_t size = mm_io_reader_left(r);
	if (size < 0)
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: not a regular file: a .safetensors file "
		                   "is read by offsets, so its size must be known",
		                   r->name);
	unsigned char len8[8];
	int64_t k = size < 8 ? 0 : mm_io_read(r, len8, 8, d);
	if (k < 0)
		return d ? d->code : MM_ERR_IO;
	if (k < 8)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: too short for a .safetensors file (%" PRId64
		                   " bytes): it starts with an 8-byte header length",
		                   r->name, size);
	uint64_t n = le64(len8), left = (uint64_t)size - 8;
	if (n > MM_ST_HEADER_MAX)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: header length %" PRIu64 " is over the limit "
		                   "of %" PRIu64 " bytes: is this a .safetensors "
		                   "file?", r->name, n, MM_ST_HEADER_MAX);
	if (n > left)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: header length %" PRIu64 " runs past the end "
		                   "of the file (%" PRId64 " bytes): truncated, or "
		                   "not a .safetensors file", r->name, n, size);
	if (n < 2)
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: header length %" PRIu64 " is too short for "
		                   "a JSON object", r->name, n);
	char *buf = malloc(n);
	if (!buf)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: out of memory for a %" PRIu64 "-byte header",
		                   r->name, n);
	mm_code c = MM_OK;
	if ((k = mm_io_read(r, buf, n, d)) < 0)
		c = d ? d->code : MM_ERR_IO;
	else if ((uint64_t)k < n)
		c = mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                "%s: the header is cut short", r->name);
	else if (buf[0] != '{')
		c = mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                "%s: the header does not start with '{': is this "
		                "a .safetensors file?", r->name);
	else
		c = parse_json(buf, n, r->name, left - n, out, d);
	free(buf);
	return c;
}

mm_code mm_st_read(const char *path, mm_st_file **out, mm_diag *d)
{
	struct stat st;
	int fd;
	*out = NULL;
	mm_code c = mm_io_open_read(path, &fd, &st, d);
	if (c != MM_OK)
		return c;
	mm_io_reader r;
	mm_io_reader_fd(&r, fd, path);
	c = mm_st_read_reader(&r, out, d);
	close(fd);
	return c;
}

mm_code mm_st_parse(const void *p, size_t len, const char *name,
                    mm_st_file **out, mm_diag *d)
{
	mm_io_reader r;
	mm_io_reader_mem(&r, p, len, name);
	return mm_st_read_reader(&r, out, d);
}

/* ---- loading one tensor ---- */

mm_code mm_st_plan(const mm_st_tensor *t, const char *name,
                   const mm_io_load_opts *opts, mm_io_info *info,
                   mm_dtype *as, mm_diag *d)
{
	char nm[MM_ST_SHOWN], shp[128];
	mm_dtype a;
	const char *dn = mm_st_dtype_name(t->dtype);
	mm_st_shown(nm, t->name);
	if (!mm_st_dtype_loads_as(t->dtype, &a))
		return mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s: tensor %s is %s, which load does not read "
		                   "(it reads F64, F32, F16, BF16, F8_E5M2, F8_E4M3, "
		                   "F8_E8M0, integers and BOOL)", name, nm, dn);
	if (t->ndim > MM_IO_MAXDIM)
		return mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s: tensor %s has %d axes; load reads at most %d",
		                   name, nm, t->ndim, MM_IO_MAXDIM);
	mm_dtype st = mm_dtype_exec(a);
	size_t es = st == MM_F64 ? 8 : 4;
	int64_t numel;
	shape_text(shp, sizeof shp, t->ndim, t->shape);
	if (mm_ckd_numel(t->ndim, t->shape, es, &numel) ||
	    (uint64_t)numel > SIZE_MAX / es)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: tensor %s of shape %s is too large to load",
		                   name, nm, shp);
	uint64_t bytes = (uint64_t)numel * es;
	if (opts && opts->max_bytes && bytes > opts->max_bytes)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: tensor %s of shape %s needs %" PRIu64
		                   " bytes as %s, over the limit of %" PRIu64
		                   " bytes", name, nm, shp, bytes,
		                   mm_dtype_name(st), opts->max_bytes);
	if (as)
		*as = a;
	if (info) {
		memset(info, 0, sizeof *info);
		info->dtype = st;
		info->ndim = t->ndim;
		memcpy(info->shape, t->shape, (size_t)t->ndim * sizeof *t->shape);
		snprintf(info->file_dtype, sizeof info->file_dtype, "%s", dn);
		info->widened = st == MM_F64 ? t->dtype != MM_ST_F64
		                             : t->dtype != MM_ST_F32 &&
		                                   t->dtype != MM_ST_F16 &&
		                                   t->dtype != MM_ST_BF16;
	}
	return MM_OK;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static const bool host_big = true;
#else
static const bool host_big = false;
#endif

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static float f32_bits(uint32_t b)
{
	float f;
	memcpy(&f, &b, 4);
	return f;
}

static uint32_t f32_to_bits(float f)
{
	uint32_t b;
	memcpy(&b, &f, 4);
	return b;
}

/* IEEE binary16 to binary32, exact and without branches, so that the
 * compiler vectorises the loops that call it: the exponent and mantissa moved into binary32's
 * fields and rebiased by a multiplication by 2^-112 (infinities and NaNs
 * stay so); a subnormal m · 2^-24 as (0.5 + m · 2^-24) - 0.5, where every
 * step is exact; the two chosen between by a mask. */
static float from_f16(uint16_t h)
{
	uint32_t w = (uint32_t)h << 16, sign = w & 0x80000000u, two_w = w + w;
	float normal = f32_bits((two_w >> 4) + (0xE0u << 23)) * 0x1p-112f;
	float sub = f32_bits(two_w >> 17 | 126u << 23) - 0.5f;
	uint32_t is_sub = 0u - (uint32_t)(two_w < 1u << 27);
	return f32_bits(sign | (f32_to_bits(sub) & is_sub) |
	                (f32_to_bits(normal) & ~is_sub));
}

/* OCP 8-bit floats (OFP8, E4M3 without infinities: S.1111.111 is NaN;
 * E5M2 is binary16's top byte) and E8M0 (2^(e-127), 0xFF is NaN). */
static float from_e4m3(unsigned char b)
{
	unsigned e = b >> 3 & 0xf, m = b & 7;
	float v = e == 15 && m == 7 ? NAN
	          : e == 0          ? ldexpf((float)m, -9)
	                            : ldexpf((float)(8 + m), (int)e - 10);
	return b & 0x80 ? -v : v;
}

static float from_e8m0(unsigned char b)
{
	return b == 0xff ? NAN : ldexpf(1.0f, (int)b - 127);
}

#define TWO53 ((uint64_t)1 << 53)

/* One loop per type, the switch outside it, so that each loop is
 * simple enough for the compiler to vectorise. */
#define EACH(expr)                          \
	do {                                \
		for (size_t i = 0; i < n; i++) \
			expr;                   \
	} while (0)

/* n elements of the file's type t at s into dst: float for the types
 * that load as f32, f16 or bf16, double for the others. Sets *lossy
 * when a 64-bit integer was rounded. */
static void decode(mm_st_dtype t, const unsigned char *s, size_t n,
                   void *dst, bool *lossy)
{
	float *fo = dst;
	double *dd = dst;
	switch (t) {
	case MM_ST_F32: EACH(fo[i] = f32_bits(le32(s + 4 * i))); break;
	case MM_ST_F16: EACH(fo[i] = from_f16(le16(s + 2 * i))); break;
	case MM_ST_BF16:
		EACH(fo[i] = f32_bits((uint32_t)le16(s + 2 * i) << 16));
		break;
	case MM_ST_F8_E5M2: EACH(fo[i] = from_f16((uint16_t)(s[i] << 8))); break;
	case MM_ST_F8_E4M3: EACH(fo[i] = from_e4m3(s[i])); break;
	case MM_ST_F8_E8M0: EACH(fo[i] = from_e8m0(s[i])); break;
	case MM_ST_F64: {
		uint64_t b;
		EACH((b = le64(s + 8 * i), memcpy(&dd[i], &b, 8)));
		break;
	}
	case MM_ST_BOOL: EACH(dd[i] = s[i] ? 1.0 : 0.0); break;
	case MM_ST_U8: EACH(dd[i] = s[i]); break;
	case MM_ST_I8: EACH(dd[i] = (int8_t)s[i]); break;
	case MM_ST_U16: EACH(dd[i] = le16(s + 2 * i)); break;
	case MM_ST_I16: EACH(dd[i] = (int16_t)le16(s + 2 * i)); break;
	case MM_ST_U32: EACH(dd[i] = le32(s + 4 * i)); break;
	case MM_ST_I32: EACH(dd[i] = (int32_t)le32(s + 4 * i)); break;
	case MM_ST_U64: {
		uint64_t u;
		EACH((u = le64(s + 8 * i), *lossy |= u > TWO53,
		      dd[i] = (double)u));
		break;
	}
	case MM_ST_I64: {
		int64_t v;
		EACH((v = (int64_t)le64(s + 8 * i),
		      *lossy |= v > (int64_t)TWO53 || v < -(int64_t)TWO53,
		      dd[i] = (double)v));
		break;
	}
	default: /* refused by mm_st_plan */
		break;
	}
}

/* Reads t's bytes (r at their first) into dst, whose storage is st. */
static mm_code read_data(mm_io_reader *r, const mm_st_tensor *t,
                         mm_dtype st, void *dst, bool *lossy, mm_diag *d)
{
	size_t esz = mm_st_dtype_bits(t->dtype) / 8;
	size_t osz = st == MM_F64 ? 8 : 4;
	bool same = !host_big && ((t->dtype == MM_ST_F32 && st == MM_F32) ||
	                          (t->dtype == MM_ST_F64 && st == MM_F64));
	size_t step = same ? (size_t)t->numel : STEP_ELEMS;
	unsigned char *raw = same ? dst : malloc(STEP_ELEMS * esz);
	if (!raw)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: out of memory converting the data", r->name);
	mm_code c = MM_OK;
	for (int64_t done = 0; done < t->numel;) {
		size_t n = (uint64_t)(t->numel - done) < step
		                   ? (size_t)(t->numel - done) : step;
		int64_t k = mm_io_read(r, raw, n * esz, d);
		if (k < 0) {
			c = d ? d->code : MM_ERR_IO;
			break;
		}
		if ((size_t)k < n * esz) {
			c = mm_diag_set(d, MM_ERR_FORMAT, nospan,
			                "%s: the data is cut short (the file "
			                "changed?)", r->name);
			break;
		}
		if (!same)
			decode(t->dtype, raw, n, (char *)dst + (size_t)done * osz,
			       lossy);
		done += (int64_t)n;
	}
	if (!same)
		free(raw);
	return c;
}

/* Moves r n bytes on (it stays within the file: the offsets are checked). */
static mm_code skip(mm_io_reader *r, uint64_t n, mm_diag *d)
{
	if (r->fd >= 0 && n && lseek(r->fd, (off_t)n, SEEK_CUR) < 0)
		return mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot seek: %s",
		                   r->name, strerror(errno));
	r->pos += n;
	return MM_OK;
}

static mm_code load_reader(mm_io_reader *r, const char *tensor,
                           const mm_io_load_opts *opts, mm_io_info *info,
                           mm_dtype *as, mm_diag *d)
{
	mm_st_file *f;
	mm_code c = mm_st_read_reader(r, &f, d);
	if (c)
		return c;
	const mm_st_tensor *t = mm_st_find(f, tensor);
	mm_io_info pi;
	mm_dtype a;
	char nm[MM_ST_SHOWN];
	if (!t)
		c = mm_diag_set(d, MM_ERR_ARG, nospan, "%s: no tensor named %s",
		                r->name, mm_st_shown(nm, tensor));
	else if (!(c = mm_st_plan(t, r->name, opts, &pi, &a, d)) &&
	         (!opts || !opts->alloc))
		c = mm_diag_set(d, MM_ERR_ARG, nospan, "%s: no allocator given",
		                r->name);
	void *dst = NULL;
	if (!c) {
		mm_diag_clear(d);
		dst = opts->alloc(opts->alloc_ctx, pi.dtype, pi.ndim, pi.shape, d);
		if (!dst)
			c = d && d->code ? d->code
			                 : mm_diag_set(d, MM_ERR_NOMEM, nospan,
			                               "%s: cannot allocate the "
			                               "tensor", r->name);
	}
	bool lossy = false;
	if (!c && t->numel > 0 && !(c = skip(r, t->begin, d)))
		c = read_data(r, t, pi.dtype, dst, &lossy, d);
	if (!c) {
		pi.data = dst;
		pi.lossy = lossy;
		if (info)
			*info = pi;
		if (as)
			*as = a;
	}
	mm_st_free(f);
	return c;
}

mm_code mm_st_load(const char *path, const char *tensor,
                   const mm_io_load_opts *opts, mm_io_info *info,
                   mm_dtype *as, mm_diag *d)
{
	struct stat st;
	int fd;
	mm_code c = mm_io_open_read(path, &fd, &st, d);
	if (c != MM_OK)
		return c;
	mm_io_reader r;
	mm_io_reader_fd(&r, fd, path);
	c = load_reader(&r, tensor, opts, info, as, d);
	close(fd);
	return c;
}

mm_code mm_st_load_mem(const void *p, size_t len, const char *name,
                       const char *tensor, const mm_io_load_opts *opts,
                       mm_io_info *info, mm_dtype *as, mm_diag *d)
{
	mm_io_reader r;
	mm_io_reader_mem(&r, p, len, name);
	return load_reader(&r, tensor, opts, info, as, d);
}
