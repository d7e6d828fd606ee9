/* kernels_avx512.c — vmath's kernels, compiled with -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma. */
#define VM_TABLE mm_vmath_kernels_avx512
#define VM_TABLE_NAME "avx512"
#include "kernels_tmpl.h"
