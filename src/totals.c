/* totals.c — a statement's totals: every operation's cost added once in
 * evaluation order, distinct inputs read once, peak memory by liveness;
 * and the same as polynomials when dims are symbolic. */
#include <math.h>
#include <string.h>

#include "mmcalc/builtin.h"
#include "mmcalc/check.h"
#include "mmcalc/ops.h"

/* ---- totals ---- */

typedef struct walk {
	mm_totals *t;
	uint64_t seen_in[64];  /* inputs (or views' elements) counted in */
	uint64_t seen_new[64]; /* abstract inputs counted as allocations */
	int nin, nnew;
	mm_count live;      /* intermediates alive now */
	mm_count peak;      /* the most intermediates alive at once */
	mm_count new_leaves; /* leaves that execution would allocate */
} walk;

static bool seen(uint64_t *set, int *n, uint64_t id)
{
	for (int k = 0; k < *n; k++)
		if (set[k] == id)
			return true;
	if (*n < 64)
		set[(*n)++] = id;
	return false;
}

/* The statement reads `bytes` of the input `leaf` (all of it, or the
 * elements a view of it selects, told apart by `key`). An abstract input
 * is also allocated whole, once, when the statement runs. */
static void add_input(walk *w, const mm_node *leaf, uint64_t key,
                      mm_count bytes)
{
	const mm_info *li = leaf->info;
	if (!seen(w->seen_in, &w->nin, key))
		w->t->bytes_in = mm_count_add(w->t->bytes_in, bytes);
	if (!li->data &&
	    !seen(w->seen_new, &w->nnew, li->leaf_id)) {
		w->new_leaves = mm_count_add(w->new_leaves, li->v.bytes);
		w->t->nabstract++;
	}
}

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
	case MM_N_CALL:
		if (!e->info)
			break;
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
 * (AVX-512, best of 400 runs of 32768 floats; the ratios hold within a
 * few percent across runs, and the kernels are the same polynomials on
 * every path). sin and cos are the C library's, element by element. A
 * softmax costs its exp and its max, sum and scale passes. */
