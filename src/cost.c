/* cost.c — the cost conventions, each written once over quantities that
 * are exact counts while the dims are numbers and polynomials once a
 * symbol enters (cost_int.h): the named conventions, elementwise work,
 * reductions, norms, matmul, attention, convolution and mixture of
 * experts. Linear algebra is in cost_linalg.c, the layers of modern
 * models (gathers, losses, einsum) in cost_nn.c. */
#include "cost_int.h"

mm_count mm_cost_tensor_bytes(const mm_shape *s, mm_dtype t)
{
	unsigned bits = mm_dtype_bits(t);
	mm_count c = mm_cost_numel(s);
	if (bits % 8 == 0)
		return mm_count_mul_u(c, bits / 8);
	/* i4: half a byte each, rounded up to whole bytes */
	uint64_t v;
	if (mm_count_get_u64(c, &v))
		return mm_count_of(v / 2 + v % 2);
	return mm_count_approx(c.value / 2);
}

mm_count mm_cost_numel(const mm_shape *s)
{
	uint64_t n;
	if (mm_shape_numel(s, &n, NULL))
		return mm_count_of(n);
	/* past 2^64: counts go on, exact to 2^128 */
	mm_count c = mm_count_of(1);
	for (int k = 0; k < s->ndim; k++)
		c = mm_count_mul(c, mm_count_of((uint64_t)s->dim[k]));
	return c;
}

mm_code mm_cost_bytes_poly(mm_cost_ctx *x, const mm_shape *s, mm_dtype t,
                           mm_poly *out)
{
	qty n;
	mm_code c = q_numel(x, &n, s);
	if (c != MM_OK)
		return c;
	unsigned bits = mm_dtype_bits(t);
	if (bits % 8 == 0)
		c = q_mul_u(x, &n, &n, bits / 8);
	else
		c = q_div_u(x, &n, &n, 2);
	if (c == MM_OK) {
		mm_poly tmp;
		*out = *as_poly(&n, &tmp);
	}
	return c;
}

/* ---- conventions ---- */

/* mmcalc: every operation costs what it does (the man page, COST MODEL).
 * Chinchilla: Hoffmann et al. 2022, Appendix F: matmuls, softmax 3 per
 * score, embeddings as a matmul, nothing elementwise, no causal saving.
 * Megatron: Narayanan et al. 2021 (72·B·s·l·h²·(1 + s/6h + V/16lh) per
 * training step): matmuls only; full recomputation gives their 96.
 * PyTorch: torch.utils.flop_counter: matmuls (and attention's two batched
 * ones, never halved for causal) only; attention's backward 2.5 times
 * its forward, as FlashAttention counts it. */
static const mm_convention_def conventions[] = {
	{"mmcalc", "every operation costs what it does, mmcalc(1) COST MODEL",
	 {.elementwise = true, .softmax = 5, .layernorm = 4,
	  .layernorm_affine = 5, .reduction = 1, .attn_score = 6,
	  .causal = MM_CAUSAL_EXACT, .embedding = 0, .backward = 2,
	  .attn_backward = 2, .recompute = MM_RECOMPUTE_NONE}},
	{"chinchilla", "Hoffmann et al. 2022, Appendix F",
	 {.elementwise = false, .softmax = 3, .attn_score = 3,
	  .causal = MM_CAUSAL_NONE, .embedding = 1, .backward = 2,
	  .attn_backward = 2, .recompute = MM_RECOMPUTE_NONE}},
	{"megatron", "Narayanan et al. 2021, the 72 (and, recomputing, 96) "
	             "formula",
	 {.elementwise = false, .causal = MM_CAUSAL_NONE, .backward = 2,
	  .attn_backward = 2, .recompute = MM_RECOMPUTE_NONE}},
	{"pytorch", "torch.utils.flop_counter",
	 {.elementwise = false, .causal = MM_CAUSAL_NONE, .backward = 2,
	  .attn_backward = 2.5, .recompute = MM_RECOMPUTE_NONE}},
};

const mm_convention_def *mm_convention_at(size_t i)
{
	return i < sizeof conventions / sizeof conventions[0] ? &conventions[i]
	                                                      : NULL;
}

