/* einsum.c — Einstein summation: the subscripts read into a plan with
 * NumPy's rules (shapes and sizes, symbols included), and its execution
 * on the GEMM. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/einsum.h"
#include "mmcalc/ops.h"
#include "mmcalc/ops_axes.h"
#include "mmcalc/ops_nn.h"
#include "mmcalc/poly.h"

#define NOSPAN ((mm_span){0, 0})

/* ---- reading the subscripts ---- */

static int letter(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return 26 + c - 'a';
	return -1;
}

static char label_char(int l)
{
	return (char)(l < 26 ? 'A' + l : 'a' + l - 26);
}

/* An error at spec offset pos (-1: none). */
static mm_code fail_at(int *at, int pos, mm_diag *d, mm_code code,
                       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static mm_code fail_at(int *at, int pos, mm_diag *d, mm_code code,
                       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mm_diag_vset(d, code, NOSPAN, fmt, ap);
	va_end(ap);
	if (at)
		*at = pos;
	return code;
}

/* One term, spec[a, b): its letters in order into lab (-1 where "..."
 * stands, once at most), their number into *n, the offset of each into
 * pos. what names the term in messages ("operand 1", "the output"). */
static mm_code read_term(const char *spec, int a, int b, const char *what,
                         int *lab, int *pos, int *n, int *ell, int *at,
                         mm_diag *d)
{
	*n = 0;
	*ell = -1;
	for (int i = a; i < b; i++) {
		char c = spec[i];
		if (c == ' ')
			continue;
		if (*n >= MM_MAX_NDIM + 1)
			return fail_at(at, i, d, MM_ERR_LIMIT, "einsum: %s has more "
			               "than %d subscripts", what, MM_MAX_NDIM);
		if (c == '.') {
			if (i + 2 >= b || spec[i + 1] != '.' || spec[i + 2] != '.')
				return fail_at(at, i, d, MM_ERR_VALUE, "einsum: a '.' in "
				               "%s that is not part of '...'", what);
			if (*ell >= 0)
				return fail_at(at, i, d, MM_ERR_VALUE, "einsum: '...' "
				               "twice in %s", what);
			*ell = *n;
			pos[*n] = i;
			lab[(*n)++] = -1;
			i += 2;
			continue;
		}
		int l = letter(c);
		if (l < 0)
			return fail_at(at, i, d, MM_ERR_VALUE, "einsum: '%c' in %s is "
			               "not a subscript; subscripts are letters",
			               c, what);
		pos[*n] = i;
		lab[(*n)++] = l;
	}
	return MM_OK;
}

/* Dims compared for a label: 0 equal, 1 the first is 1 (take the
 * second), 2 the second is 1, -1 they differ, -2 unknown (symbols). */
static int size_cmp(int64_t a, const mm_poly *pa, int64_t b, const mm_poly *pb)
{
	if (!pa && !pb)
		return a == b ? 0 : a == 1 ? 1 : b == 1 ? 2 : -1;
	if (pa && pb)
		return mm_poly_eq(pa, pb) ? 0 : -2;
	if (!pa && a == 1)
		return 1;
	if (!pb && b == 1)
		return 2;
	return -2;
}

/* The size of label l from axis k of shape s: set, or checked against
 * what the label has (same_op: the label is repeated in one operand,
 * where sizes must be equal). */
static mm_code size_of(mm_einsum *p, int l, const mm_shape *s, int k,
                       bool same_op, int op, int pos, int *at, mm_assume *as,
                       mm_diag *d)
{
	if (!p->used[l]) {
		p->used[l] = true;
		p->size[l] = s->dim[k];
		p->sym[l] = s->sym[k];
		return MM_OK;
	}
	int c = size_cmp(p->size[l], p->sym[l], s->dim[k], s->sym[k]);
	if (c == 0 || (!same_op && c == 2))
		return MM_OK;
	if (!same_op && c == 1) {
		p->size[l] = s->dim[k];
		p->sym[l] = s->sym[k];
		return MM_OK;
	}
	mm_shape had = {.ndim = 1, .dim = {p->size[l]}, .sym = {p->sym[l]}};
	mm_diag why = {0};
	if (c == -2 && mm_shape_assume(as, &had, 0, " == ", s, k, &why))
		return MM_OK;
	char name[32];
	if (l < MM_EINSUM_LETTERS)
		snprintf(name, sizeof name, "'%c'", label_char(l));
	else
		snprintf(name, sizeof name, "'...' axis %d", l - MM_EINSUM_LETTERS);
	char sh[160];
	if (c == -2) {
		fail_at(at, pos, d, MM_ERR_SHAPE, "einsum: %s of operand %d %s may "
		        "not have the size it has elsewhere: %s", name, op + 1,
		        mm_shape_str(s, sh, sizeof sh), why.message);
		mm_diag_hint(d, "%s", why.hint);
		return MM_ERR_SHAPE;
	}
	return fail_at(at, pos, d, MM_ERR_SHAPE, "einsum: %s is %lld in operand "
	               "%d %s but %lld %s", name, (long long)s->dim[k], op + 1,
	               mm_shape_str(s, sh, sizeof sh), (long long)p->size[l],
	               same_op ? "on its other axis (a diagonal needs equal sizes)"
	                       : "elsewhere (sizes must agree, or one be 1)");
}

/* The output term: letters each once and each in an input; "..." where
 * the broadcast axes go (required when there are any). */
static mm_code read_output(mm_einsum *p, const char *spec, int a, int b,
                           const int *count, int *at, mm_diag *d)
{
	int lab[MM_MAX_NDIM + 1], pos[MM_MAX_NDIM + 1], n, ell;
	mm_code r = read_term(spec, a, b, "the output", lab, pos, &n, &ell, at, d);
	if (r != MM_OK)
		return r;
	if (p->nell > 0 && ell < 0)
		return fail_at(at, b, d, MM_ERR_SHAPE, "einsum: the operands' '...' "
		               "stands for %d ax%s, which the output must keep: "
		               "write '...' in it", p->nell,
		               p->nell == 1 ? "is" : "es");
	p->nout = 0;
	bool seen[MM_EINSUM_LABELS] = {false};
	for (int k = 0; k < n; k++) {
		int l = lab[k], add = l < 0 ? p->nell : 1;
		if (l >= 0 && !count[l])
			return fail_at(at, pos[k], d, MM_ERR_VALUE, "einsum: output "
			               "subscript '%c' is in no operand",
			               label_char(l));
		if (l >= 0 && seen[l])
			return fail_at(at, pos[k], d, MM_ERR_VALUE, "einsum: output "
			               "subscript '%c' is given twice", label_char(l));
		if (p->nout + add > MM_MAX_NDIM)
			return fail_at(at, pos[k], d, MM_ERR_LIMIT, "einsum: more "
			               "than %d output axes", MM_MAX_NDIM);
		if (l >= 0) {
			seen[l] = true;
			p->out[p->nout++] = (uint8_t)l;
			continue;
		}
		for (int j = 0; j < p->nell; j++)
			p->out[p->nout++] = (uint8_t)(MM_EINSUM_LETTERS + j);
	}
	return MM_OK;
}

/* The inputs' terms: spec[0, end) split at ','. */
static mm_code read_inputs(mm_einsum *p, const char *spec, int end,
                           const mm_shape *ops, int n, int *count,
                           int where[][MM_MAX_NDIM], int *at, mm_diag *d)
{
	int a = 0;
	for (int k = 0; k < n; k++) {
		int b = a;
		while (b < end && spec[b] != ',')
			b++;
		if (b == end && k < n - 1)
			return fail_at(at, -1, d, MM_ERR_ARG, "einsum: the subscripts "
			               "name %d operand%s, %d given", k + 1,
			               k ? "s" : "", n);
		char what[32];
		snprintf(what, sizeof what, "operand %d", k + 1);
		int lab[MM_MAX_NDIM + 1], pos[MM_MAX_NDIM + 1], nl, ell;
		mm_code r = read_term(spec, a, b, what, lab, pos, &nl, &ell, at, d);
		if (r != MM_OK)
			return r;
		int letters = nl - (ell >= 0), nd = ops[k].ndim;
		if (letters > nd || (ell < 0 && letters != nd)) {
			char sh[160];
			return fail_at(at, a, d, MM_ERR_SHAPE, "einsum: operand %d %s "
			               "has %d axes but %d subscripts%s", k + 1,
			               mm_shape_str(&ops[k], sh, sizeof sh), nd, letters,
			               letters < nd ? "; '...' stands for the others"
			                            : "");
		}
		/* "..." covers the axes the letters leave, counted from the
		 * right against the others' (labels assigned below) */
		int ne = nd - letters, ax = 0;
		p->nd[k] = nd;
		for (int j = 0; j < nl; j++) {
			if (lab[j] >= 0) {
				where[k][ax] = pos[j];
				p->lab[k][ax++] = (uint8_t)lab[j];
				count[lab[j]]++;
				continue;
			}
			for (int e = 0; e < ne; e++) {
				where[k][ax] = pos[j];
				p->lab[k][ax++] = (uint8_t)(MM_EINSUM_LABELS - ne + e);
			}
		}
		if (ne > p->nell)
			p->nell = ne;
		a = b + 1;
	}
	if (a <= end)
		return fail_at(at, a - 1, d, MM_ERR_ARG, "einsum: the subscripts "
		               "name more operands than the %d given", n);
	return MM_OK;
}

mm_code mm_einsum_plan(const char *spec, const mm_shape *ops, int n,
                       mm_einsum *p, mm_shape *out, int *at, mm_assume *as,
                       mm_diag *d)
{
	memset(p, 0, sizeof *p);
	if (at)
		*at = -1;
	if (n > MM_EINSUM_MAX_OPS) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN, "einsum takes at most %d "
		            "operands, not %d", MM_EINSUM_MAX_OPS, n);
		mm_diag_hint(d, "contract some first: einsum(\"ij,jk->ik\", A, "
		                "einsum(\"jk,kl->jl\", B, C))");
		return MM_ERR_LIMIT;
	}
	p->nops = n;
	int len = (int)strnlen(spec, 4096), arrow = -1;
	for (int i = 0; i < len; i++) {
		if (spec[i] == '>' || (spec[i] == '-' && spec[i + 1] != '>'))
			return fail_at(at, i, d, MM_ERR_VALUE, "einsum: a '%c' that is "
			               "not part of '->'", spec[i]);
		if (spec[i] == '-') {
			if (arrow >= 0)
				return fail_at(at, i, d, MM_ERR_VALUE, "einsum: '->' "
				               "twice");
			arrow = i++;
		}
	}
	int count[MM_EINSUM_LABELS] = {0}, where[MM_EINSUM_MAX_OPS][MM_MAX_NDIM];
	mm_code r = read_inputs(p, spec, arrow >= 0 ? arrow : len, ops, n, count,
	                        where, at, d);
	if (r != MM_OK)
		return r;
	/* "..." labels: the broadcast axes, right-aligned; relabel those
	 * read as counted from MM_EINSUM_LABELS */
	for (int k = 0; k < n; k++)
		for (int j = 0; j < p->nd[k]; j++)
			if (p->lab[k][j] >= MM_EINSUM_LETTERS)
				p->lab[k][j] = (uint8_t)(p->lab[k][j] - MM_MAX_NDIM +
				                         p->nell);
	/* sizes: each axis of each operand */
	for (int k = 0; k < n; k++)
		for (int j = 0; j < p->nd[k]; j++) {
			int l = p->lab[k][j];
			bool again = false;
			for (int i = 0; i < j; i++)
				again |= p->lab[k][i] == l;
			if ((r = size_of(p, l, &ops[k], j, again, k, where[k][j], at,
			                 as, d)) != MM_OK)
				return r;
		}
	if (arrow >= 0) {
		r = read_output(p, spec, arrow + 2, len, count, at, d);
		if (r != MM_OK)
			return r;
	} else { /* implicit: "..." axes, then letters used once, in order */
		for (int j = 0; j < p->nell; j++)
			p->out[p->nout++] = (uint8_t)(MM_EINSUM_LETTERS + j);
		for (int l = 0; l < MM_EINSUM_LETTERS; l++)
			if (count[l] == 1) {
				if (p->nout >= MM_MAX_NDIM)
					return fail_at(at, -1, d, MM_ERR_LIMIT, "einsum: more "
					               "than %d output axes", MM_MAX_NDIM);
				p->out[p->nout++] = (uint8_t)l;
			}
	}
	for (int k = 1; k + 1 < n; k++) {
		mm_einsum step;
		if (!mm_einsum_step(p, k, &step)) {
			fail_at(at, -1, d, MM_ERR_LIMIT, "einsum: contracted from the "
			        "left, operands 1 to %d make a result of more than %d "
			        "axes", k + 1, MM_MAX_NDIM);
			mm_diag_hint(d, "give the operands in another order, or "
			                "contract some of them first");
			return MM_ERR_LIMIT;
		}
	}
	mm_shape o = {.ndim = p->nout};
	for (int k = 0; k < p->nout; k++) {
		o.dim[k] = p->size[p->out[k]];
		o.sym[k] = p->sym[p->out[k]];
	}
	*out = o;
	return MM_OK;
}

