/* fuzz-npy.c — libFuzzer target: the .npy loader on arbitrary bytes, with
 * a 1 MiB limit, from memory and from a file (a memfd opened by path):
 * both must agree, the allocator's view must match the reported info, and
 * everything is freed. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmcalc/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_alloc {
	void *p;
	size_t bytes;
	int calls;
} fz_alloc;

/* Exactly the bytes asked for, so ASan sees any write past them. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_alloc a = {0};
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = alloc;
	o.alloc_ctx = &a;
	o.max_bytes = 1 << 20;
	mm_io_info info;
	mm_diag d;
	mm_code c = mm_npy_load_mem(data, size, "fuzz.npy", &o, &info, &d);
	if (a.calls > 1 || a.bytes > o.max_bytes)
		abort();
	if (c == MM_OK) {
		size_t n = info.dtype == MM_F64 ? 8 : 4;
		for (int i = 0; i < info.ndim; i++)
			n *= (size_t)info.shape[i];
		if (a.calls != 1 || info.data != a.p || n != a.bytes)
			abort();
	} else if (d.code != c || !d.message[0]) {
		abort();
	}
	/* the same bytes through the file path: open, fstat, read() */
	static int mfd = -1;
	if (mfd < 0)
		mfd = memfd_create("fuzz-npy", MFD_CLOEXEC);
	if (mfd >= 0 && ftruncate(mfd, 0) == 0 &&
	    pwrite(mfd, data, size, 0) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
		fz_alloc b = {0};
		o.alloc_ctx = &b;
		mm_io_info finfo;
		mm_diag fd_d;
		mm_code fc = mm_npy_load(path, &o, &finfo, &fd_d);
		if (fc != c || b.bytes != a.bytes ||
		    (c == MM_OK && (finfo.ndim != info.ndim ||
		                    memcmp(a.p, b.p, a.bytes) != 0)))
			abort();
		free(b.p);
	}
	free(a.p);
	return 0;
}
