/* cost_nn.c — the costs of the layers of modern models: logsumexp,
 * rmsnorm, swiglu, gathers, cross_entropy and einsum. */
#include "cost_int.h"

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
	return mm_cq_per_element(x, out, in, nin, (uint64_t)(per > 1 ? per - 1 : 0),
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
