/* explain.h — :explain, a value's cost broken down: one row per
 * operation of its graph in evaluation order with its shape, FLOPs and
 * share of the total, bytes and intensity (and predicted time, given a
 * predictor) and the variable it was made for, then the totals, the
 * matmul / non-matmul split, the memory and the parameters. */
#ifndef MMCALC_EXPLAIN_H
#define MMCALC_EXPLAIN_H

#include "mmcalc/buf.h"
#include "mmcalc/check.h"

/* Predicted seconds for an operation of flops FLOPs, transcendental
 * elements (mm_check_transcendental) and bytes, or a negative number when
 * unknown. */
typedef double (*mm_predict_fn)(void *ctx, mm_count flops,
                                mm_count transcendental, mm_count bytes,
                                mm_dtype dtype);

/* How the table is made. */
typedef struct mm_explain_opts {
	bool train;                /* forward + backward under conv */
	const mm_convention *conv; /* NULL: mmcalc's */
	int depth;                 /* > 0: rows this many modules deep and
	                              deeper fold into their modules' rows */
	mm_poly_lookup lookup;     /* symbols bound since the graph was made
	                              (their values), or NULL */
	void *lookup_ctx;
	bool json;                 /* one JSON object (mmcalc(1), JSON
	                              OUTPUT) instead of the table */
	long line;                 /* ... the statement's line in it */
} mm_explain_opts;

/* Rows printed at most; the rest are counted in the totals. */
#define MM_EXPLAIN_MAX_ROWS 256

/* Appends the table for the checked expression e: every operation of its
 * graph back to the leaves (graph.h), each once, calls of user functions
 * as modules with their operations under them, a repeat as one module
 * times L. predict may be NULL (no time column); o may be NULL (the
 * forward, mmcalc's convention). Symbolic costs are polynomials, in
 * arena. Fails only when memory is short or a polynomial too large (d). */
mm_code mm_explain(mm_buf *b, const mm_node *e, mm_predict_fn predict,
                   void *ctx, const mm_explain_opts *o, mm_arena *arena,
                   mm_diag *d);

/* The sum of the table's operations: FLOPs and bytes of every operation
 * of e's graph, each once, as o counts them (training: forward, backward
 * and recomputation under o's convention); when some are symbolic, sym
 * and the polynomials. */
typedef struct mm_explain_total {
	mm_count flops, bytes;
	bool sym;
	mm_poly sflops, sbytes;
} mm_explain_total;
mm_code mm_explain_sum(const mm_node *e, const mm_explain_opts *o,
                       mm_arena *arena, mm_diag *d, mm_explain_total *out);

/* The name of the operation a node performs, for tables: "@", "+",
 * "softmax", "neg". */
const char *mm_explain_op_name(const mm_node *e);

#endif