int mm_einsum_cost_dims(const mm_einsum *p, mm_shape lab[2], bool *summed)
{
	bool seen[MM_EINSUM_LABELS] = {false}, kept[MM_EINSUM_LABELS] = {false};
	for (int k = 0; k < p->nout; k++)
		kept[p->out[k]] = true;
	*summed = false;
	int n = 0;
	for (int k = 0; k < p->nops; k++) {
		mm_shape *s = &lab[n];
		s->ndim = 0;
		for (int j = 0; j < p->nd[k]; j++) {
			int l = p->lab[k][j];
			if (seen[l])
				continue;
			seen[l] = true;
			*summed |= !kept[l];
			s->dim[s->ndim] = p->size[l];
			s->sym[s->ndim++] = p->sym[l];
		}
		n += s->ndim > 0 || k == 0;
	}
	return n;
}

bool mm_einsum_step(const mm_einsum *p, int k, mm_einsum *s)
{
	if (k == 1) {
		*s = *p;
	} else if (!mm_einsum_step(p, k - 1, s)) {
		return false;
	} else { /* the previous step's result is the left operand */
		s->nd[0] = s->nout;
		memcpy(s->lab[0], s->out, sizeof s->out);
	}
	s->nops = 2;
	s->nd[1] = p->nd[k];
	memcpy(s->lab[1], p->lab[k], sizeof s->lab[1]);
	s->nout = p->nout;
	memcpy(s->out, p->out, sizeof s->out);
	if (k == p->nops - 1)
		return true;
	bool later[MM_EINSUM_LABELS] = {false}, seen[MM_EINSUM_LABELS] = {false};
	for (int j = 0; j < p->nout; j++)
		later[p->out[j]] = true;
	for (int i = k + 1; i < p->nops; i++)
		for (int j = 0; j < p->nd[i]; j++)
			later[p->lab[i][j]] = true;
	s->nout = 0;
	for (int o = 0; o < 2; o++)
		for (int j = 0; j < s->nd[o]; j++) {
			int l = s->lab[o][j];
			if (!later[l] || seen[l])
				continue;
			if (s->nout == MM_MAX_NDIM)
				return false;
			seen[l] = true;
			s->out[s->nout++] = (uint8_t)l;
		}
	return true;
}

