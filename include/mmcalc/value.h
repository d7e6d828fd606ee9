/* value.h — what a value is, as the checker knows it before anything runs
 * and as a variable keeps it: a number, a string, or a tensor's shape and
 * dtype. The data of a concrete tensor is not part of it (see env.h and
 * check.h, which hold the tensor beside the value).
 *
 * Ownership: a value points to memory it does not own (its string, the
 * polynomials of symbolic dims). Whoever holds the value keeps that memory
 * alive: the statement's arena for a checked node, the variable for a
 * variable (mm_env_set copies both). */
#ifndef MMCALC_VALUE_H
#define MMCALC_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/count.h"
#include "mmcalc/dtype.h"
#include "mmcalc/shape.h"

typedef enum mm_kind {
	MM_K_NONE,   /* no value (save) */
	MM_K_NUMBER, /* a scalar known when checking */
	MM_K_STRING,
	MM_K_TENSOR, /* abstract (shape only) or concrete (with data) */
	MM_K_FORMULA /* a number that depends on symbols: a polynomial (sym)
	                with a unit (dim), such as flops((n x d) @ (d x d)) */
} mm_kind;

typedef struct mm_value {
	mm_kind kind;
	mm_dim dim;          /* NUMBER: what it measures (FLOP, s, FLOP/s,
	                        none), in base units: FLOP, MAC, B, s */
	double num;          /* NUMBER */
	bool is_int;         /* NUMBER: a whole number, exactly ival */
	int64_t ival;
	mm_count cnt;        /* NUMBER that counts FLOP, MAC or B: exactly */
	const char *str;     /* STRING, NUL-terminated */
	mm_dtype dtype;      /* TENSOR */
	mm_count bytes;      /* TENSOR: its size at its dtype, kept with the
	                        shape (0 when symbolic); mm_value_set_tensor */
	const mm_poly *sym;  /* FORMULA: its value */
	mm_shape shape;      /* TENSOR; last, for mm_value_assign */
} mm_value;

/* *d = *s for a d whose shape holds zeros past its rank (zeroed memory,
 * or only ever assigned this way), copying the shape by rank, and only a
 * tensor's (other values leave theirs unset; d's becomes empty): a whole
 * mm_value is about 350 bytes, most of them unused axes, and copying it
 * was 3% of a piped shape-only script. */
static inline void mm_value_assign(mm_value *d, const mm_value *s)
{
	__builtin_memcpy(d, s, __builtin_offsetof(mm_value, shape));
	if (s->kind == MM_K_TENSOR)
		mm_shape_assign(&d->shape, &s->shape);
	else
		mm_shape_clear(&d->shape);
}

/* v becomes a tensor of shape s and dtype t, its bytes counted. v's shape
 * holds zeros past its rank, as for mm_shape_assign: v is zeroed memory
 * (a checked node's, a `= {0}`) or only ever set this way. */
void mm_value_set_tensor(mm_value *v, const mm_shape *s, mm_dtype t);
/* v becomes the plain number x (an integer when x is a whole number that
 * a double holds exactly, below 2^53). */
void mm_value_set_num(mm_value *v, double x);
/* v becomes the plain number n, exactly (up to 2^63 - 1). */
void mm_value_set_int(mm_value *v, int64_t n);
/* True and *out when v is a number that is a whole number within int64's
 * range, exactly. */
bool mm_value_get_int(const mm_value *v, int64_t *out);

struct mm_arena;
/* A copy of v in *out whose string, symbolic dims and formula live in
 * arena (so it outlives the variable v came from). False when out of
 * memory. */
bool mm_value_copy(mm_value *out, const mm_value *v, struct mm_arena *arena);
/* v becomes the formula p (kept in arena) of dimension dim, or the plain
 * number it equals when p has no symbols left (exact while it is an
 * integer). False when out of memory. */
bool mm_value_set_formula(mm_value *v, const mm_poly *p, mm_dim dim,
                          struct mm_arena *arena);

#endif
