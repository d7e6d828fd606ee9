/* env.c — the session's variables. */
#include <stdlib.h>
#include <string.h>

#include "mmcalc/env.h"

static void drop(mm_var *v)
{
	free(v->name);
	free((char *)v->v.str);
	free(v->polys);
	mm_tensor_unref(v->value);
	mm_graph_unref(v->g);
}

void mm_env_free(mm_env *e)
{
	mm_env_clear(e);
	free(e->vars);
	e->vars = NULL;
	e->cap = 0;
}

void mm_env_clear(mm_env *e)
{
	for (int i = 0; i < e->n; i++)
		drop(&e->vars[i]);
	e->n = 0;
}

mm_var *mm_env_find(const mm_env *e, const char *name)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->vars[i].name, name) == 0)
			return &e->vars[i];
	return NULL;
}

/* The variable's own copies of v's string and symbolic dims, into *out
 * (whose name, tensor and id the caller sets). */
static bool own(mm_var *out, const mm_value *v)
{
	mm_value_assign(&out->v, v);
	out->v.str = NULL;
	out->polys = NULL;
	if (v->kind == MM_K_STRING && !(out->v.str = strdup(v->str ? v->str : "")))
		return false;
	if (v->kind == MM_K_FORMULA) {
		if (!(out->polys = malloc(sizeof *out->polys)))
			return false;
		out->polys[0] = *v->sym;
		out->v.sym = out->polys;
	}
	if (v->kind == MM_K_TENSOR && mm_shape_is_symbolic(&v->shape)) {
		/* They may point into an arena, or into the variable being
		 * replaced. */
		out->polys = malloc(sizeof *out->polys * (size_t)v->shape.ndim);
		if (!out->polys) {
			free((char *)out->v.str);
			return false;
		}
		for (int k = 0; k < v->shape.ndim; k++)
			if (v->shape.sym[k]) {
				out->polys[k] = *v->shape.sym[k];
				out->v.shape.sym[k] = &out->polys[k];
			}
	}
	return true;
}

/* The node a tensor variable keeps: g (a new reference), or a new leaf;
 * a tensor with data marks its node as having data. NULL for a number or
 * a string; *ok false when out of memory. */
static mm_gnode *node_for(const mm_value *v, mm_tensor *tensor, mm_gnode *g,
                          bool *ok)
{
	*ok = true;
	if (v->kind != MM_K_TENSOR)
		return NULL;
	g = g ? mm_graph_ref(g) : mm_graph_leaf(v, tensor != NULL, 0);
	if (!g)
		*ok = false;
	else if (tensor)
		g->data = true;
	return g;
}

bool mm_env_set(mm_env *e, const char *name, const mm_value *v,
                mm_tensor *tensor, mm_gnode *g)
{
	bool ok;
	g = node_for(v, tensor, g, &ok);
	if (!ok)
		return false;
	mm_var *old = mm_env_find(e, name);
	/* Most statements replace `ans` with a value of no strings and no
	 * symbols: update it in place (the general path below builds a whole
	 * mm_var and copies it, 3% of a shape-only script). */
	if (old && !old->v.str && !old->polys && v->kind != MM_K_STRING &&
	    v->kind != MM_K_FORMULA &&
	    !(v->kind == MM_K_TENSOR && mm_shape_is_symbolic(&v->shape))) {
		mm_tensor *t = mm_tensor_ref(tensor);
		mm_tensor_unref(old->value);
		mm_graph_unref(old->g);
		mm_value_assign(&old->v, v);
		old->v.str = NULL;
		old->value = t;
		old->g = g;
		old->id = ++e->next_id;
		return true;
	}
	mm_var nv = {0};
	nv.g = g;
	if (!own(&nv, v)) {
		mm_graph_unref(g);
		return false;
	}
	nv.id = ++e->next_id;
	if (old) {
		nv.name = old->name;
		old->name = NULL;
		drop(old);
		nv.value = mm_tensor_ref(tensor);
		*old = nv;
		return true;
	}
	if (e->n == e->cap) {
		int cap = e->cap ? e->cap * 2 : 16;
		mm_var *vars = realloc(e->vars, sizeof *vars * (size_t)cap);
		if (!vars) {
			drop(&nv);
			return false;
		}
		e->vars = vars;
		e->cap = cap;
	}
	if (!(nv.name = strdup(name))) {
		drop(&nv);
		return false;
	}
	nv.value = mm_tensor_ref(tensor);
	e->vars[e->n++] = nv;
	return true;
}

bool mm_env_remove(mm_env *e, const char *name)
{
	mm_var *v = mm_env_find(e, name);
	if (!v)
		return false;
	drop(v);
	*v = e->vars[--e->n];
	return true;
}

bool mm_env_lookup_int(void *env, const char *name, int64_t *value)
{
	const mm_var *v = mm_env_find(env, name);
	return v && mm_value_get_int(&v->v, value);
}
