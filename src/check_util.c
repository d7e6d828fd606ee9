/* check_util.c — the checker's helpers for the built-ins' check
 * functions (fn/fn.h): reading arguments (dims, integers, booleans,
 * dtypes, keywords), setting results, and the cost context. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/check.h"
#include "check_int.h"
#include "fn/fn.h"

/* Points an error reported by a module without positions at `at`. */
mm_code mm_ck_placed(mm_checker *c, mm_code code, mm_span at)
{
	if (code != MM_OK && c->diag)
		c->diag->span = at;
	return code;
}

const char *mm_ck_kind_name(const mm_value *v)
{
	switch (v->kind) {
	case MM_K_NUMBER: return "a number";
	case MM_K_STRING: return "a string";
	case MM_K_TENSOR: return "a tensor";
	case MM_K_FORMULA: return "a formula of symbols";
	default: return "no value";
	}
}

/* A number that is a valid dimension or count: integral, >= 0. */
mm_code mm_ck_dim(mm_checker *c, const mm_node *e, int64_t *out)
{
	const mm_info *i = e->info;
	if (i->v.kind != MM_K_NUMBER)
		return mm_ck_fail(c, MM_ERR_TYPE, e->span,
		            "a dimension must be an integer, got %s%s",
		            mm_ck_kind_name(&(i)->v),
		            i->v.kind == MM_K_TENSOR ? " (a name bound to a tensor?)"
		                                   : "");
	int64_t n;
	if (!mm_value_get_int(&i->v, &n)) {
		if (i->v.num == floor(i->v.num) && i->v.num > 0)
			/* in digits while they are few enough to read */
			return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
			                  i->v.num < 1e20 ? "dimension %.0f is too large "
			                                    "(the limit is 2^63 - 1)"
			                                  : "dimension %g is too large "
			                                    "(the limit is 2^63 - 1)",
			                  i->v.num);
		mm_ck_fail(c, MM_ERR_VALUE, e->span,
		           "a dimension must be a whole number, got %g", i->v.num);
		mm_diag_hint(c->diag, "dimensions are whole numbers; check the "
		                      "division that made it");
		return MM_ERR_VALUE;
	}
	if (n < 0)
		return mm_ck_fail(c, MM_ERR_VALUE, e->span,
		                  "a dimension cannot be negative, got %lld",
		                  (long long)n);
	*out = n;
	return MM_OK;
}

/* An integer argument that may be negative (axis, index). */
mm_code mm_ck_int(mm_checker *c, const mm_node *e, const char *what,
                      int64_t *out)
{
	if (!mm_value_get_int(&e->info->v, out))
		return mm_ck_fail(c, MM_ERR_TYPE, e->span, "%s must be an integer",
		                  what);
	return MM_OK;
}

mm_code mm_ck_bool(mm_checker *c, const mm_node *e, const char *what,
                       bool *out)
{
	if (e->kind == MM_N_NAME && !mm_env_find(c->env, e->name) &&
	    (strcmp(e->name, "true") == 0 || strcmp(e->name, "false") == 0)) {
		*out = e->name[0] == 't';
		return MM_OK;
	}
	const mm_info *i = e->info;
	if (!i || i->v.kind != MM_K_NUMBER)
		return mm_ck_fail(c, MM_ERR_TYPE, e->span,
		            "%s must be true or false", what);
	*out = i->v.num != 0;
	return MM_OK;
}

/* dtype=NAME or dtype="NAME". */
mm_code mm_ck_dtype(mm_checker *c, const mm_node *e, mm_dtype *out)
{
	const char *s = NULL;
	if (e->kind == MM_N_NAME)
		s = e->name;
	else if (e->kind == MM_N_STRING)
		s = e->str;
	if (!s || !mm_dtype_parse(s, out)) {
		mm_ck_fail(c, MM_ERR_ARG, e->span, "unknown dtype%s%s", s ? " " : "",
		     s ? s : "");
		mm_diag_hint(c->diag, "dtypes: " MM_DTYPE_NAMES);
		return MM_ERR_ARG;
	}
	return MM_OK;
}

void mm_ck_set_number(mm_info *i, double v)
{
	mm_value_set_num(&i->v, v);
}

int mm_ck_key(const mm_node *e, const char *key)
{
	for (int k = 0; k < e->n; k++)
		if (e->keys[k] && strcmp(e->keys[k], key) == 0)
			return k;
	return -1;
}

int mm_ck_npos(const mm_node *e)
{
	int n = 0;
	while (n < e->n && !e->keys[n])
		n++;
	return n;
}

mm_code mm_ck_tensor(mm_checker *c, const mm_node *arg, const char *fn)
{
	if (arg->info->v.kind == MM_K_TENSOR)
		return MM_OK;
	return mm_ck_fail(c, MM_ERR_TYPE, arg->span,
	                  "%s: expected a tensor, got %s", fn,
	                  mm_ck_kind_name(&arg->info->v));
}

mm_cost_ctx mm_ck_cost_ctx(mm_checker *c)
{
	return (mm_cost_ctx){c->arena, c->diag, c->opts.conv, &c->assume};
}
