/* check.c — the checker: shapes, dtypes, folding of scalars and the cost
 * of every node, before anything runs. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmcalc/check.h"
#include "mmcalc/csv.h"
#include "mmcalc/npy.h"
#include "mmcalc/path.h"

/* Deeper trees are refused: the walks here and in eval.c recurse. */
#define MAX_TREE_DEPTH 2000
/* Literal leaves get ids from this range, variables from below it. */
#define LITERAL_IDS (UINT64_C(1) << 62)

/* ---- built-in functions ---- */

static const struct builtin {
	const char *name;
	mm_builtin f;
	int min, max;      /* positional arguments; -1: any number */
	const char *keys;  /* accepted keywords, space-separated */
	const char *usage;
} builtins[] = {
	{"randn", MM_F_RANDN, 0, -1, "dtype", "randn(d1, d2, ... | SHAPE, dtype=f32)"},
	{"rand", MM_F_RAND, 0, -1, "dtype", "rand(d1, d2, ... | SHAPE, dtype=f32)"},
	{"zeros", MM_F_ZEROS, 0, -1, "dtype", "zeros(d1, d2, ... | SHAPE, dtype=f32)"},
	{"ones", MM_F_ONES, 0, -1, "dtype", "ones(d1, d2, ... | SHAPE, dtype=f32)"},
	{"eye", MM_F_EYE, 1, 2, "dtype", "eye(n[, m], dtype=f32)"},
	{"full", MM_F_FULL, 2, -1, "dtype", "full(d1, d2, ... | SHAPE, value, dtype=f32)"},
	{"arange", MM_F_ARANGE, 1, 3, "dtype", "arange([start,] stop[, step], dtype=f32)"},
	{"exp", MM_F_EXP, 1, 1, "", "exp(x)"},
	{"log", MM_F_LOG, 1, 1, "", "log(x)"},
	{"sqrt", MM_F_SQRT, 1, 1, "", "sqrt(x)"},
	{"abs", MM_F_ABS, 1, 1, "", "abs(x)"},
	{"tanh", MM_F_TANH, 1, 1, "", "tanh(x)"},
	{"sigmoid", MM_F_SIGMOID, 1, 1, "", "sigmoid(x)"},
	{"relu", MM_F_RELU, 1, 1, "", "relu(x)"},
	{"gelu", MM_F_GELU, 1, 1, "", "gelu(x)"},
	{"sin", MM_F_SIN, 1, 1, "", "sin(x)"},
	{"cos", MM_F_COS, 1, 1, "", "cos(x)"},
	{"deg2rad", MM_F_DEG2RAD, 1, 1, "", "deg2rad(x)"},
	{"rad2deg", MM_F_RAD2DEG, 1, 1, "", "rad2deg(x)"},
	{"sum", MM_F_SUM, 1, 1, "axis keepdims", "sum(x, axis=, keepdims=false)"},
	{"mean", MM_F_MEAN, 1, 1, "axis keepdims", "mean(x, axis=, keepdims=false)"},
	{"max", MM_F_MAX, 1, 1, "axis keepdims", "max(x, axis=, keepdims=false)"},
	{"min", MM_F_MIN, 1, 1, "axis keepdims", "min(x, axis=, keepdims=false)"},
	{"norm", MM_F_NORM, 1, 1, "axis keepdims", "norm(x, axis=, keepdims=false)"},
	{"softmax", MM_F_SOFTMAX, 1, 1, "axis", "softmax(x, axis=-1)"},
	{"layernorm", MM_F_LAYERNORM, 1, 3, "weight bias", "layernorm(x[, weight, bias])"},
	{"transpose", MM_F_TRANSPOSE, 1, 1, "", "transpose(x)"},
	{"reshape", MM_F_RESHAPE, 2, -1, "", "reshape(x, d1, d2, ... | SHAPE)"},
	{"concat", MM_F_CONCAT, 1, -1, "axis", "concat(a, b, ..., axis=0)"},
	{"qr", MM_F_QR, 1, 1, "", "qr(x)"},
	{"qr_r", MM_F_QR_R, 1, 1, "", "qr_r(x)"},
	{"shape", MM_F_SHAPE, 1, 1, "", "shape(x)"},
	{"numel", MM_F_NUMEL, 1, 1, "", "numel(x)"},
	{"flops", MM_F_FLOPS, 1, 1, "", "flops(expr)"},
	{"macs", MM_F_MACS, 1, 1, "", "macs(expr)"},
	{"bytes", MM_F_BYTES, 1, 1, "", "bytes(expr)"},
	{"load", MM_F_LOAD, 1, 1, "sep header dtype", "load(\"file.npy\" | \"file.csv\", sep=, header=false, dtype=)"},
	{"save", MM_F_SAVE, 2, 2, "", "save(\"file.npy\" | \"file.csv\", x)"},
	{"time", MM_F_TIME, 1, 1, "", "time(expr)"},
	{"attention", MM_F_ATTENTION, 3, 3, "causal kv_heads scale",
	 "attention(Q, K, V, causal=false, kv_heads=, scale=1/sqrt(d))"},
};

#define NBUILTINS (sizeof builtins / sizeof builtins[0])

const char *mm_builtin_name(mm_builtin f)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (builtins[i].f == f)
			return builtins[i].name;
	return "?";
}

mm_builtin mm_builtin_find(const char *name)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].f;
	return MM_F_NONE;
}

static const struct builtin *builtin_of(mm_builtin f)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (builtins[i].f == f)
			return &builtins[i];
	return NULL;
}

/* ---- "did you mean" ---- */

/* Optimal string alignment distance, capped for long names. */
static int distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 40 || m > 40)
		return 99;
	int d[41][41];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

static void consider(const char *name, const char *cand, const char **best,
                     int *bestd)
{
	int dist = distance(name, cand);
	size_t len = strlen(name);
	/* Short names are close to everything: a one-letter name only
	 * suggests a difference of case, a two-letter one keeps its first. */
	if (len == 1 && strcasecmp(name, cand) != 0)
		return;
	if (len == 2 && name[0] != cand[0])
		return;
	int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	/* Ties go to the candidate of the same length (Wg: Wq before W). */
	if (dist <= limit && (dist < *bestd ||
	                      (dist == *bestd && *best && strlen(cand) == len &&
	                       strlen(*best) != len))) {
		*bestd = dist;
		*best = cand;
	}
}

const char *mm_check_suggest(const mm_env *env, const char *name,
                             const char *const *extra)
{
	const char *best = NULL;
	int bestd = 99;
	for (int i = 0; env && i < env->n; i++)
		consider(name, env->vars[i].name, &best, &bestd);
	for (size_t i = 0; i < NBUILTINS; i++)
		consider(name, builtins[i].name, &best, &bestd);
	for (; extra && *extra; extra++)
		consider(name, *extra, &best, &bestd);
	return best;
}

/* ---- helpers ---- */

mm_count mm_check_bytes(const mm_shape *s, mm_dtype t)
{
	uint64_t n;
	double approx;
	unsigned bits = mm_dtype_bits(t);
	mm_count c = mm_shape_numel(s, &n, &approx) ? mm_count_of(n)
	                                            : mm_count_approx(approx);
	if (bits % 8 == 0)
		return mm_count_mul_u(c, bits / 8);
	/* i4: half a byte each, rounded up to whole bytes */
	uint64_t v;
	if (mm_count_get_u64(c, &v))
		return mm_count_of(v / 2 + v % 2);
	return mm_count_approx(approx / 2);
}

static mm_count numel(const mm_shape *s)
{
	uint64_t n;
	double approx;
	return mm_shape_numel(s, &n, &approx) ? mm_count_of(n)
	                                      : mm_count_approx(approx);
}

