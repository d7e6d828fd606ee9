/* dtype.c — element type names, sizes and promotion. */
#include <string.h>

#include "mmcalc/dtype.h"

static const struct {
	const char *name;
	unsigned bits;
	int rank; /* promotion order: higher wins */
} info[MM_DTYPE_COUNT] = {
	[MM_F32] = {"f32", 32, 5},  [MM_F64] = {"f64", 64, 6},
	[MM_TF32] = {"tf32", 32, 4}, [MM_F16] = {"f16", 16, 2},
	[MM_BF16] = {"bf16", 16, 3}, [MM_F8] = {"f8", 8, 1},
	[MM_I8] = {"i8", 8, 0},     [MM_I4] = {"i4", 4, -1},
};

static const struct {
	const char *alias;
	mm_dtype t;
} aliases[] = {
	{"float32", MM_F32}, {"float", MM_F32},    {"single", MM_F32},
	{"float64", MM_F64}, {"double", MM_F64},   {"float16", MM_F16},
	{"half", MM_F16},    {"bfloat16", MM_BF16}, {"fp8", MM_F8},
	{"int8", MM_I8},     {"int4", MM_I4},      {"fp32", MM_F32},
	{"fp64", MM_F64},    {"fp16", MM_F16},
};

const char *mm_dtype_name(mm_dtype t)
{
	return (unsigned)t < MM_DTYPE_COUNT ? info[t].name : "?";
}

bool mm_dtype_parse(const char *s, mm_dtype *out)
{
	for (int i = 0; i < MM_DTYPE_COUNT; i++)
		if (strcmp(s, info[i].name) == 0) {
			*out = (mm_dtype)i;
			return true;
		}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(s, aliases[i].alias) == 0) {
			*out = aliases[i].t;
			return true;
		}
	return false;
}

unsigned mm_dtype_bits(mm_dtype t)
{
	return (unsigned)t < MM_DTYPE_COUNT ? info[t].bits : 32;
}

mm_dtype mm_dtype_exec(mm_dtype t) { return t == MM_F64 ? MM_F64 : MM_F32; }

mm_dtype mm_dtype_promote(mm_dtype a, mm_dtype b)
{
	return info[a].rank >= info[b].rank ? a : b;
}
