/* solve.c — shapes for holes, by walking from the result down to the '?'
 * and inverting one operation at a time. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/solve.h"

static int count_holes(const mm_node *e, const mm_node **hole)
{
	if (!e)
		return 0;
	if (e->kind == MM_N_HOLE) {
		*hole = e;
		return 1;
	}
	int n = count_holes(e->lhs, hole) + count_holes(e->rhs, hole);
	for (int k = 0; k < 3; k++)
		n += count_holes(e->slice[k], hole);
	for (int k = 0; k < e->n; k++)
		n += count_holes(e->items[k], hole);
	return n;
}

static bool contains(const mm_node *e, const mm_node *x)
{
	if (!e)
		return false;
	if (e == x)
		return true;
	if (contains(e->lhs, x) || contains(e->rhs, x))
		return true;
	for (int k = 0; k < e->n; k++)
		if (contains(e->items[k], x))
			return true;
	return false;
}

static mm_code impossible(mm_checker *c, const mm_node *at, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));

static mm_code impossible(mm_checker *c, const mm_node *at, const char *fmt, ...)
{
	char msg[MM_DIAG_MSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return mm_diag_set(c->diag, MM_ERR_SHAPE, at->span, "no shape fits: %s", msg);
}

/* X (.. k x n), a right operand of A @ X whose batch axes are the
 * result's: the axes A already has (aligned from the right) become 1,
 * and leading 1s go, so that a weight shared by the batch is the answer,
 * (768 x 3072) for (8 x 1024 x 768) @ ? = (8 x 1024 x 3072): the same
 * FLOPs as a batched (8 x 768 x 3072), a batch's fraction of its bytes. */
static void broadcast_weight(const mm_shape *a, mm_shape *x)
{
	int xb = x->ndim - 2, ab = a->ndim - 2;
	for (int i = 1; i <= xb && i <= ab; i++)
		if (a->dim[ab - i] == x->dim[xb - i])
			x->dim[xb - i] = 1;
	int drop = 0;
	while (drop < xb && x->dim[drop] == 1)
		drop++;
	memmove(x->dim, x->dim + drop, sizeof x->dim[0] * (size_t)(x->ndim - drop));
	x->ndim -= drop;
}

/* A @ ? = want: the shape of ? for the left operand A of shape os. */
static mm_code right_operand(mm_checker *c, const mm_node *e,
                             const mm_shape *osp, const mm_shape *wantp,
                             mm_shape *xp)
{
	char sa[160], sw[160];
	mm_shape os = *osp, want = *wantp, x = {0};
	/* A @ X = W: A is (.. m x k) or (k,) */
	int64_t k = os.dim[os.ndim - 1];
	if (os.ndim >= 2) {
		int64_t m = os.dim[os.ndim - 2];
		if (want.ndim < 2 && !(want.ndim == 1 && want.dim[0] == m))
			return impossible(c, e, "%s @ ? has %lld rows; %s cannot be its result",
			                  mm_shape_str(&os, sa, sizeof sa), (long long)m,
			                  mm_shape_str(&want, sw, sizeof sw));
		if (want.ndim == 1) { /* X is a vector (k,) */
			x.ndim = 1;
			x.dim[0] = k;
		} else {
			if (want.dim[want.ndim - 2] != m)
				return impossible(c, e, "%s @ ? has %lld rows, the result %s has %lld",
				                  mm_shape_str(&os, sa, sizeof sa), (long long)m,
				                  mm_shape_str(&want, sw, sizeof sw),
				                  (long long)want.dim[want.ndim - 2]);
			x = want;
			x.dim[x.ndim - 2] = k;
			broadcast_weight(&os, &x);
		}
	} else { /* a vector on the left: W is (.., n) */
		if (want.ndim == 0) {
			x.ndim = 1;
			x.dim[0] = k;
		} else {
			x.ndim = want.ndim + 1;
			memcpy(x.dim, want.dim, sizeof want.dim[0] * (size_t)(want.ndim - 1));
			x.dim[x.ndim - 2] = k;
			x.dim[x.ndim - 1] = want.dim[want.ndim - 1];
		}
	}
	*xp = x;
	return MM_OK;
}

/* ? @ B = want: the shape of ? for the right operand B of shape os. */
static mm_code left_operand(mm_checker *c, const mm_node *e,
                            const mm_shape *osp, const mm_shape *wantp,
                            mm_shape *xp)
{
	char sa[160], sw[160];
	mm_shape os = *osp, want = *wantp, x = {0};
	/* X @ B = W: B is (.. k x n) or (k,) */
	int64_t k = os.ndim >= 2 ? os.dim[os.ndim - 2] : os.dim[0];
	if (os.ndim >= 2) {
		int64_t n = os.dim[os.ndim - 1];
		if (want.ndim == 0 || want.dim[want.ndim - 1] != n)
			return impossible(c, e, "? @ %s has %lld columns, the result %s %s",
			                  mm_shape_str(&os, sa, sizeof sa), (long long)n,
			                  mm_shape_str(&want, sw, sizeof sw),
			                  want.ndim ? "does not" : "has none");
		if (want.ndim == 1) {
			x.ndim = 1;
			x.dim[0] = k;
		} else {
			x = want;
			x.dim[x.ndim - 1] = k;
		}
	} else { /* a vector on the right: W is (.., m) */
		if (want.ndim == 0) {
			x.ndim = 1;
			x.dim[0] = k;
		} else {
			x = want;
			x.ndim = want.ndim + 1;
			x.dim[x.ndim - 1] = k;
		}
	}
	*xp = x;
	return MM_OK;
}

