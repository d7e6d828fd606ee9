/* fuzz-csv.c — libFuzzer target: the CSV loader on arbitrary text. The
 * first byte picks the options (bits 0-2: separator 0 , tab ; ' ';
 * bit 3: header; bit 4: f32), the rest is the text. It is loaded from
 * memory and from a file (a memfd opened by path, so mapped): both must
 * agree. A successful load is written back with mm_csv_format and must
 * reload to the same bits. */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmcalc/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_alloc {
	void *p;
	size_t bytes;
	int calls;
} fz_alloc;

static void *alloc(void *ctx, mm_dtype dtype, int ndim, const int64_t *shape,
                   mm_diag *d)
{
	(void)d;
	fz_alloc *a = ctx;
	size_t n = dtype == MM_F64 ? 8 : 4;
	for (int i = 0; i < ndim; i++)
		n *= (size_t)shape[i];
	a->calls++;
	a->bytes = n;
	a->p = malloc(n ? n : 1);
	return a->p;
}

static bool same(const mm_io_info *x, const void *y, size_t numel)
{
	for (size_t i = 0; i < numel; i++) {
		double u = x->dtype == MM_F64 ? ((const double *)x->data)[i]
		                              : ((const float *)x->data)[i];
		double v = x->dtype == MM_F64 ? ((const double *)y)[i]
		                              : ((const float *)y)[i];
		if (isnan(u) ? !isnan(v)
		             : memcmp(&u, &v, sizeof u) != 0)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char seps[8] = {0, ',', '\t', ';', ' ', 0, ',', ' '};
	if (size == 0)
		return 0;
	fz_alloc a = {0};
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = alloc;
	o.alloc_ctx = &a;
	o.max_bytes = 1 << 20;
	o.sep = seps[data[0] & 7];
	o.header = data[0] & 8;
	o.f32 = data[0] & 16;
	mm_io_info info;
	mm_diag d;
	mm_code c = mm_csv_load_mem(data + 1, size - 1, "fuzz.csv", &o, &info,
	                            &d);
	if (a.calls > 1 || a.bytes > o.max_bytes)
		abort();
	static int mfd = -1;
	if (mfd < 0)
		mfd = memfd_create("fuzz-csv", MFD_CLOEXEC);
	if (mfd >= 0 && ftruncate(mfd, 0) == 0 &&
	    pwrite(mfd, data + 1, size - 1, 0) == (ssize_t)(size - 1)) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
		fz_alloc f = {0};
		o.alloc_ctx = &f;
		mm_io_info finfo;
		mm_diag fd_d;
		mm_code fc = mm_csv_load(path, &o, &finfo, &fd_d);
		if (fc != c || f.bytes != a.bytes ||
		    (c == MM_OK && memcmp(a.p, f.p, a.bytes) != 0 &&
		     !same(&info, f.p, a.bytes / (o.f32 ? 4 : 8))))
			abort();
		free(f.p);
		o.alloc_ctx = &a;
	}
	if (c != MM_OK) {
		if (d.code != c || !d.message[0])
			abort();
		free(a.p);
		return 0;
	}
	if (info.ndim != 2 || info.data != a.p ||
	    (size_t)(info.shape[0] * info.shape[1]) * (o.f32 ? 4 : 8) != a.bytes)
		abort();
	mm_buf b = MM_BUF_INIT;
	if (mm_csv_format(&b, info.dtype, 2, info.shape, info.data, o.sep, &d))
		abort();
	fz_alloc a2 = {0};
	o.alloc_ctx = &a2;
	o.header = false;
	mm_io_info back;
	if (mm_csv_load_mem(b.data, b.len, "again.csv", &o, &back, &d) ||
	    back.shape[0] != info.shape[0] || back.shape[1] != info.shape[1] ||
	    !same(&info, back.data,
	          (size_t)(info.shape[0] * info.shape[1])))
		abort();
	mm_buf_free(&b);
	free(a2.p);
	free(a.p);
	return 0;
}
