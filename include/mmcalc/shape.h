/* shape.h — shape algebra with NumPy's rules: broadcasting, matmul with
 * 1-D promotion and batch broadcasting, transpose, reductions, reshape and
 * concatenation. Shapes are plain values (no heap); a dim is an exact
 * non-negative integer below 2^63, or a polynomial over symbols (n, B*T)
 * that the shape points to and does not own (it lives in the statement's
 * arena or in a variable). */
#ifndef MMCALC_SHAPE_H
#define MMCALC_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/buf.h"
#include "mmcalc/diag.h"

/* The most axes a shape, and a tensor, may have: one limit for checking
 * and execution. */
#define MM_MAX_NDIM 16

struct mm_poly;

typedef struct mm_shape {
	int ndim;
	int64_t dim[MM_MAX_NDIM];
	/* non-NULL: the dim is this polynomial and dim[] holds 0 */
	const struct mm_poly *sym[MM_MAX_NDIM];
} mm_shape;

/* *d = *s for a d that holds zeros past its rank (zeroed memory, or only
 * ever assigned this way), which it still does after when s does. Shapes
 * of up to 4 axes (nearly all) copy 4 axes: a whole shape is 264 bytes,
 * and copying it was 3% of a piped shape-only script. */
static inline void mm_shape_assign(mm_shape *d, const mm_shape *s)
{
	if (s->ndim <= 4 && (unsigned)d->ndim <= 4) {
		/* fixed sizes, expanded in line (a loop becomes calls) */
		__builtin_memcpy(d->dim, s->dim, 4 * sizeof d->dim[0]);
		__builtin_memcpy(d->sym, s->sym, 4 * sizeof d->sym[0]);
		d->ndim = s->ndim;
	} else {
		*d = *s;
	}
}

/* d becomes the empty shape (), under the same condition. */
static inline void mm_shape_clear(mm_shape *d)
{
	if ((unsigned)d->ndim <= 4) {
		__builtin_memset(d->dim, 0, 4 * sizeof d->dim[0]);
		__builtin_memset(d->sym, 0, 4 * sizeof d->sym[0]);
		d->ndim = 0;
	} else {
		*d = (mm_shape){0};
	}
}

/* Where shape checks with symbols record what they assume ("d == 4096")
 * instead of failing; with strict set, an assumption is an error. */
#define MM_MAX_ASSUME 8
typedef struct mm_assume {
	bool strict;
	int n;
	char text[MM_MAX_ASSUME][96];
} mm_assume;

/* Records that dim i of a relates to dim j of b as rel says (" <= ",
 * " == ") in as; false, with d set, when as is NULL or strict. */
bool mm_shape_assume(mm_assume *as, const mm_shape *a, int i, const char *rel,
                     const mm_shape *b, int j, mm_diag *d);

/* True when any dim is symbolic. */
static inline bool mm_shape_is_symbolic(const mm_shape *s)
{
	for (int i = 0; i < s->ndim; i++)
		if (s->sym[i])
			return true;
	return false;
}

/* Builds a shape from n dims (n <= MM_MAX_NDIM). */
mm_shape mm_shape_make(int n, const int64_t *dims);
bool mm_shape_eq(const mm_shape *a, const mm_shape *b);

/* The number of elements when it fits in 64 bits; returns false (and sets
 * *approx to the product as a double) when it does not. */
bool mm_shape_numel(const mm_shape *s, uint64_t *out, double *approx);

/* Appends the shape as people read it: "(1024 x 4096)", "(3,)", "()". */
void mm_shape_print(mm_buf *b, const mm_shape *s);
/* The same into a fixed buffer, for messages (truncated if needed). */
const char *mm_shape_str(const mm_shape *s, char *buf, size_t cap);

/* The broadcast shape of a and b for an elementwise operator op ("+").
 * Errors (MM_ERR_SHAPE) name both shapes and the first axis that fails. */
mm_code mm_shape_broadcast(const mm_shape *a, const mm_shape *b,
                           const char *op, mm_shape *out, mm_diag *d);
/* The same with symbols: dims that may differ are assumed equal and the
 * assumption recorded in as (NULL: they are an error). */
mm_code mm_shape_broadcast_as(const mm_shape *a, const mm_shape *b,
                              const char *op, mm_shape *out, mm_assume *as,
                              mm_diag *d);

/* matmul's result shape and its m, k, n and batch count (the number of
 * broadcast batch elements; 1 without batch axes). 0-d operands, inner
 * mismatches and batch axes that do not broadcast are errors. */
mm_code mm_shape_matmul(const mm_shape *a, const mm_shape *b, mm_shape *out,
                        int64_t *m, int64_t *k, int64_t *n, uint64_t *batch,
                        double *batch_approx, mm_diag *d);
