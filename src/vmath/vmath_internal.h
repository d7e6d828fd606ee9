/* vmath_internal.h — the kernel table each ISA library of vmath fills
 * (kernels_tmpl.h) and vmath.c dispatches through. Not a public header.
 *
 * Kernels work on one stretch of contiguous memory and never poll, thread
 * or allocate; vmath.c cuts arrays into chunks and rows into blocks. The
 * block kernels of the reductions fix their order of operations (32
 * lanes, combined by a fixed tree), so every ISA gives the same bits. */
#ifndef MMCALC_VMATH_INTERNAL_H
#define MMCALC_VMATH_INTERNAL_H

#include <stdint.h>

#include "mmcalc/vmath.h"

/* Elements per block of a row: a long row is reduced block by block and
 * the blocks' partial results combined in order; a row up to one block
 * is worked on in cache (64 KiB of f32). */
#define MM_VMATH_BLOCK 16384

#define VM_KERNELS(T, S)                                                      \
	struct mm_vmath_kernels_##S {                                         \
		void (*map[MM_VMATH_FN_COUNT])(int64_t n, const T *x, T *y); \
		/* y[i] = a[i·sa] op b[i·sb], sa, sb in {0, 1} */             \
		void (*binary[MM_VMATH_BINOP_COUNT])(int64_t n, const T *a,  \
		                                     int64_t sa, const T *b,  \
		                                     int64_t sb, T *y);       \
		double (*sum)(int64_t n, const T *x);                         \
		double (*sumsq)(int64_t n, const T *x);                       \
		/* Σ (x − c)², c in the accumulation type */                  \
		double (*sumsqdev)(int64_t n, const T *x, double c);          \
		/* max (min), or NaN if x holds one; n ≥ 1 */                 \
		T (*max)(int64_t n, const T *x);                              \
		T (*min)(int64_t n, const T *x);                              \
		/* Σ exp(x − m), and y = exp(x − m) unless y is NULL */       \
		double (*sumexp)(int64_t n, const T *x, T m, T *y);           \
		/* y = y · r */                                               \
		void (*scale)(int64_t n, T *y, T r);                          \
		/* y = exp(x − m) · r */                                      \
		void (*expscale)(int64_t n, const T *x, T m, T r, T *y);      \
		/* y = x − c, rounded once from the accumulation type */      \
		void (*shift)(int64_t n, const T *x, double c, T *y);         \
		/* y = (x − c)·s·w + b, in the accumulation type; w, b NULL  \
		 * for 1 and 0 */                                             \
		void (*affine)(int64_t n, const T *x, double c, double s,     \
		               const T *w, const T *b, T *y);                 \
	};
VM_KERNELS(float, f32)
VM_KERNELS(double, f64)
#undef VM_KERNELS

struct mm_vmath_kernels {
	const char *name;
	struct mm_vmath_kernels_f32 f32;
	struct mm_vmath_kernels_f64 f64;
};

extern const struct mm_vmath_kernels mm_vmath_kernels_generic;
extern const struct mm_vmath_kernels mm_vmath_kernels_avx2;
extern const struct mm_vmath_kernels mm_vmath_kernels_avx512;

/* The kernels in use (vmath.c). */
const struct mm_vmath_kernels *mm_vmath_current(void);

#endif
