/* check.c — the checker: shapes, dtypes, folding of scalars and the cost
 * of every node, before anything runs. Built-in calls are checked by
 * their rows' functions (builtin.c, src/fn/). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/check.h"
#include "mmcalc/graph.h"
#include "mmcalc/ops.h"
#include "mmcalc/suggest.h"
#include "check_int.h"
#include "fn/fn.h"

/* Deeper trees are refused: the walks here and in eval.c recurse. */
#define MAX_TREE_DEPTH 2000
/* Literal leaves get ids from this range, variables from below it. */
#define LITERAL_IDS (UINT64_C(1) << 62)

void mm_checker_init(mm_checker *c, mm_env *env, mm_arena *arena,
                     mm_diag *d, const mm_check_opts *o)
{
	c->env = env;
	c->arena = arena;
	c->diag = d;
	c->opts = o ? *o : (mm_check_opts){.dtype = MM_F32};
	c->depth = 0;
	c->next_leaf = 0;
	c->hole = NULL;
	c->assume.strict = c->opts.strict;
	c->assume.n = 0;
	c->nvalues = 0;
	c->grefs = NULL;
	c->locals = NULL;
	c->nlocals = c->caplocals = c->frame = c->ncalls = 0;
	c->module = NULL;
}

/* Graph nodes the statement's arena holds, released when it is reset:
 * a few per arena allocation. */
struct mm_grefs {
	int n;
	mm_gnode *g[30];
};

static void grefs_release(void *p)
{
	struct mm_grefs *r = p;
	for (int k = 0; k < r->n; k++)
		mm_graph_unref(r->g[k]);
}

/* The arena holds g from now on (its reference). */
bool mm_ck_hold(mm_checker *c, mm_gnode *g)
{
	struct mm_grefs *r = c->grefs;
	if (!r || r->n == 30) {
		r = mm_arena_alloc(c->arena, sizeof *r);
		if (!r || !mm_arena_on_reset(c->arena, grefs_release, r))
			return false;
		c->grefs = r;
	}
	r->g[r->n++] = g;
	return true;
}

/* ---- helpers ---- */

static mm_info *info_of(mm_checker *c, mm_node *e)
{
	if (!e->info) {
		e->info = mm_arena_alloc(c->arena, sizeof *e->info);
		if (!e->info)
			return NULL;
	}
	return e->info;
}

/* Marks i as a view of x. A view of an input (through any number of
 * views) keeps a key for the elements it reads, so that totals count
 * those rather than the whole input: the input's own id while the view
 * reads all of it (a transpose, a reshape), a new key once an index
 * selects part of it (check_index). */
void mm_ck_set_view(mm_info *i, const mm_info *x)
{
	i->view = true;
	i->view_key = x->leaf ? x->leaf_id : x->view ? x->view_key : 0;
}

/* FNV-1a, one 64-bit value at a time: the key of a selection. */
static uint64_t mix_key(uint64_t h, int64_t v)
{
	for (int k = 0; k < 8; k++) {
		h ^= (uint64_t)v >> (8 * k) & 0xff;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

void mm_ck_set_leaf(mm_checker *c, mm_info *i)
{
	i->leaf = true;
	i->leaf_id = LITERAL_IDS + c->next_leaf++;
}

static mm_code check(mm_checker *c, mm_node *e);
static mm_code subst_shape(mm_checker *c, mm_shape *s, mm_span at);

mm_code mm_ck_node(mm_checker *c, mm_node *e)
{
	return check(c, e);
}
/* ---- node kinds ---- */

/* The variable or function closest to an unknown name, or NULL. */
static const char *suggest_name(const mm_env *env, const char *name)
{
	mm_suggest s;
	mm_suggest_init(&s, name);
	for (int k = 0; env && k < env->n; k++)
		mm_suggest_add(&s, env->vars[k].name);
	for (size_t k = 0; mm_builtin_at(k); k++)
		mm_suggest_add(&s, mm_builtin_at(k)->name);
	return mm_suggest_best(&s);
}

/* Whether a name is a command typed without its colon, as at other
 * prompts (help, quit). */
static bool is_bare_command(const char *name)
{
	static const char *const words[] = {
		"help", "vars", "whos", "exit", "quit", "clear", "devices", NULL,
	};
	for (int k = 0; words[k]; k++)
		if (strcmp(name, words[k]) == 0)
			return true;
	return false;
}

/* Whether an unknown name reads as a shape written without spaces, as
 * "Bx1024x4096" (a name, then x, then a number, is one name): its parts
 * between the x's are all names or numbers, with a number among them or
 * every name one letter ("nxd"). Writes the shape with spaces,
 * "(B x 1024 x 4096)", into out. */
static bool shape_without_spaces(const mm_env *env, const char *name,
                                 char *out, size_t cap)
{
	bool num = false, word = false, letters = true;
	int parts = 0;
	size_t o = 0;
	out[o++] = '(';
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "x");
		if (n == 0)
			return false; /* x at the start, the end, or twice */
		bool digits = true;
		for (size_t k = 0; k < n; k++)
			digits &= p[k] >= '0' && p[k] <= '9';
		parts++;
		num |= digits;
		word |= !digits;
		letters &= digits || n == 1;
		if (!digits && p[0] >= '0' && p[0] <= '9')
			return false; /* "2b" is neither */
		if (o + n + 5 > cap)
			return false;
		memcpy(out + o, p, n);
		out[o + n] = '\0';
		const mm_var *v = digits ? NULL : mm_env_find(env, out + o);
		if (v && v->v.kind != MM_K_NUMBER)
			return false; /* "Wx4" with W a tensor */
		o += n;
		p += n;
		if (*p == 'x') {
			if (!p[1])
				return false;
			memcpy(out + o, " x ", 3);
			o += 3;
			p++;
		}
	}
	out[o++] = ')';
	out[o] = '\0';
	return parts > 1 && word && (num || letters);
}

