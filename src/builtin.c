/* builtin.c — the table of built-in functions, one row each. */
#include <string.h>

#include "mmcalc/builtin.h"
#include "mmcalc/conv.h"
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
	 .summary = SUMMARY, .group = MM_G_REDUCE,                           \
	 .flags = MM_BF_SYMBOLIC | MM_BF_TUPLES,                              \
	 .per = 1, .op = OP, .check = mm_fn_reduce_check,                    \
	 .eval = mm_fn_reduce_eval}

#define QUERY(NAME, SUMMARY, OP)                                              \
	{.name = #NAME, .min = 1, .max = 1, .keys = "train", .words = "train", \
	 .usage = #NAME "(expr, train=false)", .summary = SUMMARY,           \
	 .group = MM_G_COST, .flags = MM_BF_INSPECT | MM_BF_SYMBOLIC,        \
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

/* gelu alone takes a keyword, approximate="tanh" (PyTorch's): it then
 * is gelu_tanh. The differences are constants without a comparison, which
 * compilers would call tautological on gelu's own line. */
#define UNARY_GELU(ID, A, B) (MM_OP_##ID - MM_OP_GELU ? (A) : (B))
#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY)                              \
	{.name = #NAME, .min = 1, .max = 1,                                  \
	 .keys = UNARY_GELU(ID, NULL, "approximate"),                         \
	 .words = UNARY_GELU(ID, NULL, "approximate"),                        \
	 .usage = UNARY_GELU(ID, #NAME "(x)", "gelu(x, approximate=\"none\")"),\
	 .summary = SUMMARY, .group = MM_G_MATH,                             \
	 .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE, .per = FLOPS,           \
	 .op = MM_OP_##ID, .check = mm_fn_unary_check,                       \
	 .eval = mm_fn_unary_eval},
#include "mmcalc/unary.def"
	{.name = "maximum", .min = 2, .max = 2, .usage = "maximum(a, b)",
	 .summary = "the larger of a and b, broadcast (nan wins)",
	 .group = MM_G_MATH, .flags = MM_BF_SYMBOLIC, .per = 1,
	 .op = MM_NN_MAXIMUM,
	 .check = mm_fn_maximum_check, .eval = mm_fn_maximum_eval},
	{.name = "minimum", .min = 2, .max = 2, .usage = "minimum(a, b)",
	 .summary = "the smaller of a and b, broadcast (nan wins)",
	 .group = MM_G_MATH, .flags = MM_BF_SYMBOLIC, .per = 1,
	 .op = MM_NN_MINIMUM,
	 .check = mm_fn_maximum_check, .eval = mm_fn_maximum_eval},
	{.name = "where", .min = 3, .max = 3, .usage = "where(cond, a, b)",
	 .summary = "a where cond is not 0, else b, broadcast",
	 .group = MM_G_MATH, .flags = MM_BF_SYMBOLIC, .per = 1,
	 .check = mm_fn_where_check, .eval = mm_fn_where_eval},
	{.name = "clip", .min = 1, .max = 3, .keys = "min max",
	 .usage = "clip(x, lo, hi | min=, max=)",
	 .summary = "minimum(maximum(x, lo), hi) (1 FLOP per bound)",
	 .group = MM_G_MATH, .flags = MM_BF_SYMBOLIC, .per = 1,
	 .check = mm_fn_clip_check, .eval = mm_fn_clip_eval},
	{.name = "tril", .min = 1, .max = 2, .keys = "k",
	 .usage = "tril(x, k=0)",
	 .summary = "x with the elements above diagonal k zero",
	 .group = MM_G_MATH, .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE,
	 .op = MM_NN_TRIL, .check = mm_fn_tri_check, .eval = mm_fn_tri_eval},
	{.name = "triu", .min = 1, .max = 2, .keys = "k",
	 .usage = "triu(x, k=0)",
	 .summary = "x with the elements below diagonal k zero",
	 .group = MM_G_MATH, .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE,
	 .op = MM_NN_TRIU, .check = mm_fn_tri_check, .eval = mm_fn_tri_eval},

	REDUCE(sum, "sum of the elements", MM_RED_SUM),
	REDUCE(mean, "mean of the elements", MM_RED_MEAN),
	REDUCE(max, "largest element (nan wins)", MM_RED_MAX),
	REDUCE(min, "smallest element (nan wins)", MM_RED_MIN),
	REDUCE(norm, "2-norm (Frobenius) of the elements", MM_RED_NORM),
	{.name = "argmax", .min = 1, .max = 1, .keys = "axis keepdims",
	 .words = "keepdims", .usage = "argmax(x, axis=, keepdims=false)",
	 .summary = "index of the largest element (the first; nan wins), as "
	            "f64",
	 .group = MM_G_REDUCE, .flags = MM_BF_SYMBOLIC | MM_BF_TUPLES,
	 .op = MM_NN_ARGMAX, .check = mm_fn_argmax_check,
	 .eval = mm_fn_argmax_eval},
	{.name = "logsumexp", .min = 1, .max = 1, .keys = "axis keepdims",
	 .words = "keepdims", .usage = "logsumexp(x, axis=, keepdims=false)",
	 .summary = "log(sum(exp(x))) without overflow (4 FLOPs per element)",
	 .group = MM_G_REDUCE, .flags = MM_BF_SYMBOLIC | MM_BF_TUPLES,
	 .op = MM_NN_LOGSUMEXP, .check = mm_fn_argmax_check,
	 .eval = mm_fn_argmax_eval},

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

	{.name = "rmsnorm", .min = 1, .max = 2, .keys = "weight eps",
	 .usage = "rmsnorm(x[, weight], eps=)",
	 .summary = "x / sqrt(mean(x²) + eps) over the last axis, then · "
	            "weight (eps: the dtype's epsilon)",
	 .group = MM_G_NORM, .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE,
	 .check = mm_fn_rmsnorm_check, .eval = mm_fn_rmsnorm_eval},
	{.name = "swiglu", .min = 3, .max = 3, .usage = "swiglu(x, W1, W3)",
	 .summary = "silu(x @ W1) * (x @ W3), Llama's gated MLP before its "
	            "down projection",
	 .group = MM_G_NORM, .flags = MM_BF_SYMBOLIC,
	 .check = mm_fn_swiglu_check, .eval = mm_fn_swiglu_eval},
	{.name = "dropout", .min = 1, .max = 2, .keys = "p train",
	 .words = "train", .usage = "dropout(x, p=0.5, train=false)",
	 .summary = "costed as in training (1 FLOP per element); runs as the "
	            "identity unless train=true",
	 .group = MM_G_NORM, .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE,
	 .check = mm_fn_dropout_check, .eval = mm_fn_dropout_eval},

	{.name = "transpose", .min = 1, .max = -1, .keys = "axes",
	 .usage = "transpose(x[, axes])",
	 .summary = "swaps the last two axes, as x.T; with axes, permute "
	            "(a view)",
	 .group = MM_G_SHAPE,
	 .flags = MM_BF_SYMBOLIC | MM_BF_TRANSPOSES | MM_BF_TUPLES,
	 .check = mm_fn_permute_check, .eval = mm_fn_permute_eval},
	{.name = "permute", .min = 1, .max = -1, .keys = "axes",
	 .usage = "permute(x, a0, a1, ... | axes)",
	 .summary = "axis k of the result is axis a_k of x (a view)",
	 .group = MM_G_SHAPE, .flags = MM_BF_SYMBOLIC | MM_BF_TUPLES,
	 .check = mm_fn_permute_check, .eval = mm_fn_permute_eval},
	{.name = "swapaxes", .min = 3, .max = 3,
	 .usage = "swapaxes(x, a, b)",
	 .summary = "axes a and b exchanged (a view)", .group = MM_G_SHAPE,
	 .flags = MM_BF_SYMBOLIC, .check = mm_fn_swapaxes_check,
	 .eval = mm_fn_permute_eval},
	{.name = "expand_dims", .min = 1, .max = 2, .keys = "axis",
	 .usage = "expand_dims(x, axis | axes)",
	 .summary = "new axes of length 1 at these places of the result, as "
	            "x[None] (a view)",
	 .group = MM_G_SHAPE, .flags = MM_BF_SYMBOLIC | MM_BF_TUPLES,
	 .check = mm_fn_expand_dims_check, .eval = mm_fn_expand_dims_eval},
	{.name = "squeeze", .min = 1, .max = 2, .keys = "axis",
	 .usage = "squeeze(x[, axis | axes])",
	 .summary = "without axes of length 1: these, or all (a view)",
	 .group = MM_G_SHAPE, .flags = MM_BF_SYMBOLIC | MM_BF_TUPLES,
	 .check = mm_fn_squeeze_check, .eval = mm_fn_squeeze_eval},
	{.name = "reshape", .min = 2, .max = -1,
	 .usage = "reshape(x, d1, d2, ... | SHAPE)",
	 .summary = "the same elements in a new shape; one d may be -1 (a "
	            "view where the strides allow)",
	 .group = MM_G_SHAPE, .flags = MM_BF_SYMBOLIC | MM_BF_TUPLES,
	 .check = mm_fn_reshape_check, .eval = mm_fn_reshape_eval},
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

#define LINALG(NAME, NARGS, USAGE, SUMMARY, OP)                               \
	{.name = NAME, .min = NARGS, .max = NARGS, .usage = USAGE,           \
	 .summary = SUMMARY, .group = MM_G_LINALG, .flags = MM_BF_SYMBOLIC,  \
	 .op = OP, .check = mm_fn_linalg_check, .eval = mm_fn_linalg_eval}
	LINALG("qr", 1, "qr(x)", "the reduced Q of x = QR (LAPACK's signs)",
	       MM_LA_FN_QR),
	LINALG("qr_r", 1, "qr_r(x)", "the R of x = QR", MM_LA_FN_QR_R),
	LINALG("solve", 2, "solve(A, b)", "x with A @ x = b (LU with pivoting)",
	       MM_LA_FN_SOLVE),
	LINALG("inv", 1, "inv(x)", "the inverse of a square matrix",
	       MM_LA_FN_INV),
	LINALG("det", 1, "det(x)", "the determinant", MM_LA_FN_DET),
	LINALG("slogdet", 1, "slogdet(x)",
	       "log|det(x)|, without overflow (NumPy's logabsdet)",
	       MM_LA_FN_SLOGDET),
	LINALG("slogdet_sign", 1, "slogdet_sign(x)",
	       "the sign of det(x): 1, -1 or 0", MM_LA_FN_SLOGDET_SIGN),
	LINALG("cholesky", 1, "cholesky(x)",
	       "the lower-triangular L with x = L @ L.T", MM_LA_FN_CHOLESKY),
	LINALG("svd", 1, "svd(x)",
	       "the singular values, descending (as Octave's s = svd(x))",
	       MM_LA_FN_SVD),
	LINALG("svdvals", 1, "svdvals(x)", "the singular values, descending",
	       MM_LA_FN_SVDVALS),
	LINALG("svd_u", 1, "svd_u(x)", "the U of the reduced x = U S Vh",
	       MM_LA_FN_SVD_U),
	LINALG("svd_vh", 1, "svd_vh(x)", "the Vh of the reduced x = U S Vh",
	       MM_LA_FN_SVD_VH),
	{.name = "lstsq", .min = 2, .max = 2, .keys = "rcond",
	 .usage = "lstsq(A, b, rcond=eps·max(m, n))",
	 .summary = "the x minimising |A @ x - b| (minimum norm)",
	 .group = MM_G_LINALG, .flags = MM_BF_SYMBOLIC, .op = MM_LA_FN_LSTSQ,
	 .check = mm_fn_linalg_check, .eval = mm_fn_linalg_eval},
#undef LINALG
	{.name = "einsum", .min = 2, .max = -1,
	 .usage = "einsum(\"ij,jk->ik\", a[, b])",
	 .summary = "Einstein summation as NumPy's, contractions on the GEMM "
	            "(2 FLOPs per MAC)",
	 .group = MM_G_LINALG, .flags = MM_BF_SYMBOLIC,
	 .check = mm_fn_einsum_check, .eval = mm_fn_einsum_eval},

	{.name = "attention", .min = 3, .max = 3,
	 .keys = "causal kv_heads scale", .words = "causal",
	 .usage = "attention(Q, K, V, causal=false, kv_heads=, scale=1/sqrt(d))",
	 .summary = "softmax(Q @ K.T · scale) @ V, grouped-query when K and V "
	            "have fewer heads",
	 .group = MM_G_ATTENTION, .flags = MM_BF_SYMBOLIC,
	 .check = mm_fn_attention_check, .eval = mm_fn_attention_eval},

	{.name = "conv2d", .min = 2, .max = 3,
	 .keys = "bias stride padding dilation groups", .words = "padding",
	 .usage = "conv2d(x, w, bias=, stride=1, padding=0, dilation=1, "
	          "groups=1)",
	 .summary = "2-d convolution of NCHW images by OIHW weights, as "
	            "PyTorch's",
	 .group = MM_G_CONV, .flags = MM_BF_SYMBOLIC,
	 .check = mm_fn_conv2d_check, .eval = mm_fn_conv2d_eval},
	{.name = "max_pool2d", .min = 1, .max = 2,
	 .keys = "kernel_size stride padding dilation ceil_mode",
	 .words = "ceil_mode",
	 .usage = "max_pool2d(x, kernel_size, stride=kernel_size, padding=0, "
	          "dilation=1, ceil_mode=false)",
	 .summary = "the largest element of each window of NCHW images",
	 .group = MM_G_CONV, .flags = MM_BF_SYMBOLIC, .op = MM_POOL_MAX,
	 .check = mm_fn_pool2d_check, .eval = mm_fn_pool2d_eval},
	{.name = "avg_pool2d", .min = 1, .max = 2,
	 .keys = "kernel_size stride padding ceil_mode count_include_pad",
	 .words = "ceil_mode count_include_pad",
	 .usage = "avg_pool2d(x, kernel_size, stride=kernel_size, padding=0, "
	          "ceil_mode=false, count_include_pad=true)",
	 .summary = "the mean of each window of NCHW images",
	 .group = MM_G_CONV, .flags = MM_BF_SYMBOLIC, .op = MM_POOL_AVG,
	 .check = mm_fn_pool2d_check, .eval = mm_fn_pool2d_eval},

	{.name = "moe", .min = 1, .max = 5,
	 .keys = "experts top_k ffn gated act", .words = "gated act",
	 .usage = "moe(x, experts=E, top_k=k, ffn=f, gated=true, act=silu) | "
	          "moe(x, router, w1, w2[, w3], top_k=k)",
	 .summary = "a mixture-of-experts FFN routed as Mixtral's: top-k of E "
	            "experts per token",
	 .group = MM_G_MOE, .flags = MM_BF_SYMBOLIC,
	 .check = mm_fn_moe_check, .eval = mm_fn_moe_eval},
	{.name = "moe_params", .min = 1, .max = 1, .keys = "active",
	 .words = "active", .usage = "moe_params(expr, active=false)",
	 .summary = "the parameters of expr's moe layers: all experts', or the "
	            "k per token's",
	 .group = MM_G_MOE, .flags = MM_BF_INSPECT,
	 .check = mm_fn_moe_params_check},

	{.name = "embedding", .min = 2, .max = 2,
	 .usage = "embedding(ids, table)",
	 .summary = "the rows of table (rows x dim) at the ids, as PyTorch's "
	            "F.embedding (0 FLOPs)",
	 .group = MM_G_LOSS, .flags = MM_BF_SYMBOLIC, .op = MM_NN_EMBEDDING,
	 .check = mm_fn_take_check, .eval = mm_fn_take_eval},
	{.name = "take", .min = 2, .max = 2, .keys = "axis",
	 .usage = "take(table, ids, axis=0)",
	 .summary = "the slices of table along axis at the ids, as NumPy's "
	            "take (0 FLOPs)",
	 .group = MM_G_LOSS, .flags = MM_BF_SYMBOLIC, .op = MM_NN_TAKE,
	 .check = mm_fn_take_check, .eval = mm_fn_take_eval},
	{.name = "cross_entropy", .min = 2, .max = 2,
	 .keys = "reduction ignore_index", .words = "reduction",
	 .usage = "cross_entropy(logits, targets, reduction=\"mean\", "
	          "ignore_index=-100)",
	 .summary = "-log_softmax(logits)[target] over class axis 1, averaged, "
	            "as PyTorch's",
	 .group = MM_G_LOSS, .flags = MM_BF_SYMBOLIC,
	 .check = mm_fn_cross_entropy_check, .eval = mm_fn_cross_entropy_eval},

	{.name = "load", .min = 1, .max = 2, .keys = "sep header dtype",
	 .words = "header dtype",
	 .usage = "load(\"file\", [\"tensor\"], sep=, header=false, dtype=)",
	 .summary = "reads a .npy, .csv, .tsv or .txt file, or a tensor of a "
	            ".safetensors file",
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
	{.name = "param", .min = 1, .max = 1, .usage = "param(x)",
	 .summary = "x as a parameter (weights): params() counts it",
	 .group = MM_G_COST, .flags = MM_BF_SYMBOLIC | MM_BF_SAME_SHAPE,
	 .check = mm_fn_param_check, .eval = mm_fn_param_eval},
	{.name = "repeat", .min = 3, .max = 3, .raw = 3,
	 .usage = "repeat(L, f, x)",
	 .summary = "f(f(...f(x))): a function you defined applied L times",
	 .group = MM_G_COST, .flags = MM_BF_SYMBOLIC,
	 .check = mm_fn_repeat_check, .eval = mm_fn_repeat_eval},
	{.name = "params", .min = 1, .max = 1, .usage = "params(expr)",
	 .summary = "the parameter elements (param()) upstream of expr",
	 .group = MM_G_COST, .flags = MM_BF_INSPECT | MM_BF_SYMBOLIC,
	 .op = MM_QUERY_PARAMS, .check = mm_fn_query_check},
};

#define NROWS (sizeof table / sizeof table[0])

const mm_builtin *mm_builtin_find(const char *name)
{
	/* the first letter first: most rows differ there (this runs for
	 * every call checked) */
	for (size_t i = 0; i < NROWS; i++)
		if (table[i].name[0] == name[0] && strcmp(table[i].name, name) == 0)
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
		[MM_G_CONV] = "Convolution and pooling (NCHW, as PyTorch)",
		[MM_G_MOE] = "Mixture of experts",
		[MM_G_FILE] = "Files, 0 FLOPs",
		[MM_G_COST] = "Costs, counted without running",
		[MM_G_LOSS] = "Embeddings and losses",
	};
	return (unsigned)g < MM_G_COUNT ? titles[g] : "";
}
