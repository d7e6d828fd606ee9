/* test-csv.c — unit tests of the CSV/TSV loader and writer (src/io/csv.c). */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmcalc/csv.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"

#ifndef MM_TEST_DATA
#error "MM_TEST_DATA must name tests/data"
#endif

typedef struct alloc_rec {
	int calls;
	void *p;
} alloc_rec;

static void *rec_alloc(void *ctx, mm_dtype dtype, int ndim,
                       const int64_t *shape, mm_diag *d)
{
	(void)d;
	alloc_rec *a = ctx;
	a->calls++;
	size_t n = dtype == MM_F64 ? 8 : 4;
	for (int i = 0; i < ndim; i++)
		n *= (size_t)shape[i];
	free(a->p);
	a->p = aligned_alloc(64, (n + 63) / 64 * 64 + 64);
	return a->p;
}

static alloc_rec a;
static mm_io_info info;
static mm_diag d;

static void teardown(void)
{
	free(a.p);
	memset(&a, 0, sizeof a);
}

/* Loads text s with the given separator/header/f32 options. */
static mm_code load(const char *s, char sep, bool header, bool f32)
{
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = &a;
	o.max_bytes = 1 << 20;
	o.sep = sep;
	o.header = header;
	o.f32 = f32;
	return mm_csv_load_mem(s, strlen(s), "m.csv", &o, &info, &d);
}

static double v(size_t i)
{
	return info.dtype == MM_F64 ? ((double *)info.data)[i]
	                            : ((float *)info.data)[i];
}

static void expect(int64_t rows, int64_t cols, const double *vals)
{
	ck_assert_int_eq(info.ndim, 2);
	ck_assert_int_eq(info.shape[0], rows);
	ck_assert_int_eq(info.shape[1], cols);
	for (int64_t i = 0; i < rows * cols; i++)
		ck_assert_double_eq(v((size_t)i), vals[i]);
}

static const double enc[12] = {-1, -0.75, -0.5, -0.25, 0, 0.25,
                               0.5, 0.75, 1,  1.25,  1.5, 1.75};

START_TEST(enc_fixture)
{
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = &a;
	ck_assert_int_eq(mm_csv_load(MM_TEST_DATA "/enc.csv", &o, &info, &d),
	                 MM_OK);
	ck_assert_int_eq(info.dtype, MM_F64);
	ck_assert_int_eq(info.sep, ',');
	ck_assert_str_eq(info.file_dtype, "text");
	expect(3, 4, enc);
}
END_TEST

START_TEST(separators_detected)
{
	static const double w[6] = {1, 2, 3, 4, 5, 6};
	ck_assert_int_eq(load("1,2,3\n4,5,6\n", 0, false, false), MM_OK);
	ck_assert_int_eq(info.sep, ',');
	expect(2, 3, w);
	ck_assert_int_eq(load("1\t2\t3\n4\t5\t6", 0, false, false), MM_OK);
	ck_assert_int_eq(info.sep, '\t');
	expect(2, 3, w);
	ck_assert_int_eq(load("1;2;3\r\n4;5;6\r\n", 0, false, false), MM_OK);
	ck_assert_int_eq(info.sep, ';');
	expect(2, 3, w);
	ck_assert_int_eq(load("  1  2   3\n4 5 6   \n\n", 0, false, false),
	                 MM_OK);
	ck_assert_int_eq(info.sep, ' ');
	expect(2, 3, w);
	ck_assert_int_eq(load(" 1 , 2 ,3 \n4,\"5\", 6\n", 0, false, false),
	                 MM_OK);
	expect(2, 3, w);
}
END_TEST

START_TEST(separator_given)
{
	static const double w[2] = {1, 2};
	ck_assert_int_eq(load("1;2\n", ';', false, false), MM_OK);
	expect(1, 2, w);
	/* told ',' the ';' line is one non-numeric cell */
	ck_assert_int_eq(load("1;2\n", ',', false, false), MM_ERR_FORMAT);
	ck_assert_int_eq(load("1|2\n", '|', false, false), MM_ERR_ARG);
}
END_TEST