static double gelus_per_element(const mm_info *i)
{
	mm_unop op;
	if (i->cls == MM_C_SOFTMAX)
		return 0.71;
	if (i->cls != MM_C_ELEMENTWISE || !i->fn ||
	    !mm_op_unop_parse(i->fn->name, &op))
		return 0;
	switch (op) {
	case MM_OP_EXP: return 0.38;
	case MM_OP_LOG: return 0.55;
	case MM_OP_TANH: return 0.36;
	case MM_OP_SIGMOID: return 0.52;
	case MM_OP_SILU: return 0.59;
	case MM_OP_ERF: return 0.94;
	case MM_OP_GELU: return 1;
	case MM_OP_GELU_TANH: return 1.5;
	case MM_OP_SIN: case MM_OP_COS: return 7.6;
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

/* Returns the bytes of intermediates this node's result keeps alive. */
static mm_count walk_node(walk *w, const mm_node *e)
{
	const mm_info *i = e->info;
	if (!i || i->v.kind != MM_K_TENSOR)
		return MM_COUNT_ZERO;
	if (i->leaf) {
		add_input(w, e, i->leaf_id, i->v.bytes);
		return MM_COUNT_ZERO;
	}
	mm_node *kids[MM_MAX_OPERANDS];
	if (i->view && i->view_key) {
		/* A view of an input reads only its elements: W[0, :] @ x
		 * reads a row of W, not all of it. */
		const mm_node *base = e;
		while (!base->info->leaf && mm_check_operands(base, kids) > 0)
			base = kids[0];
		if (base->info->leaf) {
			add_input(w, base, i->view_key, i->v.bytes);
			return MM_COUNT_ZERO;
		}
	}
	int nk = mm_check_operands(e, kids);
	mm_count held = MM_COUNT_ZERO;
	for (int k = 0; k < nk; k++)
		held = mm_count_add(held, walk_node(w, kids[k]));
	if (i->view)
		return held; /* the view keeps its operand's memory alive */
	w->t->flops = mm_count_add(w->t->flops, i->cost.flops);
	w->t->macs = mm_count_add(w->t->macs, i->cost.macs);
	w->t->matmul_flops = mm_count_add(w->t->matmul_flops,
	                                  i->cost.matmul_flops);
	w->t->transcendental = mm_count_add(w->t->transcendental,
	                                    mm_check_transcendental(i));
	if (!mm_count_is_zero(i->cost.flops) || i->cls != MM_C_NONE)
		w->t->nops++;
	mm_count out = i->v.bytes;
	w->live = mm_count_add(w->live, out);
	w->peak = mm_count_max(w->peak, w->live);
	w->live = mm_count_sub(w->live, held);
	return out;
}

void mm_check_totals(const mm_node *e, mm_totals *t)
{
	memset(t, 0, sizeof *t);
	walk w = {.t = t};
	walk_node(&w, e);
	if (e->info && e->info->v.kind == MM_K_TENSOR)
		t->bytes_out = mm_cost_tensor_bytes(&e->info->v.shape,
		                                    e->info->v.dtype);
	t->bytes_peak = mm_count_add(t->bytes_in, w.peak);
	/* The result of a bare leaf (a name, a literal) is the input itself. */
	if (e->info && e->info->leaf)
		t->bytes_peak = t->bytes_in;
	t->bytes_alloc = mm_count_add(w.new_leaves, w.peak);
}

/* ---- symbolic totals ---- */

typedef struct symwalk {
	mm_cost_ctx c;         /* for the poly helpers: arena and diag */
	mm_sym_totals *t;
	uint64_t seen[64];
	int nseen;
} symwalk;

static mm_code sym_add(symwalk *w, mm_poly *acc, const mm_poly *p, mm_count n)
{
	mm_poly q;
	if (!p) {
		mm_poly_from_count(&q, n);
		p = &q;
	}
	return mm_poly_add(acc, acc, p, w->c.diag);
}

static mm_code sym_walk(symwalk *w, const mm_node *e)
{
	const mm_info *i = e->info;
	mm_code r;
	if (!i || i->v.kind != MM_K_TENSOR)
		return MM_OK;
	if (i->leaf) {
		for (int k = 0; k < w->nseen; k++)
			if (w->seen[k] == i->leaf_id)
				return MM_OK;
		if (w->nseen < 64)
			w->seen[w->nseen++] = i->leaf_id;
		mm_poly b;
		if ((r = mm_cost_bytes_poly(&w->c, &i->v.shape, i->v.dtype, &b)) != MM_OK)
			return r;
		return mm_poly_add(w->t->bytes_in, w->t->bytes_in, &b, w->c.diag);
	}
	mm_node *kids[MM_MAX_OPERANDS];
	int nk = mm_check_operands(e, kids);
	for (int k = 0; k < nk; k++)
		if ((r = sym_walk(w, kids[k])) != MM_OK)
			return r;
	if (i->view)
		return MM_OK;
	if ((r = sym_add(w, w->t->flops, i->cost.sflops, i->cost.flops)) != MM_OK ||
	    (r = sym_add(w, w->t->macs, i->cost.smacs, i->cost.macs)) != MM_OK)
		return r;
	return MM_OK;
}

mm_code mm_check_totals_sym(const mm_node *e, mm_arena *arena,
                            mm_sym_totals *t, mm_diag *d)
{
	symwalk w = {0};
	w.c.arena = arena;
	w.c.diag = d;
	w.t = t;
	mm_poly *p = mm_arena_alloc(arena, sizeof *p * 4);
	if (!p)
		return mm_diag_set(d, MM_ERR_NOMEM, e->span, "out of memory");
	t->flops = &p[0];
	t->macs = &p[1];
	t->bytes_in = &p[2];
	t->bytes_out = &p[3];
	for (int k = 0; k < 4; k++)
		mm_poly_const(&p[k], 0);
	mm_code r = sym_walk(&w, e);
	if (r == MM_OK && e->info && e->info->v.kind == MM_K_TENSOR)
		r = mm_cost_bytes_poly(&w.c, &e->info->v.shape, e->info->v.dtype,
		                       t->bytes_out);
	return r == MM_OK ? MM_OK : (d->span = e->span, r);
}
