/* fuzz-npy.c — libFuzzer target: the .npy loader on arbitrary bytes, with
 * a 1 MiB limit; checks the allocator's view agrees with the reported info
 * and frees everything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	free(a.p);
	return 0;
}
