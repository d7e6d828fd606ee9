/* cost.h — the cost conventions: what an operation costs in FLOPs, MACs
 * and bytes, one function per kind of operation. Each computes its
 * formula once, over the operands' dims: as exact (or, past 2^64,
 * approximate) counts when every dim is a number, as polynomials of the
 * symbols otherwise. cost.c names the source of each convention.
 *
 * Bytes are the operation's minimum traffic: each operand read once and
 * the result written once, at their own dtypes.
 *
 * Ownership: symbolic results are allocated in the context's arena and
 * live as long as it; a cost holds no other memory. */
#ifndef MMCALC_COST_H
#define MMCALC_COST_H

#include <stdbool.h>

#include "mmcalc/arena.h"
#include "mmcalc/count.h"
#include "mmcalc/diag.h"
#include "mmcalc/poly.h"
#include "mmcalc/value.h"

typedef struct mm_cost {
	mm_count flops, macs;  /* numeric costs (zero when symbolic) */
	mm_count matmul_flops; /* the part of flops done by matmuls */
	mm_count bytes;        /* operands read + result written */
	/* The same as polynomials when a dim is symbolic, else NULL. */
	const mm_poly *sflops, *smacs, *sbytes;
} mm_cost;

/* How causal attention's masked scores count. */
typedef enum mm_causal {
	MM_CAUSAL_EXACT, /* only the scores the mask leaves (mmcalc) */
	MM_CAUSAL_HALF,  /* half of them all (some counters' shortcut) */
	MM_CAUSAL_NONE   /* all of them (PyTorch, Megatron, Chinchilla) */
} mm_causal;

/* What training recomputes in its backward pass. */
typedef enum mm_recompute {
	MM_RECOMPUTE_NONE,      /* nothing: training is forward + backward */
	MM_RECOMPUTE_SELECTIVE, /* attention's core again (Korthikanti 2022) */
	MM_RECOMPUTE_FULL       /* the whole forward again (Megatron's 96) */
} mm_recompute;

/* A counting convention: the constants where FLOP counters disagree.
 * The named ones (mm_convention_at) reproduce published counts; the
 * settings change each field. */
typedef struct mm_convention {
	bool elementwise;        /* elementwise operators and functions cost
	                            their FLOPs (else 0) */
	int64_t softmax;         /* FLOPs per element of softmax */
	int64_t layernorm;       /* per element of layernorm ... */
	int64_t layernorm_affine; /* ... and with weight and bias */
	int64_t reduction;       /* per input element of sum, max, ... */
	int64_t attn_score;      /* per score of attention beyond its matmuls */
	int64_t causal;          /* an mm_causal */
	int64_t embedding;       /* 1: an embedding costs 2·tokens·vocab·d (a
	                            product with one-hot rows); 0: nothing, a
	                            lookup */
	double backward;         /* a backward pass costs this many forwards */
	double attn_backward;    /* attention's backward, in its forwards */
	int64_t recompute;       /* an mm_recompute */
} mm_convention;

typedef struct mm_convention_def {
	const char *name;   /* "mmcalc", "chinchilla", ... */
	const char *source; /* whose counts it reproduces */
	mm_convention c;
} mm_convention_def;

/* The named conventions, mmcalc's first; NULL past the last. */
const mm_convention_def *mm_convention_at(size_t i);
/* The named convention equal to c, or NULL (a custom mix). */
const mm_convention_def *mm_convention_named(const mm_convention *c);

typedef struct mm_cost_ctx {
	mm_arena *arena; /* where symbolic costs are allocated */
	mm_diag *diag;   /* errors: a polynomial too large (MM_ERR_LIMIT) */
	const mm_convention *conv; /* NULL: mmcalc's */
	mm_assume *assume; /* where symbolic costs record what they assume,
	                      or NULL */
} mm_cost_ctx;

/* Bytes of a tensor of this shape and dtype (i4 counts half a byte,
 * rounded up); numeric shapes only (a symbolic dim counts as 0). */
mm_count mm_cost_tensor_bytes(const mm_shape *s, mm_dtype t);
/* Its elements; numeric shapes only. */
mm_count mm_cost_numel(const mm_shape *s);
/* The same as polynomials into *out, whatever the dims. */
mm_code mm_cost_bytes_poly(mm_cost_ctx *x, const mm_shape *s, mm_dtype t,
                           mm_poly *out);

