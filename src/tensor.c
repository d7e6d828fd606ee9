/* tensor.c — refcounted aligned storage, tensors, views and constructors. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mmcalc/buf.h"
#include "mmcalc/ckd.h"
#include "mmcalc/count.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/shape.h"
#include "mmcalc/tensor.h"

#define ALIGN 64
#define HUGE_ALIGN ((size_t)2 << 20)
#define HUGE_MIN ((size_t)4 << 20)
#define NOSPAN ((mm_span){0, 0})

struct mm_storage {
	int refcount;
	size_t bytes;
	void *mem;
};

static size_t dsize(mm_dtype t) { return t == MM_F64 ? 8 : 4; }

mm_tensor *mm_tensor_ref(const mm_tensor *t)
{
	mm_tensor *m = (mm_tensor *)t;
	if (m)
		m->refcount++;
	return m;
}

/* The bytes storage_alloc() takes for a tensor of `bytes`. */
static size_t alloc_size(size_t bytes)
{
	if (bytes >= HUGE_MIN)
		return (bytes + HUGE_ALIGN - 1) / HUGE_ALIGN * HUGE_ALIGN;
	size_t a = (bytes + ALIGN - 1) / ALIGN * ALIGN;
	return a ? a : ALIGN;
}

/* Blocks of freed tensors kept for the next tensor of the same size: a
 * statement's result is usually the size of the one before it, which it
 * replaces in `ans`. Fresh memory costs a page fault and the kernel's
 * zeroing per page; on this VM a lone X + X on 1024x1024 took 233 µs that
 * way against 145 with the pages already there, and a lone 512^3 product
 * 2.8 ms against 2.4. At most KEEP_BLOCKS blocks of KEEP_MIN or more and
 * KEEP_MAX in all are kept, the oldest freed first; blocks of other sizes
 * go back to malloc as before. Under ASan a kept block reads as freed
 * (poisoned) until it is taken again. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define KEPT_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define KEPT_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define KEPT_POISON(p, n) ((void)(p), (void)(n))
#define KEPT_UNPOISON(p, n) ((void)(p), (void)(n))
#endif
enum { KEEP_BLOCKS = 8 };
#define KEEP_MIN ((size_t)256 << 10)
#define KEEP_MAX ((size_t)64 << 20)
static struct kept {
	void *mem;
	size_t size;
} kept[KEEP_BLOCKS]; /* oldest first */
static int nkept;
static size_t kept_bytes;
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

/* --- the memory budget: bytes of live storage and scratch buffers,
 * process-wide, checked against a limit before each allocation. Kept
 * blocks are not live (nothing uses them) but are resident: they are
 * given back to malloc whenever live + kept + a new block would pass the
 * limit, so that resident memory stays under it too. */
static struct {
	pthread_mutex_t mu;
	uint64_t limit; /* 0: none */
	uint64_t live, peak;
	uint64_t base; /* live bytes when the limit was set above them */
} budget = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0};

/* The bytes kept blocks may use beside the live ones under the limit
 * (UINT64_MAX when there is none). */
static uint64_t kept_room(void)
{
	pthread_mutex_lock(&budget.mu);
	uint64_t room = !budget.limit ? UINT64_MAX
	                : budget.live >= budget.limit ? 0 : budget.limit - budget.live;
	pthread_mutex_unlock(&budget.mu);
	return room;
}

/* A block of `size` bytes (a value of alloc_size()), 64-byte aligned;
 * from HUGE_MIN on, 2 MiB aligned, mapped on its own and offered to
 * transparent huge pages: a fresh output tensor then takes one page fault
 * per 2 MiB instead of per 4 KiB, which otherwise costs elementwise ops
 * most of their bandwidth. Mapping big blocks directly also gives them
 * back to the system when freed: glibc raises its mmap threshold after a
 * big free and then serves blocks of up to 32 MiB from a heap that keeps
 * freed memory resident, which a memory limit cannot see. (Under ASan the
 * sanitizer's allocator takes them all, to check them.) */
static void *block_alloc(size_t size)
{
	if (size < HUGE_MIN)
		return aligned_alloc(ALIGN, size);
#if defined(__SANITIZE_ADDRESS__)
	return aligned_alloc(HUGE_ALIGN, size);
#else
	size_t span = size + HUGE_ALIGN;
	char *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)p + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1);
	size_t head = (size_t)(a - (uintptr_t)p), tail = span - head - size;
	if (head)
		munmap(p, head);
	if (tail)
		munmap((char *)a + size, tail);
