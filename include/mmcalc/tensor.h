/* tensor.h — concrete n-d arrays: f32/f64 data in 64-byte-aligned,
 * reference-counted storage, with strided views (transpose, permutation,
 * NumPy basic indexing) that share it without copying.
 *
 * Ownership, once for the whole library (tensor.h, ops.h, linalg.h):
 *   - every function returning `mm_tensor *` returns a NEW reference that
 *     the caller must release with mm_tensor_unref (NULL on error, with d
 *     filled: code and message, span left {0,0} for the caller to set);
 *   - every `const mm_tensor *` / `mm_tensor *` argument is BORROWED: the
 *     callee takes its own reference when it keeps one (views do);
 *   - mm_tensor_ref returns its argument with one more reference.
 * A view shares its storage with its base: mm_tensor_set through one is
 * seen through the other. Reference counts are not atomic: a tensor
 * belongs to one thread at a time.
 * No function here prints or exits. */
#ifndef MMCALC_TENSOR_H
#define MMCALC_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/diag.h"
#include "mmcalc/dtype.h"
#include "mmcalc/rng.h"
#include "mmcalc/shape.h" /* MM_MAX_NDIM: most axes of a shape or tensor */


typedef struct mm_storage mm_storage; /* opaque, refcounted data block */

/* Fields are read-only for users; element (i0, i1, ...) of t lives at
 * data + (i0*strides[0] + i1*strides[1] + ...) * element size.
 * Strides are in elements and may be 0 (broadcast) or negative (reversed
 * slices). dtype is MM_F32 or MM_F64. A 0-d tensor (ndim 0) holds one
 * element. */
typedef struct mm_tensor {
	int refcount;
	mm_dtype dtype;
	int ndim;
	int64_t shape[MM_MAX_NDIM];
	int64_t strides[MM_MAX_NDIM];
	void *data;
	mm_storage *storage;
} mm_tensor;

/* One more reference to t (t may be NULL); returns t. */
mm_tensor *mm_tensor_ref(const mm_tensor *t);
/* Drops one reference; frees the tensor (and its storage, when no other
 * view uses it) at zero. NULL is allowed. */
void mm_tensor_unref(mm_tensor *t);

/* Number of elements (product of the shape; 1 for 0-d; 0 when any dim is
 * 0, whatever the others). */
int64_t mm_tensor_numel(const mm_tensor *t);
/* Element size in bytes: 4 or 8. */
size_t mm_tensor_elsize(const mm_tensor *t);
/* Bytes of t's elements (numel × element size), not of its storage. */
size_t mm_tensor_nbytes(const mm_tensor *t);
/* True when elements are dense in C (row-major) order with the usual
 * strides (axes of length 1 may have any stride). */
bool mm_tensor_is_contiguous(const mm_tensor *t);
/* True when a and b have the same ndim and shape. */
bool mm_tensor_same_shape(const mm_tensor *a, const mm_tensor *b);

/* The bytes a new contiguous tensor of this dtype and shape would need
 * (dtypes other than f64 are stored as f32). For the evaluator's memory
 * limit: call before allocating. Returns MM_OK and *out, or MM_ERR_VALUE
 * (negative dim, ndim out of range) / MM_ERR_LIMIT with d filled. d may be
 * NULL. MM_ERR_LIMIT follows NumPy's rule (np.zeros((0, 2**62)) is "array
 * is too big"): the product of the NON-ZERO dims times the element size
 * must stay below 2^63 minus 2 MiB, also when a 0 dim makes the tensor
 * empty. So for every tensor, numel, numel × element size and the product
 * of any subset of its dims are exact in int64 (mmcalc/ckd.h's
 * mm_ckd_numel states the rule). */
mm_code mm_tensor_bytes_needed(mm_dtype dtype, int ndim, const int64_t *shape,
                               size_t *out, mm_diag *d);

/* --- constructors: all return a new contiguous tensor (new reference).
 * dtype: f64 stays f64, any other dtype is stored as f32 (mm_dtype_exec).
 * shape has ndim entries (0 <= ndim <= MM_MAX_NDIM, dims >= 0). Fail with
 * MM_ERR_VALUE (bad shape), MM_ERR_LIMIT (size overflow) or MM_ERR_NOMEM. */

