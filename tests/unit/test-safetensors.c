/* test-safetensors.c — unit tests of the .safetensors reader
 * (src/io/safetensors.c): headers read and checked, hostile headers
 * refused with messages naming the tensor, one tensor loaded and compared
 * with NumPy's values (tests/data/safetensors_cases.py wrote both). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmcalc/npy.h"
#include "mmcalc/safetensors.h"

#ifndef MM_TEST_DATA
#error "MM_TEST_DATA must name tests/data"
#endif

static void data_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", MM_TEST_DATA, name);
}

/* ---- an allocator that keeps what it gave ---- */

typedef struct rec {
	int calls;
	void *p;
	size_t bytes;
} rec;

static void *rec_alloc(void *ctx, mm_dtype dtype, int ndim,
                       const int64_t *shape, mm_diag *d)
{
	(void)d;
	rec *a = ctx;
	size_t n = dtype == MM_F64 ? 8 : 4;
	for (int i = 0; i < ndim; i++)
		n *= (size_t)shape[i];
	a->calls++;
	a->bytes = n;
	free(a->p);
	a->p = malloc(n ? n : 1);
	return a->p;
}

static mm_io_load_opts opts_for(rec *a)
{
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = a;
	o.max_bytes = 1 << 20;
	return o;
}

/* ---- files made in memory: 8-byte length, header, data ---- */

typedef struct blob {
	unsigned char *p;
	size_t len;
} blob;

/* A file whose length field says n (for lies), holding json and then
 * data bytes of value 1, 2, 3, ... */
static blob mk_n(uint64_t n, const char *json, size_t data)
{
	size_t h = strlen(json);
	blob b = {malloc(8 + h + data + 1), 8 + h + data};
	for (int i = 0; i < 8; i++)
		b.p[i] = (unsigned char)(n >> (8 * i));
	memcpy(b.p + 8, json, h);
	for (size_t i = 0; i < data; i++)
		b.p[8 + h + i] = (unsigned char)(i + 1);
	return b;
}

static blob mk(const char *json, size_t data)
{
	return mk_n(strlen(json), json, data);
}

/* Parses b (freed) and expects code; the message must hold want. */
static void expect_bad(blob b, mm_code code, const char *want)
{
	mm_st_file *f = (mm_st_file *)1;
	mm_diag d;
	mm_code c = mm_st_parse(b.p, b.len, "x.safetensors", &f, &d);
	free(b.p);
	ck_assert_ptr_null(f);
	ck_assert_msg(c == code, "code %d, want %d: %s", c, code, d.message);
	ck_assert_msg(strstr(d.message, want), "'%s' lacks '%s'", d.message,
	              want);
	ck_assert_msg(strncmp(d.message, "x.safetensors: ", 15) == 0,
	              "message does not name the file: %s", d.message);
}

static mm_st_file *expect_ok(blob b)
{
	mm_st_file *f = NULL;
	mm_diag d;
	mm_code c = mm_st_parse(b.p, b.len, "x.safetensors", &f, &d);
	free(b.p);
	ck_assert_msg(c == MM_OK, "%s", d.message);
	ck_assert_ptr_nonnull(f);
	return f;
}

#define T1(dt, shape, off) \
	"{\"t\":{\"dtype\":\"" dt "\",\"shape\":" shape ",\"data_offsets\":" off "}}"

/* ---- the fixture file ---- */

