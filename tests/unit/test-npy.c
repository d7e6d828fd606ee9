/* test-npy.c — unit tests of the .npy loader and writer, atomic saving and
 * path resolution (src/io/). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"
#include "mmcalc/npy.h"
#include "mmcalc/path.h"

#ifndef MM_TEST_DATA
#error "MM_TEST_DATA must name tests/data"
#endif

/* --- an allocator that records what it was asked for */

typedef struct alloc_rec {
	int calls;
	void *p;
	mm_dtype dtype;
	int ndim;
	int64_t shape[8];
	bool fail;
} alloc_rec;

static void *rec_alloc(void *ctx, mm_dtype dtype, int ndim,
                       const int64_t *shape, mm_diag *d)
{
	alloc_rec *a = ctx;
	a->calls++;
	a->dtype = dtype;
	a->ndim = ndim;
	size_t n = dtype == MM_F64 ? 8 : 4;
	for (int i = 0; i < ndim; i++) {
		a->shape[i] = shape[i];
		n *= (size_t)shape[i];
	}
	if (a->fail) {
		mm_diag_set(d, MM_ERR_LIMIT, (mm_span){0, 0}, "over the limit");
		return NULL;
	}
	free(a->p);
	a->p = aligned_alloc(64, (n + 63) / 64 * 64 + 64);
	return a->p;
}

static mm_io_load_opts opts_for(alloc_rec *a)
{
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = a;
	o.max_bytes = 1 << 20;
	return o;
}

static mm_code load_file(const char *name, alloc_rec *a, mm_io_info *info,
                         mm_diag *d)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", MM_TEST_DATA, name);
	mm_io_load_opts o = opts_for(a);
	return mm_npy_load(path, &o, info, d);
}

static double at(const mm_io_info *info, size_t i)
{
	if (info->dtype == MM_F64)
		return ((const double *)info->data)[i];
	return ((const float *)info->data)[i];
}

/* Checks a loaded (3, 4) array holds arange(12)/4 - 1, times scale. */
static void check_enc(const char *name, mm_dtype dtype, double scale,
                      bool widened, bool fortran)
{
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(load_file(name, &a, &info, &d), MM_OK);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(info.dtype, dtype);
	ck_assert_int_eq(info.ndim, 2);
	ck_assert_int_eq(info.shape[0], 3);
	ck_assert_int_eq(info.shape[1], 4);
	ck_assert_int_eq(info.widened, widened);
	ck_assert_int_eq(info.fortran_order, fortran);
	for (size_t i = 0; i < 12; i++)
		ck_assert_double_eq(at(&info, i), ((double)i / 4 - 1) * scale);
	free(a.p);
}

START_TEST(enc_f8) { check_enc("enc_f8.npy", MM_F64, 1, false, false); }
END_TEST
START_TEST(enc_f4) { check_enc("enc_f4.npy", MM_F32, 1, false, false); }
END_TEST
START_TEST(enc_f2) { check_enc("enc_f2.npy", MM_F16, 1, false, false); }
END_TEST
START_TEST(enc_i4) { check_enc("enc_i4.npy", MM_F64, 4, true, false); }
END_TEST
START_TEST(enc_i8) { check_enc("enc_i8.npy", MM_F64, 4, true, false); }
END_TEST
START_TEST(enc_fortran) { check_enc("enc_fortran_f8.npy", MM_F64, 1, false, true); }
END_TEST

START_TEST(enc_bigendian)
{
	check_enc("enc_bigendian_f8.npy", MM_F64, 1, false, false);
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(load_file("enc_bigendian_f8.npy", &a, &info, &d),
	                 MM_OK);
	ck_assert(info.byteswapped);
	ck_assert_str_eq(info.file_dtype, ">f8");
	free(a.p);
}
END_TEST

START_TEST(enc_scalar)
{
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(load_file("enc_scalar_f8.npy", &a, &info, &d), MM_OK);
	ck_assert_int_eq(info.ndim, 0);
	ck_assert_int_eq(a.ndim, 0);
	ck_assert_double_eq(at(&info, 0), 3.5);
	free(a.p);
}
END_TEST

START_TEST(enc_vector)
{
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(load_file("enc_vector_f4.npy", &a, &info, &d), MM_OK);
	ck_assert_int_eq(info.ndim, 1);
	ck_assert_int_eq(info.shape[0], 5);
	ck_assert_int_eq(info.dtype, MM_F32);
	for (size_t i = 0; i < 5; i++)
		ck_assert_double_eq(at(&info, i), (double)i);
	free(a.p);
}
END_TEST

START_TEST(enc_3d)
{
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(load_file("enc_3d_f4.npy", &a, &info, &d), MM_OK);
	ck_assert_int_eq(info.ndim, 3);
	ck_assert_int_eq(info.shape[0], 2);
	ck_assert_int_eq(info.shape[1], 3);
	ck_assert_int_eq(info.shape[2], 4);
	for (size_t i = 0; i < 24; i++)
		ck_assert_double_eq(at(&info, i), (double)i);
	free(a.p);
}
END_TEST

