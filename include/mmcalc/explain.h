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

/* What a share bar measures, and what sort= orders rows by. */
typedef enum mm_explain_key {
	MM_EXPLAIN_NONE,
	MM_EXPLAIN_FLOPS,
	MM_EXPLAIN_BYTES,
	MM_EXPLAIN_TIME, /* predicted seconds */
} mm_explain_key;

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
	/* A column with each row's share of the whole in this quantity, as
	 * a percentage and a bar (mm_chart_bar); NONE: no column. */
	mm_explain_key bars;
	bool sort;    /* rows ordered by `bars`, largest first; a module
	                 keeps its operations under it (sorted the same
	                 way), and every row keeps its number */
	bool unicode; /* bars in block characters, else '#' */
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

/* One operation of the table, for pictures of it (:roofline). */
typedef struct mm_explain_row {
	int num;            /* its number in the table ("#") */
	const char *op;     /* "@", "softmax" (static or the graph's) */
	const mm_gnode *g;  /* its node (borrowed from e's graph) */
	const char *module; /* the module it is in ("block", "block ×96"),
	                       or NULL; in arena */
	bool sym;           /* costs symbolic: no numbers below */
	double flops, bytes;/* as the table counts them (times over in a
	                       repeat, trained when o says) */
	double sec;         /* predicted seconds, < 0 when unknown */
	mm_dtype dtype;     /* of its result */
} mm_explain_row;

/* The operations of the table mm_explain would print for e (module
 * headers left out), in its order, into *out (malloc'd, the caller
 * frees it) and their number into *n. Same arguments and errors as
 * mm_explain; o's depth, bars and sort are ignored. */
mm_code mm_explain_rows(const mm_node *e, mm_predict_fn predict, void *ctx,
                        const mm_explain_opts *o, mm_arena *arena,
                        mm_diag *d, mm_explain_row **out, int *n);

/* The name of the operation a node performs, for tables: "@", "+",
 * "softmax", "neg". */
const char *mm_explain_op_name(const mm_node *e);

#endif