#ifdef MADV_HUGEPAGE
	madvise((void *)a, size, MADV_HUGEPAGE);
#endif
	return (void *)a;
#endif
}

static void block_free(void *mem, size_t size)
{
#if !defined(__SANITIZE_ADDRESS__)
	if (mem && size >= HUGE_MIN) {
		munmap(mem, size);
		return;
	}
#else
	(void)size;
#endif
	free(mem);
}

/* A kept block of exactly `size` bytes, or NULL. */
static void *kept_take(size_t size)
{
	void *mem = NULL;
	pthread_mutex_lock(&kept_mu);
	for (int i = nkept - 1; i >= 0; i--)
		if (kept[i].size == size) {
			mem = kept[i].mem;
			kept_bytes -= size;
			memmove(&kept[i], &kept[i + 1],
			        (size_t)(nkept - i - 1) * sizeof kept[0]);
			nkept--;
			break;
		}
	pthread_mutex_unlock(&kept_mu);
	if (mem)
		KEPT_UNPOISON(mem, size);
	return mem;
}

/* Frees the oldest kept blocks until at most `room` bytes in at most
 * `blocks` blocks are kept. */
static void kept_trim(uint64_t room, int blocks)
{
	struct kept out[KEEP_BLOCKS];
	int nout = 0;
	pthread_mutex_lock(&kept_mu);
	while (nkept > 0 && (kept_bytes > room || nkept > blocks)) {
		out[nout++] = kept[0];
		kept_bytes -= kept[0].size;
		memmove(&kept[0], &kept[1], (size_t)(nkept - 1) * sizeof kept[0]);
		nkept--;
	}
	pthread_mutex_unlock(&kept_mu);
	for (int i = 0; i < nout; i++) {
		KEPT_UNPOISON(out[i].mem, out[i].size);
		block_free(out[i].mem, out[i].size);
	}
}

/* Keeps mem (size bytes) for kept_take(), freeing the oldest blocks to
 * make room (within KEEP_MAX, and within the memory limit beside the live
 * bytes), or frees it. */
static void kept_put(void *mem, size_t size)
{
	uint64_t room = kept_room();
	if (size < KEEP_MIN || size > KEEP_MAX || size > room) {
		block_free(mem, size);
		return;
	}
	room -= size;
	kept_trim(room < KEEP_MAX - size ? room : KEEP_MAX - size,
	          KEEP_BLOCKS - 1);
	KEPT_POISON(mem, size);
	pthread_mutex_lock(&kept_mu);
	bool fits = nkept < KEEP_BLOCKS && kept_bytes + size <= KEEP_MAX;
	if (fits) {
		kept[nkept++] = (struct kept){mem, size};
		kept_bytes += size;
	}
	pthread_mutex_unlock(&kept_mu);
	if (!fits) { /* another thread filled the room meanwhile */
		KEPT_UNPOISON(mem, size);
		block_free(mem, size);
	}
}

static mm_code over_limit(uint64_t want, uint64_t live, uint64_t limit,
                          uint64_t base, mm_diag *d)
{
	mm_buf a = MM_BUF_INIT, b = MM_BUF_INIT, c = MM_BUF_INIT;
	mm_count_format_iec(&a, mm_count_of(limit - base), "B", 4);
	mm_count_format_iec(&b, mm_count_of(want), "B", 4);
	mm_count_format_iec(&c, mm_count_of(live - base), "B", 4);
	mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
	            "executing this needs more than the memory limit of %s "
	            "(%s more asked for, %s in use%s)", mm_buf_str(&a),
	            mm_buf_str(&b), mm_buf_str(&c),
	            base ? " by it" : "");
	mm_diag_hint(d, "nothing more was allocated; raise the limit with "
	                ":set memlimit, or work on smaller pieces");
	mm_buf_free(&a);
	mm_buf_free(&b);
	mm_buf_free(&c);
	return MM_ERR_LIMIT;
}

/* Counts `bytes` as live, or refuses them when that would pass the
 * limit. On success the caller allocates, or calls release() when it
 * cannot. */
