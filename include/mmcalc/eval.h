/* eval.h — the evaluator: executes a checked tree whose result is
 * concrete, leaving each tensor node's value in its annotation.
 *
 * Ownership: every value the evaluator stores in node->info->value is one
 * reference owned by the annotation; mm_eval_release drops them (the
 * arena that holds the annotations does not know about tensors). */
#ifndef MMCALC_EVAL_H
#define MMCALC_EVAL_H

#include "mmcalc/check.h"
#include "mmcalc/rng.h"

typedef struct mm_evaluator {
	mm_rng *rng;
	mm_diag *diag;
} mm_evaluator;

/* :run: gives every abstract leaf under e random normal data. Separate
 * from mm_eval so that timing covers only the computation. */
mm_code mm_eval_fill(mm_evaluator *ev, mm_node *e);

/* Computes e (and what it needs under it). MM_OK, or an error with the
 * diag's span on the failing node. */
mm_code mm_eval(mm_evaluator *ev, mm_node *e);

/* Drops the values of the operations under e (not of leaves, and not of
 * e itself when keep_root), so that a benchmark can run again. */
void mm_eval_release(mm_node *e, bool keep_root);

/* Drops every value anywhere in the tree, leaves and the root included:
 * the end of a statement. */
void mm_eval_release_all(mm_node *e);

#endif