/* Every (3, 4) integer/bool fixture: expected values element by element. */
START_TEST(int_and_bool_dtypes)
{
	static const struct {
		const char *file;
		double offset;
		int mod3;
	} cases[] = {
		{"io_i2_be.npy", -4, 0}, {"io_i1.npy", -4, 0},
		{"io_u1.npy", 0, 0},     {"io_u2.npy", 0, 0},
		{"io_b1.npy", 0, 1},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		alloc_rec a = {0};
		mm_io_info info;
		mm_diag d;
		ck_assert_msg(load_file(cases[c].file, &a, &info, &d) == MM_OK,
		              "%s: %s", cases[c].file, d.message);
		/* int8 stays i8 (f32 storage); the rest widen to f64 */
		bool i1 = strcmp(cases[c].file, "io_i1.npy") == 0;
		ck_assert_int_eq(info.dtype, i1 ? MM_I8 : MM_F64);
		ck_assert(info.widened == !i1);
		for (size_t i = 0; i < 12; i++) {
			double want = cases[c].mod3 ? (i % 3 == 0)
			                            : (double)i + cases[c].offset;
			ck_assert_double_eq(at(&info, i), want);
		}
		free(a.p);
	}
}
END_TEST

START_TEST(fortran_3d_and_bigendian)
{
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(load_file("io_fortran_3d_f4.npy", &a, &info, &d), MM_OK);
	ck_assert(info.fortran_order);
	ck_assert_int_eq(info.ndim, 3);
	for (size_t i = 0; i < 24; i++)
		ck_assert_double_eq(at(&info, i), (double)i);
	ck_assert_int_eq(load_file("io_fortran_be_i4.npy", &a, &info, &d), MM_OK);
	ck_assert(info.fortran_order && info.byteswapped && info.widened);
	for (size_t i = 0; i < 12; i++)
		ck_assert_double_eq(at(&info, i), (double)i - 4);
	free(a.p);
}
END_TEST

START_TEST(f16_special_values)
{
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(load_file("io_f2_special.npy", &a, &info, &d), MM_OK);
	const float *f = info.data;
	ck_assert_float_eq(f[0], 0.0f);
	ck_assert(signbit(f[1]) && f[1] == 0.0f);
	ck_assert_float_eq(f[2], 1.0f);
	ck_assert_float_eq(f[3], 65504.0f);
	ck_assert_float_eq(f[4], 6.103515625e-05f);
	ck_assert_float_eq(f[5], 5.960464477539063e-08f); /* subnormal */
	ck_assert(isinf(f[6]) && f[6] > 0);
	ck_assert(isinf(f[7]) && f[7] < 0);
	ck_assert(isnan(f[8]));
	ck_assert_float_eq(f[9], -2.5f);
	free(a.p);
}
END_TEST

START_TEST(i8_beyond_2_53_is_lossy)
{
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(load_file("io_i8_big.npy", &a, &info, &d), MM_OK);
	ck_assert(info.lossy);
	ck_assert_double_eq(at(&info, 2), 5.0);
	ck_assert_int_eq(load_file("enc_i8.npy", &a, &info, &d), MM_OK);
	ck_assert(!info.lossy);
	free(a.p);
}
END_TEST

START_TEST(versions_2_and_3_and_4d_and_empty)
{
	alloc_rec a = {0};
	mm_io_info info;
	mm_diag d;
	check_enc("io_v2.npy", MM_F64, 1, false, false);
	check_enc("io_v3.npy", MM_F64, 1, false, false);
	ck_assert_int_eq(load_file("io_v3.npy", &a, &info, &d), MM_OK);
	ck_assert_int_eq(info.version_major, 3);
	ck_assert_int_eq(load_file("io_4d_f8.npy", &a, &info, &d), MM_OK);
	ck_assert_int_eq(info.ndim, 4);
	for (size_t i = 0; i < 120; i++)
		ck_assert_double_eq(at(&info, i), (double)i / 8);
	ck_assert_int_eq(load_file("io_empty_f8.npy", &a, &info, &d), MM_OK);
	ck_assert_int_eq(info.ndim, 2);
	ck_assert_int_eq(info.shape[0], 0);
	ck_assert_int_eq(info.shape[1], 3);
	free(a.p);
}
END_TEST

/* --- bad files, built in memory */

/* A .npy image: magic, version major.0, header length hlen (or the real
 * length when hlen < 0), dict, then data bytes. Returns its length. */
static size_t build(unsigned char *out, int major, long hlen,
                    const char *dict, const void *data, size_t dn)
{
	size_t n = strlen(dict);
	memcpy(out, "\x93NUMPY", 6);
	out[6] = (unsigned char)major;
	out[7] = 0;
	uint32_t len = hlen < 0 ? (uint32_t)n : (uint32_t)hlen;
	size_t pre = major == 1 ? 10 : 12;
	for (size_t i = 0; i < pre - 8; i++)
		out[8 + i] = (unsigned char)(len >> (8 * i));
	memcpy(out + pre, dict, n);
	if (dn)
		memcpy(out + pre + n, data, dn);
	return pre + n + dn;
}

static unsigned char img[1 << 16];