static mm_code reserve(uint64_t bytes, mm_diag *d)
{
	pthread_mutex_lock(&budget.mu);
	uint64_t limit = budget.limit, live = budget.live, base = budget.base;
	if (limit && (bytes > limit || live > limit - bytes)) {
		pthread_mutex_unlock(&budget.mu);
		if (base > live || base > limit)
			base = 0;
		return over_limit(bytes, live, limit, base, d);
	}
	budget.live = live + bytes;
	if (budget.live > budget.peak)
		budget.peak = budget.live;
	pthread_mutex_unlock(&budget.mu);
	return MM_OK;
}

static void release(uint64_t bytes)
{
	pthread_mutex_lock(&budget.mu);
	budget.live = bytes > budget.live ? 0 : budget.live - bytes;
	pthread_mutex_unlock(&budget.mu);
}

void mm_tensor_set_limit(uint64_t bytes)
{
	pthread_mutex_lock(&budget.mu);
	budget.limit = bytes;
	budget.base = 0;
	pthread_mutex_unlock(&budget.mu);
	kept_trim(kept_room(), KEEP_BLOCKS);
}

void mm_tensor_limit_more(uint64_t bytes)
{
	pthread_mutex_lock(&budget.mu);
	uint64_t live = budget.live;
	budget.base = live;
	budget.limit = live > UINT64_MAX - bytes ? UINT64_MAX : live + bytes;
	if (!budget.limit) /* 0 more than nothing: still a limit */
		budget.limit = 1, budget.base = 1;
	pthread_mutex_unlock(&budget.mu);
	kept_trim(kept_room(), KEEP_BLOCKS);
}

uint64_t mm_tensor_limit(void)
{
	pthread_mutex_lock(&budget.mu);
	uint64_t v = budget.limit;
	pthread_mutex_unlock(&budget.mu);
	return v;
}

uint64_t mm_tensor_live_bytes(void)
{
	pthread_mutex_lock(&budget.mu);
	uint64_t v = budget.live;
	pthread_mutex_unlock(&budget.mu);
	return v;
}

uint64_t mm_tensor_peak_bytes(void)
{
	pthread_mutex_lock(&budget.mu);
	uint64_t v = budget.peak;
	pthread_mutex_unlock(&budget.mu);
	return v;
}

void mm_tensor_reset_peak(void)
{
	pthread_mutex_lock(&budget.mu);
	budget.peak = budget.live;
	pthread_mutex_unlock(&budget.mu);
}

mm_code mm_tensor_reserve(uint64_t bytes, mm_diag *d)
{
	mm_code c = reserve(bytes, d);
	if (c == MM_OK)
		kept_trim(kept_room(), KEEP_BLOCKS);
	return c;
}

void mm_tensor_unreserve(uint64_t bytes) { release(bytes); }

/* A scratch block: a 64-byte header holding its size, then the caller's
 * bytes, 64-byte aligned. */
#define SCRATCH_HEAD ((size_t)ALIGN)

void *mm_tensor_scratch_alloc(size_t count, size_t size, mm_diag *d)
{
	size_t bytes, total;
	if (mm_ckd_mul(&bytes, count, size) ||
	    mm_ckd_add(&total, bytes, SCRATCH_HEAD + ALIGN - 1) ||
	    total > (size_t)PTRDIFF_MAX) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		            "a temporary buffer of %zu x %zu bytes is too large: "
		            "its size overflows", count, size);
		return NULL;
	}
	total = alloc_size(total);
	if (mm_tensor_reserve(total, d) != MM_OK)
		return NULL;
	unsigned char *p = block_alloc(total);
	if (!p) {
		release(total);
		mm_diag_set(d, MM_ERR_NOMEM, NOSPAN,
		            "out of memory allocating %zu bytes", bytes);
		return NULL;
	}
	memcpy(p, &total, sizeof total);
	return p + SCRATCH_HEAD;
}

void mm_tensor_scratch_free(void *p)
{
	if (!p)
		return;
	unsigned char *base = (unsigned char *)p - SCRATCH_HEAD;
	size_t total;
	memcpy(&total, base, sizeof total);
	release(total);
	block_free(base, total);
}

size_t mm_tensor_test_kept_bytes(void)
{
	pthread_mutex_lock(&kept_mu);
	size_t n = kept_bytes;
	pthread_mutex_unlock(&kept_mu);
	return n;
}

