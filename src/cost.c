/* cost.c — the cost conventions, each written once over quantities that
 * are exact counts while the dims are numbers and polynomials once a
 * symbol enters. */
#include <math.h>
#include <string.h>

#include "mmcalc/cost.h"

/* A quantity of a formula: a count, or a polynomial when symbolic. */
typedef struct qty {
	bool sym;
	mm_count n;
	mm_poly p;
} qty;

static inline void q_num(qty *q, mm_count n)
{
	q->sym = false;
	q->n = n;
}

/* q as a polynomial (a count becomes a constant). */
static const mm_poly *as_poly(const qty *q, mm_poly *tmp)
{
	if (q->sym)
		return &q->p;
	mm_poly_from_count(tmp, q->n);
	return tmp;
}

static inline mm_code q_add(mm_cost_ctx *x, qty *out, const qty *a, const qty *b)
{
	if (!a->sym && !b->sym) {
		q_num(out, mm_count_add(a->n, b->n));
		return MM_OK;
	}
	mm_poly ta, tb, r;
	mm_code c = mm_poly_add(&r, as_poly(a, &ta), as_poly(b, &tb), x->diag);
	if (c == MM_OK) {
		out->sym = true;
		out->p = r;
	}
	return c;
}

static mm_code q_sub(mm_cost_ctx *x, qty *out, const qty *a, const qty *b)
{
	if (!a->sym && !b->sym) {
		q_num(out, mm_count_sub(a->n, b->n)); /* callers keep a >= b */
		return MM_OK;
	}
	mm_poly ta, tb, r;
	mm_code c = mm_poly_sub(&r, as_poly(a, &ta), as_poly(b, &tb), x->diag);
	if (c == MM_OK) {
		out->sym = true;
		out->p = r;
	}
	return c;
}

static inline mm_code q_mul(mm_cost_ctx *x, qty *out, const qty *a, const qty *b)
{
	if (!a->sym && !b->sym) {
		q_num(out, mm_count_mul(a->n, b->n));
		return MM_OK;
	}
	mm_poly ta, tb, r;
	mm_code c = mm_poly_mul(&r, as_poly(a, &ta), as_poly(b, &tb), x->diag);
	if (c == MM_OK) {
		out->sym = true;
		out->p = r;
	}
	return c;
}

static inline mm_code q_mul_u(mm_cost_ctx *x, qty *out, const qty *a, uint64_t k)
{
	qty kk;
	q_num(&kk, mm_count_of(k));
	return q_mul(x, out, a, &kk);
}

/* a / k: exact when k divides a (or symbolically, a fraction). */
static mm_code q_div_u(mm_cost_ctx *x, qty *out, const qty *a, uint64_t k)
{
	if (!a->sym) {
		q_num(out, mm_count_div_u(a->n, k));
		return MM_OK;
	}
	mm_poly den, r;
	mm_poly_const(&den, (int64_t)k);
	mm_code c = mm_poly_div(&r, &a->p, &den, x->diag);
	if (c == MM_OK) {
		out->sym = true;
		out->p = r;
	}
	return c;
}

/* Dim k of s. */
static inline void q_dim(qty *q, const mm_shape *s, int k)
{
	if (s->sym[k]) {
		q->sym = true;
		q->p = *s->sym[k];
	} else {
		q_num(q, mm_count_of((uint64_t)s->dim[k]));
	}
}

/* The product of dims [from, to) of s, with a symbol among them. */
static mm_code q_prod_sym(mm_cost_ctx *x, qty *out, const mm_shape *s,
                         int from, int to)
{
	mm_code c = MM_OK;
	q_num(out, mm_count_of(1));
	for (int k = from; k < to && c == MM_OK; k++) {
		qty d;
		q_dim(&d, s, k);
		c = q_mul(x, out, out, &d);
	}
	return c;
}

/* The product of dims [from, to) of s. */
static inline mm_code q_prod(mm_cost_ctx *x, qty *out, const mm_shape *s,
                             int from, int to)
{
	if (mm_shape_is_symbolic(s))
		return q_prod_sym(x, out, s, from, to);
	mm_count n = mm_count_of(1);
	for (int k = from; k < to; k++)
		n = mm_count_mul(n, mm_count_of((uint64_t)s->dim[k]));
	q_num(out, n);
	return MM_OK;
}