static mm_code fail(mm_checker *c, mm_code code, mm_span at, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

static mm_code fail(mm_checker *c, mm_code code, mm_span at, const char *fmt,
                    ...)
{
	va_list ap;
	char msg[MM_DIAG_MSG];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return mm_diag_set(c->diag, code, at, "%s", msg);
}

/* Points an error reported by a module without positions at `at`. */
static mm_code placed(mm_checker *c, mm_code code, mm_span at)
{
	if (code != MM_OK && c->diag)
		c->diag->span = at;
	return code;
}

static mm_info *info_of(mm_checker *c, mm_node *e)
{
	if (!e->info) {
		e->info = mm_arena_alloc(c->arena, sizeof *e->info);
		if (!e->info)
			return NULL;
	}
	return e->info;
}

static const char *kind_name(const mm_info *i)
{
	switch (i->v.kind) {
	case MM_K_NUMBER: return "a number";
	case MM_K_STRING: return "a string";
	case MM_K_TENSOR: return "a tensor";
	default: return "no value";
	}
}

/* A number that is a valid dimension or count: integral, >= 0. */
static mm_code as_dim(mm_checker *c, const mm_node *e, int64_t *out)
{
	const mm_info *i = e->info;
	if (i->v.kind != MM_K_NUMBER)
		return fail(c, MM_ERR_TYPE, e->span,
		            "a dimension must be an integer, got %s%s",
		            kind_name(i),
		            i->v.kind == MM_K_TENSOR ? " (a name bound to a tensor?)"
		                                   : "");
	if (i->v.num != floor(i->v.num) || isnan(i->v.num)) {
		fail(c, MM_ERR_VALUE, e->span,
		     "a dimension must be a whole number, got %g", i->v.num);
		mm_diag_hint(c->diag, "dimensions are whole numbers; check the "
		                      "division that made it");
		return MM_ERR_VALUE;
	}
	if (i->v.num < 0)
		return fail(c, MM_ERR_VALUE, e->span,
		            "a dimension cannot be negative, got %.0f", i->v.num);
	if (i->v.num >= 9223372036854775807.0)
		return fail(c, MM_ERR_LIMIT, e->span,
		            "dimension %g is too large (the limit is 2^63 - 1)",
		            i->v.num);
	*out = (int64_t)i->v.num;
	return MM_OK;
}

/* An integer argument that may be negative (axis, index). */
static mm_code as_int(mm_checker *c, const mm_node *e, const char *what,
                      int64_t *out)
{
	const mm_info *i = e->info;
	if (i->v.kind != MM_K_NUMBER || i->v.num != floor(i->v.num) ||
	    fabs(i->v.num) >= 9e18)
		return fail(c, MM_ERR_TYPE, e->span, "%s must be an integer", what);
	*out = (int64_t)i->v.num;
	return MM_OK;
}

static mm_code as_bool(mm_checker *c, const mm_node *e, const char *what,
                       bool *out)
{
	if (e->kind == MM_N_NAME && !mm_env_find(c->env, e->name) &&
	    (strcmp(e->name, "true") == 0 || strcmp(e->name, "false") == 0)) {
		*out = e->name[0] == 't';
		return MM_OK;
	}
	const mm_info *i = e->info;
	if (!i || i->v.kind != MM_K_NUMBER)
		return fail(c, MM_ERR_TYPE, e->span,
		            "%s must be true or false", what);
	*out = i->v.num != 0;
	return MM_OK;
}

/* dtype=NAME or dtype="NAME". */
static mm_code as_dtype(mm_checker *c, const mm_node *e, mm_dtype *out)
{
	const char *s = NULL;
	if (e->kind == MM_N_NAME)
		s = e->name;
	else if (e->kind == MM_N_STRING)
		s = e->str;
	if (!s || !mm_dtype_parse(s, out)) {
		fail(c, MM_ERR_ARG, e->span, "unknown dtype%s%s", s ? " " : "",
		     s ? s : "");
		mm_diag_hint(c->diag, "dtypes: f64 f32 tf32 f16 bf16 f8 i8 i4");
		return MM_ERR_ARG;
	}
	return MM_OK;
}

static void set_tensor(mm_info *i, const mm_shape *s, mm_dtype t, bool concrete)
{
	i->v.kind = MM_K_TENSOR;
	i->v.shape = *s;
	i->v.dtype = t;
	i->concrete = concrete;
	/* Computed once here: costs and totals read it many times. */
	i->bytes = mm_shape_is_symbolic(s) ? MM_COUNT_ZERO : mm_check_bytes(s, t);
}

/* Marks i as a view of x. A view of an input (through any number of
 * views) keeps a key for the elements it reads, so that totals count
 * those rather than the whole input: the input's own id while the view
 * reads all of it (a transpose, a reshape), a new key once an index
 * selects part of it (check_index). */
static void set_view(mm_info *i, const mm_info *x)
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

static void set_number(mm_info *i, double v)
{
	i->v.kind = MM_K_NUMBER;
	i->v.num = v;
	i->v.measure = MM_M_PLAIN;
}

static mm_code check(mm_checker *c, mm_node *e);
static mm_code subst_shape(mm_checker *c, mm_shape *s, mm_span at);

/* ---- scalar folding ---- */

static double fold_binary(mm_bin op, double a, double b)
{
	switch (op) {
	case MM_B_ADD: return a + b;
	case MM_B_SUB: return a - b;
	case MM_B_MUL: return a * b;
	case MM_B_DIV: return a / b;
	case MM_B_MOD: {
		/* NumPy: the result has the sign of the divisor */
		double r = fmod(a, b);
		if (r != 0 && ((r < 0) != (b < 0)))
			r += b;
		return r;
	}
	case MM_B_POW: return pow(a, b);
	default: return NAN;
	}
}

static double gelu(double x) { return 0.5 * x * (1 + erf(x / sqrt(2.0))); }

static double fold_unary(mm_builtin f, double x)
{
	switch (f) {
	case MM_F_EXP: return exp(x);
	case MM_F_LOG: return log(x);
	case MM_F_SQRT: return sqrt(x);
	case MM_F_ABS: return fabs(x);
	case MM_F_TANH: return tanh(x);
	case MM_F_SIGMOID: return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
	case MM_F_RELU: return x > 0 ? x : (isnan(x) ? x : 0);
	case MM_F_GELU: return gelu(x);
	case MM_F_SIN: return sin(x);
	case MM_F_COS: return cos(x);
	case MM_F_DEG2RAD: return x * (M_PI / 180.0);
	case MM_F_RAD2DEG: return x * (180.0 / M_PI);
	default: return NAN;
	}
}

/* ---- node kinds ---- */

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

static mm_code check_name(mm_checker *c, mm_node *e, mm_info *i)
{
	const mm_var *v = mm_env_find(c->env, e->name);
	if (!v) {
		if (mm_builtin_find(e->name) != MM_F_NONE) {
			fail(c, MM_ERR_TYPE, e->span, "%s is a function", e->name);
			mm_diag_hint(c->diag, "call it: %s",
			             builtin_of(mm_builtin_find(e->name))->usage);
			return MM_ERR_TYPE;
		}
		fail(c, MM_ERR_NAME, e->span, "unknown name '%s'", e->name);
		const char *s = mm_check_suggest(c->env, e->name, NULL);
		char shape[128];
		if (s)
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
	i->v.kind = v->v.kind;
	i->v.num = v->v.num;
	i->v.cnt = v->v.cnt;
	i->v.measure = v->v.measure;
	i->v.str = v->v.str;
	if (v->v.kind == MM_K_TENSOR) {
		mm_shape sh = v->v.shape;
		if (mm_shape_is_symbolic(&sh)) {
			mm_code r = subst_shape(c, &sh, e->span);
			if (r != MM_OK)
				return r;
			i->symbolic = mm_shape_is_symbolic(&sh);
		}
		set_tensor(i, &sh, v->v.dtype,
		           v->value != NULL || c->opts.fill_abstract);
		i->leaf = true;
		i->leaf_id = v->id;
		/* A node checked again (solving for '?') already holds one. */
		if (i->value)
			mm_tensor_unref(i->value);
		i->value = v->value ? mm_tensor_ref(v->value) : NULL;
		c->nvalues += i->value != NULL;
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

/* A dimension expression as a polynomial: unbound names are symbols,
 * names bound to numbers their values. */
static mm_code sym_eval(mm_checker *c, mm_node *e, mm_poly *out)
{
	mm_code r;
	mm_poly a, b;
	if (++c->depth > MAX_TREE_DEPTH) {
		c->depth--;
		return fail(c, MM_ERR_LIMIT, e->span, "dimension too deeply nested");
	}
	switch (e->kind) {
	case MM_N_NAME: {
		const mm_var *v = mm_env_find(c->env, e->name);
		if (!v && mm_builtin_find(e->name) == MM_F_NONE &&
		    strcmp(e->name, "ans") != 0) {
			r = mm_poly_sym(out, e->name, strlen(e->name), c->diag);
			r = placed(c, r, e->span);
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
			r = placed(c, r, e->op_span);
			break;
		}
		if (e->op == MM_B_POW && e->rhs->kind == MM_N_NUMBER &&
		    e->rhs->is_int && e->rhs->number >= 0 && e->rhs->number <= 16) {
			if ((r = sym_eval(c, e->lhs, &a)) == MM_OK)
				r = placed(c, mm_poly_pow(out, &a, (unsigned)e->rhs->number,
				                          c->diag), e->op_span);
			break;
		}
		goto numeric;
	case MM_N_NEG:
		if ((r = sym_eval(c, e->lhs, &a)) == MM_OK)
			r = placed(c, mm_poly_mul_int(out, &a, -1, c->diag), e->span);
		break;
	default:
	numeric: {
		int64_t v;
		if ((r = check(c, e)) != MM_OK)
			break;
		const mm_info *i = e->info;
		if (i->v.kind != MM_K_NUMBER || i->v.num != floor(i->v.num) ||
		    fabs(i->v.num) >= 9223372036854775807.0) {
			r = as_dim(c, e, &v); /* says what is wrong */
			if (r == MM_OK)
				r = fail(c, MM_ERR_VALUE, e->span, "not a dimension");
			break;
		}
		mm_poly_const(out, (int64_t)i->v.num);
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
	if (e->kind == MM_N_NUMBER && e->is_int && e->number < 9.2e18) {
		mm_info *i = info_of(c, e);
		if (!i)
			return fail(c, MM_ERR_NOMEM, e->span, "out of memory");
		set_number(i, e->number);
		s->sym[k] = NULL;
		s->dim[k] = (int64_t)e->number;
		return MM_OK;
	}
	mm_code r = sym_eval(c, e, &p);
	if (r != MM_OK)
		return r;
	int64_t v;
	s->sym[k] = NULL;
	if (mm_poly_get_const(&p, &v)) {
		if (v < 0)
			return fail(c, MM_ERR_VALUE, e->span,
			            "a dimension cannot be negative, got %lld", (long long)v);
		s->dim[k] = v;
		return MM_OK;
	}
	if (mm_poly_is_const(&p)) {
		fail(c, MM_ERR_VALUE, e->span, "a dimension must be a whole number");
		mm_diag_hint(c->diag, "dimensions are whole numbers; check the "
		                      "division that made it");
		return MM_ERR_VALUE;
	}
	s->dim[k] = 0;
	if (!(s->sym[k] = arena_poly(c, &p)))
		return fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	return MM_OK;
}

/* Looks symbols up among the variables bound to whole numbers. */
static bool env_lookup(void *ctx, const char *name, int64_t *value)
{
	const mm_var *v = mm_env_find(ctx, name);
	if (!v || v->v.kind != MM_K_NUMBER || v->v.num != floor(v->v.num) ||
	    fabs(v->v.num) >= 9e18)
		return false;
	*value = (int64_t)v->v.num;
	return true;
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
			return placed(c, r, at);
		if (mm_poly_get_const(&p, &v) && v >= 0) {
			s->dim[k] = v;
			s->sym[k] = NULL;
		} else if (!(s->sym[k] = arena_poly(c, &p))) {
			return fail(c, MM_ERR_NOMEM, at, "out of memory");
		}
	}
	return MM_OK;
}

/* numel of s as a polynomial. */
static mm_code sym_numel(mm_checker *c, const mm_shape *s, mm_poly *out)
{
	mm_poly_const(out, 1);
	for (int k = 0; k < s->ndim; k++) {
		mm_poly d;
		if (s->sym[k])
			d = *s->sym[k];
		else
			mm_poly_const(&d, s->dim[k]);
		mm_code r = mm_poly_mul(out, out, &d, c->diag);
		if (r != MM_OK)
			return r;
	}
	return MM_OK;
}

static mm_code sym_bytes(mm_checker *c, const mm_shape *s, mm_dtype t,
                         mm_poly *out)
{
	mm_code r = sym_numel(c, s, out);
	if (r != MM_OK)
		return r;
	unsigned bits = mm_dtype_bits(t);
	if (bits % 8 == 0)
		return mm_poly_mul_int(out, out, bits / 8, c->diag);
	mm_poly two;
	mm_poly_const(&two, 2);
	return mm_poly_div(out, out, &two, c->diag);
}

static bool any_symbolic(const mm_info *i)
{
	return i && i->v.kind == MM_K_TENSOR && i->symbolic;
}

/* Symbolic costs of an op: per·numel(count) FLOPs (plus macs when given),
 * bytes of the result and of the tensor operands a and b. */
static mm_code sym_cost(mm_checker *c, mm_info *i, const mm_shape *count,
                        unsigned per, const mm_info *a, const mm_info *b)
{
	mm_poly f, by, t;
	mm_code r;
	if ((r = sym_numel(c, count, &f)) != MM_OK ||
	    (r = mm_poly_mul_int(&f, &f, per, c->diag)) != MM_OK ||
	    (r = sym_bytes(c, &i->v.shape, i->v.dtype, &by)) != MM_OK)
		return r;
	const mm_info *ops[2] = {a, b};
	for (int k = 0; k < 2; k++)
		if (ops[k] && ops[k]->v.kind == MM_K_TENSOR) {
			if ((r = sym_bytes(c, &ops[k]->v.shape, ops[k]->v.dtype, &t)) != MM_OK ||
			    (r = mm_poly_add(&by, &by, &t, c->diag)) != MM_OK)
				return r;
		}
	if (!(i->sflops = arena_poly(c, &f)) || !(i->sbytes = arena_poly(c, &by)))
		return MM_ERR_NOMEM;
	return MM_OK;
}

/* shape := '(' dim ('x' dim)* ')' — an abstract tensor of the default dtype */
static mm_code check_shape(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_shape s = {0};
	if (e->n > MM_MAX_NDIM)
		return fail(c, MM_ERR_LIMIT, e->span,
		            "a shape has at most %d dimensions", MM_MAX_NDIM);
	for (int k = 0; k < e->n; k++) {
		mm_code r = dim_of(c, e->items[k], &s, k);
		if (r != MM_OK)
			return r;
	}
	s.ndim = e->n;
	i->symbolic = mm_shape_is_symbolic(&s);
	set_tensor(i, &s, c->opts.dtype, c->opts.fill_abstract);
	i->leaf = true;
	i->leaf_id = LITERAL_IDS + c->next_leaf++;
	return MM_OK;
}

/* Walks a matrix literal: every element a number, every row alike. */
static mm_code matrix_shape(mm_checker *c, mm_node *e, mm_shape *s, int depth)
{
	if (depth >= MM_MAXDIM)
		return fail(c, MM_ERR_LIMIT, e->span,
		            "a matrix literal nests at most %d levels", MM_MAXDIM);
	s->ndim = depth + 1;
	s->dim[depth] = e->n;
	if (e->n == 0)
		return MM_OK;
	bool nested = e->items[0]->kind == MM_N_MATRIX;
	mm_shape first = {0};
	for (int k = 0; k < e->n; k++) {
		mm_node *it = e->items[k];
		if ((it->kind == MM_N_MATRIX) != nested)
			return fail(c, MM_ERR_SHAPE, it->span,
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
				fail(c, MM_ERR_SHAPE, it->span,
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
				fail(c, MM_ERR_TYPE, it->span,
				     "matrix elements must be numbers, got %s",
				     kind_name(it->info));
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
	set_tensor(i, &s, c->opts.dtype, true);
	i->leaf = true;
	i->leaf_id = LITERAL_IDS + c->next_leaf++;
	return MM_OK;
}

/* Cost of an elementwise operation producing out from operands a, b. */
static void elementwise_cost(mm_info *i, const mm_info *a, const mm_info *b,
                             unsigned per_element)
{
	if (i->symbolic) {
		i->cls = MM_C_ELEMENTWISE;
		return; /* the caller costs it with sym_cost */
	}
	i->cls = MM_C_ELEMENTWISE;
	i->flops = mm_count_mul_u(numel(&i->v.shape), per_element);
	mm_count bytes = i->bytes;
	if (a && a->v.kind == MM_K_TENSOR)
		bytes = mm_count_add(bytes, a->bytes);
	if (b && b->v.kind == MM_K_TENSOR)
		bytes = mm_count_add(bytes, b->bytes);
	i->op_bytes = bytes;
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
		return fail(c, MM_ERR_TYPE, bad->span,
		            "%s: operand is %s, not a number or tensor", op,
		            kind_name(bad->info));
	}
	if (a->v.kind == MM_K_NUMBER && b->v.kind == MM_K_NUMBER) {
		if (e->op == MM_B_MATMUL) {
			fail(c, MM_ERR_SHAPE, e->op_span,
			     "@: matmul needs tensors, got two numbers");
			mm_diag_hint(c->diag, "use * to multiply numbers");
			return MM_ERR_SHAPE;
		}
		set_number(i, fold_binary(e->op, a->v.num, b->v.num));
		return MM_OK;
	}
	if (e->op == MM_B_MATMUL) {
		if (a->v.kind != MM_K_TENSOR || b->v.kind != MM_K_TENSOR) {
			fail(c, MM_ERR_SHAPE, e->op_span,
			     "@: matmul needs two tensors, got a number");
			mm_diag_hint(c->diag, "use * to scale by a number");
			return MM_ERR_SHAPE;
		}
		int64_t m, k, n;
		uint64_t batch;
		double batch_approx;
		mm_shape out;
		r = mm_shape_matmul_as(&a->v.shape, &b->v.shape, &out, &m, &k, &n, &batch,
		                       &batch_approx, &c->assume, c->diag);
		if (r != MM_OK)
			return placed(c, r, e->op_span);
		set_tensor(i, &out, mm_dtype_promote(a->v.dtype, b->v.dtype),
		           a->concrete && b->concrete);
		i->cls = MM_C_MATMUL;
		if (a->symbolic || b->symbolic) {
			/* MACs: numel of the result times the inner dimension */
			i->symbolic = true;
			mm_shape inner = {0};
			inner.ndim = 1;
			inner.dim[0] = a->v.shape.dim[a->v.shape.ndim - 1];
			inner.sym[0] = a->v.shape.sym[a->v.shape.ndim - 1];
			mm_poly macs, k2;
			if ((r = sym_numel(c, &out, &macs)) != MM_OK ||
			    (r = sym_numel(c, &inner, &k2)) != MM_OK ||
			    (r = mm_poly_mul(&macs, &macs, &k2, c->diag)) != MM_OK ||
			    (r = sym_cost(c, i, &out, 0, a, b)) != MM_OK)
				return placed(c, r, e->op_span);
			mm_poly fl;
			if ((r = mm_poly_mul_int(&fl, &macs, 2, c->diag)) != MM_OK)
				return placed(c, r, e->op_span);
			i->smacs = arena_poly(c, &macs);
			i->sflops = arena_poly(c, &fl);
			return MM_OK;
		}
		mm_count bt = batch_approx == (double)batch ? mm_count_of(batch)
		                                            : mm_count_approx(batch_approx);
		mm_count macs = mm_count_mul(mm_count_mul(mm_count_of((uint64_t)m),
		                                          mm_count_of((uint64_t)k)),
		                             mm_count_of((uint64_t)n));
		i->macs = mm_count_mul(macs, bt);
		i->flops = mm_count_mul_u(i->macs, 2);
		i->cls = MM_C_MATMUL;
		i->op_bytes = mm_count_add(
			mm_count_add(a->bytes, b->bytes),
			mm_check_bytes(&out, i->v.dtype));
		return MM_OK;
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
	if (r != MM_OK)
		return placed(c, r, e->op_span);
	set_tensor(i, &out, t, concrete);
	i->symbolic = any_symbolic(a) || any_symbolic(b);
	elementwise_cost(i, a, b, 1);
	if (i->symbolic && (r = sym_cost(c, i, &out, 1, a, b)) != MM_OK)
		return placed(c, r, e->op_span);
	return MM_OK;
}

/* index := base '[' item, ... ']' with NumPy basic indexing */
static mm_code check_index(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_code r = check(c, e->lhs);
	if (r != MM_OK)
		return r;
	const mm_info *b = e->lhs->info;
	if (b->v.kind != MM_K_TENSOR)
		return fail(c, MM_ERR_TYPE, e->lhs->span, "only a tensor can be "
		            "indexed, this is %s", kind_name(b));
	if (b->symbolic)
		return fail(c, MM_ERR_UNSUPPORTED, e->op_span,
		            "indexing does not take symbolic dimensions yet");
	if (e->n > b->v.shape.ndim)
		return fail(c, MM_ERR_VALUE, e->op_span,
		            "too many indices: %d for %d axes", e->n, b->v.shape.ndim);
	mm_shape out = {0};
	uint64_t key = UINT64_C(0xcbf29ce484222325);
	bool whole = true; /* every element, in order: the same key */
	for (int k = 0; k < b->v.shape.ndim; k++) {
		int64_t len = b->v.shape.dim[k];
		if (k >= e->n) {
			out.dim[out.ndim++] = len;
			continue;
		}
		mm_node *it = e->items[k];
		if (it->kind != MM_N_SLICE) {
			int64_t ix = 0;
			if ((r = check(c, it)) != MM_OK ||
			    (r = as_int(c, it, "an index", &ix)) != MM_OK)
				return r;
			if (ix < -len || ix >= len)
				return fail(c, MM_ERR_VALUE, it->span,
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
			    (r = as_int(c, it->slice[p], "a slice bound", &part[p])) != MM_OK)
				return r;
			has[p] = true;
		}
		int64_t step = part[2];
		if (step == 0)
			return fail(c, MM_ERR_VALUE, it->span, "slice step cannot be 0");
		/* Python's slice.indices() */
		int64_t lo, hi;
		if (step > 0) {
			lo = !has[0] ? 0 : part[0] < 0 ? part[0] + len : part[0];
			hi = !has[1] ? len : part[1] < 0 ? part[1] + len : part[1];
			lo = lo < 0 ? 0 : lo > len ? len : lo;
			hi = hi < 0 ? 0 : hi > len ? len : hi;
			out.dim[out.ndim++] = hi > lo ? (hi - lo + step - 1) / step : 0;
			whole = whole && lo == 0 && step == 1 &&
			        out.dim[out.ndim - 1] == len;
		} else {
			lo = !has[0] ? len - 1 : part[0] < 0 ? part[0] + len : part[0];
			hi = !has[1] ? -1 : part[1] < 0 ? part[1] + len : part[1];
			lo = lo < -1 ? -1 : lo > len - 1 ? len - 1 : lo;
			hi = hi < -1 ? -1 : hi > len - 1 ? len - 1 : hi;
			out.dim[out.ndim++] = lo > hi ? (lo - hi - step - 1) / -step : 0;
			whole = false;
		}
		key = mix_key(mix_key(mix_key(mix_key(key, k + 64), lo), step),
		              out.dim[out.ndim - 1]);
	}
	set_tensor(i, &out, b->v.dtype, b->concrete);
	set_view(i, b);
	if (i->view_key && !whole)
		i->view_key = mix_key(key, (int64_t)i->view_key) | UINT64_C(1) << 63;
	i->cls = MM_C_NONE;
	return MM_OK;
}

/* The dims of a constructor: numbers d1, d2, ... or one shape value. */
static mm_code ctor_dims(mm_checker *c, mm_node *e, int from, int to,
                         mm_shape *s)
{
	int n = to - from;
	if (n == 1 && e->items[from]->info->v.kind == MM_K_TENSOR) {
		*s = e->items[from]->info->v.shape;
		return MM_OK;
	}
	if (n > MM_MAXDIM)
		return fail(c, MM_ERR_LIMIT, e->span,
		            "at most %d dimensions can be executed", MM_MAXDIM);
	s->ndim = n;
	for (int k = 0; k < n; k++) {
		mm_code r = as_dim(c, e->items[from + k], &s->dim[k]);
		if (r != MM_OK)
			return r;
	}
	return MM_OK;
}

static int find_key(const mm_node *e, const char *key)
{
	for (int k = 0; k < e->n; k++)
		if (e->keys[k] && strcmp(e->keys[k], key) == 0)
			return k;
	return -1;
}

static mm_code need_tensor(mm_checker *c, const mm_node *arg, const char *fn)
{
	if (arg->info->v.kind == MM_K_TENSOR)
		return MM_OK;
	return fail(c, MM_ERR_TYPE, arg->span, "%s: expected a tensor, got %s",
	            fn, kind_name(arg->info));
}

/* Gives a loader the data of a new tensor, which *ctx receives. */
static void *load_alloc(void *ctx, mm_dtype dtype, int ndim,
                        const int64_t *shape, mm_diag *d)
{
	mm_tensor **out = ctx;
	*out = mm_tensor_new(dtype, ndim, shape, d);
	return *out ? (*out)->data : NULL;
}

/* load("file.npy" | "file.csv", sep=, header=, dtype=): read when checked,
 * since the shape is in the file. */
static mm_code check_load(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *p = e->items[0];
	mm_code r;
	if (p->info->v.kind != MM_K_STRING)
		return fail(c, MM_ERR_TYPE, p->span,
		            "load: the file name must be a string in quotes");
	mm_io_load_opts o = {0};
	mm_tensor *t = NULL;
	o.alloc = load_alloc;
	o.alloc_ctx = &t;
	o.max_bytes = c->opts.memlimit;
	int k;
	if ((k = find_key(e, "header")) >= 0 &&
	    (r = as_bool(c, e->items[k], "header", &o.header)) != MM_OK)
		return r;
	if ((k = find_key(e, "sep")) >= 0) {
		const mm_info *si = e->items[k]->info;
		if (si->v.kind != MM_K_STRING || strlen(si->v.str) != 1)
			return fail(c, MM_ERR_ARG, e->items[k]->span,
			            "sep must be one character in quotes, such as \",\"");
		o.sep = si->v.str[0];
	}
	mm_dtype want = MM_F64;
	bool asked = (k = find_key(e, "dtype")) >= 0;
	if (asked) {
		if ((r = as_dtype(c, e->items[k], &want)) != MM_OK)
			return r;
		o.f32 = want != MM_F64;
	}
	char *path = mm_path_resolve(p->info->v.str, c->opts.base_dir, c->diag);
	if (!path)
		return placed(c, c->diag->code, p->span);
	mm_io_info info;
	bool csv = mm_path_has_ext(path, ".csv") || mm_path_has_ext(path, ".tsv") ||
	           mm_path_has_ext(path, ".txt");
	if (!csv && !mm_path_has_ext(path, ".npy")) {
		free(path);
		return fail(c, MM_ERR_ARG, p->span,
		            "load: the name must end in .npy, .csv, .tsv or .txt");
	}
	if (csv && !o.sep && mm_path_has_ext(path, ".tsv"))
		o.sep = '\t';
	r = csv ? mm_csv_load(path, &o, &info, c->diag)
	        : mm_npy_load(path, &o, &info, c->diag);
	i->path = mm_arena_strndup(c->arena, path, strlen(path));
	free(path);
	if (r != MM_OK) {
		mm_tensor_unref(t);
		return placed(c, r, e->span);
	}
	/* .npy keeps f32 as f32 and the rest as f64 unless a dtype was
	 * asked for: f64 widens f32, any other narrows f64 to f32. */
	bool widen = asked && want == MM_F64 && t->dtype == MM_F32;
	if (widen || (want != MM_F64 && t->dtype == MM_F64)) {
		mm_tensor *f = mm_tensor_cast(t, widen ? MM_F64 : MM_F32, c->diag);
		mm_tensor_unref(t);
		if (!(t = f))
			return placed(c, c->diag->code, e->span);
		info.widened |= widen;
	}
	mm_shape s = mm_shape_make(t->ndim, t->shape);
	set_tensor(i, &s, want != MM_F64 && want != MM_F32 ? want : t->dtype, true);
	i->value = t;
	c->nvalues++;
	i->leaf = true;
	i->leaf_id = LITERAL_IDS + c->next_leaf++;
	i->cls = MM_C_DATA;
	char note[160];
	if (csv)
		snprintf(note, sizeof note, "loaded from text");
	else
		snprintf(note, sizeof note, "loaded from %s%s%s", info.file_dtype,
		         info.widened ? ", widened" : "",
		         info.fortran_order ? ", Fortran order" : "");
	i->note = mm_arena_strndup(c->arena, note, strlen(note));
	return MM_OK;
}

/* attention(Q, K, V, causal=, kv_heads=, scale=): Q (.. h x s_q x d),
 * K (.. kv x s_k x d), V (.. kv x s_k x d_v) gives (.. h x s_q x d_v); h a
 * multiple of kv (grouped-query attention). Both matmuls cost
 * 2·s_q·s_k·d each per head and batch element (causal: half). */
/* attention's keywords: kv_heads= must be K's heads (kk's third axis
 * from the end, 1 without one), causal= a boolean, scale= a number (it
 * replaces i->scale). */
static mm_code attention_keys(mm_checker *c, mm_node *e, mm_info *i,
                              const mm_shape *kk)
{
	mm_code r;
	int ka = find_key(e, "kv_heads");
	if (ka >= 0) {
		int64_t want = 0;
		if ((r = as_int(c, e->items[ka], "kv_heads", &want)) != MM_OK)
			return r;
		int h = kk->ndim - 3;
		if (h >= 0 && kk->sym[h])
			return fail(c, MM_ERR_SHAPE, e->items[ka]->span,
			            "attention: kv_heads=%lld, but K's heads are "
			            "symbolic", (long long)want);
		int64_t kv = h < 0 ? 1 : kk->dim[h];
		if (want != kv)
			return fail(c, MM_ERR_SHAPE, e->items[ka]->span,
			            "attention: kv_heads=%lld, but K has %lld heads",
			            (long long)want, (long long)kv);
	}
	if ((ka = find_key(e, "causal")) >= 0 &&
	    (r = as_bool(c, e->items[ka], "causal", &i->causal)) != MM_OK)
		return r;
	if ((ka = find_key(e, "scale")) >= 0) {
		if (e->items[ka]->info->v.kind != MM_K_NUMBER)
			return fail(c, MM_ERR_TYPE, e->items[ka]->span, "scale must be a number");
		i->scale = e->items[ka]->info->v.num;
	}
	return MM_OK;
}

/* A dim of s as a polynomial. */
static void dim_poly(const mm_shape *s, int k, mm_poly *out)
{
	if (s->sym[k])
		*out = *s->sym[k];
	else
		mm_poly_const(out, s->dim[k]);
}

/* attention with symbolic dims: the same shapes, the assumptions they
 * need recorded, and its costs as polynomials. Out of line: its nine
 * polynomials inlined into check_call() would sit in the frame of every
 * nested call, and a deep expression overflowed the stack under ASan. */
static __attribute__((noinline)) mm_code
check_attention_sym(mm_checker *c, mm_node *e, mm_info *i)
{
	const mm_info *qi = e->items[0]->info, *ki = e->items[1]->info,
	              *vi = e->items[2]->info;
	const mm_shape *q = &qi->v.shape, *kk = &ki->v.shape, *v = &vi->v.shape;
	mm_shape out;
	mm_code r = mm_shape_attention_as(q, kk, v, &out, &c->assume, c->diag);
	if (r != MM_OK)
		return placed(c, r, e->span);
	i->scale = 1; /* not executed */
	if ((r = attention_keys(c, e, i, kk)) != MM_OK)
		return r;
	set_tensor(i, &out, mm_dtype_promote(mm_dtype_promote(qi->v.dtype, ki->v.dtype),
	                                     vi->v.dtype), false);
	i->symbolic = true;
	i->cls = MM_C_SOFTMAX;
	/* scores: the leading axes, s_q and s_k; MACs: scores·(d + d_v),
	 * half when causal; FLOPs: 2·MACs and 6 per score. */
	int n = q->ndim;
	mm_shape sc = *q;
	sc.dim[n - 1] = kk->dim[n - 2];
	sc.sym[n - 1] = kk->sym[n - 2];
	mm_poly ss, dd, dv, macs, fl, six, by, t;
	dim_poly(q, n - 1, &dd);
	dim_poly(v, n - 1, &dv);
	if ((r = sym_numel(c, &sc, &ss)) != MM_OK ||
	    (r = mm_poly_add(&dd, &dd, &dv, c->diag)) != MM_OK ||
	    (r = mm_poly_mul(&macs, &ss, &dd, c->diag)) != MM_OK)
		return placed(c, r, e->span);
	if (i->causal) {
		mm_poly two;
		mm_poly_const(&two, 2);
		if ((r = mm_poly_div(&macs, &macs, &two, c->diag)) != MM_OK)
			return placed(c, r, e->span);
	}
	if ((r = mm_poly_mul_int(&fl, &macs, 2, c->diag)) != MM_OK ||
	    (r = mm_poly_mul_int(&six, &ss, 6, c->diag)) != MM_OK ||
	    (r = mm_poly_add(&fl, &fl, &six, c->diag)) != MM_OK ||
	    (r = sym_bytes(c, &out, i->v.dtype, &by)) != MM_OK)
		return placed(c, r, e->span);
	for (int k = 0; k < 3; k++) {
		const mm_info *o = e->items[k]->info;
		if ((r = sym_bytes(c, &o->v.shape, o->v.dtype, &t)) != MM_OK ||
		    (r = mm_poly_add(&by, &by, &t, c->diag)) != MM_OK)
			return placed(c, r, e->span);
	}
	if (!(i->smacs = arena_poly(c, &macs)) || !(i->sflops = arena_poly(c, &fl)) ||
	    !(i->sbytes = arena_poly(c, &by)))
		return MM_ERR_NOMEM;
	if (i->causal)
		i->note = "causal: the matmuls count half";
	return MM_OK;
}

static mm_code check_attention(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_code r;
	const char *fn = "attention";
	for (int k = 0; k < 3; k++)
		if ((r = need_tensor(c, e->items[k], fn)) != MM_OK)
			return r;
	if (any_symbolic(e->items[0]->info) || any_symbolic(e->items[1]->info) ||
	    any_symbolic(e->items[2]->info))
		return check_attention_sym(c, e, i);
	const mm_shape *q = &e->items[0]->info->v.shape, *kk = &e->items[1]->info->v.shape,
	               *v = &e->items[2]->info->v.shape;
	mm_shape out;
	if ((r = mm_shape_attention_as(q, kk, v, &out, NULL, c->diag)) != MM_OK)
		return placed(c, r, e->span);
	int64_t s_q = q->dim[q->ndim - 2], d = q->dim[q->ndim - 1];
	int64_t s_k = kk->dim[kk->ndim - 2], d_v = v->dim[v->ndim - 1];
	i->scale = d > 0 ? 1 / sqrt((double)d) : 1;
	if ((r = attention_keys(c, e, i, kk)) != MM_OK)
		return r;
	mm_dtype t = mm_dtype_promote(mm_dtype_promote(e->items[0]->info->v.dtype,
	                                               e->items[1]->info->v.dtype),
	                              e->items[2]->info->v.dtype);
	bool concrete = e->items[0]->info->concrete && e->items[1]->info->concrete &&
	                e->items[2]->info->concrete;
	set_tensor(i, &out, t, concrete);
	mm_shape lead = *q;
	lead.ndim -= 2;
	mm_count batch = numel(&lead);
	mm_count ss = mm_count_mul(mm_count_of((uint64_t)s_q), mm_count_of((uint64_t)s_k));
	mm_count macs = mm_count_mul(ss, mm_count_of((uint64_t)d + (uint64_t)d_v));
	macs = mm_count_mul(macs, batch);
	if (i->causal)
		macs = mm_count_div_u(macs, 2);
	i->macs = macs;
	i->matmul_flops = mm_count_mul_u(macs, 2);
	/* scale (1) and softmax (5) per score: the non-matmul part */
	i->flops = mm_count_add(i->matmul_flops, mm_count_mul_u(mm_count_mul(ss, batch), 6));
	i->cls = MM_C_SOFTMAX;
	i->op_bytes = mm_count_add(mm_count_add(mm_check_bytes(q, t), mm_check_bytes(kk, t)),
	                           mm_count_add(mm_check_bytes(v, t), mm_check_bytes(&out, t)));
	if (i->causal) {
		i->note = "causal: the matmuls count half";
	}
	return MM_OK;
}

static mm_code check_call(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_builtin f = mm_builtin_find(e->name);
	const struct builtin *bi = builtin_of(f);
	mm_code r;
	if (!bi) {
		fail(c, MM_ERR_NAME, e->op_span, "unknown function '%s'", e->name);
		const char *s = mm_check_suggest(NULL, e->name, NULL);
		if (s)
			mm_diag_hint(c->diag, "did you mean %s?", builtin_of(mm_builtin_find(s))->usage);
		else
			mm_diag_hint(c->diag, ":help functions lists them");
		return MM_ERR_NAME;
	}
	i->fn = f;
	/* Arguments: positional first, then keywords, each keyword known. */
	int npos = 0;
	bool seen_key = false;
	for (int k = 0; k < e->n; k++) {
		if (!e->keys[k]) {
			if (seen_key)
				return fail(c, MM_ERR_SYNTAX, e->items[k]->span,
				            "%s: positional argument after a keyword "
				            "argument", bi->name);
			npos++;
			continue;
		}
		seen_key = true;
		const char *key = e->keys[k];
		size_t kl = strlen(key);
		const char *p = bi->keys;
		bool ok = false;
		while (*p) {
			size_t l = strcspn(p, " ");
			if (l == kl && strncmp(p, key, l) == 0)
				ok = true;
			p += l;
			while (*p == ' ')
				p++;
		}
		if (!ok) {
			fail(c, MM_ERR_ARG, e->items[k]->span,
			     "%s has no argument named '%s'", bi->name, key);
			mm_diag_hint(c->diag, "usage: %s", bi->usage);
			return MM_ERR_ARG;
		}
		for (int j = 0; j < k; j++)
			if (e->keys[j] && strcmp(e->keys[j], key) == 0)
				return fail(c, MM_ERR_ARG, e->items[k]->span,
				            "%s: '%s' given twice", bi->name, key);
	}
	if (npos < bi->min || (bi->max >= 0 && npos > bi->max)) {
		if (bi->min == bi->max)
			fail(c, MM_ERR_ARG, e->span, "%s takes %d argument%s, got %d",
			     bi->name, bi->min, bi->min == 1 ? "" : "s", npos);
		else
			fail(c, MM_ERR_ARG, e->span, "%s: wrong number of arguments "
			     "(%d)", bi->name, npos);
		mm_diag_hint(c->diag, "usage: %s", bi->usage);
		return MM_ERR_ARG;
	}
	/* Check every argument but the dtype and boolean keywords, which may
	 * be bare words. */
	for (int k = 0; k < e->n; k++) {
		const char *key = e->keys[k];
		if (key && (strcmp(key, "dtype") == 0 || strcmp(key, "keepdims") == 0 ||
		            strcmp(key, "header") == 0 || strcmp(key, "causal") == 0))
			continue;
		if ((r = check(c, e->items[k])) != MM_OK)
			return r;
	}
	/* Symbolic dims go through the shape-preserving functions and the
	 * reductions; the rest need numbers. */
	bool sym_ok = (f >= MM_F_EXP && f <= MM_F_NORM) || f == MM_F_SOFTMAX ||
	              f == MM_F_LAYERNORM || f == MM_F_TRANSPOSE || f == MM_F_SHAPE ||
	              f == MM_F_ATTENTION;
	for (int k = 0; k < e->n && !sym_ok; k++)
		if (e->items[k]->info && any_symbolic(e->items[k]->info)) {
			fail(c, MM_ERR_UNSUPPORTED, e->items[k]->span,
			     "%s does not take symbolic dimensions yet", bi->name);
			mm_diag_hint(c->diag, "bind the symbols first (n = 1024), or "
			                      "for this statement only: ... where n = 1024");
			return MM_ERR_UNSUPPORTED;
		}
	if (e->n > 0 && e->items[0]->info)
		i->symbolic = any_symbolic(e->items[0]->info);
	mm_dtype dt = c->opts.dtype;
	int kd = find_key(e, "dtype");
	if (kd >= 0 && (r = as_dtype(c, e->items[kd], &dt)) != MM_OK)
		return r;
	mm_node *x = npos > 0 ? e->items[0] : NULL;
	const mm_info *xi = x ? x->info : NULL;
	mm_shape s = {0};

	switch (f) {
	case MM_F_RANDN: case MM_F_RAND: case MM_F_ZEROS: case MM_F_ONES:
	case MM_F_FULL: {
		int to = f == MM_F_FULL ? npos - 1 : npos;
		if ((r = ctor_dims(c, e, 0, to, &s)) != MM_OK)
			return r;
		if (f == MM_F_FULL && e->items[npos - 1]->info->v.kind != MM_K_NUMBER)
			return fail(c, MM_ERR_TYPE, e->items[npos - 1]->span,
			            "full: the fill value must be a number");
		set_tensor(i, &s, dt, true);
		i->cls = MM_C_DATA;
		i->op_bytes = mm_check_bytes(&s, dt);
		return MM_OK;
	}
	case MM_F_EYE:
		s.ndim = 2;
		if ((r = as_dim(c, e->items[0], &s.dim[0])) != MM_OK)
			return r;
		s.dim[1] = s.dim[0];
		if (npos == 2 && (r = as_dim(c, e->items[1], &s.dim[1])) != MM_OK)
			return r;
		set_tensor(i, &s, dt, true);
		i->cls = MM_C_DATA;
		i->op_bytes = mm_check_bytes(&s, dt);
		return MM_OK;
	case MM_F_ARANGE: {
		double a[3] = {0, 0, 1};
		for (int k = 0; k < npos; k++) {
			if (e->items[k]->info->v.kind != MM_K_NUMBER)
				return fail(c, MM_ERR_TYPE, e->items[k]->span,
				            "arange: arguments must be numbers");
		}
		if (npos == 1) {
			a[1] = e->items[0]->info->v.num;
		} else {
			a[0] = e->items[0]->info->v.num;
			a[1] = e->items[1]->info->v.num;
			if (npos == 3)
				a[2] = e->items[2]->info->v.num;
		}
		if (a[2] == 0 || !isfinite(a[0]) || !isfinite(a[1]) || !isfinite(a[2]))
			return fail(c, MM_ERR_VALUE, e->span,
			            "arange: step must be non-zero and bounds finite");
		double len = ceil((a[1] - a[0]) / a[2]);
		if (len > 9e18)
			return fail(c, MM_ERR_LIMIT, e->span, "arange: too many elements");
		s.ndim = 1;
		s.dim[0] = len > 0 ? (int64_t)len : 0;
		set_tensor(i, &s, dt, true);
		i->cls = MM_C_DATA;
		i->op_bytes = mm_check_bytes(&s, dt);
		return MM_OK;
	}
	case MM_F_EXP: case MM_F_LOG: case MM_F_SQRT: case MM_F_ABS:
	case MM_F_TANH: case MM_F_SIGMOID: case MM_F_RELU: case MM_F_GELU:
	case MM_F_SIN: case MM_F_COS: case MM_F_DEG2RAD: case MM_F_RAD2DEG:
		if (xi->v.kind == MM_K_NUMBER) {
			set_number(i, fold_unary(f, xi->v.num));
			return MM_OK;
		}
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		set_tensor(i, &xi->v.shape, xi->v.dtype, xi->concrete);
		elementwise_cost(i, xi, NULL, 1);
		if (i->symbolic && (r = sym_cost(c, i, &xi->v.shape, 1, xi, NULL)) != MM_OK)
			return placed(c, r, e->span);
		return MM_OK;
	case MM_F_SUM: case MM_F_MEAN: case MM_F_MAX: case MM_F_MIN:
	case MM_F_NORM: {
		int ka = find_key(e, "axis"), kk = find_key(e, "keepdims");
		if (kk >= 0 && (r = as_bool(c, e->items[kk], "keepdims", &i->keepdims)) != MM_OK)
			return r;
		if (xi->v.kind == MM_K_NUMBER) {
			set_number(i, f == MM_F_NORM ? fabs(xi->v.num) : xi->v.num);
			return MM_OK;
		}
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		i->all_axes = ka < 0;
		if (ka >= 0) {
			int64_t ax;
			if ((r = as_int(c, e->items[ka], "axis", &ax)) != MM_OK)
				return r;
			if ((r = mm_shape_axis(xi->v.shape.ndim, ax, &i->axis, c->diag)) != MM_OK)
				return placed(c, r, e->items[ka]->span);
		}
		if ((f == MM_F_MAX || f == MM_F_MIN)) {
			bool empty = false;
			for (int k = 0; k < xi->v.shape.ndim; k++)
				if ((i->all_axes || k == i->axis) && xi->v.shape.dim[k] == 0 &&
				    !xi->v.shape.sym[k])
					empty = true;
			if (empty)
				return fail(c, MM_ERR_VALUE, e->span,
				            "%s of an empty axis has no value", bi->name);
		}
		s = mm_shape_reduce(&xi->v.shape, i->all_axes, i->axis, i->keepdims);
		set_tensor(i, &s, xi->v.dtype, xi->concrete);
		i->cls = MM_C_REDUCTION;
		if (i->symbolic) {
			if ((r = sym_cost(c, i, &xi->v.shape, 1, xi, NULL)) != MM_OK)
				return placed(c, r, e->span);
			return MM_OK;
		}
		i->flops = numel(&xi->v.shape);
		i->op_bytes = mm_count_add(mm_check_bytes(&xi->v.shape, xi->v.dtype),
		                           mm_check_bytes(&s, xi->v.dtype));
		return MM_OK;
	}
	case MM_F_SOFTMAX: {
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		int ka = find_key(e, "axis");
		int64_t ax = -1;
		if (ka >= 0 && (r = as_int(c, e->items[ka], "axis", &ax)) != MM_OK)
			return r;
		if ((r = mm_shape_axis(xi->v.shape.ndim, ax, &i->axis, c->diag)) != MM_OK)
			return placed(c, r, ka >= 0 ? e->items[ka]->span : e->span);
		set_tensor(i, &xi->v.shape, xi->v.dtype, xi->concrete);
		elementwise_cost(i, xi, NULL, 5);
		i->cls = MM_C_SOFTMAX;
		if (i->symbolic && (r = sym_cost(c, i, &xi->v.shape, 5, xi, NULL)) != MM_OK)
			return placed(c, r, e->span);
		return MM_OK;
	}
	case MM_F_LAYERNORM: {
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		if (xi->v.shape.ndim == 0)
			return fail(c, MM_ERR_SHAPE, x->span,
			            "layernorm needs at least one axis");
		int64_t last = xi->v.shape.dim[xi->v.shape.ndim - 1];
		bool concrete = xi->concrete;
		if (xi->symbolic && e->n > 1)
			return fail(c, MM_ERR_UNSUPPORTED, e->span,
			            "layernorm with weight and bias does not take symbolic "
			            "dimensions yet");
		for (int k = 1; k < e->n; k++) {
			mm_node *w = e->items[k];
			if ((r = need_tensor(c, w, bi->name)) != MM_OK)
				return r;
			uint64_t n;
			mm_shape_numel(&w->info->v.shape, &n, NULL);
			if (w->info->v.shape.ndim > 1 || (int64_t)n != last) {
				char sb[160];
				return fail(c, MM_ERR_SHAPE, w->span,
				            "layernorm: weight and bias need %lld elements "
				            "(the last axis), got %s",
				            (long long)last,
				            mm_shape_str(&w->info->v.shape, sb, sizeof sb));
			}
			concrete = concrete && w->info->concrete;
		}
		set_tensor(i, &xi->v.shape, xi->v.dtype, concrete);
		elementwise_cost(i, xi, NULL, e->n > 1 ? 5 : 4);
		i->cls = MM_C_NORM;
		if (i->symbolic &&
		    (r = sym_cost(c, i, &xi->v.shape, e->n > 1 ? 5 : 4, xi, NULL)) != MM_OK)
			return placed(c, r, e->span);
		return MM_OK;
	}
	case MM_F_TRANSPOSE: {
		if (xi->v.kind == MM_K_NUMBER) {
			set_number(i, xi->v.num);
			return MM_OK;
		}
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		s = mm_shape_transpose(&xi->v.shape);
		set_tensor(i, &s, xi->v.dtype, xi->concrete);
		set_view(i, xi);
		return MM_OK;
	}
	case MM_F_RESHAPE: {
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		int64_t dims[MM_MAX_NDIM];
		int nd = npos - 1;
		if (nd == 1 && e->items[1]->info->v.kind == MM_K_TENSOR) {
			mm_shape t = e->items[1]->info->v.shape;
			nd = t.ndim;
			memcpy(dims, t.dim, sizeof dims);
		} else {
			if (nd > MM_MAXDIM)
				return fail(c, MM_ERR_LIMIT, e->span,
				            "reshape: at most %d dimensions", MM_MAXDIM);
			for (int k = 0; k < nd; k++)
				if ((r = as_int(c, e->items[1 + k], "a dimension", &dims[k])) != MM_OK)
					return r;
		}
		if ((r = mm_shape_reshape(&xi->v.shape, nd, dims, &s, c->diag)) != MM_OK)
			return placed(c, r, e->span);
		set_tensor(i, &s, xi->v.dtype, xi->concrete);
		set_view(i, xi);
		return MM_OK;
	}
	case MM_F_CONCAT: {
		int np = npos;
		if (np > 64)
			return fail(c, MM_ERR_LIMIT, e->span, "concat: at most 64 values");
		/* Not on the stack: 64 shapes would put 17 KB in the frame of every
		 * call the checker recurses through, and overflow it. */
		mm_shape *parts = mm_arena_alloc(c->arena, sizeof *parts * (size_t)(np + 1));
		if (!parts)
			return fail(c, MM_ERR_NOMEM, e->span, "out of memory");
		bool concrete = true;
		mm_dtype t = MM_I4;
		for (int k = 0; k < np; k++) {
			if ((r = need_tensor(c, e->items[k], bi->name)) != MM_OK)
				return r;
			parts[k] = e->items[k]->info->v.shape;
			concrete = concrete && e->items[k]->info->concrete;
			t = k == 0 ? e->items[k]->info->v.dtype
			           : mm_dtype_promote(t, e->items[k]->info->v.dtype);
		}
		int ka = find_key(e, "axis");
		int64_t ax = 0;
		if (ka >= 0 && (r = as_int(c, e->items[ka], "axis", &ax)) != MM_OK)
			return r;
		if ((r = mm_shape_concat(parts, np, ax, &s, c->diag)) != MM_OK)
			return placed(c, r, e->span);
		mm_shape_axis(s.ndim, ax, &i->axis, NULL);
		set_tensor(i, &s, t, concrete);
		i->cls = MM_C_DATA;
		i->op_bytes = mm_count_mul_u(mm_check_bytes(&s, t), 2);
		return MM_OK;
	}
	case MM_F_QR: case MM_F_QR_R: {
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		if (xi->v.shape.ndim != 2) {
			char sb[160];
			return fail(c, MM_ERR_SHAPE, x->span,
			            "%s needs a matrix (2 axes), got %s", bi->name,
			            mm_shape_str(&xi->v.shape, sb, sizeof sb));
		}
		int64_t m = xi->v.shape.dim[0], n = xi->v.shape.dim[1];
		int64_t kk = m < n ? m : n;
		s.ndim = 2;
		s.dim[0] = f == MM_F_QR ? m : kk;
		s.dim[1] = f == MM_F_QR ? kk : n;
		set_tensor(i, &s, xi->v.dtype, xi->concrete);
		i->cls = MM_C_LINALG;
		/* Householder QR (geqrf) 2mn^2 - 2n^3/3 for m >= n, and forming
		 * the reduced Q (orgqr) as much again; LAPACK Working Note 41. */
		double dm = (double)(m > n ? m : n), dn = (double)kk;
		double fl = 2 * dm * dn * dn - 2 * dn * dn * dn / 3;
		i->flops = mm_count_from_double(round(2 * fl));
		i->op_bytes = mm_count_add(mm_check_bytes(&xi->v.shape, xi->v.dtype),
		                           mm_check_bytes(&s, xi->v.dtype));
		return MM_OK;
	}
	case MM_F_SHAPE:
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		set_tensor(i, &xi->v.shape, xi->v.dtype, false);
		i->leaf = true;
		i->leaf_id = LITERAL_IDS + c->next_leaf++;
		return MM_OK;
	case MM_F_NUMEL:
		if (xi->v.kind == MM_K_NUMBER) {
			set_number(i, 1);
			return MM_OK;
		}
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		i->v.kind = MM_K_NUMBER;
		i->v.cnt = numel(&xi->v.shape);
		i->v.num = mm_count_to_double(i->v.cnt);
		return MM_OK;
	case MM_F_TIME: {
		if ((r = need_tensor(c, x, bi->name)) != MM_OK)
			return r;
		if (!c->opts.predict)
			return fail(c, MM_ERR_UNSUPPORTED, e->op_span,
			            "time needs a device model");
		mm_totals t;
		mm_check_totals(x, &t);
		double sec = c->opts.predict(c->opts.predict_ctx, t.flops,
		                             mm_count_add(t.bytes_in, t.bytes_out),
		                             xi->v.dtype, c->diag);
		if (sec < 0)
			return placed(c, c->diag->code, e->span);
		set_number(i, sec);
		i->v.measure = MM_M_SECOND;
		return MM_OK;
	}
	case MM_F_FLOPS: case MM_F_MACS: case MM_F_BYTES: {
		mm_totals t;
		if (xi->v.kind != MM_K_TENSOR) {
			i->v.kind = MM_K_NUMBER;
			i->v.cnt = MM_COUNT_ZERO;
		} else {
			mm_check_totals(x, &t);
			i->v.kind = MM_K_NUMBER;
			if (f == MM_F_FLOPS)
				i->v.cnt = t.flops;
			else if (f == MM_F_MACS)
				i->v.cnt = t.macs;
			else if (xi->leaf || xi->view)
				i->v.cnt = mm_check_bytes(&xi->v.shape, xi->v.dtype);
			else
				i->v.cnt = mm_count_add(t.bytes_in, t.bytes_out);
		}
		i->v.num = mm_count_to_double(i->v.cnt);
		i->v.measure = f == MM_F_FLOPS ? MM_M_FLOP
		           : f == MM_F_MACS  ? MM_M_MAC : MM_M_BYTE;
		return MM_OK;
	}
	case MM_F_LOAD:
		return check_load(c, e, i);
	case MM_F_ATTENTION:
		return check_attention(c, e, i);
	case MM_F_SAVE: {
		mm_node *p = e->items[0], *v = e->items[1];
		if (p->info->v.kind != MM_K_STRING)
			return fail(c, MM_ERR_TYPE, p->span,
			            "save: the file name must be a string in quotes");
		if ((r = need_tensor(c, v, bi->name)) != MM_OK)
			return r;
		if (!v->info->concrete) {
			fail(c, MM_ERR_VALUE, v->span,
			     "save needs data, and this has a shape only");
			mm_diag_hint(c->diag, "make it with randn, zeros, a matrix "
			                      "literal or load");
			return MM_ERR_VALUE;
		}
		if (!mm_path_has_ext(p->info->v.str, ".npy") &&
		    !mm_path_has_ext(p->info->v.str, ".csv") &&
		    !mm_path_has_ext(p->info->v.str, ".tsv") &&
		    !mm_path_has_ext(p->info->v.str, ".txt"))
			return fail(c, MM_ERR_ARG, p->span,
			            "save: the name must end in .npy, .csv, .tsv or .txt");
		char *path = mm_path_resolve(p->info->v.str, c->opts.base_dir, c->diag);
		if (!path)
			return placed(c, c->diag->code, p->span);
		i->path = mm_arena_strndup(c->arena, path, strlen(path));
		free(path);
		char note[96];
		snprintf(note, sizeof note, "saved to %s", p->info->v.str);
		i->note = mm_arena_strndup(c->arena, note, strlen(note));
		set_tensor(i, &v->info->v.shape, v->info->v.dtype, true);
		set_view(i, v->info);
		i->cls = MM_C_DATA;
		return MM_OK;
	}
	default:
		return fail(c, MM_ERR_UNSUPPORTED, e->op_span,
		            "%s is not implemented", bi->name);
	}
}

static mm_code check(mm_checker *c, mm_node *e)
{
	mm_info *i = info_of(c, e);
	if (!i)
		return fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	if (++c->depth > MAX_TREE_DEPTH) {
		c->depth--;
		return fail(c, MM_ERR_LIMIT, e->span,
		            "expression too deep (more than %d operations nested)",
		            MAX_TREE_DEPTH);
	}
	mm_code r = MM_OK;
	switch (e->kind) {
	case MM_N_NUMBER:
		set_number(i, e->number);
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
		if ((r = check(c, e->lhs)) != MM_OK)
			break;
		if (e->lhs->info->v.kind == MM_K_NUMBER) {
			set_number(i, e->kind == MM_N_NEG ? -e->lhs->info->v.num
			                                  : e->lhs->info->v.num);
		} else if (e->lhs->info->v.kind == MM_K_TENSOR) {
			const mm_info *x = e->lhs->info;
			set_tensor(i, &x->v.shape, x->v.dtype, x->concrete);
			i->symbolic = x->symbolic;
			if (e->kind == MM_N_NEG) {
				elementwise_cost(i, x, NULL, 1);
				if (i->symbolic)
					r = placed(c, sym_cost(c, i, &x->v.shape, 1, x, NULL), e->span);
			} else {
				set_view(i, x);
			}
		} else {
			r = fail(c, MM_ERR_TYPE, e->span, "cannot negate %s",
			         kind_name(e->lhs->info));
		}
		break;
	case MM_N_TRANSPOSE:
		if ((r = check(c, e->lhs)) != MM_OK)
			break;
		if (e->lhs->info->v.kind == MM_K_NUMBER) {
			set_number(i, e->lhs->info->v.num);
		} else if (e->lhs->info->v.kind == MM_K_TENSOR) {
			const mm_info *x = e->lhs->info;
			mm_shape s = mm_shape_transpose(&x->v.shape);
			set_tensor(i, &s, x->v.dtype, x->concrete);
			i->symbolic = x->symbolic;
			set_view(i, x);
		} else {
			r = fail(c, MM_ERR_TYPE, e->span, "cannot transpose %s",
			         kind_name(e->lhs->info));
		}
		break;
	case MM_N_CALL:
		r = check_call(c, e, i);
		break;
	case MM_N_INDEX:
		r = check_index(c, e, i);
		break;
	case MM_N_SLICE:
		r = fail(c, MM_ERR_SYNTAX, e->span, "a slice outside brackets");
		break;
	case MM_N_HOLE:
		if (c->hole) {
			set_tensor(i, c->hole, c->opts.dtype, c->opts.fill_abstract);
			i->leaf = true;
			i->leaf_id = LITERAL_IDS + c->next_leaf++;
			break;
		}
		r = fail(c, MM_ERR_SYNTAX, e->span,
		         "'?' stands for an unknown operand in an equation");
		mm_diag_hint(c->diag, "write EXPR = SHAPE, e.g. (1024x4096) @ ? = "
		                      "(1024x512)");
		break;
	}
	c->depth--;
	return r;
}

mm_code mm_check_expr(mm_checker *c, mm_node *e)
{
	c->depth = 0;
	return check(c, e);
}

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
	if (!li->value && leaf->kind != MM_N_MATRIX &&
	    !seen(w->seen_new, &w->nnew, li->leaf_id)) {
		w->new_leaves = mm_count_add(w->new_leaves, li->bytes);
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
		switch (e->info->fn) {
		case MM_F_SHAPE: case MM_F_NUMEL: case MM_F_FLOPS: case MM_F_MACS:
		case MM_F_BYTES: case MM_F_TIME: case MM_F_RANDN: case MM_F_RAND:
		case MM_F_ZEROS: case MM_F_ONES: case MM_F_FULL: case MM_F_EYE:
		case MM_F_ARANGE:
			break; /* their arguments are only looked at, not computed */
		default:
			for (int k = 0; k < e->n && n < MM_MAX_OPERANDS; k++)
				out[n++] = e->items[k];
		}
		break;
	default:
		break;
	}
	return n;
}

/* Returns the bytes of intermediates this node's result keeps alive. */
static mm_count walk_node(walk *w, const mm_node *e)
{
	const mm_info *i = e->info;
	if (!i || i->v.kind != MM_K_TENSOR)
		return MM_COUNT_ZERO;
	if (i->leaf) {
		add_input(w, e, i->leaf_id, i->bytes);
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
			add_input(w, base, i->view_key, i->bytes);
			return MM_COUNT_ZERO;
		}
	}
	int nk = mm_check_operands(e, kids);
	mm_count held = MM_COUNT_ZERO;
	for (int k = 0; k < nk; k++)
		held = mm_count_add(held, walk_node(w, kids[k]));
	if (i->view)
		return held; /* the view keeps its operand's memory alive */
	w->t->flops = mm_count_add(w->t->flops, i->flops);
	w->t->macs = mm_count_add(w->t->macs, i->macs);
	w->t->matmul_flops = mm_count_add(w->t->matmul_flops,
	                                  i->cls == MM_C_MATMUL ? i->flops
	                                                        : i->matmul_flops);
	if (!mm_count_is_zero(i->flops) || i->cls != MM_C_NONE)
		w->t->nops++;
	mm_count out = i->bytes;
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
		t->bytes_out = mm_check_bytes(&e->info->v.shape, e->info->v.dtype);
	t->bytes_peak = mm_count_add(t->bytes_in, w.peak);
	/* The result of a bare leaf (a name, a literal) is the input itself. */
	if (e->info && e->info->leaf)
		t->bytes_peak = t->bytes_in;
	t->bytes_alloc = mm_count_add(w.new_leaves, w.peak);
}

/* ---- symbolic totals ---- */

typedef struct symwalk {
	mm_checker c;          /* for the poly helpers: arena and diag */
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
		if ((r = sym_bytes(&w->c, &i->v.shape, i->v.dtype, &b)) != MM_OK)
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
	if ((r = sym_add(w, w->t->flops, i->sflops, i->flops)) != MM_OK ||
	    (r = sym_add(w, w->t->macs, i->smacs, i->macs)) != MM_OK)
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
		r = sym_bytes(&w.c, &e->info->v.shape, e->info->v.dtype, t->bytes_out);
	return r == MM_OK ? MM_OK : (d->span = e->span, r);
}