static mm_code load_img(size_t n, alloc_rec *a, mm_diag *d)
{
	mm_io_load_opts o = opts_for(a);
	mm_io_info info;
	return mm_npy_load_mem(img, n, "bad.npy", &o, &info, d);
}

#define D34 "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }\n"

static const double twelve[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

START_TEST(good_image_loads)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1, D34, twelve, sizeof twelve);
	ck_assert_int_eq(load_img(n, &a, &d), MM_OK);
	ck_assert_double_eq(((double *)a.p)[11], 11);
	free(a.p);
}
END_TEST

START_TEST(truncated_data)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1, D34, twelve, sizeof twelve - 1);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_FORMAT);
	ck_assert_int_eq(a.calls, 0);
	ck_assert_ptr_nonnull(strstr(d.message, "bad.npy"));
	ck_assert_ptr_nonnull(strstr(d.message, "truncated"));
}
END_TEST

START_TEST(truncated_data_stream)
{
	/* through a pipe the size is unknown: the short read is caught after
	 * allocating, and the buffer stays the caller's */
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1, D34, twelve, sizeof twelve - 3);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], img, n), (ssize_t)n);
	close(fds[1]);
	mm_io_load_opts o = opts_for(&a);
	ck_assert_int_eq(mm_npy_load_fd(fds[0], "pipe", &o, NULL, &d),
	                 MM_ERR_FORMAT);
	close(fds[0]);
	ck_assert_ptr_nonnull(strstr(d.message, "truncated"));
	free(a.p);
}
END_TEST

START_TEST(header_length_lies)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, 60000, D34, twelve, sizeof twelve);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "header claims 60000"));
	n = build(img, 2, 0xfffffff0L, D34, twelve, sizeof twelve);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_FORMAT);
	/* shorter than the dict: the dict is cut, then data bytes follow */
	n = build(img, 1, 20, D34, twelve, sizeof twelve);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_FORMAT);
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(overflowing_shape)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1,
	                 "{'descr': '<f8', 'fortran_order': False, "
	                 "'shape': (4294967296, 4294967296), }", twelve, 8);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(d.message, "overflow"));
	n = build(img, 1, -1,
	          "{'descr': '<f8', 'fortran_order': False, "
	          "'shape': (1152921504606846976,), }", twelve, 8);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_LIMIT);
	n = build(img, 1, -1,
	          "{'descr': '<f8', 'fortran_order': False, "
	          "'shape': (99999999999999999999,), }", twelve, 8);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_LIMIT);
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(over_byte_limit)
{
	alloc_rec a = {0};
	mm_diag d;
	/* 1000x1000 f8 = 8 MB > the 1 MiB test limit, even though the file
	 * (which lies) is small: refused before allocating */
	size_t n = build(img, 1, -1,
	                 "{'descr': '<f8', 'fortran_order': False, "
	                 "'shape': (1000, 1000), }", twelve, sizeof twelve);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(d.message, "limit"));
	ck_assert_int_eq(a.calls, 0);
	/* i1 loads as i8 in f32 storage: the limit applies to the loaded
	 * bytes (4 per element), not the file's */
	n = build(img, 1, -1,
	          "{'descr': '|i1', 'fortran_order': False, "
	          "'shape': (300000,), }", twelve, 0);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_LIMIT);
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(allocator_refuses)
{
	alloc_rec a = {.fail = true};
	mm_diag d;
	size_t n = build(img, 1, -1, D34, twelve, sizeof twelve);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_LIMIT);
	ck_assert_str_eq(d.message, "over the limit");
}
END_TEST

