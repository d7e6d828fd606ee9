/* graph.c — the dataflow graph of a session's values: nodes, references,
 * and the walks that add up what the graph upstream of a value costs. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/graph.h"

/* Node ids and walk generations are unique across the process (sessions
 * may live on several threads), and increase within a thread. A thread
 * takes them from the shared counters a block at a time: a locked add
 * per node was 2% of a piped script's time. */
enum { ID_BLOCK = 4096 };
static atomic_uint_fast64_t next_id = 1, next_gen = 1;

typedef struct idblock {
	uint64_t next, end;
} idblock;
static _Thread_local idblock ids, gens;

static uint64_t take(idblock *b, atomic_uint_fast64_t *shared)
{
	if (b->next == b->end) {
		b->next = atomic_fetch_add(shared, ID_BLOCK);
		b->end = b->next + ID_BLOCK;
	}
	return b->next++;
}

uint64_t mm_graph_next_id(void)
{
	/* An exhausted block's successor starts at the shared counter. */
	return ids.next < ids.end ? ids.next : atomic_load(&next_id);
}

/* ---- nodes ---- */

/* Copies v (its symbolic dims), cost's polynomials and stimes into g's
 * own memory. */
static bool own(mm_gnode *g, const mm_value *v, const mm_cost *cost,
                const mm_poly *stimes)
{
	int n = 0;
	if (v)
		for (int k = 0; k < v->shape.ndim; k++)
			n += v->shape.sym[k] != NULL;
	if (cost)
		n += (cost->sflops != NULL) + (cost->smacs != NULL) +
		     (cost->sbytes != NULL);
	n += stimes != NULL;
	if (v)
		mm_value_assign(&g->v, v);
	else
		memset(&g->v, 0, sizeof g->v);
	if (cost)
		g->cost = *cost;
	g->v.str = NULL;
	if (n == 0)
		return true;
	g->polys = malloc(sizeof *g->polys * (size_t)n);
	if (!g->polys)
		return false;
	g->symbolic = true;
	mm_poly *p = g->polys;
	if (v)
		for (int k = 0; k < v->shape.ndim; k++)
			if (v->shape.sym[k]) {
				*p = *v->shape.sym[k];
				g->v.shape.sym[k] = p++;
			}
	if (cost && cost->sflops)
		*p = *cost->sflops, g->cost.sflops = p++;
	if (cost && cost->smacs)
		*p = *cost->smacs, g->cost.smacs = p++;
	if (cost && cost->sbytes)
		*p = *cost->sbytes, g->cost.sbytes = p++;
	if (stimes)
		*p = *stimes, g->stimes = p;
	return true;
}

/* Freed nodes kept for the next ones (a shape-only statement makes and
 * frees a few each): per thread, and none under a sanitizer, which must
 * see every use after free. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_MAX 0
#else
#define POOL_MAX 1024
#endif
static _Thread_local mm_gnode *pool;
static _Thread_local int npool;

static mm_gnode *node_alloc(void)
{
	mm_gnode *g = pool;
	if (g) {
		pool = g->body;
		npool--;
	} else if (!(g = calloc(1, sizeof *g))) { /* v zeroed: mm_value_assign */
		return NULL;
	}
	memset(g, 0, offsetof(mm_gnode, v));
	return g;
}

static void node_free(mm_gnode *g)
{
	if (npool < POOL_MAX) {
		g->body = pool;
		pool = g;
		npool++;
	} else {
		free(g);
	}
}

static mm_gnode *node_new(mm_gkind kind, const mm_value *v,
                          const mm_cost *cost, const mm_poly *stimes,
                          mm_gnode *const *in, int nin, uint64_t stmt)
{
	mm_gnode *g = node_alloc();
	if (!g)
		return NULL;
	if (!cost)
		memset(&g->cost, 0, sizeof g->cost);
	g->in = g->in_small;
	if (!own(g, v, cost, stimes) ||
	    (nin > 2 && !(g->in = malloc(sizeof *g->in * (size_t)nin)))) {
		free(g->polys);
		node_free(g);
		return NULL;
	}
	g->held = MM_COUNT_ZERO;
	g->sheld = NULL;
	g->refs = 1;
	g->kind = kind;
	g->id = take(&ids, &next_id);
	g->stmt = stmt;
	for (int k = 0; k < nin; k++) {
		g->in[k] = mm_graph_ref(in[k]);
		g->symbolic |= in[k]->symbolic && kind == MM_G_VIEW;
	}
	g->nin = nin;
	return g;
}