static bool env_lookup(void *ctx, const char *name, int64_t *value);

static mm_code check_name(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *l = mm_ck_local_find(c, e->name);
	if (l) {
		/* a parameter or local of the function being checked: the node
		 * it stands for, shared (the graph counts it once) */
		const mm_info *li = l->info;
		i->local = l;
		i->v = li->v;
		i->concrete = li->concrete;
		i->symbolic = li->symbolic;
		if (li->g) {
			if (!mm_ck_hold(c, li->g))
				return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
			i->g = mm_graph_ref(li->g);
		}
		return MM_OK;
	}
	const mm_var *v = mm_env_find(c->env, e->name);
	if (!v) {
		const mm_builtin *f = mm_builtin_find(e->name);
		if (f) {
			mm_ck_fail(c, MM_ERR_TYPE, e->span, "%s is a function", e->name);
			mm_diag_hint(c->diag, "call it: %s", f->usage);
			return MM_ERR_TYPE;
		}
		mm_ck_fail(c, MM_ERR_NAME, e->span, "unknown name '%s'", e->name);
		const char *s = suggest_name(c->env, e->name);
		char shape[128];
		if (is_bare_command(e->name))
			mm_diag_hint(c->diag, "commands start with ':': :%s", e->name);
		else if (s)
			mm_diag_hint(c->diag, "did you mean '%s'?", s);
		else if (shape_without_spaces(c->env, e->name, shape,
		                              sizeof shape))
			mm_diag_hint(c->diag, "a name in a shape needs spaces "
			                      "around x: %s", shape);
		else if (strcmp(e->name, "ans") == 0)
			mm_diag_hint(c->diag, "ans is the previous result; there is "
			                      "none yet");
		else
			mm_diag_hint(c->diag, "bind it first: %s = (1024 x 4096), "
			                      "or :vars lists the names", e->name);
		return MM_ERR_NAME;
	}
	i->var = v;
	i->v = v->v;
	if (v->v.kind == MM_K_FORMULA) {
		/* symbols bound since are substituted */
		mm_poly p;
		mm_code r = mm_poly_subst(&p, v->v.sym, env_lookup, c->env, c->diag);
		if (r != MM_OK)
			return mm_ck_placed(c, r, e->span);
		if (!mm_value_set_formula(&i->v, &p, v->v.dim, c->arena))
			return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
		return MM_OK;
	}
	if (v->v.kind == MM_K_TENSOR) {
		mm_shape sh = v->v.shape;
		if (mm_shape_is_symbolic(&sh)) {
			mm_code r = subst_shape(c, &sh, e->span);
			if (r != MM_OK)
				return r;
			i->symbolic = mm_shape_is_symbolic(&sh);
		}
		mm_ck_set_tensor(i, &sh, v->v.dtype,
		           v->value != NULL || c->opts.fill_abstract);
		i->leaf = true;
		i->leaf_id = v->id;
		i->data = v->value != NULL; /* the evaluator takes a reference */
	}
	return MM_OK;
}

/* ---- symbols ---- */

static const mm_poly *arena_poly(mm_checker *c, const mm_poly *p)
{
	mm_poly *q = mm_arena_alloc(c->arena, sizeof *q);
	if (q)
		*q = *p;
	return q;
}

static mm_code sym_eval(mm_checker *c, mm_node *e, mm_poly *out);

mm_code mm_ck_sym(mm_checker *c, mm_node *e, mm_poly *out)
{
	return sym_eval(c, e, out);
}

/* A dimension expression as a polynomial: unbound names are symbols,
 * names bound to numbers their values. */
