/* moe.h — a mixture-of-experts layer on concrete tensors, routed as
 * Mixtral's (Jiang et al. 2024; Hugging Face's MixtralSparseMoeBlock):
 *
 *   logits = x @ router                     (tokens x E)
 *   for each token, its top_k experts by logit (ties: the lower index),
 *   weights = softmax over those k logits   (= softmax over all E, the
 *                                            top k kept, renormalised)
 *   out = Σ_k weight_k · expert_k(x)
 *   expert e: (act(x @ w1[e]) ⊙ (x @ w3[e])) @ w2[e]   gated (SwiGLU)
 *             act(x @ w1[e]) @ w2[e]                    not gated
 *
 * with the weights in mmcalc's x @ W orientation: router (d x E), w1 and
 * w3 (E x d x f), w2 (E x f x d). Each expert runs on the tokens routed
 * to it only, gathered, through the blocked GEMM (gemm.h).
 *
 * Ownership as in tensor.h: arguments are borrowed, the result is a new
 * contiguous tensor of x's shape (NULL on error with d filled, span
 * {0,0}); its dtype is the promotion of the operands'. Nothing here
 * prints or exits. */
#ifndef MMCALC_MOE_H
#define MMCALC_MOE_H

#include "mmcalc/ops.h"
#include "mmcalc/tensor.h"

/* The layer on x (… x d); w3 NULL: not gated. The shapes must fit
 * (MM_ERR_SHAPE otherwise); 1 <= top_k <= E. act is applied to x @ w1
 * (MM_OP_SILU for Mixtral). */
mm_tensor *mm_moe(const mm_tensor *x, const mm_tensor *router,
                  const mm_tensor *w1, const mm_tensor *w2,
                  const mm_tensor *w3, int64_t top_k, mm_unop act,
                  mm_diag *d);

/* The layer's shape rule, for the checker and mm_moe alike: x (… x d),
 * router (d x E), w1 (E x d x f), w2 (E x f x d), w3 NULL or w1's shape.
 * Sets dims to (d x E x f). With symbols, dims that may differ are
 * assumed equal and recorded in as (NULL: an error). On MM_ERR_SHAPE,
 * *bad is the operand at fault (0 x, 1 router, 2 w1, 3 w2, 4 w3). */
mm_code mm_moe_shapes(const mm_shape *x, const mm_shape *router,
                      const mm_shape *w1, const mm_shape *w2,
                      const mm_shape *w3, mm_shape *dims, int *bad,
                      mm_assume *as, mm_diag *d);

#endif