START_TEST(bad_magic)
{
	alloc_rec a = {0};
	mm_diag d;
	memcpy(img, "hello world, not numpy", 22);
	ck_assert_int_eq(load_img(22, &a, &d), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "not a .npy file"));
	ck_assert_int_eq(load_img(0, &a, &d), MM_ERR_FORMAT);
	ck_assert_int_eq(load_img(3, &a, &d), MM_ERR_FORMAT);
	size_t n = build(img, 1, -1, D34, twelve, sizeof twelve);
	ck_assert_int_eq(load_img(7, &a, &d), MM_ERR_FORMAT);
	ck_assert_int_eq(load_img(9, &a, &d), MM_ERR_FORMAT);
	img[6] = 4;
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(d.message, "version 4.0"));
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(npz_refused)
{
	alloc_rec a = {0};
	mm_diag d;
	memcpy(img, "PK\x03\x04\x14\x00\x00\x00\x00\x00", 10);
	ck_assert_int_eq(load_img(10, &a, &d), MM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(d.message, ".npz"));
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(object_dtype_refused)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1,
	                 "{'descr': '|O', 'fortran_order': False, "
	                 "'shape': (2,), }\n", "\x80\x02", 2);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(d.message, "object"));
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(structured_dtype_refused)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1,
	                 "{'descr': [('x', '<f8'), ('y', '<i4')], "
	                 "'fortran_order': False, 'shape': (2,), }\n", "", 0);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(d.message, "structured"));
	n = build(img, 1, -1,
	          "{'descr': '|V12', 'fortran_order': False, 'shape': (2,), }",
	          "", 0);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_UNSUPPORTED);
	n = build(img, 1, -1,
	          "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }",
	          "", 0);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(d.message, "'<c16'"));
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(header_dict_syntax)
{
	alloc_rec a = {0};
	mm_diag d;
	/* keys in any order, odd spacing, double quotes, no trailing comma,
	 * Python 2 longs, a list for the shape */
	static const char *good[] = {
		"{'shape':(3,4),'fortran_order':False,'descr':'<f8'}",
		("{ \"descr\" : \"<f8\" ,\n 'fortran_order' : False , "
		 "'shape' : ( 3 , 4 , ) , }   \n"),
		"{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 4L)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': [3, 4]}",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		size_t n = build(img, 1, -1, good[i], twelve, sizeof twelve);
		ck_assert_msg(load_img(n, &a, &d) == MM_OK, "%s: %s", good[i],
		              d.message);
	}
	static const char *bad[] = {
		"",
		"{",
		"{'descr': '<f8', 'fortran_order': False}",
		"{'descr': '<f8', 'shape': (3, 4)}",
		"{'fortran_order': False, 'shape': (3, 4)}",
		"{'descr': '<f8', 'fortran_order': 0, 'shape': (3, 4)}",
		"{'descr': '<f8', 'fortran_order': Falsey, 'shape': (3, 4)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (3, -4)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (3,, 4)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (3 4)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': 12}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)} x",
		"{'descr': '<f8' 'fortran_order': False, 'shape': (3, 4)}",
		"{'descr: '<f8', 'fortran_order': False, 'shape': (3, 4)}",
		("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), "
		 "'extra': 1}"),
		("{'descr': '<f8', 'fortran_order': False, 'shape': "
		 "(1,1,1,1,1,1,1,1,1)}"),
		"{'descr': 'f', 'fortran_order': False, 'shape': (3, 4)}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = build(img, 1, -1, bad[i], twelve, sizeof twelve);
		mm_code c = load_img(n, &a, &d);
		ck_assert_msg(c != MM_OK, "accepted: %s", bad[i]);
		ck_assert_msg(strncmp(d.message, "bad.npy: ", 9) == 0, "%s",
		              d.message);
	}
	free(a.p);
}
END_TEST

START_TEST(control_bytes_not_echoed)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1,
	                 "{'descr': '<\x1b[2Jf', 'fortran_order': False, "
	                 "'shape': (3, 4)}", twelve, sizeof twelve);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_UNSUPPORTED);
	ck_assert_ptr_null(strchr(d.message, '\x1b'));
}
END_TEST

START_TEST(interrupted)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1, D34, twelve, sizeof twelve);
	mm_interrupt_request();
	mm_code c = load_img(n, &a, &d);
	mm_interrupt_clear();
	ck_assert_int_eq(c, MM_ERR_INTERRUPTED);
	free(a.p);
}
END_TEST

/* --- writing */

static char tmpdir[256];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mmcalc-test-npy-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	DIR *dir = opendir(tmpdir);
	if (!dir)
		return;
	struct dirent *e;
	char p[600];
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
		if (unlink(p) != 0)
			rmdir(p);
	}
	closedir(dir);
	rmdir(tmpdir);
}

static int count_files(void)
{
	DIR *dir = opendir(tmpdir);
	int n = 0;
	struct dirent *e;
	while (dir && (e = readdir(dir)))
		n += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
	if (dir)
		closedir(dir);
	return n;
}

START_TEST(header_layout)
{
	int64_t shape[2] = {3, 4};
	char h[256];
	size_t n = mm_npy_header(MM_F64, 2, shape, h, sizeof h);
	ck_assert_uint_eq(n % 64, 0);
	ck_assert_int_eq(h[n - 1], '\n');
	ck_assert_int_eq(h[6], 1);
	ck_assert_uint_eq((size_t)(unsigned char)h[8] |
	                  (size_t)(unsigned char)h[9] << 8, n - 10);
	ck_assert(memcmp(h + 10, "{'descr': '<f8', 'fortran_order': False, "
	                         "'shape': (3, 4), }", 58) == 0);
	ck_assert_uint_eq(mm_npy_header(MM_F32, 0, shape, NULL, 0), 128);
	ck_assert_uint_eq(mm_npy_header(MM_BF16, 0, shape, NULL, 0), 0);
	ck_assert_uint_eq(mm_npy_header(MM_F8E4M3, 0, shape, NULL, 0), 0);
	ck_assert_uint_eq(mm_npy_header(MM_F32, 9, shape, NULL, 0), 0);
}
END_TEST

/* f16 tensors save as <f2 and i8 and i4 as |i1, loading back as f16 and
 * i8 with the same values, big or small; bf16 and the f8s are refused
 * with a reason, and no file is left. */