static inline mm_code q_numel(mm_cost_ctx *x, qty *out, const mm_shape *s)
{
	return q_prod(x, out, s, 0, s->ndim);
}

/* Bytes of a value: a tensor's elements at its dtype, 0 for a number. */
static inline mm_code q_bytes(mm_cost_ctx *x, qty *out, const mm_value *v)
{
	if (v->kind != MM_K_TENSOR) {
		q_num(out, MM_COUNT_ZERO);
		return MM_OK;
	}
	if (!mm_shape_is_symbolic(&v->shape)) {
		q_num(out, v->bytes); /* counted when the value was made */
		return MM_OK;
	}
	out->sym = true;
	return mm_cost_bytes_poly(x, &v->shape, v->dtype, &out->p);
}

/* out's bytes plus every operand's. */
static inline mm_code q_traffic(mm_cost_ctx *x, qty *out, const mm_value *res,
                         const mm_value *const *in, int nin)
{
	mm_code c = q_bytes(x, out, res);
	for (int k = 0; k < nin && c == MM_OK; k++) {
		qty b;
		if ((c = q_bytes(x, &b, in[k])) == MM_OK)
			c = q_add(x, out, out, &b);
	}
	return c;
}

static const mm_poly *keep(mm_cost_ctx *x, const qty *q)
{
	mm_poly tmp;
	mm_poly *p = mm_arena_alloc(x->arena, sizeof *p);
	if (p)
		*p = *as_poly(q, &tmp);
	return p;
}

/* Stores flops, macs (NULL: none), matmul flops (NULL: none) and bytes
 * into c: as counts, or all as polynomials when any is symbolic. */
static mm_code finish(mm_cost_ctx *x, const qty *flops, const qty *macs,
                      const qty *mm, const qty *bytes, mm_cost *c)
{
	*c = (mm_cost){0};
	bool sym = flops->sym || bytes->sym || (macs && macs->sym);
	if (!sym) {
		c->flops = flops->n;
		c->macs = macs ? macs->n : MM_COUNT_ZERO;
		c->matmul_flops = mm ? mm->n : MM_COUNT_ZERO;
		c->bytes = bytes->n;
		return MM_OK;
	}
	qty zero;
	q_num(&zero, MM_COUNT_ZERO);
	if (!(c->sflops = keep(x, flops)) ||
	    !(c->smacs = keep(x, macs ? macs : &zero)) ||
	    !(c->sbytes = keep(x, bytes)))
		return mm_diag_set(x->diag, MM_ERR_NOMEM, (mm_span){0, 0},
		                   "out of memory");
	return MM_OK;
}

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

static const mm_convention *conv(const mm_cost_ctx *x)
{
	return x->conv ? x->conv : &conventions[0].c;
}

/* Elementwise operators and functions: `per` FLOPs for each output
 * element, as fvcore and DeepSpeed's profiler count them (a
 * transcendental function counts 1 like any other, and the man page says
 * so); the FLOPS column of unary.def gives each function's. Conventions
 * that count matmuls only make it 0. */
static mm_code per_element(mm_cost_ctx *x, const mm_value *out,
                           const mm_value *const *in, int nin, uint64_t per,
                           mm_cost *c);

mm_code mm_cost_elementwise(mm_cost_ctx *x, const mm_value *out,
                            const mm_value *const *in, int nin,
                            unsigned per, mm_cost *c)
{
	return per_element(x, out, in, nin, conv(x)->elementwise ? per : 0, c);
}

static mm_code per_element(mm_cost_ctx *x, const mm_value *out,
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
	return per_element(x, out, &in, 1, (uint64_t)conv(x)->softmax, c);
}

/* layernorm: 4 FLOPs per element (mean, subtract, variance, normalise),
 * 5 with the elementwise scale and shift, as fvcore's layer_norm. */
