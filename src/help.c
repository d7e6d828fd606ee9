/* help.c — the text of :help. */
#include <stdbool.h>
#include <string.h>

#include "mmcalc/help.h"

static const mm_help_topic topics[] = {
	{"intro", "what mmcalc is and how to start",
	 "mmcalc is a calculator for matrix expressions. A shape literal such as\n"
	 "(1024x4096) is an abstract tensor: mmcalc reports the shape and the cost\n"
	 "of what you compute with it, instantly, without allocating anything.\n"
	 "Tensors made by randn, zeros, a matrix literal or load hold numbers, and\n"
	 "expressions on them are really computed and timed.\n"
	 "\n"
	 "  (1024x4096) @ (4096x4096)     shape, FLOPs, bytes, intensity\n"
	 "  W = (4096 x 4096)             bind a name\n"
	 "  X = randn(8, 4096)            a concrete tensor\n"
	 "  X @ W                         abstract: cost only\n"
	 "  :run X @ W                    fill W with random data and execute\n"
	 "\n"
	 "Topics: :help syntax, :help functions, :help commands, :help cost,\n"
	 ":help symbols, :help devices, :help dtypes, :help settings.\n"},
	{"syntax", "statements, literals and operators",
	 "One statement per line; ';' separates statements; '#' starts a comment.\n"
	 "  NAME = EXPR        bind a name (ans holds the last expression's value)\n"
	 "  EXPR               report its value\n"
	 "  EXPR -> UNIT       convert a figure: flops(A @ B) -> TFLOP\n"
	 "  EXPR where n=8     bind names for this statement only\n"
	 "  EXPR = SHAPE       solve for the one '?' in EXPR: (8x64) @ ? = (8x10)\n"
	 "  :COMMAND ARGS      see :help commands\n"
	 "Literals: numbers 12, 1.5, 1e6; strings \"file.npy\"; shapes (1024x4096),\n"
	 "(1024 x 4096), (1024×4096), (1024, 4096), (B*T x C), (3,) and (); matrices\n"
	 "[[1, 2], [3, 4]] (nested to any depth). (3) is the number 3.\n"
	 "Operators, lowest to highest binding:\n"
	 "  + -                add, subtract (left)\n"
	 "  @ * / %            matmul; elementwise multiply, divide, modulo (left)\n"
	 "  - +                unary\n"
	 "  ** ^               elementwise power (right)\n"
	 "  .T '  f(x, k=v)  a[i, j:k, :]   transpose, call, index and slice\n"
	 "@ follows NumPy's matmul: 1-D operands are promoted and the added axis\n"
	 "removed, leading (batch) axes broadcast. Elementwise operators broadcast\n"
	 "as NumPy does: dims are matched from the right and must be equal or 1.\n"},
	{"functions", "built-in functions",
	 "Constructors (dims or a shape value; dtype= optional):\n"
	 "  randn rand zeros ones    randn(1024, 4096), zeros((3x4))\n"
	 "  eye(n[, m])  full(d..., value)  arange([start,] stop[, step])\n"
	 "Elementwise math, 1 FLOP per element each:\n"
	 "  exp log sqrt abs tanh sigmoid relu gelu sin cos deg2rad rad2deg\n"
	 "Reductions, 1 FLOP per input element (axis=, keepdims=):\n"
	 "  sum mean max min norm\n"
	 "  softmax(x, axis=-1)      5 FLOPs per element\n"
	 "  layernorm(x[, w, b])     4 FLOPs per element, 5 with scale and shift\n"
	 "Shapes: transpose(x), reshape(x, d...), concat(a, b, axis=0), shape(x),\n"
	 "  numel(x)\n"
	 "Linear algebra: qr(x) gives the reduced Q, qr_r(x) gives R (LAPACK signs)\n"
	 "Attention: attention(Q, K, V, causal=false, kv_heads=, scale=1/sqrt(d))\n"
	 "  softmax(Q @ K.T * scale) @ V; both matmuls 2*s_q*s_k*d FLOPs per head\n"
	 "  and batch element (causal: half), plus 6 per score (scale, softmax)\n"
	 "Files: load(\"f.npy\" | \"f.csv\", sep=, header=, dtype=), save(\"f.npy\", x)\n"
	 "Costs: flops(expr), macs(expr), bytes(expr), time(expr) (predicted)\n"},
	{"commands", "commands that start with ':'",
	 "  :help [topic]        this help\n"
	 "  :vars                variables: name, shape, dtype, bytes, and the total\n"
	 "  :clear [name...]     forget variables (all without names)\n"
	 "  :set [key value]     show or change settings (see :help settings)\n"
	 "  :dtype T             default dtype of new tensors\n"
	 "  :seed N              restart the random generator at seed N\n"
	 "  :threads N           threads for matrix multiplication\n"
	 "  :run EXPR            fill abstract operands with random data and execute\n"
	 "  :bench EXPR [N]      run N times (default 5) after a warm-up: best, median\n"
	 "  :explain EXPR [train=true]  cost of each operation, totals, peak memory\n"
	 "  :order A @ B @ C     the FLOPs of every bracketing and the cheapest\n"
	 "  :device [NAME]       the device predictions are for (host, h100, custom)\n"
	 "  :devices             the device profiles\n"
	 "  :source FILE         run a script in this session\n"
	 "  :quit                leave (Ctrl-D too)\n"},
	{"cost", "how FLOPs and bytes are counted",
	 "matmul (m x k) @ (k x n): 2*m*k*n FLOPs per batch element (one multiply\n"
	 "and one add per MAC); MACs are reported beside them, labelled MAC.\n"
	 "Elementwise operators and functions: 1 FLOP per output element\n"
	 "(transcendental ones count 1 too). Reductions: 1 per input element.\n"
	 "softmax: 5 per element; layernorm: 4 per element, 5 with weight and bias.\n"
	 "qr: 4mn^2 - 4n^3/3 (Householder, forming Q). Constructors, transposes,\n"
	 "slices and reshapes: 0 FLOPs (views cost no memory).\n"
	 "bytes in: every distinct input read once; out: the result written once;\n"
	 "peak: inputs plus the intermediates alive at once, in evaluation order;\n"
	 "intensity: FLOPs / (in + out). Counts are exact 64-bit integers, and\n"
	 "approximate (marked ~) beyond 2^64. SI prefixes (k, M, G: powers of 1000)\n"
	 "for FLOPs, IEC prefixes (KiB, MiB, GiB: powers of 1024) for bytes.\n"},
	{"symbols", "symbolic dimensions",
	 "A name that is not bound, used as a dimension, is a symbol:\n"
	 "  (n x d) @ (d x d)     (n x d) f32, 2*n*d^2 FLOP (n*d^2 MAC)\n"
	 "Dims are polynomials with integer coefficients: (B*T x C), (d/h x n).\n"
	 "A symbol that may differ from another dim is assumed equal to it and the\n"
	 "report says so (assuming d == 4096); :set strict on makes it an error.\n"
	 "Binding a symbol (n = 1024) makes later statements numeric; EXPR where\n"
	 "n = 1024 binds it for one statement. --json gives symbolic figures as\n"
	 "strings: \"flops\": \"2*n*d^2\".\n"},
	{"dtypes", "element types",
	 "f64 8 B, f32 4 B (default), tf32 4 B, f16 2 B, bf16 2 B, f8 1 B, i8 1 B,\n"
	 "i4 half a byte. Every dtype is costed; execution is in f32 and f64, and\n"
	 "other dtypes execute in f32 (the report says so). :dtype T changes the\n"
	 "default; dtype= on a constructor picks one tensor's.\n"},
	{"settings", "keys of :set",
	 "  precision N     digits after the point when values print (8)\n"
	 "  threshold N     values with more elements print summarised (1000)\n"
	 "  memlimit SIZE   most memory an execution may allocate, e.g. 4GiB\n"
	 "                  (default: half of physical memory)\n"
	 "  exact on|off    exact digits beside SI figures (off)\n"
	 "  strict on|off   symbols that may differ are errors, not assumptions\n"
	 "  dtype T, seed N, threads N    as the commands\n"},
};

const mm_help_topic *mm_help_topics(size_t *n)
{
	*n = sizeof topics / sizeof topics[0];
	return topics;
}

const mm_help_topic *mm_help_find(const char *name)
{
	size_t n;
	const mm_help_topic *t = mm_help_topics(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	/* A word documented inside a topic finds that topic. */
	size_t len = strlen(name);
	if (len < 2)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *p = t[i].text;
		while ((p = strstr(p, name)) != NULL) {
			bool before = p == t[i].text || !(p[-1] == '_' ||
			              (p[-1] >= 'a' && p[-1] <= 'z'));
			char c = p[len];
			bool after = !(c == '_' || (c >= 'a' && c <= 'z') ||
			               (c >= '0' && c <= '9'));
			if (before && after)
				return &t[i];
			p += len;
		}
	}
	return NULL;
}