START_TEST(mixed_header)
{
	char path[512];
	data_path(path, sizeof path, "st_mixed.safetensors");
	mm_st_file *f;
	mm_diag d;
	ck_assert_msg(mm_st_read(path, &f, &d) == MM_OK, "%s", d.message);
	ck_assert_uint_eq(f->ntensors, 16);
	ck_assert_uint_eq(f->nmeta, 2);
	ck_assert_str_eq(f->meta_key[0], "format");
	ck_assert_str_eq(f->meta_value[0], "pt");
	ck_assert_str_eq(f->meta_key[1], "note");
	ck_assert_str_eq(f->meta_value[1], "mmcalc");
	/* in the data's order, each tensor starting where the last ended */
	ck_assert_str_eq(f->tensors[0].name, "d");
	for (size_t i = 1; i < f->ntensors; i++)
		ck_assert(f->tensors[i].begin == f->tensors[i - 1].end);
	ck_assert(f->tensors[f->ntensors - 1].end == f->data_len);
	ck_assert_uint_eq(f->header_len % 8, 0);
	/* names as people order them: layers.2 before layers.10 */
	const char *want[] = {"b", "d", "e4", "e5", "empty", "flag", "h", "i",
	                      "i16", "layers.2.x", "layers.10.x", "packed", "s",
	                      "scalar", "u8", "w"};
	for (size_t i = 0; i < 16; i++)
		ck_assert_str_eq(mm_st_nth_by_name(f, i)->name, want[i]);
	ck_assert_ptr_null(mm_st_nth_by_name(f, 16));
	/* 6+6+6+3+3+6+4+256*3+4+1+0+1+1+4 elements */
	ck_assert_uint_eq(f->params, 6 + 6 + 6 + 3 + 3 + 6 + 4 + 3 * 256 + 4 +
	                                 1 + 0 + 1 + 1 + 4);
	const mm_st_tensor *t = mm_st_find(f, "b");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->dtype, MM_ST_BF16);
	ck_assert_int_eq(t->ndim, 2);
	ck_assert_int_eq(t->shape[0], 2);
	ck_assert_int_eq(t->shape[1], 3);
	ck_assert_uint_eq(t->end - t->begin, 12);
	t = mm_st_find(f, "scalar");
	ck_assert_int_eq(t->ndim, 0);
	ck_assert_int_eq(t->numel, 1);
	t = mm_st_find(f, "empty");
	ck_assert_int_eq(t->numel, 0);
	ck_assert_ptr_null(mm_st_find(f, "nope"));
	ck_assert_ptr_null(mm_st_find(f, "layers.02.x"));
	mm_st_free(f);
}
END_TEST

/* Loads tensor name of st_mixed and compares it, bit for bit (NaNs as
 * NaNs), with the .npy NumPy wrote. */
static void compare(const char *name, const char *npy, mm_dtype as_want,
                    bool widened)
{
	char path[512], ref[512];
	data_path(path, sizeof path, "st_mixed.safetensors");
	data_path(ref, sizeof ref, npy);
	rec a = {0}, r = {0};
	mm_io_load_opts o = opts_for(&a), ro = opts_for(&r);
	mm_io_info info, rinfo;
	mm_dtype as;
	mm_diag d;
	ck_assert_msg(mm_st_load(path, name, &o, &info, &as, &d) == MM_OK, "%s",
	              d.message);
	ck_assert_msg(mm_npy_load(ref, &ro, &rinfo, &d) == MM_OK, "%s",
	              d.message);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(as, as_want);
	ck_assert_int_eq(info.dtype, mm_dtype_exec(as_want));
	ck_assert_int_eq(info.widened, widened);
	ck_assert_int_eq(info.dtype, rinfo.dtype);
	ck_assert_int_eq(info.ndim, rinfo.ndim);
	for (int k = 0; k < info.ndim; k++)
		ck_assert_int_eq(info.shape[k], rinfo.shape[k]);
	ck_assert_uint_eq(a.bytes, r.bytes);
	size_t es = info.dtype == MM_F64 ? 8 : 4;
	for (size_t i = 0; i < a.bytes / es; i++) {
		double x = es == 8 ? ((double *)a.p)[i] : ((float *)a.p)[i];
		double y = es == 8 ? ((double *)r.p)[i] : ((float *)r.p)[i];
		ck_assert_msg((isnan(x) && isnan(y)) ||
		                  (x == y && signbit(x) == signbit(y)),
		              "%s[%zu]: %a, NumPy %a", name, i, x, y);
	}
	free(a.p);
	free(r.p);
}