/* The shape the subtree e (which contains hole) must have so that e's
 * shape is want; recurses to the hole. */
static mm_code down(mm_checker *c, mm_node *e, const mm_node *hole,
                    mm_shape want, mm_shape *out)
{
	char sa[160], sw[160];
	mm_code r;
	if (e == hole) {
		*out = want;
		return MM_OK;
	}
	switch (e->kind) {
	case MM_N_NEG: case MM_N_PLUS:
		return down(c, e->lhs, hole, want, out);
	case MM_N_TRANSPOSE:
		return down(c, e->lhs, hole, mm_shape_transpose(&want), out);
	case MM_N_CALL: {
		const mm_builtin *f = mm_builtin_find(e->name);
		bool same = f && (f->flags & MM_BF_SAME_SHAPE);
		if (f && (f->flags & MM_BF_TRANSPOSES) && e->n == 1)
			return down(c, e->items[0], hole, mm_shape_transpose(&want), out);
		if (same && e->n >= 1 && contains(e->items[0], hole))
			return down(c, e->items[0], hole, want, out);
		return mm_diag_set(c->diag, MM_ERR_UNSUPPORTED, e->op_span,
		                   "cannot solve for '?' inside %s(...)", e->name);
	}
	case MM_N_BINARY: {
		bool left = contains(e->lhs, hole);
		mm_node *other = left ? e->rhs : e->lhs;
		if ((r = mm_check_expr(c, other)) != MM_OK)
			return r;
		const mm_info *o = other->info;
		if (o->v.kind == MM_K_NUMBER && e->op != MM_B_MATMUL)
			return down(c, left ? e->lhs : e->rhs, hole, want, out);
		if (o->v.kind != MM_K_TENSOR)
			return mm_diag_set(c->diag, MM_ERR_TYPE, other->span,
			                   "the other operand must be a tensor");
		mm_shape os = o->v.shape, x = {0};
		/* The inversions below are numeric; with symbols they would copy
		 * the wrong polynomials into the answer. */
		if (mm_shape_is_symbolic(&os) || mm_shape_is_symbolic(&want))
			return mm_diag_set(c->diag, MM_ERR_UNSUPPORTED, e->op_span,
			                   "solving for '?' needs numeric dimensions; "
			                   "bind the symbols first (n = 1024)");
		if (e->op != MM_B_MATMUL) {
			/* The most general operand is the result shape itself; the
			 * other operand must broadcast to it. */
			mm_shape b;
			if (mm_shape_broadcast(&os, &want, mm_bin_name(e->op), &b, NULL) != MM_OK ||
			    !mm_shape_eq(&b, &want))
				return impossible(c, other, "%s does not broadcast to %s",
				                  mm_shape_str(&os, sa, sizeof sa),
				                  mm_shape_str(&want, sw, sizeof sw));
			return down(c, left ? e->lhs : e->rhs, hole, want, out);
		}
		if (os.ndim == 0)
			return impossible(c, other, "matmul needs operands with at least 1 axis");
		r = left ? left_operand(c, e, &os, &want, &x)
		         : right_operand(c, e, &os, &want, &x);
		if (r != MM_OK)
			return r;
		return down(c, left ? e->lhs : e->rhs, hole, x, out);
	}
	default:
		return mm_diag_set(c->diag, MM_ERR_UNSUPPORTED, e->span,
		                   "cannot solve for '?' here");
	}
}

bool mm_solve_batched(mm_checker *c, mm_node *lhs, const mm_shape *want,
                      const mm_shape *hole, mm_shape *alt)
{
	if (hole->ndim < 2 || hole->ndim >= want->ndim)
		return false;
	int lead = want->ndim - hole->ndim;
	*alt = *want;
	memcpy(alt->dim + lead, hole->dim, sizeof hole->dim[0] * (size_t)hole->ndim);
	for (int k = 0; k < hole->ndim; k++)
		alt->sym[lead + k] = hole->sym[k];
	const mm_shape *saved = c->hole;
	c->hole = alt;
	bool fits = mm_check_expr(c, lhs) == MM_OK &&
	            mm_shape_eq(&lhs->info->v.shape, want);
	c->hole = saved;
	mm_diag_clear(c->diag);
	return fits;
}

mm_code mm_solve_hole(mm_checker *c, mm_node *lhs, const mm_shape *want,
                      mm_shape *out)
{
	const mm_node *hole = NULL;
	int n = count_holes(lhs, &hole);
	if (n != 1)
		return mm_diag_set(c->diag, MM_ERR_ARG, lhs->span,
		                   n ? "one '?' at a time: this side has %d" :
		                       "the left side has no '?' to solve for%.0d", n);
	mm_code r = down(c, lhs, hole, *want, out);
	if (r != MM_OK)
		return r;
	/* Check the answer: the whole left side with the hole bound. */
	const mm_shape *saved = c->hole;
	c->hole = out;
	r = mm_check_expr(c, lhs);
	c->hole = saved;
	if (r != MM_OK)
		return r;
	if (!mm_shape_eq(&lhs->info->v.shape, want)) {
		char sa[160], sw[160];
		return impossible(c, lhs, "with ? = %s the left side is %s, not %s",
		                  mm_shape_str(out, sa, sizeof sa),
		                  mm_shape_str(&lhs->info->v.shape, sw, sizeof sw),
		                  mm_shape_str(want, sa, sizeof sa));
	}
	return MM_OK;
}