START_TEST(narrow_dtypes)
{
	make_tmpdir();
	char path[600];
	snprintf(path, sizeof path, "%s/x.npy", tmpdir);
	const float h[6] = {1.0f, -2.5f, 65504.0f, 0x1p-24f, INFINITY, -0.0f};
	const float q[6] = {-128.0f, 127.0f, -8.0f, 7.0f, 0.0f, 44.0f};
	int64_t shape[1] = {6};
	mm_diag d;
	struct {
		mm_dtype t;
		const float *v;
		int n;
		mm_dtype loaded;
		const char *descr;
	} cases[] = {{MM_F16, h, 6, MM_F16, "<f2"},
	             {MM_I8, q, 6, MM_I8, "|i1"},
	             {MM_I4, q + 2, 3, MM_I8, "|i1"}};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		shape[0] = cases[c].n;
		ck_assert_int_eq(mm_npy_save(path, cases[c].t, 1, shape, cases[c].v,
		                             &d), MM_OK);
		alloc_rec a = {0};
		mm_io_info info;
		mm_io_load_opts o = opts_for(&a);
		ck_assert_int_eq(mm_npy_load(path, &o, &info, &d), MM_OK);
		ck_assert_int_eq(info.dtype, cases[c].loaded);
		ck_assert_str_eq(info.file_dtype, cases[c].descr);
		ck_assert(!info.widened);
		const float *f = info.data;
		for (int i = 0; i < cases[c].n; i++)
			ck_assert_msg(memcmp(&f[i], &cases[c].v[i], 4) == 0,
			              "%s element %d: %a", cases[c].descr, i,
			              (double)f[i]);
		free(a.p);
	}
	remove(path);
	const mm_dtype refused[] = {MM_BF16, MM_F8E4M3, MM_F8E5M2};
	for (size_t k = 0; k < 3; k++) {
		ck_assert_int_eq(mm_npy_save(path, refused[k], 1, shape, h, &d),
		                 MM_ERR_UNSUPPORTED);
		ck_assert_ptr_nonnull(strstr(d.message, "NumPy has no"));
		ck_assert_ptr_nonnull(strstr(d.hint, "astype"));
		/* "an f8e4m3 tensor"; every f8 value is exact in f16 */
		ck_assert_ptr_nonnull(strstr(d.message, k ? "an f8e" : "a bf16"));
		ck_assert_ptr_nonnull(strstr(d.hint, k ? "dtype=f16) (exact"
		                                       : "dtype=f32) (exact"));
	}
	ck_assert_int_eq(count_files(), 0);
	/* a long f16 array goes through the conversion buffer in steps */
	enum { N = 300000 };
	float *big = malloc(N * sizeof *big);
	ck_assert_ptr_nonnull(big);
	for (int i = 0; i < N; i++)
		big[i] = (float)(i % 2048) - 1024.0f;
	int64_t bs[1] = {N};
	ck_assert_int_eq(mm_npy_save(path, MM_F16, 1, bs, big, &d), MM_OK);
	alloc_rec a = {0};
	mm_io_info info;
	mm_io_load_opts o = opts_for(&a);
	o.max_bytes = 0;
	ck_assert_int_eq(mm_npy_load(path, &o, &info, &d), MM_OK);
	ck_assert_int_eq(memcmp(info.data, big, N * sizeof *big), 0);
	free(a.p);
	free(big);
	remove_tmpdir();
}
END_TEST

START_TEST(round_trips)
{
	make_tmpdir();
	char path[600];
	snprintf(path, sizeof path, "%s/x.npy", tmpdir);
	for (int dt = 0; dt < 2; dt++) {
		mm_dtype dtype = dt ? MM_F64 : MM_F32;
		for (int ndim = 0; ndim <= 4; ndim++) {
			int64_t shape[4] = {2, 3, 5, 7};
			size_t numel = 1;
			for (int i = 0; i < ndim; i++)
				numel *= (size_t)shape[i];
			double *src = malloc(numel * 8);
			for (size_t i = 0; i < numel; i++) {
				double v = sin((double)i + 0.5) * 1e3;
				if (dtype == MM_F32)
					((float *)src)[i] = (float)v;
				else
					src[i] = v;
			}
			mm_diag d;
			ck_assert_int_eq(mm_npy_save(path, dtype, ndim, shape,
			                             src, &d), MM_OK);
			alloc_rec a = {0};
			mm_io_load_opts o = opts_for(&a);
			mm_io_info info;
			ck_assert_int_eq(mm_npy_load(path, &o, &info, &d), MM_OK);
			ck_assert_int_eq(info.dtype, dtype);
			ck_assert_int_eq(info.ndim, ndim);
			for (int i = 0; i < ndim; i++)
				ck_assert_int_eq(info.shape[i], shape[i]);
			ck_assert(memcmp(info.data, src,
			                 numel * (dt ? 8 : 4)) == 0);
			struct stat st;
			ck_assert_int_eq(stat(path, &st), 0);
			ck_assert_int_eq((st.st_size - (off_t)numel * (dt ? 8 : 4))
			                 % 64, 0);
			free(a.p);
			free(src);
		}
	}
	ck_assert_int_eq(count_files(), 1); /* no temporary files left */
	remove_tmpdir();
}
END_TEST

static void write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
}

static bool file_is(const char *path, const char *s)
{
	char buf[256] = {0};
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	return n == strlen(s) && memcmp(buf, s, n) == 0;
}