START_TEST(header_and_comments)
{
	static const double w[4] = {1, 2, 3, 4};
	ck_assert_int_eq(load("\xef\xbb\xbf# made by hand\n\nx,y\n1,2\n"
	                      "# middle\n3,4\n", 0, true, false), MM_OK);
	ck_assert(info.header_skipped);
	expect(2, 2, w);
	ck_assert_int_eq(load("x,y\n1,2\n", 0, false, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "line 1, column 1"));
	ck_assert_ptr_nonnull(strstr(d.hint, "header=true"));
	a.calls = 0;
	ck_assert_int_eq(load("x,y\n", 0, true, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "no data rows"));
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(single_column_is_2d)
{
	static const double w[3] = {1.5, -2, 1e300};
	ck_assert_int_eq(load("1.5\n-2\n1e300\n", 0, false, false), MM_OK);
	expect(3, 1, w);
	ck_assert_int_eq(load("7", 0, false, false), MM_OK);
	ck_assert_int_eq(info.shape[0], 1);
	ck_assert_int_eq(info.shape[1], 1);
}
END_TEST

START_TEST(special_values_and_f32)
{
	ck_assert_int_eq(load("nan,inf,-inf,-0,0x10,4.9e-324\n", 0, false,
	                      false), MM_OK);
	ck_assert(isnan(v(0)));
	ck_assert(isinf(v(1)) && v(1) > 0);
	ck_assert(isinf(v(2)) && v(2) < 0);
	ck_assert(signbit(v(3)));
	ck_assert_double_eq(v(4), 16);
	ck_assert_double_eq(v(5), 4.9e-324);
	ck_assert_int_eq(load("0.1,2\n", 0, false, true), MM_OK);
	ck_assert_int_eq(info.dtype, MM_F32);
	ck_assert(((float *)info.data)[0] == 0.1f);
}
END_TEST

START_TEST(ragged_rows)
{
	ck_assert_int_eq(load("1,2,3\n4,5,6\n\n7,8\n", 0, false, false),
	                 MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "m.csv: line 4 has 2 columns"));
	ck_assert_ptr_nonnull(strstr(d.message, "line 1 has 3"));
	ck_assert_int_eq(a.calls, 0);
	ck_assert_int_eq(load("1 2\n3 4 5\n", 0, false, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "line 2 has 3"));
}
END_TEST

START_TEST(non_numeric_cell)
{
	ck_assert_int_eq(load("1,2,3\n4,five,6\n", 0, false, false),
	                 MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message,
	                             "m.csv: line 2, column 2: 'five' is not "
	                             "a number"));
	ck_assert_str_eq(d.hint, "");
	ck_assert_int_eq(load("1,2\n3,4x\n", 0, false, false), MM_ERR_FORMAT);
	ck_assert_int_eq(load("1,2\n3,\n", 0, false, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "line 2, column 2: empty"));
	ck_assert_int_eq(load("1,2\n3,\"\"\n", 0, false, false), MM_ERR_FORMAT);
	ck_assert_int_eq(load("1,2\n3,\x1b[31m\n", 0, false, false),
	                 MM_ERR_FORMAT);
	ck_assert_ptr_null(strchr(d.message, '\x1b'));
	char big[2000];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(load(big, 0, false, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "..."));
}
END_TEST

START_TEST(empty_file)
{
	ck_assert_int_eq(load("", 0, false, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "m.csv: the file is empty"));
	ck_assert_int_eq(load("\n  \n# only a comment\n", 0, false, false),
	                 MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "empty"));
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = &a;
	ck_assert_int_eq(mm_csv_load("/dev/null", &o, &info, &d), MM_ERR_FORMAT);
	ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(over_byte_limit)
{
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = &a;
	o.max_bytes = 40;
	const char *s = "1,2,3\n4,5,6\n"; /* 48 bytes as f64, 24 as f32 */
	ck_assert_int_eq(mm_csv_load_mem(s, strlen(s), "m.csv", &o, &info, &d),
	                 MM_ERR_LIMIT);
	ck_assert_int_eq(a.calls, 0);
	o.f32 = true;
	ck_assert_int_eq(mm_csv_load_mem(s, strlen(s), "m.csv", &o, &info, &d),
	                 MM_OK);
}
END_TEST

START_TEST(interrupted)
{
	size_t n = 70000;
	char *s = malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + 2 * i, "1\n", 2);
	s[2 * n] = '\0';
	mm_interrupt_request();
	mm_code c = load(s, 0, false, false);
	mm_interrupt_clear();
	ck_assert_int_eq(c, MM_ERR_INTERRUPTED);
	ck_assert_int_eq(load(s, 0, false, false), MM_OK);
	ck_assert_int_eq(info.shape[0], (int64_t)n);
	free(s);
}
END_TEST