START_TEST(loads_match_numpy)
{
	compare("w", "st_mixed_w.npy", MM_F32, false);
	compare("h", "st_mixed_h.npy", MM_F16, false);
	compare("b", "st_mixed_b.npy", MM_BF16, false);
	compare("d", "st_mixed_d.npy", MM_F64, false);
	compare("i", "st_mixed_i.npy", MM_F64, true);
	compare("i16", "st_mixed_i16.npy", MM_F64, true);
	compare("e4", "st_mixed_e4.npy", MM_F32, true);
	compare("e5", "st_mixed_e5.npy", MM_F32, true);
	compare("s", "st_mixed_s.npy", MM_F32, true);
}
END_TEST

/* Values the OCP 8-bit float specification (OFP8, 2023) states. */
START_TEST(ofp8_published_values)
{
	char path[512];
	data_path(path, sizeof path, "st_mixed.safetensors");
	rec a = {0};
	mm_io_load_opts o = opts_for(&a);
	mm_diag d;
	ck_assert(mm_st_load(path, "e4", &o, NULL, NULL, &d) == MM_OK);
	float *v = a.p;
	ck_assert(v[0x7E] == 448.0f);           /* E4M3 max normal */
	ck_assert(v[0x08] == ldexpf(1, -6));    /* min normal */
	ck_assert(v[0x01] == ldexpf(1, -9));    /* min subnormal */
	ck_assert(isnan(v[0x7F]) && isnan(v[0xFF]));
	ck_assert(v[0x80] == 0 && signbit(v[0x80]));
	ck_assert(mm_st_load(path, "e5", &o, NULL, NULL, &d) == MM_OK);
	v = a.p;
	ck_assert(v[0x7B] == 57344.0f);         /* E5M2 max normal */
	ck_assert(v[0x01] == ldexpf(1, -16));   /* min subnormal */
	ck_assert(isinf(v[0x7C]) && v[0x7C] > 0 && isinf(v[0xFC]));
	ck_assert(isnan(v[0x7D]));
	ck_assert(mm_st_load(path, "s", &o, NULL, NULL, &d) == MM_OK);
	v = a.p;
	ck_assert(v[127] == 1.0f && v[0] == ldexpf(1, -127) &&
	          v[254] == ldexpf(1, 127) && isnan(v[255]));
	free(a.p);
}
END_TEST

START_TEST(load_details)
{
	char path[512];
	data_path(path, sizeof path, "st_mixed.safetensors");
	rec a = {0};
	mm_io_load_opts o = opts_for(&a);
	mm_io_info info;
	mm_dtype as;
	mm_diag d;
	/* 2^53 + 1 is rounded, and said so */
	ck_assert(mm_st_load(path, "i", &o, &info, &as, &d) == MM_OK);
	ck_assert(info.lossy);
	ck_assert_str_eq(info.file_dtype, "I64");
	ck_assert(mm_st_load(path, "w", &o, &info, &as, &d) == MM_OK);
	ck_assert(!info.lossy);
	ck_assert_str_eq(info.file_dtype, "F32");
	/* BOOL: any non-zero byte is 1 */
	ck_assert(mm_st_load(path, "flag", &o, &info, &as, &d) == MM_OK);
	double *b = a.p;
	ck_assert(b[0] == 0 && b[1] == 1 && b[2] == 1 && b[3] == 0);
	/* a scalar, an empty tensor */
	ck_assert(mm_st_load(path, "scalar", &o, &info, &as, &d) == MM_OK);
	ck_assert_int_eq(info.ndim, 0);
	ck_assert(((float *)a.p)[0] == 2.5f);
	ck_assert(mm_st_load(path, "empty", &o, &info, &as, &d) == MM_OK);
	ck_assert_int_eq(info.ndim, 2);
	ck_assert_int_eq(info.shape[0], 0);
	ck_assert_int_eq(info.shape[1], 3);
	/* F4 is listed but not loaded; nothing is allocated */
	int calls = a.calls;
	ck_assert_int_eq(mm_st_load(path, "packed", &o, &info, &as, &d),
	                 MM_ERR_UNSUPPORTED);
	ck_assert_msg(strstr(d.message, "\"packed\" is F4"), "%s", d.message);
	ck_assert_int_eq(a.calls, calls);
	/* no such tensor */
	ck_assert_int_eq(mm_st_load(path, "nope", &o, &info, &as, &d),
	                 MM_ERR_ARG);
	ck_assert_msg(strstr(d.message, "no tensor named \"nope\""), "%s",
	              d.message);
	/* over the byte limit: refused before allocating */
	o.max_bytes = 1000;
	ck_assert_int_eq(mm_st_load(path, "e4", &o, &info, &as, &d),
	                 MM_ERR_LIMIT);
	ck_assert_msg(strstr(d.message, "over the limit of 1000"), "%s",
	              d.message);
	ck_assert_int_eq(a.calls, calls);
	free(a.p);
}
END_TEST