static void storage_unref(mm_storage *s)
{
	if (s && --s->refcount == 0) {
		release(alloc_size(s->bytes));
		kept_put(s->mem, alloc_size(s->bytes));
		free(s);
	}
}

void mm_tensor_unref(mm_tensor *t)
{
	if (t && --t->refcount == 0) {
		storage_unref(t->storage);
		free(t);
	}
}

int64_t mm_tensor_numel(const mm_tensor *t)
{
	int64_t n;
	/* Every tensor made here passes NumPy's size rule (mm_ckd_numel), so
	 * this does not fail; were it to, the count would not be trusted. */
	return mm_ckd_numel(t->ndim, t->shape, 1, &n) ? INT64_MAX : n;
}

size_t mm_tensor_elsize(const mm_tensor *t) { return dsize(t->dtype); }

size_t mm_tensor_nbytes(const mm_tensor *t)
{
	return (size_t)mm_tensor_numel(t) * dsize(t->dtype);
}

bool mm_tensor_is_contiguous(const mm_tensor *t)
{
	int64_t expect = 1;
	for (int i = t->ndim - 1; i >= 0; i--) {
		if (t->shape[i] == 0)
			return true;
		if (t->shape[i] != 1 && t->strides[i] != expect)
			return false;
		expect *= t->shape[i];
	}
	return true;
}

bool mm_tensor_same_shape(const mm_tensor *a, const mm_tensor *b)
{
	if (a->ndim != b->ndim)
		return false;
	for (int i = 0; i < a->ndim; i++)
		if (a->shape[i] != b->shape[i])
			return false;
	return true;
}

/* True when the non-zero dims times es pass PTRDIFF_MAX - HUGE_ALIGN. */
static bool too_big(int ndim, const int64_t *shape, uint64_t es)
{
	uint64_t n = es;
	for (int i = 0; i < ndim; i++)
		if (shape[i] && mm_ckd_mul(&n, n, (uint64_t)shape[i]))
			return true;
	return n > (uint64_t)PTRDIFF_MAX - HUGE_ALIGN;
}

mm_code mm_tensor_bytes_needed(mm_dtype dtype, int ndim, const int64_t *shape,
                               size_t *out, mm_diag *d)
{
	if (ndim < 0 || ndim > MM_MAX_NDIM)
		return mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		                   "a tensor has 0 to %d axes, not %d",
		                   MM_MAX_NDIM, ndim);
	for (int i = 0; i < ndim; i++)
		if (shape[i] < 0)
			return mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
			                   "negative dimension %lld on axis %d",
			                   (long long)shape[i], i);
	/* NumPy's rule: the non-zero dims times the element size must fit,
	 * even when a zero dim leaves nothing to store, so that no count
	 * derived from the shape (a row, a batch, a scratch buffer per row)
	 * can overflow later. The margin keeps the rounding in alloc_size()
	 * in range. */
	int64_t numel;
	uint64_t es = dsize(mm_dtype_exec(dtype));
	if (mm_ckd_numel(ndim, shape, es, &numel) ||
	    too_big(ndim, shape, es))
		return mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		                   "tensor too large: its size in bytes "
		                   "overflows (as in NumPy, also when an axis "
		                   "of length 0 leaves it empty)");
	*out = (size_t)numel * es;
	return MM_OK;
}

/* Memory for a tensor of `bytes`: a kept block of its size, or a new
 * one (see block_alloc). */
static void *storage_alloc(size_t bytes)
{
	size_t alloc = alloc_size(bytes);
	void *mem = alloc >= KEEP_MIN ? kept_take(alloc) : NULL;
	if (mem)
		return mem;
	kept_trim(kept_room(), KEEP_BLOCKS); /* resident stays under the limit */
	return block_alloc(alloc);
}

/* A tensor header with no storage yet; shape copied, C-order strides. */
static mm_tensor *header(mm_dtype dtype, int ndim, const int64_t *shape,
                         mm_diag *d)
{
	mm_tensor *t = calloc(1, sizeof *t);
	if (!t) {
		mm_diag_set(d, MM_ERR_NOMEM, NOSPAN, "out of memory");
		return NULL;
	}
	t->refcount = 1;
	t->dtype = mm_dtype_exec(dtype);
	t->ndim = ndim;
	int64_t s = 1;
	for (int i = ndim - 1; i >= 0; i--) {
		t->shape[i] = shape[i];
		t->strides[i] = s;
		/* Only a tensor with no elements can have axes whose product
		 * overflows; its strides are never used, so they saturate. */
		if (__builtin_mul_overflow(s, shape[i] > 0 ? shape[i] : 1, &s))
			s = INT64_MAX;
	}
	return t;
}

