/* kernels_avx2.c — vmath's kernels, compiled with -mavx2 -mfma. */
#define VM_TABLE mm_vmath_kernels_avx2
#define VM_TABLE_NAME "avx2"
#include "kernels_tmpl.h"