static mm_code sym_eval(mm_checker *c, mm_node *e, mm_poly *out)
{
	mm_code r;
	mm_poly a, b;
	if (++c->depth > MAX_TREE_DEPTH) {
		c->depth--;
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span, "dimension too deeply nested");
	}
	switch (e->kind) {
	case MM_N_NAME: {
		const mm_var *v = mm_env_find(c->env, e->name);
		if (!v && !mm_builtin_find(e->name) &&
		    strcmp(e->name, "ans") != 0) {
			r = mm_poly_sym(out, e->name, strlen(e->name), c->diag);
			r = mm_ck_placed(c, r, e->span);
			break;
		}
		if (v && v->v.kind == MM_K_FORMULA && mm_dim_is_none(v->v.dim)) {
			/* a name bound to a formula of symbols: d2 = 2*d */
			r = mm_ck_placed(c, mm_poly_subst(out, v->v.sym, env_lookup,
			                                  c->env, c->diag), e->span);
			break;
		}
		goto numeric;
	}
	case MM_N_BINARY:
		if (e->op == MM_B_ADD || e->op == MM_B_SUB || e->op == MM_B_MUL ||
		    e->op == MM_B_DIV) {
			if ((r = sym_eval(c, e->lhs, &a)) != MM_OK ||
			    (r = sym_eval(c, e->rhs, &b)) != MM_OK)
				break;
			r = e->op == MM_B_ADD ? mm_poly_add(out, &a, &b, c->diag)
			  : e->op == MM_B_SUB ? mm_poly_sub(out, &a, &b, c->diag)
			  : e->op == MM_B_MUL ? mm_poly_mul(out, &a, &b, c->diag)
			                      : mm_poly_div(out, &a, &b, c->diag);
			r = mm_ck_placed(c, r, e->op_span);
			break;
		}
		if (e->op == MM_B_POW && e->rhs->kind == MM_N_NUMBER &&
		    e->rhs->is_int && e->rhs->number >= 0 && e->rhs->number <= 16) {
			if ((r = sym_eval(c, e->lhs, &a)) == MM_OK)
				r = mm_ck_placed(c, mm_poly_pow(out, &a, (unsigned)e->rhs->number,
				                          c->diag), e->op_span);
			break;
		}
		goto numeric;
	case MM_N_NEG:
		if ((r = sym_eval(c, e->lhs, &a)) == MM_OK)
			r = mm_ck_placed(c, mm_poly_mul_int(out, &a, -1, c->diag), e->span);
		break;
	default:
	numeric: {
		int64_t v;
		if ((r = check(c, e)) != MM_OK)
			break;
		int64_t n;
		if (!mm_value_get_int(&e->info->v, &n)) {
			r = mm_ck_dim(c, e, &v); /* says what is wrong */
			if (r == MM_OK)
				r = mm_ck_fail(c, MM_ERR_VALUE, e->span, "not a dimension");
			break;
		}
		mm_poly_const(out, n);
		r = MM_OK;
	}
	}
	c->depth--;
	return r;
}

/* dim k of s from the expression e: a number, or a polynomial of symbols. */
static mm_code dim_of(mm_checker *c, mm_node *e, mm_shape *s, int k)
{
	mm_poly p;
	/* Most dims are plain integers: no polynomial needed. */
	if (e->kind == MM_N_NUMBER && e->is_int) {
		/* no record of its own: nothing reads a literal dim's (a
		 * statement makes several; each is 700 bytes to clear) */
		if (e->ival < 0) /* not from the parser, but keep the rule */
			return mm_ck_fail(c, MM_ERR_VALUE, e->span,
			                  "a dimension cannot be negative");
		s->sym[k] = NULL;
		s->dim[k] = e->ival;
		return MM_OK;
	}
	mm_code r = sym_eval(c, e, &p);
	if (r != MM_OK)
		return r;
	int64_t v;
	s->sym[k] = NULL;
	if (mm_poly_get_const(&p, &v)) {
		if (v < 0)
			return mm_ck_fail(c, MM_ERR_VALUE, e->span,
			            "a dimension cannot be negative, got %lld", (long long)v);
		s->dim[k] = v;
		return MM_OK;
	}
	if (mm_poly_is_const(&p)) {
		mm_ck_fail(c, MM_ERR_VALUE, e->span, "a dimension must be a whole number");
		mm_diag_hint(c->diag, "dimensions are whole numbers; check the "
		                      "division that made it");
		return MM_ERR_VALUE;
	}
	s->dim[k] = 0;
	if (!(s->sym[k] = arena_poly(c, &p)))
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	return MM_OK;
}

mm_code mm_ck_dim_of(mm_checker *c, mm_node *e, mm_shape *s, int k)
{
	return dim_of(c, e, s, k);
}

/* Looks symbols up among the variables bound to whole numbers. */
static bool env_lookup(void *ctx, const char *name, int64_t *value)
{
	return mm_env_lookup_int(ctx, name, value);
}

mm_code mm_ck_subst(mm_checker *c, const mm_poly *p, mm_poly *out)
{
	return mm_poly_subst(out, p, env_lookup, c->env, c->diag);
}

/* A variable's symbolic dims with the symbols bound since substituted. */
static mm_code subst_shape(mm_checker *c, mm_shape *s, mm_span at)
{
	for (int k = 0; k < s->ndim; k++) {
		if (!s->sym[k])
			continue;
		mm_poly p;
		int64_t v;
		mm_code r = mm_poly_subst(&p, s->sym[k], env_lookup, c->env, c->diag);
		if (r != MM_OK)
			return mm_ck_placed(c, r, at);
		if (mm_poly_get_const(&p, &v) && v >= 0) {
			s->dim[k] = v;
			s->sym[k] = NULL;
		} else if (!(s->sym[k] = arena_poly(c, &p))) {
			return mm_ck_fail(c, MM_ERR_NOMEM, at, "out of memory");
		}
	}
	return MM_OK;
}

