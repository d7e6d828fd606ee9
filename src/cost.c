/* cost.c — the cost conventions, each written once over quantities that
 * are exact counts while the dims are numbers and polynomials once a
 * symbol enters. */
#include <math.h>

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

/* qr: Householder QR of an m×n matrix (m >= n) is 2mn² − 2n³/3 FLOPs
 * (geqrf) and forming the reduced Q as much again (orgqr), LAPACK
 * Working Note 41; m and n swap for a wide matrix. Numeric dims only. */
mm_code mm_cost_qr(mm_cost_ctx *x, const mm_value *out, const mm_value *in,
                   mm_cost *c)
{
	int64_t m = in->shape.dim[0], n = in->shape.dim[1];
	double dm = (double)(m > n ? m : n), dn = (double)(m < n ? m : n);
	double fl = 2 * dm * dn * dn - 2 * dn * dn * dn / 3;
	qty f, b;
	q_num(&f, mm_count_from_double(round(2 * fl)));
	mm_code r = q_traffic(x, &b, out, &in, 1);
	if (r != MM_OK)
		return r;
	return finish(x, &f, NULL, NULL, &b, c);
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