mm_tensor *mm_tensor_new(mm_dtype dtype, int ndim, const int64_t *shape,
                         mm_diag *d)
{
	size_t bytes;
	if (mm_tensor_bytes_needed(dtype, ndim, shape, &bytes, d) != MM_OK)
		return NULL;
	mm_tensor *t = header(dtype, ndim, shape, d);
	if (!t)
		return NULL;
	if (reserve(alloc_size(bytes), d) != MM_OK) {
		free(t);
		return NULL;
	}
	mm_storage *s = malloc(sizeof *s);
	void *mem = s ? storage_alloc(bytes) : NULL;
	if (!mem) {
		release(alloc_size(bytes));
		free(s);
		free(t);
		mm_diag_set(d, MM_ERR_NOMEM, NOSPAN,
		            "out of memory allocating %zu bytes", bytes);
		return NULL;
	}
	s->refcount = 1;
	s->bytes = bytes;
	s->mem = mem;
	t->storage = s;
	t->data = mem;
	return t;
}

/* Elements filled between polls of mm_interrupted(): a few ms of work. */
#define FILL_STEP ((int64_t)1 << 20)

/* Drops t and says why when Ctrl-C was pressed; else returns t. Polled
 * between steps of a fill that has more to do. */
static mm_tensor *unless_interrupted(mm_tensor *t, mm_diag *d)
{
	if (!mm_interrupted())
		return t;
	mm_tensor_unref(t);
	mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
	return NULL;
}

mm_tensor *mm_tensor_full(mm_dtype dtype, int ndim, const int64_t *shape,
                          double value, mm_diag *d)
{
	mm_tensor *t = mm_tensor_new(dtype, ndim, shape, d);
	if (!t)
		return NULL;
	int64_t n = mm_tensor_numel(t);
	for (int64_t c = 0; c < n && t; c += FILL_STEP) {
		int64_t e = n - c < FILL_STEP ? n : c + FILL_STEP;
		if (t->dtype == MM_F64) {
			double *p = t->data;
			for (int64_t i = c; i < e; i++)
				p[i] = value;
		} else {
			float *p = t->data, v = (float)value;
			for (int64_t i = c; i < e; i++)
				p[i] = v;
		}
		if (e < n)
			t = unless_interrupted(t, d);
	}
	return t;
}

mm_tensor *mm_tensor_zeros(mm_dtype dtype, int ndim, const int64_t *shape,
                           mm_diag *d)
{
	mm_tensor *t = mm_tensor_new(dtype, ndim, shape, d);
	size_t n = t ? mm_tensor_nbytes(t) : 0, step = (size_t)FILL_STEP * 8;
	for (size_t c = 0; c < n && t; c += step) {
		memset((char *)t->data + c, 0, n - c < step ? n - c : step);
		if (n - c > step)
			t = unless_interrupted(t, d);
	}
	return t;
}

mm_tensor *mm_tensor_ones(mm_dtype dtype, int ndim, const int64_t *shape,
                          mm_diag *d)
{
	return mm_tensor_full(dtype, ndim, shape, 1.0, d);
}

mm_tensor *mm_tensor_scalar(mm_dtype dtype, double value, mm_diag *d)
{
	return mm_tensor_full(dtype, 0, NULL, value, d);
}

mm_tensor *mm_tensor_from_doubles(mm_dtype dtype, int ndim,
                                  const int64_t *shape, const double *vals,
                                  mm_diag *d)
{
	mm_tensor *t = mm_tensor_new(dtype, ndim, shape, d);
	if (!t)
		return NULL;
	int64_t n = mm_tensor_numel(t);
	if (t->dtype == MM_F64) {
		if (n)
			memcpy(t->data, vals, (size_t)n * sizeof(double));
	} else {
		float *p = t->data;
		for (int64_t i = 0; i < n; i++)
			p[i] = (float)vals[i];
	}
	return t;
}