mm_code mm_cost_layernorm(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *const *in, int nin, mm_cost *c)
{
	const mm_convention *k = conv(x);
	return per_element(x, out, in, nin,
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

/* ---- linear algebra ---- */

/* A term of a count: coef · m^e[0] · n^e[1] · r^e[2]. */
typedef struct la_term {
	int64_t coef;
	int8_t e[3];
} la_term;

/* The sum of nt terms over den (which divides it exactly, as the counts
 * of LAPACK Working Note 41 do for integer sizes), of the quantities
 * v[0..3) (m, n, r). */
static mm_code la_formula(mm_cost_ctx *x, qty *out, const qty v[3],
                          const la_term *t, int nt, uint64_t den)
{
	bool sym = v[0].sym || v[1].sym || v[2].sym;
	qty pos, neg, one;
	mm_code r = MM_OK;
	q_num(&one, mm_count_of(1));
	q_num(&pos, MM_COUNT_ZERO);
	q_num(&neg, MM_COUNT_ZERO);
	for (int i = 0; i < nt && r == MM_OK; i++) {
		qty term = one;
		for (int j = 0; j < 3 && r == MM_OK; j++)
			for (int p = 0; p < t[i].e[j] && r == MM_OK; p++)
				r = q_mul(x, &term, &term, &v[j]);
		int64_t cf = t[i].coef;
		if (r == MM_OK)
			r = q_mul_u(x, &term, &term, (uint64_t)(cf < 0 ? -cf : cf));
		if (r == MM_OK)
			r = cf < 0 ? q_add(x, &neg, &neg, &term)
			           : q_add(x, &pos, &pos, &term);
	}
	if (r != MM_OK)
		return r;
	if (!sym && mm_count_cmp(pos.n, neg.n) < 0)
		q_num(out, MM_COUNT_ZERO); /* only below a size of 1 */
	else if ((r = q_sub(x, out, &pos, &neg)) != MM_OK)
		return r;
	return q_div_u(x, out, out, den);
}

/* The counts, each a sum of terms over a denominator; m, n, r are the
 * rows, the columns and the right-hand sides. From dopla.f (LAPACK's
 * timing suite, the formulas of LAWN 41's tables), multiplications plus
 * additions. */
#define T(c, a, b, d) {c, {a, b, d}}
/* dgetrf, n×n: 2n³/3 - n²/2 - n/6 */
static const la_term getrf[] = {T(4, 0, 3, 0), T(-3, 0, 2, 0), T(-1, 0, 1, 0)};
/* dgetrs: r·(2n² - n), over 6 to add to dgetrf's */
static const la_term getrs6[] = {T(12, 0, 2, 1), T(-6, 0, 1, 1)};
/* dpotrf: n³/3 + n²/2 + n/6 */
static const la_term potrf[] = {T(2, 0, 3, 0), T(3, 0, 2, 0), T(1, 0, 1, 0)};
/* dgeqrf, m >= n: 2mn² - 2n³/3 + mn + n² + 14n/3 */
static const la_term geqrf[] = {T(6, 1, 2, 0), T(-2, 0, 3, 0), T(3, 1, 1, 0),
                                T(3, 0, 2, 0), T(14, 0, 1, 0)};
/* dgeqrf, m < n: 2nm² - 2m³/3 + 3mn - m² + 14m/3 */
static const la_term geqrf_wide[] = {T(6, 2, 1, 0), T(-2, 3, 0, 0),
                                     T(9, 1, 1, 0), T(-3, 2, 0, 0),
                                     T(14, 1, 0, 0)};
/* dorgqr forming the m×m Q of m reflectors (a wide A): 4m³/3 + m² -
 * 4m/3 */
static const la_term orgqr_sq[] = {T(4, 3, 0, 0), T(3, 2, 0, 0),
                                   T(-4, 1, 0, 0)};
/* dorgqr forming the m×n Q of n reflectors: 2mn² - 2n³/3 + 2n² - mn -
 * 4n/3 (from dopla's m, n, k = m, n, n) */
static const la_term orgqr[] = {T(6, 1, 2, 0), T(-2, 0, 3, 0), T(6, 0, 2, 0),
                                T(-3, 1, 1, 0), T(-4, 0, 1, 0)};
/* dormqr (Qᵀ·b, side L, k = n) r·(4mn + 3n - 2n²) and dtrtrs r·n²,
 * over 3 to add to dgeqrf's */
static const la_term lsq_rhs3[] = {T(12, 1, 1, 1), T(9, 0, 1, 1),
                                   T(-3, 0, 2, 1)};
/* dgebrd, the bidiagonal reduction of the singular values (m >= n):
 * 4mn² - 4n³/3 + 3n² - mn + 25n/3 (the QR sweeps on the bidiagonal
 * after it, O(n²) each and as many as the data need, are not counted,
 * as LAWN 41 counts no iterative routine) */
static const la_term gebrd[] = {T(12, 1, 2, 0), T(-4, 0, 3, 0),
                                T(9, 0, 2, 0), T(-3, 1, 1, 0),
                                T(25, 0, 1, 0)};
/* dgebrd of the n×n R after a QR (the R-SVD path), over 3 */
static const la_term gebrd_r[] = {T(8, 0, 3, 0), T(6, 0, 2, 0),
                                  T(25, 0, 1, 0)};
/* the SVD with the thin U and V (m >= n), Golub & Van Loan, Matrix
 * Computations (3rd ed.), §5.4.5: Golub–Reinsch 14mn² + 8n³, R-SVD (a
 * QR first) 6mn² + 20n³ (LAWN 41 has no count for the iterative SVD) */
static const la_term gr_usv[] = {T(14, 1, 2, 0), T(8, 0, 3, 0)};
static const la_term rsvd_usv[] = {T(6, 1, 2, 0), T(20, 0, 3, 0)};
#undef T

#define LA(x, out, v, t, den) la_formula(x, out, v, t, sizeof t / sizeof *t, den)

/* m and n of a matrix (…, m, n), swapped so that m >= n when want_tall
 * (with symbols, assumed and recorded). */
static mm_code la_sides(mm_cost_ctx *x, const mm_shape *s, bool want_tall,
                        qty *m, qty *n)
{
	int nd = s->ndim;
	q_dim(m, s, nd - 2);
	q_dim(n, s, nd - 1);
	if (!want_tall)
		return MM_OK;
	if (!m->sym && !n->sym) {
		if (mm_count_cmp(m->n, n->n) < 0) {
			qty t = *m;
			*m = *n;
			*n = t;
		}
		return MM_OK;
	}
	mm_poly a, b;
	if (!mm_poly_eq(as_poly(m, &a), as_poly(n, &b)) &&
	    !mm_shape_assume(x->assume, s, nd - 1, " <= ", s, nd - 2, x->diag))
		return MM_ERR_SHAPE;
	return MM_OK;
}

/* Per matrix, the count of op on m×n (tall: m >= n where it matters). */
static mm_code la_per_matrix(mm_cost_ctx *x, mm_la_cost op, qty v[3],
                             qty *out)
{
	qty t, u;
	mm_code r;
	const qty *m = &v[0], *n = &v[1];
	bool rsvd = !m->sym && !n->sym &&
	            m->n.value * 5 >= n->n.value * 8; /* m >= 1.6·n */
	bool wide = !m->sym && !n->sym && mm_count_cmp(m->n, n->n) < 0;
	switch (op) {
	case MM_LA_SOLVE:
	case MM_LA_INV: {
		la_term both[5];
		memcpy(both, getrf, sizeof getrf);
		memcpy(both + 3, getrs6, sizeof getrs6);
		if (op == MM_LA_INV)
			v[2] = v[1];
		return la_formula(x, out, v, both, 5, 6);
	}
	case MM_LA_DET:
		if ((r = LA(x, &t, v, getrf, 6)) != MM_OK)
			return r;
		return q_add(x, out, &t, n);
	case MM_LA_CHOLESKY:
		return LA(x, out, v, potrf, 6);
	case MM_LA_QR_R:
		return wide ? LA(x, out, v, geqrf_wide, 3) : LA(x, out, v, geqrf, 3);
	case MM_LA_QR:
		if ((r = wide ? LA(x, &t, v, geqrf_wide, 3)
		              : LA(x, &t, v, geqrf, 3)) != MM_OK ||
		    (r = wide ? LA(x, &u, v, orgqr_sq, 3)
		              : LA(x, &u, v, orgqr, 3)) != MM_OK)
			return r;
		return q_add(x, out, &t, &u);
	case MM_LA_LSTSQ: {
		la_term all[8];
		memcpy(all, geqrf, sizeof geqrf);
		memcpy(all + 5, lsq_rhs3, sizeof lsq_rhs3);
		return la_formula(x, out, v, all, 8, 3);
	}
	case MM_LA_SVD:
		return rsvd ? LA(x, out, v, rsvd_usv, 1) : LA(x, out, v, gr_usv, 1);
	case MM_LA_SVDVALS: /* dgebrd, after dgeqrf on the R-SVD path */
		if (!rsvd)
			return LA(x, out, v, gebrd, 3);
		if ((r = LA(x, &t, v, geqrf, 3)) != MM_OK ||
		    (r = LA(x, &u, v, gebrd_r, 3)) != MM_OK)
			return r;
		return q_add(x, out, &t, &u);
	}
	return MM_OK;
}

/* A wide lstsq (m < n) goes through the SVD of A: its count, then Uᵀ·b,
 * the division by S and V·(…): r·(2m² + m + 2mn) for k = m. */
static mm_code la_lstsq_wide(mm_cost_ctx *x, qty v[3], qty *out)
{
	qty w[3] = {v[1], v[0], v[2]}, t;
	static const la_term rhs[] = {{2, {2, 0, 1}}, {1, {1, 0, 1}},
	                              {2, {1, 1, 1}}};
	mm_code r = la_per_matrix(x, MM_LA_SVD, w, out);
	if (r == MM_OK && (r = LA(x, &t, v, rhs, 1)) == MM_OK)
		r = q_add(x, out, out, &t);
	return r;
}

mm_code mm_cost_linalg(mm_cost_ctx *x, mm_la_cost op, const mm_value *out,
                       const mm_value *a, const mm_value *b, mm_cost *c)
{
	const mm_shape *as = &a->shape;
	qty v[3], per, stack, fl, by;
	mm_code r;
	bool tall = op == MM_LA_SVD || op == MM_LA_SVDVALS;
	q_num(&v[2], mm_count_of(1));
	if ((r = la_sides(x, as, tall, &v[0], &v[1])) != MM_OK)
		return r;
	int lead = as->ndim - 2;
	const mm_shape *ls = as;
	if (op == MM_LA_SOLVE) { /* b a stack of vectors, or of matrices */
		bool vec = b->shape.ndim == as->ndim - 1;
		ls = &out->shape;
		lead = out->shape.ndim - (vec ? 1 : 2);
		if (!vec)
			q_dim(&v[2], &out->shape, out->shape.ndim - 1);
	} else if (op == MM_LA_LSTSQ && b->shape.ndim == 2) {
		q_dim(&v[2], &b->shape, 1);
	}
	bool wide = op == MM_LA_LSTSQ && !v[0].sym && !v[1].sym &&
	            mm_count_cmp(v[0].n, v[1].n) < 0;
	bool qr = op == MM_LA_QR || op == MM_LA_QR_R;
	if ((op == MM_LA_LSTSQ || qr) && (v[0].sym || v[1].sym)) {
		mm_poly p, q;
		if (!mm_poly_eq(as_poly(&v[0], &p), as_poly(&v[1], &q)) &&
		    !mm_shape_assume(x->assume, as, as->ndim - 1, " <= ", as,
		                     as->ndim - 2, x->diag))
			return MM_ERR_SHAPE;
	}
	const mm_value *in[2] = {a, b};
	if ((r = wide ? la_lstsq_wide(x, v, &per)
	              : la_per_matrix(x, op, v, &per)) != MM_OK ||
	    (r = q_prod(x, &stack, ls, 0, lead)) != MM_OK ||
	    (r = q_mul(x, &fl, &per, &stack)) != MM_OK ||
	    (r = q_traffic(x, &by, out, in, b ? 2 : 1)) != MM_OK)
		return r;
	return finish(x, &fl, NULL, NULL, &by, c);
}

mm_code mm_cost_qr(mm_cost_ctx *x, const mm_value *out, const mm_value *in,
                   mm_cost *c)
{
	return mm_cost_linalg(x, MM_LA_QR, out, in, NULL, c);
}

/* logsumexp: softmax without its division, per input element: the max,
 * the subtraction, exp and the sum (4 under mmcalc's 5 for softmax); the
 * log of each result is not counted, as softmax's division by the sum
 * is counted once per element, not per row. */
mm_code mm_cost_logsumexp(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *in, mm_cost *c)
{
	int64_t per = conv(x)->softmax > 1 ? conv(x)->softmax - 1 : 0;
	qty f, b;
	mm_code r;
	if ((r = q_numel(x, &f, &in->shape)) != MM_OK ||
	    (r = q_mul_u(x, &f, &f, (uint64_t)per)) != MM_OK ||
	    (r = q_traffic(x, &b, out, &in, 1)) != MM_OK)
		return r;
	return finish(x, &f, NULL, NULL, &b, c);
}

/* rmsnorm over the last axis: layernorm's FLOPs per element less the
 * mean's subtraction (3, and 4 with the weight, under mmcalc's 4 and 5):
 * the square, the sum and the scaling by 1/rms, then the weight. (calflops
 * counts F.rms_norm as layernorm; fvcore and PyTorch do not count it.) */
mm_code mm_cost_rmsnorm(mm_cost_ctx *x, const mm_value *out,
                        const mm_value *const *in, int nin, mm_cost *c)
{
	const mm_convention *k = conv(x);
	int64_t per = nin > 1 ? k->layernorm_affine : k->layernorm;
	return per_element(x, out, in, nin, (uint64_t)(per > 1 ? per - 1 : 0),
	                   c);
}

/* swiglu(x, W1, W3) = silu(x @ W1) · (x @ W3), out (.., f) from x (.., d):
 * the two matmuls (numel(out)·d MACs each, 2 FLOPs per MAC, as matmul),
 * then silu_per FLOPs (unary.def's silu) and the product, 1, per output
 * element (elementwise, so 0 under the matmul-only conventions). Bytes: x,
 * W1 and W3 read, out written; the two products are not (fused). */
mm_code mm_cost_swiglu(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *const *in, unsigned silu_per,
                       mm_cost *c)
{
	qty macs, d, fl, mmf, ew, by;
	mm_code r;
	const mm_shape *xs = &in[0]->shape;
	q_dim(&d, xs, xs->ndim - 1);
	uint64_t per = conv(x)->elementwise ? silu_per + 1 : 0;
	if ((r = q_numel(x, &macs, &out->shape)) != MM_OK ||
	    (r = q_mul_u(x, &ew, &macs, per)) != MM_OK ||
	    (r = q_mul(x, &macs, &macs, &d)) != MM_OK ||
	    (r = q_mul_u(x, &macs, &macs, 2)) != MM_OK ||
	    (r = q_mul_u(x, &mmf, &macs, 2)) != MM_OK ||
	    (r = q_add(x, &fl, &mmf, &ew)) != MM_OK ||
	    (r = q_traffic(x, &by, out, in, 3)) != MM_OK)
		return r;
	return finish(x, &fl, &macs, &mmf, &by, c);
}

/* A gather, take or embedding: 0 FLOPs, as PyTorch's flop counter and
 * DeepSpeed's profiler count F.embedding; bytes: the ids and the rows
 * gathered (out's size at the table's dtype) read, out written. With the
 * convention's embedding = 1 (Chinchilla), an embedding is instead the
 * product of one-hot rows with the table: 2·ids·rows·dim FLOPs. */
mm_code mm_cost_gather(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *table, const mm_value *ids,
                       bool embedding, mm_cost *c)
{
	qty f, b, o, t;
	mm_code r;
	if ((r = q_bytes(x, &o, out)) != MM_OK ||
	    (r = q_bytes(x, &b, ids)) != MM_OK ||
	    (r = q_add(x, &b, &b, &o)) != MM_OK ||
	    (r = q_add(x, &b, &b, &o)) != MM_OK)
		return r;
	q_num(&f, MM_COUNT_ZERO);
	if (embedding && conv(x)->embedding && table->shape.ndim == 2) {
		if ((r = q_numel(x, &f, &out->shape)) != MM_OK)
			return r;
		q_dim(&t, &table->shape, 0);
		if ((r = q_mul(x, &f, &f, &t)) != MM_OK ||
		    (r = q_mul_u(x, &f, &f, 2)) != MM_OK)
			return r;
		return finish(x, &f, NULL, &f, &b, c);
	}
	return finish(x, &f, NULL, NULL, &b, c);
}

/* cross_entropy(logits, targets): the log-softmax over the classes at
 * softmax's FLOPs per logit (5: the max, the subtraction, exp, the sum
 * and the final subtraction in place of the division), the gather of
 * each target's value free, then the mean (or sum) at the reduction's 1
 * per target (none without it). No counter we know counts the loss;
 * this is the convention's own, stated in mmcalc(1). */
mm_code mm_cost_cross_entropy(mm_cost_ctx *x, const mm_value *out,
                              const mm_value *logits, const mm_value *targets,
                              bool reduced, mm_cost *c)
{
	const mm_value *in[2] = {logits, targets};
	qty f, g, b;
	mm_code r;
	if ((r = q_numel(x, &f, &logits->shape)) != MM_OK ||
	    (r = q_mul_u(x, &f, &f, (uint64_t)conv(x)->softmax)) != MM_OK ||
	    (r = q_numel(x, &g, &targets->shape)) != MM_OK ||
	    (r = q_mul_u(x, &g, &g, reduced ? (uint64_t)conv(x)->reduction : 0))
	        != MM_OK ||
	    (r = q_add(x, &f, &f, &g)) != MM_OK ||
	    (r = q_traffic(x, &b, out, in, 2)) != MM_OK)
		return r;
	return finish(x, &f, NULL, NULL, &b, c);
}

/* einsum: the product of every distinct letter's size (the dims of
 * lab[0..nlab)), as opt_einsum's flop_count (which numpy.einsum_path
 * reports) counts a contraction. Two operands with a summed letter: that
 * many MACs, 2 FLOPs each, on the matmul line; without one (an outer or
 * elementwise product), 1 FLOP each, elementwise. One operand: a sum, 1
 * FLOP per element of its (diagonal) view, as a reduction. */
mm_code mm_cost_einsum(mm_cost_ctx *x, const mm_value *out,
                       const mm_value *const *in, int nin,
                       const mm_shape *lab, int nlab, bool summed,
                       mm_cost *c)
{
	qty prod, p2, fl, by;
	mm_code r;
	q_num(&prod, mm_count_of(1));
	for (int k = 0; k < nlab; k++) {
		if ((r = q_numel(x, &p2, &lab[k])) != MM_OK ||
		    (r = q_mul(x, &prod, &prod, &p2)) != MM_OK)
			return r;
	}
	if ((r = q_traffic(x, &by, out, in, nin)) != MM_OK)
		return r;
	if (nin == 2 && summed) {
		if ((r = q_mul_u(x, &fl, &prod, 2)) != MM_OK)
			return r;
		return finish(x, &fl, &prod, &fl, &by, c);
	}
	uint64_t per = nin == 2 ? (conv(x)->elementwise ? 1 : 0)
	                        : (uint64_t)conv(x)->reduction;
	if ((r = q_mul_u(x, &fl, &prod, per)) != MM_OK)
		return r;
	return finish(x, &fl, NULL, NULL, &by, c);
}

/* einsum of more than two operands: the sum of its steps, each as
 * mm_cost_einsum counts a contraction of two (opt_einsum's flop_count of
 * each pair, which numpy.einsum_path adds up the same way). */
mm_code mm_cost_einsum_steps(mm_cost_ctx *x, const mm_value *out,
                             const mm_value *const *in, int nin,
                             const mm_shape *lab, const int *nlab,
                             const bool *summed, int nsteps, mm_cost *c)
{
	qty fl, mac, mmf, by, prod, p2;
	mm_code r;
	q_num(&fl, MM_COUNT_ZERO);
	q_num(&mac, MM_COUNT_ZERO);
	for (int s = 0; s < nsteps; s++) {
		q_num(&prod, mm_count_of(1));
		for (int k = 0; k < nlab[s]; k++)
			if ((r = q_numel(x, &p2, &lab[2 * s + k])) != MM_OK ||
			    (r = q_mul(x, &prod, &prod, &p2)) != MM_OK)
				return r;
		uint64_t per = summed[s] ? 2 : conv(x)->elementwise ? 1 : 0;
		if ((r = q_mul_u(x, &p2, &prod, per)) != MM_OK ||
		    (r = q_add(x, &fl, &fl, &p2)) != MM_OK ||
		    (summed[s] && (r = q_add(x, &mac, &mac, &prod)) != MM_OK))
			return r;
	}
	if ((r = q_mul_u(x, &mmf, &mac, 2)) != MM_OK ||
	    (r = q_traffic(x, &by, out, in, nin)) != MM_OK)
		return r;
	return finish(x, &fl, &mac, &mmf, &by, c);
}