/* ---- execution ---- */

/* An operand seen through its labels: each label once (a repeated
 * label's strides added, which is its diagonal), and an axis of length 1
 * stretched to its label's size with stride 0 (NumPy's broadcasting). */
typedef struct lview {
	mm_tensor *t; /* one reference */
	int n;
	uint8_t lab[MM_MAX_NDIM];
} lview;

static bool labelled(const mm_einsum *p, int k, const mm_tensor *x, lview *v,
                     mm_diag *d)
{
	int64_t shape[MM_MAX_NDIM], st[MM_MAX_NDIM];
	v->n = 0;
	for (int j = 0; j < x->ndim; j++) {
		int l = p->lab[k][j], at = -1;
		for (int i = 0; i < v->n; i++)
			if (v->lab[i] == l)
				at = i;
		if (at >= 0) {
			st[at] += x->strides[j];
			continue;
		}
		v->lab[v->n] = (uint8_t)l;
		shape[v->n] = p->size[l];
		st[v->n++] = x->shape[j] == p->size[l] ? x->strides[j] : 0;
	}
	return (v->t = mm_tensor_view(x, v->n, shape, st, 0, d)) != NULL;
}

/* v summed over the labels sumit marks. */
static bool sum_labels(lview *v, const bool *sumit, mm_diag *d)
{
	bool mask[MM_MAX_NDIM], any = false;
	for (int i = 0; i < v->n; i++)
		any |= mask[i] = sumit[v->lab[i]];
	if (!any)
		return true;
	mm_tensor *r = mm_op_reduce_axes(MM_RED_SUM, v->t, mask, false, d);
	if (!r)
		return false;
	int n = 0;
	for (int i = 0; i < v->n; i++)
		if (!mask[i])
			v->lab[n++] = v->lab[i];
	mm_tensor_unref(v->t);
	v->t = r;
	v->n = n;
	return true;
}

