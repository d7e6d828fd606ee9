/* builtin.c — the table of built-in functions, one row each. */
#include <string.h>

#include "mmcalc/builtin.h"
#include "mmcalc/ops.h"
#include "fn/fn.h"

#define CTOR(NAME, MIN, MAX, USAGE, SUMMARY, OP)                              \
	{.name = NAME, .min = MIN, .max = MAX, .keys = "dtype",              \
	 .words = "dtype", .usage = USAGE, .summary = SUMMARY,               \
	 .group = MM_G_CONSTRUCT, .flags = MM_BF_INSPECT, .op = OP,          \
	 .check = mm_fn_ctor_check, .eval = mm_fn_ctor_eval}

#define REDUCE(NAME, SUMMARY, OP)                                             \
	{.name = #NAME, .min = 1, .max = 1, .keys = "axis keepdims",         \
	 .words = "keepdims", .usage = #NAME "(x, axis=, keepdims=false)",   \
	 .summary = SUMMARY, .group = MM_G_REDUCE, .flags = MM_BF_SYMBOLIC,  \
	 .per = 1, .op = OP, .check = mm_fn_reduce_check,                    \
	 .eval = mm_fn_reduce_eval}

#define QUERY(NAME, SUMMARY, OP)                                              \
	{.name = #NAME, .min = 1, .max = 1, .usage = #NAME "(expr)",         \
	 .summary = SUMMARY, .group = MM_G_COST, .flags = MM_BF_INSPECT,     \
	 .op = OP, .check = mm_fn_query_check}