/* Elementwise: per FLOPs for each element of out (1 for an operator or a
 * function of unary.def, its FLOPS column); in[0..nin) are the operands
 * (numbers among them cost no bytes). */
mm_code mm_cost_elementwise(mm_cost_ctx *x, const mm_value *out,
                            const mm_value *const *in, int nin,
                            unsigned per, mm_cost *c);
/* A reduction (sum, mean, max, min, norm): 1 FLOP per input element. */
mm_code mm_cost_reduction(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *in, mm_cost *c);
/* logsumexp over axes: softmax's FLOPs less its division (4) per input
 * element. */
mm_code mm_cost_logsumexp(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *in, mm_cost *c);
/* softmax over an axis: 5 FLOPs per element. */
mm_code mm_cost_softmax(mm_cost_ctx *x, const mm_value *out,
                        const mm_value *in, mm_cost *c);
/* layernorm over the last axis: 4 FLOPs per element, 5 with weight and
 * bias (in[1], in[2] when nin is 3). */
mm_code mm_cost_layernorm(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *const *in, int nin, mm_cost *c);
/* rmsnorm over the last axis: layernorm's FLOPs less 1 per element (3,
 * 4 with the weight in[1] when nin is 2). */
mm_code mm_cost_rmsnorm(mm_cost_ctx *x, const mm_value *out,
                        const mm_value *const *in, int nin, mm_cost *c);
/* swiglu(x, W1, W3) = out (in[0..3)): two matmuls of numel(out)·d MACs
 * and silu_per + 1 FLOPs per output element. */
mm_code mm_cost_swiglu(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *const *in, unsigned silu_per,
                       mm_cost *c);
/* take(table, ids) or embedding(ids, table) = out: 0 FLOPs (2·ids·rows·
 * dim for an embedding when the convention counts embeddings as matmuls);
 * the ids and the gathered rows read, out written. */
mm_code mm_cost_gather(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *table, const mm_value *ids,
                       bool embedding, mm_cost *c);
/* cross_entropy(logits, targets) = out: softmax's FLOPs per logit, and
 * the reduction's per target when reduced (mean or sum). */
mm_code mm_cost_cross_entropy(mm_cost_ctx *x, const mm_value *out,
                              const mm_value *logits, const mm_value *targets,
                              bool reduced, mm_cost *c);
/* einsum of nin operands in[] = out, lab[0..nlab) holding the sizes of
 * its distinct letters: their product as MACs (2 FLOPs each) when two
 * operands contract (summed), as FLOPs of a product or a sum otherwise. */
mm_code mm_cost_einsum(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *const *in, int nin,
                       const mm_shape *lab, int nlab, bool summed,
                       mm_cost *c);
/* einsum of more than two operands, contracted two at a time: step k's
 * letters in lab[2k], lab[2k+1] (nlab[k] of those shapes), counted as
 * mm_cost_einsum counts two operands (summed[k]: a contraction), the
 * steps added; bytes the operands' and out's, as for one operation. */
mm_code mm_cost_einsum_steps(mm_cost_ctx *x, const mm_value *out,
                             const mm_value *const *in, int nin,
                             const mm_shape *lab, const int *nlab,
                             const bool *summed, int nsteps, mm_cost *c);
/* matmul a @ b = out: numel(out) · k MACs, 2 FLOPs each. */
mm_code mm_cost_matmul(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *a, const mm_value *b, mm_cost *c);
/* attention(q, k, v) = out: both matmuls (s_q·s_k·(d + d_v) MACs per head
 * and batch element) and the convention's FLOPs per score (6: the scale
 * and softmax's 5); causal, only the scores the bottom-right aligned mask
 * leaves: s_q·s_k − s_q·(s_q − 1)/2 when s_q <= s_k, s_k·(s_k + 1)/2
 * when there are more queries (with symbols, s_q <= s_k is assumed). */
mm_code mm_cost_attention(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *q, const mm_value *k,
                          const mm_value *v, bool causal, mm_cost *c);
/* The reduced QR of an m×n matrix in, giving out (Q): mm_cost_linalg's
 * MM_LA_QR. */
mm_code mm_cost_qr(mm_cost_ctx *x, const mm_value *out, const mm_value *in,
                   mm_cost *c);