/* Uninitialised contents. */
mm_tensor *mm_tensor_new(mm_dtype dtype, int ndim, const int64_t *shape,
                         mm_diag *d);
mm_tensor *mm_tensor_zeros(mm_dtype dtype, int ndim, const int64_t *shape,
                           mm_diag *d);
mm_tensor *mm_tensor_ones(mm_dtype dtype, int ndim, const int64_t *shape,
                          mm_diag *d);
mm_tensor *mm_tensor_full(mm_dtype dtype, int ndim, const int64_t *shape,
                          double value, mm_diag *d);
/* A 0-d tensor holding value. */
mm_tensor *mm_tensor_scalar(mm_dtype dtype, double value, mm_diag *d);
/* Shape from ndim/shape, elements copied from vals in C order (numel
 * values, converted to dtype). For matrix literals and tests. */
mm_tensor *mm_tensor_from_doubles(mm_dtype dtype, int ndim,
                                  const int64_t *shape, const double *vals,
                                  mm_diag *d);
/* n×m matrix with ones on the main diagonal; m < 0 means m = n. */
mm_tensor *mm_tensor_eye(mm_dtype dtype, int64_t n, int64_t m, mm_diag *d);
/* 1-D: start, start+step, ... while < stop (> stop for step < 0), length
 * max(0, ceil((stop-start)/step)), element i = start + i*step as NumPy.
 * step 0 or a non-finite argument is MM_ERR_VALUE. */
mm_tensor *mm_tensor_arange(mm_dtype dtype, double start, double stop,
                            double step, mm_diag *d);
/* Uniform in [0, 1) / standard normal, drawn from rng in C order (see
 * rng.h for the exact streams, identical on every platform). f32 tensors
 * take mm_rng_uniform_f32 / (float)mm_rng_normal. */
mm_tensor *mm_tensor_rand(mm_rng *rng, mm_dtype dtype, int ndim,
                          const int64_t *shape, mm_diag *d);
mm_tensor *mm_tensor_randn(mm_rng *rng, mm_dtype dtype, int ndim,
                           const int64_t *shape, mm_diag *d);

/* --- views: share t's storage, no copy (new reference). */

/* Transpose of the last two axes (the language's .T and '); a 0-d or 1-d
 * tensor is returned unchanged (a new reference to the same view). */
mm_tensor *mm_tensor_transpose(const mm_tensor *t, mm_diag *d);
/* Axis permutation: result axis i is t's axis axes[i]; axes holds
 * t->ndim entries, each in [-ndim, ndim) (negative counts from the end)
 * and each axis exactly once, else MM_ERR_VALUE. */
mm_tensor *mm_tensor_permute(const mm_tensor *t, const int *axes, mm_diag *d);

/* One per-axis spec of NumPy basic indexing. */
typedef enum mm_index_kind {
	MM_INDEX_INT,   /* a[i]: picks one position, removes the axis */
	MM_INDEX_SLICE, /* a[start:stop:step]; all three omitted is ':' */
} mm_index_kind;

typedef struct mm_index {
	mm_index_kind kind;
	int64_t i;                         /* MM_INDEX_INT; negative from end */
	int64_t start, stop, step;         /* MM_INDEX_SLICE */
	bool has_start, has_stop, has_step; /* false: NumPy's default */
} mm_index;

/* ':' (the whole axis). */
#define MM_INDEX_ALL ((mm_index){MM_INDEX_SLICE, 0, 0, 0, 1, false, false, false})

/* Basic indexing with n specs applied to t's first n axes; the remaining
 * axes are taken whole. An integer out of range is MM_ERR_VALUE naming
 * the axis and its bounds; slices clamp as in Python; step 0 and more
 * specs than axes are MM_ERR_VALUE. Any int64 start, stop and step is
 * safe (INT64_MIN included); an axis that keeps at most one element keeps
 * its stride whatever the step. */
mm_tensor *mm_tensor_index(const mm_tensor *t, const mm_index *idx, int n,
                           mm_diag *d);
