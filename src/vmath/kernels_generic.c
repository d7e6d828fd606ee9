/* kernels_generic.c — vmath's kernels, portable C, the path on any CPU. */
#define VM_TABLE mm_vmath_kernels_generic
#define VM_TABLE_NAME "generic"
#include "kernels_tmpl.h"
