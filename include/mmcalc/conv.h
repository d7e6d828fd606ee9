/* conv.h — 2-d convolution and pooling on concrete tensors, as PyTorch's
 * torch.nn.functional.conv2d, max_pool2d and avg_pool2d define them:
 * NCHW images (or unbatched CHW), OIHW weights, cross-correlation (the
 * kernel is not flipped), zero padding. The shapes follow
 * mm_shape_conv2d_as and mm_shape_pool2d_as (shape.h), whose errors these
 * return.
 *
 * conv2d runs through im2col on the blocked GEMM (gemm.h): per group,
 * the kernel's taps of every output position are gathered into a
 * (C/groups·kH·kW) × (H_out·W_out) matrix, several small images side by
 * side, and the weight (C_out/groups × C/groups·kH·kW) multiplies it; a
 * 1×1 kernel with stride 1 and no padding multiplies the image in place.
 *
 * Ownership as in tensor.h: arguments are borrowed, the result is a new
 * contiguous tensor (NULL on error with d filled, span {0,0}). The result
 * dtype is the promotion of the operands' (f32 unless one is f64).
 * Scratch memory counts against the memory budget. Long loops poll
 * mm_interrupted() and then fail with MM_ERR_INTERRUPTED. Nothing here
 * prints or exits. */
#ifndef MMCALC_CONV_H
#define MMCALC_CONV_H

#include <stdbool.h>

#include "mmcalc/shape.h"
#include "mmcalc/tensor.h"

/* conv2d(x, w, bias) with the window p (its kernel is w's; groups,
 * stride, padding and dilation are read; p->same computes the padding).
 * bias may be NULL. */
mm_tensor *mm_conv_2d(const mm_tensor *x, const mm_tensor *w,
                      const mm_tensor *bias, const mm_window *p,
                      mm_diag *d);

typedef enum mm_pool {
	MM_POOL_MAX, /* the largest of each window; NaN wins, as PyTorch */
	MM_POOL_AVG  /* the mean of each window (no dilation) */
} mm_pool;

/* max_pool2d or avg_pool2d of x over the window p. For MM_POOL_AVG,
 * count_include_pad divides by the window's size within the padded input
 * (PyTorch's default), else by its elements inside the input. */
mm_tensor *mm_conv_pool2d(mm_pool kind, const mm_tensor *x,
                          const mm_window *p, bool count_include_pad,
                          mm_diag *d);

#endif