mm_gnode *mm_graph_leaf(const mm_value *v, bool data, uint64_t stmt)
{
	mm_gnode *g = node_new(MM_G_LEAF, v, NULL, NULL, NULL, 0, stmt);
	if (g)
		g->data = data;
	return g;
}

mm_gnode *mm_graph_op(const mm_value *v, const mm_cost *cost, int cls,
                      const char *op, mm_gnode *const *in, int nin,
                      uint64_t stmt)
{
	mm_gnode *g = node_new(MM_G_OP, v, cost, NULL, in, nin, stmt);
	if (g) {
		g->cls = cls;
		g->op = op;
	}
	return g;
}

mm_gnode *mm_graph_view(const mm_value *v, mm_gnode *base, uint64_t key,
                        uint64_t stmt)
{
	mm_gnode *g = node_new(MM_G_VIEW, v, NULL, NULL, &base, 1, stmt);
	if (g)
		g->key = key ? key : base->id;
	return g;
}

mm_gnode *mm_graph_repeat(const mm_value *v, mm_gnode *const *in, int nin,
                          mm_gnode *body, uint64_t body_from, int64_t times,
                          const mm_poly *stimes, uint64_t stmt)
{
	mm_gnode *g = node_new(MM_G_REPEAT, v, NULL, stimes, in, nin, stmt);
	if (g) {
		g->body = mm_graph_ref(body);
		g->body_from = body_from;
		g->times = times;
		g->op = "repeat";
		g->symbolic |= body->symbolic;
	}
	return g;
}

bool mm_graph_hold_params(mm_gnode *g, mm_count n, const mm_poly *p)
{
	g->held = n;
	if (!p)
		return true;
	if (!(g->sheld = malloc(sizeof *g->sheld)))
		return false;
	*g->sheld = *p;
	g->symbolic = true;
	return true;
}

mm_gnode *mm_graph_ref(mm_gnode *g)
{
	if (g)
		g->refs++;
	return g;
}

/* Frees g, and the nodes only it held, without recursion. */
void mm_graph_unref(mm_gnode *g)
{
	if (!g || --g->refs > 0)
		return;
	mm_gnode *small[32], **stack = small;
	size_t n = 0, cap = 32;
	mm_gnode *cur = g;
	for (;;) {
		/* cur is dead: queue its operands' last references */
		for (int k = 0; k <= cur->nin; k++) {
			mm_gnode *o = k < cur->nin ? cur->in[k] : cur->body;
			if (!o || --o->refs > 0)
				continue;
			if (n == cap) {
				mm_gnode **s = stack == small
				                   ? malloc(2 * cap * sizeof *s)
				                   : realloc(stack, 2 * cap * sizeof *s);
				if (!s) {
					/* leak rather than recurse without bound */
					o->refs = 1;
					continue;
				}
				if (stack == small)
					memcpy(s, small, sizeof small);
				stack = s;
				cap *= 2;
			}
			stack[n++] = o;
		}
		mm_graph_module_unref(cur->module);
		if (cur->in != cur->in_small)
			free(cur->in);
		free(cur->polys);
		free(cur->sheld);
		node_free(cur);
		if (n == 0)
			break;
		cur = stack[--n];
	}
	if (stack != small)
		free(stack);
}

void mm_graph_unref_cb(void *g) { mm_graph_unref(g); }

mm_gmodule *mm_graph_module_new(const char *name, mm_gmodule *parent)
{
	static atomic_uint_fast64_t calls = 1;
	mm_gmodule *m = calloc(1, sizeof *m);
	if (!m || !(m->name = strdup(name))) {
		free(m);
		return NULL;
	}
	m->refs = 1;
	m->call = atomic_fetch_add(&calls, 1);
	m->parent = mm_graph_module_ref(parent);
	m->depth = parent ? parent->depth + 1 : 1;
	return m;
}

mm_gmodule *mm_graph_module_ref(mm_gmodule *m)
{
	if (m)
		m->refs++;
	return m;
}

void mm_graph_module_unref(mm_gmodule *m)
{
	while (m && --m->refs == 0) {
		mm_gmodule *p = m->parent;
		free(m->name);
		free(m);
		m = p;
	}
}

