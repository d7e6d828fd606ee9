/* dtype.h — element types: names, sizes, promotion, and what a tensor of
 * each type may hold. Every dtype is costed at its own size. Data is
 * stored as f64 (f64) or f32 (every other type); a tensor of a narrow type
 * holds only values that type can represent, rounded or wrapped by
 * dtype_round.h, so f32 storage of a bf16 tensor is exact.
 * Nothing here allocates; strings returned are static. */
#ifndef MMCALC_DTYPE_H
#define MMCALC_DTYPE_H

#include <stdbool.h>

typedef enum mm_dtype {
	MM_F32 = 0, /* the default */
	MM_F64,
	MM_TF32,    /* f32 storage; a matrix-unit rate on devices */
	MM_F16,     /* IEEE binary16 */
	MM_BF16,    /* bfloat16 */
	MM_F8E4M3,  /* OCP FP8 E4M3 (ml_dtypes' float8_e4m3fn); plain "f8" */
	MM_F8E5M2,  /* OCP FP8 E5M2 */
	MM_I8,
	MM_I4,
	MM_DTYPE_COUNT
} mm_dtype;

/* Every name a user may give, for hints: the canonical ones and plain
 * "f8". */
#define MM_DTYPE_NAMES "f64 f32 tf32 f16 bf16 f8 f8e4m3 f8e5m2 i8 i4"

/* "f32", "f64", ..., "f8e4m3", "f8e5m2". */
const char *mm_dtype_name(mm_dtype t);
/* Parses a dtype name (also "float32", "float64", "half", "double", "f8"
 * for f8e4m3, ...); returns false when unknown. */
bool mm_dtype_parse(const char *s, mm_dtype *out);
/* Storage size in bits (i4 is 4). */
unsigned mm_dtype_bits(mm_dtype t);
/* The dtype an executed tensor of type t is stored in: f64 stays f64,
 * everything else becomes f32. */
mm_dtype mm_dtype_exec(mm_dtype t);
/* True for i8 and i4. */
bool mm_dtype_is_int(mm_dtype t);
/* True when a tensor of type t holds fewer values than its f32 storage
 * can (f16, bf16, the f8s, i8, i4): results are rounded or wrapped. */
bool mm_dtype_narrow(mm_dtype t);
/* The dtype of an operation on a and b, as PyTorch and JAX promote: the
 * wider float wins, a float wins over an integer (i8 with f16 is f16);
 * f16 with bf16 is f32 and f8e4m3 with f8e5m2 is bf16 (neither holds the
 * other's values; both f8s are exact in bf16); i4 with i8 is i8. */
mm_dtype mm_dtype_promote(mm_dtype a, mm_dtype b);

#endif