static const mm_builtin table[] = {
	CTOR("randn", 0, -1, "randn(d1, d2, ... | SHAPE, dtype=f32)",
	     "standard normal values", MM_CTOR_RANDN),
	CTOR("rand", 0, -1, "rand(d1, d2, ... | SHAPE, dtype=f32)",
	     "uniform values in [0, 1)", MM_CTOR_RAND),
	CTOR("zeros", 0, -1, "zeros(d1, d2, ... | SHAPE, dtype=f32)", "zeros",
	     MM_CTOR_ZEROS),
	CTOR("ones", 0, -1, "ones(d1, d2, ... | SHAPE, dtype=f32)", "ones",
	     MM_CTOR_ONES),
	CTOR("eye", 1, 2, "eye(n[, m], dtype=f32)",
	     "ones on the diagonal, zeros elsewhere", MM_CTOR_EYE),
	CTOR("full", 2, -1, "full(d1, d2, ... | SHAPE, value, dtype=f32)",
	     "every element the value", MM_CTOR_FULL),
	CTOR("arange", 1, 3, "arange([start,] stop[, step], dtype=f32)",
	     "start, start+step, ... below stop", MM_CTOR_ARANGE),

#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY)                              \
	{.name = #NAME, .min = 1, .max = 1, .usage = #NAME "(x)",            \
	 .summary = SUMMARY, .group = MM_G_MATH,                             \
	 .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE, .per = FLOPS,           \
	 .op = MM_OP_##ID, .check = mm_fn_unary_check,                       \
	 .eval = mm_fn_unary_eval},
#include "mmcalc/unary.def"

	REDUCE(sum, "sum of the elements", MM_RED_SUM),
	REDUCE(mean, "mean of the elements", MM_RED_MEAN),
	REDUCE(max, "largest element (nan wins)", MM_RED_MAX),
	REDUCE(min, "smallest element (nan wins)", MM_RED_MIN),
	REDUCE(norm, "2-norm (Frobenius) of the elements", MM_RED_NORM),

	{.name = "softmax", .min = 1, .max = 1, .keys = "axis",
	 .usage = "softmax(x, axis=-1)",
	 .summary = "exp(x - max) / sum(exp(x - max)) along an axis",
	 .group = MM_G_NORM, .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE,
	 .per = 5, .check = mm_fn_softmax_check, .eval = mm_fn_softmax_eval},
	{.name = "layernorm", .min = 1, .max = 3, .keys = "weight bias",
	 .usage = "layernorm(x[, weight, bias])",
	 .summary = "(x - mean) / sqrt(var + 1e-5) over the last axis, "
	            "then · weight + bias",
	 .group = MM_G_NORM, .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE,
	 .per = 4, .check = mm_fn_layernorm_check,
	 .eval = mm_fn_layernorm_eval},

	{.name = "transpose", .min = 1, .max = 1, .usage = "transpose(x)",
	 .summary = "swaps the last two axes, as x.T (a view)",
	 .group = MM_G_SHAPE, .flags = MM_BF_SYMBOLIC | MM_BF_TRANSPOSES,
	 .check = mm_fn_transpose_check, .eval = mm_fn_transpose_eval},
	{.name = "reshape", .min = 2, .max = -1,
	 .usage = "reshape(x, d1, d2, ... | SHAPE)",
	 .summary = "the same elements in a new shape; one d may be -1",
	 .group = MM_G_SHAPE, .check = mm_fn_reshape_check,
	 .eval = mm_fn_reshape_eval},
	{.name = "concat", .min = 1, .max = -1, .keys = "axis",
	 .usage = "concat(a, b, ..., axis=0)",
	 .summary = "joins tensors along an axis", .group = MM_G_SHAPE,
	 .check = mm_fn_concat_check, .eval = mm_fn_concat_eval},
	{.name = "astype", .min = 1, .max = 2, .keys = "dtype", .words = "dtype",
	 .usage = "astype(x, dtype=T | \"T\")",
	 .summary = "x converted to dtype T (rounded or wrapped)",
	 .group = MM_G_SHAPE, .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE,
	 .check = mm_fn_astype_check, .eval = mm_fn_astype_eval},
	{.name = "shape", .min = 1, .max = 1, .usage = "shape(x)",
	 .summary = "x's shape as an abstract tensor",
	 .group = MM_G_SHAPE, .flags = MM_BF_SYMBOLIC | MM_BF_INSPECT,
	 .check = mm_fn_shapeof_check},
	{.name = "numel", .min = 1, .max = 1, .usage = "numel(x)",
	 .summary = "the number of elements", .group = MM_G_SHAPE,
	 .flags = MM_BF_INSPECT, .check = mm_fn_numel_check},

	{.name = "qr", .min = 1, .max = 1, .usage = "qr(x)",
	 .summary = "the reduced Q of x = QR (LAPACK's signs)",
	 .group = MM_G_LINALG, .op = 0, .check = mm_fn_qr_check,
	 .eval = mm_fn_qr_eval},
	{.name = "qr_r", .min = 1, .max = 1, .usage = "qr_r(x)",
	 .summary = "the R of x = QR", .group = MM_G_LINALG, .op = 1,
	 .check = mm_fn_qr_check, .eval = mm_fn_qr_eval},

	{.name = "attention", .min = 3, .max = 3,
	 .keys = "causal kv_heads scale", .words = "causal",
	 .usage = "attention(Q, K, V, causal=false, kv_heads=, scale=1/sqrt(d))",
	 .summary = "softmax(Q @ K.T · scale) @ V, grouped-query when K and V "
	            "have fewer heads",
	 .group = MM_G_ATTENTION, .flags = MM_BF_SYMBOLIC,
	 .check = mm_fn_attention_check, .eval = mm_fn_attention_eval},

	{.name = "load", .min = 1, .max = 1, .keys = "sep header dtype",
	 .words = "header dtype",
	 .usage = "load(\"file.npy\" | \"file.csv\", sep=, header=false, dtype=)",
	 .summary = "reads a .npy, .csv, .tsv or .txt file",
	 .group = MM_G_FILE, .check = mm_fn_load_check,
	 .eval = mm_fn_load_eval},
	{.name = "save", .min = 2, .max = 2,
	 .usage = "save(\"file.npy\" | \"file.csv\", x)",
	 .summary = "writes x to a file, atomically",
	 .group = MM_G_FILE, .check = mm_fn_save_check,
	 .eval = mm_fn_save_eval},

	QUERY(flops, "the FLOPs of computing expr", MM_QUERY_FLOPS),
	QUERY(macs, "its multiply-accumulates", MM_QUERY_MACS),
	QUERY(bytes, "its bytes read and written", MM_QUERY_BYTES),
	QUERY(time, "its predicted seconds on the current device",
	      MM_QUERY_TIME),
};

#define NROWS (sizeof table / sizeof table[0])

const mm_builtin *mm_builtin_find(const char *name)
{
	for (size_t i = 0; i < NROWS; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const mm_builtin *mm_builtin_at(size_t i)
{
	return i < NROWS ? &table[i] : NULL;
}

const char *mm_builtin_group_title(mm_builtin_group g)
{
	static const char *const titles[MM_G_COUNT] = {
		[MM_G_CONSTRUCT] = "Constructors (dims or a shape value), 0 FLOPs",
		[MM_G_MATH] = "Elementwise math, 1 FLOP per element unless said",
		[MM_G_REDUCE] = "Reductions, 1 FLOP per input element",
		[MM_G_NORM] = "Normalisation",
		[MM_G_SHAPE] = "Shapes, 0 FLOPs",
		[MM_G_LINALG] = "Linear algebra",
		[MM_G_ATTENTION] = "Attention",
		[MM_G_FILE] = "Files, 0 FLOPs",
		[MM_G_COST] = "Costs, counted without running",
	};
	return (unsigned)g < MM_G_COUNT ? titles[g] : "";
}
