/* dtype_round.h — what a value becomes when a tensor of a narrow dtype
 * stores it: f32 values (how every narrow type is stored) rounded or
 * wrapped to the nearest value the dtype holds, one element or whole
 * arrays at a time. The scalar and the array functions give the same
 * bits, so a number folded when checked equals the executed element.
 *
 * The rules, each as NumPy or ml_dtypes (the reference for types NumPy
 * lacks) convert a float32:
 *   f16     IEEE binary16, round to nearest, ties to even; subnormals
 *           kept; magnitudes from 65520 up become ±inf (NumPy).
 *   bf16    the upper 16 bits of f32 after rounding to nearest even;
 *           subnormals kept; from 0x1.FFp127 up ±inf (ml_dtypes).
 *   f8e4m3  OCP FP8 E4M3 (float8_e4m3fn): 3 mantissa bits, subnormals
 *           down to 2^-9, largest 448, no infinity: magnitudes above
 *           464 (the tie between 448 and 480 goes to 448), and ±inf,
 *           become NaN, as ml_dtypes' and PyTorch's casts do (the OCP
 *           spec also allows a saturating cast to ±448; hardware's
 *           "satfinite" mode; mmcalc does not saturate).
 *   f8e5m2  OCP FP8 E5M2: 2 mantissa bits, subnormals down to 2^-16,
 *           largest 57344, magnitudes from 61440 up become ±inf.
 *   i8, i4  NumPy's astype: truncation toward zero, then wrapped modulo
 *           256 into [-128, 127] (i4, as ml_dtypes' int4: modulo 16 into
 *           [-8, 7]); NaN and ±inf become 0, as NumPy gives on x86-64.
 *           Every float of magnitude 2^31 or more is a multiple of 256,
 *           so it wraps to 0 too, as NumPy's cast through int32 does.
 * NaN stays NaN (quiet, its sign kept); the sign of a zero is kept, and a
 * value too small for the type rounds to a zero of its sign. f32, tf32
 * and f64 values are returned as they are.
 *
 * The caller owns every array; nothing is retained. Functions never fail
 * except as said. */
#ifndef MMCALC_DTYPE_ROUND_H
#define MMCALC_DTYPE_ROUND_H

#include <stdint.h>

#include "mmcalc/diag.h"
#include "mmcalc/dtype.h"
#include "mmcalc/tensor.h"

/* x as a tensor of dtype t stores it. */
float mm_dtype_round(mm_dtype t, float x);
/* The same from a double: rounded to f32 first (every narrow value is
 * made from its f32 computation), so a number and an element agree. f64
 * returns x; f32 and tf32 (float)x. */
double mm_dtype_round_double(mm_dtype t, double x);

/* y[i] = mm_dtype_round(t, x[i]) for n elements (y may be x, else they
 * must not overlap), vectorised for the best ISA this CPU runs, on the
 * calling thread. */
void mm_dtype_round_array(mm_dtype t, int64_t n, const float *x, float *y);

/* The path the array functions run on: "avx512", "avx2" or "generic"
 * (every path gives the same bits). _set_isa uses the named one (NULL:
 * the best) for later calls, not while a call runs; it returns 0, or -1
 * when this CPU or build cannot run it (nothing changes). For tests and
 * benchmarks. */
const char *mm_dtype_round_isa(void);
int mm_dtype_round_set_isa(const char *name);

/* Rounds the elements of x (f32 storage, any strides) in place for dtype
 * t; large contiguous tensors are split over the GEMM's threads. Nothing
 * is done when t is not narrow or x is f64. Returns MM_OK, or
 * MM_ERR_INTERRUPTED (d filled) when mm_interrupted() stopped it part
 * way. */
mm_code mm_dtype_round_tensor(mm_tensor *x, mm_dtype t, mm_diag *d);

/* out[i] = in[i] wrapped to the integer dtype t (i8 or i4; any other t
 * converts to the nearest float): exact int32 results, such as the i8
 * GEMM's, whose low bits are the answer. out may be the same memory as
 * in (in place), read before written element by element. */
void mm_dtype_from_int32(mm_dtype t, int64_t n, const int32_t *in,
                         float *out);

/* IEEE binary16 bits of an f16-representable float (as mm_dtype_round
 * gives for MM_F16) and back: for .npy files' '<f2'. */
void mm_dtype_to_f16_bits(int64_t n, const float *x, uint16_t *out);
float mm_dtype_from_f16_bits(uint16_t h);

#endif