/* shape := '(' dim ('x' dim)* ')' — an abstract tensor of the default dtype */
static mm_code check_shape(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_shape s = {0};
	if (e->n > MM_MAX_NDIM)
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
		            "a shape has at most %d dimensions", MM_MAX_NDIM);
	for (int k = 0; k < e->n; k++) {
		mm_code r = dim_of(c, e->items[k], &s, k);
		if (r != MM_OK)
			return r;
	}
	s.ndim = e->n;
	i->symbolic = mm_shape_is_symbolic(&s);
	mm_ck_set_tensor(i, &s, c->opts.dtype, c->opts.fill_abstract);
	mm_ck_set_leaf(c, i);
	/* in a function's body, a shape literal is a weight: fresh at every
	 * call, and a parameter */
	i->param = c->ncalls > 0;
	return MM_OK;
}

/* Walks a matrix literal: every element a number, every row alike. */
static mm_code matrix_shape(mm_checker *c, mm_node *e, mm_shape *s, int depth)
{
	if (depth >= MM_MAX_NDIM)
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
		            "a matrix literal nests at most %d levels", MM_MAX_NDIM);
	s->ndim = depth + 1;
	s->dim[depth] = e->vals ? e->nvals : e->n;
	if (e->n == 0) /* empty, or packed: numbers all */
		return MM_OK;
	bool nested = e->items[0]->kind == MM_N_MATRIX;
	mm_shape first = {0};
	for (int k = 0; k < e->n; k++) {
		mm_node *it = e->items[k];
		if ((it->kind == MM_N_MATRIX) != nested)
			return mm_ck_fail(c, MM_ERR_SHAPE, it->span,
			            "matrix rows must all be lists or all numbers");
		if (nested) {
			mm_shape sub = *s;
			mm_code r = matrix_shape(c, it, &sub, depth + 1);
			if (r != MM_OK)
				return r;
			if (k == 0) {
				first = sub;
			} else if (!mm_shape_eq(&first, &sub)) {
				long long got = (long long)sub.dim[depth + 1];
				mm_ck_fail(c, MM_ERR_SHAPE, it->span,
				     "ragged matrix: row %d has %lld element%s, row 1 has "
				     "%lld",
				     k + 1, got, got == 1 ? "" : "s",
				     (long long)first.dim[depth + 1]);
				return MM_ERR_SHAPE;
			}
		} else {
			mm_code r = check(c, it);
			if (r != MM_OK)
				return r;
			if (it->info->v.kind != MM_K_NUMBER) {
				mm_ck_fail(c, MM_ERR_TYPE, it->span,
				     "matrix elements must be numbers, got %s",
				     mm_ck_kind_name(&(it->info)->v));
				if (it->info->v.kind == MM_K_TENSOR)
					mm_diag_hint(c->diag, "to join tensors: "
					             "concat(a, b, axis=0)");
				return MM_ERR_TYPE;
			}
		}
	}
	if (nested)
		*s = first;
	return MM_OK;
}

static mm_code check_matrix(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_shape s = {0};
	mm_code r = matrix_shape(c, e, &s, 0);
	if (r != MM_OK)
		return r;
	mm_ck_set_tensor(i, &s, c->opts.dtype, true);
	mm_ck_set_leaf(c, i);
	i->data = true;
	return MM_OK;
}

/* Whether a @ b is a matrix product that fits, without assumptions:
 * what a * that does not broadcast likely meant. */
static bool matmul_fits(const mm_info *a, const mm_info *b)
{
	if (a->v.kind != MM_K_TENSOR || b->v.kind != MM_K_TENSOR ||
	    a->v.shape.ndim < 2 || b->v.shape.ndim < 2)
		return false;
	mm_shape out;
	int64_t m, k, n;
	uint64_t batch;
	double approx;
	mm_diag d = {0};
	return mm_shape_matmul_as(&a->v.shape, &b->v.shape, &out, &m, &k, &n,
	                          &batch, &approx, NULL, &d) == MM_OK;
}

