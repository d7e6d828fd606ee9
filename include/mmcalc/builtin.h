/* builtin.h — the built-in functions as one table: a row each with its
 * arguments, flags, help lines, and the functions that check it (shape,
 * dtype, cost) and execute it. The table drives call dispatch in the
 * checker and the evaluator, "did you mean" suggestions, tab completion
 * and :help functions. Adding a built-in is one row in builtin.c (or one
 * line of unary.def for an elementwise function) plus its functions and
 * its man-page entry: HACKING.md walks through it.
 *
 * Ownership: rows are static and live for the whole program. */
#ifndef MMCALC_BUILTIN_H
#define MMCALC_BUILTIN_H

#include <stddef.h>

#include "mmcalc/diag.h"
#include "mmcalc/tensor.h"

struct mm_checker;
struct mm_evaluator;
struct mm_node;
struct mm_info;

/* Flags of a row. */
enum {
	/* accepts operands with symbolic dims (the others refuse them) */
	MM_BF_SYMBOLIC = 1 << 0,
	/* only looks at its arguments (shape(x), flops(x), constructors'
	 * dims): they are not operands that evaluation computes */
	MM_BF_INSPECT = 1 << 1,
	/* the result has the shape of the first argument (the hole solver
	 * sees through it) */
	MM_BF_SAME_SHAPE = 1 << 2,
	/* called with one argument, the result is it with its last two axes
	 * swapped (the hole solver sees through it) */
	MM_BF_TRANSPOSES = 1 << 3,
	/* an argument after the first written as a parenthesised list,
	 * (0, -1), is a tuple (of axes, of dims) that the row reads: the
	 * checker does not check it as a shape first */
	MM_BF_TUPLES = 1 << 4,
};

/* Sections of :help functions, in the order they print. */
typedef enum mm_builtin_group {
	MM_G_CONSTRUCT, MM_G_MATH, MM_G_REDUCE, MM_G_NORM, MM_G_SHAPE,
	MM_G_LINALG, MM_G_ATTENTION, MM_G_CONV, MM_G_MOE, MM_G_LOSS, MM_G_FILE,
	MM_G_COST,
	MM_G_COUNT
} mm_builtin_group;

/* Annotates the call node e (its arguments already checked, except the
 * keywords of `words`) in i: kind, shape, dtype, cost. */
typedef mm_code mm_builtin_check(struct mm_checker *c, struct mm_node *e,
                                 struct mm_info *i);
/* Computes the call node e, whose operands hold their values: a new
 * reference, or NULL with the evaluator's diag filled. */
typedef mm_tensor *mm_builtin_eval(struct mm_evaluator *ev,
                                   struct mm_node *e);

typedef struct mm_builtin {
	const char *name;
	int min, max;           /* positional arguments; max -1: any number */
	const char *keys;       /* keyword arguments, space-separated */
	const char *words;      /* keywords whose value may be a bare word
	                           (dtype=f16, causal=true): not checked as
	                           expressions */
	const char *usage;      /* "softmax(x, axis=-1)" */
	const char *summary;    /* one line for :help */
	mm_builtin_group group;
	unsigned flags;         /* MM_BF_... */
	unsigned raw;           /* positional arguments (bit k: argument k) the
	                           row's check reads itself, unchecked: a
	                           dimension with symbols, a function's name */
	unsigned per;           /* FLOPs per element (elementwise functions) */
	int op;                 /* the family's parameter: which unary
	                           function, which reduction, ... */
	mm_builtin_check *check;
	mm_builtin_eval *eval;  /* NULL: never executed (a cost query) */
} mm_builtin;

/* The row named name, or NULL. */
const mm_builtin *mm_builtin_find(const char *name);
/* Row i in table order, or NULL past the last. */
const mm_builtin *mm_builtin_at(size_t i);
/* The heading of a :help functions section. */
const char *mm_builtin_group_title(mm_builtin_group g);

#endif
