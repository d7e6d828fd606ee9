/* env.h — the variables of a session: names bound to values (numbers,
 * strings, tensors' shapes) and, for concrete tensors, their data.
 *
 * Ownership: the environment owns every variable, its name, its string,
 * the polynomials of its symbolic dims, one reference to its tensor and
 * one to its graph node.
 * A variable pointer (mm_env_find) stays valid until the next
 * mm_env_set that adds a name, mm_env_remove or mm_env_clear. */
#ifndef MMCALC_ENV_H
#define MMCALC_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/arena.h"
#include "mmcalc/graph.h"
#include "mmcalc/poly.h"
#include "mmcalc/tensor.h"
#include "mmcalc/value.h"

typedef struct mm_var {
	char *name;
	mm_value v;        /* v.str and v.shape's polynomials are owned here */
	mm_tensor *value;  /* concrete data, or NULL when abstract */
	mm_poly *polys;    /* symbolic dims (v.shape.sym points here), or NULL */
	uint64_t id;       /* changes whenever the name is bound again */
	mm_gnode *g;       /* a tensor's node in the graph (a reference) */
} mm_var;

typedef struct mm_env {
	mm_var *vars;
	int n, cap;
	uint64_t next_id;
} mm_env;

void mm_env_free(mm_env *e);
mm_var *mm_env_find(const mm_env *e, const char *name);
/* Binds name to a copy of v (its string and symbolic dims copied), to
 * tensor (a new reference is taken; NULL for no data) and, for a tensor,
 * to its graph node g (a new reference; NULL: a new leaf, an input with
 * no history). Returns false when out of memory, leaving the old binding
 * as it was. */
bool mm_env_set(mm_env *e, const char *name, const mm_value *v,
                mm_tensor *tensor, mm_gnode *g);
/* A symbol's value: true and *value when name is bound to a whole
 * number (an mm_poly_lookup over an mm_env). */
bool mm_env_lookup_int(void *env, const char *name, int64_t *value);
/* Removes name; false when it was not bound. */
bool mm_env_remove(mm_env *e, const char *name);
void mm_env_clear(mm_env *e);

#endif