/* ---- walks ---- */

/* How a walk treats a node. */
typedef enum { INNER, INPUT, OUTSIDE } role;

typedef struct walkspec {
	bool bounded;     /* nodes of other statements are inputs */
	uint64_t stmt;    /* ... of statements other than this one */
	uint64_t from;    /* >0: a body: nodes below this id are OUTSIDE */
} walkspec;

static role role_of(const walkspec *w, const mm_gnode *g)
{
	if (w->from && g->id < w->from)
		return OUTSIDE;
	if (g->kind == MM_G_LEAF || (w->bounded && g->stmt != w->stmt))
		return INPUT;
	return INNER;
}

/* A list of nodes, in place while short. */
typedef struct nodelist {
	mm_gnode **v;
	int n, cap;
	mm_gnode *small[32];
} nodelist;

static void list_init(nodelist *l)
{
	l->v = l->small;
	l->n = 0;
	l->cap = 32;
}

static void list_free(nodelist *l)
{
	if (l->v != l->small)
		free(l->v);
	list_init(l);
}

static bool list_push(nodelist *l, mm_gnode *g)
{
	if (l->n == l->cap) {
		int nc = l->cap * 2;
		mm_gnode **p = l->v == l->small ? malloc(sizeof *p * (size_t)nc)
		                                : realloc(l->v, sizeof *p * (size_t)nc);
		if (!p)
			return false;
		if (l->v == l->small)
			memcpy(p, l->small, sizeof l->small);
		l->v = p;
		l->cap = nc;
	}
	l->v[l->n++] = g;
	return true;
}

/* Every node reachable from root, operands before their users, into out
 * (initialised here), not descending past INPUT and OUTSIDE nodes; INNER
 * nodes get their position in tmp. Iterative: any depth. */
static bool postorder(const walkspec *w, mm_gnode *root, nodelist *out)
{
	typedef struct frame {
		mm_gnode *g;
		int k; /* the next operand to visit */
	} frame;
	uint64_t gen = take(&gens, &next_gen);
	frame small[32], *st = small;
	int n = 0, cap = 32;
	bool ok = true;
	list_init(out);
	root->mark = gen;
	st[n++] = (frame){root, 0};
	while (ok && n > 0) {
		frame *f = &st[n - 1];
		mm_gnode *g = f->g;
		if (role_of(w, g) == INNER && f->k < g->nin) {
			mm_gnode *c = g->in[f->k++];
			if (c->mark == gen)
				continue;
			c->mark = gen;
			if (n == cap) {
				frame *ns = st == small ? malloc(2 * (size_t)cap * sizeof *ns)
				                        : realloc(st, 2 * (size_t)cap * sizeof *ns);
				if (!ns) {
					ok = false;
					break;
				}
				if (st == small)
					memcpy(ns, small, sizeof small);
				st = ns;
				cap *= 2;
			}
			st[n++] = (frame){c, 0};
			continue;
		}
		n--;
		if (role_of(w, g) == INNER)
			g->tmp = out->n;
		ok = list_push(out, g);
	}
	if (st != small)
		free(st);
	if (!ok)
		list_free(out);
	return ok;
}

/* A set of 64-bit keys: a short list, then open addressing (0 is stored
 * as 1). */
typedef struct keyset {
	uint64_t *k;
	size_t n, cap;
	uint64_t small[16];
} keyset;

static int keyset_add_hash(keyset *s, uint64_t key);

/* 1 when key is new (added), 0 when present, -1 when out of memory. */
static int keyset_add(keyset *s, uint64_t key)
{
	key = key ? key : 1;
	if (!s->k) {
		for (size_t i = 0; i < s->n; i++)
			if (s->small[i] == key)
				return 0;
		if (s->n < 16) {
			s->small[s->n++] = key;
			return 1;
		}
		size_t n = s->n;
		s->n = 0;
		for (size_t i = 0; i < n; i++)
			if (keyset_add_hash(s, s->small[i]) < 0)
				return -1;
	}
	return keyset_add_hash(s, key);
}