START_TEST(not_nul_terminated)
{
	/* the last cell ends at the end of the buffer: no read past it */
	char *s = malloc(3);
	memcpy(s, "1,2", 3);
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = &a;
	ck_assert_int_eq(mm_csv_load_mem(s, 3, "m.csv", &o, &info, &d), MM_OK);
	ck_assert_double_eq(v(1), 2);
	free(s);
}
END_TEST

/* --- writing */

START_TEST(format_round_trip_exact)
{
	double x[12];
	float f[12];
	for (int i = 0; i < 12; i++) {
		x[i] = sin(i * 1.7 + 0.3) * pow(10, i * 25 - 150);
		f[i] = (float)(cos(i * 0.9) * pow(10, i * 6 - 36));
	}
	x[3] = -0.0;
	x[4] = 5e-324;
	x[5] = INFINITY;
	int64_t shape[2] = {3, 4};
	mm_buf b = MM_BUF_INIT;
	ck_assert_int_eq(mm_csv_format(&b, MM_F64, 2, shape, x, 0, &d), MM_OK);
	ck_assert_int_eq(load(mm_buf_str(&b), 0, false, false), MM_OK);
	ck_assert_int_eq(info.shape[0], 3);
	ck_assert_int_eq(info.shape[1], 4);
	ck_assert(memcmp(info.data, x, sizeof x) == 0);
	mm_buf_reset(&b);
	ck_assert_int_eq(mm_csv_format(&b, MM_F32, 2, shape, f, '\t', &d), MM_OK);
	ck_assert_ptr_nonnull(strchr(mm_buf_str(&b), '\t'));
	ck_assert_int_eq(load(mm_buf_str(&b), 0, false, true), MM_OK);
	ck_assert(memcmp(info.data, f, sizeof f) == 0);
	mm_buf_free(&b);
}
END_TEST

START_TEST(format_shapes)
{
	double x[3] = {1, 2.5, -3};
	int64_t shape[3] = {3, 1, 1};
	mm_buf b = MM_BUF_INIT;
	ck_assert_int_eq(mm_csv_format(&b, MM_F64, 1, shape, x, 0, &d), MM_OK);
	ck_assert_str_eq(mm_buf_str(&b), "1\n2.5\n-3\n");
	mm_buf_reset(&b);
	ck_assert_int_eq(mm_csv_format(&b, MM_F64, 0, shape, x, 0, &d), MM_OK);
	ck_assert_str_eq(mm_buf_str(&b), "1\n");
	mm_buf_reset(&b);
	shape[0] = 1;
	shape[1] = 3;
	ck_assert_int_eq(mm_csv_format(&b, MM_F64, 2, shape, x, ' ', &d), MM_OK);
	ck_assert_str_eq(mm_buf_str(&b), "1 2.5 -3\n");
	mm_buf_reset(&b);
	ck_assert_int_eq(mm_csv_format(&b, MM_F64, 3, shape, x, 0, &d),
	                 MM_ERR_SHAPE);
	ck_assert_int_eq(mm_csv_format(&b, MM_F16, 1, shape, x, 0, &d),
	                 MM_ERR_ARG);
	/* no elements, no text, in O(1) however long the other axis */
	mm_buf_reset(&b);
	int64_t empty[2] = {INT64_C(1) << 60, 0};
	ck_assert_int_eq(mm_csv_format(&b, MM_F64, 2, empty, x, 0, &d), MM_OK);
	ck_assert_str_eq(mm_buf_str(&b), "");
	empty[0] = 0;
	empty[1] = INT64_C(1) << 60;
	ck_assert_int_eq(mm_csv_format(&b, MM_F64, 2, empty, x, 0, &d), MM_OK);
	ck_assert_str_eq(mm_buf_str(&b), "");
	mm_buf_free(&b);
	ck_assert_int_eq(mm_csv_sep_for_path("a.TSV"), '\t');
	ck_assert_int_eq(mm_csv_sep_for_path("a.csv"), ',');
}
END_TEST