mm_tensor *mm_tensor_eye(mm_dtype dtype, int64_t n, int64_t m, mm_diag *d)
{
	int64_t shape[2] = {n, m < 0 ? n : m};
	mm_tensor *t = mm_tensor_zeros(dtype, 2, shape, d);
	if (!t)
		return NULL;
	int64_t k = shape[0] < shape[1] ? shape[0] : shape[1];
	for (int64_t i = 0; i < k; i++) {
		if (t->dtype == MM_F64)
			((double *)t->data)[i * shape[1] + i] = 1.0;
		else
			((float *)t->data)[i * shape[1] + i] = 1.0f;
	}
	return t;
}

mm_tensor *mm_tensor_arange(mm_dtype dtype, double start, double stop,
                            double step, mm_diag *d)
{
	if (!isfinite(start) || !isfinite(stop) || !isfinite(step)) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "arange needs finite start, stop and step");
		return NULL;
	}
	if (step == 0) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN, "arange step must not be 0");
		return NULL;
	}
	double len = ceil((stop - start) / step);
	if (!(len > 0))
		len = 0;
	if (len > 9.2e18) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		            "arange would have %.3g elements", len);
		return NULL;
	}
	int64_t n = (int64_t)len;
	mm_tensor *t = mm_tensor_new(dtype, 1, &n, d);
	for (int64_t c = 0; c < n && t; c += FILL_STEP) {
		int64_t e = n - c < FILL_STEP ? n : c + FILL_STEP;
		for (int64_t i = c; i < e; i++) {
			double v = start + (double)i * step;
			if (t->dtype == MM_F64)
				((double *)t->data)[i] = v;
			else
				((float *)t->data)[i] = (float)v;
		}
		if (e < n)
			t = unless_interrupted(t, d);
	}
	return t;
}

static mm_tensor *random_fill(mm_rng *rng, mm_dtype dtype, int ndim,
                              const int64_t *shape, bool normal, mm_diag *d)
{
	mm_tensor *t = mm_tensor_new(dtype, ndim, shape, d);
	if (!t)
		return NULL;
	int64_t n = mm_tensor_numel(t);
	double *pd = t->data;
	float *pf = t->data;
	for (int64_t c = 0; c < n; c += 65536) {
		int64_t e = n - c < 65536 ? n : c + 65536;
		if (t->dtype == MM_F64 && normal)
			for (int64_t i = c; i < e; i++)
				pd[i] = mm_rng_normal(rng);
		else if (t->dtype == MM_F64)
			for (int64_t i = c; i < e; i++)
				pd[i] = mm_rng_uniform(rng);
		else if (normal)
			for (int64_t i = c; i < e; i++)
				pf[i] = (float)mm_rng_normal(rng);
		else
			for (int64_t i = c; i < e; i++)
				pf[i] = mm_rng_uniform_f32(rng);
		if (mm_interrupted()) {
			mm_tensor_unref(t);
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			return NULL;
		}
	}
	return t;
}

mm_tensor *mm_tensor_rand(mm_rng *rng, mm_dtype dtype, int ndim,
                          const int64_t *shape, mm_diag *d)
{
	return random_fill(rng, dtype, ndim, shape, false, d);
}

mm_tensor *mm_tensor_randn(mm_rng *rng, mm_dtype dtype, int ndim,
                           const int64_t *shape, mm_diag *d)
{
	return random_fill(rng, dtype, ndim, shape, true, d);
}

mm_tensor *mm_tensor_view(const mm_tensor *t, int ndim, const int64_t *shape,
                          const int64_t *strides, int64_t data_offset,
                          mm_diag *d)
{
	if (ndim < 0 || ndim > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "a tensor has 0 to %d axes, not %d", MM_MAX_NDIM, ndim);
		return NULL;
	}
	/* A view's shape obeys the rule a new tensor's does (a broadcast view
	 * of an empty operand can have huge other axes), so that its element
	 * count and everything derived from it stay exact. */
	int64_t numel, off_bytes;
	if (mm_ckd_numel(ndim, shape, dsize(t->dtype), &numel) ||
	    mm_ckd_mul(&off_bytes, data_offset, (int64_t)dsize(t->dtype))) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		            "tensor too large: its size in bytes overflows");
		return NULL;
	}
	mm_tensor *v = calloc(1, sizeof *v);
	if (!v) {
		mm_diag_set(d, MM_ERR_NOMEM, NOSPAN, "out of memory");
		return NULL;
	}
	v->refcount = 1;
	v->dtype = t->dtype;
	v->ndim = ndim;
	for (int i = 0; i < ndim; i++) {
		v->shape[i] = shape[i];
		v->strides[i] = strides[i];
	}
	v->data = (char *)t->data + off_bytes;
	v->storage = t->storage;
	t->storage->refcount++;
	return v;
}

