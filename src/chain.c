/* chain.c — matrix chain order: dynamic program, fixed orders, enumeration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/chain.h"

static const mm_span nospan = {0, 0};

/* Split table of a bracketing: split[lo][hi] = mid for every product. */
typedef uint8_t split_table[MM_CHAIN_MAX][MM_CHAIN_MAX];

static mm_code check_n(size_t n, const uint64_t *p, mm_diag *d)
{
	if (n == 0 || !p)
		return mm_diag_set(d, MM_ERR_VALUE, nospan, "empty matrix chain");
	if (n > MM_CHAIN_MAX)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "chain of %zu matrices is too long (at most %d)",
		                   n, MM_CHAIN_MAX);
	return MM_OK;
}

/* 2·p[lo]·p[mid+1]·p[hi+1]: the FLOPs of one product. */
static mm_count step_flops(const uint64_t *p, int lo, int mid, int hi)
{
	mm_count c = mm_count_mul(mm_count_of(p[lo]), mm_count_of(p[mid + 1]));
	c = mm_count_mul(c, mm_count_of(p[hi + 1]));
	return mm_count_mul_u(c, 2);
}

/* Appends the steps of [lo, hi] to o in post-order (operands first). */
static void emit(mm_chain_order *o, split_table s, int lo, int hi)
{
	if (lo == hi)
		return;
	int mid = s[lo][hi];
	emit(o, s, lo, mid);
	emit(o, s, mid + 1, hi);
	o->step[o->nsteps++] = (mm_chain_step){(uint8_t)lo, (uint8_t)mid,
	                                       (uint8_t)hi};
}

static void from_splits(mm_chain_order *o, size_t n, const uint64_t *p,
                        split_table s)
{
	memset(o, 0, sizeof *o);
	o->n = (uint8_t)n;
	emit(o, s, 0, (int)n - 1);
	o->flops = mm_chain_cost(o, p);
}

mm_count mm_chain_cost(const mm_chain_order *o, const uint64_t *p)
{
	mm_count c = MM_COUNT_ZERO;
	for (int i = 0; i < o->nsteps; i++)
		c = mm_count_add(c, step_flops(p, o->step[i].lo, o->step[i].mid,
		                               o->step[i].hi));
	return c;
}

mm_code mm_chain_cost_poly(const mm_chain_order *o, const mm_poly *dims,
                           mm_poly *out, mm_diag *d)
{
	mm_poly sum, t;
	mm_poly_const(&sum, 0);
	/* Outermost product first: it holds dims[0], whose symbols then lead
	 * the printed order (n·d + d², not d² + d·n). */
	for (int i = o->nsteps - 1; i >= 0; i--) {
		const mm_chain_step *s = &o->step[i];
		mm_code r = mm_poly_mul(&t, &dims[s->lo], &dims[s->mid + 1], d);
		if (r == MM_OK)
			r = mm_poly_mul(&t, &t, &dims[s->hi + 1], d);
		if (r == MM_OK)
			r = mm_poly_add(&sum, &sum, &t, d);
		if (r != MM_OK)
			return r;
	}
	return mm_poly_mul_int(out, &sum, 2, d);
}

mm_code mm_chain_optimal(size_t n, const uint64_t *p, mm_chain_order *out,
                         mm_diag *d)
{
	mm_code rc = check_n(n, p, d);
	if (rc != MM_OK)
		return rc;
	static _Thread_local mm_count cost[MM_CHAIN_MAX][MM_CHAIN_MAX];
	split_table s;
	memset(s, 0, sizeof s);
	int N = (int)n;
	for (int i = 0; i < N; i++)
		cost[i][i] = MM_COUNT_ZERO;
	for (int len = 2; len <= N; len++)
		for (int lo = 0; lo + len - 1 < N; lo++) {
			int hi = lo + len - 1;
			for (int mid = lo; mid < hi; mid++) {
				mm_count c = mm_count_add(
					mm_count_add(cost[lo][mid], cost[mid + 1][hi]),
					step_flops(p, lo, mid, hi));
				/* Ties take the larger split, so when orders cost the
				 * same, left to right (the order as written) wins. */
				if (mid == lo || mm_count_cmp(c, cost[lo][hi]) <= 0) {
					cost[lo][hi] = c;
					s[lo][hi] = (uint8_t)mid;
				}
			}
		}
	from_splits(out, n, p, s);
	return MM_OK;
}

mm_code mm_chain_left(size_t n, const uint64_t *p, mm_chain_order *out,
                      mm_diag *d)
{
	mm_code rc = check_n(n, p, d);
	if (rc != MM_OK)
		return rc;
	split_table s;
	memset(s, 0, sizeof s);
	for (int hi = 1; hi < (int)n; hi++)
		s[0][hi] = (uint8_t)(hi - 1);
	from_splits(out, n, p, s);
	return MM_OK;
}