static mm_code check_binary(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_code r;
	if ((r = check(c, e->lhs)) != MM_OK || (r = check(c, e->rhs)) != MM_OK)
		return r;
	const mm_info *a = e->lhs->info, *b = e->rhs->info;
	const char *op = mm_bin_name(e->op);
	if (a->v.kind == MM_K_STRING || b->v.kind == MM_K_STRING ||
	    a->v.kind == MM_K_NONE || b->v.kind == MM_K_NONE) {
		const mm_node *bad = (a->v.kind == MM_K_STRING || a->v.kind == MM_K_NONE)
		                         ? e->lhs : e->rhs;
		return mm_ck_fail(c, MM_ERR_TYPE, bad->span,
		            "%s: operand is %s, not a number or tensor", op,
		            mm_ck_kind_name(&(bad->info)->v));
	}
	bool fa = a->v.kind == MM_K_FORMULA, fb = b->v.kind == MM_K_FORMULA;
	if ((fa || fb) && a->v.kind != MM_K_TENSOR && b->v.kind != MM_K_TENSOR &&
	    e->op != MM_B_MATMUL)
		return mm_ck_fold_formula(c, e, &a->v, &b->v, i);
	if (fa || fb) {
		const mm_node *n = fa ? e->lhs : e->rhs;
		return mm_ck_fail(c, MM_ERR_TYPE, n->span,
		                  "%s: a formula of symbols is a number, not a "
		                  "tensor", mm_bin_name(e->op));
	}
	if (a->v.kind == MM_K_NUMBER && b->v.kind == MM_K_NUMBER) {
		if (e->op == MM_B_MATMUL) {
			mm_ck_fail(c, MM_ERR_SHAPE, e->op_span,
			     "@: matmul needs tensors, got two numbers");
			mm_diag_hint(c->diag, "use * to multiply numbers");
			return MM_ERR_SHAPE;
		}
		return mm_ck_fold_numbers(c, e, &a->v, &b->v, i);
	}
	if ((a->v.kind == MM_K_NUMBER && !mm_dim_is_none(a->v.dim)) ||
	    (b->v.kind == MM_K_NUMBER && !mm_dim_is_none(b->v.dim))) {
		const mm_node *n = a->v.kind == MM_K_NUMBER ? e->lhs : e->rhs;
		mm_ck_fail(c, MM_ERR_TYPE, n->span,
		           "%s: a tensor and a count or time do not mix",
		           mm_bin_name(e->op));
		mm_diag_hint(c->diag, "costs are numbers about a tensor; convert one "
		                      "to a plain number first: (flops(X) -> GFLOP)");
		return MM_ERR_TYPE;
	}
	if (e->op == MM_B_MATMUL) {
		if (a->v.kind != MM_K_TENSOR || b->v.kind != MM_K_TENSOR) {
			mm_ck_fail(c, MM_ERR_SHAPE, e->op_span,
			     "@: matmul needs two tensors, got a number");
			mm_diag_hint(c->diag, "use * to scale by a number");
			return MM_ERR_SHAPE;
		}
		int64_t m, k, n;
		uint64_t batch;
		double batch_approx;
		mm_shape out;
		r = mm_shape_matmul_as(&a->v.shape, &b->v.shape, &out, &m, &k, &n,
		                       &batch, &batch_approx, &c->assume, c->diag);
		if (r != MM_OK)
			return mm_ck_placed(c, r, e->op_span);
		mm_ck_set_tensor(i, &out, mm_dtype_promote(a->v.dtype, b->v.dtype),
		                 a->concrete && b->concrete);
		i->cls = MM_C_MATMUL;
		i->symbolic = a->symbolic || b->symbolic;
		mm_cost_ctx cx = mm_ck_cost_ctx(c);
		return mm_ck_placed(c, mm_cost_matmul(&cx, &i->v, &a->v, &b->v,
		                                      &i->cost), e->op_span);
	}
	/* elementwise, a number broadcasts as a 0-d operand of the tensor's
	 * dtype (NumPy's weak scalars) */
	/* Operand shapes by pointer: a number is the 0-d shape. */
	static const mm_shape scalar = {0};
	const mm_shape *sa = a->v.kind == MM_K_TENSOR ? &a->v.shape : &scalar;
	const mm_shape *sb = b->v.kind == MM_K_TENSOR ? &b->v.shape : &scalar;
	mm_shape out;
	mm_dtype t;
	bool concrete;
	if (a->v.kind == MM_K_TENSOR && b->v.kind == MM_K_TENSOR) {
		t = mm_dtype_promote(a->v.dtype, b->v.dtype);
		concrete = a->concrete && b->concrete;
	} else {
		const mm_info *tt = a->v.kind == MM_K_TENSOR ? a : b;
		t = tt->v.dtype;
		concrete = tt->concrete;
	}
	r = mm_shape_broadcast_as(sa, sb, op, &out, &c->assume, c->diag);
	if (r != MM_OK) {
		r = mm_ck_placed(c, r, e->op_span);
		if (e->op == MM_B_MUL && matmul_fits(a, b))
			mm_diag_hint(c->diag, "for a matrix product write @ (* multiplies "
			                      "elementwise, broadcasting)");
		return r;
	}
	mm_ck_set_tensor(i, &out, t, concrete);
	i->symbolic = a->symbolic || b->symbolic;
	i->cls = MM_C_ELEMENTWISE;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	const mm_value *in[2] = {&a->v, &b->v};
	return mm_ck_placed(c, mm_cost_elementwise(&cx, &i->v, in, 2, 1,
	                                           &i->cost), e->op_span);
}