START_TEST(save_into_missing_directory)
{
	make_tmpdir();
	char path[600];
	snprintf(path, sizeof path, "%s/no/such/dir/x.npy", tmpdir);
	int64_t shape[1] = {3};
	double v[3] = {1, 2, 3};
	mm_diag d;
	ck_assert_int_eq(mm_npy_save(path, MM_F64, 1, shape, v, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "x.npy"));
	ck_assert_ptr_nonnull(strstr(d.message, strerror(ENOENT)));
	ck_assert_int_eq(count_files(), 0);
	remove_tmpdir();
}
END_TEST

START_TEST(save_fails_on_rename_old_untouched)
{
	/* The target is a non-empty directory: refused before anything is
	 * written. And when it becomes one while the data is written, the
	 * commit refuses it; the temporary file must go away. */
	make_tmpdir();
	char path[600], inner[700];
	snprintf(path, sizeof path, "%s/target.npy", tmpdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(inner, sizeof inner, "%s/keep", path);
	write_text(inner, "old");
	int64_t shape[1] = {3};
	double v[3] = {1, 2, 3};
	mm_diag d;
	ck_assert_int_eq(mm_npy_save(path, MM_F64, 1, shape, v, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "directory"));
	ck_assert(file_is(inner, "old"));
	ck_assert_int_eq(count_files(), 1);
	unlink(inner);
	rmdir(path);

	mm_io_atomic w;
	ck_assert_int_eq(mm_io_atomic_open(&w, path, &d), MM_OK);
	ck_assert_int_eq(mm_io_atomic_write(&w, "data", 4, &d), MM_OK);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	write_text(inner, "old");
	ck_assert_int_eq(mm_io_atomic_commit(&w, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "directory"));
	ck_assert(file_is(inner, "old"));
	ck_assert_int_eq(count_files(), 1);
	mm_io_atomic_abort(&w); /* harmless after a failed commit */
	unlink(inner);
	remove_tmpdir();
}
END_TEST

START_TEST(save_fails_on_write_old_untouched)
{
	/* a file-size limit makes write() fail with EFBIG half-way (Check
	 * runs each test in its own process, so the limit dies with it) */
	make_tmpdir();
	char path[600];
	snprintf(path, sizeof path, "%s/old.npy", tmpdir);
	write_text(path, "precious old contents");
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit old, rl = {4096, 4096};
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	rl.rlim_max = old.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	int64_t shape[1] = {10000};
	double *v = calloc(10000, 8);
	mm_diag d;
	mm_code c = mm_npy_save(path, MM_F64, 1, shape, v, &d);
	setrlimit(RLIMIT_FSIZE, &old); /* for CK_FORK=no runs */
	ck_assert_int_eq(c, MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "write failed"));
	ck_assert_ptr_nonnull(strstr(d.message, strerror(EFBIG)));
	ck_assert(file_is(path, "precious old contents"));
	ck_assert_int_eq(count_files(), 1);
	free(v);
	remove_tmpdir();
}
END_TEST

START_TEST(save_keeps_mode_and_follows_symlink)
{
	make_tmpdir();
	char real[600], link[600];
	snprintf(real, sizeof real, "%s/real.npy", tmpdir);
	snprintf(link, sizeof link, "%s/link.npy", tmpdir);
	write_text(real, "old");
	chmod(real, 0640);
	ck_assert_int_eq(symlink("real.npy", link), 0);
	int64_t shape[1] = {2};
	double v[2] = {7, 8};
	mm_diag d;
	ck_assert_int_eq(mm_npy_save(link, MM_F64, 1, shape, v, &d), MM_OK);
	struct stat st;
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(stat(real, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	alloc_rec a = {0};
	mm_io_load_opts o = opts_for(&a);
	ck_assert_int_eq(mm_npy_load(real, &o, NULL, &d), MM_OK);
	ck_assert_double_eq(((double *)a.p)[1], 8);
	free(a.p);
	ck_assert_int_eq(count_files(), 2);
	remove_tmpdir();
}
END_TEST

START_TEST(load_errors_name_the_file)
{
	alloc_rec a = {0};
	mm_io_load_opts o = opts_for(&a);
	mm_diag d;
	ck_assert_int_eq(mm_npy_load("/nonexistent/w.npy", &o, NULL, &d),
	                 MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "/nonexistent/w.npy"));
	ck_assert_ptr_nonnull(strstr(d.message, strerror(ENOENT)));
	ck_assert_int_eq(mm_npy_load("/tmp", &o, NULL, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "directory"));
}
END_TEST

/* --- the shape without the data */

/* NumPy's size rule: empty arrays whose other axes overflow are refused
 * (np.load of this 128-byte file raises "array is too big" too). */
START_TEST(empty_with_huge_axes_refused)
{
	alloc_rec a = {0};
	mm_diag d;
	size_t n = build(img, 1, -1,
	                 "{'descr': '<f4', 'fortran_order': False, "
	                 "'shape': (0, 2305843009213694464), }", NULL, 0);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(d.message, "too large"));
	n = build(img, 1, -1,
	          "{'descr': '<f8', 'fortran_order': False, "
	          "'shape': (4611686018427387904, 0), }", NULL, 0);
	ck_assert_int_eq(load_img(n, &a, &d), MM_ERR_LIMIT);
	ck_assert_int_eq(a.calls, 0);
	/* an empty array with a long but possible axis still loads */
	n = build(img, 1, -1,
	          "{'descr': '<f4', 'fortran_order': False, "
	          "'shape': (0, 1152921504606846976), }", NULL, 0);
	mm_io_info info;
	mm_io_load_opts o = opts_for(&a);
	ck_assert_int_eq(mm_npy_load_mem(img, n, "e.npy", &o, &info, &d), MM_OK);
	ck_assert_int_eq(info.shape[1], INT64_C(1) << 60);
	free(a.p);
}
END_TEST