mm_code mm_chain_right(size_t n, const uint64_t *p, mm_chain_order *out,
                       mm_diag *d)
{
	mm_code rc = check_n(n, p, d);
	if (rc != MM_OK)
		return rc;
	split_table s;
	memset(s, 0, sizeof s);
	for (int lo = 0; lo + 1 < (int)n; lo++)
		s[lo][n - 1] = (uint8_t)lo;
	from_splits(out, n, p, s);
	return MM_OK;
}

/* ---- enumeration ---- */

typedef struct enum_state {
	size_t n;
	const uint64_t *p;
	split_table s;
	int pending[MM_CHAIN_MAX][2]; /* intervals still to split */
	int npending;
	mm_chain_order *out;
	size_t cap, count;
} enum_state;

static bool same_order(const mm_chain_order *a, const mm_chain_order *b)
{
	return a->nsteps == b->nsteps &&
	       memcmp(a->step, b->step, a->nsteps * sizeof a->step[0]) == 0;
}

/* Keeps o among the cap cheapest seen so far, sorted; equal costs keep
 * the order they arrived in. */
static void keep(enum_state *e, const mm_chain_order *o)
{
	for (size_t i = 0; i < e->count; i++)
		if (same_order(&e->out[i], o))
			return;
	size_t i = e->count;
	while (i > 0 && mm_count_cmp(o->flops, e->out[i - 1].flops) < 0)
		i--;
	if (i >= e->cap)
		return;
	size_t last = e->count < e->cap ? e->count : e->cap - 1;
	memmove(&e->out[i + 1], &e->out[i], (last - i) * sizeof e->out[0]);
	e->out[i] = *o;
	if (e->count < e->cap)
		e->count++;
}

/* Splits the last pending interval every way, recursing until none is
 * left: every bracketing exactly once. Larger splits come first, so among
 * equal costs the orders nearer left to right are listed first. */
static void gen(enum_state *e)
{
	if (e->npending == 0) {
		mm_chain_order o;
		from_splits(&o, e->n, e->p, e->s);
		keep(e, &o);
		return;
	}
	int lo = e->pending[e->npending - 1][0];
	int hi = e->pending[e->npending - 1][1];
	e->npending--;
	for (int mid = hi - 1; mid >= lo; mid--) {
		e->s[lo][hi] = (uint8_t)mid;
		int saved = e->npending;
		if (mid > lo) {
			e->pending[e->npending][0] = lo;
			e->pending[e->npending++][1] = mid;
		}
		if (hi > mid + 1) {
			e->pending[e->npending][0] = mid + 1;
			e->pending[e->npending++][1] = hi;
		}
		gen(e);
		e->npending = saved;
	}
	e->pending[e->npending][0] = lo;
	e->pending[e->npending++][1] = hi;
}

/* The Catalan number C(k) = binom(2k, k) / (k + 1), via the exact
 * recurrence C(i+1) = C(i)·2(2i+1)/(i+2) while it fits. */
static mm_count catalan(size_t k)
{
	mm_count c = mm_count_of(1);
	for (size_t i = 0; i < k; i++) {
		mm_count t = mm_count_mul_u(c, 2 * (2 * i + 1));
		c = mm_count_div_u(t, i + 2);
	}
	return c;
}

/* ---- the k cheapest, for chains too long to enumerate ---- */

#define KBEST 16 /* the most bracketings kept per interval */

/* One of the cheapest bracketings of an interval: its cost, its split,
 * and which of the left and right intervals' bracketings it combines. */
typedef struct kcand {
	mm_count cost;
	uint8_t mid, a, b;
} kcand;

typedef struct kbest {
	kcand c[MM_CHAIN_MAX][MM_CHAIN_MAX][KBEST];
	uint8_t n[MM_CHAIN_MAX][MM_CHAIN_MAX];
} kbest;

/* Inserts c into the sorted list of [lo][hi] (at most k), after those of
 * equal cost. */
static void kinsert(kbest *t, int lo, int hi, kcand c, int k)
{
	kcand *l = t->c[lo][hi];
	int n = t->n[lo][hi], i = n;
	while (i > 0 && mm_count_cmp(c.cost, l[i - 1].cost) < 0)
		i--;
	if (i >= k)
		return;
	int last = n < k ? n : k - 1;
	memmove(&l[i + 1], &l[i], (size_t)(last - i) * sizeof l[0]);
	l[i] = c;
	if (n < k)
		t->n[lo][hi]++;
}