static int keyset_add_hash(keyset *s, uint64_t key)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		uint64_t *nk = calloc(nc, sizeof *nk);
		if (!nk)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i]) {
				size_t j = (s->k[i] * UINT64_C(0x9e3779b97f4a7c15)) >> 7;
				while (nk[j & (nc - 1)])
					j++;
				nk[j & (nc - 1)] = s->k[i];
			}
		free(s->k);
		s->k = nk;
		s->cap = nc;
	}
	size_t j = (key * UINT64_C(0x9e3779b97f4a7c15)) >> 7;
	for (;; j++) {
		uint64_t *slot = &s->k[j & (s->cap - 1)];
		if (*slot == key)
			return 0;
		if (!*slot) {
			*slot = key;
			s->n++;
			return 1;
		}
	}
}

typedef struct walker {
	walkspec spec;
	nodelist order;    /* the nodes in postorder */
	int *uses;         /* users left, per INNER node (by tmp) */
	int small_uses[32];
	keyset read, made; /* inputs read (by key), abstract ones allocated */
	mm_gtotals *t;
	mm_count live, peak, new_leaves;
	bool sym;          /* keep polynomials too */
	mm_cost_ctx cx;    /* for them: arena and diag */
} walker;

/* acc += n (and, when the walk keeps polynomials, sacc += p, or n when p
 * is NULL). */
static mm_code acc(walker *w, mm_count *accn, mm_poly *sacc, mm_count n,
                   const mm_poly *p)
{
	*accn = mm_count_add(*accn, n);
	if (!w->sym || !sacc)
		return MM_OK;
	mm_poly q;
	if (!p) {
		mm_poly_from_count(&q, n);
		p = &q;
	}
	return mm_poly_add(sacc, sacc, p, w->cx.diag);
}

/* Bytes of a node's value, numeric and (when kept) as a polynomial. */
static mm_code acc_bytes(walker *w, mm_count *accn, mm_poly *sacc,
                         const mm_gnode *g)
{
	if (!w->sym || !g->symbolic)
		return acc(w, accn, sacc, g->v.bytes, NULL);
	mm_poly b;
	mm_code r = mm_cost_bytes_poly(&w->cx, &g->v.shape, g->v.dtype, &b);
	return r == MM_OK ? acc(w, accn, sacc, MM_COUNT_ZERO, &b) : r;
}

/* An operand read by an operation, seen through views: when it comes
 * from an input, its bytes once (the elements a view selects, told apart
 * by its key), and an input without data allocated once. */
static mm_code add_input(walker *w, const mm_gnode *o)
{
	const mm_gnode *b = o;
	while (b->kind == MM_G_VIEW && role_of(&w->spec, b) == INNER)
		b = b->in[0];
	if (role_of(&w->spec, b) != INPUT)
		return MM_OK;
	int r = keyset_add(&w->read, o == b ? b->id : o->key);
	if (r < 0)
		return MM_ERR_NOMEM;
	mm_code c;
	if (r > 0 && (c = acc_bytes(w, &w->t->bytes_in, w->t->sbytes_in, o)) != MM_OK)
		return c;
	if (!b->data) {
		if ((r = keyset_add(&w->made, b->id)) < 0)
			return MM_ERR_NOMEM;
		if (r > 0) {
			w->new_leaves = mm_count_add(w->new_leaves, b->v.bytes);
			w->t->nabstract++;
		}
	}
	return MM_OK;
}

/* The operation that used o is done: o's memory goes when its last user
 * is (a view keeps its base alive as long as it lives). */
static void release(walker *w, const mm_gnode *o)
{
	while (role_of(&w->spec, o) == INNER && --w->uses[o->tmp] == 0) {
		if (o->kind != MM_G_VIEW) {
			w->live = mm_count_sub(w->live, o->v.bytes);
			return;
		}
		o = o->in[0];
	}
}

/* The elements of a parameter, numeric and as a polynomial. */
static mm_code add_param(walker *w, const mm_gnode *g)
{
	mm_code r = acc_bytes(w, &w->t->param_bytes, NULL, g);
	if (r != MM_OK)
		return r;
	if (!g->symbolic || !w->sym)
		return acc(w, &w->t->params, w->t->sparams,
		           mm_cost_numel(&g->v.shape), NULL);
	mm_poly n, d;
	mm_poly_const(&n, 1);
	for (int k = 0; k < g->v.shape.ndim; k++) {
		if (g->v.shape.sym[k])
			d = *g->v.shape.sym[k];
		else
			mm_poly_const(&d, g->v.shape.dim[k]);
		if ((r = mm_poly_mul(&n, &n, &d, w->cx.diag)) != MM_OK)
			return r;
	}
	return acc(w, &w->t->params, w->t->sparams, MM_COUNT_ZERO, &n);
}

