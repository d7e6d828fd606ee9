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
	 ":help TOPIC shows one topic, :help WORD the topic that explains WORD;\n"
	 ":help alone lists the topics. man mmcalc is the full reference.\n"},
	{"syntax", "statements, literals and operators",
	 "One statement per line; ';' separates statements; '#' starts a comment.\n"
	 "  NAME = EXPR        bind a name\n"
	 "  EXPR               report its value (ans holds the last one)\n"
	 "  EXPR -> UNIT       convert a figure: flops(A @ B) -> TFLOP\n"
	 "  EXPR where n=8     bind numbers for this statement only\n"
	 "  EXPR = SHAPE       solve for the one '?' in EXPR: (8x64) @ ? = (8x10)\n"
	 "  :COMMAND ARGS      see :help commands\n"
	 "Literals: numbers 12, 1.5, .5, 1e6; strings \"file.npy\" (\\\" \\\\ \\n \\t);\n"
	 "shapes (1024x4096), (1024 x 4096), (1024×4096), (1024, 4096), (B*T x C),\n"
	 "(3,) and (); matrices [[1, 2], [3, 4]] (nested to any depth). (3) is the\n"
	 "number 3. Dims are integer expressions; an unbound name in one is a\n"
	 "symbol (:help symbols).\n"
	 "Operators, lowest to highest binding:\n"
	 "  + -                add, subtract (left)\n"
	 "  @ * / %            matmul; elementwise multiply, divide, modulo (left)\n"
	 "  - +                unary (so -2**2 is -4)\n"
	 "  ** ^               elementwise power (right)\n"
	 "  .T '  f(x, k=v)  a[i, j:k, :]   transpose, call, index and slice\n"
	 "@ follows NumPy's matmul: 1-D operands are promoted and the added axis\n"
	 "removed, leading (batch) axes broadcast. Elementwise operators broadcast\n"
	 "as NumPy does: dims are matched from the right and must be equal or 1.\n"
	 "Units: FLOP kFLOP MFLOP GFLOP TFLOP PFLOP EFLOP, the same with MAC,\n"
	 "B kB MB GB TB PB, KiB MiB GiB TiB PiB, ns us ms s min h.\n"},
	{"functions", "built-in functions",
	 "Constructors (dims or a shape value; dtype= optional), 0 FLOPs:\n"
	 "  randn rand zeros ones    randn(1024, 4096), zeros((3x4))\n"
	 "  eye(n[, m])  full(d..., value)  arange([start,] stop[, step])\n"
	 "Elementwise math, 1 FLOP per element each:\n"
	 "  exp log sqrt abs tanh sigmoid relu gelu sin cos deg2rad rad2deg\n"
	 "Reductions, 1 FLOP per input element (axis=, keepdims=):\n"
	 "  sum mean max min norm\n"
	 "  softmax(x, axis=-1)           5 FLOPs per element\n"
	 "  layernorm(x[, weight, bias])  4 FLOPs per element, 5 with weight, bias\n"
	 "Shapes, 0 FLOPs: transpose(x), reshape(x, d... | SHAPE) (one d may be\n"
	 "  -1), concat(a, b, ..., axis=0), shape(x), numel(x)\n"
	 "Linear algebra: qr(x) gives the reduced Q, qr_r(x) gives R (LAPACK signs),\n"
	 "  each 4mn^2 - 4n^3/3 FLOPs, m the longer side of x and n the shorter\n"
	 "Attention: attention(Q, K, V, causal=false, kv_heads=, scale=1/sqrt(d))\n"
	 "  softmax(Q @ K.T * scale) @ V; the matmuls 2*s_q*s_k*d and 2*s_q*s_k*d_v\n"
	 "  FLOPs per head and batch element (causal: half), plus 6 per score\n"
	 "Files, 0 FLOPs: load(\"f.npy\" | \"f.csv\" | \"f.tsv\" | \"f.txt\", sep=,\n"
	 "  header=false, dtype=), save(\"f.npy\" | \"f.csv\" | ..., x)\n"
	 "Costs, counted without running: flops(expr), macs(expr), bytes(expr),\n"
	 "  time(expr) (predicted on the current device)\n"},
	{"commands", "commands that start with ':'",
	 "  :help [topic], :h    this help\n"
	 "  :vars, :whos         variables: name, shape, dtype, bytes, and the total\n"
	 "  :clear [name...]     forget variables (all without names)\n"
	 "  :set [key value]     show or change settings (see :help settings)\n"
	 "  :dtype [T]           default dtype of new tensors (alone: show it)\n"
	 "  :seed [N]            restart the random generator at seed N\n"
	 "  :threads [N]         threads for matrix multiplication\n"
	 "  :run EXPR            fill abstract operands with random data and execute\n"
	 "  :bench EXPR [N]      run N times (1 to 50, default 5) after a warm-up;\n"
	 "                       report the best and the median\n"
	 "  :explain EXPR [train=true]  cost of each operation, totals, peak memory\n"
	 "  :order A @ B @ C     the FLOPs of every bracketing and the cheapest\n"
	 "  (these four take ... where n=8 after EXPR, for the command only)\n"
	 "  :device [NAME]       the device predictions are for (h100, host,\n"
	 "                       host recalibrate, custom peak=... bw=...)\n"
	 "  :devices             the device profiles\n"
	 "  :source FILE         run a script in this session\n"
	 "  :quit, :q, :exit     leave (Ctrl-D too)\n"},
	{"cost", "how FLOPs and bytes are counted",
	 "matmul (m x k) @ (k x n): 2*m*k*n FLOPs per batch element (one multiply\n"
	 "and one add per MAC); MACs are reported beside them, labelled MAC.\n"
	 "Elementwise operators, unary minus and functions: 1 FLOP per output\n"
	 "element (transcendental ones count 1 too). Reductions: 1 per input\n"
	 "element. softmax: 5 per element; layernorm: 4 per element, 5 with\n"
	 "weight and bias. qr, qr_r: 4mn^2 - 4n^3/3 for m >= n (Householder,\n"
	 "forming Q). attention: both matmuls, plus 6 per score. Arithmetic on\n"
	 "plain numbers, constructors, load, save, concat, transposes, slices and\n"
	 "reshapes: 0 FLOPs (views cost no memory).\n"
	 "bytes in: every distinct input read once; out: the result written once;\n"
	 "peak: inputs plus the intermediates alive at once, in evaluation order;\n"
	 "intensity: FLOPs / (in + out). Counts are exact 64-bit integers, and\n"
	 "approximate (marked ~) beyond 2^64. SI prefixes (k, M, G: powers of 1000)\n"
	 "for FLOPs, IEC prefixes (KiB, MiB, GiB: powers of 1024) for bytes.\n"
	 "Predicted time (roofline): max(FLOPs / peak, bytes / bandwidth) on the\n"
	 "current device (:help devices).\n"},
	{"symbols", "symbolic dimensions",
	 "A name that is not bound, used as a dimension, is a symbol:\n"
	 "  (n x d) @ (d x d)     (n x d) f32, 2*n*d^2 FLOP (n*d^2 MAC)\n"
	 "Dims are polynomials with integer coefficients: (B*T x C), (d/h x n).\n"
	 "A symbol that may differ from another dim is assumed equal to it and the\n"
	 "report says so (assuming d == 4096); :set strict on makes it an error.\n"
	 "Binding a symbol (n = 1024) makes later statements numeric; EXPR where\n"
	 "n = 1024 binds it for one statement. --json gives symbolic figures as\n"
	 "strings: \"flops\": \"2*n*d^2\". Operators, elementwise functions,\n"
	 "reductions, softmax, layernorm, transpose, shape and attention take\n"
	 "symbols; other functions, indexing, units and execution need numbers.\n"},
	{"dtypes", "element types",
	 "f64 8 B, f32 4 B (default), tf32 4 B, f16 2 B, bf16 2 B, f8 1 B, i8 1 B,\n"
	 "i4 half a byte. Every dtype is costed; execution is in f32 and f64, and\n"
	 "other dtypes execute in f32 (the report says so). :dtype T changes the\n"
	 "default; dtype= on a constructor picks one tensor's. Mixed operands take\n"
	 "the wider type: f64 > f32 > tf32 > bf16 > f16 > f8 > i8 > i4.\n"},
	{"settings", "keys of :set",
	 "  precision N     digits after the point when values print (8; 0 to 17)\n"
	 "  threshold N     values with more elements print summarised (1000)\n"
	 "  memlimit SIZE   most memory an execution may allocate, e.g. 4GiB\n"
	 "                  (default: half of physical memory)\n"
	 "  exact on|off    exact digits beside SI figures (off)\n"
	 "  strict on|off   symbols that may differ are errors, not assumptions\n"
	 "  dtype T, seed N, threads N    as the commands\n"
	 ":set alone lists them and marks with * those changed from the default.\n"},
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
	/* A word documented inside a topic finds that topic; the intro, which
	 * mentions a little of everything, only when no other topic does. */
	size_t len = strlen(name);
	if (len < 2)
		return NULL;
	for (size_t k = 1; k <= n; k++) {
		size_t i = k % n;
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