/* The file and memory paths agree; a missing file is an I/O error. */
START_TEST(path_and_memory_agree)
{
	char path[512];
	data_path(path, sizeof path, "st_mixed.safetensors");
	FILE *fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	unsigned char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	rec a = {0}, b = {0};
	mm_io_load_opts oa = opts_for(&a), ob = opts_for(&b);
	mm_diag d;
	const char *names[] = {"w", "h", "b", "d", "i", "e4", "s", "i16"};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		ck_assert(mm_st_load(path, names[k], &oa, NULL, NULL, &d) == MM_OK);
		ck_assert(mm_st_load_mem(buf, n, "m", names[k], &ob, NULL, NULL,
		                         &d) == MM_OK);
		ck_assert_uint_eq(a.bytes, b.bytes);
		ck_assert(memcmp(a.p, b.p, a.bytes) == 0);
	}
	free(a.p);
	free(b.p);
	mm_st_file *f;
	ck_assert_int_eq(mm_st_read("/nonexistent/x.safetensors", &f, &d),
	                 MM_ERR_IO);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(mm_st_read("/dev/null", &f, &d), MM_ERR_IO);
	ck_assert_msg(strstr(d.message, "not a regular file"), "%s", d.message);
}
END_TEST

/* A file cut short after its header was written: the offsets run past
 * the end, found without reading data. */
START_TEST(truncated_file)
{
	char path[512];
	data_path(path, sizeof path, "st_mixed.safetensors");
	FILE *fp = fopen(path, "rb");
	unsigned char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	mm_st_file *f;
	mm_diag d;
	ck_assert_int_eq(mm_st_parse(buf, n - 1, "cut", &f, &d), MM_ERR_FORMAT);
	ck_assert_msg(strstr(d.message, "tensor \"packed\": data_offsets") &&
	                  strstr(d.message, "run past the end of the file"),
	              "%s", d.message);
}
END_TEST

/* ---- hostile headers ---- */

START_TEST(length_field)
{
	blob b = {calloc(1, 7), 7};
	expect_bad(b, MM_ERR_FORMAT, "too short for a .safetensors file (7");
	expect_bad(mk_n(100000001, "{}", 0), MM_ERR_LIMIT,
	           "header length 100000001 is over the limit of 100000000");
	expect_bad(mk_n(UINT64_MAX, "{}", 0), MM_ERR_LIMIT, "over the limit");
	expect_bad(mk_n(3, "{}", 0), MM_ERR_FORMAT,
	           "header length 3 runs past the end of the file (10 bytes)");
	expect_bad(mk_n(1, "{}", 0), MM_ERR_FORMAT,
	           "header length 1 is too short");
	expect_bad(mk_n(0, "", 0), MM_ERR_FORMAT, "header length 0 is too short");
	expect_bad(mk("[1, 2]", 0), MM_ERR_FORMAT, "does not start with '{'");
	expect_bad(mk(" {}", 0), MM_ERR_FORMAT, "does not start with '{'");
	/* a .npy file is not one */
	char path[512];
	mm_st_file *f;
	mm_diag d;
	data_path(path, sizeof path, "enc_f8.npy");
	ck_assert_int_ne(mm_st_read(path, &f, &d), MM_OK);
	ck_assert_ptr_null(f);
	ck_assert_msg(strstr(d.message, "is this a .safetensors file?"), "%s",
	              d.message);
}
END_TEST