/* A view of t with a new shape and strides of the same ndim rules;
 * data_offset is in elements from t->data. The caller guarantees every
 * element lies within t's storage. Used by ops for broadcast views. A
 * shape that breaks the size rule of mm_tensor_bytes_needed (a broadcast
 * of an empty operand to huge other axes) is MM_ERR_LIMIT. */
mm_tensor *mm_tensor_view(const mm_tensor *t, int ndim, const int64_t *shape,
                          const int64_t *strides, int64_t data_offset,
                          mm_diag *d);

/* --- copies */

/* t itself (new reference) when already contiguous, else a contiguous
 * copy. */
mm_tensor *mm_tensor_contiguous(const mm_tensor *t, mm_diag *d);
/* Always a fresh contiguous copy (safe to mutate). */
mm_tensor *mm_tensor_copy(const mm_tensor *t, mm_diag *d);
/* Contents converted to dtype (stored as mm_dtype_exec(dtype)); when t
 * already has that storage dtype, t itself (new reference). */
mm_tensor *mm_tensor_cast(const mm_tensor *t, mm_dtype dtype, mm_diag *d);

/* --- elements. idx has t->ndim entries, each already in range (not
 * checked: use mm_tensor_index for user input). */
double mm_tensor_get(const mm_tensor *t, const int64_t *idx);
void mm_tensor_set(mm_tensor *t, const int64_t *idx, double value);
/* Element number i (0 <= i < numel) in C order, whatever the strides. */
double mm_tensor_get_flat(const mm_tensor *t, int64_t i);
/* The single element of a tensor with numel 1 (0-d or any shape of 1s). */
double mm_tensor_item(const mm_tensor *t);

/* Bytes of freed tensors' memory kept for new tensors of the same size
 * (at most 64 MiB in 8 blocks of 256 KiB or more, and never more than the
 * memory limit leaves beside the live bytes), for the tests. */
size_t mm_tensor_test_kept_bytes(void);

/* --- the memory budget, process-wide.
 * Every tensor's storage (constructors, copies, casts, loads through
 * mm_tensor_new) and every scratch buffer below is counted as live from
 * its allocation to its release, in the bytes actually taken (rounded up
 * to 64 B, or to 2 MiB past 4 MiB). With a limit set, an allocation that
 * would take the live bytes past it is refused BEFORE anything is
 * allocated: the constructor returns NULL with MM_ERR_LIMIT, "executing
 * this needs more than the memory limit of 1 GiB (... more asked for, ...
 * in use)". Memory kept for reuse is given back to the system as needed,
 * so that resident memory stays under the limit as well. Thread-safe. */

/* Sets the limit in bytes; 0 means none (the default). Lowering it
 * below the live bytes refuses new allocations until enough are freed. */
void mm_tensor_set_limit(uint64_t bytes);
/* Sets the limit `bytes` above the live bytes now: what one statement
 * may allocate beside what is already held; a refusal then names
 * `bytes` as the limit and counts only what was allocated since. */
void mm_tensor_limit_more(uint64_t bytes);
uint64_t mm_tensor_limit(void);
/* Bytes counted as live now, and the most since the last reset. */
uint64_t mm_tensor_live_bytes(void);
uint64_t mm_tensor_peak_bytes(void);
/* Sets the peak to the live bytes now (at the start of a statement). */
void mm_tensor_reset_peak(void);

/* Scratch memory for an operation's temporaries (a row of partial sums,
 * a packed copy): count × size bytes, 64-byte aligned, uninitialised,
 * counted against the limit like a tensor. count × size is multiplied
 * with overflow checked (MM_ERR_LIMIT). NULL with d set: MM_ERR_LIMIT,
 * MM_ERR_NOMEM. count × size == 0 still returns a pointer to release.
 * Release with mm_tensor_scratch_free (not free), which takes NULL. */
void *mm_tensor_scratch_alloc(size_t count, size_t size, mm_diag *d);
void mm_tensor_scratch_free(void *p);

/* For memory allocated by other means that should count (a library's
 * workspace): reserve before allocating, unreserve the same amount after
 * freeing. Refused with MM_ERR_LIMIT like an allocation. */
mm_code mm_tensor_reserve(uint64_t bytes, mm_diag *d);
void mm_tensor_unreserve(uint64_t bytes);

#endif