static mm_code walk_totals(const walkspec *spec, mm_gnode *root, bool sym,
                           mm_cost_ctx cx, mm_gtotals *t, mm_count *peak);

/* count × times, numeric or symbolic, into *accn / sacc. */
static mm_code acc_times(walker *w, mm_count *accn, mm_poly *sacc,
                         mm_count n, const mm_poly *p, const mm_gnode *rep)
{
	mm_count m = rep->stimes ? MM_COUNT_ZERO
	                         : mm_count_mul_u(n, (uint64_t)rep->times);
	if (!w->sym || !sacc)
		return acc(w, accn, sacc, m, NULL);
	mm_poly a, k;
	if (p)
		a = *p;
	else
		mm_poly_from_count(&a, n);
	if (rep->stimes)
		k = *rep->stimes;
	else
		mm_poly_const(&k, rep->times);
	mm_code r = mm_poly_mul(&a, &a, &k, w->cx.diag);
	*accn = mm_count_add(*accn, m);
	return r == MM_OK ? mm_poly_add(sacc, sacc, &a, w->cx.diag) : r;
}

/* A REPEAT node: one application of its body, times over. */
static mm_code add_repeat(walker *w, const mm_gnode *g)
{
	mm_gtotals b = {0};
	mm_poly sp[5];
	if (w->sym) {
		b.sflops = &sp[0], b.smacs = &sp[1], b.sbytes_in = &sp[2];
		b.sbytes_out = &sp[3], b.sparams = &sp[4];
	}
	walkspec bs = {.from = g->body_from};
	mm_count bpeak;
	mm_code r = walk_totals(&bs, g->body, w->sym, w->cx, &b, &bpeak);
	mm_gtotals *t = w->t;
	bool bsym = b.symbolic; /* else the body's polynomials were not made */
	if (r == MM_OK)
		r = acc_times(w, &t->flops, t->sflops, b.flops,
		              bsym ? b.sflops : NULL, g);
	if (r == MM_OK)
		r = acc_times(w, &t->macs, t->smacs, b.macs, bsym ? b.smacs : NULL, g);
	if (r == MM_OK)
		r = acc_times(w, &t->bytes_in, t->sbytes_in, b.bytes_in,
		              bsym ? b.sbytes_in : NULL, g);
	if (r == MM_OK)
		r = acc_times(w, &t->params, t->sparams, b.params,
		              bsym ? b.sparams : NULL, g);
	if (r != MM_OK)
		return r;
	acc_times(w, &t->matmul_flops, NULL, b.matmul_flops, NULL, g);
	acc_times(w, &t->transcendental, NULL, b.transcendental, NULL, g);
	acc_times(w, &t->param_bytes, NULL, b.param_bytes, NULL, g);
	t->nops += b.nops;
	w->peak = mm_count_max(w->peak, mm_count_add(w->live, bpeak));
	return MM_OK;
}

/* An operation: its cost, the inputs it reads, the memory it holds. */
static mm_code add_op(walker *w, const mm_gnode *g)
{
	mm_code r;
	mm_gtotals *t = w->t;
	for (int k = 0; k < g->nin; k++)
		if ((r = add_input(w, g->in[k])) != MM_OK)
			return r;
	if (g->kind == MM_G_REPEAT) {
		if ((r = add_repeat(w, g)) != MM_OK)
			return r;
	} else {
		if ((r = acc(w, &t->flops, t->sflops, g->cost.flops,
		             g->cost.sflops)) != MM_OK ||
		    (r = acc(w, &t->macs, t->smacs, g->cost.macs,
		             g->cost.smacs)) != MM_OK)
			return r;
		t->matmul_flops = mm_count_add(t->matmul_flops,
		                               g->cost.matmul_flops);
		t->transcendental = mm_count_add(t->transcendental, g->trans);
		if ((!mm_count_is_zero(g->held) || g->sheld) &&
		    (r = acc(w, &t->params, t->sparams, g->held, g->sheld)) != MM_OK)
			return r;
		if (!mm_count_is_zero(g->cost.flops) || g->cost.sflops ||
		    g->cls != 0)
			t->nops++;
	}
	w->live = mm_count_add(w->live, g->v.bytes);
	w->peak = mm_count_max(w->peak, w->live);
	for (int k = 0; k < g->nin; k++)
		release(w, g->in[k]);
	return MM_OK;
}