START_TEST(save_and_load_file)
{
	char dir[] = "/tmp/mmcalc-test-csv-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/out.tsv", dir);
	/* enough rows to flush several times while saving */
	int64_t shape[2] = {40000, 3};
	double *x = malloc(120000 * sizeof *x);
	for (int i = 0; i < 120000; i++)
		x[i] = i / 7.0;
	ck_assert_int_eq(mm_csv_save(path, MM_F64, 2, shape, x,
	                             mm_csv_sep_for_path(path), &d), MM_OK);
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = &a;
	ck_assert_int_eq(mm_csv_load(path, &o, &info, &d), MM_OK);
	ck_assert_int_eq(info.sep, '\t');
	ck_assert_int_eq(info.shape[0], 40000);
	ck_assert(memcmp(info.data, x, 120000 * sizeof *x) == 0);
	/* a 3-D array is refused and the file stays as it was */
	ck_assert_int_eq(mm_csv_save(path, MM_F64, 3, shape, x, 0, &d),
	                 MM_ERR_SHAPE);
	ck_assert_int_eq(mm_csv_load(path, &o, &info, &d), MM_OK);
	ck_assert_int_eq(info.shape[0], 40000);
	snprintf(path, sizeof path, "%s/missing/out.csv", dir);
	ck_assert_int_eq(mm_csv_save(path, MM_F64, 2, shape, x, 0, &d),
	                 MM_ERR_IO);
	snprintf(path, sizeof path, "%s/out.tsv", dir);
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0); /* nothing else left behind */
	free(x);
}
END_TEST

START_TEST(load_from_pipe)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	const char *s = "1 2\n3 4\n";
	ck_assert_int_eq(write(fds[1], s, strlen(s)), (ssize_t)strlen(s));
	close(fds[1]);
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = rec_alloc;
	o.alloc_ctx = &a;
	ck_assert_int_eq(mm_csv_load_fd(fds[0], "pipe", &o, &info, &d), MM_OK);
	close(fds[0]);
	static const double w[4] = {1, 2, 3, 4};
	expect(2, 2, w);
}
END_TEST

/* --- the shape without the data */

/* Scans text s with the given options, into info. */
static mm_code scan(const char *s, char sep, bool header)
{
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.max_bytes = 1 << 20;
	o.sep = sep;
	o.header = header;
	return mm_csv_scan_mem(s, strlen(s), "m.csv", &o, &info, &d);
}

START_TEST(scan_shapes_and_errors)
{
	ck_assert_int_eq(scan("1,2,3\n4,5,6\n", 0, false), MM_OK);
	ck_assert_int_eq(info.shape[0], 2);
	ck_assert_int_eq(info.shape[1], 3);
	ck_assert_int_eq(info.sep, ',');
	ck_assert_ptr_null(info.data);
	ck_assert_int_eq(scan("# c\nx\ty\n1\t2\n\n3\t4", 0, true), MM_OK);
	ck_assert_int_eq(info.shape[0], 2);
	ck_assert_int_eq(info.sep, '\t');
	ck_assert(info.header_skipped);
	ck_assert_int_eq(scan("1 2\n3 4 5\n", 0, false), MM_ERR_FORMAT);
	ck_assert_str_eq(d.message, "m.csv: line 2 has 3 columns, but line 1 "
	                            "has 2 (separator: blanks)");
	/* a bad cell before a ragged row: the ragged row is the error, as
	 * the loader's first pass finds it */
	ck_assert_int_eq(scan("a,1\n2,3\n4\n", 0, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "line 3 has 1 columns"));
	ck_assert_int_eq(scan("a,1\n2,3\n", 0, false), MM_ERR_FORMAT);
	ck_assert_str_eq(d.message, "m.csv: line 1, column 1: 'a' is not a "
	                            "number");
	ck_assert_ptr_nonnull(strstr(d.hint, "header=true"));
	ck_assert_int_eq(scan("1,\"\"\n", 0, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "empty cell"));
	ck_assert_int_eq(scan("  \n# only\n", 0, false), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "empty"));
	ck_assert_int_eq(scan("a,b\n", 0, true), MM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(d.message, "no data rows"));
	ck_assert_int_eq(scan("1,2\n", '|', false), MM_ERR_ARG);
	/* over the byte limit: 200000 x 1 f64 is 1.6 MB */
	char *big = malloc(400001);
	for (int i = 0; i < 200000; i++)
		memcpy(big + 2 * i, "1\n", 2);
	big[400000] = '\0';
	ck_assert_int_eq(scan(big, 0, false), MM_ERR_LIMIT);
	ck_assert_int_eq(load(big, 0, false, false), MM_ERR_LIMIT);
	free(big);
}
END_TEST