static bool conv_eq(const mm_convention *a, const mm_convention *b)
{
	return a->elementwise == b->elementwise && a->softmax == b->softmax &&
	       a->layernorm == b->layernorm &&
	       a->layernorm_affine == b->layernorm_affine &&
	       a->reduction == b->reduction && a->attn_score == b->attn_score &&
	       a->causal == b->causal && a->embedding == b->embedding &&
	       a->backward == b->backward && a->attn_backward == b->attn_backward &&
	       a->recompute == b->recompute;
}

const mm_convention_def *mm_convention_named(const mm_convention *c)
{
	for (size_t i = 0; mm_convention_at(i); i++)
		if (conv_eq(c, &conventions[i].c))
			return &conventions[i];
	return NULL;
}

/* Elementwise operators and functions: `per` FLOPs for each output
 * element, as fvcore and DeepSpeed's profiler count them (a
 * transcendental function counts 1 like any other, and the man page says
 * so); the FLOPS column of unary.def gives each function's. Conventions
 * that count matmuls only make it 0. */
mm_code mm_cost_elementwise(mm_cost_ctx *x, const mm_value *out,
                            const mm_value *const *in, int nin,
                            unsigned per, mm_cost *c)
{
	return mm_cq_per_element(x, out, in, nin, conv(x)->elementwise ? per : 0, c);
}

mm_code mm_cq_per_element(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *const *in, int nin, uint64_t per,
                          mm_cost *c)
{
	qty f, b;
	mm_code r;
	if ((r = q_numel(x, &f, &out->shape)) != MM_OK ||
	    (r = q_mul_u(x, &f, &f, per)) != MM_OK ||
	    (r = q_traffic(x, &b, out, in, nin)) != MM_OK)
		return r;
	return finish(x, &f, NULL, NULL, &b, c);
}

/* Reductions: one FLOP per input element (n - 1 adds or comparisons,
 * rounded up, as fvcore counts sum and mean). */
mm_code mm_cost_reduction(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *in, mm_cost *c)
{
	qty f, b;
	mm_code r;
	if ((r = q_numel(x, &f, &in->shape)) != MM_OK ||
	    (r = q_mul_u(x, &f, &f, (uint64_t)conv(x)->reduction)) != MM_OK ||
	    (r = q_traffic(x, &b, out, &in, 1)) != MM_OK)
		return r;
	return finish(x, &f, NULL, NULL, &b, c);
}

/* softmax: 5 FLOPs per element — the max, the subtraction, exp, the sum
 * and the division, one each (the man page compares the counters that
 * use 3, 1 or 0). */
mm_code mm_cost_softmax(mm_cost_ctx *x, const mm_value *out,
                        const mm_value *in, mm_cost *c)
{
	return mm_cq_per_element(x, out, &in, 1, (uint64_t)conv(x)->softmax, c);
}

/* layernorm: 4 FLOPs per element (mean, subtract, variance, normalise),
 * 5 with the elementwise scale and shift, as fvcore's layer_norm. */
mm_code mm_cost_layernorm(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *const *in, int nin, mm_cost *c)
{
	const mm_convention *k = conv(x);
	return mm_cq_per_element(x, out, in, nin,
	                   (uint64_t)(nin > 1 ? k->layernorm_affine : k->layernorm),
	                   c);
}

/* matmul (..×m×k) @ (..×k×n): m·k·n MACs per batch element, each one
 * multiply and one add (2 FLOPs), as Kaplan et al. 2020 and every
 * counter that reports FLOPs rather than MACs. */
mm_code mm_cost_matmul(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *a, const mm_value *b, mm_cost *c)
{
	qty macs, k, fl, by;
	const mm_value *in[2] = {a, b};
	mm_code r;
	q_dim(&k, &a->shape, a->shape.ndim - 1);
	if ((r = q_numel(x, &macs, &out->shape)) != MM_OK ||
	    (r = q_mul(x, &macs, &macs, &k)) != MM_OK ||
	    (r = q_mul_u(x, &fl, &macs, 2)) != MM_OK ||
	    (r = q_traffic(x, &by, out, in, 2)) != MM_OK)
		return r;
	return finish(x, &fl, &macs, &fl, &by, c);
}