/* The same with symbols and assumptions (m, k, n are then 0 when symbolic:
 * the caller costs from the shapes). */
mm_code mm_shape_matmul_as(const mm_shape *a, const mm_shape *b,
                           mm_shape *out, int64_t *m, int64_t *k, int64_t *n,
                           uint64_t *batch, double *batch_approx,
                           mm_assume *as, mm_diag *d);

/* attention(Q, K, V)'s result shape, Q's with V's last dim: Q (.. h x s_q
 * x d), K (.. kv x s_k x d), V (.. kv x s_k x d_v), the leading axes equal
 * but kv dividing h. With symbols, dims that may differ are assumed to fit
 * and the assumption recorded in as (NULL: an error). */
mm_code mm_shape_attention_as(const mm_shape *q, const mm_shape *k,
                              const mm_shape *v, mm_shape *out,
                              mm_assume *as, mm_diag *d);

/* numpy.linalg's matrix argument of fn: at least 2 axes (a stack of
 * matrices in the leading ones), square when square is set (symbolic
 * sides assumed equal, recorded in as; NULL: an error). MM_ERR_SHAPE
 * names fn and the shape. */
mm_code mm_shape_matrix_as(const char *fn, const mm_shape *a, bool square,
                           mm_assume *as, mm_diag *d);

/* numpy.linalg.solve(a, b)'s result shape, NumPy 1.24's rule: a is (…,
 * n, n); b is a stack of vectors (…, n) when it has exactly one axis
 * fewer than a (*vec set), else a stack of matrices (…, n, k); the stack
 * axes broadcast and the result has b's form with the broadcast stack.
 * With symbols, dims that may differ are assumed to fit (as). */
mm_code mm_shape_solve_as(const mm_shape *a, const mm_shape *b,
                          mm_shape *out, bool *vec, mm_assume *as,
                          mm_diag *d);

/* Swaps the last two axes (0-d and 1-D shapes are returned unchanged). */
mm_shape mm_shape_transpose(const mm_shape *s);

/* NumPy's basic slicing (Python's slice.indices()) on an axis of length
 * len: start:stop:step, part[k] given when has[k], gives the first
 * position *first and the number of elements *count (the positions are
 * first, first + step, ...). Exact for any int64 values, never
 * overflowing; MM_ERR_VALUE when step is 0. The checker and tensor
 * indexing both use it. */
mm_code mm_shape_slice(int64_t len, const int64_t part[3], const bool has[3],
                       int64_t *first, int64_t *count, mm_diag *d);

/* Normalises axis (negative counts from the end) against ndim; MM_ERR_VALUE
 * when it is out of range. */
mm_code mm_shape_axis(int ndim, int64_t axis, int *out, mm_diag *d);

/* The shape after reducing over axis (all axes when all is true). */
mm_shape mm_shape_reduce(const mm_shape *s, bool all, int axis, bool keepdims);

/* reshape to n target dims, one of which may be -1. MM_ERR_SHAPE when the
 * element counts differ or the -1 cannot be inferred. */
mm_code mm_shape_reshape(const mm_shape *s, int n, const int64_t *dims,
                         mm_shape *out, mm_diag *d);

/* reshape to t, whose dim infer (-1: none) is to be inferred, with
 * symbols: the element counts compared as polynomials (dims that may
 * differ assumed equal and that recorded in as, NULL: an error), the
 * inferred dim the quotient, kept in *store (the caller's, living as long
 * as *out). Without symbols, mm_shape_reshape's rule. */
mm_code mm_shape_reshape_as(const mm_shape *s, const mm_shape *t, int infer,
                            struct mm_poly *store, mm_shape *out,
                            mm_assume *as, mm_diag *d);

/* Concatenation of k shapes along axis (already normalised or negative). */
mm_code mm_shape_concat(const mm_shape *s, int k, int64_t axis,
                        mm_shape *out, mm_diag *d);

/* ---- convolution and pooling windows (shape_conv.c) ---- */

struct mm_arena;

/* The window of conv2d and of the 2-d pools over the last two axes (H,
 * W), as PyTorch's torch.nn.functional.conv2d, max_pool2d and
 * avg_pool2d take it. Index 0 is H, 1 is W. */
typedef struct mm_window {
	int64_t kernel[2];   /* pools: the window (conv2d: the weight's) */
	int64_t stride[2];   /* >= 1 */
	int64_t pad_lo[2];   /* zeros before (top, left), >= 0 */
	int64_t pad_hi[2];   /* and after (bottom, right): the same but for
	                        conv2d's padding="same" with an even kernel */
	int64_t dilation[2]; /* >= 1: the kernel's taps are this far apart */
	int64_t groups;      /* conv2d: channels split into groups, >= 1 */
	bool same;           /* conv2d padding="same": pad_lo/hi are set from
	                        the kernel by mm_shape_conv2d_as */
	bool ceil_mode;      /* pools: the last partial window counts */
} mm_window;