/* The scan and the loader agree on every input of the fuzz corpus: the
 * same code, message and hint, or the same shape and separator. */
START_TEST(scan_agrees_with_load_on_corpus)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/../fuzz/corpus/csv", MM_TEST_DATA);
	DIR *dp = opendir(dir);
	ck_assert_ptr_nonnull(dp);
	struct dirent *e;
	int files = 0;
	static char buf[1 << 16];
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		static const char seps[] = {0, ',', ' ', '\t'};
		for (int k = 0; k < 8; k++) {
			mm_io_load_opts o;
			memset(&o, 0, sizeof o);
			o.alloc = rec_alloc;
			o.alloc_ctx = &a;
			o.max_bytes = 1 << 20;
			o.sep = seps[k % 4];
			o.header = k >= 4;
			mm_io_info li, si;
			mm_diag ld, sd;
			mm_diag_clear(&ld);
			mm_diag_clear(&sd);
			mm_code lc = mm_csv_load_mem(buf, len, "c.csv", &o, &li, &ld);
			mm_code sc = mm_csv_scan_mem(buf, len, "c.csv", &o, &si, &sd);
			ck_assert_msg(lc == sc, "%s: load %d, scan %d", path, lc, sc);
			if (lc) {
				ck_assert_str_eq(ld.message, sd.message);
				ck_assert_str_eq(ld.hint, sd.hint);
			} else {
				ck_assert_int_eq(li.shape[0], si.shape[0]);
				ck_assert_int_eq(li.shape[1], si.shape[1]);
				ck_assert_int_eq(li.sep, si.sep);
			}
		}
		files++;
	}
	closedir(dp);
	ck_assert_int_gt(files, 10);
}
END_TEST

/* A 32 MiB file scanned in a child whose peak resident memory stays
 * within 20 MiB of where it started. */
START_TEST(scan_bounded_memory)
{
#if defined(__SANITIZE_ADDRESS__)
	return; /* the sanitizer's own memory swamps the measure */
#else
	char path[] = "/tmp/mmcalc-test-csv-scan-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	static const char row[] = "1.5,2.25,3.125,4,5,6,7,8,9,10,11,12,13.5,14\n";
	FILE *f = fdopen(fd, "w");
	for (size_t done = 0; done < ((size_t)32 << 20); done += sizeof row - 1)
		fputs(row, f);
	ck_assert_int_eq(fclose(f), 0);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long base = ru.ru_maxrss;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		mm_io_info i;
		mm_diag dd;
		mm_code c = mm_csv_scan(path, NULL, &i, &dd);
		_exit(c == MM_OK && i.shape[1] == 14 && i.shape[0] > 500000
		      ? 0 : 1);
	}
	int status;
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	unlink(path);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_msg(ru.ru_maxrss < base + 20 * 1024,
	              "scanning 32 MiB took %ld KiB (base %ld)", ru.ru_maxrss,
	              base);
#endif
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv");
	TCase *t = tcase_create("read");
	tcase_add_checked_fixture(t, NULL, teardown);
	tcase_add_test(t, enc_fixture);
	tcase_add_test(t, separators_detected);
	tcase_add_test(t, separator_given);
	tcase_add_test(t, header_and_comments);
	tcase_add_test(t, single_column_is_2d);
	tcase_add_test(t, special_values_and_f32);
	tcase_add_test(t, ragged_rows);
	tcase_add_test(t, non_numeric_cell);
	tcase_add_test(t, empty_file);
	tcase_add_test(t, over_byte_limit);
	tcase_add_test(t, interrupted);
	tcase_add_test(t, not_nul_terminated);
	tcase_add_test(t, load_from_pipe);
	tcase_add_test(t, scan_shapes_and_errors);
	tcase_add_test(t, scan_agrees_with_load_on_corpus);
	tcase_add_test(t, scan_bounded_memory);
	suite_add_tcase(s, t);
	t = tcase_create("write");
	tcase_add_checked_fixture(t, NULL, teardown);
	tcase_add_test(t, format_round_trip_exact);
	tcase_add_test(t, format_shapes);
	tcase_add_test(t, save_and_load_file);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
