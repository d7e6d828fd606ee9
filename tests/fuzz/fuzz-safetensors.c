/* fuzz-safetensors.c — libFuzzer target: the .safetensors reader on
 * arbitrary bytes, taken as a whole file. A header that passes must keep
 * every promise of safetensors.h (tensors in offset order covering the
 * data exactly, sizes that match their shapes, names in order and found
 * again); then the first tensors are loaded, from memory and from a file
 * (a memfd opened by path), with a 1 MiB limit: both must agree, the
 * allocator's view must match the plan, and everything is freed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmcalc/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Tensors loaded per input: each load reads the header again. */
#define LOADS 4

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

/* The promises of a header that passed. */
static void check_header(const mm_st_file *f, size_t size)
{
	uint64_t at = 0, params = 0;
	if (8 + f->header_len + f->data_len != size)
		abort();
	for (size_t i = 0; i < f->ntensors; i++) {
		const mm_st_tensor *t = &f->tensors[i];
		if (t->begin != at || t->end < t->begin || t->numel < 0)
			abort();
		uint64_t bits = (uint64_t)t->numel * mm_st_dtype_bits(t->dtype);
		if (bits % 8 || bits / 8 != t->end - t->begin)
			abort();
		at = t->end;
		params += (uint64_t)t->numel;
		if (mm_st_find(f, t->name) != t)
			abort();
		if (i && mm_st_name_cmp(mm_st_nth_by_name(f, i - 1)->name,
		                        mm_st_nth_by_name(f, i)->name) >= 0)
			abort();
	}
	if (at != f->data_len || params != f->params)
		abort();
	for (size_t i = 0; i < f->nmeta; i++)
		if (!f->meta_key[i] || !f->meta_value[i])
			abort();
}

/* Loads tensor t both ways; the results must agree. */
static void load_both(const uint8_t *data, size_t size, const char *path,
                      const mm_st_tensor *t)
{
	fz_alloc a = {0}, b = {0};
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = alloc;
	o.alloc_ctx = &a;
	o.max_bytes = 1 << 20;
	mm_io_info pi, info, finfo;
	mm_dtype pas, as, fas;
	mm_diag d, pd, fd;
	mm_code pc = mm_st_plan(t, "fuzz", &o, &pi, &pas, &pd);
	mm_code c = mm_st_load_mem(data, size, "fuzz", t->name, &o, &info, &as,
	                           &d);
	if (c != pc || a.calls > 1 || a.bytes > o.max_bytes)
		abort();
	if (c == MM_OK && (a.calls != 1 || info.data != a.p || as != pas ||
	                   info.ndim != t->ndim || info.dtype != pi.dtype))
		abort();
	if (c != MM_OK && (d.code != c || !d.message[0]))
		abort();
	if (path) {
		o.alloc_ctx = &b;
		mm_code fc = mm_st_load(path, t->name, &o, &finfo, &fas, &fd);
		if (fc != c || b.bytes != a.bytes ||
		    (c == MM_OK && memcmp(a.p, b.p, a.bytes) != 0))
			abort();
	}
	free(a.p);
	free(b.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_st_file *f;
	mm_diag d;
	mm_code c = mm_st_parse(data, size, "fuzz.safetensors", &f, &d);
	if (c != MM_OK) {
		if (f || d.code != c || !d.message[0])
			abort();
		return 0;
	}
	check_header(f, size);
	/* the same bytes through the file path: open, fstat, read, seek */
	static int mfd = -1;
	char path[64], *pp = NULL;
	if (mfd < 0)
		mfd = memfd_create("fuzz-safetensors", MFD_CLOEXEC);
	if (mfd >= 0 && ftruncate(mfd, 0) == 0 &&
	    pwrite(mfd, data, size, 0) == (ssize_t)size) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
		pp = path;
	}
	for (size_t i = 0; i < f->ntensors && i < LOADS; i++)
		load_both(data, size, pp, mm_st_nth_by_name(f, i));
	if (f->ntensors) {
		fz_alloc a = {0};
		mm_io_load_opts o = {.alloc = alloc, .alloc_ctx = &a};
		if (mm_st_load_mem(data, size, "fuzz", "\x01no such", &o, NULL,
		                   NULL, &d) != MM_ERR_ARG || a.calls)
			abort();
	}
	mm_st_free(f);
	return 0;
}