/* A view of v with its axes in the order of labels order[0..n); a label
 * v lacks is an axis of length 1. Every label of v must be in order. */
static mm_tensor *arrange(const lview *v, const uint8_t *order, int n,
                          mm_diag *d)
{
	int64_t shape[MM_MAX_NDIM], st[MM_MAX_NDIM];
	for (int k = 0; k < n; k++) {
		shape[k] = 1;
		st[k] = 0;
		for (int i = 0; i < v->n; i++)
			if (v->lab[i] == order[k]) {
				shape[k] = v->t->shape[i];
				st[k] = v->t->strides[i];
			}
	}
	return mm_tensor_view(v->t, n, shape, st, 0, d);
}

/* The labels of the result sorted into groups, and their sizes. */
typedef struct groups {
	uint8_t bt[MM_MAX_NDIM], m[MM_MAX_NDIM], n[MM_MAX_NDIM], k[MM_MAX_NDIM];
	int nbt, nm, nn, nk;
	int64_t sbt, sm, sn, sk;
} groups;

static void group(const mm_einsum *p, const lview *a, const lview *b,
                  groups *g)
{
	bool ina[MM_EINSUM_LABELS] = {false}, inb[MM_EINSUM_LABELS] = {false};
	bool kept[MM_EINSUM_LABELS] = {false};
	memset(g, 0, sizeof *g);
	g->sbt = g->sm = g->sn = g->sk = 1;
	for (int i = 0; i < a->n; i++)
		ina[a->lab[i]] = true;
	for (int i = 0; i < b->n; i++)
		inb[b->lab[i]] = true;
	/* batch, left and right free labels in the result's order */
	for (int k = 0; k < p->nout; k++) {
		int l = p->out[k];
		kept[l] = true;
		if (ina[l] && inb[l])
			g->bt[g->nbt++] = (uint8_t)l, g->sbt *= p->size[l];
		else if (ina[l])
			g->m[g->nm++] = (uint8_t)l, g->sm *= p->size[l];
		else
			g->n[g->nn++] = (uint8_t)l, g->sn *= p->size[l];
	}
	/* contracted labels in the left operand's order */
	for (int i = 0; i < a->n; i++) {
		int l = a->lab[i];
		if (inb[l] && !kept[l])
			g->k[g->nk++] = (uint8_t)l, g->sk *= p->size[l];
	}
}