mm_tensor *mm_tensor_transpose(const mm_tensor *t, mm_diag *d)
{
	if (t->ndim < 2)
		return mm_tensor_ref(t);
	int64_t shape[MM_MAX_NDIM], strides[MM_MAX_NDIM];
	memcpy(shape, t->shape, sizeof shape);
	memcpy(strides, t->strides, sizeof strides);
	int a = t->ndim - 2, b = t->ndim - 1;
	shape[a] = t->shape[b];
	shape[b] = t->shape[a];
	strides[a] = t->strides[b];
	strides[b] = t->strides[a];
	return mm_tensor_view(t, t->ndim, shape, strides, 0, d);
}

mm_tensor *mm_tensor_permute(const mm_tensor *t, const int *axes, mm_diag *d)
{
	int64_t shape[MM_MAX_NDIM], strides[MM_MAX_NDIM];
	bool seen[MM_MAX_NDIM] = {false};
	int n = t->ndim;
	for (int i = 0; i < n; i++) {
		int ax = axes[i];
		if (ax < -n || ax >= n) {
			mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
			            "axis %d is out of bounds for a tensor with "
			            "%d axes", ax, n);
			return NULL;
		}
		if (ax < 0)
			ax += n;
		if (seen[ax]) {
			mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
			            "axis %d repeated in the permutation", ax);
			return NULL;
		}
		seen[ax] = true;
		shape[i] = t->shape[ax];
		strides[i] = t->strides[ax];
	}
	return mm_tensor_view(t, n, shape, strides, 0, d);
}

mm_tensor *mm_tensor_index(const mm_tensor *t, const mm_index *idx, int n,
                           mm_diag *d)
{
	if (n > t->ndim) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "too many indices: %d for a tensor with %d axes", n,
		            t->ndim);
		return NULL;
	}
	int64_t shape[MM_MAX_NDIM], strides[MM_MAX_NDIM], off = 0;
	int nd = 0;
	for (int ax = 0; ax < t->ndim; ax++) {
		int64_t len = t->shape[ax], st = t->strides[ax];
		const mm_index *s = ax < n ? &idx[ax] : NULL;
		if (s && s->kind == MM_INDEX_INT) {
			int64_t i = s->i < 0 ? s->i + len : s->i;
			if (i < 0 || i >= len) {
				mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
				            "index %lld is out of bounds for axis "
				            "%d with size %lld (valid: %lld to "
				            "%lld)", (long long)s->i, ax,
				            (long long)len, (long long)-len,
				            (long long)len - 1);
				return NULL;
			}
			off += i * st;
			continue;
		}
		int64_t part[3] = {0, 0, 1}, start, cnt;
		bool has[3] = {false, false, false};
		if (s) {
			part[0] = s->start, part[1] = s->stop, part[2] = s->step;
			has[0] = s->has_start, has[1] = s->has_stop;
			has[2] = s->has_step;
		}
		if (mm_shape_slice(len, part, has, &start, &cnt, d) != MM_OK) {
			mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
			            "slice step cannot be zero (axis %d)", ax);
			return NULL;
		}
		int64_t step = has[2] ? part[2] : 1;
		if (cnt > 0)
			off += start * st;
		shape[nd] = cnt;
		/* With one element or none the stride is never used; a huge
		 * step times the stride would overflow, so keep the axis's. */
		if (cnt <= 1)
			strides[nd] = st;
		else if (mm_ckd_mul(&strides[nd], st, step)) {
			mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
			            "slice step %lld is too large for axis %d",
			            (long long)step, ax);
			return NULL;
		}
		nd++;
	}
	return mm_tensor_view(t, nd, shape, strides, off, d);
}

/* Copies src (any strides) into dst (contiguous, same shape), converting
 * the dtype. Polls the interrupt flag between rows. */