/* The scores a causal mask leaves for s_q queries and s_k keys, aligned
 * bottom-right (query i sees keys up to i + s_k - s_q, as PyTorch's
 * causal_lower_right and FlashAttention 2): s_q·s_k − s_q·(s_q − 1)/2
 * when s_q <= s_k (assumed, with symbols, unless s_q is s_k), and
 * s_k·(s_k + 1)/2 for more queries than keys. */
static mm_code causal_scores(mm_cost_ctx *x, qty *out, const mm_shape *qs,
                             const mm_shape *ks)
{
	qty sq, sk, t, one;
	mm_code r;
	q_dim(&sq, qs, qs->ndim - 2);
	q_dim(&sk, ks, ks->ndim - 2);
	q_num(&one, mm_count_of(1));
	bool more = !sq.sym && !sk.sym && mm_count_cmp(sq.n, sk.n) > 0;
	if (sq.sym || sk.sym) {
		mm_poly a, b;
		if (!mm_poly_eq(as_poly(&sq, &a), as_poly(&sk, &b)) &&
		    !mm_shape_assume(x->assume, qs, qs->ndim - 2, " <= ", ks,
		                     ks->ndim - 2, x->diag))
			return MM_ERR_SHAPE;
	}
	if (more) /* s_k·(s_k + 1)/2 */
		return (r = q_add(x, &t, &sk, &one)) != MM_OK ||
		               (r = q_mul(x, &t, &sk, &t)) != MM_OK
		           ? r : q_div_u(x, out, &t, 2);
	/* s_q·s_k − s_q·(s_q − 1)/2 */
	if ((r = q_sub(x, &t, &sq, &one)) != MM_OK ||
	    (r = q_mul(x, &t, &sq, &t)) != MM_OK ||
	    (r = q_div_u(x, &t, &t, 2)) != MM_OK ||
	    (r = q_mul(x, out, &sq, &sk)) != MM_OK)
		return r;
	return q_sub(x, out, out, &t);
}

/* attention: the two matmuls Q·Kᵀ (s_q·s_k·d MACs) and P·V (s_q·s_k·d_v)
 * per head and batch element, as FlashAttention's benchmarks count them,
 * over the scores the convention counts; then its FLOPs per score (6:
 * the scale and softmax's 5). */
mm_code mm_cost_attention(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *q, const mm_value *k,
                          const mm_value *v, bool causal, mm_cost *c)
{
	const mm_shape *qs = &q->shape;
	int n = qs->ndim;
	const mm_convention *cv = conv(x);
	qty scores, per, d, dv, macs, fl, mmf, extra, by;
	const mm_value *in[3] = {q, k, v};
	mm_code r;
	q_dim(&d, qs, n - 1);
	q_dim(&dv, &v->shape, v->shape.ndim - 1);
	if (causal && cv->causal == MM_CAUSAL_EXACT)
		r = causal_scores(x, &per, qs, &k->shape);
	else {
		qty sq, sk;
		q_dim(&sq, qs, n - 2);
		q_dim(&sk, &k->shape, k->shape.ndim - 2);
		r = q_mul(x, &per, &sq, &sk);
		if (r == MM_OK && causal && cv->causal == MM_CAUSAL_HALF)
			r = q_div_u(x, &per, &per, 2);
	}
	if (r != MM_OK || (r = q_prod(x, &scores, qs, 0, n - 2)) != MM_OK ||
	    (r = q_mul(x, &scores, &scores, &per)) != MM_OK ||
	    (r = q_add(x, &d, &d, &dv)) != MM_OK ||
	    (r = q_mul(x, &macs, &scores, &d)) != MM_OK ||
	    (r = q_mul_u(x, &mmf, &macs, 2)) != MM_OK ||
	    (r = q_mul_u(x, &extra, &scores, (uint64_t)cv->attn_score)) != MM_OK ||
	    (r = q_add(x, &fl, &mmf, &extra)) != MM_OK ||
	    (r = q_traffic(x, &by, out, in, 3)) != MM_OK)
		return r;
	return finish(x, &fl, &macs, &mmf, &by, c);
}

mm_code mm_cost_data(mm_cost_ctx *x, const mm_value *out,
                     const mm_value *const *in, int nin, mm_cost *c)
{
	qty f, b;
	q_num(&f, MM_COUNT_ZERO);
	mm_code r = q_traffic(x, &b, out, in, nin);
	if (r != MM_OK)
		return r;
	return finish(x, &f, NULL, NULL, &b, c);
}