/* The common statement, one operation on inputs (A @ B, x + b): its
 * totals without a walk. False when root is not one. */
static bool one_op(const walkspec *spec, const mm_gnode *root, mm_gtotals *t,
                   mm_count *peak)
{
	if (root->kind != MM_G_OP || root->symbolic || root->nin > 2 ||
	    role_of(spec, root) != INNER)
		return false;
	t->params = root->held;
	for (int k = 0; k < root->nin; k++)
		if (role_of(spec, root->in[k]) != INPUT || root->in[k]->symbolic)
			return false;
	t->flops = root->cost.flops;
	t->macs = root->cost.macs;
	t->matmul_flops = root->cost.matmul_flops;
	t->transcendental = root->trans;
	t->nops = !mm_count_is_zero(root->cost.flops) || root->cls != 0;
	mm_count alloc = MM_COUNT_ZERO;
	for (int k = 0; k < root->nin; k++) {
		const mm_gnode *o = root->in[k];
		if (k == 1 && o == root->in[0])
			break; /* x + x reads x once */
		t->bytes_in = mm_count_add(t->bytes_in, o->v.bytes);
		if (!o->data) {
			alloc = mm_count_add(alloc, o->v.bytes);
			t->nabstract++;
		}
	}
	t->bytes_out = root->v.bytes;
	t->bytes_peak = mm_count_add(t->bytes_in, root->v.bytes);
	t->bytes_alloc = mm_count_add(alloc, root->v.bytes);
	if (peak)
		*peak = root->v.bytes;
	return true;
}

static mm_code walk_totals(const walkspec *spec, mm_gnode *root, bool sym,
                           mm_cost_ctx cx, mm_gtotals *t, mm_count *peak)
{
	if (one_op(spec, root, t, peak))
		return MM_OK;
	walker w;
	/* the small arrays need no zeroing: set what is read */
	w.spec = *spec;
	w.uses = NULL;
	w.read.k = w.made.k = NULL;
	w.read.n = w.read.cap = w.made.n = w.made.cap = 0;
	w.t = t;
	w.live = w.peak = w.new_leaves = MM_COUNT_ZERO;
	w.sym = false;
	w.cx = cx;
	mm_code r = MM_ERR_NOMEM;
	if (!postorder(spec, root, &w.order))
		goto done;
	mm_gnode **v = w.order.v;
	int n = w.order.n;
	for (int k = 0; k < n && !w.sym; k++)
		w.sym = sym && (v[k]->symbolic || v[k]->stimes);
	if (w.sym)
		for (mm_poly **p = (mm_poly *[]){t->sflops, t->smacs, t->sbytes_in,
		                                 t->sbytes_out, t->sparams, NULL};
		     *p; p++)
			mm_poly_const(*p, 0);
	w.uses = n <= 32 ? w.small_uses : calloc((size_t)n, sizeof *w.uses);
	if (!w.uses)
		goto done;
	memset(w.uses, 0, sizeof *w.uses * (size_t)n);
	for (int k = 0; k < n; k++)
		if (role_of(spec, v[k]) == INNER)
			for (int j = 0; j < v[k]->nin; j++)
				if (role_of(spec, v[k]->in[j]) == INNER)
					w.uses[v[k]->in[j]->tmp]++;
	r = MM_OK;
	for (int k = 0; k < n && r == MM_OK; k++) {
		const mm_gnode *g = v[k];
		role ro = role_of(spec, g);
		if (ro == INPUT && g->kind == MM_G_LEAF && g->param)
			r = add_param(&w, g);
		else if (ro == INNER && g->kind != MM_G_VIEW)
			r = add_op(&w, g);
	}
	/* The result of a bare input, or a view of one, is read from it. */
	if (r == MM_OK && (role_of(spec, root) != INNER || root->kind == MM_G_VIEW))
		r = add_input(&w, root);
	if (r != MM_OK)
		goto done;
	t->symbolic = w.sym;
	if ((r = acc_bytes(&w, &t->bytes_out, t->sbytes_out, root)) != MM_OK)
		goto done;
	t->bytes_peak = mm_count_add(t->bytes_in, w.peak);
	if (role_of(spec, root) != INNER)
		t->bytes_peak = t->bytes_in;
	t->bytes_alloc = mm_count_add(w.new_leaves, w.peak);
	if (peak)
		*peak = w.peak;
done:
	list_free(&w.order);
	if (w.uses != w.small_uses)
		free(w.uses);
	free(w.read.k);
	free(w.made.k);
	if (r == MM_ERR_NOMEM)
		mm_diag_set(cx.diag, r, (mm_span){0, 0}, "out of memory");
	return r;
}