static mm_code copy_into(mm_tensor *dst, const mm_tensor *src, mm_diag *d)
{
	int64_t n = mm_tensor_numel(src);
	if (n == 0)
		return MM_OK;
	int nd = src->ndim;
	int64_t inner = nd ? src->shape[nd - 1] : 1;
	int64_t is = nd ? src->strides[nd - 1] : 0;
	int64_t idx[MM_MAX_NDIM] = {0};
	int64_t rows = n / inner, since = 0;
	size_t es = dsize(src->dtype);
	for (int64_t r = 0; r < rows; r++) {
		int64_t off = 0;
		for (int k = 0; k < nd - 1; k++)
			off += idx[k] * src->strides[k];
		const char *sp = (const char *)src->data + off * (int64_t)es;
		int64_t o = r * inner;
		if (src->dtype == MM_F64 && dst->dtype == MM_F64) {
			const double *s = (const double *)sp;
			double *q = (double *)dst->data + o;
			for (int64_t i = 0; i < inner; i++)
				q[i] = s[i * is];
		} else if (src->dtype == MM_F64) {
			const double *s = (const double *)sp;
			float *q = (float *)dst->data + o;
			for (int64_t i = 0; i < inner; i++)
				q[i] = (float)s[i * is];
		} else if (dst->dtype == MM_F64) {
			const float *s = (const float *)sp;
			double *q = (double *)dst->data + o;
			for (int64_t i = 0; i < inner; i++)
				q[i] = s[i * is];
		} else {
			const float *s = (const float *)sp;
			float *q = (float *)dst->data + o;
			for (int64_t i = 0; i < inner; i++)
				q[i] = s[i * is];
		}
		for (int k = nd - 2; k >= 0; k--) {
			if (++idx[k] < src->shape[k])
				break;
			idx[k] = 0;
		}
		if ((since += inner) >= 16384) {
			since = 0;
			if (mm_interrupted())
				return mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN,
				                   "interrupted");
		}
	}
	return MM_OK;
}

static mm_tensor *copy_as(const mm_tensor *t, mm_dtype dtype, mm_diag *d)
{
	mm_tensor *c = mm_tensor_new(dtype, t->ndim, t->shape, d);
	if (!c)
		return NULL;
	if (t->dtype == c->dtype && mm_tensor_is_contiguous(t)) {
		if (mm_tensor_nbytes(t))
			memcpy(c->data, t->data, mm_tensor_nbytes(t));
	} else if (copy_into(c, t, d) != MM_OK) {
		mm_tensor_unref(c);
		return NULL;
	}
	return c;
}

mm_tensor *mm_tensor_contiguous(const mm_tensor *t, mm_diag *d)
{
	if (mm_tensor_is_contiguous(t))
		return mm_tensor_ref(t);
	return copy_as(t, t->dtype, d);
}

mm_tensor *mm_tensor_copy(const mm_tensor *t, mm_diag *d)
{
	return copy_as(t, t->dtype, d);
}

mm_tensor *mm_tensor_cast(const mm_tensor *t, mm_dtype dtype, mm_diag *d)
{
	if (mm_dtype_exec(dtype) == t->dtype)
		return mm_tensor_ref(t);
	return copy_as(t, dtype, d);
}

static int64_t offset_of(const mm_tensor *t, const int64_t *idx)
{
	int64_t off = 0;
	for (int i = 0; i < t->ndim; i++)
		off += idx[i] * t->strides[i];
	return off;
}

static double at(const mm_tensor *t, int64_t off)
{
	return t->dtype == MM_F64 ? ((const double *)t->data)[off]
	                          : ((const float *)t->data)[off];
}

double mm_tensor_get(const mm_tensor *t, const int64_t *idx)
{
	return at(t, offset_of(t, idx));
}

void mm_tensor_set(mm_tensor *t, const int64_t *idx, double value)
{
	int64_t off = offset_of(t, idx);
	if (t->dtype == MM_F64)
		((double *)t->data)[off] = value;
	else
		((float *)t->data)[off] = (float)value;
}

double mm_tensor_get_flat(const mm_tensor *t, int64_t i)
{
	int64_t off = 0;
	for (int k = t->ndim - 1; k >= 0; k--) {
		int64_t len = t->shape[k];
		off += (i % len) * t->strides[k];
		i /= len;
	}
	return at(t, off);
}

double mm_tensor_item(const mm_tensor *t) { return mm_tensor_get_flat(t, 0); }
