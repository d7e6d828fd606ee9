/* linalg_common.h — the tensor side of the linalg files (defined in
 * linalg.c): stacks of matrices, argument checks, conversion between
 * tensors and column-major double buffers, and work space freed in one
 * call. Tensors are borrowed unless a function says it returns one. */
#ifndef MMCALC_LINALG_COMMON_H
#define MMCALC_LINALG_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/tensor.h"

#define NOSPAN ((mm_span){0, 0})

/* Buffers allocated one by one and freed together (also on error). */
#define LA_WS_MAX 16
typedef struct mm_la_ws {
	void *p[LA_WS_MAX];
	int n;
} mm_la_ws;

/* a·b elements of elsize bytes, owned by w; NULL with d set
 * (MM_ERR_LIMIT when the size overflows, MM_ERR_NOMEM). */
void *mm_la_ws_alloc(mm_la_ws *w, int64_t a, int64_t b, size_t elsize,
                     mm_diag *d);
void mm_la_ws_free(mm_la_ws *w);

/* Functions with several results: n out-pointers, each may be NULL.
 * mm_la_outs_clear sets the tensors they point to to NULL (on entry);
 * mm_la_outs_drop releases them and sets them to NULL (on error). */
void mm_la_outs_clear(mm_tensor **const *outs, int n);
void mm_la_outs_drop(mm_tensor **const *outs, int n);

/* The diagnostic for a kernel's non-zero return (linalg_internal.h). */
mm_code mm_la_kernel_error(int rc, mm_diag *d);

/* The stack (batch) axes of a result and the number of matrices. */
typedef struct mm_la_stack {
	int nd;
	int64_t shape[MM_MAX_NDIM];
	int64_t count;
} mm_la_stack;

/* "(3 x 4)", "(3,)", "()" into buf. */
const char *mm_la_shape_str(const mm_tensor *t, char *buf, size_t cap);

/* The stack of nd axes of these lengths (a names the tensor in the
 * overflow message). */
mm_code mm_la_stack_of(const mm_tensor *a, int nd, const int64_t *shape,
                       mm_la_stack *st, mm_diag *d);

/* Checks that a is a matrix or a stack of them (square ones if asked)
 * for function fn, and fills its stack. MM_ERR_SHAPE otherwise. */
mm_code mm_la_matrix_arg(const char *fn, const mm_tensor *a, bool square,
                         mm_la_stack *st, mm_diag *d);

/* The element offset in t of stack entry e (C order over st), t having
 * tnd stack axes aligned to the right of st's (length-1 axes broadcast). */
int64_t mm_la_entry_offset(const mm_tensor *t, int tnd, const mm_la_stack *st,
                           int64_t e);

/* " [1, 0]" naming entry e for messages, "" without stack axes. */
const char *mm_la_entry_name(const mm_la_stack *st, int64_t e, char *buf,
                             size_t cap);

/* A new tensor of the stack's shape and extra (0, 1 or 2) more axes of
 * lengths r0, r1. */
mm_tensor *mm_la_result(mm_dtype dtype, const mm_la_stack *st, int extra,
                        int64_t r0, int64_t r1, mm_diag *d);

/* The m×n matrix at element offset off of t, element (i, j) at
 * off + i·rs + j·cs, into the column-major dst (ld). */
void mm_la_get(const mm_tensor *t, int64_t off, int64_t m, int64_t n,
               int64_t rs, int64_t cs, double *dst, int64_t ld);
/* The reverse: src's element (i, j) at src[i·srs + j·scs] into t,
 * converted to t's element type. */
void mm_la_put(mm_tensor *t, int64_t off, int64_t m, int64_t n, int64_t rs,
               int64_t cs, const double *src, int64_t srs, int64_t scs);

#endif