/* Concatenates label lists into out; their number. */
static int cat(uint8_t *out, const uint8_t *a, int na, const uint8_t *b,
               int nb, const uint8_t *c, int nc)
{
	memcpy(out, a, (size_t)na);
	memcpy(out + na, b, (size_t)nb);
	memcpy(out + na + nb, c, (size_t)nc);
	return na + nb + nc;
}

/* The contraction on the GEMM: a as (batch..., m, k), b as (batch...,
 * k, n), each group of letters merged into one axis (a view where the
 * strides allow), one batched matmul (whose batch axes may have any
 * strides), its (batch..., m, n) back to the letters' axes. With more
 * batch letters than a shape holds beside two, they are merged too. */
static mm_tensor *on_gemm(const mm_einsum *p, const lview *a, const lview *b,
                          const groups *g, mm_diag *d)
{
	uint8_t oa[MM_MAX_NDIM * 3], ob[MM_MAX_NDIM * 3], oc[MM_MAX_NDIM * 3];
	int na = cat(oa, g->bt, g->nbt, g->m, g->nm, g->k, g->nk);
	int nb = cat(ob, g->bt, g->nbt, g->k, g->nk, g->n, g->nn);
	int nc = cat(oc, g->bt, g->nbt, g->m, g->nm, g->n, g->nn);
	int64_t sa[MM_MAX_NDIM], sb[MM_MAX_NDIM];
	int nbt = g->nbt + 2 <= MM_MAX_NDIM ? g->nbt : 1;
	for (int i = 0; i < g->nbt; i++)
		sa[i] = sb[i] = p->size[g->bt[i]];
	if (nbt != g->nbt)
		sa[0] = sb[0] = g->sbt;
	sa[nbt] = g->sm, sa[nbt + 1] = g->sk;
	sb[nbt] = g->sk, sb[nbt + 1] = g->sn;
	mm_tensor *ta = arrange(a, oa, na, d), *tb = ta ? arrange(b, ob, nb, d) : NULL;
	mm_tensor *a3 = tb ? mm_op_reshape_view(ta, nbt + 2, sa, NULL, d) : NULL;
	mm_tensor *b3 = a3 ? mm_op_reshape_view(tb, nbt + 2, sb, NULL, d) : NULL;
	mm_tensor *c3 = b3 ? mm_op_matmul(a3, b3, d) : NULL, *r = NULL;
	if (c3) {
		int64_t shape[MM_MAX_NDIM];
		for (int i = 0; i < nc; i++)
			shape[i] = p->size[oc[i]];
		lview c = {mm_op_reshape_view(c3, nc, shape, NULL, d), nc, {0}};
		memcpy(c.lab, oc, (size_t)nc);
		if (c.t)
			r = arrange(&c, p->out, p->nout, d);
		mm_tensor_unref(c.t);
	}
	mm_tensor *own[] = {ta, tb, a3, b3, c3};
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		mm_tensor_unref(own[i]);
	return r;
}