/* ---- convolution and pooling ---- */

/* conv2d: numel(out)·(C_in/groups)·kH·kW MACs, fvcore's conv count
 * (fvcore/nn/jit_handles.py, conv_flop_count: batch · prod(w.shape) ·
 * prod(out spatial)), which fvcore reports as its "flops", one per MAC;
 * 2 FLOPs per MAC here, as for matmul and as torch.utils.flop_counter's
 * conv_flop. The bias: 1 FLOP per output element for its add (neither
 * counter counts it; conventions without elementwise FLOPs drop it). */
mm_code mm_cost_conv2d(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *in, const mm_value *w,
                       const mm_value *bias, mm_cost *c)
{
	qty macs, k, fl, mmf, add, by;
	const mm_value *ops[3] = {in, w, bias};
	mm_code r;
	if ((r = q_numel(x, &macs, &out->shape)) != MM_OK ||
	    (r = q_prod(x, &k, &w->shape, 1, 4)) != MM_OK ||
	    (r = q_mul(x, &macs, &macs, &k)) != MM_OK ||
	    (r = q_mul_u(x, &mmf, &macs, 2)) != MM_OK ||
	    (r = q_numel(x, &add, &out->shape)) != MM_OK ||
	    (r = q_mul_u(x, &add, &add,
	                 bias && conv(x)->elementwise ? 1 : 0)) != MM_OK ||
	    (r = q_add(x, &fl, &mmf, &add)) != MM_OK ||
	    (r = q_traffic(x, &by, out, ops, bias ? 3 : 2)) != MM_OK)
		return r;
	return finish(x, &fl, &macs, &mmf, &by, c);
}

/* Pools: each output element reduces a window of kh·kw elements, at the
 * convention's FLOPs per element reduced (1: kh·kw - 1 comparisons
 * rounded up, or kh·kw - 1 adds and a division), as reductions count.
 * fvcore counts no pooling; DeepSpeed's profiler and ptflops count one
 * FLOP per input element, which is the same when the windows tile the
 * input (stride = kernel, no padding). */
mm_code mm_cost_pool2d(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *in, int64_t kh, int64_t kw,
                       mm_cost *c)
{
	qty f, b, win;
	mm_code r;
	q_num(&win, mm_count_mul(mm_count_of((uint64_t)kh),
	                         mm_count_of((uint64_t)kw)));
	if ((r = q_numel(x, &f, &out->shape)) != MM_OK ||
	    (r = q_mul(x, &f, &f, &win)) != MM_OK ||
	    (r = q_mul_u(x, &f, &f, (uint64_t)conv(x)->reduction)) != MM_OK ||
	    (r = q_traffic(x, &b, out, &in, 1)) != MM_OK)
		return r;
	return finish(x, &f, NULL, NULL, &b, c);
}

/* ---- mixture of experts ---- */

/* The weights of E (or k) experts and the router: d·E + n·(3 | 2)·d·f. */
static mm_code moe_params(mm_cost_ctx *x, const mm_shape *dims, qty *n_exp,
                          bool gated, qty *out)
{
	qty d, e, f, t;
	mm_code r;
	q_dim(&d, dims, 0);
	q_dim(&e, dims, 1);
	q_dim(&f, dims, 2);
	if ((r = q_mul(x, out, &d, &e)) != MM_OK ||
	    (r = q_mul(x, &t, &d, &f)) != MM_OK ||
	    (r = q_mul_u(x, &t, &t, gated ? 3 : 2)) != MM_OK ||
	    (r = q_mul(x, &t, &t, n_exp)) != MM_OK)
		return r;
	return q_add(x, out, out, &t);
}

mm_code mm_cost_moe_params(mm_cost_ctx *x, const mm_shape *dims,
                           int64_t top_k, bool gated, bool active,
                           mm_count *n, const mm_poly **p)
{
	qty k, out;
	if (active)
		q_num(&k, mm_count_of((uint64_t)top_k));
	else
		q_dim(&k, dims, 1);
	mm_code r = moe_params(x, dims, &k, gated, &out);
	if (r != MM_OK)
		return r;
	*n = out.sym ? MM_COUNT_ZERO : out.n;
	*p = NULL;
	if (out.sym && !(*p = keep(x, &out)))
		return mm_diag_set(x->diag, MM_ERR_NOMEM, (mm_span){0, 0},
		                   "out of memory");
	return MM_OK;
}

