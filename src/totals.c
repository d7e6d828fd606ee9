/* totals.c — a statement's totals, from its graph (graph.c): every
 * operation's cost added once in evaluation order, distinct inputs read
 * once, peak memory by liveness; and the same as polynomials when dims
 * are symbolic. The walk stops at values other statements made. */
#include <math.h>
#include <string.h>

#include "mmcalc/builtin.h"
#include "mmcalc/check.h"
#include "mmcalc/graph.h"
#include "mmcalc/ops.h"

int mm_check_operands(const mm_node *e, mm_node **out)
{
	int n = 0;
	switch (e->kind) {
	case MM_N_BINARY:
		out[n++] = e->lhs;
		out[n++] = e->rhs;
		break;
	case MM_N_NEG: case MM_N_PLUS: case MM_N_TRANSPOSE: case MM_N_INDEX:
		out[n++] = e->lhs;
		break;
	case MM_N_NAME: /* a function's parameter or local: what it stands for */
		if (e->info && e->info->local)
			out[n++] = e->info->local;
		break;
	case MM_N_CALL:
		if (!e->info)
			break;
		if (e->info->repeat) { /* its body runs inside, L times */
			out[n++] = e->items[2];
			break;
		}
		if (e->info->body) { /* a user function: its body's result */
			out[n++] = e->info->body;
			break;
		}
		/* Arguments that are only looked at are not computed. */
		if (e->info->fn && !(e->info->fn->flags & MM_BF_INSPECT))
			for (int k = 0; k < e->n && n < MM_MAX_OPERANDS; k++)
				out[n++] = e->items[k];
		break;
	default:
		break;
	}
	return n;
}

/* What one element of a transcendental function costs, in gelus: the
 * time of vmath's kernel per element over gelu's, on one thread in cache
 * (AVX-512 on a Zen 5, best of 400 runs of 32768 floats in [-5, 5]; the
 * ratios hold within a few percent across runs, and the kernels are the
 * same polynomials on every path; measured again when gelu and softmax
 * got their fast forms). sin and cos are the C library's, element by element. A
 * softmax costs its exp and its max, sum and scale passes. */
static double gelus_per_element(const mm_info *i)
{
	mm_unop op;
	if (i->cls == MM_C_SOFTMAX)
		return 0.52;
	if (i->cls != MM_C_ELEMENTWISE || !i->fn ||
	    !mm_op_unop_parse(i->fn->name, &op))
		return 0;
	switch (op) {
	case MM_OP_EXP: return 0.23;
	case MM_OP_LOG: return 0.60;
	case MM_OP_TANH: return 0.41;
	case MM_OP_SIGMOID: return 0.56;
	case MM_OP_SILU: return 0.64;
	case MM_OP_ERF: return 1.29;
	case MM_OP_GELU: return 1;
	case MM_OP_GELU_TANH: return 0.85;
	case MM_OP_SIN: case MM_OP_COS: return 4.2;
	default: return 0;
	}
}

mm_count mm_check_transcendental(const mm_info *i)
{
	double w = gelus_per_element(i);
	if (w == 0)
		return MM_COUNT_ZERO;
	double n = mm_count_to_double(mm_cost_numel(&i->v.shape));
	return mm_count_from_double(round(n * w));
}

/* ---- totals: the graph's, stopping at other statements' values ---- */

void mm_check_totals(const mm_node *e, mm_totals *t)
{
	memset(t, 0, sizeof *t);
	if (!e->info || !e->info->g)
		return;
	mm_gtotals g;
	mm_diag d;
	if (mm_graph_totals(e->info->g, true, NULL, &g, &d) != MM_OK)
		return;
	t->flops = g.flops;
	t->macs = g.macs;
	t->matmul_flops = g.matmul_flops;
	t->transcendental = g.transcendental;
	t->bytes_in = g.bytes_in;
	t->bytes_out = g.bytes_out;
	t->bytes_peak = g.bytes_peak;
	t->bytes_alloc = g.bytes_alloc;
	t->nops = g.nops;
	t->nabstract = g.nabstract;
}

mm_code mm_check_totals_sym(const mm_node *e, mm_arena *arena,
                            mm_sym_totals *t, mm_diag *d)
{
	mm_gtotals g;
	if (!e->info || !e->info->g)
		return mm_diag_set(d, MM_ERR_TYPE, e->span, "not a tensor");
	mm_code r = mm_graph_totals(e->info->g, true, arena, &g, d);
	if (r != MM_OK)
		return d->span = e->span, r;
	if (!g.symbolic) { /* numbers as constant polynomials */
		mm_poly *p = mm_arena_alloc(arena, sizeof *p * 4);
		if (!p)
			return mm_diag_set(d, MM_ERR_NOMEM, e->span, "out of memory");
		mm_poly_from_count(&p[0], g.flops);
		mm_poly_from_count(&p[1], g.macs);
		mm_poly_from_count(&p[2], g.bytes_in);
		mm_poly_from_count(&p[3], g.bytes_out);
		g.sflops = &p[0], g.smacs = &p[1], g.sbytes_in = &p[2];
		g.sbytes_out = &p[3];
	}
	t->flops = g.sflops;
	t->macs = g.smacs;
	t->bytes_in = g.sbytes_in;
	t->bytes_out = g.sbytes_out;
	return MM_OK;
}