/* Which operand a window rule's error is about (the caller points at it). */
enum { MM_CONV_AT_CALL, MM_CONV_AT_X, MM_CONV_AT_W, MM_CONV_AT_BIAS };

/* conv2d's result shape, PyTorch's rule: x (N x C x H x W) or unbatched
 * (C x H x W), w (C_out x C/groups x kH x kW), bias NULL or (C_out,);
 * the result (N x C_out x H_out x W_out) (unbatched: no N), each spatial
 * size floor((H + pad_lo + pad_hi - dilation·(kH - 1) - 1) / stride) + 1.
 * With p->same, the padding is set (in *p) so that H_out = H: a total of
 * dilation·(k - 1), the odd one after. Symbolic dims are taken: what they
 * must satisfy (channels equal, a stride dividing its span) is assumed
 * and recorded in as (NULL: an error); new symbolic dims are allocated
 * in arena. Errors (MM_ERR_SHAPE) say which operand is wrong in *at. */
mm_code mm_shape_conv2d_as(const mm_shape *x, const mm_shape *w,
                           const mm_shape *bias, mm_window *p,
                           mm_shape *out, int *at, struct mm_arena *arena,
                           mm_assume *as, mm_diag *d);

/* max_pool2d's and avg_pool2d's result shape (fn names the function in
 * messages), PyTorch's rule: x (N x C x H x W) or (C x H x W), each
 * spatial size floor((H + 2·pad - dilation·(k - 1) - 1) / stride) + 1 (or
 * rounded up with ceil_mode, less one when the last window would start
 * in the padding), padding at most half the dilated kernel, and every
 * output size at least 1. Symbols as in mm_shape_conv2d_as. */
mm_code mm_shape_pool2d_as(const char *fn, const mm_shape *x,
                           const mm_window *p, mm_shape *out,
                           struct mm_arena *arena, mm_assume *as,
                           mm_diag *d);

/* ---- axes (permute, expand_dims, squeeze, several reduced at once) ----
 * Axes come as the user gave them (negative counts from the end) and are
 * checked here: in range, each given once (MM_ERR_VALUE otherwise). */

/* The axes of a tuple as a mask over ndim axes (mask has ndim entries). */
mm_code mm_shape_axes(int ndim, const int64_t *axes, int n, bool *mask,
                      mm_diag *d);
/* The shape after reducing over the axes mask marks. */
mm_shape mm_shape_reduce_mask(const mm_shape *s, const bool *mask,
                              bool keepdims);
/* Result axis k is axis axes[k] of s; n must be s's ndim. perm receives
 * the axes normalised (what mm_tensor_permute takes). */
mm_code mm_shape_permute(const mm_shape *s, const int64_t *axes, int n,
                         int *perm, mm_shape *out, mm_diag *d);
/* Axes a and b exchanged, as a permutation (perm as above). */
mm_code mm_shape_swapaxes(const mm_shape *s, int64_t a, int64_t b, int *perm,
                          mm_shape *out, mm_diag *d);
/* NumPy's expand_dims: n new axes of length 1 at positions axes of the
 * result (ndim + n axes); isnew marks them (ndim + n entries). */
mm_code mm_shape_expand_dims(const mm_shape *s, const int64_t *axes, int n,
                             bool *isnew, mm_shape *out, mm_diag *d);
/* NumPy's squeeze: the n axes given, which must have length 1 (a symbol
 * is assumed to be 1 and that recorded in as), or with n < 0 every axis
 * of length 1. drop marks the axes removed (ndim entries). */
mm_code mm_shape_squeeze(const mm_shape *s, const int64_t *axes, int n,
                         bool *drop, mm_shape *out, mm_assume *as,
                         mm_diag *d);

/* NumPy's take along axis: table's axes before it, ids' axes, table's
 * after it; *ax is the axis normalised. */
mm_code mm_shape_take(const mm_shape *table, const mm_shape *ids, int64_t axis,
                      int *ax, mm_shape *out, mm_diag *d);

/* torch.nn.functional.cross_entropy with class-index targets: logits
 * (C,) or (N, C, d1, ...), targets () or (N, d1, ...) (the logits without
 * their class axis, axis 1); *out is the targets' shape (the loss per
 * target before the mean). */
mm_code mm_shape_cross_entropy(const mm_shape *logits, const mm_shape *targets,
                               mm_shape *out, mm_assume *as, mm_diag *d);

#endif