/* Appends the steps of candidate r of [lo, hi] to o, operands first. */
static void kemit(mm_chain_order *o, const kbest *t, int lo, int hi, int r)
{
	if (lo == hi)
		return;
	const kcand *c = &t->c[lo][hi][r];
	kemit(o, t, lo, c->mid, c->a);
	kemit(o, t, c->mid + 1, hi, c->b);
	o->step[o->nsteps++] = (mm_chain_step){(uint8_t)lo, c->mid, (uint8_t)hi};
}

/* The k cheapest bracketings of the whole chain into out (k <= KBEST): a
 * dynamic program over intervals keeping the k cheapest of each, since
 * the j-th cheapest of an interval combines cheap ones of its halves.
 * Larger splits first, so equal costs list the orders nearer left to
 * right first. */
static void kbest_orders(size_t n, const uint64_t *p, size_t k,
                         mm_chain_order *out, size_t *count, kbest *t)
{
	int N = (int)n;
	memset(t->n, 0, sizeof t->n);
	for (int i = 0; i < N; i++) {
		t->c[i][i][0] = (kcand){MM_COUNT_ZERO, 0, 0, 0};
		t->n[i][i] = 1;
	}
	for (int len = 2; len <= N; len++)
		for (int lo = 0; lo + len - 1 < N; lo++) {
			int hi = lo + len - 1;
			for (int mid = hi - 1; mid >= lo; mid--) {
				mm_count step = step_flops(p, lo, mid, hi);
				for (int a = 0; a < t->n[lo][mid]; a++)
					for (int b = 0; b < t->n[mid + 1][hi]; b++) {
						kcand c = {mm_count_add(mm_count_add(
						                t->c[lo][mid][a].cost,
						                t->c[mid + 1][hi][b].cost), step),
						           (uint8_t)mid, (uint8_t)a, (uint8_t)b};
						kinsert(t, lo, hi, c, (int)k);
					}
			}
		}
	*count = t->n[0][N - 1];
	for (size_t r = 0; r < *count; r++) {
		memset(&out[r], 0, sizeof out[r]);
		out[r].n = (uint8_t)n;
		kemit(&out[r], t, 0, N - 1, (int)r);
		out[r].flops = t->c[0][N - 1][r].cost;
	}
}

mm_code mm_chain_enumerate(size_t n, const uint64_t *p, mm_chain_order *out,
                           size_t cap, size_t *count, mm_count *total,
                           mm_diag *d)
{
	mm_code rc = check_n(n, p, d);
	if (rc != MM_OK)
		return rc;
	enum_state *e = calloc(1, sizeof *e);
	if (!e)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan, "out of memory");
	e->n = n;
	e->p = p;
	e->out = out;
	e->cap = cap;
	if (cap > 0 && n <= MM_CHAIN_ENUM_MAX) {
		if (n > 1) {
			e->pending[0][0] = 0;
			e->pending[0][1] = (int)n - 1;
			e->npending = 1;
		}
		gen(e);
	} else if (cap > 0) {
		kbest *t = malloc(sizeof *t);
		if (!t) {
			free(e);
			return mm_diag_set(d, MM_ERR_NOMEM, nospan, "out of memory");
		}
		kbest_orders(n, p, cap < KBEST ? cap : KBEST, out, &e->count, t);
		free(t);
	}
	if (count)
		*count = e->count;
	if (total)
		*total = catalan(n - 1);
	free(e);
	return MM_OK;
}

/* ---- rendering ---- */

static void put_name(mm_buf *b, const char *const *names, int i)
{
	if (names)
		mm_buf_puts(b, names[i]);
	else if (i < 26)
		mm_buf_putc(b, (char)('A' + i));
	else
		mm_buf_printf(b, "M%d", i + 1);
}

static void render(mm_buf *b, const mm_chain_order *o,
                   const char *const *names, int lo, int hi, bool top)
{
	if (lo == hi) {
		put_name(b, names, lo);
		return;
	}
	int mid = lo;
	for (int i = 0; i < o->nsteps; i++)
		if (o->step[i].lo == lo && o->step[i].hi == hi)
			mid = o->step[i].mid;
	if (!top)
		mm_buf_putc(b, '(');
	render(b, o, names, lo, mid, false);
	mm_buf_puts(b, " @ ");
	render(b, o, names, mid + 1, hi, false);
	if (!top)
		mm_buf_putc(b, ')');
}

void mm_chain_render(mm_buf *b, const mm_chain_order *o,
                     const char *const *names)
{
	if (o->n == 0)
		return;
	render(b, o, names, 0, o->n - 1, true);
}