/* From a pipe: the header is read and not one byte more. */
START_TEST(read_header_reads_only_the_header)
{
	size_t n = build(img, 1, -1, D34, twelve, sizeof twelve);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], img, n), (ssize_t)n);
	close(fds[1]);
	mm_io_reader r;
	mm_io_reader_fd(&r, fds[0], "pipe");
	mm_io_info info;
	mm_diag d;
	ck_assert_int_eq(mm_npy_read_header_reader(&r, NULL, &info, &d), MM_OK);
	ck_assert_int_eq(info.ndim, 2);
	ck_assert_int_eq(info.shape[0], 3);
	ck_assert_int_eq(info.shape[1], 4);
	ck_assert_int_eq(info.dtype, MM_F64);
	ck_assert_str_eq(info.file_dtype, "<f8");
	ck_assert_ptr_null(info.data);
	double rest[13];
	ck_assert_int_eq(read(fds[0], rest, sizeof rest), (ssize_t)sizeof twelve);
	ck_assert_mem_eq(rest, twelve, sizeof twelve);
	close(fds[0]);
}
END_TEST

/* read_header and load agree on every input of the fuzz corpus: the same
 * error, or the same shape and dtype. */
START_TEST(read_header_agrees_with_load_on_corpus)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/../fuzz/corpus/npy", MM_TEST_DATA);
	DIR *dp = opendir(dir);
	ck_assert_ptr_nonnull(dp);
	struct dirent *e;
	int files = 0;
	static unsigned char buf[1 << 20];
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		alloc_rec a = {0};
		mm_io_load_opts o = opts_for(&a);
		mm_io_info li, hi;
		mm_diag ld, hd;
		mm_diag_clear(&ld);
		mm_diag_clear(&hd);
		mm_code lc = mm_npy_load_mem(buf, len, "c.npy", &o, &li, &ld);
		mm_io_reader r;
		mm_io_reader_mem(&r, buf, len, "c.npy");
		mm_code hc = mm_npy_read_header_reader(&r, &o, &hi, &hd);
		free(a.p);
		ck_assert_msg(lc == hc, "%s: load %d, header %d", path, lc, hc);
		if (lc) {
			ck_assert_str_eq(ld.message, hd.message);
		} else {
			ck_assert_int_eq(li.ndim, hi.ndim);
			ck_assert_mem_eq(li.shape, hi.shape, sizeof li.shape);
			ck_assert_int_eq(li.dtype, hi.dtype);
			ck_assert_str_eq(li.file_dtype, hi.file_dtype);
		}
		files++;
	}
	closedir(dp);
	ck_assert_int_gt(files, 10);
}
END_TEST

/* The shape of a 1 GiB .npy (a sparse file) in a child whose resident
 * memory stays under 20 MiB; loading it would take 1 GiB. */
START_TEST(read_header_of_1gib_file)
{
	make_tmpdir();
	char path[600];
	snprintf(path, sizeof path, "%s/big.npy", tmpdir);
	int64_t shape[2] = {16384, 16384}; /* f32: 1 GiB */
	char hdr[256];
	size_t hn = mm_npy_header(MM_F32, 2, shape, hdr, sizeof hdr);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, hdr, hn), (ssize_t)hn);
	ck_assert_int_eq(ftruncate(fd, (off_t)hn + ((off_t)1 << 30)), 0);
	close(fd);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		mm_io_info info;
		mm_diag d;
		mm_code c = mm_npy_read_header(path, NULL, &info, &d);
		_exit(c == MM_OK && info.shape[0] == 16384 &&
		      info.shape[1] == 16384 && info.dtype == MM_F32 ? 0 : 1);
	}
	int status;
	struct rusage ru;
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_msg(ru.ru_maxrss < 20 * 1024, "%ld KiB resident", ru.ru_maxrss);
	/* one byte short: the check is there without reading the data */
	ck_assert_int_eq(truncate(path, (off_t)hn + ((off_t)1 << 30) - 1), 0);
	mm_diag d;
	ck_assert_int_eq(mm_npy_read_header(path, NULL, NULL, &d), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "truncated"));
	mm_io_load_opts o = {0};
	o.max_bytes = 1 << 20;
	ck_assert_int_eq(mm_npy_read_header(path, &o, NULL, &d), MM_ERR_LIMIT);
	remove_tmpdir();
}
END_TEST