/* Mixtral's layer (Jiang et al. 2024, "Mixtral of Experts", and its
 * Hugging Face implementation): router logits x·W_g (matmul), the top k
 * of each token's E logits (1 FLOP per logit, as a reduction), a softmax
 * over the k kept; each token through k experts, an FFN whose matrices
 * are matmuls (gated: silu(x·W1) ⊙ (x·W3), then ·W2); the outputs summed
 * with the k weights (a multiply and an add per element, less the first
 * add). Experts not chosen cost nothing: the compute is the active
 * parameters', the memory all of them (mm_cost_moe_params). */
mm_code mm_cost_moe(mm_cost_ctx *x, const mm_value *out, const mm_value *in,
                    const mm_shape *dims, int64_t top_k, bool gated,
                    unsigned act_flops, const mm_value *const *weights,
                    int nweights, mm_cost *c)
{
	const mm_convention *cv = conv(x);
	uint64_t k = (uint64_t)top_k, ew = cv->elementwise ? 1 : 0;
	qty t, d, e, f, macs, m2, mmf, extra, q, by;
	mm_code r;
	q_dim(&d, dims, 0);
	q_dim(&e, dims, 1);
	q_dim(&f, dims, 2);
	if ((r = q_prod(x, &t, &in->shape, 0, in->shape.ndim - 1)) != MM_OK ||
	    /* the router, then k experts' matrices */
	    (r = q_mul(x, &macs, &t, &d)) != MM_OK ||
	    (r = q_mul(x, &macs, &macs, &e)) != MM_OK ||
	    (r = q_mul(x, &m2, &t, &d)) != MM_OK ||
	    (r = q_mul(x, &m2, &m2, &f)) != MM_OK ||
	    (r = q_mul_u(x, &m2, &m2, k * (gated ? 3 : 2))) != MM_OK ||
	    (r = q_add(x, &macs, &macs, &m2)) != MM_OK ||
	    (r = q_mul_u(x, &mmf, &macs, 2)) != MM_OK ||
	    /* the top-k choice, then the softmax over the k kept */
	    (r = q_mul(x, &extra, &t, &e)) != MM_OK ||
	    (r = q_mul_u(x, &extra, &extra, (uint64_t)cv->reduction)) != MM_OK ||
	    (r = q_mul_u(x, &q, &t, k * (uint64_t)cv->softmax)) != MM_OK ||
	    (r = q_add(x, &extra, &extra, &q)) != MM_OK ||
	    /* the activation and the gate per hidden element */
	    (r = q_mul(x, &q, &t, &f)) != MM_OK ||
	    (r = q_mul_u(x, &q, &q, k * ew * (act_flops + (gated ? 1 : 0)))) !=
	        MM_OK ||
	    (r = q_add(x, &extra, &extra, &q)) != MM_OK ||
	    /* the weighted sum of k outputs */
	    (r = q_mul(x, &q, &t, &d)) != MM_OK ||
	    (r = q_mul_u(x, &q, &q, ew * (2 * k - 1))) != MM_OK ||
	    (r = q_add(x, &extra, &extra, &q)) != MM_OK ||
	    (r = q_add(x, &extra, &extra, &mmf)) != MM_OK)
		return r;
	if ((r = q_traffic(x, &by, out, weights, nweights)) != MM_OK ||
	    (r = q_bytes(x, &q, in)) != MM_OK ||
	    (r = q_add(x, &by, &by, &q)) != MM_OK)
		return r;
	if (nweights == 0) { /* the implicit weights, all E experts' */
		qty all, per;
		q_dim(&e, dims, 1);
		unsigned bits = mm_dtype_bits(in->dtype);
		if ((r = moe_params(x, dims, &e, gated, &all)) != MM_OK ||
		    (r = bits % 8 ? q_div_u(x, &per, &all, 2)
		                  : q_mul_u(x, &per, &all, bits / 8)) != MM_OK ||
		    (r = q_add(x, &by, &by, &per)) != MM_OK)
			return r;
	}
	return finish(x, &extra, &macs, &mmf, &by, c);
}