/* index := base '[' item, ... ']' with NumPy basic indexing */
static mm_code check_index(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_code r = check(c, e->lhs);
	if (r != MM_OK)
		return r;
	const mm_info *b = e->lhs->info;
	if (b->v.kind != MM_K_TENSOR)
		return mm_ck_fail(c, MM_ERR_TYPE, e->lhs->span, "only a tensor can be "
		            "indexed, this is %s", mm_ck_kind_name(&(b)->v));
	if (b->symbolic)
		return mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->op_span,
		            "indexing does not take symbolic dimensions yet");
	/* None adds an axis of length 1 (NumPy's newaxis); its node gets a
	 * value of no kind, which the evaluator looks for */
	int nnew = 0;
	for (int k = 0; k < e->n; k++)
		if (e->items[k]->kind == MM_N_NAME &&
		    strcmp(e->items[k]->name, "None") == 0 &&
		    !mm_env_find(c->env, "None")) {
			if (!info_of(c, e->items[k]))
				return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
			nnew++;
		}
	if (e->n - nnew > b->v.shape.ndim)
		return mm_ck_fail(c, MM_ERR_VALUE, e->op_span,
		            "too many indices: %d for %d axes", e->n - nnew,
		            b->v.shape.ndim);
	if (b->v.shape.ndim + nnew > MM_MAX_NDIM)
		return mm_ck_fail(c, MM_ERR_LIMIT, e->op_span,
		                  "more than %d axes", MM_MAX_NDIM);
	mm_shape out = {0};
	uint64_t key = UINT64_C(0xcbf29ce484222325);
	bool whole = true; /* every element, in order: the same key */
	int j = 0; /* the next index */
	for (int k = 0; k < b->v.shape.ndim; k++) {
		int64_t len = b->v.shape.dim[k];
		for (; j < e->n && e->items[j]->info &&
		       e->items[j]->info->v.kind == MM_K_NONE; j++)
			out.dim[out.ndim++] = 1;
		if (j >= e->n) {
			out.dim[out.ndim++] = len;
			continue;
		}
		mm_node *it = e->items[j++];
		if (it->kind != MM_N_SLICE) {
			int64_t ix = 0;
			if ((r = check(c, it)) != MM_OK ||
			    (r = mm_ck_int(c, it, "an index", &ix)) != MM_OK)
				return r;
			if (ix < -len || ix >= len)
				return mm_ck_fail(c, MM_ERR_VALUE, it->span,
				            "index %lld is out of range for axis %d of "
				            "length %lld",
				            (long long)ix, k, (long long)len);
			key = mix_key(mix_key(key, k), ix < 0 ? ix + len : ix);
			whole = false;
			continue;
		}
		int64_t part[3] = {0, 0, 1};
		bool has[3] = {false, false, false};
		for (int p = 0; p < 3; p++) {
			if (!it->slice[p])
				continue;
			if ((r = check(c, it->slice[p])) != MM_OK ||
			    (r = mm_ck_int(c, it->slice[p], "a slice bound", &part[p])) != MM_OK)
				return r;
			has[p] = true;
		}
		int64_t lo, cnt, step = has[2] ? part[2] : 1;
		if ((r = mm_shape_slice(len, part, has, &lo, &cnt, c->diag)) != MM_OK)
			return mm_ck_placed(c, r, it->span);
		out.dim[out.ndim++] = cnt;
		whole = whole && lo == 0 && step == 1 && cnt == len;
		key = mix_key(mix_key(mix_key(mix_key(key, k + 64), lo), step),
		              out.dim[out.ndim - 1]);
	}
	for (; j < e->n; j++) /* Nones after the last axis */
		out.dim[out.ndim++] = 1;
	mm_ck_set_tensor(i, &out, b->v.dtype, b->concrete);
	mm_ck_set_view(i, b);
	if (i->view_key && !whole)
		i->view_key = mix_key(key, (int64_t)i->view_key) | UINT64_C(1) << 63;
	i->cls = MM_C_NONE;
	return MM_OK;
}