mm_code mm_graph_totals(const mm_gnode *root, bool bounded, mm_arena *arena,
                        mm_gtotals *t, mm_diag *d)
{
	memset(t, 0, sizeof *t);
	bool sym = arena != NULL;
	if (sym) {
		mm_poly *p = mm_arena_alloc(arena, sizeof *p * 5);
		if (!p)
			return mm_diag_set(d, MM_ERR_NOMEM, (mm_span){0, 0},
			                   "out of memory");
		t->sflops = &p[0], t->smacs = &p[1], t->sbytes_in = &p[2];
		t->sbytes_out = &p[3], t->sparams = &p[4];
	}
	walkspec spec = {.bounded = bounded, .stmt = root->stmt};
	mm_cost_ctx cx = {.arena = arena, .diag = d};
	return walk_totals(&spec, (mm_gnode *)root, sym, cx, t, NULL);
}

/* The INNER operations (and repeats) of a walk, in order. */
static mm_gnode **ops_of(const walkspec *spec, mm_gnode *root, int *n)
{
	nodelist l;
	*n = 0;
	if (!postorder(spec, root, &l))
		return NULL;
	int m = 0;
	for (int k = 0; k < l.n; k++)
		if (role_of(spec, l.v[k]) == INNER && l.v[k]->kind != MM_G_VIEW)
			m++;
	mm_gnode **v = m ? malloc(sizeof *v * (size_t)m) : NULL;
	if (v)
		for (int k = 0, j = 0; k < l.n; k++)
			if (role_of(spec, l.v[k]) == INNER && l.v[k]->kind != MM_G_VIEW)
				v[j++] = l.v[k];
	list_free(&l);
	*n = v ? m : 0;
	return v;
}

mm_gnode **mm_graph_ops(const mm_gnode *root, bool bounded, int *n)
{
	walkspec spec = {.bounded = bounded, .stmt = root->stmt};
	return ops_of(&spec, (mm_gnode *)root, n);
}

mm_gnode **mm_graph_body_ops(const mm_gnode *rep, int *n)
{
	walkspec spec = {.from = rep->body_from};
	return ops_of(&spec, rep->body, n);
}

/* Calls fn on every node reachable from root that spec walks into. */
static void each(const walkspec *spec, mm_gnode *root,
                 void (*fn)(mm_gnode *, const void *), const void *arg)
{
	nodelist l;
	if (!postorder(spec, root, &l))
		return;
	for (int k = 0; k < l.n; k++)
		if (role_of(spec, l.v[k]) != OUTSIDE)
			fn(l.v[k], arg);
	list_free(&l);
}

static void put_module(mm_gnode *g, const void *m)
{
	if (!g->module)
		g->module = mm_graph_module_ref((mm_gmodule *)m);
}

void mm_graph_set_module(mm_gnode *root, uint64_t from, mm_gmodule *m)
{
	walkspec spec = {.from = from};
	each(&spec, root, put_module, m);
}

void mm_graph_set_origin(mm_gnode *root, const char *origin)
{
	if (!root->origin)
		root->origin = origin;
}

int mm_graph_outside(mm_gnode *root, uint64_t from, const mm_gnode *skip,
                     mm_gnode **out, int max)
{
	walkspec spec = {.from = from};
	nodelist l;
	if (!postorder(&spec, root, &l))
		return -1;
	int n = 0;
	for (int k = 0; k < l.n; k++)
		if (role_of(&spec, l.v[k]) == OUTSIDE && l.v[k] != skip) {
			if (n == max) {
				n = -1;
				break;
			}
			out[n++] = l.v[k];
		}
	list_free(&l);
	return n;
}
