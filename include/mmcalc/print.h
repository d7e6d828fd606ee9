/* print.h — NumPy-like text for concrete tensors, and JSON values.
 * Appends to an mm_buf (never prints); an allocation failure shows as the
 * buffer's `failed` flag. The tensor is borrowed. */
#ifndef MMCALC_PRINT_H
#define MMCALC_PRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/buf.h"
#include "mmcalc/tensor.h"

typedef struct mm_print_opts {
	int precision;     /* most digits after the point (floatmode maxprec) */
	int64_t threshold; /* more elements than this: summarise with ... */
	int edgeitems;     /* items shown at each end of a summarised axis */
	int linewidth;     /* wrap rows longer than this */
	bool suppress;     /* NumPy's suppress=True: never scientific for
	                    * small values, tiny values print as 0. */
} mm_print_opts;

/* NumPy's defaults: precision 8, threshold 1000, edgeitems 3, width 75. */
#define MM_PRINT_OPTS_DEFAULT ((mm_print_opts){8, 1000, 3, 75, false})

/* The body np.array2string(t) gives with the same options, e.g.
 *   [[ 1.   2.5]
 *    [-3.   4. ]]
 * A 0-d tensor prints its value alone ("2.5"), an empty one "[]".
 * Values choose fixed or scientific notation as NumPy does (scientific
 * when the largest |x| >= 1e8, or, unless suppress, the smallest non-zero
 * |x| < 1e-4 or the ratio of largest to smallest > 1e3); nan, inf, -inf
 * are spelled so. opts NULL means MM_PRINT_OPTS_DEFAULT. No trailing
 * newline. */
void mm_print_tensor(mm_buf *b, const mm_tensor *t, const mm_print_opts *opts);

/* The same for a tensor of dtype `dtype` (t's storage is f32 for every
 * type but f64), as NumPy prints an array of that type: i8 and i4 as
 * integers ("[100 -56  44]", each as wide as the widest), f16 with the
 * shortest digits that identify the value as a binary16 ("0.1" for
 * 0.0999755859375, as NumPy's float16). bf16 and the f8s, which NumPy
 * lacks, print the exact values as float32 does ("0.10009766"; ml_dtypes
 * prints 6 significant digits). mm_print_tensor is this with t's own
 * storage dtype. */
void mm_print_tensor_as(mm_buf *b, const mm_tensor *t, mm_dtype dtype,
                        const mm_print_opts *opts);

/* Nested JSON arrays of all elements (no summarising), each number with
 * round-trip precision: "%.17g" for f64, "%.9g" for f32. nan, inf and
 * -inf, which JSON cannot hold, are written as null. A 0-d tensor is a
 * bare number. */
void mm_print_json(mm_buf *b, const mm_tensor *t);

/* A number as JSON: the shortest digits that read back to the same
 * double (f32: the same float), "838.4" rather than "838.39999999999998";
 * nan, inf and -inf, which JSON has no numbers for, as the strings "nan",
 * "inf" and "-inf" (documented in mmcalc(1), JSON OUTPUT). */
void mm_print_json_number(mm_buf *b, double v, bool f32);

#endif
