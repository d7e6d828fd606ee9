/* dtype.c — element type names, sizes and promotion. */
#include <string.h>

#include "mmcalc/dtype.h"

static const struct {
	const char *name;
	unsigned bits;
	int rank; /* promotion order: higher wins (see mm_dtype_promote) */
} info[MM_DTYPE_COUNT] = {
	[MM_F32] = {"f32", 32, 5},      [MM_F64] = {"f64", 64, 6},
	[MM_TF32] = {"tf32", 32, 4},     [MM_F16] = {"f16", 16, 2},
	[MM_BF16] = {"bf16", 16, 3},     [MM_F8E4M3] = {"f8e4m3", 8, 1},
	[MM_F8E5M2] = {"f8e5m2", 8, 1}, [MM_I8] = {"i8", 8, 0},
	[MM_I4] = {"i4", 4, -1},
};

/* Plain "f8" is E4M3: the format of weights and activations in FP8
 * inference and training (E5M2, with more range, is for gradients), and
 * the one PyTorch and ml_dtypes call float8_e4m3fn. */
static const struct {
	const char *alias;
	mm_dtype t;
} aliases[] = {
	{"float32", MM_F32},     {"float", MM_F32},     {"single", MM_F32},
	{"float64", MM_F64},     {"double", MM_F64},    {"float16", MM_F16},
	{"half", MM_F16},        {"bfloat16", MM_BF16}, {"f8", MM_F8E4M3},
	{"fp8", MM_F8E4M3},      {"e4m3", MM_F8E4M3},   {"float8_e4m3fn", MM_F8E4M3},
	{"f8e4m3fn", MM_F8E4M3}, {"e5m2", MM_F8E5M2},   {"float8_e5m2", MM_F8E5M2},
	{"int8", MM_I8},         {"int4", MM_I4},       {"fp32", MM_F32},
	{"fp64", MM_F64},        {"fp16", MM_F16},
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

bool mm_dtype_is_int(mm_dtype t) { return t == MM_I8 || t == MM_I4; }

bool mm_dtype_narrow(mm_dtype t)
{
	return t == MM_F16 || t == MM_BF16 || t == MM_F8E4M3 ||
	       t == MM_F8E5M2 || t == MM_I8 || t == MM_I4;
}

mm_dtype mm_dtype_promote(mm_dtype a, mm_dtype b)
{
	if ((unsigned)a >= MM_DTYPE_COUNT || (unsigned)b >= MM_DTYPE_COUNT)
		return MM_F32;
	if (a == b)
		return a;
	/* Pairs where neither holds the other's values (PyTorch's and JAX's
	 * answers): f16 and bf16 meet in f32, the two f8s in bf16. */
	if ((a == MM_F16 && b == MM_BF16) || (a == MM_BF16 && b == MM_F16))
		return MM_F32;
	if (info[a].rank == info[b].rank && info[a].rank == info[MM_F8E4M3].rank)
		return MM_BF16;
	return info[a].rank >= info[b].rank ? a : b;
}