/* A header of 4.5 million empty objects would take jansson 1 GiB (7.7 GB
 * for 100 MB of them): refused from its text, before anything is built. */
START_TEST(parse_memory_bounded)
{
	size_t n = 3 * 4500000 + 8;
	char *json = malloc(n + 1);
	size_t k = 0;
	k += (size_t)sprintf(json, "{\"t\":[");
	for (int i = 0; i < 4500000; i++) {
		memcpy(json + k, "{},", 3);
		k += 3;
	}
	json[k - 1] = ']';
	json[k++] = '}';
	json[k] = '\0';
	expect_bad(mk(json, 0), MM_ERR_LIMIT, "MiB, over the limit of 1024 MiB");
	free(json);
	/* the same text in a string costs only its bytes: parsed, and found
	 * wrong for what it is */
	char *str = malloc(n + 40);
	k = (size_t)sprintf(str, "{\"t\":\"");
	for (int i = 0; i < 4500000; i++) {
		memcpy(str + k, "{},", 3);
		k += 3;
	}
	memcpy(str + k, "\"}", 3);
	expect_bad(mk(str, 0), MM_ERR_FORMAT,
	           "tensor \"t\": expected an object with dtype, shape and "
	           "data_offsets, found a string");
	free(str);
}
END_TEST

START_TEST(json_errors)
{
	expect_bad(mk("{\"t\":1,}", 0), MM_ERR_FORMAT,
	           "the header is not valid JSON");
	expect_bad(mk("{\"t\":{}", 0), MM_ERR_FORMAT, "not valid JSON");
	expect_bad(mk("{\"\xff\":{}}", 0), MM_ERR_FORMAT, "not valid JSON");
	expect_bad(mk("{\"a\\u0000b\":{}}", 0), MM_ERR_FORMAT, "not valid JSON");
	expect_bad(mk("{} x", 0), MM_ERR_FORMAT, "not valid JSON");
	expect_bad(mk("{\"t\":{\"shape\":[99999999999999999999]}}", 0),
	           MM_ERR_FORMAT, "too big integer");
}
END_TEST

