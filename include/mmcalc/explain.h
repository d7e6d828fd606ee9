/* explain.h — :explain, a statement's cost broken down: one row per
 * operation in evaluation order with its shape, FLOPs and share of the
 * total, bytes and intensity (and predicted time, given a predictor), then
 * the totals, the matmul / non-matmul split and the peak memory. */
#ifndef MMCALC_EXPLAIN_H
#define MMCALC_EXPLAIN_H

#include "mmcalc/buf.h"
#include "mmcalc/check.h"

/* Predicted seconds for an operation, or a negative number when unknown. */
typedef double (*mm_predict_fn)(void *ctx, mm_count flops, mm_count bytes,
                                mm_dtype dtype);

/* Appends the table for the checked expression e. predict may be NULL (no
 * time column); train multiplies FLOPs by 3 (forward + backward). */
void mm_explain(mm_buf *b, const mm_node *e, mm_predict_fn predict,
                void *ctx, bool train);

/* The name of the operation a node performs, for tables: "@", "+",
 * "softmax", "neg". */
const char *mm_explain_op_name(const mm_node *e);

#endif