/* Whether key is one of the space-separated words of list. */
static bool listed(const char *list, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = list ? list : ""; *p;) {
		size_t l = strcspn(p, " ");
		if (l == kl && strncmp(p, key, l) == 0)
			return true;
		p += l;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* The arguments of a call to f: positional ones first, then keywords,
 * each keyword known and given once, as many positional ones as f takes.
 * Returns their number in *npos. */
static mm_code call_args(mm_checker *c, const mm_node *e, const mm_builtin *f,
                         int *npos)
{
	bool seen_key = false;
	*npos = 0;
	for (int k = 0; k < e->n; k++) {
		const char *key = e->keys[k];
		if (!key) {
			if (seen_key)
				return mm_ck_fail(c, MM_ERR_SYNTAX, e->items[k]->span,
				                  "%s: positional argument after a "
				                  "keyword argument", f->name);
			++*npos;
			continue;
		}
		seen_key = true;
		if (!listed(f->keys, key)) {
			mm_ck_fail(c, MM_ERR_ARG, e->items[k]->span,
			           "%s has no argument named '%s'", f->name, key);
			mm_diag_hint(c->diag, "usage: %s", f->usage);
			return MM_ERR_ARG;
		}
		for (int j = 0; j < k; j++)
			if (e->keys[j] && strcmp(e->keys[j], key) == 0)
				return mm_ck_fail(c, MM_ERR_ARG, e->items[k]->span,
				                  "%s: '%s' given twice", f->name, key);
	}
	if (*npos >= f->min && (f->max < 0 || *npos <= f->max))
		return MM_OK;
	if (f->min == f->max)
		mm_ck_fail(c, MM_ERR_ARG, e->span, "%s takes %d argument%s, got %d",
		           f->name, f->min, f->min == 1 ? "" : "s", *npos);
	else
		mm_ck_fail(c, MM_ERR_ARG, e->span,
		           "%s: wrong number of arguments (%d)", f->name, *npos);
	mm_diag_hint(c->diag, "usage: %s", f->usage);
	return MM_ERR_ARG;
}

/* call := NAME '(' args ')' — the arguments are checked here, the rest by
 * the built-in's row (builtin.c). */
static mm_code check_call(mm_checker *c, mm_node *e, mm_info *i)
{
	const mm_builtin *f = mm_builtin_find(e->name);
	mm_code r;
	int npos;
	const mm_userfn *uf = !f && c->opts.find_fn
	                          ? c->opts.find_fn(c->opts.fn_ctx, e->name) : NULL;
	if (uf)
		return mm_ck_user_call(c, e, i, uf);
	if (!f) {
		mm_ck_fail(c, MM_ERR_NAME, e->op_span, "unknown function '%s'",
		           e->name);
		mm_suggest s;
		mm_suggest_init(&s, e->name);
		for (size_t k = 0; mm_builtin_at(k); k++)
			mm_suggest_add(&s, mm_builtin_at(k)->name);
		const mm_builtin *near = mm_builtin_find(s.best ? s.best : "");
		if (near)
			mm_diag_hint(c->diag, "did you mean %s?", near->usage);
		else
			mm_diag_hint(c->diag, ":help functions lists them");
		return MM_ERR_NAME;
	}
	i->fn = f;
	if ((r = call_args(c, e, f, &npos)) != MM_OK)
		return r;
	/* Keywords that may be bare words (dtype=f16), and the arguments the
	 * row reads itself, are left to the row. */
	for (int k = 0; k < e->n; k++)
		if (!(e->keys[k] && listed(f->words, e->keys[k])) &&
		    !(!e->keys[k] && k < 32 && (f->raw >> k & 1)) &&
		    !(k > 0 && (f->flags & MM_BF_TUPLES) &&
		      e->items[k]->kind == MM_N_SHAPE) &&
		    (r = check(c, e->items[k])) != MM_OK)
			return r;
	for (int k = 0; k < e->n && !(f->flags & MM_BF_SYMBOLIC); k++)
		if (e->items[k]->info && e->items[k]->info->v.kind == MM_K_TENSOR &&
		    e->items[k]->info->symbolic) {
			mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->items[k]->span,
			           "%s does not take symbolic dimensions yet", f->name);
			mm_diag_hint(c->diag, "bind the symbols first (n = 1024), or "
			                      "for this statement only: ... where "
			                      "n = 1024");
			return MM_ERR_UNSUPPORTED;
		}
	if (e->n > 0 && e->items[0]->info)
		i->symbolic = e->items[0]->info->v.kind == MM_K_TENSOR &&
		              e->items[0]->info->symbolic;
	return f->check(c, e, i);
}

/* -x, +x and x.T: a number stays a number; on a tensor, -x is an
 * elementwise operation, +x and x.T are views. */
static mm_code check_prefix(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_code r;
	if ((r = check(c, e->lhs)) != MM_OK)
		return r;
	const mm_info *x = e->lhs->info;
	if (x->v.kind == MM_K_FORMULA && e->kind != MM_N_TRANSPOSE) {
		mm_poly p = *x->v.sym;
		mm_code r2 = e->kind == MM_N_NEG ? mm_poly_mul_int(&p, &p, -1, c->diag)
		                                 : MM_OK;
		if (r2 != MM_OK)
			return mm_ck_placed(c, r2, e->span);
		if (!mm_value_set_formula(&i->v, &p, x->v.dim, c->arena))
			return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
		return MM_OK;
	}
	if (x->v.kind == MM_K_NUMBER) {
		i->v = x->v;
		if (e->kind == MM_N_NEG && x->v.is_int && x->v.ival != INT64_MIN)
			mm_value_set_int(&i->v, -x->v.ival);
		else if (e->kind == MM_N_NEG)
			mm_ck_set_number(i, -x->v.num);
		i->v.dim = x->v.dim;
		if (e->kind == MM_N_NEG && mm_dim_is_count(x->v.dim))
			i->v.cnt = mm_count_approx(i->v.num); /* below zero */
		return MM_OK;
	}
	if (x->v.kind != MM_K_TENSOR)
		return mm_ck_fail(c, MM_ERR_TYPE, e->span, "cannot %s %s",
		                  e->kind == MM_N_TRANSPOSE ? "transpose" : "negate",
		                  mm_ck_kind_name(&x->v));
	mm_shape s = e->kind == MM_N_TRANSPOSE ? mm_shape_transpose(&x->v.shape)
	                                       : x->v.shape;
	mm_ck_set_tensor(i, &s, x->v.dtype, x->concrete);
	i->symbolic = x->symbolic;
	if (e->kind != MM_N_NEG) {
		mm_ck_set_view(i, x);
		return MM_OK;
	}
	i->cls = MM_C_ELEMENTWISE;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	const mm_value *in = &x->v;
	return mm_ck_placed(c, mm_cost_elementwise(&cx, &i->v, &in, 1, 1, &i->cost),
	                    e->span);
}

