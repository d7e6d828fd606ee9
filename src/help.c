/* help.c — the text of :help. */
#include <stdbool.h>
#include <string.h>

#include "mmcalc/builtin.h"
#include "mmcalc/command.h"
#include "mmcalc/device.h"
#include "mmcalc/help.h"

/* The width help lines wrap at. */
#define WIDTH 79

/* Display columns of the first n bytes of s (UTF-8). */
static size_t columns(const char *s, size_t n)
{
	size_t cols = 0;
	for (size_t k = 0; k < n; k++)
		cols += ((unsigned char)s[k] & 0xC0) != 0x80;
	return cols;
}

void mm_help_row(mm_buf *b, const char *head, size_t col, const char *text)
{
	size_t at = 2 + columns(head, strlen(head));
	mm_buf_printf(b, "  %s", head);
	if (at >= col) {
		mm_buf_putc(b, '\n');
		at = 0;
	}
	for (; at < col; at++)
		mm_buf_putc(b, ' ');
	while (*text) {
		size_t n = strcspn(text, " ");
		size_t cols = columns(text, n);
		if (at > col && at + 1 + cols > WIDTH) {
			mm_buf_printf(b, "\n%*s", (int)col, "");
			at = col;
		} else if (at > col) {
			mm_buf_putc(b, ' ');
			at++;
		}
		mm_buf_add(b, text, n);
		at += cols;
		text += n;
		while (*text == ' ')
			text++;
	}
	mm_buf_putc(b, '\n');
}

/* :help functions, from the table of built-ins. */
static void functions_text(mm_buf *b)
{
	int group = -1;
	for (size_t k = 0; mm_builtin_at(k); k++) {
		const mm_builtin *f = mm_builtin_at(k);
		if ((int)f->group != group) {
			group = (int)f->group;
			mm_buf_printf(b, "%s:\n", mm_builtin_group_title(f->group));
		}
		mm_buf line = MM_BUF_INIT;
		mm_buf_puts(&line, f->summary);
		if (f->group == MM_G_MATH && f->per != 1)
			mm_buf_printf(&line, " (%u FLOPs per element)", f->per);
		mm_help_row(b, f->usage, 31, mm_buf_str(&line));
		mm_buf_free(&line);
	}
	mm_buf_puts(b, ":help cost says how each is counted; man mmcalc "
	               "describes each.\n");
}

/* :help devices — the profiles and where their figures come from. */
static void devices_text(mm_buf *b)
{
	size_t n;
	const mm_device *t = mm_device_builtin(&n);
	mm_buf_puts(b, "Device profiles for predicted times (roofline: time = max(FLOPs / "
	               "peak,\nbytes / bandwidth)). Dense peaks, from the sources named:\n");
	for (size_t k = 0; k < n; k++) {
		mm_buf_puts(b, "  ");
		mm_device_describe(b, &t[k]);
		mm_buf_printf(b, "\n      source: %s%s%s\n", t[k].source,
		              t[k].note[0] ? "; " : "", t[k].note);
	}
	mm_buf_puts(b, "  host: this machine: fp32/fp64 peak of mmcalc's own GEMM and the\n"
	               "      bandwidth of a streaming triad, measured once for each number\n"
	               "      of :threads and cached in $XDG_CACHE_HOME/mmcalc/host\n"
	               "      (:device host recalibrate)\n"
	               "  custom: :device custom peak=312T bw=2TB/s [f64=... f16=...]\n");
}

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
	 ":help alone lists the topics. man mmcalc is the full reference.\n", NULL},
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
	 "B kB MB GB TB PB, KiB MiB GiB TiB PiB, ns us ms s min h.\n", NULL},
	{"functions", "built-in functions", NULL, functions_text},
	{"commands", "commands that start with ':'", NULL, mm_command_help},
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
	 "intensity: FLOPs / (in + out). Counts are exact integers, and\n"
	 "approximate (marked ~) beyond 2^128. SI prefixes (k, M, G: powers of 1000)\n"
	 "for FLOPs, IEC prefixes (KiB, MiB, GiB: powers of 1024) for bytes.\n"
	 "Predicted time (roofline): max(FLOPs / peak, bytes / bandwidth) on the\n"
	 "current device (:help devices).\n", NULL},
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
	 "symbols; other functions, indexing, units and execution need numbers.\n", NULL},
	{"dtypes", "element types",
	 "f64 8 B, f32 4 B (default), tf32 4 B, f16 2 B, bf16 2 B, f8 1 B (the\n"
	 "same as f8e4m3), f8e4m3 1 B, f8e5m2 1 B (OCP FP8), i8 1 B, i4 half a\n"
	 "byte. Every dtype is costed at its size. f16, bf16, the f8s, i8 and i4\n"
	 "hold only their own values: computed in f32 (i8 and i4 products summed\n"
	 "in int32), then rounded to nearest even (f16 overflows to inf, f8e4m3\n"
	 "to nan) or wrapped (i8 modulo 256, i4 modulo 16); a timing says which\n"
	 "(\"computed in f32\", \"accumulated in i32\"). astype(x, dtype=T)\n"
	 "converts. :dtype T changes the default; dtype= on a constructor picks\n"
	 "one tensor's. Mixed operands take the wider type: f64 > f32 > tf32 >\n"
	 "bf16 > f16 > f8 > i8 > i4; f16 with bf16 gives f32, f8e4m3 with f8e5m2\n"
	 "bf16.\n", NULL},
	{"settings", "keys of :set", NULL, mm_setting_help},
	{"devices", "device profiles and their sources", NULL, devices_text},
};

const mm_help_topic *mm_help_topics(size_t *n)
{
	*n = sizeof topics / sizeof topics[0];
	return topics;
}

void mm_help_text(const mm_help_topic *t, mm_buf *b)
{
	if (t->text)
		mm_buf_puts(b, t->text);
	else
		t->make(b);
}

/* Whether word appears in text as a whole word. */
static bool mentions(const char *text, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = text; (p = strstr(p, word)) != NULL; p += len) {
		bool before = p == text || !(p[-1] == '_' ||
		              (p[-1] >= 'a' && p[-1] <= 'z'));
		char c = p[len];
		bool after = !(c == '_' || (c >= 'a' && c <= 'z') ||
		               (c >= '0' && c <= '9'));
		if (before && after)
			return true;
	}
	return false;
}

/* The topic named so, or NULL. */
static const mm_help_topic *topic(const char *name)
{
	size_t n;
	const mm_help_topic *t = mm_help_topics(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

const mm_help_topic *mm_help_find(const char *name)
{
	static const char *const ops[] = {
		"@", "*", "/", "%", "+", "-", "**", "^", ".T", "'", "->", "=", "?",
		NULL,
	};
	size_t n;
	const mm_help_topic *t = mm_help_topics(&n), *named = topic(name);
	if (named)
		return named;
	/* an operator, a device (by any of its names): their own topics,
	 * before the topics that merely mention them */
	for (int k = 0; ops[k]; k++)
		if (strcmp(name, ops[k]) == 0)
			return topic("syntax");
	if (mm_device_find(name))
		return topic("devices");
	/* A word documented inside a topic finds that topic; the intro, which
	 * mentions a little of everything, only when no other topic does. */
	if (strlen(name) < 2)
		return NULL;
	mm_buf text = MM_BUF_INIT;
	const mm_help_topic *found = NULL;
	for (size_t k = 1; k <= n && !found; k++) {
		size_t i = k % n;
		mm_buf_reset(&text);
		mm_help_text(&t[i], &text);
		if (mentions(mm_buf_str(&text), name))
			found = &t[i];
	}
	mm_buf_free(&text);
	return found;
}