/* Without a contraction (an outer or elementwise product): both arranged
 * as the result, multiplied with broadcasting. With batch labels only
 * (dot products along a batch): multiplied as (batch, k), summed over k. */
static mm_tensor *by_product(const mm_einsum *p, const lview *a,
                             const lview *b, const groups *g, mm_diag *d)
{
	uint8_t o[MM_MAX_NDIM * 2];
	int n = g->nk ? cat(o, g->bt, g->nbt, g->k, g->nk, g->m, 0)
	              : cat(o, p->out, p->nout, g->k, 0, g->m, 0);
	mm_tensor *ta = arrange(a, o, n, d), *tb = ta ? arrange(b, o, n, d) : NULL;
	mm_tensor *r = tb ? mm_op_binary(MM_OP_MUL, ta, tb, d) : NULL;
	mm_tensor_unref(ta);
	mm_tensor_unref(tb);
	if (!r || !g->nk)
		return r;
	bool mask[MM_MAX_NDIM * 2] = {false};
	for (int i = g->nbt; i < n; i++)
		mask[i] = true;
	mm_tensor *s = mm_op_reduce_axes(MM_RED_SUM, r, mask, false, d);
	mm_tensor_unref(r);
	return s; /* its axes are the batch labels, the result's order */
}

/* One operand or two. */
static mm_tensor *contract(const mm_einsum *p, const mm_tensor *const *in,
                           mm_diag *d)
{
	lview v[2] = {{0}};
	bool kept[MM_EINSUM_LABELS] = {false}, sumit[MM_EINSUM_LABELS] = {false};
	int cnt[MM_EINSUM_LABELS] = {0};
	mm_tensor *r = NULL;
	for (int k = 0; k < p->nout; k++)
		kept[p->out[k]] = true;
	for (int k = 0; k < p->nops; k++) {
		if (!labelled(p, k, in[k], &v[k], d))
			goto done;
		for (int i = 0; i < v[k].n; i++)
			cnt[v[k].lab[i]]++;
	}
	/* a label that one operand has and the result lacks is summed first */
	for (int l = 0; l < MM_EINSUM_LABELS; l++)
		sumit[l] = !kept[l] && cnt[l] == 1;
	for (int k = 0; k < p->nops; k++)
		if (!sum_labels(&v[k], sumit, d))
			goto done;
	if (p->nops == 1) {
		r = arrange(&v[0], p->out, p->nout, d);
		goto done;
	}
	groups g;
	group(p, &v[0], &v[1], &g);
	if (!g.nk || (g.nm == 0 && g.nn == 0 && g.sbt > 1))
		r = by_product(p, &v[0], &v[1], &g, d);
	else
		r = on_gemm(p, &v[0], &v[1], &g, d);
done:
	for (int k = 0; k < p->nops; k++)
		mm_tensor_unref(v[k].t);
	return r;
}

mm_tensor *mm_op_einsum(const mm_einsum *p, const mm_tensor *const *in,
                        mm_diag *d)
{
	if (p->nops <= 2)
		return contract(p, in, d);
	mm_tensor *acc = NULL;
	for (int k = 1; k < p->nops; k++) {
		mm_einsum s;
		if (!mm_einsum_step(p, k, &s)) { /* the plan refused it */
			mm_diag_set(d, MM_ERR_LIMIT, NOSPAN, "einsum: a step of more "
			            "than %d axes", MM_MAX_NDIM);
			mm_tensor_unref(acc);
			return NULL;
		}
		const mm_tensor *two[2] = {k == 1 ? in[0] : acc, in[k]};
		mm_tensor *r = contract(&s, two, d);
		mm_tensor_unref(acc);
		if (!(acc = r))
			return NULL;
	}
	return acc;
}
