/* dtype.h — element types. Every dtype is costed; only f32 and f64 hold
 * data (others execute in f32, and the report says so). */
#ifndef MMCALC_DTYPE_H
#define MMCALC_DTYPE_H

#include <stdbool.h>

typedef enum mm_dtype {
	MM_F32 = 0, /* the default */
	MM_F64,
	MM_TF32,
	MM_F16,
	MM_BF16,
	MM_F8,
	MM_I8,
	MM_I4,
	MM_DTYPE_COUNT
} mm_dtype;

/* "f32", "f64", ... */
const char *mm_dtype_name(mm_dtype t);
/* Parses a dtype name (also "float32", "float64", "half", "double");
 * returns false when unknown. */
bool mm_dtype_parse(const char *s, mm_dtype *out);
/* Storage size in bits (i4 is 4). */
unsigned mm_dtype_bits(mm_dtype t);
/* The dtype an executed tensor of type t is stored in: f64 stays f64,
 * everything else becomes f32. */
mm_dtype mm_dtype_exec(mm_dtype t);
/* NumPy-like promotion of two tensor dtypes (the wider float wins). */
mm_dtype mm_dtype_promote(mm_dtype a, mm_dtype b);

#endif
