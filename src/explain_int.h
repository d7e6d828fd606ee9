/* explain_int.h — what explain.c and explain_json.c share: the rows of
 * the :explain table and the table being built. Internal to the library. */
#ifndef MMCALC_EXPLAIN_INT_H
#define MMCALC_EXPLAIN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/buf.h"
#include "mmcalc/explain.h"
#include "mmcalc/graph.h"

/* One row: an operation, or a module (a call, a repeat) summing the rows
 * under it. */
typedef struct row {
	const mm_gnode *g;     /* the operation (a repeat for its header) */
	const mm_gmodule *m;   /* a module header: the call */
	int indent;
	int64_t times;         /* > 1: inside a repeat, counted times over */
	const mm_poly *stimes; /* ... a symbolic number of times */
	mm_count flops, macs, bytes; /* numeric (train-adjusted) */
	mm_poly sflops, sbytes;      /* symbolic */
	bool sym;
	double sec;            /* predicted seconds (sum for a module) */
	bool unknown;          /* ... not known for some operation */
	const char *label;     /* a module's: "block ×96" */
	const char *origin;    /* the variable it was made as part of */
	int num;               /* an operation's number ("#"), before sorting */
} row;

typedef struct table {
	row *r;
	int n, cap;
	const mm_convention *conv;
	bool train, sym;
	mm_diag *diag;
	mm_arena *arena;
	mm_predict_fn predict;
	void *ctx;
	mm_poly_lookup lookup;  /* symbols bound in the session, or NULL */
	void *lookup_ctx;
	bool no_peak;           /* the totals were bound: no peak known */
	bool layers;            /* the graph has calls or repeats (layers):
	                           recomputation is of them only */
	char labels[64][48]; /* module labels; more share the last */
	int nlabels;
	struct named { uint64_t stmt; const char *origin; } *named;
	int nnamed;                 /* statements and the variables they made */
	mm_explain_key bars;        /* the share column's quantity, or NONE */
	bool unicode;               /* its bars in block characters */
	double bar_total;           /* the whole the shares are of */
} table;

/* The table as one JSON object (explain_json.c): the rows down to depth,
 * then the totals. */
void mm_explain_put_json(mm_buf *b, const table *t, const mm_gtotals *gt,
                         const mm_explain_opts *o, int depth, mm_count total,
                         mm_count train_flops, mm_count train_bytes,
                         bool known, double seconds);

#endif
