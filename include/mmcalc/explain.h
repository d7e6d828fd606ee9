/* explain.h — :explain, a statement's cost broken down: one row per
 * operation in evaluation order with its shape, FLOPs and share of the
 * total, bytes and intensity (and predicted time, given a predictor), then
 * the totals, the matmul / non-matmul split and the peak memory. */
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
} mm_explain_opts;

/* Appends the table for the checked expression e. predict may be NULL (no
 * time column); o may be NULL (the forward, mmcalc's convention). */
void mm_explain(mm_buf *b, const mm_node *e, mm_predict_fn predict,
                void *ctx, const mm_explain_opts *o);

/* The name of the operation a node performs, for tables: "@", "+",
 * "softmax", "neg". */
const char *mm_explain_op_name(const mm_node *e);

#endif