/* The name of e's operation in tables: static text. */
static const char *op_name(const mm_node *e, const mm_info *i)
{
	switch (e->kind) {
	case MM_N_BINARY: return mm_bin_name(e->op);
	case MM_N_NEG: return "neg";
	case MM_N_CALL: return i->fn ? i->fn->name : "call";
	case MM_N_MATRIX: return "matrix";
	case MM_N_TRANSPOSE: return ".T";
	case MM_N_INDEX: return "[]";
	default: return "?";
	}
}

/* Gives a checked tensor node its graph node: a variable's own, a new
 * leaf for an input, a view of its operand, or an operation on its
 * operands' nodes. The statement's arena holds the reference. */
static mm_code graph_node(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_gnode *in[MM_MAX_OPERANDS];
	int nin = 0;
	if (e->kind == MM_N_NAME && i->var && i->var->g) {
		/* This statement's view of the variable's value: its dims as
		 * they are now (symbols bound since are substituted), and the
		 * point where the statement's own cost stops. */
		i->g = mm_graph_view(&i->v, i->var->g, 0, c->opts.stmt);
	} else if (i->leaf) {
		i->g = mm_graph_leaf(&i->v, i->data, c->opts.stmt);
		if (i->g)
			i->g->param = i->param;
	} else {
		mm_node *kids[MM_MAX_OPERANDS];
		int n = mm_check_operands(e, kids);
		for (int k = 0; k < n; k++)
			if (kids[k]->info && kids[k]->info->g &&
			    kids[k]->info->v.kind == MM_K_TENSOR)
				in[nin++] = kids[k]->info->g;
		if (i->view && nin > 0)
			i->g = mm_graph_view(&i->v, in[0], i->view_key, c->opts.stmt);
		else
			i->g = mm_graph_op(&i->v, &i->cost, (int)i->cls, op_name(e, i),
			                   in, nin, c->opts.stmt);
		if (i->g && i->g->kind == MM_G_OP) {
			i->g->trans = mm_check_transcendental(i);
			i->g->moe = i->moe;
			i->g->moe_all = i->moe_all;
			i->g->moe_active = i->moe_active;
		}
		if (i->g && (!mm_count_is_zero(i->held) || i->sheld) &&
		    !mm_graph_hold_params(i->g, i->held, i->sheld)) {
			mm_graph_unref(i->g);
			i->g = NULL;
		}
	}
	if (!i->g || !mm_ck_hold(c, i->g)) {
		mm_graph_unref(i->g);
		i->g = NULL;
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	}
	/* Inputs are told apart by their nodes. */
	if (i->leaf)
		i->leaf_id = i->g->kind == MM_G_VIEW ? i->g->in[0]->id : i->g->id;
	return MM_OK;
}

static mm_code check(mm_checker *c, mm_node *e)
{
	mm_info *i = info_of(c, e);
	if (!i)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	if (++c->depth > MAX_TREE_DEPTH) {
		c->depth--;
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
		            "expression too deep (more than %d operations nested)",
		            MAX_TREE_DEPTH);
	}
	mm_code r = MM_OK;
	switch (e->kind) {
	case MM_N_NUMBER:
		if (e->is_int)
			mm_value_set_int(&i->v, e->ival);
		else
			mm_ck_set_number(i, e->number);
		break;
	case MM_N_STRING:
		i->v.kind = MM_K_STRING;
		i->v.str = e->str;
		break;
	case MM_N_NAME:
		r = check_name(c, e, i);
		break;
	case MM_N_SHAPE:
		r = check_shape(c, e, i);
		break;
	case MM_N_MATRIX:
		r = check_matrix(c, e, i);
		break;
	case MM_N_BINARY:
		r = check_binary(c, e, i);
		break;
	case MM_N_NEG:
	case MM_N_PLUS:
	case MM_N_TRANSPOSE:
		r = check_prefix(c, e, i);
		break;
	case MM_N_CALL:
		r = check_call(c, e, i);
		break;
	case MM_N_INDEX:
		r = check_index(c, e, i);
		break;
	case MM_N_SLICE:
		r = mm_ck_fail(c, MM_ERR_SYNTAX, e->span, "a slice outside brackets");
		break;
	case MM_N_HOLE:
		if (c->hole) {
			mm_ck_set_tensor(i, c->hole, c->opts.dtype, c->opts.fill_abstract);
			mm_ck_set_leaf(c, i);
			break;
		}
		r = mm_ck_fail(c, MM_ERR_SYNTAX, e->span,
		         "'?' stands for an unknown operand in an equation");
		mm_diag_hint(c->diag, "write EXPR = SHAPE, e.g. (1024x4096) @ ? = "
		                      "(1024x512)");
		break;
	}
	if (r == MM_OK && i->v.kind == MM_K_TENSOR && !i->g)
		r = graph_node(c, e, i);
	c->depth--;
	return r;
}

mm_code mm_check_expr(mm_checker *c, mm_node *e)
{
	c->depth = 0;
	return check(c, e);
}