/* Moving data only (constructors, copies, concat): 0 FLOPs, reads
 * in[0..nin) and writes out, times `writes` (concat reads and writes
 * its result's size: 2). */
mm_code mm_cost_data(mm_cost_ctx *x, const mm_value *out,
                     const mm_value *const *in, int nin, mm_cost *c);

/* ---- convolution, pooling, mixture of experts, linear algebra ---- */

/* conv2d x ⊛ w (+ bias) = out: numel(out)·(C_in/groups)·kH·kW MACs
 * (fvcore's conv count, which fvcore reports as its "flops"), 2 FLOPs
 * each and counted as matmul FLOPs (the convolution runs as a GEMM);
 * with a bias (NULL: none), 1 FLOP per output element for its add. */
mm_code mm_cost_conv2d(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *in, const mm_value *w,
                       const mm_value *bias, mm_cost *c);
/* max_pool2d and avg_pool2d: a reduction of each window of kh·kw
 * elements, 1 FLOP per element read (comparisons; or adds and the
 * division), the convention's FLOPs per reduced element. */
mm_code mm_cost_pool2d(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *in, int64_t kh, int64_t kw,
                       mm_cost *c);

/* A mixture-of-experts layer as Mixtral's, on in (… x d): its tokens
 * (the product of the leading axes) each routed to top_k of E experts,
 * an expert an FFN d -> f -> d (gated: three matrices, SwiGLU). dims
 * holds d, E and f as its three dims (numbers or symbols). The cost: the
 * router (tokens·d·E MACs), the top-k choice (1 FLOP per logit) and a
 * softmax over the k kept (the convention's per element); per token k
 * experts (d·f MACs per matrix, act_flops per hidden element for the
 * activation and, gated, 1 for the gate's product); and the weighted sum
 * of the k outputs (d·(2k - 1)). Bytes: in, out and the weights
 * (weights[0..nweights), or, when none are given, all E experts' and the
 * router's at in's dtype). */
mm_code mm_cost_moe(mm_cost_ctx *x, const mm_value *out, const mm_value *in,
                    const mm_shape *dims, int64_t top_k, bool gated,
                    unsigned act_flops, const mm_value *const *weights,
                    int nweights, mm_cost *c);
/* Its parameters, all E experts (total) or the k a token uses (active):
 * d·E for the router plus (gated ? 3 : 2)·d·f per expert counted, into
 * *n (numeric dims) or *p (symbolic; p may then not be NULL). dims holds
 * d, E, f as its three dims. */
mm_code mm_cost_moe_params(mm_cost_ctx *x, const mm_shape *dims,
                           int64_t top_k, bool gated, bool active,
                           mm_count *n, const mm_poly **p);

/* The dense linear algebra of numpy.linalg, costed by LAPACK Working
 * Note 41's operation counts (the LAPACK timing suite's dopla.f):
 * multiplications plus additions of the LAPACK routines the functions
 * run, per matrix of the stack. */
typedef enum mm_la_cost {
	MM_LA_SOLVE,    /* dgetrf + dgetrs with nrhs right-hand sides */
	MM_LA_INV,      /* dgetrf + dgetrs with the identity (nrhs = n) */
	MM_LA_DET,      /* dgetrf, and 1 per pivot for the product */
	MM_LA_CHOLESKY, /* dpotrf */
	MM_LA_QR,       /* dgeqrf + dorgqr (forming the reduced Q) */
	MM_LA_QR_R,     /* dgeqrf */
	MM_LA_SVD,      /* U, S and Vh: Golub & Van Loan's counts, below */
	MM_LA_SVDVALS,  /* S alone */
	MM_LA_LSTSQ     /* dgeqrf + dormqr + dtrtrs (the QR path) */
} mm_la_cost;
/* The cost of op on a (…, m, n) giving out; b is solve's or lstsq's
 * right-hand side (NULL for the others). The stack is out's leading axes
 * for solve (the broadcast one) and a's for the others. With symbols,
 * m >= n is assumed where the count depends on it (recorded). */
mm_code mm_cost_linalg(mm_cost_ctx *x, mm_la_cost op, const mm_value *out,
                       const mm_value *a, const mm_value *b, mm_cost *c);

#endif