/* --- paths */

START_TEST(path_resolution)
{
	mm_diag d;
	setenv("HOME", "/home/ada", 1);
	char *p = mm_path_resolve("~", NULL, &d);
	ck_assert_str_eq(p, "/home/ada");
	free(p);
	p = mm_path_resolve("~/w.npy", "/ignored", &d);
	ck_assert_str_eq(p, "/home/ada/w.npy");
	free(p);
	p = mm_path_resolve("w.npy", "/data/scripts", &d);
	ck_assert_str_eq(p, "/data/scripts/w.npy");
	free(p);
	p = mm_path_resolve("../w.npy", "/data/scripts/", &d);
	ck_assert_str_eq(p, "/data/scripts/../w.npy");
	free(p);
	p = mm_path_resolve("w.npy", NULL, &d);
	ck_assert_str_eq(p, "w.npy");
	free(p);
	p = mm_path_resolve("/abs/w.npy", "/data", &d);
	ck_assert_str_eq(p, "/abs/w.npy");
	free(p);
	p = mm_path_resolve("~root/x", NULL, &d);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p + strlen(p) - 2, "/x");
	free(p);
	ck_assert_ptr_null(mm_path_resolve("~no_such_user_zz/x", NULL, &d));
	ck_assert_int_eq(d.code, MM_ERR_IO);
	ck_assert_ptr_null(mm_path_resolve("", NULL, &d));
	ck_assert_int_eq(d.code, MM_ERR_ARG);
	unsetenv("HOME");
	/* falls back on the passwd entry, or says $HOME is not set */
	p = mm_path_resolve("~/x", NULL, &d);
	ck_assert(p ? strcmp(p + strlen(p) - 2, "/x") == 0
	            : d.code == MM_ERR_IO);
	free(p);
}
END_TEST

START_TEST(path_dirname_and_ext)
{
	static const char *cases[][2] = {
		{"a/b/c.mm", "a/b"}, {"c.mm", "."}, {"/c.mm", "/"},
		{"/x/y", "/x"},      {"a//b", "a"}, {"//x", "/"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *p = mm_path_dirname(cases[i][0]);
		ck_assert_str_eq(p, cases[i][1]);
		free(p);
	}
	ck_assert(mm_path_has_ext("W.NPY", ".npy"));
	ck_assert(!mm_path_has_ext("w.csv", ".npy"));
	ck_assert(!mm_path_has_ext("y", ".npy"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("npy");
	TCase *t = tcase_create("fixtures");
	tcase_add_test(t, enc_f8);
	tcase_add_test(t, enc_f4);
	tcase_add_test(t, enc_f2);
	tcase_add_test(t, enc_i4);
	tcase_add_test(t, enc_i8);
	tcase_add_test(t, enc_fortran);
	tcase_add_test(t, enc_bigendian);
	tcase_add_test(t, enc_scalar);
	tcase_add_test(t, enc_vector);
	tcase_add_test(t, enc_3d);
	tcase_add_test(t, int_and_bool_dtypes);
	tcase_add_test(t, fortran_3d_and_bigendian);
	tcase_add_test(t, f16_special_values);
	tcase_add_test(t, i8_beyond_2_53_is_lossy);
	tcase_add_test(t, versions_2_and_3_and_4d_and_empty);
	suite_add_tcase(s, t);
	t = tcase_create("bad files");
	tcase_add_test(t, good_image_loads);
	tcase_add_test(t, truncated_data);
	tcase_add_test(t, truncated_data_stream);
	tcase_add_test(t, header_length_lies);
	tcase_add_test(t, overflowing_shape);
	tcase_add_test(t, over_byte_limit);
	tcase_add_test(t, allocator_refuses);
	tcase_add_test(t, bad_magic);
	tcase_add_test(t, npz_refused);
	tcase_add_test(t, object_dtype_refused);
	tcase_add_test(t, structured_dtype_refused);
	tcase_add_test(t, header_dict_syntax);
	tcase_add_test(t, control_bytes_not_echoed);
	tcase_add_test(t, interrupted);
	tcase_add_test(t, load_errors_name_the_file);
	suite_add_tcase(s, t);
	t = tcase_create("save");
	tcase_add_test(t, header_layout);
	tcase_add_test(t, narrow_dtypes);
	tcase_add_test(t, round_trips);
	tcase_add_test(t, save_into_missing_directory);
	tcase_add_test(t, save_fails_on_rename_old_untouched);
	tcase_add_test(t, save_fails_on_write_old_untouched);
	tcase_add_test(t, save_keeps_mode_and_follows_symlink);
	suite_add_tcase(s, t);
	t = tcase_create("header");
	tcase_add_test(t, empty_with_huge_axes_refused);
	tcase_add_test(t, read_header_reads_only_the_header);
	tcase_add_test(t, read_header_agrees_with_load_on_corpus);
	tcase_add_test(t, read_header_of_1gib_file);
	suite_add_tcase(s, t);
	t = tcase_create("path");
	tcase_add_test(t, path_resolution);
	tcase_add_test(t, path_dirname_and_ext);
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