START_TEST(duplicates)
{
	expect_bad(mk("{\"t\":{},\"t\":{}}", 0), MM_ERR_FORMAT,
	           "the header has the key '\"t\"' twice");
	expect_bad(mk("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0),
	           MM_ERR_FORMAT, "'\"a\"' twice");
}
END_TEST

START_TEST(entry_errors)
{
	expect_bad(mk("{\"t\":[1]}", 0), MM_ERR_FORMAT,
	           "tensor \"t\": expected an object with dtype, shape and "
	           "data_offsets, found a list");
	expect_bad(mk("{\"t\":{\"shape\":[],\"data_offsets\":[0,0]}}", 0),
	           MM_ERR_FORMAT, "tensor \"t\" has no dtype");
	expect_bad(mk("{\"t\":{\"dtype\":4}}", 0), MM_ERR_FORMAT,
	           "tensor \"t\": dtype must be a string such as \"F32\", found "
	           "a whole number");
	expect_bad(mk(T1("F7", "[1]", "[0,4]"), 4), MM_ERR_FORMAT,
	           "tensor \"t\": unknown dtype \"F7\"");
	expect_bad(mk(T1("f32", "[1]", "[0,4]"), 4), MM_ERR_FORMAT,
	           "unknown dtype \"f32\"");
	expect_bad(mk("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
	           MM_ERR_FORMAT, "tensor \"t\" has no shape");
	expect_bad(mk(T1("F32", "3", "[0,4]"), 4), MM_ERR_FORMAT,
	           "shape must be a list of whole numbers, found a whole number");
	expect_bad(mk(T1("F32", "[2,-1]", "[0,4]"), 4), MM_ERR_FORMAT,
	           "tensor \"t\": dimension 1 of shape is -1");
	expect_bad(mk(T1("F32", "[1.0]", "[0,4]"), 4), MM_ERR_FORMAT,
	           "dimension 0 of shape is a number with a fraction");
	expect_bad(mk(T1("F32", "[\"1\"]", "[0,4]"), 4), MM_ERR_FORMAT,
	           "dimension 0 of shape is a string");
	expect_bad(mk("{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
	           MM_ERR_FORMAT, "tensor \"t\" has no data_offsets");
	expect_bad(mk(T1("F32", "[1]", "[0,4,8]"), 8), MM_ERR_FORMAT,
	           "data_offsets must be a list of two whole numbers");
	expect_bad(mk(T1("F32", "[1]", "{}"), 4), MM_ERR_FORMAT,
	           "[BEGIN, END], found an object");
	expect_bad(mk(T1("F32", "[1]", "[-4,0]"), 4), MM_ERR_FORMAT,
	           "data_offsets' BEGIN is -4");
	expect_bad(mk(T1("F32", "[1]", "[0,null]"), 4), MM_ERR_FORMAT,
	           "data_offsets' END is null");
	expect_bad(mk(T1("F32", "[0]", "[4,0]"), 4), MM_ERR_FORMAT,
	           "data_offsets [4, 0] end before they begin");
	expect_bad(mk(T1("F32", "[2]", "[0,8]"), 4), MM_ERR_FORMAT,
	           "tensor \"t\": data_offsets [0, 8] run past the end of the "
	           "file, which holds 4 bytes of data");
	expect_bad(mk(T1("F32", "[2,3]", "[0,20]"), 20), MM_ERR_FORMAT,
	           "tensor \"t\": shape (2 x 3) of F32 is 24 bytes, but its "
	           "data_offsets [0, 20] hold 20");
	expect_bad(mk(T1("BF16", "[3]", "[0,4]"), 4), MM_ERR_FORMAT,
	           "shape (3,) of BF16 is 6 bytes");
	expect_bad(mk(T1("F4", "[3]", "[0,2]"), 2), MM_ERR_FORMAT,
	           "3 elements of F4 (4 bits each) do not fill whole bytes");
	expect_bad(mk(T1("F6_E2M3", "[3]", "[0,2]"), 2), MM_ERR_FORMAT,
	           "(6 bits each)");
	/* checked arithmetic: 2^62 · 2^62, and 2^61 · 64 bits */
	expect_bad(mk(T1("U8", "[4611686018427387904,4611686018427387904]",
	                 "[0,0]"), 0), MM_ERR_FORMAT,
	           "shape (4611686018427387904 x 4611686018427387904) of U8 is "
	           "too large: its size overflows 64 bits");
	expect_bad(mk(T1("F64", "[2305843009213693952]", "[0,0]"), 0),
	           MM_ERR_FORMAT, "overflows 64 bits");
	/* NumPy's rule: a 0 dim does not excuse the others */
	expect_bad(mk(T1("U8", "[0,4611686018427387904,4611686018427387904]",
	                 "[0,0]"), 0), MM_ERR_FORMAT, "overflows 64 bits");
	/* long and unprintable names are cut and masked in messages */
	expect_bad(mk("{\"\\u0001abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
	              "abcdefghijklmnopqrstuvwxyz\":1}", 0), MM_ERR_FORMAT,
	           "tensor \"?abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
	           "abcdefg\"...: expected");
}
END_TEST

START_TEST(coverage_errors)
{
	expect_bad(mk(T1("F32", "[1]", "[4,8]"), 8), MM_ERR_FORMAT,
	           "bytes 0 to 4 of the data belong to no tensor (a hole before "
	           "\"t\")");
	expect_bad(mk("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
	              "\"data_offsets\":[0,8]},"
	              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],"
	              "\"data_offsets\":[4,12]}}", 12), MM_ERR_FORMAT,
	           "the data of \"b\" [4, 12) overlaps that of \"a\" [0, 8)");
	expect_bad(mk("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
	              "\"data_offsets\":[0,8]},"
	              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],"
	              "\"data_offsets\":[0,8]}}", 8), MM_ERR_FORMAT,
	           "overlaps");
	expect_bad(mk("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
	              "\"data_offsets\":[0,8]},"
	              "\"b\":{\"dtype\":\"F32\",\"shape\":[0],"
	              "\"data_offsets\":[4,4]}}", 8), MM_ERR_FORMAT,
	           "the data of \"b\" [4, 4) overlaps that of \"a\" [0, 8)");
	expect_bad(mk(T1("F32", "[1]", "[0,4]"), 6), MM_ERR_FORMAT,
	           "2 bytes after the last tensor's data belong to no tensor");
	expect_bad(mk("{}", 1), MM_ERR_FORMAT,
	           "1 bytes after the last tensor's data");
}
END_TEST

START_TEST(metadata_errors)
{
	expect_bad(mk("{\"__metadata__\":[]}", 0), MM_ERR_FORMAT,
	           "__metadata__ must be an object of strings, found a list");
	expect_bad(mk("{\"__metadata__\":{\"a\":\"x\",\"n\":3}}", 0),
	           MM_ERR_FORMAT,
	           "__metadata__ maps names to strings, but \"n\" is a whole "
	           "number");
}
END_TEST

START_TEST(valid_edge_cases)
{
	/* no tensors at all, padded with blanks */
	mm_st_file *f = expect_ok(mk("{}      ", 0));
	ck_assert_uint_eq(f->ntensors, 0);
	ck_assert_uint_eq(f->params, 0);
	ck_assert_ptr_null(mm_st_find(f, "x"));
	mm_st_free(f);
	/* offsets in any order in the JSON; unknown keys ignored; empty
	 * tensors anywhere an offset allows; an empty name */
	f = expect_ok(mk("{\"z\":{\"dtype\":\"U8\",\"shape\":[2],"
	                 "\"data_offsets\":[4,6],\"extra\":[1]},"
	                 "\"\":{\"dtype\":\"F32\",\"shape\":[1],"
	                 "\"data_offsets\":[0,4]},"
	                 "\"e\":{\"dtype\":\"C64\",\"shape\":[3,0],"
	                 "\"data_offsets\":[6,6]},"
	                 "\"__metadata__\":{}}", 6));
	ck_assert_uint_eq(f->ntensors, 3);
	ck_assert_uint_eq(f->nmeta, 0);
	ck_assert_str_eq(f->tensors[0].name, "");
	ck_assert_str_eq(f->tensors[1].name, "z");
	ck_assert_str_eq(f->tensors[2].name, "e");
	ck_assert_uint_eq(f->params, 3);
	ck_assert_ptr_nonnull(mm_st_find(f, ""));
	ck_assert_int_eq(mm_st_find(f, "e")->dtype, MM_ST_C64);
	mm_st_free(f);
	/* nine axes are listed; load refuses them */
	blob b = mk(T1("U8", "[1,1,1,1,1,1,1,1,2]", "[0,2]"), 2);
	rec a = {0};
	mm_io_load_opts o = opts_for(&a);
	mm_diag d;
	ck_assert_int_eq(mm_st_load_mem(b.p, b.len, "n", "t", &o, NULL, NULL,
	                                &d), MM_ERR_UNSUPPORTED);
	ck_assert_msg(strstr(d.message, "has 9 axes; load reads at most 8"),
	              "%s", d.message);
	ck_assert_int_eq(a.calls, 0);
	free(b.p);
	/* F4 in whole bytes, F6 in whole bytes */
	f = expect_ok(mk(T1("F6_E3M2", "[4]", "[0,3]"), 3));
	mm_st_free(f);
}
END_TEST

START_TEST(dtype_table)
{
	ck_assert_int_eq(MM_ST_DTYPE_COUNT, 20);
	for (int i = 0; i < MM_ST_DTYPE_COUNT; i++) {
		mm_st_dtype t;
		ck_assert(mm_st_dtype_parse(mm_st_dtype_name((mm_st_dtype)i), &t));
		ck_assert_int_eq(t, i);
		ck_assert_uint_gt(mm_st_dtype_bits(t), 0);
	}
	ck_assert_uint_eq(mm_st_dtype_bits(MM_ST_BF16), 16);
	ck_assert_uint_eq(mm_st_dtype_bits(MM_ST_F4), 4);
	ck_assert_uint_eq(mm_st_dtype_bits(MM_ST_C64), 64);
	mm_dtype m;
	ck_assert(mm_st_dtype_loads_as(MM_ST_BF16, &m) && m == MM_BF16);
	ck_assert(mm_st_dtype_loads_as(MM_ST_F16, &m) && m == MM_F16);
	ck_assert(mm_st_dtype_loads_as(MM_ST_U64, &m) && m == MM_F64);
	ck_assert(!mm_st_dtype_loads_as(MM_ST_C64, &m));
	ck_assert(!mm_st_dtype_loads_as(MM_ST_F4, &m));
}
END_TEST

START_TEST(natural_order)
{
	ck_assert_int_lt(mm_st_name_cmp("layers.2.w", "layers.10.w"), 0);
	ck_assert_int_gt(mm_st_name_cmp("layers.10.w", "layers.9.w"), 0);
	ck_assert_int_lt(mm_st_name_cmp("a", "b"), 0);
	ck_assert_int_lt(mm_st_name_cmp("a", "a.b"), 0);
	ck_assert_int_eq(mm_st_name_cmp("x1y", "x1y"), 0);
	/* equal as numbers, told apart by strcmp, both ways */
	ck_assert_int_lt(mm_st_name_cmp("a01", "a1"), 0);
	ck_assert_int_gt(mm_st_name_cmp("a1", "a01"), 0);
	ck_assert_int_lt(mm_st_name_cmp("a0", "a00"), 0);
	/* digits sit between '/' and ':' as single bytes do */
	ck_assert_int_lt(mm_st_name_cmp("a.", "a5"), 0);
	ck_assert_int_lt(mm_st_name_cmp("a99", "a_"), 0);
	ck_assert_int_lt(mm_st_name_cmp("h.999999999999999999999", "h.1000000000000000000000"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("safetensors");
	TCase *t = tcase_create("read");
	tcase_add_test(t, mixed_header);
	tcase_add_test(t, loads_match_numpy);
	tcase_add_test(t, ofp8_published_values);
	tcase_add_test(t, load_details);
	tcase_add_test(t, path_and_memory_agree);
	tcase_add_test(t, truncated_file);
	tcase_add_test(t, dtype_table);
	tcase_add_test(t, natural_order);
	suite_add_tcase(s, t);
	t = tcase_create("hostile");
	tcase_add_test(t, length_field);
	tcase_add_test(t, json_errors);
	tcase_add_test(t, parse_memory_bounded);
	tcase_add_test(t, duplicates);
	tcase_add_test(t, entry_errors);
	tcase_add_test(t, coverage_errors);
	tcase_add_test(t, metadata_errors);
	tcase_add_test(t, valid_edge_cases);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
